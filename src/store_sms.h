/* store_sms.h - the outbox rows of SMS sent through a provider of
 * approved templates: when their status query is due, what it found. */
#ifndef OUTREACHD_STORE_SMS_H
#define OUTREACHD_STORE_SMS_H

#include <stdint.h>

#include "store.h"
#include "store_outbox.h"

/* Rows whose status query is due (status_at <= now), earliest first, at
 * most limit; the callback must not write (collect first). */
int store_sms_status_due(struct store *st, int64_t now, int limit,
    outbox_cb cb, void *arg, char **cause);
/* The next status query of row id at `at` (0: none any more), after
 * `checks` queries.  0, or -1. */
int store_sms_status_next(struct store *st, int64_t id, int64_t at,
    int checks, char **cause);
/* A provider's report on row id (sent or unknown): delivered 1 or 0
 * makes it 'delivered' or 'undelivered' (detail kept when it failed)
 * and ends its queries; -1 (accepted, no receipt yet) makes an 'unknown'
 * row 'sent'.  provider_id (may be NULL) is kept when the row has none.
 * 1 changed, 0 the row is no such message, -1 error. */
int store_sms_report(struct store *st, int64_t id, int delivered,
    const char *detail, const char *provider_id, int64_t now, char **cause);
/* An 'unknown' row the provider does not know: due again now, as a
 * retry, with why.  1, 0 (not unknown any more), -1. */
int store_sms_resend(struct store *st, int64_t id, const char *why,
    int64_t now, char **cause);
/* 1 when row id is an SMS still 'sending' (its SendSms answer not yet
 * recorded), 0 when not, -1 error. */
int store_sms_sending(struct store *st, int64_t id, char **cause);
/* The SMS row whose provider id is pid: 1 and *id, 0 none, -1. */
int store_sms_by_provider_id(struct store *st, const char *pid, int64_t *id,
    char **cause);

#endif

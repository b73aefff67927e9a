/* optout.h - everything about a customer saying "no more": the signing
 * secret and one-click URL of the unsubscribe link, checking its token,
 * STOP/退订 replies by SMS (with Kannel's text decoding), the suppression
 * check at send time and recording an opt-out in the customer's record.
 * The store only reads and writes the opt_out column; the rules of what
 * an opt-out means live here. */
#ifndef OUTREACHD_OPTOUT_H
#define OUTREACHD_OPTOUT_H

#include <stddef.h>
#include <stdint.h>

#include "channel.h"
#include "conf.h"
#include "store.h"
#include "token.h"

/* The signing secret of unsubscribe tokens, kept in the store (created on
 * first use, so every program sharing the store signs alike). */
int optout_secret(struct store *st, unsigned char secret[TOKEN_SECRET_LEN],
    char **cause);
/* The one-click URL for a planned message (item_id 0: nothing planned
 * yet; the link still opts the customer out).  malloc'd. */
char *optout_url(const struct conf *cf,
    const unsigned char secret[TOKEN_SECRET_LEN], int64_t item_id,
    int64_t customer_id, enum channel ch);

/* What an authentic unsubscribe token says. */
struct optout_token {
	int64_t item_id;
	int64_t customer_id;
	enum channel channel;
};
/* 0 and *t when token is authentic (constant-time MAC check), else -1. */
int optout_token_check(const unsigned char secret[TOKEN_SECRET_LEN],
    const char *token, struct optout_token *t);

/* The text of an inbound SMS as UTF-8 from what Kannel's sms-service
 * passed (text of n bytes, its coding and charset arguments, each may be
 * NULL): UCS-2/UTF-16BE and Latin-1 are decoded.  malloc'd. */
char *optout_sms_text(const char *text, size_t n, const char *coding,
    const char *charset);
/* 1 when an inbound SMS text asks to stop (the configured keywords, or
 * the built-in STOP/退订 list when there are none). */
int optout_sms_is_stop(const struct conf *cf, const char *text);

/* Why a message to a customer with this opt_out value must not go out on
 * ch ("opted out"), or NULL when it may. */
const char *optout_suppresses(const char *opt_out, enum channel ch);

/* Adds ch to one customer's opt-out, in a transaction: 1 done (or already
 * opted out), 0 no such customer, -1 error. */
int optout_record(struct store *st, int64_t customer_id, enum channel ch,
    int64_t now, char **cause);
/* The same for every customer whose phone is e164, in one transaction;
 * *n says how many customers have that number. */
int optout_record_phone(struct store *st, const char *e164,
    enum channel ch, int64_t now, int *n, char **cause);

#endif

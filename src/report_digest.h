/* report_digest.h - the managers' weekly e-mail of the report: once a
 * week, on report.weekly_day at digest.hour in the manager's time zone,
 * each manager who takes the digest (rep add --digest, with an e-mail
 * address, digest.enabled) gets the headline figures of the report
 * (report.h) for that day and a signed link to its page.
 *
 * Like the morning digest it is an outbox row for the rep, keyed
 * report:REP:YYYY-MM-DD, queued at most once and never for a day past.
 * The link is base_url/report/LINK, LINK a replink (replink.h) of the
 * manager with task 0: it stops working when the manager's feed token is
 * replaced or revoked; the page also takes the feed token itself. */
#ifndef OUTREACHD_REPORT_DIGEST_H
#define OUTREACHD_REPORT_DIGEST_H

#include <stdint.h>

#include "conf.h"
#include "store.h"
#include "tmpl_set.h"
#include "token.h"

/* Queues the weekly reports due at now and not queued yet; *n (may be
 * NULL) gets how many.  0, or -1 with *cause. */
int report_digest_queue(const struct conf *cf, const struct tmpl_set *ts,
    struct store *st, int64_t now, unsigned long *n, char **cause);
/* The page's link for a manager: base_url/report/LINK.  malloc'd. */
char *report_digest_url(const struct conf *cf,
    const unsigned char key[TOKEN_SECRET_LEN], int64_t rep_id,
    const char *token_hash);
/* The rep a report link names (not yet verified: replink_verify() with the
 * rep's token hash): 0, or -1 when it is not a report link. */
int report_digest_link_rep(const char *link, int64_t *rep_id);

#endif

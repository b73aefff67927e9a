/* digest.h - the morning e-mail of a rep's day: their open tasks due
 * today or overdue, each with its signed link, and for managers the
 * escalations of every rep and each rep's overdue count.
 *
 * A digest is an outbox row for a rep (outbox_msg.rep_id, no customer),
 * keyed digest:REP:YYYY-MM-DD, so it is queued at most once a day and
 * goes out, is retried and recovered like every other e-mail.  It is
 * queued at the first scan after digest.hour in the rep's zone, never for
 * a day that has passed, and only when there is something to say. */
#ifndef OUTREACHD_DIGEST_H
#define OUTREACHD_DIGEST_H

#include <stdint.h>

#include "conf.h"
#include "store.h"
#include "tmpl_set.h"
#include "token.h"

/* Queues today's digests that are due at `now` and not queued yet; *n
 * (may be NULL) gets how many were queued.  Nothing when digests are off
 * or the e-mail channel has no template.  0, or -1 with *cause. */
int digest_queue(const struct conf *cf, const struct tmpl_set *ts,
    struct store *st, int64_t now, unsigned long *n, char **cause);

/* Queues out (a rendered template: subject and bodies) as the e-mail to
 * rep for day, keyed key (at most once), due now and expiring at the end
 * of day in the rep's zone: the outbox row of a digest or of another mail
 * for a rep (report_digest.c).  0, or -1 with *cause. */
int digest_queue_mail(const struct conf *cf, struct store *st,
    const struct store_rep *rep, const char *key, int32_t day,
    const struct tmpl_rendered *out, int64_t now, char **cause);

/* For each rep who takes the digest and has an e-mail address (with
 * managers_only, who also manages): fn(arg, rep, &why) returns 1 when it
 * queued a mail, 0 when nothing was due, -1 with why, logged as "WHAT
 * for REP: why" while the other reps are still served.  key gets the
 * task-link key first (*have_key 0 when the store has none yet); *n
 * (may be NULL) counts the mails queued.  0, or -1 with *cause when the
 * reps or the key cannot be read. */
typedef int (*digest_rep_fn)(void *arg, const struct store_rep *rep,
    char **why);
int digest_each_rep(const struct conf *cf, struct store *st,
    int managers_only, const char *what, unsigned char key[TOKEN_SECRET_LEN],
    int *have_key, digest_rep_fn fn, void *arg, unsigned long *n,
    char **cause);

#endif

/* deliver.h - from planned messages to accepted messages.
 *
 * deliver_queue() renders planned message items into outbox rows (a
 * message that cannot be rendered becomes a task for the rep instead);
 * deliver_pass() takes due outbox rows, checks suppression again (opt-out,
 * frequency cap), quiet hours in the customer's time zone and the channel's
 * rate limit, and sends through the channel's transport: an embedded
 * maildir, SMTP or an SMS gateway (libcurl's multi interface on transfer
 * threads, one per connection, while the pass's own thread keeps the
 * store).  A row becomes 'sent' only after the peer accepted it. */
#ifndef OUTREACHD_DELIVER_H
#define OUTREACHD_DELIVER_H

#include <signal.h>
#include <stdint.h>

#include "conf.h"
#include "store.h"
#include "tmpl_set.h"

struct deliver;

struct deliver_stats {
	unsigned long queued;	    /* outbox rows created */
	unsigned long unrenderable; /* messages turned into rep tasks */
	unsigned long sent;
	unsigned long retried;
	unsigned long failed;
	unsigned long suppressed;
	unsigned long deferred;	    /* quiet hours, not yet their day, rate */
	unsigned long dry_run;	    /* would have been sent */
	/* sent, retried and failed split by channel: [0] e-mail, [1] SMS */
	unsigned long sent_by[2];
	unsigned long retried_by[2];
	unsigned long failed_by[2];
};

/* Prepares the transports (reads password files, loads the signing
 * secret).  The conf and store must outlive the deliverer. */
int deliver_open(const struct conf *cf, struct store *st,
    struct deliver **out, char **cause);
void deliver_close(struct deliver *d);
int deliver_queue(struct deliver *d, const struct tmpl_set *ts, int64_t now,
    struct deliver_stats *s, char **cause);
/* One pass over due messages.  *stop (may be NULL) set by a signal makes
 * it take no new messages and return once in-flight ones finish. */
int deliver_pass(struct deliver *d, int64_t now, int dry_run,
    const volatile sig_atomic_t *stop, struct deliver_stats *s,
    char **cause);
/* The signing secret for unsubscribe tokens (created on first use). */
int deliver_secret(struct store *st, unsigned char *secret, char **cause);
/* The one-click URL of a planned message. */
char *deliver_unsub_url(const struct conf *cf, const unsigned char *secret,
    int64_t item_id, int64_t customer_id, const char *channel);
/* Seconds until the retry after `attempts` failures, with jitter. */
int deliver_backoff(const struct conf_delivery *d, int attempts);

#endif

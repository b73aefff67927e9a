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

#include <stdatomic.h>
#include <stdint.h>

#include "conf.h"
#include "metrics.h"
#include "store.h"
#include "tmpl_set.h"

struct deliver;


/* Prepares the transports (reads password files, loads the signing
 * secret).  With only (may be NULL) its passes send that channel's
 * messages alone.  The conf and store must outlive the deliverer. */
int deliver_open(const struct conf *cf, struct store *st,
    const enum channel *only, struct deliver **out, char **cause);
void deliver_close(struct deliver *d);
/* Renders queued messages again where the templates, the configuration
 * or the customer changed since, then queues the planned messages and the
 * digests that are due. */
int deliver_queue(struct deliver *d, const struct tmpl_set *ts, int64_t now,
    struct send_stats *s, char **cause);
/* What deliver_queue() would queue now, logged ("would queue ...") and
 * counted in s->would_queue, with nothing written. */
int deliver_queue_preview(struct deliver *d, const struct tmpl_set *ts,
    int64_t now, struct send_stats *s, char **cause);
/* One pass over due messages.  *stop (may be NULL), set by a signal or
 * another thread, makes it take no new messages and return once the
 * in-flight ones finish (or daemon.shutdown_grace has passed). */
int deliver_pass(struct deliver *d, int64_t now, int dry_run,
    const atomic_int *stop, struct send_stats *s,
    char **cause);
/* Seconds until the retry after `attempts` failures, with jitter. */
int deliver_backoff(const struct conf_delivery *d, int attempts);

#endif

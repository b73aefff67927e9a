/* metrics.h - the daemon's counters and the Prometheus text of /metrics.
 * The cycle and the HTTP server add to the counters; /metrics reads them
 * together with gauges from the store.  Every function is thread-safe. */
#ifndef OUTREACHD_METRICS_H
#define OUTREACHD_METRICS_H

#include <stdint.h>

#include "channel.h"
#include "store.h"

struct buf;

/* What queueing and delivery passes did. */
struct send_stats {
	unsigned long queued;	    /* outbox rows created */
	unsigned long unrenderable; /* messages turned into rep tasks */
	unsigned long sent;
	unsigned long retried;
	unsigned long failed;
	unsigned long suppressed;
	unsigned long deferred;	    /* quiet hours, not yet their day, rate */
	unsigned long dry_run;	    /* would have been sent */
	unsigned long expired;	    /* not sent by their max_delay_days */
	unsigned long held;	    /* due, but sending is held */
	unsigned long rerendered;   /* queued, rendered again */
	unsigned long would_queue;  /* a preview (send --dry-run) */
	/* sent, retried and failed split by channel */
	unsigned long sent_by[CHANNEL_COUNT];
	unsigned long retried_by[CHANNEL_COUNT];
	unsigned long failed_by[CHANNEL_COUNT];
};

/* Adds s to the totals t. */
void send_stats_add(struct send_stats *t, const struct send_stats *s);

struct metrics;

/* A set of counters at zero; the caller owns it (metrics_free). */
struct metrics *metrics_new(void);
void metrics_free(struct metrics *m);
/* Adds a cycle's sends to the totals since start. */
void metrics_add_sends(struct metrics *m, const struct send_stats *s);
/* Records the last planning scan: when (unix time) and how long. */
void metrics_set_scan(struct metrics *m, int64_t when, double seconds);
/* Counts an HTTP response by status class. */
void metrics_count_response(struct metrics *m, unsigned status);
/* Counts a feed request answered from the cache (cached) or rendered. */
void metrics_count_feed(struct metrics *m, int cached);

/* What the HTTP server counts of hostile or broken clients. */
enum metrics_http {
	/* requests answered 4xx, outreachd_http_bad_requests_total */
	METRICS_HTTP_INVALID_TOKEN,	/* a feed or unsubscribe token: 404 */
	METRICS_HTTP_NOT_FOUND,		/* any other 404 */
	METRICS_HTTP_MALFORMED,		/* 400, 405, 411, 413, 414 ... */
	METRICS_HTTP_FORBIDDEN,		/* a callback without the secret */
	METRICS_HTTP_RATE_LIMITED,	/* 429 */
	/* connections refused at once, ..._connections_refused_total */
	METRICS_HTTP_REFUSED_PER_IP,	/* over max_connections_per_ip */
	METRICS_HTTP_REFUSED_FULL,	/* max_connections, none to close */
	/* connections closed, ..._connections_closed_total */
	METRICS_HTTP_CLOSED_TIMEOUT,	/* no whole request in time */
	METRICS_HTTP_CLOSED_EVICTED,	/* waiting, closed to make room */
	METRICS_HTTP_COUNT
};
/* Counts n (usually 1) events of one kind. */
void metrics_count_http(struct metrics *m, enum metrics_http what,
    unsigned long n);
/* Appends every metric, in Prometheus text format 0.0.4, to b: the
 * counters and the store's gauges (customers, tasks, outbox). */
int metrics_render(struct metrics *m, struct store *st, struct buf *b,
    char **cause);

#endif

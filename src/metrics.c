/* metrics.c - counters since start and the /metrics text. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "metrics.h"
#include "store_outbox.h"
#include "store_task.h"
#include "util.h"

struct metrics_counters {
	int64_t last_scan;
	double scan_secs;
	struct send_stats sends;    /* totals since start */
	unsigned long feed_hits;    /* answered from the cache (200 or 304) */
	unsigned long feed_renders;
	unsigned long responses[6]; /* by status class: [2] = 2xx ... */
	unsigned long http[METRICS_HTTP_COUNT];
};

static const char *const metrics_http_names[METRICS_HTTP_COUNT] = {
	[METRICS_HTTP_INVALID_TOKEN] = "invalid_token",
	[METRICS_HTTP_NOT_FOUND] = "not_found",
	[METRICS_HTTP_MALFORMED] = "malformed",
	[METRICS_HTTP_FORBIDDEN] = "forbidden",
	[METRICS_HTTP_RATE_LIMITED] = "rate_limited",
	[METRICS_HTTP_REFUSED_PER_IP] = "per_ip",
	[METRICS_HTTP_REFUSED_FULL] = "full",
	[METRICS_HTTP_CLOSED_TIMEOUT] = "request_timeout",
	[METRICS_HTTP_CLOSED_EVICTED] = "evicted",
};

struct metrics {
	pthread_mutex_t lock;
	struct metrics_counters n;
};

void
send_stats_add(struct send_stats *t, const struct send_stats *s)
{
	int i;

	t->queued += s->queued;
	t->unrenderable += s->unrenderable;
	t->sent += s->sent;
	t->retried += s->retried;
	t->failed += s->failed;
	t->suppressed += s->suppressed;
	t->deferred += s->deferred;
	t->dry_run += s->dry_run;
	t->expired += s->expired;
	t->held += s->held;
	t->rerendered += s->rerendered;
	t->would_queue += s->would_queue;
	for (i = 0; i < CHANNEL_COUNT; i++) {
		t->sent_by[i] += s->sent_by[i];
		t->retried_by[i] += s->retried_by[i];
		t->failed_by[i] += s->failed_by[i];
	}
}

struct metrics *
metrics_new(void)
{
	struct metrics *m = xcalloc(1, sizeof(*m));

	pthread_mutex_init(&m->lock, NULL);
	return m;
}

void
metrics_free(struct metrics *m)
{
	if (m == NULL)
		return;
	pthread_mutex_destroy(&m->lock);
	free(m);
}

void
metrics_add_sends(struct metrics *m, const struct send_stats *s)
{
	if (m == NULL)
		return;
	pthread_mutex_lock(&m->lock);
	send_stats_add(&m->n.sends, s);
	pthread_mutex_unlock(&m->lock);
}

void
metrics_set_scan(struct metrics *m, int64_t when, double seconds)
{
	if (m == NULL)
		return;
	pthread_mutex_lock(&m->lock);
	m->n.last_scan = when;
	m->n.scan_secs = seconds;
	pthread_mutex_unlock(&m->lock);
}

void
metrics_count_response(struct metrics *m, unsigned status)
{
	if (m == NULL)
		return;
	pthread_mutex_lock(&m->lock);
	m->n.responses[status / 100 < 6 ? status / 100 : 0]++;
	pthread_mutex_unlock(&m->lock);
}

void
metrics_count_feed(struct metrics *m, int cached)
{
	if (m == NULL)
		return;
	pthread_mutex_lock(&m->lock);
	if (cached)
		m->n.feed_hits++;
	else
		m->n.feed_renders++;
	pthread_mutex_unlock(&m->lock);
}

void
metrics_count_http(struct metrics *m, enum metrics_http what,
    unsigned long n)
{
	if (m == NULL || (unsigned)what >= METRICS_HTTP_COUNT)
		return;
	pthread_mutex_lock(&m->lock);
	m->n.http[what] += n;
	pthread_mutex_unlock(&m->lock);
}

/* HELP and TYPE lines of one metric. */
static void
metric_head(struct buf *b, const char *name, const char *type,
    const char *help)
{
	buf_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* Customers by tier and open tasks, from the store. */
static int
metrics_store(struct store *st, struct buf *b, char **cause)
{
	static const char tiers[] = "ABC";
	struct store_stats s;
	long n, v;
	size_t i, k;

	memset(&s, 0, sizeof(s));
	if (store_stats(st, &s, cause) != 0)
		return -1;
	metric_head(b, "outreachd_customers", "gauge", "Customers by tier.");
	for (k = 0; k < 3; k++) {
		for (v = 0, i = 0; i < s.nby_tier; i++)
			v += s.by_tier[i].key[0] == tiers[k] ? s.by_tier[i].count :
			    0;
		buf_printf(b, "outreachd_customers{tier=\"%c\"} %ld\n",
		    tiers[k], v);
	}
	metric_head(b, "outreachd_customers_opted_out", "gauge",
	    "Customers opted out, by channel (all = every channel).");
	buf_printf(b, "outreachd_customers_opted_out{channel=\"email\"} %ld\n"
	    "outreachd_customers_opted_out{channel=\"sms\"} %ld\n"
	    "outreachd_customers_opted_out{channel=\"all\"} %ld\n",
	    s.opted_out_email, s.opted_out_sms, s.opted_out_all);
	store_stats_clear(&s);
	if (store_task_count(st, "open", &n, cause) != 0)
		return -1;
	metric_head(b, "outreachd_tasks_open", "gauge",
	    "Rep tasks not done yet.");
	buf_printf(b, "outreachd_tasks_open %ld\n", n);
	return 0;
}

/* Outbox rows by state and channel; every pair is listed, 0 when empty,
 * so sum by (state) gives what the per-state gauge of old said. */
static int
metrics_outbox_states(struct store *st, struct buf *b, char **cause)
{
	long c[OUTBOX_NSTATES][CHANNEL_COUNT];
	int k, ch;

	if (store_outbox_counts_by(st, c, cause) != 0)
		return -1;
	metric_head(b, "outreachd_outbox_messages", "gauge",
	    "Messages in the outbox by state and channel.");
	for (k = 0; k < OUTBOX_NSTATES; k++)
		for (ch = 0; ch < CHANNEL_COUNT; ch++)
			buf_printf(b, "outreachd_outbox_messages{state=\"%s\","
			    "channel=\"%s\"} %ld\n",
			    outbox_state_name((enum outbox_state)k),
			    channel_name((enum channel)ch), c[k][ch]);
	return 0;
}

/* What the on-call admin asks of each channel: held, how late the most
 * overdue message is, when one last went out. */
struct outbox_channel {
	int held;
	int64_t due_age;
	int64_t last_sent;
};

/* One channel's gauges from the store, each an index lookup. */
static int
outbox_channel_read(struct store *st, enum channel ch, int64_t now,
    struct outbox_channel *o, char **cause)
{
	int64_t due;

	if ((o->held = store_outbox_held(st, ch, NULL, cause)) < 0)
		return -1;
	/* The earliest not_before of a waiting message (outbox_due, in
	 * not_before order): due when it is not in the future. */
	if ((due = store_outbox_next_due(st, &ch, cause)) < 0)
		return -1;
	o->due_age = due > 0 && due <= now ? now - due : 0;
	if ((o->last_sent = store_outbox_last_sent(st, ch, cause)) < 0)
		return -1;
	return 0;
}

/* Per-channel gauges: held, the oldest due message, the last send. */
static int
metrics_outbox_channels(struct store *st, struct buf *b, char **cause)
{
	struct outbox_channel o[CHANNEL_COUNT];
	int64_t now = (int64_t)time(NULL);
	int k;

	for (k = 0; k < CHANNEL_COUNT; k++)
		if (outbox_channel_read(st, (enum channel)k, now, &o[k],
		    cause) != 0)
			return -1;
	metric_head(b, "outreachd_sending_held", "gauge",
	    "1 while the admin holds sending on the channel (outbox hold).");
	for (k = 0; k < CHANNEL_COUNT; k++)
		buf_printf(b, "outreachd_sending_held{channel=\"%s\"} %d\n",
		    channel_name((enum channel)k), o[k].held);
	metric_head(b, "outreachd_outbox_oldest_due_age_seconds", "gauge",
	    "Seconds the longest-waiting due message (pending or retry) has "
	    "been due; 0 when none.");
	for (k = 0; k < CHANNEL_COUNT; k++)
		buf_printf(b, "outreachd_outbox_oldest_due_age_seconds"
		    "{channel=\"%s\"} %lld\n", channel_name((enum channel)k),
		    (long long)o[k].due_age);
	metric_head(b, "outreachd_last_send_timestamp_seconds", "gauge",
	    "When a peer last accepted a message (unix time, 0 = never).");
	for (k = 0; k < CHANNEL_COUNT; k++)
		buf_printf(b, "outreachd_last_send_timestamp_seconds"
		    "{channel=\"%s\"} %lld\n", channel_name((enum channel)k),
		    (long long)o[k].last_sent);
	return 0;
}

/* One counter per channel. */
static void
metric_channels(struct buf *b, const char *name,
    const unsigned long v[CHANNEL_COUNT])
{
	int i;

	for (i = 0; i < CHANNEL_COUNT; i++)
		buf_printf(b, "%s{channel=\"%s\"} %lu\n", name,
		    channel_name((enum channel)i), v[i]);
}

/* One family of the HTTP server's counters: what in [from, to). */
static void
metric_http_range(struct buf *b, const char *name, const char *help,
    const unsigned long *v, int from, int to)
{
	int i;

	metric_head(b, name, "counter", help);
	for (i = from; i < to; i++)
		buf_printf(b, "%s{reason=\"%s\"} %lu\n", name,
		    metrics_http_names[i], v[i]);
}

/* Bad requests, refused and closed connections, by reason. */
static void
metrics_http_counters(struct buf *b, const unsigned long *v)
{
	metric_http_range(b, "outreachd_http_bad_requests_total",
	    "HTTP requests answered 4xx, by reason.", v,
	    METRICS_HTTP_INVALID_TOKEN, METRICS_HTTP_RATE_LIMITED + 1);
	metric_http_range(b, "outreachd_http_connections_refused_total",
	    "HTTP connections closed as soon as accepted, by reason.", v,
	    METRICS_HTTP_REFUSED_PER_IP, METRICS_HTTP_REFUSED_FULL + 1);
	metric_http_range(b, "outreachd_http_connections_closed_total",
	    "HTTP connections closed while waiting for a request, by reason.",
	    v, METRICS_HTTP_CLOSED_TIMEOUT, METRICS_HTTP_CLOSED_EVICTED + 1);
}

/* The daemon's own counters, by channel. */
static void
metrics_counters(struct metrics *m, struct buf *b)
{
	struct metrics_counters n;

	pthread_mutex_lock(&m->lock);
	n = m->n;
	pthread_mutex_unlock(&m->lock);
	metric_head(b, "outreachd_sends_total", "counter",
	    "Messages a gateway accepted since the daemon started.");
	metric_channels(b, "outreachd_sends_total", n.sends.sent_by);
	metric_head(b, "outreachd_send_failures_total", "counter",
	    "Messages that failed for good since the daemon started.");
	metric_channels(b, "outreachd_send_failures_total", n.sends.failed_by);
	metric_head(b, "outreachd_send_retries_total", "counter",
	    "Send attempts to be retried since the daemon started.");
	metric_channels(b, "outreachd_send_retries_total", n.sends.retried_by);
	metric_head(b, "outreachd_messages_suppressed_total", "counter",
	    "Messages not sent (opt-out, frequency cap) since start.");
	buf_printf(b, "outreachd_messages_suppressed_total %lu\n",
	    n.sends.suppressed);
	metric_head(b, "outreachd_last_scan_timestamp_seconds", "gauge",
	    "When the last planning scan ran (unix time, 0 = not yet).");
	buf_printf(b, "outreachd_last_scan_timestamp_seconds %lld\n",
	    (long long)n.last_scan);
	metric_head(b, "outreachd_last_scan_duration_seconds", "gauge",
	    "How long the last planning scan took.");
	buf_printf(b, "outreachd_last_scan_duration_seconds %.6f\n",
	    n.scan_secs);
	metric_head(b, "outreachd_feed_requests_total", "counter",
	    "Feed requests answered from the cache, or rendered.");
	buf_printf(b, "outreachd_feed_requests_total{result=\"cached\"} %lu\n"
	    "outreachd_feed_requests_total{result=\"rendered\"} %lu\n",
	    n.feed_hits, n.feed_renders);
	metric_head(b, "outreachd_http_responses_total", "counter",
	    "HTTP responses by status class.");
	buf_printf(b, "outreachd_http_responses_total{code=\"2xx\"} %lu\n"
	    "outreachd_http_responses_total{code=\"3xx\"} %lu\n"
	    "outreachd_http_responses_total{code=\"4xx\"} %lu\n"
	    "outreachd_http_responses_total{code=\"5xx\"} %lu\n",
	    n.responses[2], n.responses[3], n.responses[4], n.responses[5]);
	metrics_http_counters(b, n.http);
}

int
metrics_render(struct metrics *m, struct store *st, struct buf *b,
    char **cause)
{
	if (metrics_store(st, b, cause) != 0 ||
	    metrics_outbox_states(st, b, cause) != 0 ||
	    metrics_outbox_channels(st, b, cause) != 0)
		return -1;
	if (m != NULL)
		metrics_counters(m, b);
	return 0;
}

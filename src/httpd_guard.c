/* httpd_guard.c - what keeps the public HTTP port serving under attack:
 * every connection from accept to close, limits per client address, the
 * deadline of a request, room for new clients, a rate limit on writes and
 * a summary of bad requests instead of a log line each.
 *
 * libmicrohttpd (0.9.75) only knows an idle timeout, which every byte
 * resets, and a per-address limit it neither counts nor reports.  So:
 *	- the accept policy callback refuses a connection whose address
 *	  already holds max_connections_per_ip (IPv6: per /64), or, when
 *	  all but a sixteenth of max_connections are taken, first closes
 *	  the connection that has waited longest for a request (idle
 *	  keep-alives before fresh ones), and refuses only when none waits;
 *	- the connection notifier keeps a record of each connection: its
 *	  socket, its address, and since when it waits for a request (from
 *	  accept, then from each answer) until httpd.c marks it answering;
 *	- a thread of its own wakes four times a second and shuts down
 *	  (shutdown(2), not close: the socket stays libmicrohttpd's, which
 *	  sees the end of the stream and closes it) every connection that
 *	  has waited request_timeout, however steadily bytes trickle in.
 *	  A record is removed, under the lock, by the notifier before
 *	  libmicrohttpd closes the socket, so a socket the guard shuts down
 *	  is always still the connection's.
 * Counts for /metrics go to metrics.c; the log gets one summary line at
 * most every GUARD_SUMMARY_S seconds. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "httpd_priv.h"
#include "log.h"
#include "token.h"
#include "util.h"

#define GUARD_PEERS 1024	/* hash chains of addresses with connections */
#define GUARD_BUCKETS 4096	/* rate limit buckets (fixed: bounded memory) */
#define GUARD_TICK_MS 250	/* how often deadlines are looked at */
#define GUARD_SUMMARY_S 10	/* at most one summary line this often */

enum { CONN_WAITING, CONN_ANSWERING };

/* One client connection: libmicrohttpd's socket context. */
struct httpd_conn {
	struct httpd_conn *prev, *next;
	struct guard_peer *peer;
	unsigned char key[16];	/* the address, IPv4 mapped, IPv6 /64 */
	int fd;
	int closing;		/* shut down by the guard */
	_Atomic int state;	/* CONN_WAITING or CONN_ANSWERING */
	_Atomic int64_t since;	/* waiting since (monotonic ms) */
	_Atomic unsigned served; /* answers given on it */
};

/* An address with connections open, and how many. */
struct guard_peer {
	struct guard_peer *next;
	unsigned char key[16];
	unsigned n;
};

/* Rate limit tokens of one address (or of several that hash alike). */
struct guard_bucket {
	unsigned char key[16];
	double tokens;
	int64_t last;		/* ms */
};

struct httpd_guard {
	pthread_mutex_t lock;	/* the connections and peers */
	pthread_cond_t wake;
	pthread_t thread;
	int started, quit, stopping;
	struct httpd_conn *head;
	size_t nconns, nclosing;
	struct guard_peer *peers[GUARD_PEERS];
	uint64_t seed;
	unsigned max_conns;	/* fixed at start, as libmicrohttpd's */
	_Atomic unsigned per_ip, timeout_ms, write_rate;

	pthread_mutex_t bucket_lock;
	struct guard_bucket buckets[GUARD_BUCKETS];

	_Atomic unsigned long window[METRICS_HTTP_COUNT];
	int64_t window_start;
	struct metrics *metrics;
};

/* Milliseconds on the monotonic clock. */
static int64_t
guard_now(void)
{
	return (int64_t)(clock_seconds() * 1000.0);
}

/* The key of an address: IPv4 as ::ffff:a.b.c.d, IPv6 its /64, since
 * one IPv6 client usually has a whole /64 to pick addresses from. */
static int
guard_key(const struct sockaddr *sa, unsigned char key[16])
{
	const struct sockaddr_in6 *s6;
	const struct sockaddr_in *s4;

	memset(key, 0, 16);
	if (sa == NULL)
		return -1;
	if (sa->sa_family == AF_INET) {
		s4 = (const struct sockaddr_in *)(const void *)sa;
		key[10] = key[11] = 0xff;
		memcpy(key + 12, &s4->sin_addr, 4);
		return 0;
	}
	if (sa->sa_family != AF_INET6)
		return -1;
	s6 = (const struct sockaddr_in6 *)(const void *)sa;
	if (IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr))
		memcpy(key, &s6->sin6_addr, 16);
	else
		memcpy(key, &s6->sin6_addr, 8);
	return 0;
}

/* A keyed hash of a key (FNV-1a from a random start, then mixed): who
 * does not know the seed cannot pick addresses that collide. */
static uint64_t
guard_hash(const struct httpd_guard *g, const unsigned char key[16])
{
	uint64_t h = g->seed;
	int i;

	for (i = 0; i < 16; i++) {
		h ^= key[i];
		h *= 0x100000001b3ULL;
	}
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	return h;
}

/* The entry of an address with connections; created when create. */
static struct guard_peer *
guard_peer(struct httpd_guard *g, const unsigned char key[16], int create)
{
	struct guard_peer **pp, *p;

	pp = &g->peers[guard_hash(g, key) % GUARD_PEERS];
	for (p = *pp; p != NULL; p = p->next) {
		if (memcmp(p->key, key, 16) == 0)
			return p;
	}
	if (!create)
		return NULL;
	p = xcalloc(1, sizeof(*p));
	memcpy(p->key, key, 16);
	p->next = *pp;
	*pp = p;
	return p;
}

/* Forgets an address without connections. */
static void
guard_peer_put(struct httpd_guard *g, struct guard_peer *peer)
{
	struct guard_peer **pp;

	if (peer == NULL || --peer->n > 0)
		return;
	pp = &g->peers[guard_hash(g, peer->key) % GUARD_PEERS];
	while (*pp != peer)
		pp = &(*pp)->next;
	*pp = peer->next;
	free(peer);
}

/* Counts an event for /metrics and the next summary. */
static void
guard_count(struct httpd_guard *g, enum metrics_http what)
{
	atomic_fetch_add(&g->window[what], 1);
	metrics_count_http(g->metrics, what, 1);
}

/* Shuts a connection down (lock held); libmicrohttpd closes it. */
static void
guard_close(struct httpd_guard *g, struct httpd_conn *c)
{
	if (c->closing)
		return;
	c->closing = 1;
	g->nclosing++;
	shutdown(c->fd, SHUT_RDWR);
}

/* The connection that has waited longest for a request, idle keep-alives
 * first; NULL when every one is being answered (lock held). */
static struct httpd_conn *
guard_victim(struct httpd_guard *g)
{
	struct httpd_conn *c, *best = NULL;
	int64_t since, best_since = 0;
	int idle, best_idle = 0;

	for (c = g->head; c != NULL; c = c->next) {
		if (c->closing || atomic_load(&c->state) != CONN_WAITING)
			continue;
		idle = atomic_load(&c->served) > 0;
		since = atomic_load(&c->since);
		if (best == NULL || idle > best_idle || (idle == best_idle &&
		    since < best_since)) {
			best = c;
			best_idle = idle;
			best_since = since;
		}
	}
	return best;
}

/* libmicrohttpd's accept policy: the address's limit, then room. */
enum MHD_Result
httpd_guard_accept(void *cls, const struct sockaddr *sa, socklen_t len)
{
	struct httpd_guard *g = ((struct httpd *)cls)->guard;
	unsigned char key[16];
	struct guard_peer *peer;
	struct httpd_conn *victim;
	unsigned per_ip = atomic_load(&g->per_ip);
	size_t live, reserve = g->max_conns / 16;
	enum metrics_http refused;

	(void)len;
	if (guard_key(sa, key) != 0)
		return MHD_YES;
	pthread_mutex_lock(&g->lock);
	if (g->stopping) {
		pthread_mutex_unlock(&g->lock);
		return MHD_NO;
	}
	peer = guard_peer(g, key, 0);
	if (per_ip > 0 && peer != NULL && peer->n >= per_ip) {
		refused = METRICS_HTTP_REFUSED_PER_IP;
		goto refuse;
	}
	live = g->nconns - g->nclosing;
	if (live + (reserve > 0 ? reserve : 1) >= g->max_conns) {
		if ((victim = guard_victim(g)) != NULL) {
			guard_close(g, victim);
			guard_count(g, METRICS_HTTP_CLOSED_EVICTED);
		} else if (live >= g->max_conns) {
			refused = METRICS_HTTP_REFUSED_FULL;
			goto refuse;
		}
	}
	pthread_mutex_unlock(&g->lock);
	return MHD_YES;
refuse:
	pthread_mutex_unlock(&g->lock);
	guard_count(g, refused);
	return MHD_NO;
}

/* A new connection: its record, counted for its address.  Accept policy
 * calls race between threads, so the address's limit is checked again. */
static void
guard_started(struct httpd_guard *g, struct MHD_Connection *conn,
    void **socket_ctx)
{
	const union MHD_ConnectionInfo *ci;
	struct httpd_conn *c = xcalloc(1, sizeof(*c));
	unsigned per_ip = atomic_load(&g->per_ip);
	int over;

	ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
	c->fd = ci != NULL ? ci->connect_fd : -1;
	ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	guard_key(ci != NULL ? ci->client_addr : NULL, c->key);
	atomic_store(&c->since, guard_now());
	pthread_mutex_lock(&g->lock);
	c->peer = guard_peer(g, c->key, 1);
	c->peer->n++;
	c->next = g->head;
	if (g->head != NULL)
		g->head->prev = c;
	g->head = c;
	g->nconns++;
	over = per_ip > 0 && c->peer->n > per_ip;
	if ((over || g->stopping) && c->fd >= 0)
		guard_close(g, c);
	pthread_mutex_unlock(&g->lock);
	if (over)
		guard_count(g, METRICS_HTTP_REFUSED_PER_IP);
	*socket_ctx = c;
}

/* A connection is closed: before libmicrohttpd closes its socket. */
static void
guard_closed(struct httpd_guard *g, struct httpd_conn *c)
{
	pthread_mutex_lock(&g->lock);
	if (c->prev != NULL)
		c->prev->next = c->next;
	else
		g->head = c->next;
	if (c->next != NULL)
		c->next->prev = c->prev;
	g->nconns--;
	if (c->closing)
		g->nclosing--;
	guard_peer_put(g, c->peer);
	pthread_mutex_unlock(&g->lock);
	free(c);
}

/* libmicrohttpd's connection notifier. */
void
httpd_guard_notify(void *cls, struct MHD_Connection *conn, void **socket_ctx,
    enum MHD_ConnectionNotificationCode code)
{
	struct httpd_guard *g = ((struct httpd *)cls)->guard;

	if (code == MHD_CONNECTION_NOTIFY_STARTED)
		guard_started(g, conn, socket_ctx);
	else if (code == MHD_CONNECTION_NOTIFY_CLOSED && *socket_ctx != NULL) {
		guard_closed(g, *socket_ctx);
		*socket_ctx = NULL;
	}
}

/* The record of a connection. */
struct httpd_conn *
httpd_guard_conn(struct MHD_Connection *conn)
{
	const union MHD_ConnectionInfo *ci;

	ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	return ci != NULL ? ci->socket_context : NULL;
}

/* The request is in and answered: no deadline while the answer goes. */
void
httpd_guard_answering(struct httpd_conn *c)
{
	if (c != NULL)
		atomic_store(&c->state, CONN_ANSWERING);
}

/* The answer went: the next request has request_timeout from now. */
void
httpd_guard_answered(struct httpd_conn *c)
{
	if (c == NULL)
		return;
	atomic_store(&c->since, guard_now());
	atomic_fetch_add(&c->served, 1);
	atomic_store(&c->state, CONN_WAITING);
}

/* Takes a token of the connection's address for a write; 0 and the
 * seconds to wait in *retry_after when there is none. */
int
httpd_guard_write_ok(struct httpd_guard *g, const struct httpd_conn *c,
    unsigned *retry_after)
{
	struct guard_bucket *b;
	unsigned rate = atomic_load(&g->write_rate);
	double per_ms, cap = rate;
	int64_t now = guard_now();
	int ok;

	*retry_after = 0;
	if (rate == 0 || c == NULL)
		return 1;
	per_ms = rate / 60000.0;
	pthread_mutex_lock(&g->bucket_lock);
	b = &g->buckets[guard_hash(g, c->key) % GUARD_BUCKETS];
	if (b->last == 0 || (memcmp(b->key, c->key, 16) != 0 &&
	    b->tokens + (double)(now - b->last) * per_ms >= cap)) {
		/* Unused, or another address's that has filled up again:
		 * this address's now.  Else the two share it. */
		memcpy(b->key, c->key, 16);
		b->tokens = cap;
		b->last = now;
	}
	b->tokens += (double)(now - b->last) * per_ms;
	if (b->tokens > cap)
		b->tokens = cap;
	b->last = now;
	if ((ok = b->tokens >= 1.0))
		b->tokens -= 1.0;
	else	/* whole seconds until a token, rounded up */
		*retry_after = 1 + (unsigned)((1.0 - b->tokens) / per_ms /
		    1000.0);
	pthread_mutex_unlock(&g->bucket_lock);
	return ok;
}

/* Counts a request answered 4xx. */
void
httpd_guard_bad(struct httpd_guard *g, enum metrics_http what)
{
	guard_count(g, what);
}

/* One line for everything counted since the last one, if anything. */
static void
guard_summary(struct httpd_guard *g, int64_t now)
{
	static const char *const what[METRICS_HTTP_COUNT] = {
		[METRICS_HTTP_INVALID_TOKEN] = "invalid token requests",
		[METRICS_HTTP_NOT_FOUND] = "requests for unknown pages",
		[METRICS_HTTP_MALFORMED] = "malformed or refused requests",
		[METRICS_HTTP_FORBIDDEN] = "callbacks without the secret",
		[METRICS_HTTP_RATE_LIMITED] = "requests over the rate limit",
		[METRICS_HTTP_REFUSED_PER_IP] =
		    "connections over the per-address limit",
		[METRICS_HTTP_REFUSED_FULL] =
		    "connections refused with every slot taken",
		[METRICS_HTTP_CLOSED_TIMEOUT] =
		    "connections closed at the request deadline",
		[METRICS_HTTP_CLOSED_EVICTED] =
		    "waiting connections closed to make room",
	};
	unsigned long n;
	struct buf b;
	int i;

	buf_init(&b);
	for (i = 0; i < METRICS_HTTP_COUNT; i++) {
		if ((n = atomic_exchange(&g->window[i], 0)) == 0)
			continue;
		buf_printf(&b, "%s%lu %s", b.len > 0 ? ", " : "", n, what[i]);
	}
	if (b.len > 0)
		log_notice("http: in the last %lld s: %s",
		    (long long)((now - g->window_start + 500) / 1000), b.data);
	buf_free(&b);
	g->window_start = now;
}

/* Shuts down the connections past their deadline (lock held). */
static void
guard_sweep(struct httpd_guard *g, int64_t now)
{
	int64_t limit = (int64_t)atomic_load(&g->timeout_ms);
	struct httpd_conn *c;

	for (c = g->head; c != NULL; c = c->next) {
		if (c->closing || atomic_load(&c->state) != CONN_WAITING)
			continue;
		if (g->stopping || now - atomic_load(&c->since) >= limit) {
			if (!g->stopping)
				guard_count(g, METRICS_HTTP_CLOSED_TIMEOUT);
			guard_close(g, c);
		}
	}
}

/* The guard's thread: deadlines four times a second, the summary. */
static void *
guard_main(void *arg)
{
	struct httpd_guard *g = arg;
	struct timespec ts;
	int64_t now;

	pthread_mutex_lock(&g->lock);
	while (!g->quit) {
		clock_gettime(CLOCK_MONOTONIC, &ts);
		ts.tv_nsec += GUARD_TICK_MS * 1000000L;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&g->wake, &g->lock, &ts);
		now = guard_now();
		guard_sweep(g, now);
		if (now - g->window_start >= GUARD_SUMMARY_S * 1000) {
			pthread_mutex_unlock(&g->lock);
			guard_summary(g, now);
			pthread_mutex_lock(&g->lock);
		}
	}
	pthread_mutex_unlock(&g->lock);
	guard_summary(g, guard_now());
	return NULL;
}

/* The settings that a reload changes. */
void
httpd_guard_set_conf(struct httpd_guard *g, const struct conf *cf)
{
	atomic_store(&g->per_ip, (unsigned)cf->http.max_connections_per_ip);
	atomic_store(&g->timeout_ms, (unsigned)cf->http.request_timeout * 1000);
	atomic_store(&g->write_rate, (unsigned)cf->http.write_rate_per_ip);
}

/* A guard for cf's limits, counting into metrics (may be NULL), with its
 * thread running. */
struct httpd_guard *
httpd_guard_new(const struct conf *cf, struct metrics *metrics,
    char **cause)
{
	struct httpd_guard *g = xcalloc(1, sizeof(*g));
	pthread_condattr_t ca;
	int rc;

	if (token_random((unsigned char *)&g->seed, sizeof(g->seed)) != 0) {
		free(g);
		set_error(cause, "cannot read random bytes: %m");
		return NULL;
	}
	g->metrics = metrics;
	g->max_conns = (unsigned)cf->http.max_connections;
	httpd_guard_set_conf(g, cf);
	g->window_start = guard_now();
	pthread_mutex_init(&g->lock, NULL);
	pthread_mutex_init(&g->bucket_lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&g->wake, &ca);
	pthread_condattr_destroy(&ca);
	if ((rc = pthread_create(&g->thread, NULL, guard_main, g)) != 0) {
		set_error(cause, "cannot start a thread: %s", strerror(rc));
		httpd_guard_free(g);
		return NULL;
	}
	g->started = 1;
	return g;
}

/* Shutting down: new connections closed as soon as accepted, and every
 * connection waiting for a request closed at once; returns how many are
 * still being answered. */
size_t
httpd_guard_drain(struct httpd_guard *g)
{
	struct httpd_conn *c;
	size_t n = 0;

	pthread_mutex_lock(&g->lock);
	g->stopping = 1;
	guard_sweep(g, guard_now());
	for (c = g->head; c != NULL; c = c->next)
		n += !c->closing;
	pthread_mutex_unlock(&g->lock);
	return n;
}

/* Stops the thread (after the last summary) and frees the guard; every
 * connection must be closed by then. */
void
httpd_guard_free(struct httpd_guard *g)
{
	struct guard_peer *p;
	size_t i;

	if (g == NULL)
		return;
	if (g->started) {
		pthread_mutex_lock(&g->lock);
		g->quit = 1;
		pthread_cond_signal(&g->wake);
		pthread_mutex_unlock(&g->lock);
		pthread_join(g->thread, NULL);
	}
	for (i = 0; i < GUARD_PEERS; i++) {
		while ((p = g->peers[i]) != NULL) {
			g->peers[i] = p->next;
			free(p);
		}
	}
	pthread_cond_destroy(&g->wake);
	pthread_mutex_destroy(&g->bucket_lock);
	pthread_mutex_destroy(&g->lock);
	free(g);
}

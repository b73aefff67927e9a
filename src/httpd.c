/* httpd.c - the HTTP service: the libmicrohttpd server, its limits, the
 * dispatch of requests to the handlers route.h picks, and the helpers the
 * handlers share.
 *
 * Request line and headers must fit in HTTPD_CONN_MEMORY (libmicrohttpd
 * answers 414 or 431 otherwise), paths longer than ROUTE_URL_MAX get 414
 * (route.h), bodies over HTTPD_POST_MAX 413, malformed requests 400
 * (libmicrohttpd).  A body that could be read two ways (the shapes of
 * request smuggling) is refused as soon as the headers are in, before any
 * of it is read, and the connection closed: several Content-Length values,
 * Content-Length with Transfer-Encoding, a coding other than chunked (400),
 * and chunked itself (411: libmicrohttpd does not show chunk sizes, and no
 * route needs a body that large).  Connections, deadlines and rate limits
 * are httpd_guard.c's; the Kannel callbacks need their secret
 * (httpd_routes.c). */
#include <netdb.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "callback.h"
#include "httpd_priv.h"
#include "log.h"
#include "route.h"
#include "store_task.h"
#include "util.h"

static const char httpd_404[] = "Not Found\n";

/* libmicrohttpd's own messages (connection errors and the like). */
static void
httpd_mhd_log(void *cls, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));

/* Passes libmicrohttpd's messages to our log, at debug level: they are
 * about single misbehaving connections, not about the service.  Quoted:
 * they may hold what a client sent. */
static void
httpd_mhd_log(void *cls, const char *fmt, va_list ap)
{
	char *s = xvasprintf(fmt, ap), *q;
	size_t n = strlen(s);

	(void)cls;
	while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == '\r'))
		s[--n] = '\0';
	q = str_quote(s, 300);
	log_debug("http: %s", q);
	free(q);
	free(s);
}

/* Splits "host:port", "[v6]:port" or "*:port" (any address). */
static int
httpd_split_listen(const char *spec, char **host, char **port,
    char **cause)
{
	const char *colon, *rb;

	if (spec[0] == '[') {
		rb = strchr(spec, ']');
		if (rb == NULL || rb[1] != ':')
			return set_error(cause, "http.listen \"%s\": expected "
			    "[ADDRESS]:PORT", spec);
		*host = xstrndup(spec + 1, (size_t)(rb - spec - 1));
		colon = rb + 1;
	} else {
		if ((colon = strrchr(spec, ':')) == NULL)
			return set_error(cause, "http.listen \"%s\": expected "
			    "ADDRESS:PORT", spec);
		*host = xstrndup(spec, (size_t)(colon - spec));
	}
	*port = xstrdup(colon + 1);
	if (**host == '\0' || strcmp(*host, "*") == 0) {
		free(*host);
		*host = NULL;
	}
	return 0;
}

/* A bound, listening, non-blocking socket for one address. */
static int
httpd_bind(const struct addrinfo *ai, char **cause, const char *spec)
{
	int fd, on = 1, off = 0;

	fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC |
	    SOCK_NONBLOCK, ai->ai_protocol);
	if (fd < 0)
		return set_error(cause, "http.listen %s: socket: %m", spec);
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
	if (ai->ai_family == AF_INET6)	/* "[::]:P" takes IPv4 too */
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof(off));
	if (bind(fd, ai->ai_addr, ai->ai_addrlen) != 0 ||
	    listen(fd, SOMAXCONN) != 0) {
		set_error(cause, "http.listen %s: %m", spec);
		close(fd);
		return -1;
	}
	return fd;
}

/* Opens the listening socket ourselves, so a busy port or a bad address
 * is reported plainly. */
static int
httpd_listen(const char *spec, char **cause)
{
	struct addrinfo hints, *res = NULL;
	char *host = NULL, *port = NULL;
	int rc, fd;

	if (httpd_split_listen(spec, &host, &port, cause) != 0)
		return -1;
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = host == NULL ? AF_INET6 : AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	rc = getaddrinfo(host, port, &hints, &res);
	if (rc != 0 && host == NULL) {	/* no IPv6 here: any IPv4 address */
		hints.ai_family = AF_INET;
		rc = getaddrinfo(host, port, &hints, &res);
	}
	free(host);
	free(port);
	if (rc != 0)
		return set_error(cause, "http.listen %s: %s", spec,
		    gai_strerror(rc));
	fd = httpd_bind(res, cause, spec);
	freeaddrinfo(res);
	return fd;
}

/* Borrows a pooled store connection for the request. */
struct store *
httpd_store(struct httpd_req *r)
{
	struct httpd *h = r->h;
	char *cause = NULL;
	double now;
	int64_t v;

	if (r->st != NULL)
		return r->st;
	pthread_mutex_lock(&h->pool_lock);
	if (h->nidle > 0)
		r->db = h->idle[--h->nidle];
	pthread_mutex_unlock(&h->pool_lock);
	if (r->db == NULL) {
		r->db = xcalloc(1, sizeof(*r->db));
		r->db->seen = -1;
		if (store_open_existing(h->store_path, &r->db->st, &cause) != 0) {
			log_err("http: %s", cause);
			free(cause);
			free(r->db);
			r->db = NULL;
			return NULL;
		}
	}
	/* Another connection (the daemon, outreachctl) committed since this
	 * one last looked: cached feeds and tokens must be checked again.
	 * Asking takes a read lock (two fcntl), a tenth of a cached feed's
	 * cost, so a busy connection asks every few milliseconds: a feed may
	 * lag a commit by that much. */
	now = clock_seconds();
	if (r->db->seen < 0 || now - r->db->checked >= HTTPD_DB_RECHECK) {
		r->db->checked = now;
		if ((v = store_data_version(r->db->st)) != r->db->seen ||
		    v < 0) {
			r->db->seen = v;
			atomic_fetch_add(&h->db_gen, 1);
		}
	}
	r->db_gen = atomic_load(&h->db_gen);
	return r->st = r->db->st;
}

/* Gives the request's store connection back to the pool. */
static void
httpd_store_release(struct httpd_req *r)
{
	struct httpd *h = r->h;

	if (r->wrote)	/* our own commits do not change our data_version */
		atomic_fetch_add(&h->db_gen, 1);
	if (r->db == NULL)
		return;
	pthread_mutex_lock(&h->pool_lock);
	if (h->nidle == h->cap_idle) {
		h->cap_idle = h->cap_idle ? 2 * h->cap_idle : 4;
		h->idle = xreallocarray(h->idle, h->cap_idle, sizeof(*h->idle));
	}
	h->idle[h->nidle++] = r->db;
	pthread_mutex_unlock(&h->pool_lock);
	r->db = NULL;
	r->st = NULL;
}

/* Logs a request at debug level, with the secret part of the path (a feed
 * or unsubscribe token, the callback secret of the query, which is not in
 * url) left out, and quoted: a path may hold any byte. */
static void
httpd_access_log(struct httpd_req *r, unsigned status)
{
	const char *u = r->url ? r->url : "?", *tail = "";
	char *path, *m, *q;

	if (!log_enabled(LOG_LVL_DEBUG))
		return;
	if (strncmp(u, "/feeds/", 7) == 0) {
		tail = strchr(u + 7, '/') ? strchr(u + 7, '/') : "";
		path = xasprintf("/feeds/...%s", tail);
	} else if (strncmp(u, "/u/", 3) == 0 || strncmp(u, "/t/", 3) == 0 ||
	    strncmp(u, "/r/", 3) == 0 || strncmp(u, "/s/", 3) == 0)
		path = xasprintf("%.3s...", u);
	else if (strncmp(u, "/report/", 8) == 0)
		path = xstrdup("/report/...");
	else
		path = xstrdup(u);
	q = str_quote(path, 200);
	m = str_quote(r->method ? r->method : "?", 20);
	log_debug("http: %s %s -> %u", m, q, status);
	free(m);
	free(q);
	free(path);
}

/* What a 4xx answer counts as in /metrics and the log's summary. */
static enum metrics_http
httpd_bad_kind(const struct httpd_req *r, unsigned status)
{
	if (r->invalid_token)
		return METRICS_HTTP_INVALID_TOKEN;
	switch (status) {
	case MHD_HTTP_NOT_FOUND:
		return METRICS_HTTP_NOT_FOUND;
	case MHD_HTTP_FORBIDDEN:
		return METRICS_HTTP_FORBIDDEN;
	case MHD_HTTP_TOO_MANY_REQUESTS:
		return METRICS_HTTP_RATE_LIMITED;
	default:
		return METRICS_HTTP_MALFORMED;
	}
}

/* Queues a response, counted by status class (4xx by kind) and logged;
 * the request's deadline no longer runs. */
enum MHD_Result
httpd_queue(struct httpd_req *r, unsigned status, struct MHD_Response *resp)
{
	httpd_access_log(r, status);
	metrics_count_response(r->h->metrics, status);
	if (status >= 400 && status < 500)
		httpd_guard_bad(r->h->guard, httpd_bad_kind(r, status));
	httpd_guard_answering(r->conn_rec);
	return MHD_queue_response(r->conn, status, resp);
}

/* Queues a small response built from a string. */
enum MHD_Result
httpd_reply(struct httpd_req *r, unsigned status, const char *type,
    const char *body, const char *const *headers)
{
	struct MHD_Response *resp;
	enum MHD_Result ret;

	resp = MHD_create_response_from_buffer(body ? strlen(body) : 0,
	    (void *)(body ? body : ""), MHD_RESPMEM_MUST_COPY);
	if (resp == NULL)
		return MHD_NO;
	if (type != NULL)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	for (; headers != NULL && headers[0] != NULL; headers += 2)
		MHD_add_response_header(resp, headers[0], headers[1]);
	ret = httpd_queue(r, status, resp);
	MHD_destroy_response(resp);
	return ret;
}

/* The one 404 of the service. */
enum MHD_Result
httpd_not_found(struct httpd_req *r)
{
	return httpd_reply(r, MHD_HTTP_NOT_FOUND, "text/plain; charset=utf-8",
	    httpd_404, NULL);
}

/* The 404 of a wrong token, counted apart from other 404s. */
enum MHD_Result
httpd_invalid_token(struct httpd_req *r)
{
	r->invalid_token = 1;
	return httpd_not_found(r);
}

/* Takes one of the address's writes, or answers 429. */
enum MHD_Result
httpd_rate_limit(struct httpd_req *r, int *answered)
{
	const char *hdrs[] = { "Retry-After", NULL, NULL };
	char secs[16];
	unsigned wait;

	*answered = 0;
	if (httpd_guard_write_ok(r->h->guard, r->conn_rec, &wait))
		return MHD_YES;
	*answered = 1;
	snprintf(secs, sizeof(secs), "%u", wait);
	hdrs[1] = secs;
	return httpd_reply(r, MHD_HTTP_TOO_MANY_REQUESTS,
	    "text/plain; charset=utf-8", "Too Many Requests\n", hdrs);
}

/* Logs a store failure and answers 503. */
enum MHD_Result
httpd_unavailable(struct httpd_req *r, const char *what, char *cause)
{
	static const char *const hdrs[] = { "Retry-After", "30", NULL };

	log_err("http: %s: %s", what, cause ? cause : "store unavailable");
	free(cause);
	return httpd_reply(r, MHD_HTTP_SERVICE_UNAVAILABLE,
	    "text/plain; charset=utf-8", "Service Unavailable\n", hdrs);
}

/* A query argument of the request, with its length. */
const char *
httpd_arg(struct httpd_req *r, const char *name, size_t *len)
{
	const char *v = NULL;
	size_t n = 0;

	if (MHD_lookup_connection_value_n(r->conn, MHD_GET_ARGUMENT_KIND, name,
	    strlen(name), &v, &n) != MHD_YES)
		v = NULL, n = 0;
	if (len != NULL)
		*len = n;
	return v;
}

/* Formats an HTTP date (IMF-fixdate, always English). */
void
httpd_http_date(int64_t t, char out[64])
{
	static const char days[][4] = { "Sun", "Mon", "Tue", "Wed", "Thu",
		"Fri", "Sat" };
	static const char months[][4] = { "Jan", "Feb", "Mar", "Apr", "May",
		"Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	time_t tt = (time_t)t;
	struct tm tm;

	if (gmtime_r(&tt, &tm) == NULL)
		memset(&tm, 0, sizeof(tm));
	snprintf(out, 64, "%.3s, %02u %.3s %04u %02u:%02u:%02u GMT",
	    days[(unsigned)tm.tm_wday % 7], (unsigned)tm.tm_mday % 100,
	    months[(unsigned)tm.tm_mon % 12], (unsigned)(tm.tm_year + 1900) %
	    10000, (unsigned)tm.tm_hour % 100, (unsigned)tm.tm_min % 100,
	    (unsigned)tm.tm_sec % 100);
}

/* 405 with the methods the resource takes. */
static enum MHD_Result
httpd_bad_method(struct httpd_req *r, const char *allow)
{
	const char *hdrs[] = { "Allow", allow, NULL };

	return httpd_reply(r, MHD_HTTP_METHOD_NOT_ALLOWED,
	    "text/plain; charset=utf-8", "Method Not Allowed\n", hdrs);
}

/* Answers a request with the handler route_parse() picks for it. */
static enum MHD_Result
httpd_route(struct httpd_req *r)
{
	struct route rt;
	char *token;
	enum MHD_Result ret;

	switch (route_parse(r->method, r->url, &rt)) {
	case ROUTE_NOT_FOUND:
		break;
	case ROUTE_BAD_METHOD:
		return httpd_bad_method(r, rt.allow);
	case ROUTE_URI_TOO_LONG:
		return httpd_reply(r, MHD_HTTP_URI_TOO_LONG,
		    "text/plain; charset=utf-8", "URI Too Long\n", NULL);
	case ROUTE_FEED:
	case ROUTE_UNSUB:
	case ROUTE_TASK:
	case ROUTE_DAY:
		token = xstrndup(rt.token, rt.token_len);
		ret = rt.kind == ROUTE_FEED ?
		    httpd_route_feed(r, token, rt.feed) :
		    rt.kind == ROUTE_UNSUB ? httpd_route_unsub(r, token) :
		    rt.kind == ROUTE_TASK ? httpd_route_task(r, token) :
		    httpd_route_day(r, token);
		free(token);
		return ret;
	case ROUTE_REPORT:
	case ROUTE_SURVEY:
		token = xstrndup(rt.token, rt.token_len);
		ret = rt.kind == ROUTE_REPORT ? httpd_route_report(r, token) :
		    httpd_route_survey(r, token);
		free(token);
		return ret;
	case ROUTE_KANNEL_DLR:
		return httpd_route_dlr(r);
	case ROUTE_KANNEL_INBOUND:
		return httpd_route_inbound(r);
	case ROUTE_ALIYUN_REPORT:
	case ROUTE_TENCENT_REPORT:
		return httpd_route_sms_report(r, rt.kind == ROUTE_ALIYUN_REPORT);
	case ROUTE_HEALTHZ:
		return httpd_route_healthz(r);
	case ROUTE_METRICS:
		return httpd_route_metrics(r);
	}
	return httpd_not_found(r);
}

/* Runs a request's handler with the conf read-locked and a store
 * connection borrowed for its duration. */
static enum MHD_Result
httpd_dispatch(struct httpd_req *r)
{
	enum MHD_Result ret;

	pthread_rwlock_rdlock(&r->h->conf_lock);
	r->cf = r->h->cf;
	r->now = (int64_t)time(NULL);
	ret = httpd_route(r);
	r->cf = NULL;
	pthread_rwlock_unlock(&r->h->conf_lock);
	httpd_store_release(r);
	return ret;
}

/* The headers that say how long the body is, as the client sent them
 * (libmicrohttpd itself looks at the first of each only). */
struct httpd_framing {
	const char *length;	/* the first Content-Length */
	unsigned nlength;
	int lengths_differ;
	const char *coding;	/* the first Transfer-Encoding */
	unsigned ncoding;
};

/* Collects one header into a struct httpd_framing. */
static enum MHD_Result
httpd_framing_header(void *cls, enum MHD_ValueKind kind, const char *key,
    const char *value)
{
	struct httpd_framing *f = cls;

	(void)kind;
	if (value == NULL)
		value = "";
	if (strcasecmp(key, MHD_HTTP_HEADER_CONTENT_LENGTH) == 0) {
		if (f->nlength++ == 0)
			f->length = value;
		else if (strcmp(f->length, value) != 0)
			f->lengths_differ = 1;
	} else if (strcasecmp(key, MHD_HTTP_HEADER_TRANSFER_ENCODING) == 0) {
		if (f->ncoding++ == 0)
			f->coding = value;
	}
	return MHD_YES;
}

/* Answers at once a request whose body could be read two ways or is too
 * big; libmicrohttpd closes the connection after such an early answer. */
static enum MHD_Result
httpd_framing_check(struct httpd_req *r)
{
	struct httpd_framing f = { 0 };
	const char *why = NULL;
	unsigned status = MHD_HTTP_BAD_REQUEST;
	enum MHD_Result ret;
	char *msg;

	MHD_get_connection_values(r->conn, MHD_HEADER_KIND,
	    httpd_framing_header, &f);
	if (f.ncoding > 0 && f.nlength > 0)
		why = "Content-Length and Transfer-Encoding";
	else if (f.ncoding > 1 || (f.ncoding == 1 &&
	    strcasecmp(f.coding, "chunked") != 0))
		why = "a Transfer-Encoding other than chunked";
	else if (f.ncoding == 1) {
		status = MHD_HTTP_LENGTH_REQUIRED;
		why = "a body without Content-Length";
	} else if (f.lengths_differ)
		why = "several Content-Length values";
	else if (f.nlength > 0 && strtoull(f.length, NULL, 10) >
	    HTTPD_POST_MAX) {
		status = MHD_HTTP_CONTENT_TOO_LARGE;
		why = "a body too large";
	}
	if (why == NULL)
		return MHD_YES;
	msg = xasprintf("%s: %s\n", status == MHD_HTTP_BAD_REQUEST ?
	    "Bad Request" : status == MHD_HTTP_LENGTH_REQUIRED ?
	    "Length Required" : "Content Too Large", why);
	ret = httpd_reply(r, status, "text/plain; charset=utf-8", msg, NULL);
	free(msg);
	return ret;
}

/* libmicrohttpd's access handler: called once when the headers are in
 * (*ctx NULL), once per chunk of body, and once at the end, when the
 * request is answered (libmicrohttpd's recommended pattern, which keeps
 * connections alive). */
static enum MHD_Result
httpd_access(void *cls, struct MHD_Connection *conn, const char *url,
    const char *method, const char *version, const char *upload,
    size_t *upload_size, void **ctx)
{
	struct httpd_req *p = *ctx;

	(void)version;
	if (p == NULL) {
		p = xcalloc(1, sizeof(*p));
		p->h = cls;
		p->conn = conn, p->url = url, p->method = method;
		p->conn_rec = httpd_guard_conn(conn);
		p->post = strcmp(method, "POST") == 0;
		p->head = strcmp(method, "HEAD") == 0;
		/* Only the task page's and the survey's forms and the
		 * providers' status pushes need their body. */
		p->keep_body = p->post && (strncmp(url, "/t/", 3) == 0 ||
		    strncmp(url, "/s/", 3) == 0 ||
		    strncmp(url, "/callbacks/", 11) == 0);
		*ctx = p;
		return httpd_framing_check(p);
	}
	if (*upload_size > 0) {	/* counted, dropped unless needed */
		if (p->keep_body && p->body_len + *upload_size <=
		    HTTPD_POST_MAX) {
			p->body = xreallocarray(p->body, 1, p->body_len +
			    *upload_size + 1);
			memcpy(p->body + p->body_len, upload, *upload_size);
			p->body_kept = p->body_len + *upload_size;
			p->body[p->body_kept] = '\0';
		}
		p->body_len += *upload_size;
		*upload_size = 0;
		/* Content-Length was checked: only a lie gets here. */
		return p->body_len > HTTPD_POST_MAX ? MHD_NO : MHD_YES;
	}
	p->conn = conn, p->url = url, p->method = method;
	return httpd_dispatch(p);
}

/* Frees a request's state when libmicrohttpd is done with the request;
 * the connection's next request has its deadline from now. */
static void
httpd_completed(void *cls, struct MHD_Connection *conn, void **ctx,
    enum MHD_RequestTerminationCode why)
{
	struct httpd_req *p = *ctx;

	(void)cls;
	(void)conn;
	(void)why;
	if (p != NULL) {
		httpd_guard_answered(p->conn_rec);
		free(p->body);
		if (p->outcome != NULL)	/* recorded, not answered */
			p->outcome->free(p->outcome);
	}
	free(p);
	*ctx = NULL;
}

/* Worker threads: http.threads, or one per online CPU.  More threads than
 * CPUs only add scheduling delay to the tail (2 cores, 50 clients: p99
 * of a cached feed 4-7 ms with 4 threads, 1-4.5 ms with 2); at least two,
 * so one slow render does not hold up every connection. */
static unsigned
httpd_threads(const struct conf *cf)
{
	long n = cf->http.threads;

	if (n == 0 && (n = sysconf(_SC_NPROCESSORS_ONLN)) < 2)
		n = 2;
	return (unsigned)(n > 64 ? 64 : n);	/* the setting's range */
}

/* Starts libmicrohttpd on fd with every limit set; NULL on failure. */
static struct MHD_Daemon *
httpd_mhd_start(struct httpd *h, const struct conf *cf, int fd)
{
	sigset_t all, old;
	struct MHD_Daemon *mhd;

	/* Worker threads inherit the mask: signals stay with the main loop. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	/* ITC: each thread has a wake-up of its own, so that a stop reaches
	 * every one (a thread at its connection limit no longer watches the
	 * listening socket, whose shutdown is the wake-up otherwise, and
	 * slept until its next idle timeout, 26 s after a flood).  The
	 * connection limit is the guard's (max_connections across threads);
	 * the library's, which it splits between threads, stays above it.
	 * Suspend and resume: outcome POSTs wait for their commit without
	 * holding up their thread (httpd_outcomes.c). */
	mhd = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO |
	    MHD_USE_ITC | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG, 0,
	    httpd_guard_accept, h,
	    httpd_access, h,
	    MHD_OPTION_EXTERNAL_LOGGER, httpd_mhd_log, h,
	    MHD_OPTION_LISTEN_SOCKET, fd,
	    MHD_OPTION_THREAD_POOL_SIZE, httpd_threads(cf),
	    MHD_OPTION_CONNECTION_LIMIT, 2 * (unsigned)cf->http.max_connections +
	    httpd_threads(cf),
	    MHD_OPTION_NOTIFY_CONNECTION, httpd_guard_notify, h,
	    MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)HTTPD_CONN_MEMORY,
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)HTTPD_CONN_TIMEOUT,
	    MHD_OPTION_STRICT_FOR_CLIENT, 1,	/* e.g. Host: required */
	    MHD_OPTION_NOTIFY_COMPLETED, httpd_completed, h,
	    MHD_OPTION_END);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return mhd;
}

/* Frees everything but the MHD daemon (stopped first by the caller). */
static void
httpd_free(struct httpd *h)
{
	size_t i;

	httpd_outcomes_free(h->outcomes);
	httpd_guard_free(h->guard);
	free(h->cb_secret);
	httpd_cache_free(h);
	httpd_tokens_free(h);
	for (i = 0; i < h->nidle; i++) {
		store_close(h->idle[i]->st);
		free(h->idle[i]);
	}
	free(h->idle);
	free(h->store_path);
	pthread_rwlock_destroy(&h->conf_lock);
	pthread_mutex_destroy(&h->pool_lock);
	pthread_mutex_destroy(&h->render_lock);
	pthread_mutex_destroy(&h->cache_lock);
	pthread_mutex_destroy(&h->secret_lock);
	free(h);
}

/* Binds http.listen and starts the server threads. */
int
httpd_start(const struct conf *cf, const char *store_path,
    struct metrics *metrics, struct httpd **out, char **cause)
{
	pthread_rwlockattr_t ra;
	struct httpd *h;
	int fd;

	*out = NULL;
	if ((fd = httpd_listen(cf->http.listen, cause)) < 0)
		return -1;
	h = xcalloc(1, sizeof(*h));
	h->store_path = xstrdup(store_path);
	h->metrics = metrics;
	h->cf = cf;
	/* Writers first: a reload must not wait behind a stream of feeds. */
	pthread_rwlockattr_init(&ra);
	pthread_rwlockattr_setkind_np(&ra,
	    PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
	pthread_rwlock_init(&h->conf_lock, &ra);
	pthread_rwlockattr_destroy(&ra);
	pthread_mutex_init(&h->pool_lock, NULL);
	pthread_mutex_init(&h->render_lock, NULL);
	pthread_mutex_init(&h->cache_lock, NULL);
	pthread_mutex_init(&h->secret_lock, NULL);
	if ((h->guard = httpd_guard_new(cf, metrics, cause)) == NULL ||
	    (h->outcomes = httpd_outcomes_start(h, cause)) == NULL) {
		close(fd);
		httpd_free(h);
		return -1;
	}
	if ((h->mhd = httpd_mhd_start(h, cf, fd)) == NULL) {
		/* On failure the socket is still ours (MHD_stop_daemon()
		 * closes it otherwise). */
		close(fd);
		set_error(cause, "http.listen %s: cannot start the HTTP server",
		    cf->http.listen);
		httpd_free(h);
		return -1;
	}
	/* Debug level: the daemon's "started" line comes first. */
	log_debug("http: listening on %s (%s)", cf->http.listen,
	    cf->http.base_url);
	/* Made now, so the admin can read it for Kannel's configuration. */
	free(httpd_callback_secret(h));
	*out = h;
	return 0;
}

/* Stops the server within about HTTPD_STOP_GRACE seconds, whatever the
 * clients: new connections closed as soon as accepted, those waiting for
 * a request closed at once, answers in progress given the grace, then
 * every connection closed (MHD_stop_daemon() shuts each down and joins
 * the threads).  Not MHD_quiesce_daemon(): in 0.9.75 it races a thread
 * that drops the listening socket from its epoll set itself, and the
 * loser aborts the process. */
void
httpd_stop(struct httpd *h)
{
	double until;

	if (h == NULL)
		return;
	until = clock_seconds() + HTTPD_STOP_GRACE;
	/* The outcomes waiting are recorded and their connections resumed
	 * (answered within the grace); later ones are recorded alone. */
	httpd_outcomes_stop(h->outcomes);
	while (httpd_guard_drain(h->guard) > 0 && clock_seconds() < until)
		usleep(20 * 1000);
	MHD_stop_daemon(h->mhd);
	httpd_free(h);
}

/* The callback secret, read (or made) on first need and after a reload;
 * NULL when it cannot be read, logged once, not once per request.
 * malloc'd. */
char *
httpd_callback_secret(struct httpd *h)
{
	char *cause = NULL, *s;

	pthread_mutex_lock(&h->secret_lock);
	if (h->cb_secret == NULL && callback_secret_load(h->cf,
	    &h->cb_secret, &cause) != 0) {
		if (!h->cb_secret_logged)
			log_err("http: the Kannel callbacks answer 503 until "
			    "this is fixed: %s", cause);
		h->cb_secret_logged = 1;
		free(cause);
	}
	s = h->cb_secret != NULL ? xstrdup(h->cb_secret) : NULL;
	pthread_mutex_unlock(&h->secret_lock);
	return s;
}

/* Swaps the configuration (write lock) after a reload. */
void
httpd_set_conf(struct httpd *h, const struct conf *cf)
{
	pthread_rwlock_wrlock(&h->conf_lock);
	if (strcmp(cf->http.listen, h->cf->http.listen) != 0 ||
	    cf->http.max_connections != h->cf->http.max_connections ||
	    cf->http.threads != h->cf->http.threads)
		log_warn("http: a new listen address, max_connections or "
		    "threads needs a restart; still on %s", h->cf->http.listen);
	h->cf = cf;
	h->gen++;	/* feeds depend on the configuration: render again */
	httpd_guard_set_conf(h->guard, cf);
	pthread_mutex_lock(&h->secret_lock);
	free(h->cb_secret);	/* read again, maybe from another file */
	h->cb_secret = NULL;
	h->cb_secret_logged = 0;
	pthread_mutex_unlock(&h->secret_lock);
	pthread_rwlock_unlock(&h->conf_lock);
}

/* httpd_priv.h - what httpd.c (server, plumbing, routing) shares with the
 * handlers (httpd_cache.c, httpd_feeds.c, httpd_pages.c, httpd_routes.c
 * ...).  Private to those files.
 *
 * Threads: libmicrohttpd runs a small pool of threads; a handler runs on
 * one of them with the configuration read-locked (httpd_set_conf() takes
 * the write lock, so the conf a handler sees stays valid until it returns)
 * and borrows a store connection of its own from a pool (SQLite
 * connections are never used by two threads at once).  Rendering is
 * serialised by render_lock because libical is not thread-safe.  One more
 * thread of ours, with a store connection of its own, commits the outcome
 * POSTs that come together (httpd_outcomes.c). */
#ifndef OUTREACHD_HTTPD_PRIV_H
#define OUTREACHD_HTTPD_PRIV_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <sys/socket.h>

#include <microhttpd.h>

#include "conf.h"
#include "feeds.h"
#include "httpd.h"
#include "metrics.h"
#include "outcome.h"
#include "store.h"
#include "token.h"

#define HTTPD_CONN_MEMORY (32 * 1024) /* per connection: request line and
					 headers must fit (else 414/431) */
#define HTTPD_CONN_TIMEOUT 30	    /* seconds a connection may idle while
				       its answer is sent (waiting for a
				       request: http.request_timeout) */
#define HTTPD_STOP_GRACE 2.0	    /* seconds answers in progress get on
				       shutdown */
#define HTTPD_POST_MAX (64 * 1024)  /* bigger POST bodies: 413 */
#define HTTPD_FEED_MAX_AGE 300	    /* Cache-Control max-age of feeds */
#define HTTPD_CACHE_BYTES (64 * 1024 * 1024) /* feeds and pages kept */
#define HTTPD_DB_RECHECK 0.005	    /* seconds a connection trusts its view
				       of the store's data version */
#define HTTPD_OUTCOME_BATCH 64	    /* outcomes committed together, at most */

/* One content coding of a cached answer: [0] identity, [1] gzip. */
struct httpd_variant {
	struct MHD_Response *resp; /* the 200, headers included, shared;
				      NULL = this coding is not available */
	char *etag;		   /* strong, one per coding */
};

/* What a cache entry answers: a feed (what: its enum feeds_kind) or a
 * rep's day page (HTTPD_CACHE_DAY, with the day in the zone the page
 * uses, the page's language and the token hash its links are signed
 * for).  Unused fields are 0 and NULL. */
#define HTTPD_CACHE_DAY FEEDS_NKINDS
struct httpd_cache_key {
	int what;
	int64_t rep_id;
	int32_t day;
	int lang;
	const char *hash;	   /* owned by the entry */
};

/* One answer, kept until its stamp or the configuration changes, or it
 * expires.  It is known current without reading the stamp while the
 * store has not changed (db_gen) since the stamp was last compared, on
 * the same day. */
struct httpd_cached {
	struct httpd_cache_key key;
	unsigned gen;		   /* httpd.gen it was made with */
	int has_stamp;		   /* else current only while db_gen stays */
	struct feeds_stamp stamp;
	unsigned long checked_gen; /* httpd.db_gen when the stamp matched */
	int32_t checked_day;	   /* feeds_day() then */
	int64_t expires;	   /* unix seconds; 0 = never by itself */
	struct httpd_variant v[2];
	int64_t modified;	   /* Last-Modified, -1 = none */
	size_t len;		   /* bytes held, both codings */
	uint64_t used;		   /* LRU clock */
};

/* A freshly made answer for httpd_cache_put(), which takes data and
 * etag. */
struct httpd_cache_doc {
	char *data;
	size_t len;
	char *etag;		   /* strong, quoted */
	int64_t modified;	   /* Last-Modified, -1 = none */
	const char *type;	   /* Content-Type */
	const char *const *headers; /* more for the 200: NULL-terminated
				      name, value pairs */
	int64_t expires;	   /* see struct httpd_cached */
};

/* A pooled store connection and the data_version it last saw. */
struct httpd_db {
	struct store *st;
	int64_t seen;		/* its data_version when last checked */
	double checked;		/* when (monotonic seconds) */
};

/* A rep with a feed token, as the reps table had it at tokens_gen. */
struct httpd_token {
	char *hash;		/* SHA-256 of the token, hex */
	struct store_rep rep;
};

/* An outcome POSTed on a task page, between its checks and its answer:
 * recorded by httpd_outcomes.c (res and cause set, cause malloc'd) while
 * its connection is suspended.  The handler's own record of the request
 * (httpd_pages.c) starts with it; free frees that. */
struct httpd_outcome {
	struct httpd_outcome *next;
	struct MHD_Connection *conn;
	struct outcome_req req;
	enum outcome_result res;
	char *cause;
	void (*free)(struct httpd_outcome *o);
};

struct httpd_guard;
struct httpd_conn;
struct httpd_outcomes;

struct httpd {
	struct MHD_Daemon *mhd;
	char *store_path;
	struct httpd_guard *guard;

	pthread_mutex_t secret_lock;
	char *cb_secret;	  /* the callback secret, read on first need */
	int cb_secret_logged;	  /* its failure was logged (once a reload) */
	/* The task-link key (replink.h), read once: it is made once per
	 * store and never changes (a restore stops the daemon first). */
	unsigned char link_key[TOKEN_SECRET_LEN];
	int link_key_known;	  /* under secret_lock */

	pthread_rwlock_t conf_lock;
	const struct conf *cf;
	unsigned gen;		  /* bumped on every httpd_set_conf() */

	pthread_mutex_t pool_lock;
	struct httpd_db **idle;	  /* connections not in use */
	size_t nidle, cap_idle;
	/* Bumped when any connection sees a commit of another one, and after
	 * every write of our own: "the store may have changed". */
	_Atomic unsigned long db_gen;

	pthread_mutex_t render_lock;
	pthread_mutex_t cache_lock;	/* cache and tokens */
	struct httpd_token *tokens;
	size_t ntokens;
	unsigned long tokens_gen;
	int tokens_loaded;
	struct httpd_cached *cache;
	size_t ncache;
	size_t cache_bytes;
	uint64_t tick;

	struct httpd_outcomes *outcomes; /* the outcome POSTs' commits */
	struct metrics *metrics;	/* borrowed: the daemon's counters */
};

/* One request as a handler sees it. */
struct httpd_req {
	struct httpd *h;
	struct MHD_Connection *conn;
	const struct conf *cf;	/* read-locked while the handler runs */
	const char *url;
	const char *method;
	struct httpd_conn *conn_rec; /* the guard's record of conn */
	int post;		/* POST (else GET or HEAD) */
	int head;		/* HEAD: answer as GET would, change nothing */
	int invalid_token;	/* a 404 for a wrong token (for /metrics) */
	size_t body_len;	/* bytes of body received */
	char *body;		/* POST /t/, /callbacks/: the body, kept
				   (else dropped) */
	size_t body_kept;
	int keep_body;
	struct store *st;	/* borrowed by httpd_store(), given back after */
	struct httpd_db *db;	/* the pool entry st belongs to */
	unsigned long db_gen;	/* httpd.db_gen once st was borrowed */
	int wrote;		/* the handler changed the store */
	struct httpd_outcome *outcome; /* a POSTed outcome, once recorded:
				   the handler is called again to answer */
	int64_t now;
};

/* Borrows a store connection for the request (opened on first need);
 * NULL when the store cannot be opened (logged). */
struct store *httpd_store(struct httpd_req *r);
/* Queues a response; headers is NULL or NULL-terminated name, value
 * pairs.  body may be NULL for an empty body. */
enum MHD_Result httpd_reply(struct httpd_req *r, unsigned status,
    const char *type, const char *body, const char *const *headers);
/* Queues resp (counted for /metrics). */
enum MHD_Result httpd_queue(struct httpd_req *r, unsigned status,
    struct MHD_Response *resp);
/* The same 404 for every missing page and every wrong token. */
enum MHD_Result httpd_not_found(struct httpd_req *r);
/* That 404 for a token that is not valid (counted as such). */
enum MHD_Result httpd_invalid_token(struct httpd_req *r);
/* 429 with Retry-After when the client's address may not write now;
 * MHD_YES and *answered 0 when it may. */
enum MHD_Result httpd_rate_limit(struct httpd_req *r, int *answered);
/* 503: the store is not answering. */
enum MHD_Result httpd_unavailable(struct httpd_req *r, const char *what,
    char *cause);
/* A query argument, or NULL; *len (may be NULL) gets its length, which
 * counts embedded NUL bytes (UTF-16 text). */
const char *httpd_arg(struct httpd_req *r, const char *name, size_t *len);
/* The Kannel callbacks' secret (callback.h), read on first need and
 * after each reload; NULL when it cannot be (logged once).  malloc'd. */
char *httpd_callback_secret(struct httpd *h);
/* Formats an IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT"). */
void httpd_http_date(int64_t t, char out[64]);

/* httpd_guard.c: connections, per-address limits, request deadlines,
 * the rate limit of writes, the summary of bad requests. */
struct httpd_guard *httpd_guard_new(const struct conf *cf,
    struct metrics *metrics, char **cause);
void httpd_guard_set_conf(struct httpd_guard *g, const struct conf *cf);
void httpd_guard_free(struct httpd_guard *g);
/* libmicrohttpd's accept policy and connection notifier; cls is the
 * struct httpd. */
enum MHD_Result httpd_guard_accept(void *cls, const struct sockaddr *sa,
    socklen_t len);
void httpd_guard_notify(void *cls, struct MHD_Connection *conn,
    void **socket_ctx, enum MHD_ConnectionNotificationCode code);
struct httpd_conn *httpd_guard_conn(struct MHD_Connection *conn);
/* The request is answered (its deadline ends); the answer went (the
 * next request's deadline starts). */
void httpd_guard_answering(struct httpd_conn *c);
void httpd_guard_answered(struct httpd_conn *c);
/* 1 when the connection's address may write now; else 0 and the seconds
 * until it may. */
int httpd_guard_write_ok(struct httpd_guard *g, const struct httpd_conn *c,
    unsigned *retry_after);
void httpd_guard_bad(struct httpd_guard *g, enum metrics_http what);
/* New connections are refused, those waiting for a request closed.
 * Returns how many are still being answered. */
size_t httpd_guard_drain(struct httpd_guard *g);

/* httpd_sms.c: an SMS provider's status push (aliyun 1, else tencent). */
enum MHD_Result httpd_route_sms_report(struct httpd_req *r, int aliyun);
/* httpd_cache.c: answers kept in memory.  httpd_cache_answer() answers
 * from the entry for key when it is current: without a stamp when the
 * store has not changed since it was last found current, with one (read
 * now by the caller) when it matches the entry's.  1 answered (*ret set),
 * 0 not.  httpd_cache_put() answers with doc and keeps it under key with
 * stamp (NULL: current only while the store does not change); 0, or -1
 * with *cause when no response could be made. */
int httpd_cache_answer(struct httpd_req *r, const struct httpd_cache_key *key,
    const struct feeds_stamp *stamp, enum MHD_Result *ret);
int httpd_cache_put(struct httpd_req *r, const struct httpd_cache_key *key,
    const struct feeds_stamp *stamp, struct httpd_cache_doc *doc,
    enum MHD_Result *ret, char **cause);
void httpd_cache_free(struct httpd *h);

/* httpd_feeds.c */
enum MHD_Result httpd_route_feed(struct httpd_req *r, const char *token,
    enum feeds_kind kind);
/* The rep whose feed token this is: 1 (*out filled, the caller clears
 * it; *hash, when hash is not NULL, the token's hash, malloc'd), 0 none,
 * -1 store error. */
int httpd_feed_rep(struct httpd_req *r, const char *token,
    struct store_rep *out, char **hash, char **cause);
void httpd_tokens_free(struct httpd *h);

/* httpd_team.c: the escalations on a manager's day page, each task
 * linked for the manager (their rep record, token hash and the link
 * key).  NULL with *cause on a store error. */
struct httpd_team;
struct page_team;
struct httpd_team *httpd_team_load(struct httpd_req *r,
    const struct store_rep *manager, const char *hash,
    const unsigned char key[TOKEN_SECRET_LEN], char **cause);
const struct page_team *httpd_team_page(const struct httpd_team *ht);
void httpd_team_free(struct httpd_team *ht);

/* httpd_routes.c */
enum MHD_Result httpd_route_unsub(struct httpd_req *r, const char *token);
enum MHD_Result httpd_route_dlr(struct httpd_req *r);
enum MHD_Result httpd_route_inbound(struct httpd_req *r);
enum MHD_Result httpd_route_healthz(struct httpd_req *r);
enum MHD_Result httpd_route_metrics(struct httpd_req *r);

/* httpd_report.c: a manager's report. */
enum MHD_Result httpd_route_report(struct httpd_req *r, const char *token);
/* httpd_survey.c: a customer's satisfaction survey and its answer. */
enum MHD_Result httpd_route_survey(struct httpd_req *r, const char *token);
/* httpd_outcomes.c: outcome POSTs committed together.  submit takes o
 * and suspends r's connection (1), resumed once o is recorded, or
 * answers 0: the caller records o alone now (nothing else is being
 * recorded, or the service stops) and calls alone_end after.  stop
 * records and resumes what waits (libmicrohttpd may stop after); free,
 * once libmicrohttpd has stopped, frees it. */
struct httpd_outcomes *httpd_outcomes_start(struct httpd *h, char **cause);
void httpd_outcomes_stop(struct httpd_outcomes *oc);
void httpd_outcomes_free(struct httpd_outcomes *oc);
int httpd_outcomes_submit(struct httpd_req *r, struct httpd_outcome *o);
void httpd_outcomes_alone_end(struct httpd *h);
/* After outcomes are committed: wakes the other instances of a
 * PostgreSQL store (nothing on SQLite). */
void httpd_outcomes_wake(struct store *st);

/* httpd_pages.c: the reps' task pages and their day. */
enum MHD_Result httpd_route_task(struct httpd_req *r, const char *link);
enum MHD_Result httpd_route_day(struct httpd_req *r, const char *token);

#endif

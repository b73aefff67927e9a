/* httpd_feeds.c - GET /feeds/TOKEN/{followups,birthdays}.ics: the reps'
 * calendar subscriptions.
 *
 * A rendered feed is kept per (rep, kind) together with its change stamp
 * (feeds_stamp: a few index lookups) and the configuration generation; a
 * request whose stamp matches is answered from memory with the shared
 * libmicrohttpd response, so a poll of an unchanged 1,000-task feed costs
 * the token check (and the stamp queries when the store changed since).
 * Only one feed is rendered at a time (libical is not thread-safe);
 * concurrent first requests for the same feed wait for that render and
 * then share it.  With zlib (HAVE_ZLIB) a gzip copy is kept too and sent
 * to clients that accept it: a 1,000-task feed shrinks from ~540 kB to
 * ~16 kB. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config.h"
#ifdef HAVE_ZLIB
#include <zlib.h>
#endif

#include "httpd_priv.h"
#include "log.h"
#include "store_task.h"
#include "token.h"
#include "util.h"

/* The cached entry for (rep, kind), or NULL.  Cache lock held. */
static struct httpd_cached *
cache_find(struct httpd *h, int64_t rep_id, enum feeds_kind kind)
{
	size_t i;

	for (i = 0; i < h->ncache; i++) {
		if (h->cache[i].rep_id == rep_id && h->cache[i].kind == kind)
			return &h->cache[i];
	}
	return NULL;
}

/* Drops entry i.  Cache lock held; requests still sending the response
 * keep it alive (libmicrohttpd counts references). */
static void
cache_drop(struct httpd *h, size_t i)
{
	struct httpd_cached *e = &h->cache[i];
	size_t k;

	for (k = 0; k < ARRAY_SIZE(e->v); k++) {
		if (e->v[k].resp != NULL)
			MHD_destroy_response(e->v[k].resp);
		free(e->v[k].etag);
	}
	h->cache_bytes -= e->len;
	h->cache[i] = h->cache[--h->ncache];
}

/* Drops every cached feed (at shutdown). */
void
httpd_cache_free(struct httpd *h)
{
	while (h->ncache > 0)
		cache_drop(h, 0);
	free(h->cache);
	h->cache = NULL;
}

void
httpd_tokens_free(struct httpd *h)
{
	while (h->ntokens > 0) {
		h->ntokens--;
		free(h->tokens[h->ntokens].hash);
		store_rep_clear(&h->tokens[h->ntokens].rep);
	}
	free(h->tokens);
	h->tokens = NULL;
	h->tokens_loaded = 0;
}

static int
token_add(void *arg, const struct store_rep *r, const char *hash)
{
	struct httpd *h = arg;
	struct httpd_token *t;

	h->tokens = xreallocarray(h->tokens, h->ntokens + 1,
	    sizeof(*h->tokens));
	t = &h->tokens[h->ntokens++];
	t->hash = xstrdup(hash ? hash : "");
	store_rep_copy(&t->rep, r);
	if (t->rep.key == NULL)
		t->rep.key = xstrdup("");
	return 0;
}

/* The rep a feed token belongs to.  The reps' token hashes are kept while
 * the store does not change, so a feed request runs no query; the token is
 * hashed once and every hash compared in constant time.  1 found (*out
 * filled, the caller clears it), 0 not, -1 on a store error. */
int
httpd_feed_rep(struct httpd_req *r, const char *token, struct store_rep *out,
    char **cause)
{
	struct httpd *h = r->h;
	char *hash = token_hash(token);
	size_t i;
	int found = 0, rc = 0;

	pthread_mutex_lock(&h->cache_lock);
	if (!h->tokens_loaded || h->tokens_gen != r->db_gen) {
		httpd_tokens_free(h);
		if ((rc = store_rep_tokens(r->st, token_add, h, cause)) == 0) {
			h->tokens_loaded = 1;
			h->tokens_gen = r->db_gen;
		}
	}
	for (i = 0; rc == 0 && i < h->ntokens; i++) {
		if (token_hash_equal(hash, h->tokens[i].hash) && !found) {
			found = 1;
			store_rep_copy(out, &h->tokens[i].rep);
		}
	}
	pthread_mutex_unlock(&h->cache_lock);
	free(hash);
	return rc < 0 ? -1 : found;
}

/* Makes room for len more bytes by dropping the least recently used. */
static void
cache_trim(struct httpd *h, size_t len)
{
	size_t i, lru;

	while (h->ncache > 0 && h->cache_bytes + len > HTTPD_CACHE_BYTES) {
		for (lru = 0, i = 1; i < h->ncache; i++) {
			if (h->cache[i].used < h->cache[lru].used)
				lru = i;
		}
		cache_drop(h, lru);
	}
}

/* Does an If-None-Match list name etag?  Weak comparison (RFC 9110
 * 13.1.2): a W/ prefix is ignored. */
static int
etag_listed(const char *list, const char *etag)
{
	size_t n = strlen(etag), k;
	const char *p = list;

	while (*p != '\0') {
		p += strspn(p, " \t,");
		if (*p == '*')
			return 1;
		if (strncmp(p, "W/", 2) == 0)
			p += 2;
		k = *p == '"' && strchr(p + 1, '"') ?
		    (size_t)(strchr(p + 1, '"') - p + 1) : strcspn(p, ",");
		if (k == n && memcmp(p, etag, n) == 0)
			return 1;
		p += k;
		p += strcspn(p, ",");
	}
	return 0;
}

/* Parses an IMF-fixdate; -1 when it is not one. */
static int64_t
http_date_parse(const char *s)
{
	struct tm tm;
	const char *end;

	memset(&tm, 0, sizeof(tm));
	end = strptime(s, "%a, %d %b %Y %H:%M:%S GMT", &tm);
	if (end == NULL || *end != '\0')
		return -1;
	return (int64_t)timegm(&tm);
}

/* Would the client's copy do?  If-None-Match wins over If-Modified-Since;
 * the latter counts only from a copy fetched today, since the feed
 * changes by itself at midnight UTC (closed tasks drop out). */
static int
not_modified(struct httpd_req *r, const char *etag, int64_t modified)
{
	const char *inm, *ims;
	int64_t t;

	inm = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND,
	    MHD_HTTP_HEADER_IF_NONE_MATCH);
	if (inm != NULL)
		return etag_listed(inm, etag);
	ims = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND,
	    MHD_HTTP_HEADER_IF_MODIFIED_SINCE);
	if (ims == NULL || (t = http_date_parse(ims)) < 0)
		return 0;
	return modified <= t && t >= (int64_t)feeds_day(r->now) * 86400;
}

/* The headers a 200 and a 304 share. */
static void
feed_headers(struct MHD_Response *resp, const char *etag, int64_t modified)
{
	char date[64], cc[48];

	httpd_http_date(modified, date);
	snprintf(cc, sizeof(cc), "private, max-age=%d", HTTPD_FEED_MAX_AGE);
#ifdef HAVE_ZLIB
	MHD_add_response_header(resp, MHD_HTTP_HEADER_VARY,
	    MHD_HTTP_HEADER_ACCEPT_ENCODING);
#endif
	MHD_add_response_header(resp, MHD_HTTP_HEADER_ETAG, etag);
	MHD_add_response_header(resp, MHD_HTTP_HEADER_LAST_MODIFIED, date);
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, cc);
}

/* 304 Not Modified, without a body. */
static enum MHD_Result
feed_304(struct httpd_req *r, const char *etag, int64_t modified)
{
	struct MHD_Response *resp;
	enum MHD_Result ret;

	resp = MHD_create_response_from_buffer(0, (void *)"",
	    MHD_RESPMEM_PERSISTENT);
	if (resp == NULL)
		return MHD_NO;
	feed_headers(resp, etag, modified);
	ret = httpd_queue(r, MHD_HTTP_NOT_MODIFIED, resp);
	MHD_destroy_response(resp);
	return ret;
}

/* Is the entry current?  Without a stamp only if the store has not
 * changed since its stamp was last compared (today); with one if the
 * stamps match, which is then remembered.  Cache lock held. */
static int
cache_current(struct httpd_req *r, struct httpd_cached *e,
    const struct feeds_stamp *stamp)
{
	int32_t today = feeds_day(r->now);

	if (e == NULL || e->gen != r->h->gen)
		return 0;
	if (stamp == NULL)
		return e->checked_gen == r->db_gen && e->checked_day == today;
	if (memcmp(&e->stamp, stamp, sizeof(*stamp)) != 0)
		return 0;
	if (r->db_gen > e->checked_gen || e->checked_day != today) {
		e->checked_gen = r->db_gen;
		e->checked_day = today;
	}
	return 1;
}

/* Does the client take gzip (Accept-Encoding, q > 0)? */
static int
accepts_gzip(struct httpd_req *r)
{
	const char *ae, *p, *q;

	ae = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND,
	    MHD_HTTP_HEADER_ACCEPT_ENCODING);
	for (p = ae; p != NULL && (p = strcasestr(p, "gzip")) != NULL; p += 4) {
		if (p != ae && strchr(" \t,", p[-1]) == NULL)
			continue;
		q = p + 4 + strspn(p + 4, " \t");
		if (*q == '\0' || *q == ',')
			return 1;
		if (*q != ';')
			continue;
		q += 1 + strspn(q + 1, " \t");
		return (*q != 'q' && *q != 'Q') || q[1] != '=' ||
		    strtod(q + 2, NULL) > 0;
	}
	return 0;
}

/* Answers with one coding of a feed: 304 when the client's copy is
 * current, else the shared 200. */
static enum MHD_Result
variant_answer(struct httpd_req *r, const struct httpd_variant *v,
    int64_t modified)
{
	if (not_modified(r, v->etag, modified))
		return feed_304(r, v->etag, modified);
	return httpd_queue(r, MHD_HTTP_OK, v->resp);
}

/* The coding to send. */
static const struct httpd_variant *
variant_pick(struct httpd_req *r, const struct httpd_variant *v)
{
	return v[1].resp != NULL && accepts_gzip(r) ? &v[1] : &v[0];
}

/* Answers from the cache when the entry is current (see cache_current;
 * stamp may be NULL): 1 answered (*ret set), 0 not.  The answer is
 * queued under the lock, so the entry cannot go away meanwhile. */
static int
cache_answer(struct httpd_req *r, int64_t rep_id, enum feeds_kind kind,
    const struct feeds_stamp *stamp, enum MHD_Result *ret)
{
	struct httpd *h = r->h;
	struct httpd_cached *e;
	int hit = 0;

	pthread_mutex_lock(&h->cache_lock);
	e = cache_find(h, rep_id, kind);
	if (cache_current(r, e, stamp)) {
		hit = 1;
		e->used = ++h->tick;
		*ret = variant_answer(r, variant_pick(r, e->v), e->modified);
	}
	pthread_mutex_unlock(&h->cache_lock);
	if (hit) {
		metrics_count_feed(h->metrics, 1);
	}
	return hit;
}

#ifdef HAVE_ZLIB
/* gzip (RFC 1952) of len bytes; NULL when zlib fails. */
static char *
gzip_encode(const char *data, size_t len, size_t *out)
{
	z_stream z;
	unsigned char *buf;
	uLong bound;
	int rc;

	memset(&z, 0, sizeof(z));
	if (len > UINT32_MAX || deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8,
	    Z_DEFAULT_STRATEGY) != Z_OK)
		return NULL;
	bound = deflateBound(&z, (uLong)len);
	buf = xmalloc(bound);
	z.next_in = (Bytef *)(uintptr_t)data;
	z.avail_in = (uInt)len;
	z.next_out = buf;
	z.avail_out = (uInt)bound;
	rc = deflate(&z, Z_FINISH);
	*out = z.total_out;
	deflateEnd(&z);
	if (rc != Z_STREAM_END) {
		free(buf);
		return NULL;
	}
	return (char *)buf;
}
#endif

/* A shared 200 response for data (freed with it), NULL on failure. */
static struct MHD_Response *
feed_response(char *data, size_t len, const char *coding,
    enum feeds_kind kind, const char *etag, int64_t modified)
{
	struct MHD_Response *resp;
	char *disp;

	resp = MHD_create_response_from_buffer_with_free_callback(len, data,
	    free);
	if (resp == NULL) {
		free(data);
		return NULL;
	}
	disp = xasprintf("inline; filename=\"%s.ics\"", feeds_kind_name(kind));
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
	    "text/calendar; charset=utf-8");
	if (coding != NULL)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_ENCODING,
		    coding);
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_DISPOSITION,
	    disp);
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	feed_headers(resp, etag, modified);
	free(disp);
	return resp;
}

/* Both codings of a rendered feed; takes doc->data and doc->etag.
 * Returns the bytes held, 0 when even the identity response failed. */
static size_t
feed_variants(struct feeds_doc *doc, enum feeds_kind kind,
    struct httpd_variant v[2])
{
	size_t held = doc->len;
#ifdef HAVE_ZLIB
	char *gz;
	size_t gzlen;

	if ((gz = gzip_encode(doc->data, doc->len, &gzlen)) != NULL) {
		/* Strong validators differ per coding (RFC 9110 8.8.3.3). */
		v[1].etag = xasprintf("%.*s-gz\"", (int)strlen(doc->etag) - 1,
		    doc->etag);
		v[1].resp = feed_response(gz, gzlen, "gzip", kind, v[1].etag,
		    doc->modified);
		held += gzlen;
	}
#endif
	v[0].etag = doc->etag;
	v[0].resp = feed_response(doc->data, doc->len, NULL, kind, doc->etag,
	    doc->modified);
	doc->data = NULL;
	doc->etag = NULL;
	return v[0].resp != NULL ? held : 0;
}

/* Stores a freshly rendered feed in the cache. */
static void
cache_put(struct httpd_req *r, int64_t rep_id, enum feeds_kind kind,
    const struct feeds_stamp *stamp, const struct httpd_variant v[2],
    int64_t modified, size_t held)
{
	struct httpd *h = r->h;
	struct httpd_cached *e;

	pthread_mutex_lock(&h->cache_lock);
	if ((e = cache_find(h, rep_id, kind)) != NULL)
		cache_drop(h, (size_t)(e - h->cache));
	cache_trim(h, held);
	h->cache = xreallocarray(h->cache, h->ncache + 1, sizeof(*h->cache));
	e = &h->cache[h->ncache++];
	memset(e, 0, sizeof(*e));
	e->rep_id = rep_id;
	e->kind = kind;
	e->gen = h->gen;
	e->stamp = *stamp;
	e->checked_gen = r->db_gen;
	e->checked_day = feeds_day(r->now);
	e->v[0] = v[0];
	e->v[1] = v[1];
	e->modified = modified;
	e->len = held;
	e->used = ++h->tick;
	h->cache_bytes += held;
	pthread_mutex_unlock(&h->cache_lock);
}

/* Answers with a freshly rendered feed and keeps it, unless another
 * request rendered it while this one waited for the render lock.
 * 0 (*ret set) or -1 (*cause set). */
static int
feed_build(struct httpd_req *r, const struct store_rep *rep,
    enum feeds_kind kind, const struct feeds_stamp *stamp,
    enum MHD_Result *ret, char **cause)
{
	struct httpd *h = r->h;
	struct httpd_variant v[2] = { { NULL, NULL }, { NULL, NULL } };
	struct feeds_doc doc;
	size_t held, len, k;

	pthread_mutex_lock(&h->render_lock);
	if (cache_answer(r, rep->id, kind, stamp, ret)) {
		pthread_mutex_unlock(&h->render_lock);
		return 0;
	}
	if (feeds_render(r->st, r->cf, rep, kind, r->now, &doc, cause) != 0) {
		pthread_mutex_unlock(&h->render_lock);
		return -1;
	}
	len = doc.len;
	if ((held = feed_variants(&doc, kind, v)) == 0) {
		pthread_mutex_unlock(&h->render_lock);
		for (k = 0; k < 2; k++) {
			if (v[k].resp != NULL)
				MHD_destroy_response(v[k].resp);
			free(v[k].etag);
		}
		feeds_doc_free(&doc);
		return set_error(cause, "cannot create a response");
	}
	*ret = variant_answer(r, variant_pick(r, v), doc.modified);
	cache_put(r, rep->id, kind, stamp, v, doc.modified, held);
	pthread_mutex_unlock(&h->render_lock);
	metrics_count_feed(h->metrics, 0);
	log_info("http: rendered the %s feed of rep %s: %zu events, %zu bytes",
	    feeds_kind_name(kind), rep->key, doc.events, len);
	feeds_doc_free(&doc);
	return 0;
}

/* GET /feeds/TOKEN/KIND.ics: token, cache, render, answer. */
enum MHD_Result
httpd_route_feed(struct httpd_req *r, const char *token, enum feeds_kind kind)
{
	struct store_rep rep = { 0 };
	struct feeds_stamp stamp;
	enum MHD_Result ret = MHD_NO;
	char *cause = NULL;
	int rc;

	if (httpd_store(r) == NULL)
		return httpd_unavailable(r, "feed", NULL);
	if ((rc = httpd_feed_rep(r, token, &rep, &cause)) < 0)
		return httpd_unavailable(r, "feed token", cause);
	if (rc == 0)	/* counted and summed up in the log, not logged */
		return httpd_invalid_token(r);
	if (cache_answer(r, rep.id, kind, NULL, &ret)) {
		store_rep_clear(&rep);
		return ret;
	}
	if (feeds_stamp(r->st, &rep, kind, r->now, &stamp, &cause) != 0) {
		store_rep_clear(&rep);
		return httpd_unavailable(r, "feed stamp", cause);
	}
	if (!cache_answer(r, rep.id, kind, &stamp, &ret) &&
	    feed_build(r, &rep, kind, &stamp, &ret, &cause) != 0) {
		log_err("http: %s feed of rep %s: %s", feeds_kind_name(kind),
		    rep.key, cause);
		free(cause);
		ret = httpd_reply(r, MHD_HTTP_INTERNAL_SERVER_ERROR,
		    "text/plain; charset=utf-8", "Internal Server Error\n",
		    NULL);
	}
	store_rep_clear(&rep);
	return ret;
}

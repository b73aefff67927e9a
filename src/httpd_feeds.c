/* httpd_feeds.c - GET /feeds/TOKEN/{followups,birthdays}.ics: the reps'
 * calendar subscriptions.
 *
 * A rendered feed is kept per (rep, kind) together with its change stamp
 * (feeds_stamp: a few index lookups) and the configuration generation; a
 * request whose stamp matches is answered from memory with the shared
 * libmicrohttpd response, so a poll of an unchanged 1,000-task feed costs
 * the token check and the stamp queries.  Only one feed is rendered at a
 * time (libical is not thread-safe); concurrent first requests for the
 * same feed wait for that render and then share it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "httpd_priv.h"
#include "log.h"
#include "store_task.h"
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

	MHD_destroy_response(e->resp);
	free(e->etag);
	h->cache_bytes -= e->len;
	h->cache[i] = h->cache[--h->ncache];
}

void
httpd_cache_free(struct httpd *h)
{
	while (h->ncache > 0)
		cache_drop(h, 0);
	free(h->cache);
	h->cache = NULL;
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
	char date[30], cc[48];

	httpd_http_date(modified, date);
	snprintf(cc, sizeof(cc), "private, max-age=%d", HTTPD_FEED_MAX_AGE);
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

/* Answers from the cache when the entry is current: 1 answered (*ret
 * set), 0 no current entry. */
static int
cache_answer(struct httpd_req *r, int64_t rep_id, enum feeds_kind kind,
    const struct feeds_stamp *stamp, enum MHD_Result *ret)
{
	struct httpd *h = r->h;
	struct httpd_cached *e;
	char *etag = NULL;
	int64_t modified = 0;
	int hit = 0;

	pthread_mutex_lock(&h->cache_lock);
	e = cache_find(h, rep_id, kind);
	if (e != NULL && e->gen == h->gen && memcmp(&e->stamp, stamp,
	    sizeof(*stamp)) == 0) {
		hit = 1;
		e->used = ++h->tick;
		if (not_modified(r, e->etag, e->modified)) {
			etag = xstrdup(e->etag);
			modified = e->modified;
		} else	/* queued under the lock: the entry cannot go away */
			*ret = httpd_queue(r, MHD_HTTP_OK, e->resp);
	}
	pthread_mutex_unlock(&h->cache_lock);
	if (etag != NULL) {
		*ret = feed_304(r, etag, modified);
		free(etag);
	}
	if (hit) {
		pthread_mutex_lock(&h->stats_lock);
		h->n.feed_hits++;
		pthread_mutex_unlock(&h->stats_lock);
	}
	return hit;
}

/* The shared 200 response of a rendered feed; takes doc->data. */
static struct MHD_Response *
feed_response(struct feeds_doc *doc, enum feeds_kind kind)
{
	struct MHD_Response *resp;
	char *disp;

	resp = MHD_create_response_from_buffer_with_free_callback(doc->len,
	    doc->data, free);
	if (resp == NULL)
		return NULL;
	doc->data = NULL;
	disp = xasprintf("inline; filename=\"%s.ics\"", feeds_kind_name(kind));
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
	    "text/calendar; charset=utf-8");
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_DISPOSITION,
	    disp);
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	feed_headers(resp, doc->etag, doc->modified);
	free(disp);
	return resp;
}

/* Stores a freshly rendered feed in the cache. */
static void
cache_put(struct httpd *h, const struct store_rep *rep, enum feeds_kind kind,
    unsigned gen, const struct feeds_stamp *stamp, struct feeds_doc *doc,
    struct MHD_Response *resp)
{
	struct httpd_cached *e;

	pthread_mutex_lock(&h->cache_lock);
	if ((e = cache_find(h, rep->id, kind)) != NULL)
		cache_drop(h, (size_t)(e - h->cache));
	cache_trim(h, doc->len);
	h->cache = xreallocarray(h->cache, h->ncache + 1, sizeof(*h->cache));
	e = &h->cache[h->ncache++];
	e->rep_id = rep->id;
	e->kind = kind;
	e->gen = gen;
	e->stamp = *stamp;
	e->resp = resp;
	e->etag = doc->etag;
	e->modified = doc->modified;
	e->len = doc->len;
	e->used = ++h->tick;
	h->cache_bytes += doc->len;
	doc->etag = NULL;
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
	struct feeds_doc doc;
	struct MHD_Response *resp;

	pthread_mutex_lock(&h->render_lock);
	if (cache_answer(r, rep->id, kind, stamp, ret)) {
		pthread_mutex_unlock(&h->render_lock);
		return 0;
	}
	if (feeds_render(r->st, r->cf, rep, kind, r->now, &doc, cause) != 0) {
		pthread_mutex_unlock(&h->render_lock);
		return -1;
	}
	if ((resp = feed_response(&doc, kind)) == NULL) {
		pthread_mutex_unlock(&h->render_lock);
		feeds_doc_free(&doc);
		return set_error(cause, "cannot create a response");
	}
	if (not_modified(r, doc.etag, doc.modified))
		*ret = feed_304(r, doc.etag, doc.modified);
	else
		*ret = httpd_queue(r, MHD_HTTP_OK, resp);
	cache_put(h, rep, kind, h->gen, stamp, &doc, resp);
	pthread_mutex_unlock(&h->render_lock);
	pthread_mutex_lock(&h->stats_lock);
	h->n.feed_renders++;
	pthread_mutex_unlock(&h->stats_lock);
	log_info("http: rendered the %s feed of rep %s: %zu events, %zu bytes",
	    feeds_kind_name(kind), rep->key, doc.events, doc.len);
	feeds_doc_free(&doc);
	return 0;
}

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
	if ((rc = store_rep_by_token(r->st, token, &rep, &cause)) < 0)
		return httpd_unavailable(r, "feed token", cause);
	if (rc == 0) {
		log_info("http: feed request with an unknown token");
		return httpd_not_found(r);
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

/* httpd_cache.c - answers kept in memory: the reps' feeds
 * (httpd_feeds.c) and their day pages (httpd_pages.c).
 *
 * An entry is one answer, keyed by what it is (a feed kind or the day
 * page), the rep and, for a page, the day, the language and the token
 * hash its links are signed for; it is kept with a change stamp (a few
 * index lookups of what it shows, feeds.h) and the configuration
 * generation.  A request is answered from the entry, with libmicrohttpd's
 * shared response, while the store has not changed since the stamp was
 * last compared (db_gen, on the same UTC day), or when the stamp it reads
 * now still matches.  An entry put without a stamp (a manager's day,
 * which depends on the whole team) is current only while the store has
 * not changed at all, and an entry may expire at an instant.  With zlib
 * (HAVE_ZLIB) a gzip copy is kept too and sent to clients that accept
 * it.  Entries are dropped, least recently used first, beyond
 * HTTPD_CACHE_BYTES. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config.h"
#ifdef HAVE_ZLIB
#include <zlib.h>
#endif

#include "httpd_priv.h"
#include "util.h"

/* Does entry e hold the answer key names? */
static int
key_match(const struct httpd_cached *e, const struct httpd_cache_key *key)
{
	return e->key.what == key->what && e->key.rep_id == key->rep_id &&
	    e->key.day == key->day && e->key.lang == key->lang &&
	    strcmp(e->key.hash ? e->key.hash : "", key->hash ? key->hash :
	    "") == 0;
}

/* The entry for key, or NULL.  Cache lock held. */
static struct httpd_cached *
cache_find(struct httpd *h, const struct httpd_cache_key *key)
{
	size_t i;

	for (i = 0; i < h->ncache; i++) {
		if (key_match(&h->cache[i], key))
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
	free((char *)e->key.hash);
	h->cache_bytes -= e->len;
	h->cache[i] = h->cache[--h->ncache];
}

/* Drops every entry (at shutdown). */
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
 * the latter counts only for an answer with a Last-Modified and from a
 * copy fetched today, since a feed changes by itself at midnight UTC
 * (closed tasks drop out). */
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
	if (modified < 0 || ims == NULL || (t = http_date_parse(ims)) < 0)
		return 0;
	return modified <= t && t >= (int64_t)feeds_day(r->now) * 86400;
}

/* 304 Not Modified, without a body, with the validators and caching
 * headers of the 200 it stands for (RFC 9110 15.4.5). */
static enum MHD_Result
cache_304(struct httpd_req *r, const struct httpd_variant *v)
{
	static const char *const same[] = { MHD_HTTP_HEADER_ETAG,
		MHD_HTTP_HEADER_LAST_MODIFIED, MHD_HTTP_HEADER_CACHE_CONTROL,
		MHD_HTTP_HEADER_VARY };
	struct MHD_Response *resp;
	enum MHD_Result ret;
	const char *val;
	size_t i;

	resp = MHD_create_response_from_buffer(0, (void *)"",
	    MHD_RESPMEM_PERSISTENT);
	if (resp == NULL)
		return MHD_NO;
	for (i = 0; i < ARRAY_SIZE(same); i++) {
		if ((val = MHD_get_response_header(v->resp, same[i])) != NULL)
			MHD_add_response_header(resp, same[i], val);
	}
	ret = httpd_queue(r, MHD_HTTP_NOT_MODIFIED, resp);
	MHD_destroy_response(resp);
	return ret;
}

/* Is the entry current?  Without a stamp only if the store has not
 * changed since its stamp was last compared (today); with one if the
 * entry has a stamp and it matches, which is then remembered.  Cache
 * lock held. */
static int
cache_current(struct httpd_req *r, struct httpd_cached *e,
    const struct feeds_stamp *stamp)
{
	int32_t today = feeds_day(r->now);

	if (e == NULL || e->gen != r->h->gen ||
	    (e->expires != 0 && r->now >= e->expires))
		return 0;
	if (stamp == NULL)
		return e->checked_gen == r->db_gen && e->checked_day == today;
	if (!e->has_stamp || memcmp(&e->stamp, stamp, sizeof(*stamp)) != 0)
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

/* Answers with one coding of an entry: 304 when the client's copy is
 * current, else the shared 200. */
static enum MHD_Result
variant_answer(struct httpd_req *r, const struct httpd_variant *v,
    int64_t modified)
{
	if (not_modified(r, v->etag, modified))
		return cache_304(r, v);
	return httpd_queue(r, MHD_HTTP_OK, v->resp);
}

/* The coding to send. */
static const struct httpd_variant *
variant_pick(struct httpd_req *r, const struct httpd_variant *v)
{
	return v[1].resp != NULL && accepts_gzip(r) ? &v[1] : &v[0];
}

/* Answers from the cache when the entry is current.  The answer is
 * queued under the lock, so the entry cannot go away meanwhile. */
int
httpd_cache_answer(struct httpd_req *r, const struct httpd_cache_key *key,
    const struct feeds_stamp *stamp, enum MHD_Result *ret)
{
	struct httpd *h = r->h;
	struct httpd_cached *e;
	int hit = 0;

	pthread_mutex_lock(&h->cache_lock);
	e = cache_find(h, key);
	if (cache_current(r, e, stamp)) {
		hit = 1;
		e->used = ++h->tick;
		*ret = variant_answer(r, variant_pick(r, e->v), e->modified);
	}
	pthread_mutex_unlock(&h->cache_lock);
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
cache_response(char *data, size_t len, const char *coding,
    const struct httpd_cache_doc *doc, const char *etag)
{
	const char *const *hd;
	struct MHD_Response *resp;
	char date[64];

	resp = MHD_create_response_from_buffer_with_free_callback(len, data,
	    free);
	if (resp == NULL) {
		free(data);
		return NULL;
	}
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, doc->type);
	if (coding != NULL)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_ENCODING,
		    coding);
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	for (hd = doc->headers; hd != NULL && hd[0] != NULL; hd += 2)
		MHD_add_response_header(resp, hd[0], hd[1]);
#ifdef HAVE_ZLIB
	MHD_add_response_header(resp, MHD_HTTP_HEADER_VARY,
	    MHD_HTTP_HEADER_ACCEPT_ENCODING);
#endif
	MHD_add_response_header(resp, MHD_HTTP_HEADER_ETAG, etag);
	if (doc->modified >= 0) {
		httpd_http_date(doc->modified, date);
		MHD_add_response_header(resp, MHD_HTTP_HEADER_LAST_MODIFIED,
		    date);
	}
	return resp;
}

/* Both codings of a document; takes doc->data and doc->etag.  Returns
 * the bytes held, 0 when even the identity response failed (v[] is
 * freed then). */
static size_t
cache_variants(struct httpd_cache_doc *doc, struct httpd_variant v[2])
{
	size_t held = doc->len, k;
#ifdef HAVE_ZLIB
	char *gz;
	size_t gzlen;

	if ((gz = gzip_encode(doc->data, doc->len, &gzlen)) != NULL) {
		/* Strong validators differ per coding (RFC 9110 8.8.3.3). */
		v[1].etag = xasprintf("%.*s-gz\"", (int)strlen(doc->etag) - 1,
		    doc->etag);
		v[1].resp = cache_response(gz, gzlen, "gzip", doc, v[1].etag);
		held += gzlen;
	}
#endif
	v[0].etag = doc->etag;
	v[0].resp = cache_response(doc->data, doc->len, NULL, doc, doc->etag);
	doc->data = NULL;
	doc->etag = NULL;
	if (v[0].resp != NULL)
		return held;
	for (k = 0; k < 2; k++) {
		if (v[k].resp != NULL)
			MHD_destroy_response(v[k].resp);
		free(v[k].etag);
		v[k].resp = NULL;
		v[k].etag = NULL;
	}
	return 0;
}

/* Keeps the variants as the entry for key (replacing any). */
static void
cache_put(struct httpd_req *r, const struct httpd_cache_key *key,
    const struct feeds_stamp *stamp, const struct httpd_variant v[2],
    const struct httpd_cache_doc *doc, size_t held)
{
	struct httpd *h = r->h;
	struct httpd_cached *e;

	pthread_mutex_lock(&h->cache_lock);
	if ((e = cache_find(h, key)) != NULL)
		cache_drop(h, (size_t)(e - h->cache));
	cache_trim(h, held);
	h->cache = xreallocarray(h->cache, h->ncache + 1, sizeof(*h->cache));
	e = &h->cache[h->ncache++];
	memset(e, 0, sizeof(*e));
	e->key = *key;
	e->key.hash = key->hash ? xstrdup(key->hash) : NULL;
	e->gen = h->gen;
	if ((e->has_stamp = stamp != NULL))
		e->stamp = *stamp;
	e->checked_gen = r->db_gen;
	e->checked_day = feeds_day(r->now);
	e->expires = doc->expires;
	e->v[0] = v[0];
	e->v[1] = v[1];
	e->modified = doc->modified;
	e->len = held;
	e->used = ++h->tick;
	h->cache_bytes += held;
	pthread_mutex_unlock(&h->cache_lock);
}

/* Answers with a fresh document and keeps it. */
int
httpd_cache_put(struct httpd_req *r, const struct httpd_cache_key *key,
    const struct feeds_stamp *stamp, struct httpd_cache_doc *doc,
    enum MHD_Result *ret, char **cause)
{
	struct httpd_variant v[2] = { { NULL, NULL }, { NULL, NULL } };
	size_t held;

	if ((held = cache_variants(doc, v)) == 0)
		return set_error(cause, "cannot create a response");
	*ret = variant_answer(r, variant_pick(r, v), doc->modified);
	cache_put(r, key, stamp, v, doc, held);
	return 0;
}

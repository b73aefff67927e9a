/* httpd_feeds.c - GET /feeds/TOKEN/{followups,birthdays}.ics: the reps'
 * calendar subscriptions, and the reps' feed tokens (the day pages take
 * the same).
 *
 * A rendered feed is kept (httpd_cache.c) per (rep, kind) together with
 * its change stamp (feeds_stamp: a few index lookups) and the
 * configuration generation; a request whose stamp matches is answered
 * from memory with the shared libmicrohttpd response, so a poll of an
 * unchanged 1,000-task feed costs the token check (and the stamp queries
 * when the store changed since).  Only one feed is rendered at a time
 * (libical is not thread-safe); concurrent first requests for the same
 * feed wait for that render and then share it.  With zlib a gzip copy is
 * kept too: a 1,000-task feed shrinks from ~540 kB to ~16 kB. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "httpd_priv.h"
#include "log.h"
#include "store_task.h"
#include "token.h"
#include "util.h"

/* Forgets the reps' token hashes (read again on the next request). */
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

/* Keeps one rep's token hash (store_rep_tokens' callback). */
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
 * filled, the caller clears it; *hash its token hash), 0 not, -1 on a
 * store error. */
int
httpd_feed_rep(struct httpd_req *r, const char *token, struct store_rep *out,
    char **hashp, char **cause)
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
	if (found && hashp != NULL)
		*hashp = hash;
	else
		free(hash);
	return rc < 0 ? -1 : found;
}

/* The entry of a rep's feed. */
static void
feed_key(struct httpd_cache_key *key, int64_t rep_id, enum feeds_kind kind)
{
	memset(key, 0, sizeof(*key));
	key->what = (int)kind;
	key->rep_id = rep_id;
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
	struct httpd_cache_key key;
	struct httpd_cache_doc cd;
	struct feeds_doc doc;
	char disp[64], cc[48];
	const char *hdrs[] = { MHD_HTTP_HEADER_CONTENT_DISPOSITION, disp,
		MHD_HTTP_HEADER_CACHE_CONTROL, cc, NULL };
	int rc;

	feed_key(&key, rep->id, kind);
	pthread_mutex_lock(&h->render_lock);
	if (httpd_cache_answer(r, &key, stamp, ret)) {
		pthread_mutex_unlock(&h->render_lock);
		metrics_count_feed(h->metrics, 1);
		return 0;
	}
	if (feeds_render(r->st, r->cf, rep, kind, r->now, &doc, cause) != 0) {
		pthread_mutex_unlock(&h->render_lock);
		return -1;
	}
	snprintf(disp, sizeof(disp), "inline; filename=\"%s.ics\"",
	    feeds_kind_name(kind));
	snprintf(cc, sizeof(cc), "private, max-age=%d", HTTPD_FEED_MAX_AGE);
	memset(&cd, 0, sizeof(cd));
	cd.data = doc.data;
	cd.len = doc.len;
	cd.etag = doc.etag;
	cd.modified = doc.modified;
	cd.type = "text/calendar; charset=utf-8";
	cd.headers = hdrs;
	doc.data = NULL;
	doc.etag = NULL;
	rc = httpd_cache_put(r, &key, stamp, &cd, ret, cause);
	pthread_mutex_unlock(&h->render_lock);
	if (rc == 0) {
		metrics_count_feed(h->metrics, 0);
		log_info("http: rendered the %s feed of rep %s: %zu events, "
		    "%zu bytes", feeds_kind_name(kind), rep->key, doc.events,
		    cd.len);
	}
	feeds_doc_free(&doc);
	return rc;
}

/* GET /feeds/TOKEN/KIND.ics: token, cache, render, answer. */
enum MHD_Result
httpd_route_feed(struct httpd_req *r, const char *token, enum feeds_kind kind)
{
	struct store_rep rep = { 0 };
	struct httpd_cache_key key;
	struct feeds_stamp stamp;
	enum MHD_Result ret = MHD_NO;
	char *cause = NULL;
	int rc;

	if (httpd_store(r) == NULL)
		return httpd_unavailable(r, "feed", NULL);
	if ((rc = httpd_feed_rep(r, token, &rep, NULL, &cause)) < 0)
		return httpd_unavailable(r, "feed token", cause);
	if (rc == 0)	/* counted and summed up in the log, not logged */
		return httpd_invalid_token(r);
	feed_key(&key, rep.id, kind);
	if (httpd_cache_answer(r, &key, NULL, &ret)) {
		metrics_count_feed(r->h->metrics, 1);
		store_rep_clear(&rep);
		return ret;
	}
	if (feeds_stamp(r->st, &rep, kind, r->now, &stamp, &cause) != 0) {
		store_rep_clear(&rep);
		return httpd_unavailable(r, "feed stamp", cause);
	}
	if (httpd_cache_answer(r, &key, &stamp, &ret))
		metrics_count_feed(r->h->metrics, 1);
	else if (feed_build(r, &rep, kind, &stamp, &ret, &cause) != 0) {
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

/* httpd_pages.c - the reps' pages: GET /t/LINK shows a task, POST
 * /t/LINK records its outcome, GET /r/TOKEN lists the rep's day.
 *
 * A link (replink.h) that is malformed, forged, for another rep's task,
 * or signed for a token the rep no longer has gets the service's one 404.
 * GET and HEAD change nothing.  A POST takes one of the address's writes
 * (the rate limit of httpd_guard.c) before anything else, and must carry
 * the page's form token, which a cross-site form cannot know: without it,
 * 403.  Every outcome is logged with the rep and the client's address, and
 * kept with that source in the task's history (outcome.h); POSTs that
 * come together are committed together (httpd_outcomes.c), and each is
 * answered once its outcome is on disk.
 *
 * The day is kept in memory while nothing it shows changes
 * (httpd_cache.c, like the feeds).  A manager's day also lists the
 * team's escalations (httpd_team.c), with links signed for the manager: a
 * link whose rep is a manager opens any rep's task, and what the manager
 * records is theirs. */
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "date.h"
#include "date_zone.h"
#include "feed.h"
#include "httpd_priv.h"
#include "log.h"
#include "outcome.h"
#include "page.h"
#include "replink.h"
#include "store_page.h"
#include "store_task.h"
#include "team.h"
#include "util.h"

/* A verified link: its rep, the token hash, the task and the key. */
struct task_ctx {
	struct store_rep rep;
	char *hash;
	struct store_task t;
	unsigned char key[TOKEN_SECRET_LEN];
	enum i18n_lang lang;
	int32_t today;
};

/* Frees what a resolved link holds. */
static void
task_ctx_clear(struct task_ctx *x)
{
	store_rep_clear(&x->rep);
	free(x->hash);
	store_task_clear(&x->t);
	memset(x, 0, sizeof(*x));
}

/* The rep's language: their locale, else the company's. */
static enum i18n_lang
page_lang(struct httpd_req *r, const struct store_rep *rep)
{
	return i18n_lang_of(rep->locale, r->cf->locale);
}

/* Today in the company's time zone: 0, or -1 with *cause. */
static int
page_today(struct httpd_req *r, int32_t *today, char **cause)
{
	return date_today((time_t)r->now, r->cf->timezone, today, cause);
}

/* Whose task the link's rep opened: NULL when their own, else the
 * task's rep (only a manager gets this far). */
static const char *
task_owner(const struct task_ctx *x)
{
	if (x->t.rep != NULL && strcmp(x->t.rep, x->rep.key) == 0)
		return NULL;
	if (x->t.rep == NULL)
		return i18n(x->lang, MSG_NO_REP);
	return x->t.rep_name ? x->t.rep_name : x->t.rep;
}

/* Reads the task, which must still be the rep's, or the link's rep a
 * manager: 1, 0, -1. */
static int
task_load(struct httpd_req *r, int64_t task_id, struct task_ctx *x,
    char **cause)
{
	int rc;

	store_task_clear(&x->t);
	if ((rc = store_task_get(r->st, task_id, &x->t, cause)) <= 0)
		return rc;
	return task_owner(x) == NULL || team_is_manager(r->cf, x->rep.key);
}

/* The task-link key: 1, 0 when the store has none yet, -1 on a store
 * error.  Kept after the first read, a query less per page. */
static int
task_link_key(struct httpd_req *r, unsigned char key[TOKEN_SECRET_LEN],
    char **cause)
{
	struct httpd *h = r->h;
	int rc = 1;

	pthread_mutex_lock(&h->secret_lock);
	if (!h->link_key_known &&
	    (rc = replink_secret(r->st, h->link_key, 0, cause)) == 1)
		h->link_key_known = 1;
	if (rc == 1)
		memcpy(key, h->link_key, TOKEN_SECRET_LEN);
	pthread_mutex_unlock(&h->secret_lock);
	return rc;
}

/* Resolves a link: 1 with *x filled, 0 when it is not valid (404), -1 on
 * a store error. */
static int
task_resolve(struct httpd_req *r, const char *link, struct task_ctx *x,
    char **cause)
{
	int64_t rep_id, task_id;
	int rc;

	if (replink_parse(link, &rep_id, &task_id) != 0)
		return 0;
	if ((rc = store_rep_by_id(r->st, rep_id, &x->rep, &x->hash,
	    cause)) <= 0)
		return rc;
	if (x->hash == NULL)		/* revoked */
		return 0;
	if ((rc = task_link_key(r, x->key, cause)) <= 0)
		return rc;
	if (replink_verify(x->key, link, x->hash) != 0)
		return 0;
	return task_load(r, task_id, x, cause);
}

/* The task page, with a notice (may be NULL).  malloc'd; NULL with
 * *cause on a store error. */
static char *
task_html(struct httpd_req *r, struct task_ctx *x, const char *link,
    const char *notice, const char *cls, char **cause)
{
	struct store_contact ct;
	struct customer c;
	struct page_task p;
	char *html = NULL, *form;
	int hc, rc;

	customer_init(&c);
	if ((rc = store_customer_get(r->st, x->t.external_id, &c, cause)) < 0 ||
	    (hc = store_contact_last(r->st, x->t.customer_id, &ct, cause)) < 0) {
		customer_clear(&c);
		return NULL;
	}
	form = replink_form(x->key, link, x->hash);
	memset(&p, 0, sizeof(p));
	p.lang = x->lang;
	p.task = &x->t;
	p.cust = rc == 1 ? &c : NULL;
	p.contact = hc == 1 ? &ct : NULL;
	p.form = form;
	p.notice = notice;
	p.notice_cls = cls;
	p.today = x->today;
	p.owner = task_owner(x);
	html = page_task_render(&p);
	free(form);
	store_contact_clear(&ct);
	customer_clear(&c);
	return html;
}

/* Answers with an HTML page (freed). */
static enum MHD_Result
page_reply(struct httpd_req *r, unsigned status, char *html)
{
	enum MHD_Result ret;

	ret = httpd_reply(r, status, page_type, html, page_headers);
	free(html);
	return ret;
}

/* The client's address, for the log and the task's history. */
static void
client_addr(struct httpd_req *r, char out[NI_MAXHOST])
{
	const union MHD_ConnectionInfo *ci;

	snprintf(out, NI_MAXHOST, "unknown");
	ci = MHD_get_connection_info(r->conn,
	    MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	if (ci == NULL || ci->client_addr == NULL)
		return;
	if (getnameinfo(ci->client_addr, ci->client_addr->sa_family ==
	    AF_INET6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in),
	    out, NI_MAXHOST, NULL, 0, NI_NUMERICHOST) != 0)
		snprintf(out, NI_MAXHOST, "unknown");
}

/* A form field as a C string (cut at a NUL byte), or NULL. */
static char *
field(struct httpd_req *r, const char *name)
{
	return page_form_get(r->body, r->body_kept, name, NULL);
}

/* Fills an outcome request from the form; the strings go to own[]. */
static int
outcome_from_form(struct httpd_req *r, struct task_ctx *x,
    struct outcome_req *o, char **own, char **cause)
{
	struct date d;
	char *reason;

	memset(o, 0, sizeof(*o));
	o->date = DAY_NONE;
	o->task_id = x->t.id;
	if ((own[0] = field(r, "outcome")) == NULL ||
	    outcome_parse(own[0], &o->outcome) != 0)
		return set_error(cause, "unknown outcome");
	own[1] = field(r, "kind");
	if (o->outcome == OUTCOME_REACHED || o->outcome == OUTCOME_NEXT)
		o->kind = str_empty(own[1]) ? NULL : own[1];
	own[2] = field(r, "date");
	if ((o->outcome == OUTCOME_SNOOZE || o->outcome == OUTCOME_NEXT) &&
	    !str_empty(own[2])) {
		if (date_parse(own[2], &d, cause) != 0)
			return -1;
		o->date = date_to_days(d.year, d.month, d.day);
	}
	own[3] = field(r, "note");
	reason = field(r, "reason");
	if (o->outcome == OUTCOME_CANCEL && !str_empty(reason))
		own[4] = xasprintf("%s%s%s", reason, str_empty(own[3]) ? "" :
		    ": ", str_empty(own[3]) ? "" : own[3]);
	free(reason);
	o->note = own[4] ? own[4] : own[3];
	return 0;
}

/* A POSTed outcome from its checks to its answer (httpd_outcomes.c sees
 * the first member): the link's context and the request's own strings. */
struct task_post {
	struct httpd_outcome o;
	struct task_ctx x;
	char *own[5];
	char *src;		/* "web ADDRESS" */
};

/* Frees a task_post. */
static void
task_post_free(struct httpd_outcome *o)
{
	struct task_post *p = (struct task_post *)o;
	size_t i;

	task_ctx_clear(&p->x);
	for (i = 0; i < ARRAY_SIZE(p->own); i++)
		free(p->own[i]);
	free(p->src);
	free(p->o.cause);
	free(p);
}

/* The page after a POST, saying what became of the outcome; frees p.
 * Logged with the rep and the client's address once its fate is known
 * (recorded: committed). */
static enum MHD_Result
task_posted(struct httpd_req *r, struct task_post *p, const char *link)
{
	struct task_ctx *x = &p->x;
	enum outcome_result res = p->o.res;
	const char *notice, *cls = "ok";
	unsigned status = MHD_HTTP_OK;
	char *cause = NULL, *why = NULL, *html = NULL;

	if (res == OUTCOME_ERROR) {
		cause = p->o.cause;
		p->o.cause = NULL;
		task_post_free(&p->o);
		return httpd_unavailable(r, "task outcome", cause);
	}
	log_notice("rep page: rep %s, task %lld: %s from %s: %s", x->rep.key,
	    (long long)x->t.id, res == OUTCOME_INVALID ? "refused outcome" :
	    outcome_name(p->o.req.outcome), p->src, res == OUTCOME_RECORDED ?
	    "recorded" : res == OUTCOME_ALREADY ? "already recorded" : res ==
	    OUTCOME_INVALID ? "invalid" : "task not open");
	switch (res) {
	case OUTCOME_RECORDED:
		notice = i18n(x->lang, MSG_RECORDED);
		break;
	case OUTCOME_ALREADY:
		notice = i18n(x->lang, MSG_ALREADY);
		break;
	case OUTCOME_INVALID:
		status = MHD_HTTP_BAD_REQUEST;
		why = xasprintf("%s: %s", i18n(x->lang, MSG_INVALID),
		    p->o.cause ? p->o.cause : "?");
		notice = why;
		cls = "err";
		break;
	default:
		status = MHD_HTTP_CONFLICT;
		notice = i18n(x->lang, MSG_NOT_OPEN);
		cls = "err";
		break;
	}
	if (httpd_store(r) == NULL)
		cause = xstrdup("store unavailable");
	else if (store_read_begin(r->st, &cause) == 0) {
		if (task_load(r, x->t.id, x, &cause) >= 0)
			html = task_html(r, x, link, notice, cls, &cause);
		store_read_end(r->st);
	}
	free(why);
	task_post_free(&p->o);
	if (html == NULL)
		return httpd_unavailable(r, "task page", cause);
	return page_reply(r, status, html);
}

/* Takes the form's outcome: checked here, then recorded here alone when
 * nothing else is, else together with the other POSTs waiting
 * (httpd_outcomes.c: the connection waits suspended and this handler is
 * called again to answer).  x moves into the request. */
static enum MHD_Result
task_post(struct httpd_req *r, struct task_ctx *x, const char *link)
{
	char addr[NI_MAXHOST], *form;
	struct task_post *p;
	int ok;

	form = field(r, "form");
	ok = replink_form_check(x->key, link, x->hash, form) == 0;
	free(form);
	if (!ok)
		return page_reply(r, MHD_HTTP_FORBIDDEN, page_message(x->lang,
		    i18n(x->lang, MSG_INVALID), "err", i18n(x->lang,
		    MSG_REFUSED), NULL));
	p = xcalloc(1, sizeof(*p));
	p->o.free = task_post_free;
	p->x = *x;
	memset(x, 0, sizeof(*x));
	x = &p->x;
	client_addr(r, addr);
	p->src = xasprintf("web %s", addr);
	if (outcome_from_form(r, x, &p->o.req, p->own, &p->o.cause) != 0) {
		p->o.res = OUTCOME_INVALID;
		return task_posted(r, p, link);
	}
	p->o.req.rep = x->rep.key;
	p->o.req.source = p->src;
	p->o.req.now = r->now;
	p->o.req.today = x->today;
	p->o.req.retry_days = r->cf->plan.task_retry_days;
	p->o.req.escalate_attempts = r->cf->plan.task_escalate_attempts;
	p->o.req.lang = x->lang;
	if (httpd_outcomes_submit(r, &p->o)) {
		r->outcome = &p->o;
		return MHD_YES;
	}
	r->wrote = 1;
	p->o.res = outcome_record(r->st, &p->o.req, NULL, &p->o.cause);
	if (p->o.res == OUTCOME_RECORDED)
		httpd_outcomes_wake(r->st);
	httpd_outcomes_alone_end(r->h);
	return task_posted(r, p, link);
}

/* GET, HEAD or POST /t/LINK; the second call of a POST whose outcome is
 * recorded answers it. */
enum MHD_Result
httpd_route_task(struct httpd_req *r, const char *link)
{
	struct task_ctx x;
	struct httpd_outcome *o;
	enum MHD_Result ret;
	char *cause = NULL, *html;
	int rc;

	if ((o = r->outcome) != NULL) {
		r->outcome = NULL;
		return task_posted(r, (struct task_post *)o, link);
	}
	if (r->post && ((ret = httpd_rate_limit(r, &rc)) != MHD_YES || rc))
		return ret;
	if (httpd_store(r) == NULL)
		return httpd_unavailable(r, "task page", NULL);
	memset(&x, 0, sizeof(x));
	if (page_today(r, &x.today, &cause) != 0 ||
	    store_read_begin(r->st, &cause) != 0)
		return httpd_unavailable(r, "task page", cause);
	if ((rc = task_resolve(r, link, &x, &cause)) <= 0) {
		store_read_end(r->st);
		task_ctx_clear(&x);
		return rc < 0 ? httpd_unavailable(r, "task page", cause) :
		    httpd_invalid_token(r);
	}
	x.lang = page_lang(r, &x.rep);
	if (r->post) {
		/* Recorded by another connection: this one reads no more. */
		store_read_end(r->st);
		ret = task_post(r, &x, link);
	} else {
		html = task_html(r, &x, link, NULL, NULL, &cause);
		store_read_end(r->st);
		ret = html == NULL ? httpd_unavailable(r, "task page", cause) :
		    page_reply(r, MHD_HTTP_OK, html);
	}
	task_ctx_clear(&x);
	return ret;
}

/* The rep's open tasks due today or before. */
struct day_list {
	struct store_task *v;
	size_t n;
	int32_t today;
};

/* Keeps an open task that is due (its strings move into the list). */
static int
day_take(void *arg, const struct store_task *t)
{
	struct day_list *l = arg;

	if (strcmp(t->status, "open") != 0 || t->day > l->today)
		return 0;
	l->v = xreallocarray(l->v, l->n + 1, sizeof(*l->v));
	l->v[l->n++] = *t;
	memset((struct store_task *)t, 0, sizeof(*t));
	return 0;
}

/* A tier first, then the oldest, then by id. */
static int
day_cmp(const void *a, const void *b)
{
	const struct store_task *x = a, *y = b;

	if (x->tier != y->tier)
		return x->tier < y->tier ? -1 : 1;
	if (x->day != y->day)
		return x->day < y->day ? -1 : 1;
	return x->id < y->id ? -1 : x->id > y->id;
}

/* The day page of a rep whose token hash is hash.  malloc'd, NULL on a
 * store error. */
static char *
day_html(struct httpd_req *r, const struct store_rep *rep, const char *hash,
    int32_t today, char **cause)
{
	unsigned char key[TOKEN_SECRET_LEN];
	struct day_list l = { NULL, 0, today };
	struct httpd_team *team = NULL;
	struct page_day_item *it;
	char *html = NULL, *link;
	size_t i;

	if (replink_secret(r->st, key, 1, cause) < 0)
		return NULL;
	if (team_is_manager(r->cf, rep->key) &&
	    (team = httpd_team_load(r, rep, hash, key, cause)) == NULL)
		return NULL;
	if (store_task_each(r->st, rep->key, r->now, day_take, &l,
	    cause) != 0) {
		httpd_team_free(team);
		return NULL;
	}
	if (l.n > 1)
		qsort(l.v, l.n, sizeof(*l.v), day_cmp);
	it = xcalloc(l.n + 1, sizeof(*it));
	for (i = 0; i < l.n; i++) {
		link = replink_make(key, rep->id, l.v[i].id, hash);
		it[i].task = &l.v[i];
		it[i].href = replink_url(r->cf->http.base_url, link);
		free(link);
	}
	html = page_day_render(page_lang(r, rep), rep->name, it, l.n, today,
	    team ? httpd_team_page(team) : NULL);
	httpd_team_free(team);
	for (i = 0; i < l.n; i++) {
		free((char *)it[i].href);
		store_task_clear(&l.v[i]);
	}
	memset(key, 0, sizeof(key));
	free(it);
	free(l.v);
	return html;
}

/* The entry of a rep's day page. */
static void
day_key(struct httpd_cache_key *key, const struct store_rep *rep,
    const char *hash, int32_t today, enum i18n_lang lang)
{
	memset(key, 0, sizeof(*key));
	key->what = HTTPD_CACHE_DAY;
	key->rep_id = rep->id;
	key->day = today;
	key->lang = (int)lang;
	key->hash = hash;
}

/* Answers with a freshly made day page and keeps it: a rep's with its
 * stamp, a manager's (the whole team's escalations, each rep's day in
 * their own zone) without one, until the next quarter hour: every time
 * zone's midnight falls on a quarter hour of UTC. */
static int
day_build(struct httpd_req *r, const struct store_rep *rep,
    const struct httpd_cache_key *key, const struct feeds_stamp *stamp,
    enum MHD_Result *ret, char **cause)
{
	struct httpd_cache_doc doc;

	memset(&doc, 0, sizeof(doc));
	if ((doc.data = day_html(r, rep, key->hash, key->day, cause)) == NULL)
		return -1;
	doc.len = strlen(doc.data);
	doc.etag = feed_etag(doc.data, doc.len);
	doc.modified = -1;
	doc.type = page_type;
	doc.headers = page_headers;
	if (stamp == NULL)
		doc.expires = (r->now / 900 + 1) * 900;
	return httpd_cache_put(r, key, stamp, &doc, ret, cause);
}

/* GET or HEAD /r/TOKEN: the rep's day, from the cache while nothing it
 * shows has changed (httpd_cache.c): the rep's tasks, their customers,
 * the rep's name, locale and token (feeds_stamp of the follow-up feed,
 * which shows the same), the day, the configuration. */
enum MHD_Result
httpd_route_day(struct httpd_req *r, const char *token)
{
	struct store_rep rep = { 0 };
	struct httpd_cache_key key;
	struct feeds_stamp stamp, *sp = NULL;
	enum MHD_Result ret = MHD_NO;
	char *cause = NULL, *hash = NULL;
	int32_t today;
	int rc;

	if (httpd_store(r) == NULL)
		return httpd_unavailable(r, "day page", NULL);
	if ((rc = httpd_feed_rep(r, token, &rep, &hash, &cause)) <= 0)
		return rc < 0 ? httpd_unavailable(r, "day page", cause) :
		    httpd_invalid_token(r);
	if (page_today(r, &today, &cause) != 0) {
		ret = httpd_unavailable(r, "day page", cause);
		goto out;
	}
	day_key(&key, &rep, hash, today, page_lang(r, &rep));
	if (httpd_cache_answer(r, &key, NULL, &ret))
		goto out;
	if (!team_is_manager(r->cf, rep.key)) {
		if (feeds_stamp(r->st, &rep, FEEDS_FOLLOWUPS, r->now, &stamp,
		    &cause) != 0) {
			ret = httpd_unavailable(r, "day page", cause);
			goto out;
		}
		sp = &stamp;
		if (httpd_cache_answer(r, &key, sp, &ret))
			goto out;
	}
	if (day_build(r, &rep, &key, sp, &ret, &cause) != 0)
		ret = httpd_unavailable(r, "day page", cause);
out:
	store_rep_clear(&rep);
	free(hash);
	return ret;
}

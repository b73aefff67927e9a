/* feeds.c - a rep's follow-up and birthday feeds, from the store through
 * feed.h. */
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "date.h"
#include "feed.h"
#include "feeds.h"
#include "i18n.h"
#include "reason.h"
#include "replink.h"
#include "store_keydate.h"
#include "store_page.h"
#include "store_task.h"
#include "util.h"

#define FEEDS_REFRESH_MINUTES 60 /* REFRESH-INTERVAL suggested to clients */
#define FEEDS_LUNAR_YEARS 3	 /* lunar birthdays: last year and two more */
#define FEEDS_OWN 5		 /* strings a task's feed_task points to */

/* Today for feeds: whole UTC days, so a feed changes by itself at most
 * once a day, at the same instant for every rep. */
int32_t
feeds_day(int64_t now)
{
	return (int32_t)(now >= 0 ? now / 86400 : (now - 86399) / 86400);
}

/* How late an open task is and how often the rep tried, as a line:
 * "overdue 12 days, 2 attempts, escalated", "逾期12天，已尝试2次，已上报". */
static void
task_age(struct buf *b, const struct store_task *t, int late,
    enum i18n_lang l)
{
	if (l == I18N_ZH) {
		if (late > 0)
			buf_printf(b, "逾期%d天", late);
		if (t->attempts > 0)
			buf_printf(b, "%s已尝试%d次", late > 0 ? "，" : "",
			    t->attempts);
		if (t->escalated)
			buf_puts(b, "，已上报");
	} else {
		if (late > 0)
			buf_printf(b, "overdue %d day%s", late,
			    late == 1 ? "" : "s");
		if (t->attempts > 0)
			buf_printf(b, "%s%d attempt%s", late > 0 ? ", " : "",
			    t->attempts, t->attempts == 1 ? "" : "s");
		if (t->escalated)
			buf_puts(b, ", escalated");
	}
	buf_addc(b, '\n');
}

/* The task's age, then its reasons, a line each. */
char *
feeds_task_lines(const struct store_task *t, int32_t today, enum i18n_lang l)
{
	struct buf b;
	int late = (int)(today - t->day);

	buf_init(&b);
	if (strcmp(t->status, "open") == 0 && (late > 0 || t->attempts > 0))
		task_age(&b, t, late, l);
	reason_lines(&b, t->reason, l);
	return buf_detach(&b);
}

/* The same on one line. */
char *
feeds_task_reason(const struct store_task *t, int32_t today,
    enum i18n_lang l)
{
	char *lines = feeds_task_lines(t, today, l), *s;

	s = reason_join(lines, l);
	free(lines);
	return s;
}

/* FNV-1a of a string, to notice a renamed rep. */
static int64_t
feeds_hash(const char *s)
{
	uint64_t h = UINT64_C(14695981039346656037);

	for (; s != NULL && *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * UINT64_C(1099511628211);
	return (int64_t)(h >> 1);
}

/* The bits of a double, so equal sums compare equal with memcmp. */
static int64_t
feeds_bits(double d)
{
	int64_t v;

	memcpy(&v, &d, sizeof(v));
	return v;
}

/* Reads what a rep's feed depends on, for the HTTP cache. */
int
feeds_stamp(struct store *st, const struct store_rep *rep,
    enum feeds_kind kind, int64_t now, struct feeds_stamp *s, char **cause)
{
	struct store_feed_stamp fs;
	struct date d;
	char *hash = NULL;

	memset(s, 0, sizeof(*s));
	if (store_rep_feed_stamp(st, rep->key, &fs, cause) != 0)
		return -1;
	if (kind == FEEDS_FOLLOWUPS &&	/* the links change with the token */
	    store_rep_token_hash(st, rep->key, &hash, cause) < 0)
		return -1;
	s->v[0] = kind;
	s->v[1] = feeds_hash(rep->name) ^ feeds_hash(hash);
	free(hash);
	s->v[2] = fs.customers;
	s->v[3] = fs.customers_changed;
	s->v[4] = feeds_bits(fs.updated);
	s->v[5] = feeds_bits(fs.tiers);
	if (kind == FEEDS_FOLLOWUPS) {
		s->v[6] = fs.tasks;
		s->v[7] = fs.tasks_changed;
		s->v[8] = fs.tasks_open;
		s->v[9] = feeds_bits(fs.sequences);
		s->v[10] = feeds_bits(fs.contacts);
		s->v[11] = feeds_day(now);
	} else {
		date_from_days(feeds_day(now), &d);
		s->v[11] = d.year;
	}
	s->v[12] = feeds_hash(rep->locale);	/* the feed's language */
	return 0;
}

/* The host part of base_url, for UIDs. */
char *
feeds_uid_host(const char *base_url)
{
	const char *p = base_url ? strstr(base_url, "://") : NULL, *at, *end;
	size_t n;

	if (p == NULL)
		return xstrdup("outreachd");
	p += 3;
	n = strcspn(p, "/?#");
	if ((at = memrchr(p, '@', n)) != NULL) {
		n -= (size_t)(at + 1 - p);
		p = at + 1;
	}
	if (*p == '[' && (end = memchr(p, ']', n)) != NULL)
		n = (size_t)(end + 1 - p);	/* an IPv6 literal keeps its [] */
	else if ((end = memchr(p, ':', n)) != NULL)
		n = (size_t)(end - p);
	return n > 0 ? xstrndup(p, n) : xstrdup("outreachd");
}

/* The public URL of one of a rep's feeds. */
char *
feeds_url(const struct conf *cf, const char *token, enum feeds_kind kind)
{
	const char *base = cf->http.base_url;
	size_t n = strlen(base);

	while (n > 0 && base[n - 1] == '/')
		n--;
	return xasprintf("%.*s/feeds/%s/%s.ics", (int)n, base, token,
	    feeds_kind_name(kind));
}

/* The language of a rep's feeds: theirs, else the company's. */
static enum i18n_lang
feeds_lang(const struct conf *cf, const struct store_rep *rep)
{
	return i18n_lang_of(rep->locale, cf->locale);
}

/* A VEVENT's summary: what to do, with whom, in the rep's language. */
static char *
task_summary(const struct store_task *t, enum i18n_lang l)
{
	return i18n_task_title(l, t->kind, t->customer ? t->customer :
	    t->external_id, t->tier);
}

/* Tasks taken over from the store's callback. */
struct task_list {
	struct store_task *v;
	size_t n;
};

/* Keeps a task: the callback's struct is cleared after it returns, so
 * its strings move into the list. */
static int
task_take(void *arg, const struct store_task *t)
{
	struct task_list *l = arg;

	l->v = xreallocarray(l->v, l->n + 1, sizeof(*l->v));
	l->v[l->n++] = *t;
	memset((struct store_task *)t, 0, sizeof(*t));
	return 0;
}

/* Fills one feed_task; the strings it points to live in t and own[]. */
static void
task_fill(const struct store_task *t, const char *host, int32_t today,
    enum i18n_lang l, struct feed_task *f, char **own, char lc[11])
{
	f->url = own[4];
	own[0] = xasprintf("task-%lld@%s", (long long)t->id, host);
	own[3] = feeds_task_reason(t, today, l);
	own[1] = task_summary(t, l);
	if (!str_empty(t->note))
		own[2] = xasprintf("%s%s%s", t->notes ? t->notes : "",
		    t->notes ? "\n" : "", t->note);
	f->uid = own[0];
	f->summary = own[1];
	f->due = t->day;
	f->kind = t->kind;
	f->tier = t->tier;
	f->customer = t->customer;
	f->phone = t->phone;
	f->email = t->email;
	if (t->last_contact != DAY_NONE) {
		date_format(t->last_contact, lc);
		f->last_contact = lc;
	}
	f->reason = own[3];
	f->notes = own[2] != NULL ? own[2] : t->notes; /* + the rep's note */
	f->status = strcmp(t->status, "done") == 0 ? FEED_DONE :
	    strcmp(t->status, "cancelled") == 0 ? FEED_CANCELLED : FEED_OPEN;
	f->created = t->created_at;
	f->modified = t->modified_at;
	f->sequence = t->sequence;
	f->completed = f->status == FEED_DONE ? t->done_at : 0;
}

/* The signed link of each task (own[FEEDS_OWN * i + 4]), when the rep has
 * a feed token and the store a link key. */
static int
task_links(struct store *st, const struct conf *cf,
    const struct store_rep *rep, const struct task_list *l, char **own,
    char **cause)
{
	unsigned char key[TOKEN_SECRET_LEN];
	char *hash = NULL, *link;
	size_t i;
	int rc;

	if ((rc = store_rep_token_hash(st, rep->key, &hash, cause)) <= 0)
		return rc;
	if ((rc = replink_secret(st, key, 0, cause)) <= 0) {
		free(hash);
		return rc;
	}
	for (i = 0; i < l->n; i++) {
		link = replink_make(key, rep->id, l->v[i].id, hash);
		own[FEEDS_OWN * i + 4] = replink_url(cf->http.base_url, link);
		free(link);
	}
	memset(key, 0, sizeof(key));
	free(hash);
	return 0;
}

/* The options every feed of a rep shares. */
static void
feeds_opts(const struct conf *cf, const struct store_rep *rep,
    enum feeds_kind kind, int64_t modified, struct feed_opts *o, char **name)
{
	memset(o, 0, sizeof(*o));
	o->lang = feeds_lang(cf, rep);
	*name = xasprintf("%s \xe2\x80\x93 %s", rep->name ? rep->name : rep->key,
	    i18n(o->lang, kind == FEEDS_FOLLOWUPS ? MSG_FEED_FOLLOWUPS :
	    MSG_FEED_BIRTHDAYS));
	o->calname = *name;
	o->prodid_version = PACKAGE_VERSION;
	o->with_vtodo = kind == FEEDS_FOLLOWUPS && cf->http.with_vtodo;
	o->alarm_minutes = kind == FEEDS_FOLLOWUPS ? cf->http.alarm_minutes : 0;
	o->refresh_minutes = FEEDS_REFRESH_MINUTES;
	o->tzid = cf->timezone;
	o->now = modified;
}

/* The follow-up feed: open tasks and recently closed ones. */
static int
render_tasks(struct store *st, const struct conf *cf,
    const struct store_rep *rep, int64_t now, int64_t modified,
    struct feeds_doc *doc, char **cause)
{
	struct task_list l = { NULL, 0 };
	struct feed_task *ft;
	struct feed_opts o;
	char **own, (*lc)[11], *host, *name;
	int64_t since;
	size_t i, n;
	int rc = 0;

	since = ((int64_t)feeds_day(now) - cf->http.done_visible_days) * 86400;
	if (store_task_each(st, rep->key, since, task_take, &l, cause) != 0)
		return -1;
	n = l.n;
	ft = xcalloc(l.n + 1, sizeof(*ft));
	own = xcalloc(FEEDS_OWN * l.n + 1, sizeof(*own));
	lc = xcalloc(l.n + 1, sizeof(*lc));
	host = feeds_uid_host(cf->http.base_url);
	if (task_links(st, cf, rep, &l, own, cause) != 0)
		l.n = 0, rc = -1;
	for (i = 0; i < l.n; i++)
		task_fill(&l.v[i], host, feeds_day(now), feeds_lang(cf, rep),
		    &ft[i], own + FEEDS_OWN * i, lc[i]);
	feeds_opts(cf, rep, FEEDS_FOLLOWUPS, modified, &o, &name);
	if (rc == 0)
		rc = feed_render_tasks(ft, l.n, &o, &doc->data, &doc->len,
		    cause);
	doc->events = l.n;
	for (i = 0; i < FEEDS_OWN * l.n; i++)
		free(own[i]);
	for (i = 0; i < n; i++)
		store_task_clear(&l.v[i]);
	free(name);
	free(host);
	free(lc);
	free(own);
	free(ft);
	free(l.v);
	return rc;
}

/* Birthdays copied out of the customer walk. */
struct bday_list {
	struct feed_birthday *v;
	size_t n;
	const char *host;
	const struct conf *cf;	/* key dates' titles */
};

/* Keeps the customers that have a birthday. */
static int
bday_take(void *arg, const struct customer *c)
{
	struct bday_list *l = arg;
	struct feed_birthday *b;
	const char *tier = customer_tier(c);

	if (str_empty(c->field[CUST_BIRTHDAY]))
		return 0;
	l->v = xreallocarray(l->v, l->n + 1, sizeof(*l->v));
	b = &l->v[l->n++];
	memset(b, 0, sizeof(*b));
	b->uid = xasprintf("bday-%lld@%s", (long long)c->id, l->host);
	b->customer = xstrdup(c->field[CUST_NAME] ? c->field[CUST_NAME] :
	    c->field[CUST_EXTERNAL_ID]);
	b->birthday = xstrdup(c->field[CUST_BIRTHDAY]);
	b->phone = c->field[CUST_PHONE] ? xstrdup(c->field[CUST_PHONE]) : NULL;
	b->tier = tier ? tier[0] : 'C';
	b->modified = c->updated_at;
	return 0;
}

/* Keeps a key date of one of the rep's customers, with its title. */
static int
keydate_take(void *arg, const struct store_keydate_row *r)
{
	struct bday_list *l = arg;
	struct feed_birthday *b;

	l->v = xreallocarray(l->v, l->n + 1, sizeof(*l->v));
	b = &l->v[l->n++];
	memset(b, 0, sizeof(*b));
	b->uid = xasprintf("kd-%lld@%s", (long long)r->id, l->host);
	b->customer = xstrdup(r->customer);
	b->birthday = xstrdup(r->date);
	b->phone = r->phone ? xstrdup(r->phone) : NULL;
	b->tier = r->tier;
	b->modified = r->modified;
	b->title = xstrdup(conf_keydate_title(l->cf, r->label));
	b->once = !r->yearly;
	return 0;
}

/* The birthday calendar of a rep's customers, with their key dates. */
static int
render_birthdays(struct store *st, const struct conf *cf,
    const struct store_rep *rep, int64_t now, int64_t modified,
    struct feeds_doc *doc, char **cause)
{
	struct store_customer_filter f = { NULL, rep->key, 0, 0 };
	struct bday_list l = { NULL, 0, NULL, cf };
	struct feed_opts o;
	struct date d;
	char *host, *name;
	size_t i;
	int rc;

	host = feeds_uid_host(cf->http.base_url);
	l.host = host;
	rc = store_customer_each(st, &f, bday_take, &l, cause);
	if (rc == 0)
		rc = store_keydate_each_rep(st, rep->key, keydate_take, &l,
		    cause);
	if (rc == 0) {
		date_from_days(feeds_day(now), &d);
		feeds_opts(cf, rep, FEEDS_BIRTHDAYS, modified, &o, &name);
		rc = feed_render_birthdays(l.v, l.n, cf->plan.feb29, d.year - 1,
		    FEEDS_LUNAR_YEARS, &o, &doc->data, &doc->len, cause);
		doc->events = l.n;
		free(name);
	}
	for (i = 0; i < l.n; i++) {
		free((char *)l.v[i].uid);
		free((char *)l.v[i].customer);
		free((char *)l.v[i].birthday);
		free((char *)l.v[i].phone);
		free((char *)l.v[i].title);
	}
	free(l.v);
	free(host);
	return rc;
}

/* Renders a rep's follow-up or birthday feed. */
int
feeds_render(struct store *st, const struct conf *cf,
    const struct store_rep *rep, enum feeds_kind kind, int64_t now,
    struct feeds_doc *doc, char **cause)
{
	struct store_feed_stamp fs;
	int rc;

	memset(doc, 0, sizeof(*doc));
	if (store_rep_feed_stamp(st, rep->key, &fs, cause) != 0)
		return -1;
	doc->modified = fs.customers_changed;
	if (kind == FEEDS_FOLLOWUPS && fs.tasks_changed > doc->modified)
		doc->modified = fs.tasks_changed;
	if (kind == FEEDS_FOLLOWUPS)
		rc = render_tasks(st, cf, rep, now, doc->modified, doc, cause);
	else
		rc = render_birthdays(st, cf, rep, now, doc->modified, doc, cause);
	if (rc != 0) {
		memset(doc, 0, sizeof(*doc));
		return -1;
	}
	doc->etag = feed_etag(doc->data, doc->len);
	return 0;
}

/* Frees a rendered feed. */
void
feeds_doc_free(struct feeds_doc *doc)
{
	free(doc->data);
	free(doc->etag);
	memset(doc, 0, sizeof(*doc));
}

/* digest.c - the reps' and managers' morning e-mail (digest.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "date.h"
#include "date_zone.h"
#include "digest.h"
#include "escalate.h"
#include "i18n.h"
#include "log.h"
#include "reason.h"
#include "replink.h"
#include "store_outbox.h"
#include "store_page.h"
#include "store_task.h"
#include "team.h"
#include "util.h"

/* An open task as a digest shows it.  Strings owned. */
struct digest_item {
	int64_t id;
	int32_t day;
	char tier;
	char *kind;
	char *who;
	char *reason;
	char *phone;
};

struct digest_list {
	struct digest_item *v;
	size_t n, cap;
	int32_t through;	/* only tasks due by then */
};

/* What one call of digest_queue() works with. */
struct digest_run {
	const struct conf *cf;
	const struct tmpl_set *ts;
	struct store *st;
	int64_t now;
	unsigned char key[TOKEN_SECRET_LEN];
	int have_key;		/* links can be signed */
	struct team team;	/* for managers, loaded once */
	int team_loaded;
};

/* The values the template sees; strings owned. */
struct digest_vals {
	const struct conf *cf;
	const struct store_rep *rep;
	char date[11];
	char count[24];
	char overdue[24];
	char *tasks;
	char *escalations;
	char *team;
};

static void
digest_list_free(struct digest_list *l)
{
	struct digest_item *it;
	size_t i;

	for (i = 0; i < l->n; i++) {
		it = &l->v[i];
		free(it->kind);
		free(it->who);
		free(it->reason);
		free(it->phone);
	}
	free(l->v);
	memset(l, 0, sizeof(*l));
}

static char *
dup_or_null(const char *s)
{
	return s != NULL ? xstrdup(s) : NULL;
}

/* store_task_each callback: keeps open tasks due by l->through. */
static int
digest_take(void *arg, const struct store_task *t)
{
	struct digest_list *l = arg;
	struct digest_item *it;

	if (strcmp(t->status, "open") != 0 || t->day > l->through)
		return 0;
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 16;
		l->v = xreallocarray(l->v, l->cap, sizeof(*l->v));
	}
	it = &l->v[l->n++];
	it->id = t->id;
	it->day = t->day;
	it->tier = t->tier;
	it->kind = xstrdup(t->kind);
	it->who = xstrdup(t->customer ? t->customer : t->external_id);
	it->reason = dup_or_null(t->reason);
	it->phone = dup_or_null(t->phone);
	return 0;
}

/* A first, then the longest overdue, as on the rep's day page. */
static int
digest_item_cmp(const void *a, const void *b)
{
	const struct digest_item *x = a, *y = b;

	if (x->tier != y->tier)
		return x->tier < y->tier ? -1 : 1;
	if (x->day != y->day)
		return x->day < y->day ? -1 : 1;
	return x->id < y->id ? -1 : x->id > y->id;
}

/* "overdue 3 days" / "逾期3天", or "today". */
static void
digest_when(struct buf *b, enum i18n_lang l, int32_t day, int32_t today)
{
	int late = (int)(today - day);

	if (late <= 0)
		buf_puts(b, i18n(l, MSG_TODAY));
	else if (l == I18N_ZH)
		buf_printf(b, "%s%d天", i18n(l, MSG_OVERDUE), late);
	else
		buf_printf(b, "%s %d day%s", i18n(l, MSG_OVERDUE), late,
		    late == 1 ? "" : "s");
}

/* Text on the following lines of an item, indented; newlines kept. */
static void
digest_indent(struct buf *b, const char *text)
{
	const char *p;

	buf_puts(b, "   ");
	for (p = text; *p != '\0'; p++) {
		if (*p == '\n' && p[1] != '\0')
			buf_puts(b, "\n   ");
		else if (*p != '\n')
			buf_addc(b, *p);
	}
	buf_addc(b, '\n');
}

/* A section's text without its last newline: the template places it. */
static char *
digest_detach(struct buf *b)
{
	if (b->len > 0 && b->data[b->len - 1] == '\n')
		b->data[--b->len] = '\0';
	return buf_detach(b);
}

/* The rep's own tasks, numbered, each with its link when one can be
 * signed (the rep has a feed token and the store a link key). */
static char *
digest_tasks_text(struct digest_run *x, enum i18n_lang l,
    const struct store_rep *rep, const struct digest_list *own,
    int32_t today, char **cause)
{
	struct buf b;
	char *hash = NULL, *title, *link, *url, *why;
	const struct digest_item *it;
	size_t i;

	if (x->have_key &&
	    store_rep_token_hash(x->st, rep->key, &hash, cause) < 0)
		return NULL;
	buf_init(&b);
	for (i = 0; i < own->n; i++) {
		it = &own->v[i];
		title = i18n_task_title(l, it->kind, it->who, it->tier);
		buf_printf(&b, "%zu. %s \xe2\x80\x94 ", i + 1, title);
		digest_when(&b, l, it->day, today);
		buf_addc(&b, '\n');
		free(title);
		if (!str_empty(it->reason)) {
			why = reason_text(it->reason, l);
			digest_indent(&b, why);
			free(why);
		}
		if (!str_empty(it->phone))
			buf_printf(&b, "   %s: %s\n", i18n(l, MSG_PHONE),
			    it->phone);
		if (hash != NULL) {
			link = replink_make(x->key, rep->id, it->id, hash);
			url = replink_url(x->cf->http.base_url, link);
			buf_printf(&b, "   %s\n", url);
			free(link);
			free(url);
		}
	}
	free(hash);
	return digest_detach(&b);
}

/* Why a task is escalated, in the manager's language. */
static void
digest_why(struct buf *b, enum i18n_lang l, const struct store_task *t,
    unsigned mask, int overdue, const int after_days[3])
{
	char *why;

	if (l != I18N_ZH) {
		why = escalate_why(mask, overdue, t->tier, after_days,
		    t->attempts);
		buf_puts(b, why);
		free(why);
		return;
	}
	if (mask & ESCALATE_OVERDUE)
		buf_printf(b, "逾期%d天", overdue);
	if (mask == (ESCALATE_OVERDUE | ESCALATE_ATTEMPTS))
		buf_puts(b, "；");
	if (mask & ESCALATE_ATTEMPTS)
		buf_printf(b, "%d次未联系上", t->attempts);
}

/* A rep of the team as a manager reads them. */
static void
digest_team_rep(struct buf *b, enum i18n_lang l, const struct team_rep *tr)
{
	const char *key = tr->key ? tr->key : "-";

	if (tr->name != NULL)
		buf_printf(b, "%s (%s)", tr->name, key);
	else
		buf_puts(b, tr->key ? key : l == I18N_ZH ? "未分配" :
		    "Unassigned");
}

/* The escalated tasks of every other rep, under the rep's name (team.h):
 * the manager's own are in their list already. */
static char *
digest_escalations_text(struct digest_run *x, enum i18n_lang l,
    const char *self, size_t *n)
{
	const int *after = x->cf->plan.task_escalate_days;
	const struct team_rep *tr;
	const struct store_task *t;
	struct buf b;
	char *title;
	size_t i, k;
	unsigned mask;
	int overdue;

	buf_init(&b);
	*n = 0;
	for (i = 0; i < x->team.n; i++) {
		tr = &x->team.reps[i];
		if (tr->ntasks == 0 || (tr->key && strcmp(tr->key, self) == 0))
			continue;
		if (*n > 0)
			buf_addc(&b, '\n');
		digest_team_rep(&b, l, tr);
		buf_addc(&b, '\n');
		for (k = 0; k < tr->ntasks; k++) {
			t = &tr->tasks[k];
			title = i18n_task_title(l, t->kind, t->customer ?
			    t->customer : t->external_id, t->tier);
			buf_printf(&b, l == I18N_ZH ? "  - %s\xef\xbc\x9a" :
			    "  - %s: ", title);
			mask = escalate_task(t, tr->today, after, &overdue);
			digest_why(&b, l, t, mask, overdue, after);
			buf_addc(&b, '\n');
			free(title);
			(*n)++;
		}
	}
	return digest_detach(&b);
}

/* Each other rep's overdue count, for managers; *overdue_all the sum. */
static char *
digest_team_text(struct digest_run *x, enum i18n_lang l, const char *self,
    long *overdue_all)
{
	const struct team_rep *tr;
	struct buf b;
	size_t i;

	buf_init(&b);
	*overdue_all = 0;
	for (i = 0; i < x->team.n; i++) {
		tr = &x->team.reps[i];
		if (tr->overdue == 0 || (tr->key && strcmp(tr->key, self) == 0))
			continue;
		digest_team_rep(&b, l, tr);
		buf_printf(&b, l == I18N_ZH ? "：逾期 %ld\n" : ": %ld overdue\n",
		    tr->overdue);
		*overdue_all += tr->overdue;
	}
	return digest_detach(&b);
}

static const char *
nonempty(const char *s)
{
	return str_empty(s) ? NULL : s;
}

/* The template's lookup. */
static const char *
digest_lookup(void *arg, const char *name)
{
	const struct digest_vals *v = arg;

	if (strcmp(name, "rep.name") == 0)
		return nonempty(v->rep->name);
	if (strcmp(name, "rep.email") == 0)
		return nonempty(v->rep->email);
	if (strcmp(name, "rep.phone") == 0)
		return nonempty(v->rep->phone);
	if (strcmp(name, "company") == 0)
		return nonempty(v->cf->company);
	if (strcmp(name, "digest.date") == 0)
		return v->date;
	if (strcmp(name, "digest.count") == 0)
		return v->count;
	if (strcmp(name, "digest.overdue") == 0)
		return v->overdue;
	if (strcmp(name, "digest.tasks") == 0)
		return nonempty(v->tasks);
	if (strcmp(name, "digest.escalations") == 0)
		return nonempty(v->escalations);
	if (strcmp(name, "digest.team") == 0)
		return nonempty(v->team);
	return NULL;
}

/* Fills what the template of rep's digest sees: 1 when there is
 * something to say, 0 when not, -1 on error. */
static int
digest_fill(struct digest_run *x, const struct store_rep *rep,
    enum i18n_lang l, int32_t today, struct digest_vals *v, char **cause)
{
	struct digest_list own = { .through = today };
	size_t nesc = 0, i;
	long late = 0, team_late = 0;
	int say;

	if (store_task_each(x->st, rep->key, x->now, digest_take, &own,
	    cause) != 0)
		goto fail;
	if (own.n > 0)
		qsort(own.v, own.n, sizeof(*own.v), digest_item_cmp);
	for (i = 0; i < own.n; i++)
		late += own.v[i].day < today;
	snprintf(v->count, sizeof(v->count), "%zu", own.n);
	snprintf(v->overdue, sizeof(v->overdue), "%ld", late);
	date_format(today, v->date);
	if ((v->tasks = digest_tasks_text(x, l, rep, &own, today,
	    cause)) == NULL)
		goto fail;
	if (team_is_manager(x->cf, rep->key)) {
		if (!x->team_loaded && team_load(x->st, x->cf, x->now,
		    &x->team, cause) != 0)
			goto fail;
		x->team_loaded = 1;
		v->escalations = digest_escalations_text(x, l, rep->key, &nesc);
		v->team = digest_team_text(x, l, rep->key, &team_late);
	}
	say = own.n > 0 || nesc > 0 || team_late > 0;
	digest_list_free(&own);
	return say;
fail:
	digest_list_free(&own);
	return -1;
}

static void
digest_vals_clear(struct digest_vals *v)
{
	free(v->tasks);
	free(v->escalations);
	free(v->team);
	memset(v, 0, sizeof(*v));
}

int
digest_queue_mail(const struct conf *cf, struct store *st,
    const struct store_rep *rep, const char *key, int32_t day,
    const struct tmpl_rendered *out, int64_t now, char **cause)
{
	struct outbox_msg m = { 0 };
	time_t end;

	m.dedup_key = (char *)key;
	m.rep_id = rep->id;
	m.channel = CHANNEL_EMAIL;
	m.recipient = rep->email;
	m.recipient_name = rep->name;
	m.from_name = cf->email.from_name;
	m.subject = out->subject;
	m.body = out->text;
	m.html = out->html;
	m.day = day;
	m.timezone = rep->timezone;
	m.state = OUTBOX_PENDING;
	m.not_before = now;
	/* A mail for its day: one that could not go out by the end of it
	 * expires rather than arrive the next day. */
	if (date_local_to_utc(day + 1, 0, rep->timezone ? rep->timezone :
	    cf->timezone, &end, NULL) == 0)
		m.expires_at = (int64_t)end;
	return store_outbox_insert(st, &m, now, NULL, cause) < 0 ? -1 : 0;
}

/* Renders and queues the digest keyed key: 0, or -1 with *cause. */
static int
digest_send(struct digest_run *x, const struct store_rep *rep,
    const char *locale, const char *key, int32_t today,
    struct digest_vals *v, char **cause)
{
	const struct tmpl_msg *msg;
	struct tmpl_rendered out;
	int rc;

	if ((msg = tmpl_set_find(x->ts, "digest", "email", locale)) == NULL)
		return set_error(cause, "no template digest.email.tmpl in %s",
		    x->cf->templates);
	if (tmpl_msg_render(msg, digest_lookup, v, &out, cause) != 0)
		return -1;
	rc = digest_queue_mail(x->cf, x->st, rep, key, today, &out, x->now,
	    cause);
	tmpl_rendered_free(&out);
	return rc;
}

/* The language a rep reads: their own, else the company's. */
static const char *
digest_locale(const struct digest_run *x, const struct store_rep *rep)
{
	return !str_empty(rep->locale) ? rep->locale : x->cf->locale;
}

/* Queues rep's digest of today when its hour has come: 1 queued, 0 not
 * (not yet, done already, nothing to say), -1 on error. */
static int
digest_rep(struct digest_run *x, const struct store_rep *rep, char **cause)
{
	const char *tz = rep->timezone ? rep->timezone : x->cf->timezone;
	const char *locale = digest_locale(x, rep);
	struct digest_vals v = { .cf = x->cf, .rep = rep };
	int32_t today;
	int secs, rc;
	char d[11], *key;

	if (date_today((time_t)x->now, tz, &today, cause) != 0 ||
	    date_local_seconds((time_t)x->now, tz, &secs, cause) != 0)
		return -1;
	if (secs / 3600 < x->cf->plan.digest_hour)
		return 0;
	date_format(today, d);
	key = xasprintf("digest:%s:%s", rep->key, d);
	if ((rc = store_outbox_has(x->st, key, cause)) == 0 &&
	    (rc = digest_fill(x, rep, i18n_lang(locale), today, &v,
	    cause)) == 1) {
		if ((rc = digest_send(x, rep, locale, key, today, &v,
		    cause)) == 0) {
			log_info("%s: queued for %s: %s tasks, %s overdue", key,
			    rep->email, v.count, v.overdue);
			rc = 1;
		}
	} else if (rc == 1)
		rc = 0;
	digest_vals_clear(&v);
	free(key);
	return rc;
}

/* The reps a mail goes to: they take the digest, have an address and,
 * when managers_only, manage. */
struct digest_reps {
	const struct conf *cf;
	int managers_only;
	struct store_rep *v;
	size_t n, cap;
};

/* store_rep_each callback: keeps the reps a mail goes to. */
static int
digest_take_rep(void *arg, const struct store_rep *r)
{
	struct digest_reps *l = arg;

	if (!r->digest || str_empty(r->email) || (l->managers_only &&
	    !team_is_manager(l->cf, r->key)))
		return 0;
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 8;
		l->v = xreallocarray(l->v, l->cap, sizeof(*l->v));
	}
	store_rep_copy(&l->v[l->n++], r);
	return 0;
}

int
digest_each_rep(const struct conf *cf, struct store *st, int managers_only,
    const char *what, unsigned char key[TOKEN_SECRET_LEN], int *have_key,
    digest_rep_fn fn, void *arg, unsigned long *n, char **cause)
{
	struct digest_reps reps = { .cf = cf, .managers_only = managers_only };
	char *why = NULL;
	size_t i;
	int rc = 0, r;

	if (n != NULL)
		*n = 0;
	if ((r = replink_secret(st, key, 0, cause)) < 0 ||
	    store_rep_each(st, digest_take_rep, &reps, cause) != 0)
		rc = -1;
	*have_key = r == 1;
	/* One rep's failure (a zone gone from the tz database) does not
	 * hold back the others' mails. */
	for (i = 0; rc == 0 && i < reps.n; i++) {
		if ((r = fn(arg, &reps.v[i], &why)) < 0) {
			log_err("%s for %s: %s", what, reps.v[i].key, why);
			free(why);
			why = NULL;
		} else if (r == 1 && n != NULL)
			(*n)++;
	}
	for (i = 0; i < reps.n; i++)
		store_rep_clear(&reps.v[i]);
	free(reps.v);
	return rc;
}

/* digest_each_rep's callback: one rep's digest. */
static int
digest_rep_cb(void *arg, const struct store_rep *rep, char **why)
{
	return digest_rep(arg, rep, why);
}

int
digest_queue(const struct conf *cf, const struct tmpl_set *ts,
    struct store *st, int64_t now, unsigned long *n, char **cause)
{
	struct digest_run x = { .cf = cf, .ts = ts, .st = st, .now = now };
	int rc;

	if (n != NULL)
		*n = 0;
	if (!cf->plan.digest_enabled)
		return 0;
	rc = digest_each_rep(cf, st, 0, "digest", x.key, &x.have_key,
	    digest_rep_cb, &x, n, cause);
	team_clear(&x.team);
	memset(x.key, 0, sizeof(x.key));
	return rc;
}

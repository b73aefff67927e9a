/* deliver_queue.c - planned message items become rendered outbox rows. */
#include <stdlib.h>
#include <string.h>

#include "date.h"
#include "deliver.h"
#include "deliver_priv.h"
#include "log.h"
#include "planner.h"
#include "render.h"
#include "store_outbox.h"
#include "store_plan.h"
#include "token.h"
#include "util.h"

int
deliver_secret(struct store *st, unsigned char *secret, char **cause)
{
	char *hex = NULL;
	int rc;

	if ((rc = store_state_get(st, "unsubscribe_secret", &hex, cause)) < 0)
		return -1;
	if (rc == 1 && token_unhex(hex, secret, TOKEN_SECRET_LEN) == 0) {
		free(hex);
		return 0;
	}
	free(hex);
	if (token_random(secret, TOKEN_SECRET_LEN) != 0)
		return set_error(cause, "cannot read random bytes: %m");
	hex = token_hex(secret, TOKEN_SECRET_LEN);
	rc = store_state_set(st, "unsubscribe_secret", hex, cause);
	free(hex);
	return rc;
}

char *
deliver_unsub_url(const struct conf *cf, const unsigned char *secret,
    int64_t item_id, int64_t customer_id, const char *channel)
{
	char *tok = token_unsub_make(secret, item_id, customer_id, channel[0]);
	char *url = xasprintf("%s/u/%s", cf->http.base_url, tok);

	free(tok);
	return url;
}

static const struct conf_rule *
rule_find(const struct conf *cf, const char *name)
{
	size_t i;

	for (i = 0; i < cf->nrules; i++) {
		if (strcmp(cf->rules[i].name, name) == 0)
			return &cf->rules[i];
	}
	return NULL;
}

/* The start of the day's sending window in the customer's zone: the end
 * of quiet hours, or midnight when there are none. */
int64_t
deliver_window_start(const struct conf *cf, int32_t day, const char *tz)
{
	const struct conf_delivery *d = &cf->delivery;
	int secs = d->quiet_start == d->quiet_end ? 0 : d->quiet_end * 60;
	time_t t;

	if (date_local_to_utc(day, secs, tz, &t, NULL) != 0)
		return (int64_t)day * 86400 + secs;
	return (int64_t)t;
}

/* Items are copied out of the query first: the store is written after. */
struct pending {
	struct queued_item *v;
	size_t n, cap;
};

static int
collect_item(void *arg, const struct queued_item *it)
{
	struct pending *p = arg;
	struct queued_item *c;

	if (p->n == p->cap) {
		p->cap = p->cap ? p->cap * 2 : 64;
		p->v = xreallocarray(p->v, p->cap, sizeof(*p->v));
	}
	c = &p->v[p->n++];
	*c = *it;
	c->dedup_key = xstrdup(it->dedup_key);
	c->rule = xstrdup(it->rule);
	c->external_id = xstrdup(it->external_id);
	c->channel = xstrdup(it->channel ? it->channel : "email");
	return 0;
}

static void
pending_free(struct pending *p)
{
	size_t i;

	for (i = 0; i < p->n; i++) {
		free((char *)p->v[i].dedup_key);
		free((char *)p->v[i].rule);
		free((char *)p->v[i].external_id);
		free((char *)p->v[i].channel);
	}
	free(p->v);
}

/* The rep gets the job a message could not do. */
static int
fallback_task(struct deliver *d, const struct queued_item *it,
    const char *why, int64_t now, char **cause)
{
	char *key = xasprintf("%s:task", it->dedup_key);
	char *reason = xasprintf("greeting not sent (%s): please get in touch "
	    "personally", why);
	struct plan_row row = {
		.dedup_key = key, .rule = it->rule, .event = "message",
		.customer_id = it->customer_id, .day = it->day,
		.occurrence = it->occurrence, .action = "task",
		.task_kind = "call", .reason = reason,
	};
	int rc = store_plan_insert(d->st, &row, now, cause);

	free(key);
	free(reason);
	return rc < 0 ? -1 : 0;
}

/* Fills the outbox row of a rendered message. */
static void
fill_row(struct deliver *d, const struct queued_item *it,
    const struct customer *c, const struct store_rep *rep,
    const struct render_output *o, int64_t now, struct outbox_msg *m)
{
	int email = strcmp(it->channel, "email") == 0;
	const char *tz = c->field[CUST_TIMEZONE] ? c->field[CUST_TIMEZONE] :
	    d->cf->timezone;
	int64_t start = deliver_window_start(d->cf, it->day, tz);

	memset(m, 0, sizeof(*m));
	m->dedup_key = xasprintf("%s:%s", it->dedup_key, it->channel);
	m->item_id = it->item_id;
	m->customer_id = it->customer_id;
	m->channel = (char *)it->channel;
	m->recipient = email ? c->field[CUST_EMAIL] : c->field[CUST_PHONE];
	m->recipient_name = c->field[CUST_NAME];
	m->from_name = rep && rep->name ? (d->cf->email.from_name ?
	    xasprintf("%s | %s", rep->name, d->cf->email.from_name) :
	    xstrdup(rep->name)) : d->cf->email.from_name ?
	    xstrdup(d->cf->email.from_name) : NULL;
	m->reply_to = o->msg.reply_to ? o->msg.reply_to :
	    (rep ? rep->email : NULL);
	m->subject = o->msg.subject;
	m->body = o->msg.text;
	m->html = o->msg.html;
	m->day = it->day;
	m->timezone = (char *)tz;
	m->not_before = start > now ? start : now;
}

static int
queue_one(struct deliver *d, const struct tmpl_set *ts,
    const struct queued_item *it, int64_t now, struct deliver_stats *s,
    char **cause)
{
	struct customer c;
	struct store_rep rep = { 0 };
	struct render_input in = { 0 };
	struct render_output o = { 0 };
	struct outbox_msg m;
	char *why = NULL, *url = NULL;
	int rc;

	customer_init(&c);
	if ((rc = store_customer_get(d->st, it->external_id, &c, cause)) < 0)
		return -1;
	in.rule = rule_find(d->cf, it->rule);
	if (c.field[CUST_REP] != NULL)
		store_rep_get(d->st, c.field[CUST_REP], &rep, NULL);
	if (in.rule == NULL || in.rule->action != ACT_MESSAGE)
		why = xasprintf("rule %s is no longer configured", it->rule);
	else {
		if (strcmp(it->channel, "email") == 0)
			url = deliver_unsub_url(d->cf, d->secret, it->item_id,
			    it->customer_id, it->channel);
		in.cf = d->cf, in.c = &c, in.rep = rep.key ? &rep : NULL;
		in.channel = it->channel, in.day = it->day;
		in.event_day = it->occurrence;
		in.years = planner_event_years(in.rule->event,
		    c.field[CUST_BIRTHDAY], c.field[CUST_ANNIVERSARY],
		    it->occurrence);
		in.unsubscribe_url = url;
		if (render_message(ts, &in, &o, &why) == 0 &&
		    (strcmp(it->channel, "email") == 0 ? c.field[CUST_EMAIL] :
		    c.field[CUST_PHONE]) == NULL)
			why = xasprintf("no %s for this customer any more",
			    it->channel);
	}
	rc = 0;
	if (why != NULL) {
		log_info("%s: %s: not sent: %s", it->dedup_key, it->external_id,
		    why);
		s->unrenderable++;
		rc = fallback_task(d, it, why, now, cause);
	} else {
		fill_row(d, it, &c, in.rep, &o, now, &m);
		rc = store_outbox_insert(d->st, &m, now, NULL, cause);
		s->queued += rc == 1;
		free(m.dedup_key);
		free(m.from_name);
		rc = rc < 0 ? -1 : 0;
	}
	if (rc == 0)
		rc = store_item_mark_queued(d->st, it->item_id, why, cause);
	render_output_free(&o);
	free(why);
	free(url);
	store_rep_clear(&rep);
	customer_clear(&c);
	return rc;
}

int
deliver_queue(struct deliver *d, const struct tmpl_set *ts, int64_t now,
    struct deliver_stats *s, char **cause)
{
	struct pending p = { 0 };
	size_t i;
	int rc = 0;

	do {
		pending_free(&p);
		memset(&p, 0, sizeof(p));
		if (store_items_unqueued(d->st, 500, collect_item, &p,
		    cause) != 0)
			return -1;
		if (p.n == 0)
			break;
		if (store_begin(d->st, cause) != 0) {
			rc = -1;
			break;
		}
		for (i = 0; rc == 0 && i < p.n; i++)
			rc = queue_one(d, ts, &p.v[i], now, s, cause);
		if (rc == 0)
			rc = store_commit(d->st, cause);
		store_rollback(d->st);
	} while (rc == 0 && p.n == 500);
	pending_free(&p);
	return rc;
}

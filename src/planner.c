/* planner.c - filters, channels, the frequency cap and item bookkeeping.
 * Which customers are due comes from planner_events.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "customer.h"
#include "date.h"
#include "date_zone.h"
#include "holdout.h"
#include "lifecycle.h"
#include "log.h"
#include "planner_priv.h"
#include "reason.h"
#include "store_holdout.h"
#include "util.h"

void
plan_list_free(struct plan_list *l)
{
	size_t i;

	if (l == NULL)
		return;
	for (i = 0; i < l->n; i++) {
		free(l->items[i].external_id);
		free(l->items[i].name);
		free(l->items[i].reason);
		free(l->items[i].dedup_key);
	}
	free(l->items);
	memset(l, 0, sizeof(*l));
}

static int
str_in(const char *s, char *const *list, size_t n)
{
	size_t i;

	for (i = 0; s != NULL && i < n; i++) {
		if (strcmp(s, list[i]) == 0)
			return 1;
	}
	return 0;
}

/* The rule's filters: tiers, reps, contact data, attributes. */
static int
planner_matches(struct planner *p, const struct plan_cand *c)
{
	const struct conf_rule *r = p->rule;
	size_t i;

	if (r->tiers != 0 && !(r->tiers & TIER_BIT(c->tier)))
		return 0;
	if (r->nreps > 0 && !str_in(c->rep, r->reps, r->nreps))
		return 0;
	if ((r->need_email && str_empty(c->email)) ||
	    (r->need_phone && str_empty(c->phone)))
		return 0;
	for (i = 0; i < r->nattrs; i++) {
		if (!store_customer_has_attr(p->st, c->id, r->attrs[i]))
			return 0;
	}
	return 1;
}

/* The key of a customer in the preview's message map. */
static void
cap_key(int64_t id, char out[24])
{
	util_int_text(id, out);
}

/* Messages already planned for the customer within the cap window ending
 * on p->day: stored ones, plus (when only previewing) this run's. */
static int
planner_cap_count(struct planner *p, int64_t id)
{
	const struct conf_plan *cp = &p->cf->plan;
	int32_t from = p->day - cp->cap_days + 1;
	const struct planner_caps *c;
	char k[24];
	int64_t idx;
	size_t i;
	int n;

	n = store_plan_messages(p->st, id, from, p->day, &p->cause);
	if (n < 0 || p->commit)
		return n;
	cap_key(id, k);
	if (!strmap_get(p->messages, k, &idx))
		return n;
	c = &p->caps[idx];
	for (i = 0; i < c->n; i++)
		n += c->days[i] >= from && c->days[i] <= p->day;
	return n;
}

static void
planner_note_message(struct planner *p, int64_t id)
{
	struct planner_caps *c;
	char k[24];
	int64_t idx;

	cap_key(id, k);
	if (!strmap_get(p->messages, k, &idx)) {
		if (p->ncaps == p->caps_cap) {
			p->caps_cap = p->caps_cap ? p->caps_cap * 2 : 256;
			p->caps = xreallocarray(p->caps, p->caps_cap,
			    sizeof(*p->caps));
		}
		memset(&p->caps[p->ncaps], 0, sizeof(*p->caps));
		idx = (int64_t)p->ncaps++;
		strmap_put(p->messages, k, idx);
	}
	c = &p->caps[idx];
	c->days = xreallocarray(c->days, c->n + 1, sizeof(*c->days));
	c->days[c->n++] = p->day;
}

static struct plan_item *
planner_append(struct planner *p)
{
	struct plan_list *l = p->out;

	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 64;
		l->items = xreallocarray(l->items, l->cap, sizeof(*l->items));
	}
	memset(&l->items[l->n], 0, sizeof(l->items[0]));
	return &l->items[l->n++];
}

/* Stores the item (commit) and restarts a revisit clock. */
static int
planner_store(struct planner *p, const struct plan_cand *c,
    enum conf_action act, const char *key, int32_t occurrence,
    const char *channel, const char *reason)
{
	const struct conf_rule *r = p->rule;
	struct plan_row row = {
		.dedup_key = key, .rule = r->name,
		.event = conf_event_name(r->event), .customer_id = c->id,
		.day = p->day, .occurrence = occurrence,
		.action = act == ACT_MESSAGE ? "message" : "task",
		.channel = channel,
		.task_kind = act == ACT_TASK ? r->task_kind :
		    act == ACT_REP_MESSAGE ? "message" : NULL,
		.reason = reason,
	};
	int rc = store_plan_insert(p->st, &row, p->now, &p->cause);
	char *entry;
	int m;

	if (rc < 0)
		return -1;
	p->stats->inserted += (unsigned long)rc;
	/* A second task for the customer on the same day joins the first
	 * as a line of its checklist (see store_plan_task_merge). */
	if (rc == 1 && act == ACT_TASK) {
		entry = reason_with_task(reason, r->task_kind);
		m = store_plan_task_merge(p->st, key, c->id, p->day, entry,
		    p->now, &p->cause);
		free(entry);
		if (m < 0)
			return -1;
		p->stats->merged += (unsigned long)m;
	}
	if (r->event == EV_REVISIT &&
	    store_plan_revisit_done(p->st, c->id, p->day, &p->cause) != 0)
		return -1;
	return rc;
}

/* At most one open follow-up per customer and purpose: while the
 * customer's revisit (lost, win-back) task is open, a new one due is not
 * added; the open one stays and grows overdue.  The revisit clock still
 * restarts, so the customer is looked at again only a cadence later.
 * 1 when kept, 0 when the item may be added, -1 on error. */
static int
planner_kept_open(struct planner *p, const struct plan_cand *c)
{
	const struct conf_rule *r = p->rule;
	int64_t id;
	int rc;

	if (r->action != ACT_TASK || (r->event != EV_REVISIT &&
	    r->event != EV_LOST && r->event != EV_SLEEPING))
		return 0;
	rc = store_plan_open_task(p->st, c->id, conf_event_name(r->event), &id,
	    &p->cause);
	if (rc <= 0)
		return rc;
	p->stats->kept_open++;
	if (r->event == EV_REVISIT) {
		strmap_put(p->revisits, c->external_id, p->day);
		if (p->commit && store_plan_revisit_done(p->st, c->id, p->day,
		    &p->cause) != 0)
			return -1;
	}
	return 1;
}

/* A message rule's control group (holdout.h): the customer gets nothing
 * and, when committing, is recorded under the message's key.  Before the
 * frequency cap, which a message not sent does not use.  1 when held
 * out, 0 when not, -1 on error. */
static int
planner_held_out(struct planner *p, const struct plan_cand *c,
    const char *key)
{
	const struct conf_rule *r = p->rule;

	if (r->holdout <= 0 || !holdout_pick(r->name, c->external_id,
	    r->holdout))
		return 0;
	if (p->commit && store_holdout_add(p->st, key, r->name, c->id, p->day,
	    p->now, &p->cause) < 0)
		return -1;
	p->stats->held_out++;
	return 1;
}

/* A greeting for the rep to send needs a rep: without one, it is sent
 * as a message rather than lost. */
static enum conf_action
planner_action(const struct conf_rule *r, const struct plan_cand *c)
{
	return r->action == ACT_REP_MESSAGE && str_empty(c->rep) ?
	    ACT_MESSAGE : r->action;
}

/* Looking ahead (store_plan_noting()): the lookups planner_consider()
 * may make for c, and nothing else; the store notes them, answering
 * neutrally, so that nothing here counts, keeps or caps. */
static int
planner_note(struct planner *p, const struct plan_cand *c,
    int32_t occurrence)
{
	char *key;

	planner_matches(p, c);
	key = planner_item_key(p->rule, c->id, occurrence);
	store_plan_exists(p->st, key, &p->cause);
	free(key);
	planner_kept_open(p, c);
	if (planner_action(p->rule, c) == ACT_MESSAGE)
		planner_cap_count(p, c->id);
	return 0;
}

int
planner_consider(struct planner *p, const struct plan_cand *c,
    int32_t occurrence, const char *reason, int years)
{
	const struct conf_rule *r = p->rule;
	const char *channel = NULL;
	struct plan_item *it;
	char *key;
	int existed, n;
	enum conf_action act = planner_action(r, c);

	if (store_plan_noting(p->st))
		return planner_note(p, c, occurrence);
	if (!planner_matches(p, c))
		return 0;
	/* Lost customers get no more messages of any kind, only rep tasks. */
	if (r->action != ACT_TASK && lifecycle_state(&p->cf->plan, p->day,
	    c->first_purchase, c->last_purchase, c->sleep_days) == LC_LOST) {
		p->stats->lost++;
		return 0;
	}
	if (r->action != ACT_TASK &&
	    (channel = customer_pick_channel((const char *const *)r->channels,
	    r->nchannels, c->channel, c->email, c->phone, c->opt_out)) == NULL) {
		p->stats->unreachable++;
		return 0;
	}
	key = planner_item_key(r, c->id, occurrence);
	if ((existed = store_plan_exists(p->st, key, &p->cause)) < 0)
		goto fail;
	if (!existed && (n = planner_kept_open(p, c)) != 0) {
		free(key);
		return n < 0 ? -1 : 0;
	}
	if (!existed && act == ACT_MESSAGE && (n = planner_held_out(p, c,
	    key)) != 0) {
		free(key);
		return n < 0 ? -1 : 0;
	}
	if (act == ACT_MESSAGE && !existed) {
		if ((n = planner_cap_count(p, c->id)) < 0)
			goto fail;
		if (n >= p->cf->plan.cap_messages) {
			p->stats->capped++;
			log_debug("%s: %s capped (%d messages in %d days)", key,
			    c->external_id, n, p->cf->plan.cap_days);
			free(key);
			return 0;
		}
	}
	if (p->commit && !existed &&
	    planner_store(p, c, act, key, occurrence, channel, reason) < 0)
		goto fail;
	if (act == ACT_MESSAGE && !p->commit && !existed)
		planner_note_message(p, c->id);
	if (r->event == EV_REVISIT)
		strmap_put(p->revisits, c->external_id, p->day);
	p->stats->items++;
	if (p->out == NULL) {
		free(key);
		return 0;
	}
	it = planner_append(p);
	it->day = p->day;
	it->occurrence = occurrence;
	it->rule = r;
	it->action = act;
	it->customer_id = c->id;
	it->external_id = xstrdup(c->external_id);
	it->name = xstrdup(c->name);
	it->tier = c->tier;
	it->channel = channel;
	it->reason = xstrdup(reason);
	it->dedup_key = key;
	it->years = years;
	it->existed = existed;
	return 0;
fail:
	free(key);
	return -1;
}

/* Sends the writes the store held (PostgreSQL), or drops them after a
 * failure; what they came to corrects the counts. */
static int
planner_release(struct store *st, int send, struct plan_stats *stats,
    char **cause)
{
	struct plan_write_counts n;
	char *why = NULL;
	int rc;

	rc = store_plan_release(st, send, &n, send ? cause : &why);
	free(why);
	stats->inserted -= n.existed;
	stats->merged += n.merged;
	return rc;
}

/* Rules in priority order, so the cap keeps the more important messages. */
static int
rule_cmp(const void *a, const void *b)
{
	const struct conf_rule *x = *(const struct conf_rule *const *)a;
	const struct conf_rule *y = *(const struct conf_rule *const *)b;

	return (x->priority > y->priority) - (x->priority < y->priority);
}

int
planner_run(struct store *st, const struct conf *cf, int32_t from, int ndays,
    int commit, int64_t now, struct plan_list *out, struct plan_stats *stats,
    char **cause)
{
	struct planner p = { .st = st, .cf = cf, .commit = commit, .now = now,
		.out = out, .stats = stats };
	const struct conf_rule **order;
	int32_t today;
	size_t i;
	int rc = 0;

	memset(stats, 0, sizeof(*stats));
	order = xcalloc(cf->nrules + 1, sizeof(*order));
	for (i = 0; i < cf->nrules; i++)
		order[i] = &cf->rules[i];
	qsort(order, cf->nrules, sizeof(*order), rule_cmp);
	/* A committing run that starts in the past catches up after downtime:
	 * revisits overdue before today are planned for today, not for the
	 * first day caught up (a rep's calendar would show them as missed
	 * already).  A preview plans them on its first day. */
	p.backlog_day = from;
	if (commit && date_today((time_t)now, cf->timezone, &today, NULL) == 0 &&
	    today > from)
		p.backlog_day = today;
	p.revisits = strmap_new();
	p.messages = strmap_new();
	store_plan_lookahead(st, 1);
	if (commit && store_begin(st, cause) != 0)
		rc = -1;
	if (commit && rc == 0)
		store_plan_hold(st);
	for (p.day = from; rc == 0 && p.day < from + ndays; p.day++) {
		for (i = 0; rc == 0 && i < cf->nrules; i++) {
			p.rule = order[i];
			p.event_day = p.day + p.rule->lead_days;
			rc = planner_rule_day(&p);
		}
	}
	if (rc != 0 && p.cause != NULL) {
		*cause = p.cause;
		p.cause = NULL;
	}
	if (commit && planner_release(st, rc == 0, stats, cause) != 0)
		rc = -1;
	if (commit && rc == 0)
		rc = store_commit(st, cause);
	if (commit)
		store_rollback(st);
	store_plan_lookahead(st, 0);
	free(p.cause);
	strmap_free(p.revisits);
	strmap_free(p.messages);
	for (i = 0; i < p.ncaps; i++)
		free(p.caps[i].days);
	free(p.caps);
	free(order);
	return rc;
}

char *
planner_item_key(const struct conf_rule *r, int64_t customer_id,
    int32_t occurrence)
{
	struct buf b;
	char d[11];

	/* Once or twice per candidate: no printf. */
	date_format(occurrence, d);
	buf_init(&b);
	buf_puts(&b, r->name);
	buf_addc(&b, ':');
	buf_add_int(&b, customer_id);
	buf_addc(&b, ':');
	buf_add(&b, d, 10);
	return buf_detach(&b);
}

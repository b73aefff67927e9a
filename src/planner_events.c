/* planner_events.c - for one rule and day, the customers whose event is due
 * and the reason why (reason.h: stored without a language, said in the
 * reader's).  Each event is one or a few indexed store lookups keyed by
 * the event day, so the cost follows what is due. */
#include <stdlib.h>
#include <string.h>

#include "date.h"
#include "keydate.h"
#include "lifecycle.h"
#include "lunar.h"
#include "planner_priv.h"
#include "reason.h"
#include "store_keydate.h"
#include "util.h"

/* Keys (month * 100 + day) whose yearly event falls on `day`: its own, and
 * 29 February's in a common year when the policy moves it here. */
size_t
planner_md_keys(int32_t day, enum date_feb29 policy, int64_t keys[4])
{
	struct date d;
	size_t n = 0;

	date_from_days(day, &d);
	keys[n++] = d.month * 100 + d.day;
	if (!date_is_leap(d.year) && ((policy == DATE_FEB29_FEB28 &&
	    d.month == 2 && d.day == 28) || (policy == DATE_FEB29_MAR1 &&
	    d.month == 3 && d.day == 1)))
		keys[n++] = 229;
	return n;
}

/* Lunar birthday keys celebrated on `day`: the exact lunar date; day 30
 * when this month has only 29 days; a leap-month birthday in the ordinary
 * month when this year has no such leap month. */
size_t
planner_lunar_keys(int32_t day, int64_t keys[4])
{
	struct date g, next;
	struct lunar_date ld, ln;
	int gy, gm, gd, base, n = 0, last_day, no_leap;

	date_from_days(day, &g);
	date_from_days(day + 1, &next);
	if (lunar_from_gregorian(g.year, g.month, g.day, &ld, NULL) != 0 ||
	    lunar_from_gregorian(next.year, next.month, next.day, &ln,
	    NULL) != 0)
		return 0;
	base = ld.month * 100 + ld.day;
	last_day = ld.day == 29 && ln.day == 1;
	no_leap = !ld.leap && lunar_to_gregorian(ld.year, ld.month, 1, 1,
	    &gy, &gm, &gd, NULL) != 0;
	keys[n++] = base + (ld.leap ? 10000 : 0);
	if (last_day)
		keys[n++] = base + 1 + (ld.leap ? 10000 : 0);
	if (no_leap) {
		keys[n++] = 10000 + base;
		if (last_day)
			keys[n++] = 10000 + base + 1;
	}
	return (size_t)n;
}

/* Considers the customer with reason r, stored. */
static int
consider(struct planner *p, const struct plan_cand *c, int32_t occurrence,
    const struct reason *r, int years)
{
	char *stored;
	int rc;

	if (store_plan_noting(p->st))	/* looking ahead: no reason needed */
		return planner_consider(p, c, occurrence, NULL, years);
	stored = reason_encode(r);
	rc = planner_consider(p, c, occurrence, stored, years);
	free(stored);
	return rc;
}

/* A reason for the event on p->event_day, planned p->day. */
static void
event_reason(const struct planner *p, enum reason_kind kind,
    struct reason *r)
{
	reason_init(r, kind);
	r->in = (int)(p->event_day - p->day);
	r->on = p->event_day;
}

static int
birth_year(const char *s)
{
	struct date d;
	struct lunar_date ld;

	if (s == NULL)
		return 0;
	if (strncmp(s, "L:", 2) == 0)
		return lunar_parse(s, &ld, NULL) == 0 ? ld.year : 0;
	return date_parse_birthday(s, &d, NULL) == 0 ? d.year : 0;
}

int
planner_event_years(enum conf_event ev, const char *birthday,
    const char *anniversary, int32_t event_day)
{
	struct date e;
	struct lunar_date ld;
	int y;

	date_from_days(event_day, &e);
	if (ev == EV_ANNIVERSARY) {
		y = birth_year(anniversary);
		return y > 0 ? e.year - y : -1;
	}
	if (ev != EV_BIRTHDAY || (y = birth_year(birthday)) <= 0)
		return -1;
	if (strncmp(birthday, "L:", 2) != 0)
		return e.year - y;
	if (lunar_from_gregorian(e.year, e.month, e.day, &ld, NULL) != 0)
		return -1;
	return ld.year - y;
}

static int
on_birthday(void *arg, const struct plan_cand *c)
{
	struct planner *p = arg;
	struct reason r;
	int years;

	years = planner_event_years(EV_BIRTHDAY, c->birthday, NULL,
	    p->event_day);
	event_reason(p, REASON_BIRTHDAY, &r);
	r.lunar = c->birthday != NULL && strncmp(c->birthday, "L:", 2) == 0;
	r.years = years > 0 ? years : 0;
	return consider(p, c, p->event_day, &r, years);
}

static int
on_anniversary(void *arg, const struct plan_cand *c)
{
	struct planner *p = arg;
	struct reason r;
	int years;

	years = planner_event_years(EV_ANNIVERSARY, NULL, c->anniversary,
	    p->event_day);
	if (years < 1)
		return 0; /* the first year has not passed yet */
	event_reason(p, REASON_ANNIVERSARY, &r);
	r.years = years;
	return consider(p, c, p->event_day, &r, years);
}

/* A key date: every year from its own year on (the day itself too: a
 * store opens, a company is founded), or once. */
static int
on_keydate(void *arg, const struct plan_cand *c)
{
	struct planner *p = arg;
	struct reason r;
	int years;

	years = keydate_years(c->kd_date, c->kd_yearly, p->event_day);
	if (c->kd_yearly && years < 0 && keydate_year(c->kd_date) != 0)
		return 0; /* its first year has not come yet */
	event_reason(p, REASON_KEYDATE, &r);
	r.text = conf_keydate_title(p->cf, c->kd_label);
	r.lunar = keydate_is_lunar(c->kd_date);
	r.years = years > 0 ? years : 0;
	return consider(p, c, p->event_day, &r, years);
}

/* The key dates of the rule's label falling on p->event_day: yearly ones
 * by month and day (29 February by the policy) or lunar month and day,
 * once-only ones by their day. */
static int
plan_keydate(struct planner *p)
{
	const char *label = p->rule->label;
	int64_t keys[4];
	size_t n;
	int rc;

	n = planner_md_keys(p->event_day, p->cf->plan.feb29, keys);
	if ((rc = store_keydate_due(p->st, KQ_MD, label, keys, n, on_keydate,
	    p, &p->cause)) != 0)
		return rc;
	n = planner_lunar_keys(p->event_day, keys);
	if ((rc = store_keydate_due(p->st, KQ_LUNAR, label, keys, n,
	    on_keydate, p, &p->cause)) != 0)
		return rc;
	keys[0] = p->event_day;
	return store_keydate_due(p->st, KQ_DAY, label, keys, 1, on_keydate, p,
	    &p->cause);
}

/* What the revisit counts from: the last contact, with its kind and day,
 * or, for a customer never contacted, since when they are a customer.
 * (A revisit planned earlier also restarts the clock, but that is no
 * touch of the customer's, so the reason never counts from it.)  The
 * planner's revisit queries bring the contact's kind; r->via points to
 * it, or to *kind, looked up here, which the caller frees. */
static void
revisit_basis(const struct planner *p, const struct plan_cand *c,
    struct reason *r, char **kind)
{
	*kind = NULL;
	if (c->last_contact == DAY_NONE) {
		r->since = c->first_purchase != DAY_NONE &&
		    c->first_purchase < c->created_day ? c->first_purchase :
		    c->created_day;
		return;
	}
	if (!c->contact_kind_known)
		*kind = store_contact_kind(p->st, c->id, c->last_contact);
	r->since = c->last_contact;
	r->ago = (int)(p->day - c->last_contact);
	r->via = c->contact_kind_known ? c->contact_kind : *kind;
}

static int
on_revisit(void *arg, const struct plan_cand *c)
{
	struct planner *p = arg;
	int cadence = p->cf->plan.cadence[c->tier - 'A'], rc;
	struct reason r;
	int64_t planned;
	char *kind;

	/* In a preview over several days, once per cadence like the daemon. */
	if (strmap_get(p->revisits, c->external_id, &planned) &&
	    p->day - planned < cadence)
		return 0;
	if (c->revisit_from == DAY_NONE)
		return 0;
	if (p->day < p->backlog_day && c->revisit_from + cadence < p->event_day)
		return 0;	/* overdue already: planned on the backlog day */
	reason_init(&r, REASON_REVISIT);
	revisit_basis(p, c, &r, &kind);
	r.tier = c->tier;
	r.cadence = cadence;
	rc = consider(p, c, c->revisit_from + cadence, &r, -1);
	free(kind);
	return rc;
}

/* A rep asked for the next follow-up on a date (outcome "next"): that
 * date replaces the cadence once. */
static int
on_revisit_next(void *arg, const struct plan_cand *c)
{
	struct planner *p = arg;
	struct reason r;
	int64_t planned;
	char *kind;
	int rc;

	if (strmap_get(p->revisits, c->external_id, &planned) &&
	    planned >= c->revisit_next)
		return 0;
	if (p->day < p->backlog_day && c->revisit_next < p->event_day)
		return 0;
	reason_init(&r, REASON_REVISIT_NEXT);
	r.on = c->revisit_next;
	revisit_basis(p, c, &r, &kind);
	rc = consider(p, c, c->revisit_next, &r, -1);
	free(kind);
	return rc;
}

static int
on_sleeping(void *arg, const struct plan_cand *c)
{
	struct planner *p = arg;
	const struct conf_plan *cp = &p->cf->plan;
	int32_t start = c->last_purchase + lifecycle_sleep_days(cp,
	    c->sleep_days);
	struct reason r;

	/* A rep who has been in touch since the customer fell asleep is
	 * already working the account. */
	if (c->last_contact != DAY_NONE && c->last_contact >= start)
		return 0;
	/* Lost by then (the lost rule takes over), or not asleep after all
	 * (a purchase since the query's key was read). */
	if (lifecycle_state(cp, p->event_day, c->first_purchase,
	    c->last_purchase, c->sleep_days) != LC_SLEEPING)
		return 0;
	reason_init(&r, REASON_SLEEPING);
	r.ago = (int)(p->event_day - c->last_purchase);
	r.since = c->last_purchase;
	if (p->rule->action == ACT_MESSAGE) {
		r.step = p->winback_k + 1;
		r.steps = cp->winback_max;
	} else
		r.unanswered = p->winback_k != 0;
	return consider(p, c, p->event_day, &r, -1);
}

static int
on_lost(void *arg, const struct plan_cand *c)
{
	struct planner *p = arg;
	struct reason r;

	reason_init(&r, REASON_LOST);
	r.ago = (int)(p->event_day - c->last_purchase);
	r.since = c->last_purchase;
	return consider(p, c, p->event_day, &r, -1);
}

static int
on_stale(void *arg, const struct plan_cand *c)
{
	struct planner *p = arg;
	struct reason r;

	if (c->stale_since != DAY_NONE) {
		reason_init(&r, REASON_REFRESH);
		r.on = c->stale_since;
		return consider(p, c, c->stale_since, &r, -1);
	}
	reason_init(&r, REASON_STALE);
	r.ago = (int)(p->event_day - c->updated_day);
	r.since = c->updated_day;
	return consider(p, c, p->event_day, &r, -1);
}

/* A survey the day after (lead_days after) a visit or meeting: one per
 * customer and visit day, the occurrence being the visit's. */
static int
on_visited(void *arg, const struct plan_cand *c)
{
	struct planner *p = arg;
	struct reason r;

	reason_init(&r, REASON_VISITED);
	r.on = p->day - p->rule->lead_days;
	return consider(p, c, r.on, &r, -1);
}

struct holiday_ctx {
	struct planner *p;
	const char *title;
};

static int
on_holiday(void *arg, const struct plan_cand *c)
{
	struct holiday_ctx *h = arg;
	struct reason r;

	event_reason(h->p, REASON_HOLIDAY, &r);
	r.text = h->title;
	return consider(h->p, c, h->p->event_day, &r, -1);
}

static int
cmp_day(const void *a, const void *b)
{
	int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;

	return (x > y) - (x < y);
}

static int
plan_holiday(struct planner *p)
{
	const struct conf_holiday *h = conf_holiday_find(p->cf,
	    p->rule->holiday);
	struct holiday_ctx hc = { p, NULL };

	if (h == NULL || bsearch(&p->event_day, h->days, h->ndays,
	    sizeof(*h->days), cmp_day) == NULL)
		return 0;
	hc.title = h->title;
	return store_plan_query(p->st, PQ_ALL, NULL, 0, on_holiday, &hc,
	    &p->cause);
}

/* Does the configuration have a message rule for sleeping customers?  Then
 * a sleeping task waits until the win-back messages are used up. */
static int
has_winback_messages(const struct conf *cf)
{
	size_t i;

	for (i = 0; i < cf->nrules; i++) {
		if (cf->rules[i].event == EV_SLEEPING &&
		    cf->rules[i].action == ACT_MESSAGE)
			return 1;
	}
	return 0;
}

/* Win-back step k falls on last purchase + threshold + k * interval, and
 * only while the customer is not yet lost. */
static int
plan_sleeping_step(struct planner *p, int k)
{
	const struct conf_plan *cp = &p->cf->plan;
	int32_t off = k * cp->winback_interval_days;
	int64_t a[2];
	int rc;

	p->winback_k = k;
	if (cp->sleeping_after_days + off < cp->lost_after_days) {
		a[0] = p->event_day - cp->sleeping_after_days - off;
		a[1] = cp->sleeping_after_days;
		if ((rc = store_plan_query(p->st, PQ_LAST_PURCHASE, a, 2,
		    on_sleeping, p, &p->cause)) != 0)
			return rc;
	}
	/* Personal thresholds are shorter than after_days by construction. */
	a[0] = p->event_day - off;
	a[1] = cp->sleeping_after_days;
	return store_plan_query(p->st, PQ_SLEEP_PERSONAL, a, 2, on_sleeping, p,
	    &p->cause);
}

static int
plan_sleeping(struct planner *p)
{
	const struct conf_plan *cp = &p->cf->plan;
	int k, rc;

	if (p->rule->action == ACT_TASK)
		return plan_sleeping_step(p, has_winback_messages(p->cf) ?
		    cp->winback_max : 0);
	for (k = 0; k < cp->winback_max; k++) {
		if ((rc = plan_sleeping_step(p, k)) != 0)
			return rc;
	}
	return 0;
}

static int
plan_revisit(struct planner *p)
{
	int64_t a[2];
	int t, rc;

	for (t = 'A'; t <= 'C'; t++) {
		if (p->rule->tiers != 0 && !(p->rule->tiers & TIER_BIT(t)))
			continue;
		a[0] = t;
		a[1] = p->event_day - p->cf->plan.cadence[t - 'A'];
		if ((rc = store_plan_query(p->st, PQ_REVISIT, a, 2, on_revisit,
		    p, &p->cause)) != 0)
			return rc;
	}
	a[0] = p->event_day;
	return store_plan_query(p->st, PQ_REVISIT_NEXT, a, 1, on_revisit_next,
	    p, &p->cause);
}

int
planner_rule_day(struct planner *p)
{
	const struct conf_plan *cp = &p->cf->plan;
	int64_t keys[4];
	size_t n;
	int rc = 0;

	switch (p->rule->event) {
	case EV_BIRTHDAY:
		n = planner_md_keys(p->event_day, cp->feb29, keys);
		rc = store_plan_query(p->st, PQ_BIRTHDAY_MD, keys, n,
		    on_birthday, p, &p->cause);
		if (rc == 0 && (n = planner_lunar_keys(p->event_day, keys)) > 0)
			rc = store_plan_query(p->st, PQ_BIRTHDAY_LUNAR, keys, n,
			    on_birthday, p, &p->cause);
		break;
	case EV_ANNIVERSARY:
		n = planner_md_keys(p->event_day, cp->feb29, keys);
		rc = store_plan_query(p->st, PQ_ANNIVERSARY_MD, keys, n,
		    on_anniversary, p, &p->cause);
		break;
	case EV_REVISIT:
		rc = plan_revisit(p);
		break;
	case EV_SLEEPING:
		rc = plan_sleeping(p);
		break;
	case EV_LOST:
		keys[0] = p->event_day - cp->lost_after_days;
		keys[1] = 0;
		rc = store_plan_query(p->st, PQ_LAST_PURCHASE, keys, 2, on_lost,
		    p, &p->cause);
		break;
	case EV_STALE:
		keys[0] = (int64_t)(p->event_day - cp->stale_after_days) * 86400;
		keys[1] = keys[0] + 86399;
		rc = store_plan_query(p->st, PQ_UPDATED, keys, 2, on_stale, p,
		    &p->cause);
		keys[0] = p->event_day;
		if (rc == 0)
			rc = store_plan_query(p->st, PQ_STALE_FLAGGED, keys, 1,
			    on_stale, p, &p->cause);
		break;
	case EV_HOLIDAY:
		rc = plan_holiday(p);
		break;
	case EV_KEYDATE:
		rc = plan_keydate(p);
		break;
	case EV_AFTER_VISIT:
		/* The event is behind: lead_days counts after it. */
		keys[0] = p->day - p->rule->lead_days;
		rc = store_plan_query(p->st, PQ_VISITED, keys, 1, on_visited, p,
		    &p->cause);
		break;
	default:
		break;
	}
	return rc;
}

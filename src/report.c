/* report.c - building the manager's report (report.h): one walk over the
 * customers with their history, counted into cells of rep and tier; the
 * open tasks twice (counts, then the medians); the messages by rule. */
#include "report.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "customer.h"
#include "date.h"
#include "store_report.h"
#include "util.h"

/* A rep's place in the report: its index in reps (by key), found by id. */
struct rep_slot {
	int64_t id;
	size_t index;
};

/* Rep ids are small: a table by id finds each customer's cell at once
 * when the largest id is below this. */
#define REP_TABLE_MAX 100000

struct report {
	const struct conf *cf;
	struct report_opts o;
	char *rep_key;
	int nm, nb;
	int32_t *bday;			/* [nb] */
	struct report_rep *reps;	/* by key */
	size_t nreps;
	struct rep_slot *slots;		/* by id */
	size_t *by_id;			/* [id]: 1 + index, 0 none; or NULL */
	int64_t max_id;
	/* Cells: [(1 + rep index, 0 = no rep) * 3 + tier]. */
	size_t ncells;
	struct report_sum *cells;
	long *cell_states, *cell_first_in;
	/* Medians: [(rep index + 2, 0 = all, 1 = no rep) * 4 + tier + 1]. */
	long *med_n, *med_seen;
	double *med_lo, *med_hi;
	struct report_outreach *outreach;
	size_t noutreach;
	char *cause;
};

int
report_period(int32_t day, const char *from, const char *to,
    struct report_opts *o, char **cause)
{
	const char *s[2] = { from, to };
	int *m[2] = { &o->from, &o->to }, y, mo, i, n;
	struct date d;

	date_from_days(day, &d);
	o->day = day;
	o->from = d.year * 12 + d.month - 1 - 12;
	o->to = d.year * 12 + d.month - 2;
	for (i = 0; i < 2; i++) {
		if (s[i] == NULL)
			continue;
		if (sscanf(s[i], "%4d-%2d%n", &y, &mo, &n) != 2 ||
		    s[i][n] != '\0' || strlen(s[i]) != 7 || y < 1000 ||
		    mo < 1 || mo > 12)
			return set_error(cause, "\"%s\": a month is YYYY-MM",
			    s[i]);
		*m[i] = y * 12 + mo - 1;
	}
	if (from != NULL && to == NULL && o->to < o->from)
		o->to = o->from;
	if (o->to < o->from)
		return set_error(cause, "the period ends before it starts");
	if (o->to > d.year * 12 + d.month - 1)
		return set_error(cause, "the period ends after the report's "
		    "day");
	if (o->to - o->from + 1 > REPORT_MONTHS_MAX)
		return set_error(cause, "a period is at most %d months",
		    REPORT_MONTHS_MAX);
	return 0;
}

void
report_month_format(int month, char out[8])
{
	unsigned y = (unsigned)month / 12 % 10000, m = (unsigned)month % 12 + 1;

	snprintf(out, 8, "%04u-%02u", y, m);
}

/* The day before a month's first. */
static int32_t
month_eve(int month)
{
	return date_to_days(month / 12, month % 12 + 1, 1) - 1;
}

/* Boundaries: the day before the period, each month's end (at most D),
 * a year before D, D. */
static void
report_boundaries(struct report *r)
{
	int m;

	r->nm = r->o.to - r->o.from + 1;
	r->nb = r->nm + 3;
	r->bday = xcalloc((size_t)r->nb, sizeof(*r->bday));
	r->bday[0] = month_eve(r->o.from);
	for (m = 0; m < r->nm; m++) {
		r->bday[m + 1] = month_eve(r->o.from + m + 1);
		if (r->bday[m + 1] > r->o.day)
			r->bday[m + 1] = r->o.day;
	}
	r->bday[r->nm + 1] = r->o.day - 365;
	r->bday[r->nm + 2] = r->o.day;
}

static int
slot_cmp(const void *a, const void *b)
{
	const struct rep_slot *x = a, *y = b;

	return (x->id > y->id) - (x->id < y->id);
}

static int
rep_cmp(const void *a, const void *b)
{
	const struct report_rep *x = a, *y = b;

	return strcmp(x->key, y->key);
}

/* Collects the reps (only the one asked for, when one is). */
static int
collect_rep(void *arg, const struct store_rep *rep)
{
	struct report *r = arg;
	struct report_rep *p;

	if (r->rep_key != NULL && strcmp(rep->key, r->rep_key) != 0)
		return 0;
	r->reps = xreallocarray(r->reps, r->nreps + 1, sizeof(*r->reps));
	p = &r->reps[r->nreps++];
	p->id = rep->id;
	p->key = xstrdup(rep->key);
	p->name = xstrdup(rep->name);
	return 0;
}

static int
report_load_reps(struct report *r, struct store *st, char **cause)
{
	size_t i;

	if (store_rep_each(st, collect_rep, r, cause) != 0)
		return -1;
	if (r->rep_key != NULL && r->nreps == 0)
		return set_error(cause, "no rep \"%s\"", r->rep_key);
	if (r->nreps > 0)
		qsort(r->reps, r->nreps, sizeof(*r->reps), rep_cmp);
	r->slots = xcalloc(r->nreps + 1, sizeof(*r->slots));
	for (i = 0; i < r->nreps; i++) {
		r->slots[i].id = r->reps[i].id;
		r->slots[i].index = i;
	}
	if (r->nreps > 0)
		qsort(r->slots, r->nreps, sizeof(*r->slots), slot_cmp);
	r->max_id = r->nreps > 0 ? r->slots[r->nreps - 1].id : 0;
	if (r->max_id > 0 && r->max_id < REP_TABLE_MAX) {
		r->by_id = xcalloc((size_t)r->max_id + 1, sizeof(*r->by_id));
		for (i = 0; i < r->nreps; i++)
			r->by_id[r->slots[i].id] = r->slots[i].index + 1;
	}
	return 0;
}

/* 1 + the rep's index, 0 for no rep (or one not reported). */
static size_t
rep_cell(const struct report *r, int64_t rep_id)
{
	struct rep_slot key = { rep_id, 0 }, *p;

	if (rep_id <= 0 || r->nreps == 0 || rep_id > r->max_id)
		return 0;
	if (r->by_id != NULL)
		return r->by_id[rep_id];
	p = bsearch(&key, r->slots, r->nreps, sizeof(*r->slots), slot_cmp);
	return p != NULL ? p->index + 1 : 0;
}

static void
report_alloc_cells(struct report *r)
{
	size_t i;

	r->ncells = (r->nreps + 1) * 3;
	r->cells = xcalloc(r->ncells, sizeof(*r->cells));
	r->cell_states = xcalloc(r->ncells * (size_t)r->nb * LC_COUNT,
	    sizeof(long));
	r->cell_first_in = xcalloc(r->ncells * (size_t)r->nm, sizeof(long));
	for (i = 0; i < r->ncells; i++) {
		r->cells[i].states = r->cell_states + i * (size_t)r->nb *
		    LC_COUNT;
		r->cells[i].first_in = r->cell_first_in + i * (size_t)r->nm;
	}
}

/* How many of the ascending days are on or before x. */
static size_t
upto(const int32_t *days, size_t n, int32_t x)
{
	size_t lo = 0, hi = n, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (days[mid] <= x)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* The customer's state at every boundary, and the month of the first
 * purchase when it falls in the period. */
static void
count_states(struct report *r, struct report_sum *s,
    const struct report_cust *c)
{
	const struct conf_plan *cp = &r->cf->plan;
	enum lifecycle_state st;
	size_t k;
	int b, m;

	if (c->n == 0) {
		for (b = 0; b < r->nb; b++)
			s->states[b * LC_COUNT + LC_PROSPECT]++;
		return;
	}
	for (b = 0; b < r->nb; b++) {
		k = upto(c->days, c->n, r->bday[b]);
		st = k == 0 ? LC_PROSPECT : lifecycle_state(cp, r->bday[b],
		    c->days[0], c->days[k - 1], c->sleep_days);
		s->states[b * LC_COUNT + st]++;
	}
	for (m = 0; m < r->nm; m++) {
		if (c->days[0] > r->bday[m] && c->days[0] <= r->bday[m + 1])
			s->first_in[m]++;
	}
	if (c->days[0] > r->o.day - 365)
		s->new12++;
}

/* Purchases, value, and the cadence on D. */
static int
on_customer(void *arg, const struct report_cust *c)
{
	struct report *r = arg;
	struct report_sum *s = &r->cells[rep_cell(r, c->rep_id) * 3 +
	    (size_t)(c->tier - 'A')];
	int cadence = r->cf->plan.cadence[c->tier - 'A'];
	int recent = 0;
	size_t i;

	count_states(r, s, c);
	s->buyers += c->n >= 1;
	s->repeaters += c->n >= 2;
	for (i = 0; i < c->n; i++) {
		s->revenue += c->amounts[i];
		if (c->days[i] > r->o.day - 365) {
			s->orders365++;
			s->revenue365 += c->amounts[i];
			recent = 1;
		}
	}
	s->buyers365 += recent;
	s->customers++;
	if (c->last_contact != DAY_NONE &&
	    r->o.day - c->last_contact <= cadence)
		s->in_cadence++;
	return 0;
}

/* The median groups a task of rep cell rc and tier t counts in. */
static void
med_groups(const struct report *r, size_t rc, char t, size_t g[4])
{
	size_t tiers = 4, ti = (size_t)(t - 'A') + 1;

	(void)r;
	g[0] = 0 * tiers;
	g[1] = 0 * tiers + ti;
	g[2] = (rc + 1) * tiers;
	g[3] = (rc + 1) * tiers + ti;
}

/* First pass over the tasks: counts. */
static int
on_task_count(void *arg, const struct report_task *t)
{
	struct report *r = arg;
	size_t rc = rep_cell(r, t->rep_id), g[4], i;
	struct report_sum *s = &r->cells[rc * 3 + (size_t)(t->tier - 'A')];

	s->open_tasks++;
	if (t->day >= r->o.day)
		return 0;
	s->overdue_tasks++;
	med_groups(r, rc, t->tier, g);
	for (i = 0; i < 4; i++)
		r->med_n[g[i]]++;
	return 0;
}

/* Second pass, days overdue ascending: each group's middle one or two. */
static int
on_task_median(void *arg, const struct report_task *t)
{
	struct report *r = arg;
	size_t g[4], i;
	long k, seen;
	double v = (double)(r->o.day - t->day);

	if (t->day >= r->o.day)
		return 0;
	med_groups(r, rep_cell(r, t->rep_id), t->tier, g);
	for (i = 0; i < 4; i++) {
		k = r->med_n[g[i]];
		seen = ++r->med_seen[g[i]];
		if (seen == (k + 1) / 2)
			r->med_lo[g[i]] = v;
		if (seen == k / 2 + 1)
			r->med_hi[g[i]] = v;
	}
	return 0;
}

static int
report_tasks(struct report *r, struct store *st, int64_t rep_id,
    char **cause)
{
	size_t n = (r->nreps + 2) * 4;

	r->med_n = xcalloc(n, sizeof(*r->med_n));
	r->med_seen = xcalloc(n, sizeof(*r->med_seen));
	r->med_lo = xcalloc(n, sizeof(*r->med_lo));
	r->med_hi = xcalloc(n, sizeof(*r->med_hi));
	if (store_report_tasks(st, rep_id, on_task_count, r, cause) != 0)
		return -1;
	return store_report_tasks(st, rep_id, on_task_median, r, cause);
}

static int
on_rule(void *arg, const struct report_rule *x)
{
	struct report *r = arg;
	struct report_outreach *o;

	r->outreach = xreallocarray(r->outreach, r->noutreach + 1,
	    sizeof(*r->outreach));
	o = &r->outreach[r->noutreach++];
	memset(o, 0, sizeof(*o));
	o->rule = xstrdup(x->rule ? x->rule : "");
	o->sent = x->sent;
	o->delivered = x->delivered;
	o->failed = x->failed;
	o->expired = x->expired;
	o->recipients = x->recipients;
	o->opted_out = x->opted_out;
	o->converted = x->converted;
	return 0;
}

/* The rule's entry, added (kept in rule order) when it has none. */
static struct report_outreach *
outreach_entry(struct report *r, const char *rule)
{
	size_t i;

	for (i = 0; i < r->noutreach; i++) {
		if (strcmp(r->outreach[i].rule, rule) == 0)
			return &r->outreach[i];
		if (strcmp(r->outreach[i].rule, rule) > 0)
			break;
	}
	r->outreach = xreallocarray(r->outreach, r->noutreach + 1,
	    sizeof(*r->outreach));
	memmove(&r->outreach[i + 1], &r->outreach[i], (r->noutreach - i) *
	    sizeof(*r->outreach));
	r->noutreach++;
	memset(&r->outreach[i], 0, sizeof(r->outreach[i]));
	r->outreach[i].rule = xstrdup(rule);
	return &r->outreach[i];
}

static int
on_holdout(void *arg, const struct report_holdout *h)
{
	struct report_outreach *o = outreach_entry(arg, h->rule ? h->rule :
	    "");

	o->held_out = h->held_out;
	o->held_out_converted = h->converted;
	return 0;
}

static int
on_csat(void *arg, const struct report_csat *x)
{
	struct report *r = arg;
	struct report_sum *s = &r->cells[rep_cell(r, x->rep_id) * 3 +
	    (size_t)(x->tier - 'A')];

	s->answers += x->answers;
	s->satisfied += x->satisfied;
	return 0;
}

/* Each rule's messages, its control group when it has one, and the
 * survey answers of the period. */
static int
report_outreach_load(struct report *r, struct store *st, int64_t rep_id,
    char **cause)
{
	int32_t from = r->bday[0] + 1, to = r->bday[r->nm];
	int days = r->cf->report.attribution_days;

	if (store_report_outreach(st, from, to, r->o.day, days, rep_id,
	    on_rule, r, cause) != 0)
		return -1;
	if (store_report_holdouts(st, from, to, r->o.day, days, rep_id,
	    on_holdout, r, cause) != 0)
		return -1;
	return store_report_csat(st, from, to, rep_id, on_csat, r, cause);
}

struct report *
report_build(struct store *st, const struct conf *cf,
    const struct report_opts *o, char **cause)
{
	struct report *r = xcalloc(1, sizeof(*r));
	int64_t rep_id = 0;

	r->cf = cf;
	r->o = *o;
	r->rep_key = o->rep ? xstrdup(o->rep) : NULL;
	r->o.rep = r->rep_key;
	report_boundaries(r);
	if (report_load_reps(r, st, cause) != 0)
		goto fail;
	if (r->rep_key != NULL)
		rep_id = r->reps[0].id;
	report_alloc_cells(r);
	if (store_report_customers(st, o->day, rep_id, on_customer, r,
	    cause) != 0 || report_tasks(r, st, rep_id, cause) != 0 ||
	    report_outreach_load(r, st, rep_id, cause) != 0)
		goto fail;
	return r;
fail:
	report_free(r);
	return NULL;
}

void
report_free(struct report *r)
{
	size_t i;

	if (r == NULL)
		return;
	for (i = 0; i < r->nreps; i++) {
		free(r->reps[i].key);
		free(r->reps[i].name);
	}
	for (i = 0; i < r->noutreach; i++)
		free(r->outreach[i].rule);
	free(r->outreach);
	free(r->reps);
	free(r->slots);
	free(r->by_id);
	free(r->bday);
	free(r->cells);
	free(r->cell_states);
	free(r->cell_first_in);
	free(r->med_n);
	free(r->med_seen);
	free(r->med_lo);
	free(r->med_hi);
	free(r->rep_key);
	free(r->cause);
	free(r);
}

const struct report_opts *
report_opts(const struct report *r)
{
	return &r->o;
}

const struct conf *
report_conf(const struct report *r)
{
	return r->cf;
}

int
report_nmonths(const struct report *r)
{
	return r->nm;
}

int
report_nboundaries(const struct report *r)
{
	return r->nb;
}

int32_t
report_boundary(const struct report *r, int b)
{
	return r->bday[b];
}

int
report_b_year_ago(const struct report *r)
{
	return r->nm + 1;
}

int
report_b_day(const struct report *r)
{
	return r->nm + 2;
}

size_t
report_nreps(const struct report *r)
{
	return r->nreps;
}

const struct report_rep *
report_rep(const struct report *r, size_t i)
{
	return &r->reps[i];
}

size_t
report_noutreach(const struct report *r)
{
	return r->noutreach;
}

const struct report_outreach *
report_outreach(const struct report *r, size_t i)
{
	return &r->outreach[i];
}

/* Adds cell c to the sum s. */
static void
sum_add(const struct report *r, struct report_sum *s,
    const struct report_sum *c)
{
	size_t i;

	for (i = 0; i < (size_t)r->nb * LC_COUNT; i++)
		s->states[i] += c->states[i];
	for (i = 0; i < (size_t)r->nm; i++)
		s->first_in[i] += c->first_in[i];
	s->new12 += c->new12;
	s->buyers += c->buyers;
	s->repeaters += c->repeaters;
	s->revenue += c->revenue;
	s->orders365 += c->orders365;
	s->buyers365 += c->buyers365;
	s->revenue365 += c->revenue365;
	s->customers += c->customers;
	s->in_cadence += c->in_cadence;
	s->open_tasks += c->open_tasks;
	s->overdue_tasks += c->overdue_tasks;
	s->answers += c->answers;
	s->satisfied += c->satisfied;
}

void
report_sum_get(const struct report *r, int rep, char tier,
    struct report_sum *s)
{
	size_t rc, t;

	memset(s, 0, sizeof(*s));
	s->states = xcalloc((size_t)r->nb * LC_COUNT, sizeof(long));
	s->first_in = xcalloc((size_t)r->nm + 1, sizeof(long));
	for (rc = 0; rc <= r->nreps; rc++) {
		if (rep >= 0 && rc != (size_t)rep + 1)
			continue;
		for (t = 0; t < 3; t++) {
			if (tier == 0 || (size_t)(tier - 'A') == t)
				sum_add(r, s, &r->cells[rc * 3 + t]);
		}
	}
}

void
report_sum_clear(struct report_sum *s)
{
	free(s->states);
	free(s->first_in);
	memset(s, 0, sizeof(*s));
}

double
report_median_overdue(const struct report *r, int rep, char tier)
{
	size_t g = (size_t)(rep + 2) * 4 + (tier ? (size_t)(tier - 'A') + 1 :
	    0);

	if (rep < 0)
		g = tier ? (size_t)(tier - 'A') + 1 : 0;
	if (r->med_n[g] == 0)
		return -1;
	return (r->med_lo[g] + r->med_hi[g]) / 2;
}

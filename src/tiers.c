/* tiers.c - tier computation and personal sleeping thresholds.
 *
 * Customers are ranked by revenue over the window, highest first; equal
 * revenues by the most recent purchase, then by external id.  With
 * tiers.population = "buyers" the shares are of the customers ranked
 * (those with revenue in the window), with "all" of every customer.
 *
 * The recompute walks the customers twice in id order
 * (store_tier_rows): the first pass keeps only the positive revenues,
 * sorted, which says where each boundary falls and which revenue sits at
 * it.  The second pass sets every customer's tier and sleeping threshold,
 * except for those whose revenue equals one at a boundary: only among
 * them does the order of the ties matter, so they are set aside with
 * their last purchase and external id and ranked once the pass is over.
 * Memory is 8 bytes per buying customer, plus the ties at the two
 * boundaries, rather than the whole ranking held by SQLite and by us. */
#include "tiers.h"

#include <stdlib.h>
#include <string.h>

#include "customer.h"
#include "store_plan.h"
#include "util.h"

/* A customer whose revenue is the one at a boundary. */
struct tie {
	int64_t id;
	int64_t revenue;
	int32_t last;		/* most recent purchase up to today */
	char old_tier;
	char *external_id;
};

struct recompute {
	struct store *st;
	const struct conf_plan *cp;
	int32_t today;
	struct tiers_result *res;
	int64_t *rev;	/* positive revenues, sorted highest first */
	size_t nrev, cap;
	int64_t total;	/* their sum */
	size_t cut[2];	/* ranks below cut[0] are A, below cut[1] B */
	struct tie *ties;
	size_t nties;
	int32_t *gaps;	/* scratch for medians */
	size_t ngaps;
	char *cause;
};

/* First pass: count everyone, keep positive revenues. */
static int
collect(void *arg, const struct tier_row *r)
{
	struct recompute *x = arg;

	x->res->customers++;
	if (r->revenue <= 0)
		return 0;
	if (x->nrev == x->cap) {
		x->cap = x->cap ? x->cap * 2 : 1024;
		x->rev = xreallocarray(x->rev, x->cap, sizeof(*x->rev));
	}
	x->rev[x->nrev++] = r->revenue;
	x->total += r->revenue;
	return 0;
}

/* Heap sort with a min-heap, so the array ends highest first.  Not
 * qsort(3): glibc's may allocate a copy of the array, as large again. */
static void
sift_down(int64_t *v, size_t i, size_t n)
{
	int64_t t = v[i];
	size_t c;

	while ((c = 2 * i + 1) < n) {
		if (c + 1 < n && v[c + 1] < v[c])
			c++;
		if (t <= v[c])
			break;
		v[i] = v[c];
		i = c;
	}
	v[i] = t;
}

static void
sort_desc(int64_t *v, size_t n)
{
	size_t i;
	int64_t t;

	for (i = n / 2; i-- > 0;)
		sift_down(v, i, n);
	for (i = n; i-- > 1;) {
		t = v[0];
		v[0] = v[i];
		v[i] = t;
		sift_down(v, 0, i);
	}
}

/* How many of the ranked customers a tier boundary takes.  By customers,
 * it is the first share of the population (buyers or all); by revenue,
 * the customers whose cumulative revenue before them stays within share
 * of the total (at least the top one).  Once either test fails down the
 * ranking it keeps failing, so a tier is a run of ranks; nobody without
 * revenue is above C. */
static size_t
tier_cut(const struct recompute *x, double share)
{
	double population = (double)(x->cp->tier_population_all ?
	    x->res->customers : x->nrev);
	int64_t cum = 0;
	size_t i;

	for (i = 0; i < x->nrev; i++) {
		if (x->cp->tier_by_revenue ? !((double)cum < share *
		    (double)x->total) : !((double)i < share * population))
			break;
		cum += x->rev[i];
	}
	return i;
}

/* Whether revenue is the one at a boundary, where ties need ranking. */
static int
at_cut(const struct recompute *x, int64_t revenue)
{
	int i;

	for (i = 0; i < 2; i++) {
		if (x->cut[i] < x->nrev && revenue == x->rev[x->cut[i]])
			return 1;
	}
	return 0;
}

/* The tier of the customer at rank (0 = highest revenue). */
static char
rank_tier(const struct recompute *x, size_t rank)
{
	return rank < x->cut[0] ? 'A' : rank < x->cut[1] ? 'B' : 'C';
}

/* The first rank with revenue v (v is among the revenues). */
static size_t
run_start(const struct recompute *x, int64_t v)
{
	size_t lo = 0, hi = x->nrev, mid;

	while (lo < hi) {	/* rev is descending */
		mid = lo + (hi - lo) / 2;
		if (x->rev[mid] > v)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static int
median_cmp(const void *x, const void *y)
{
	int32_t a = *(const int32_t *)x, b = *(const int32_t *)y;

	return (a > b) - (a < b);
}

/* k x the median interval between the days a customer bought on, 0 when
 * the configured threshold applies.  Days, not purchases: two orders of
 * one day are one visit, and their interval of 0 days would pull the
 * median down to nothing (a purchases file imported twice used to clear
 * every threshold that way). */
static int
personal_sleep(struct recompute *x, const int32_t *days, size_t nbuys)
{
	int32_t *gaps;
	size_t i, n;
	int t = 0;

	if (nbuys - 1 > x->ngaps) {
		x->ngaps = nbuys - 1;
		x->gaps = xreallocarray(x->gaps, x->ngaps, sizeof(*x->gaps));
	}
	gaps = x->gaps;
	for (i = 1, n = 1; i < nbuys; i++) {	/* days come in order */
		if (days[i] != days[i - 1])
			gaps[n++ - 1] = days[i] - days[i - 1];
	}
	if (n >= 2 && n >= (size_t)x->cp->sleeping_min_purchases) {
		qsort(gaps, n - 1, sizeof(*gaps), median_cmp);
		t = (int)(x->cp->sleeping_factor * (double)((n - 1) % 2 ?
		    gaps[(n - 1) / 2] : (gaps[(n - 1) / 2 - 1] +
		    gaps[(n - 1) / 2]) / 2) + 0.5);
	}
	if (t <= 0 || t >= x->cp->sleeping_after_days)
		return 0;
	x->res->personal_sleep++;
	return t;
}

/* Sets a customer's tier, writing only a change. */
static int
set_tier(struct recompute *x, int64_t id, char old_tier, char t)
{
	x->res->count[t - 'A']++;
	if (t == old_tier)
		return 0;
	x->res->changed++;
	return store_tier_set(x->st, id, old_tier ? (char[]){ old_tier, 0 } :
	    NULL, t, x->today, &x->cause);
}

/* Keeps a customer at a boundary for tie_rank(). */
static void
tie_add(struct recompute *x, const struct tier_row *r)
{
	struct tie *t;
	size_t i = r->ndays;

	x->ties = xreallocarray(x->ties, x->nties + 1, sizeof(*x->ties));
	t = &x->ties[x->nties++];
	t->id = r->id;
	t->revenue = r->revenue;
	t->old_tier = r->old_tier;
	t->external_id = xstrdup(r->external_id ? r->external_id : "");
	while (i > 0 && r->days[i - 1] > x->today)
		i--;
	t->last = i > 0 ? r->days[i - 1] : DAY_NONE;
}

/* Higher revenue, then the more recent purchase, then external id. */
static int
tie_cmp(const void *a, const void *b)
{
	const struct tie *x = a, *y = b;

	if (x->revenue != y->revenue)
		return x->revenue > y->revenue ? -1 : 1;
	if (x->last != y->last)
		return x->last > y->last ? -1 : 1;
	return strcmp(x->external_id, y->external_id);
}

/* The customers at the boundaries, in their order. */
static int
tie_rank(struct recompute *x)
{
	size_t i, start = 0;

	if (x->nties > 1)
		qsort(x->ties, x->nties, sizeof(*x->ties), tie_cmp);
	for (i = 0; i < x->nties; i++) {
		if (i == 0 || x->ties[i].revenue != x->ties[i - 1].revenue)
			start = i;
		if (set_tier(x, x->ties[i].id, x->ties[i].old_tier,
		    rank_tier(x, run_start(x, x->ties[i].revenue) + i -
		    start)) != 0)
			return -1;
	}
	return 0;
}

/* Second pass: each customer's tier and threshold, written only when they
 * change, so a steady day writes nothing. */
static int
apply(void *arg, const struct tier_row *r)
{
	struct recompute *x = arg;
	int sleep;

	if (r->revenue > 0 && at_cut(x, r->revenue))
		tie_add(x, r);
	else if (set_tier(x, r->id, r->old_tier, r->revenue > 0 ?
	    rank_tier(x, run_start(x, r->revenue)) : 'C') != 0)
		return -1;
	/* Customers with fewer than two purchases keep what they have. */
	if (r->ndays < 2)
		return 0;
	sleep = personal_sleep(x, r->days, r->ndays);
	if (sleep != r->sleep_days && store_sleep_days_set(x->st, r->id,
	    sleep, &x->cause) != 0)
		return -1;
	return 0;
}

/* One transaction, not commits in chunks: the planner never sees some
 * customers ranked against today's revenue and others against
 * yesterday's, and a failure leaves yesterday's tiers whole.  It costs no
 * memory even when every tier changes: dirty pages beyond the page cache
 * spill to the WAL. */
int
tiers_recompute(struct store *st, const struct conf *cf, int32_t today,
    struct tiers_result *res, char **cause)
{
	const struct conf_plan *cp = &cf->plan;
	struct recompute x = { .st = st, .cp = cp, .today = today,
		.res = res };
	int32_t from = today - cp->tier_window_days + 1;
	size_t i;
	int rc = -1;

	memset(res, 0, sizeof(*res));
	if (store_begin(st, cause) != 0)
		return -1;
	if (store_tier_rows(st, from, today, 0, collect, &x, cause) != 0)
		goto out;
	sort_desc(x.rev, x.nrev);
	x.cut[0] = tier_cut(&x, cp->tier_a_share);
	x.cut[1] = tier_cut(&x, cp->tier_a_share + cp->tier_b_share);
	if (store_tier_rows(st, from, today, 1, apply, &x, cause) != 0 ||
	    tie_rank(&x) != 0) {
		if (x.cause != NULL) {
			*cause = x.cause;
			x.cause = NULL;
		}
		goto out;
	}
	rc = store_commit(st, cause);
out:
	store_rollback(st);
	for (i = 0; i < x.nties; i++)
		free(x.ties[i].external_id);
	free(x.ties);
	free(x.rev);
	free(x.gaps);
	free(x.cause);
	return rc;
}

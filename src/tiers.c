/* tiers.c - tier computation and personal sleeping thresholds.
 *
 * Customers are ranked by revenue over the window, highest first, equal
 * revenues by id.  A customer's rank is the number of larger revenues plus,
 * among equal ones, those of smaller ids.  So the recompute walks the
 * customers twice in id order (store_tier_rows): the first pass keeps only
 * the positive revenues, sorted, and the second meets equal revenues in id
 * order, which is all it needs to rank each customer, set its tier and
 * its sleeping threshold.  Memory is 8 bytes per buying customer rather
 * than the whole ranking held by SQLite and by us. */
#include "tiers.h"

#include <stdlib.h>
#include <string.h>

#include "store_plan.h"
#include "util.h"

struct recompute {
	struct store *st;
	const struct conf_plan *cp;
	int32_t today;
	struct tiers_result *res;
	int64_t *rev;	/* positive revenues, sorted highest first */
	size_t nrev, cap;
	int64_t total;	/* their sum */
	size_t cut[2];	/* ranks below cut[0] are A, below cut[1] B */
	size_t run[2];	/* first rank with revenue rev[cut[i]] */
	size_t seen[2]; /* customers met with that revenue so far */
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
 * it is the first share of all customers; by revenue, the customers whose
 * cumulative revenue before them stays within share of the total (at least
 * the top one).  Once either test fails down the ranking it keeps failing,
 * so a tier is a run of ranks; nobody without revenue is above C. */
static size_t
tier_cut(const struct recompute *x, double share)
{
	int64_t cum = 0;
	size_t i;

	for (i = 0; i < x->nrev; i++) {
		if (x->cp->tier_by_revenue ? !((double)cum < share *
		    (double)x->total) : !((double)i < share *
		    (double)x->res->customers))
			break;
		cum += x->rev[i];
	}
	return i;
}

/* Whether a customer with positive revenue, met in id order, ranks below
 * cut i.  Revenues above or below the one at the cut are wholly on one
 * side; only within the run equal to it does the place in the run (the
 * id order) count. */
static int
below_cut(struct recompute *x, int i, int64_t revenue)
{
	if (x->cut[i] >= x->nrev)
		return 1;
	if (revenue != x->rev[x->cut[i]])
		return revenue > x->rev[x->cut[i]];
	return x->run[i] + x->seen[i]++ < x->cut[i];
}

/* Where the run of revenues equal to the one at the cut starts. */
static size_t
run_start(const struct recompute *x, size_t cut)
{
	while (cut > 0 && x->rev[cut - 1] == x->rev[cut])
		cut--;
	return cut;
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

/* Second pass: each customer's tier and threshold, written only when they
 * change, so a steady day writes nothing. */
static int
apply(void *arg, const struct tier_row *r)
{
	struct recompute *x = arg;
	char t = 'C';
	int a, b, sleep;

	if (r->revenue > 0) {
		/* Both, so that each cut counts its run. */
		a = below_cut(x, 0, r->revenue);
		b = below_cut(x, 1, r->revenue);
		t = a ? 'A' : b ? 'B' : 'C';
	}
	x->res->count[t - 'A']++;
	if (t != r->old_tier) {
		x->res->changed++;
		if (store_tier_set(x->st, r->id, r->old_tier ? (char[]){
		    r->old_tier, 0 } : NULL, t, x->today, &x->cause) != 0)
			return -1;
	}
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
	int rc = -1;

	memset(res, 0, sizeof(*res));
	if (store_begin(st, cause) != 0)
		return -1;
	if (store_tier_rows(st, from, today, 0, collect, &x, cause) != 0)
		goto out;
	sort_desc(x.rev, x.nrev);
	x.cut[0] = tier_cut(&x, cp->tier_a_share);
	x.cut[1] = tier_cut(&x, cp->tier_a_share + cp->tier_b_share);
	if (x.cut[0] < x.nrev)
		x.run[0] = run_start(&x, x.cut[0]);
	if (x.cut[1] < x.nrev)
		x.run[1] = run_start(&x, x.cut[1]);
	if (store_tier_rows(st, from, today, 1, apply, &x, cause) != 0) {
		if (x.cause != NULL)
			*cause = x.cause;
		goto out;
	}
	rc = store_commit(st, cause);
out:
	store_rollback(st);
	free(x.rev);
	free(x.gaps);
	return rc;
}

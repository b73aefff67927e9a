/* tiers.c - tier computation and personal sleeping thresholds. */
#include "tiers.h"

#include <stdlib.h>
#include <string.h>

#include "store_plan.h"
#include "util.h"

struct ranked {
	int64_t id;
	int64_t revenue;
	char old; /* previous computed tier, 0 = none */
};

struct ranking {
	struct ranked *v;
	size_t n, cap;
	int64_t total;
};

static int
collect(void *arg, int64_t id, int64_t revenue, const char *old)
{
	struct ranking *r = arg;

	if (r->n == r->cap) {
		r->cap = r->cap ? r->cap * 2 : 1024;
		r->v = xreallocarray(r->v, r->cap, sizeof(*r->v));
	}
	r->v[r->n].id = id;
	r->v[r->n].revenue = revenue;
	r->v[r->n].old = old ? old[0] : 0;
	r->n++;
	if (revenue > 0)
		r->total += revenue;
	return 0;
}

/* Customers are ranked by revenue, highest first.  By customers, A is the
 * first a_share of all customers; by revenue, A is the customers whose
 * cumulative revenue stays within a_share of the total (at least the top
 * one).  Nobody without revenue is above C. */
static char
tier_of(const struct conf_plan *cp, const struct ranking *r, size_t i,
    int64_t cum_before)
{
	double a = cp->tier_a_share, b = cp->tier_a_share + cp->tier_b_share;

	if (r->v[i].revenue <= 0)
		return 'C';
	if (!cp->tier_by_revenue) {
		if ((double)i < a * (double)r->n)
			return 'A';
		return (double)i < b * (double)r->n ? 'B' : 'C';
	}
	if ((double)cum_before < a * (double)r->total)
		return 'A';
	return (double)cum_before < b * (double)r->total ? 'B' : 'C';
}

static int
median_cmp(const void *x, const void *y)
{
	int32_t a = *(const int32_t *)x, b = *(const int32_t *)y;

	return (a > b) - (a < b);
}

struct sleep_ctx {
	struct store *st;
	const struct conf_plan *cp;
	struct tiers_result *res;
	char *cause;
};

/* k x the median interval between a customer's purchases. */
static int
personal_sleep(void *arg, int64_t id)
{
	struct sleep_ctx *s = arg;
	int32_t *days, *gaps;
	size_t n, i;
	int t = 0;

	if (store_purchase_days(s->st, id, &days, &n, &s->cause) != 0)
		return -1;
	if (n >= 2 && n >= (size_t)s->cp->sleeping_min_purchases) {
		gaps = xcalloc(n - 1, sizeof(*gaps));
		for (i = 1; i < n; i++)
			gaps[i - 1] = days[i] - days[i - 1];
		qsort(gaps, n - 1, sizeof(*gaps), median_cmp);
		t = (int)(s->cp->sleeping_factor * (double)((n - 1) % 2 ?
		    gaps[(n - 1) / 2] : (gaps[(n - 1) / 2 - 1] +
		    gaps[(n - 1) / 2]) / 2) + 0.5);
		free(gaps);
	}
	free(days);
	if (t <= 0 || t >= s->cp->sleeping_after_days)
		t = 0; /* the configured threshold applies */
	else
		s->res->personal_sleep++;
	return store_sleep_days_set(s->st, id, t, &s->cause) == 0 ? 0 : -1;
}

int
tiers_recompute(struct store *st, const struct conf *cf, int32_t today,
    struct tiers_result *res, char **cause)
{
	const struct conf_plan *cp = &cf->plan;
	struct ranking r = { 0 };
	struct sleep_ctx sc = { st, cp, res, NULL };
	int64_t cum = 0;
	size_t i;
	char t;
	int rc = -1;

	memset(res, 0, sizeof(*res));
	if (store_begin(st, cause) != 0)
		return -1;
	if (store_tier_revenue(st, today - cp->tier_window_days + 1, today,
	    collect, &r, cause) != 0)
		goto out;
	for (i = 0; i < r.n; i++) {
		t = tier_of(cp, &r, i, cum);
		cum += r.v[i].revenue > 0 ? r.v[i].revenue : 0;
		res->count[t - 'A']++;
		if (t == r.v[i].old)
			continue;
		res->changed++;
		if (store_tier_set(st, r.v[i].id, r.v[i].old ? (char[]){
		    r.v[i].old, 0 } : NULL, t, today, cause) != 0)
			goto out;
	}
	res->customers = r.n;
	if (store_customers_with_purchases(st, 2, personal_sleep, &sc,
	    cause) != 0) {
		if (sc.cause != NULL)
			*cause = sc.cause;
		goto out;
	}
	rc = store_commit(st, cause);
out:
	store_rollback(st);
	free(r.v);
	return rc;
}

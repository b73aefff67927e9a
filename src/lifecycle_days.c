/* lifecycle_days.c - recording the daily lifecycle counts
 * (lifecycle_days.h). */
#include "lifecycle_days.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "customer.h"
#include "date.h"
#include "lifecycle.h"
#include "report.h"
#include "store_lifecycle.h"
#include "store_plan.h"
#include "util.h"

/* Writes a cell's non-zero counts. */
static int
put_cell(struct store *st, int32_t day, char tier, const char *rep,
    const long *n, int reconstructed, long *written, char **cause)
{
	struct lifecycle_count c = { day, tier, rep, NULL, 0, reconstructed };
	int s;

	for (s = 0; s < LC_COUNT; s++) {
		if (n[s] == 0)
			continue;
		c.state = lifecycle_name((enum lifecycle_state)s);
		c.customers = n[s];
		if (store_lifecycle_put(st, &c, cause) != 0)
			return -1;
		(*written)++;
	}
	return 0;
}

/* One tier's counts at every month's end of the report (the last month's
 * is today, the others are reconstructed), per rep and for customers
 * without one (everyone less the reps'). */
static int
put_tier(struct store *st, const struct report *r, char tier, long *written,
    char **cause)
{
	int nm = report_nmonths(r), m, s;
	size_t nreps = report_nreps(r), i;
	struct report_sum all, one;
	long *rest = xcalloc((size_t)nm * LC_COUNT, sizeof(*rest));
	int rc = 0;

	report_sum_get(r, -1, tier, &all);
	for (m = 0; m < nm; m++)
		for (s = 0; s < LC_COUNT; s++)
			rest[m * LC_COUNT + s] = all.states[REPORT_B_END(m) *
			    LC_COUNT + s];
	for (i = 0; rc == 0 && i < nreps; i++) {
		report_sum_get(r, (int)i, tier, &one);
		for (m = 0; rc == 0 && m < nm; m++) {
			for (s = 0; s < LC_COUNT; s++)
				rest[m * LC_COUNT + s] -= one.states[
				    REPORT_B_END(m) * LC_COUNT + s];
			rc = put_cell(st, report_boundary(r, REPORT_B_END(m)),
			    tier, report_rep(r, i)->key, &one.states[
			    REPORT_B_END(m) * LC_COUNT], m < nm - 1, written,
			    cause);
		}
		report_sum_clear(&one);
	}
	for (m = 0; rc == 0 && m < nm; m++)
		rc = put_cell(st, report_boundary(r, REPORT_B_END(m)), tier, "",
		    &rest[m * LC_COUNT], m < nm - 1, written, cause);
	report_sum_clear(&all);
	free(rest);
	return rc;
}

/* Counts today, as the report does (the end of today's month is today),
 * and with history the ends of the months before, from the first
 * purchase's (at most REPORT_MONTHS_MAX months in all). */
static int
count(struct store *st, const struct conf *cf, int32_t today, int history,
    long *written, char **cause)
{
	struct report_opts o = { .day = today };
	struct report *r;
	struct date d;
	int32_t first;
	int rc;

	date_from_days(today, &d);
	o.from = o.to = d.year * 12 + d.month - 1;
	if (history && (rc = store_purchase_first_day(st, &first,
	    cause)) != 0) {
		if (rc < 0)
			return -1;
		date_from_days(first, &d);
		if (d.year * 12 + d.month - 1 < o.from)
			o.from = d.year * 12 + d.month - 1;
		if (o.from < o.to - REPORT_MONTHS_MAX + 1)
			o.from = o.to - REPORT_MONTHS_MAX + 1;
	}
	if ((r = report_build(st, cf, &o, cause)) == NULL)
		return -1;
	rc = put_tier(st, r, 'A', written, cause) != 0 ||
	    put_tier(st, r, 'B', written, cause) != 0 ||
	    put_tier(st, r, 'C', written, cause) != 0 ? -1 : 0;
	report_free(r);
	return rc;
}

/* The day of the last count, DAY_NONE when none. */
static int
last_day(struct store *st, int32_t *day, char **cause)
{
	char *v = NULL;
	int rc = store_state_get(st, "lifecycle_day", &v, cause);

	*day = rc == 1 ? (int32_t)strtol(v, NULL, 10) : DAY_NONE;
	free(v);
	return rc < 0 ? -1 : 0;
}

int
lifecycle_days_record(struct store *st, const struct conf *cf,
    int32_t today, long *written, char **cause)
{
	long n = 0;
	int32_t last;
	char v[16];
	int rc = -1, any;

	if (written != NULL)
		*written = 0;
	if (last_day(st, &last, cause) != 0)
		return -1;
	if (last != DAY_NONE && last >= today)
		return 0;
	/* One transaction: a count is whole or absent. */
	if (store_begin(st, cause) != 0)
		return -1;
	if ((any = store_lifecycle_recorded(st, cause)) < 0 ||
	    count(st, cf, today, !any, &n, cause) != 0)
		goto out;
	snprintf(v, sizeof(v), "%ld", (long)today);
	if (store_state_set(st, "lifecycle_day", v, cause) == 0)
		rc = store_commit(st, cause);
out:
	store_rollback(st);
	if (written != NULL)
		*written = rc == 0 ? n : 0;
	return rc;
}

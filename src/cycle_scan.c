/* cycle_scan.c - one planning scan: tiers and the lifecycle counts once a
 * day, then every day from the last planned one (within the grace window)
 * through tomorrow, so customers east of the daemon's zone are queued
 * before their morning. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "conf.h"
#include "cycle.h"
#include "date.h"
#include "date_zone.h"
#include "lifecycle_days.h"
#include "log.h"
#include "planner.h"
#include "store_plan.h"
#include "tiers.h"
#include "util.h"

/* A day kept in the state table; DAY_NONE when never set. */
static int
state_day(struct store *st, const char *key, int32_t *day, char **cause)
{
	char *v = NULL;
	int rc = store_state_get(st, key, &v, cause);

	if (rc < 0)
		return -1;
	*day = rc == 1 ? (int32_t)strtol(v, NULL, 10) : DAY_NONE;
	free(v);
	return 0;
}

static int
state_set_day(struct store *st, const char *key, int32_t day, char **cause)
{
	char v[16];

	snprintf(v, sizeof(v), "%ld", (long)day);
	return store_state_set(st, key, v, cause);
}

static int
scan_tiers(const struct conf *cf, struct store *st, int32_t today,
    char **cause)
{
	struct tiers_result r;
	int32_t last;

	if (state_day(st, "tiers_day", &last, cause) != 0)
		return -1;
	if (last != DAY_NONE && last >= today)
		return 0;
	if (tiers_recompute(st, cf, today, &r, cause) != 0)
		return -1;
	log_info("tiers: %lu customers, A %lu B %lu C %lu, %lu changed",
	    r.customers, r.count[0], r.count[1], r.count[2], r.changed);
	return state_set_day(st, "tiers_day", today, cause);
}

/* Today's lifecycle counts, once a day, after the tiers they are by. */
static int
scan_lifecycle(const struct conf *cf, struct store *st, int32_t today,
    char **cause)
{
	long n;

	if (lifecycle_days_record(st, cf, today, &n, cause) != 0)
		return -1;
	if (n > 0)
		log_info("lifecycle: %ld counts recorded", n);
	return 0;
}

int
cycle_scan(const struct conf *cf, struct store *st, int64_t now,
    char **cause)
{
	struct plan_stats ps;
	int32_t today, from, last;
	char d1[11], d2[11];

	if (date_today((time_t)now, cf->timezone, &today, cause) != 0)
		return -1;
	if (scan_tiers(cf, st, today, cause) != 0 ||
	    scan_lifecycle(cf, st, today, cause) != 0)
		return -1;
	if (state_day(st, "planned_through", &last, cause) != 0)
		return -1;
	from = today - cf->plan.grace_days;
	if (last != DAY_NONE && last + 1 > from)
		from = last + 1;
	if (last != DAY_NONE && last + 1 < from) {
		/* Downtime longer than the grace window: say what is lost. */
		if (planner_run(st, cf, last + 1, from - last - 1, 0, now, NULL,
		    &ps, cause) != 0)
			return -1;
		date_format(last + 1, d1);
		date_format(from - 1, d2);
		log_warn("skipped %lu items for %s..%s: older than the grace "
		    "window of %d days", ps.items, d1, d2,
		    cf->plan.grace_days);
	}
	/* Today and tomorrow are planned again on every scan: new imports
	 * and contacts count at once, and dedup keys keep it idempotent. */
	if (from > today)
		from = today;
	date_format(from, d1);
	date_format(today + 1, d2);
	log_debug("planning %s..%s", d1, d2);
	if (planner_run(st, cf, from, today + 1 - from + 1, 1, now, NULL, &ps,
	    cause) != 0)
		return -1;
	log_info("planned %s..%s: %lu new items (%lu in all), %lu capped, "
	    "%lu unreachable", d1, d2, ps.inserted, ps.items, ps.capped,
	    ps.unreachable);
	return state_set_day(st, "planned_through", today + 1, cause);
}

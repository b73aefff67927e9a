/* lifecycle.c - a customer's state on a day (lifecycle.h). */
#include "lifecycle.h"

#include "customer.h"

const char *
lifecycle_name(enum lifecycle_state s)
{
	static const char *const names[LC_COUNT] = { "prospect", "new",
		"active", "sleeping", "lost" };

	return s < LC_COUNT ? names[s] : "?";
}

int
lifecycle_sleep_days(const struct conf_plan *cp, int personal)
{
	if (personal > 0 && personal < cp->sleeping_after_days)
		return personal;
	return cp->sleeping_after_days;
}

enum lifecycle_state
lifecycle_state(const struct conf_plan *cp, int32_t day, int32_t first,
    int32_t last, int personal)
{
	/* A purchase after the day does not exist yet on it. */
	if (first == DAY_NONE || last == DAY_NONE || first > day)
		return LC_PROSPECT;
	if (last > day)
		last = day;
	if (day - last >= cp->lost_after_days)
		return LC_LOST;
	if (day - last >= lifecycle_sleep_days(cp, personal))
		return LC_SLEEPING;
	if (day - first < cp->lifecycle_new_days)
		return LC_NEW;
	return LC_ACTIVE;
}

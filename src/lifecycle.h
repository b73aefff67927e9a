/* lifecycle.h - where a customer stands on a day: new, active, sleeping,
 * lost or prospect.  One function decides it for the planner (who is
 * sleeping or lost today), the report (how many were, month by month)
 * and the daemon's daily counts, so the three never disagree.
 *
 * On day D, for a customer whose purchases on or before D run from F
 * (first) to L (last), with T the sleeping threshold (the personal one,
 * k x median interval, when shorter than sleeping.after_days):
 *	prospect	no purchase on or before D
 *	lost		D - L >= sleeping.lost_after_days
 *	sleeping	D - L >= T
 *	new		D - F < lifecycle.new_days
 *	active		otherwise
 * tested in that order: a customer who bought first and last long enough
 * ago to be sleeping is sleeping, however recent the first purchase. */
#ifndef OUTREACHD_LIFECYCLE_H
#define OUTREACHD_LIFECYCLE_H

#include <stdint.h>

#include "conf.h"

enum lifecycle_state {
	LC_PROSPECT,
	LC_NEW,
	LC_ACTIVE,
	LC_SLEEPING,
	LC_LOST,
	LC_COUNT
};

/* "prospect", "new", "active", "sleeping", "lost". */
const char *lifecycle_name(enum lifecycle_state s);
/* Days without a purchase after which the customer sleeps: personal
 * (0 = none) when it is shorter than sleeping.after_days. */
int lifecycle_sleep_days(const struct conf_plan *cp, int personal);
/* The state on day for the first and last purchase days on or before it
 * (DAY_NONE: none) and the personal threshold (0 = none).  The planner
 * passes the store's last purchase, which may be later than a day it
 * previews: such a purchase counts as made on the day (never sleeping,
 * never lost), as before this function existed. */
enum lifecycle_state lifecycle_state(const struct conf_plan *cp,
    int32_t day, int32_t first, int32_t last, int personal);

#endif

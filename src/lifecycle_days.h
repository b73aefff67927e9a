/* lifecycle_days.h - the daemon's record of where customers stand: once a
 * day, as it scans, the customers in each lifecycle state (lifecycle.h)
 * by tier and rep, kept in the store, so trends are read rather than
 * recomputed.  Counted from the purchase history exactly as the report
 * counts (report.h): a purchase dated after today does not count yet.
 * The first time, the ends of the months before are reconstructed the
 * same way and marked reconstructed.  Customers are counted under their
 * tier and rep of the day the count is made. */
#ifndef OUTREACHD_LIFECYCLE_DAYS_H
#define OUTREACHD_LIFECYCLE_DAYS_H

#include <stdint.h>

#include "conf.h"
#include "store.h"

/* Records today's counts unless done already today (and the months before
 * the first count, once).  *written gets the rows written (may be NULL).
 * 0, or -1 with *cause. */
int lifecycle_days_record(struct store *st, const struct conf *cf,
    int32_t today, long *written, char **cause);

#endif

/* metrics_lifecycle.h - the /metrics gauges of where customers stand and
 * who keeps up: customers by lifecycle state and tier (the daemon's last
 * daily count, lifecycle_days.h) and each rep's open and overdue tasks. */
#ifndef OUTREACHD_METRICS_LIFECYCLE_H
#define OUTREACHD_METRICS_LIFECYCLE_H

#include <stdint.h>

#include "store.h"
#include "util.h"

/* Appends the gauges, in Prometheus text format 0.0.4, to b; overdue
 * means due before today.  0, or -1 with *cause. */
int metrics_lifecycle_render(struct store *st, int32_t today, struct buf *b,
    char **cause);

#endif

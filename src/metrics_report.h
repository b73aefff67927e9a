/* metrics_report.h - the /metrics gauges of the manager's report: where
 * customers stand (by lifecycle state and tier, the daemon's last daily
 * count, lifecycle_days.h), who keeps up (each rep's open and overdue
 * tasks) and how satisfied customers are (survey answers by score). */
#ifndef OUTREACHD_METRICS_REPORT_H
#define OUTREACHD_METRICS_REPORT_H

#include <stdint.h>

#include "store.h"
#include "util.h"

/* Appends the gauges, in Prometheus text format 0.0.4, to b; overdue
 * means due before today.  0, or -1 with *cause. */
int metrics_report_render(struct store *st, int32_t today, struct buf *b,
    char **cause);

#endif

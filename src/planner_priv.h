/* planner_priv.h - shared by planner.c and planner_events.c only. */
#ifndef OUTREACHD_PLANNER_PRIV_H
#define OUTREACHD_PLANNER_PRIV_H

#include "planner.h"
#include "store_plan.h"
#include "strmap.h"

/* The days this run planned messages for one customer (preview only; a
 * committing run counts in the store). */
struct planner_caps {
	int32_t *days;
	size_t n;
};

struct planner {
	struct store *st;
	const struct conf *cf;
	int commit;
	int64_t now;
	struct plan_list *out;
	struct plan_stats *stats;
	struct strmap *revisits; /* customer id -> day planned in this run */
	struct strmap *messages; /* customer id -> index into caps */
	struct planner_caps *caps; /* days of this run's messages, per customer */
	size_t ncaps, caps_cap;
	int32_t day;		 /* being planned */
	int32_t backlog_day;	 /* overdue revisits go no earlier */
	const struct conf_rule *rule;
	int32_t event_day;	 /* day + rule lead */
	int winback_k;		 /* which win-back step is being planned */
	int failed;
	char *cause;
};

/* Finds the candidates of p->rule for p->day and calls planner_consider()
 * for each; returns -1 on a store error. */
int planner_rule_day(struct planner *p);
/* Filters, picks the channel, caps and emits one item with the reason
 * (reason.h's stored form); returns 0 or -1. */
int planner_consider(struct planner *p, const struct plan_cand *c,
    int32_t occurrence, const char *reason, int years);

#endif

/* escalate.h - when an open task goes to the managers: overdue by
 * tasks.escalate_after_days of its customer's tier, or "not reached" too
 * often (outcome.c sets the flag after tasks.escalate_attempts).
 *
 * Computed from plain values, never stored: the same task is escalated
 * in `task list --escalated`, the managers' digest and anything else
 * that asks, and it stops being so the moment the task is worked. */
#ifndef OUTREACHD_ESCALATE_H
#define OUTREACHD_ESCALATE_H

#include <stdint.h>

struct store_task;

/* Why a task is escalated: a mask of these, 0 = it is not. */
#define ESCALATE_OVERDUE	0x1
#define ESCALATE_ATTEMPTS	0x2

/* What the escalation of one task depends on. */
struct escalate_task {
	int open;		/* status "open" */
	int32_t day;		/* due day */
	char tier;		/* the customer's tier, 'A'..'C' */
	int attempts_flag;	/* escalated by outcome.c (attempts) */
};

/* The escalation of t on `today` (a day number in the rep's zone) with
 * after_days[0..2] the days overdue allowed for tiers A, B and C: a mask
 * of ESCALATE_*; *overdue (may be NULL) gets the days past due. */
unsigned escalate_state(const struct escalate_task *t, int32_t today,
    const int after_days[3], int *overdue);
/* The same at unix time now in zone tz (NULL or "" = UTC): returns the
 * mask, or -1 with *cause when the zone is unknown. */
int escalate_state_at(const struct escalate_task *t, int64_t now,
    const char *tz, const int after_days[3], int *overdue, char **cause);
/* The day it is at now for a rep whose zone is tz, or in zone fallback
 * when tz is NULL, "" or gone from the system: 0, or -1 with *cause (may
 * be NULL) when neither zone is known. */
int escalate_today(int64_t now, const char *tz, const char *fallback,
    int32_t *today, char **cause);
/* escalate_state of a task as the store reads it (store_task.h), today
 * being its rep's (escalate_today). */
unsigned escalate_task(const struct store_task *t, int32_t today,
    const int after_days[3], int *overdue);
/* "overdue 9 days (tier B: 7)", "3 attempts not reached", both joined
 * by "; ", for people; malloc'd. */
char *escalate_why(unsigned mask, int overdue, char tier,
    const int after_days[3], int attempts);

#endif

/* escalate.c - the escalation of a task from plain values (escalate.h). */
#include <stdlib.h>
#include <string.h>

#include "date.h"
#include "date_zone.h"
#include "escalate.h"
#include "store_task.h"
#include "util.h"

/* The index of a tier in per-tier settings; anything unknown is C. */
static int
tier_index(char tier)
{
	return tier == 'A' ? 0 : tier == 'B' ? 1 : 2;
}

/* The escalation of t on today. */
unsigned
escalate_state(const struct escalate_task *t, int32_t today,
    const int after_days[3], int *overdue)
{
	unsigned mask = 0;
	int late = 0;

	if (t->open && today > t->day)
		late = (int)(today - t->day);
	if (overdue != NULL)
		*overdue = late;
	if (!t->open)
		return 0;
	if (late > 0 && late >= after_days[tier_index(t->tier)])
		mask |= ESCALATE_OVERDUE;
	if (t->attempts_flag)
		mask |= ESCALATE_ATTEMPTS;
	return mask;
}

/* The escalation of t at now, today being the day in zone tz. */
int
escalate_state_at(const struct escalate_task *t, int64_t now, const char *tz,
    const int after_days[3], int *overdue, char **cause)
{
	int32_t today;

	if (date_today((time_t)now, tz != NULL && *tz != '\0' ? tz : "UTC",
	    &today, cause) != 0)
		return -1;
	return (int)escalate_state(t, today, after_days, overdue);
}

/* Today in the rep's zone, else in the configured one. */
int
escalate_today(int64_t now, const char *tz, const char *fallback,
    int32_t *today, char **cause)
{
	if (tz != NULL && *tz != '\0' && date_today((time_t)now, tz, today,
	    NULL) == 0)
		return 0;
	return date_today((time_t)now, fallback != NULL && *fallback != '\0' ?
	    fallback : "UTC", today, cause);
}

/* The escalation of a stored task. */
unsigned
escalate_task(const struct store_task *t, int32_t today,
    const int after_days[3], int *overdue)
{
	struct escalate_task et = { strcmp(t->status, "open") == 0, t->day,
		t->tier, t->escalated };

	return escalate_state(&et, today, after_days, overdue);
}

/* Why a task is escalated, in words. */
char *
escalate_why(unsigned mask, int overdue, char tier, const int after_days[3],
    int attempts)
{
	struct buf b;

	buf_init(&b);
	if (mask & ESCALATE_OVERDUE)
		buf_printf(&b, "overdue %d day%s (tier %c: %d)", overdue,
		    overdue == 1 ? "" : "s", tier == 'A' || tier == 'B' ?
		    tier : 'C', after_days[tier_index(tier)]);
	if (mask & ESCALATE_ATTEMPTS)
		buf_printf(&b, "%s%d attempt%s not reached", b.len ? "; " : "",
		    attempts, attempts == 1 ? "" : "s");
	return buf_detach(&b);
}

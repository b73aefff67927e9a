/* conf_plan.c - the settings that fill struct conf_plan: the planner,
 * tiers, sleeping, stale and tasks groups. */
#include "conf_priv.h"

#define P(f) offsetof(struct conf_plan, f)

_Static_assert(sizeof(enum date_feb29) == sizeof(int),
    "planner.feb29 is stored as an int");

static const struct conf_choice feb29_choices[] = {
	{ "feb28", DATE_FEB29_FEB28 },
	{ "mar1", DATE_FEB29_MAR1 },
	{ "leap-only", DATE_FEB29_LEAP_ONLY },
	{ NULL, 0 }
};

static const struct conf_entry frequency_cap_entries[] = {
	{ .name = "messages", .type = CONF_INT, .offset = P(cap_messages),
	  .min = 1, .max = 1000, .def = 2,
	  .doc = "Messages one customer may get within days." },
	{ .name = "days", .type = CONF_INT, .offset = P(cap_days),
	  .min = 1, .max = 366, .def = 7,
	  .doc = "The span of the cap, in days." },
	{ .name = NULL }
};

static const struct conf_table frequency_cap_table = {
	.usage = "{ messages = N; days = M; }",
	.entries = frequency_cap_entries
};

static const struct conf_entry planner_entries[] = {
	{ .name = "grace_days", .type = CONF_INT, .offset = P(grace_days),
	  .min = 0, .max = 366, .def = 3,
	  .doc = "After downtime, items due this many days ago are still "
	  "planned." },
	{ .name = "feb29", .type = CONF_ENUM, .offset = P(feb29),
	  .choices = feb29_choices, .def = DATE_FEB29_FEB28,
	  .doc = "When 29 February birthdays fall in other years." },
	{ .name = "frequency_cap", .type = CONF_GROUP,
	  .table = &frequency_cap_table,
	  .doc = "At most messages per customer in days; tasks are not capped." },
	{ .name = NULL }
};

const struct conf_table conf_planner_table = {
	.usage = "{ ... }", .entries = planner_entries
};

static const struct conf_choice method_choices[] = {
	{ "customers", 0 },
	{ "revenue", 1 },
	{ NULL, 0 }
};

static const struct conf_choice population_choices[] = {
	{ "buyers", 0 },
	{ "all", 1 },
	{ NULL, 0 }
};

static const struct conf_entry cadence_entries[] = {
	{ .name = "A", .type = CONF_INT, .offset = P(cadence[0]),
	  .min = 1, .max = 3660, .def = 30,
	  .doc = "Days between touches before a tier A revisit is due." },
	{ .name = "B", .type = CONF_INT, .offset = P(cadence[1]),
	  .min = 1, .max = 3660, .def = 90,
	  .doc = "The same for tier B." },
	{ .name = "C", .type = CONF_INT, .offset = P(cadence[2]),
	  .min = 1, .max = 3660, .def = 180,
	  .doc = "The same for tier C." },
	{ .name = NULL }
};

static const struct conf_table cadence_table = {
	.usage = "{ A = 30; B = 90; C = 180; }", .entries = cadence_entries
};

/* The tiers' shares must leave room for each other. */
static void
tiers_check(struct conf_errors *e, const config_setting_t *g, void *base,
    struct conf *c)
{
	struct conf_plan *p = base;

	if (p->tier_a_share + p->tier_b_share > 1.0 + 1e-9)
		conf_error(e, g, "a_share + b_share must not exceed 1");
}

static const struct conf_entry tiers_entries[] = {
	{ .name = "window_days", .type = CONF_INT,
	  .offset = P(tier_window_days), .min = 1, .max = 3660, .def = 365,
	  .doc = "Tiers come from the purchases of this trailing window." },
	{ .name = "method", .type = CONF_ENUM, .offset = P(tier_by_revenue),
	  .choices = method_choices, .def = 0,
	  .doc = "Rank by shares of customers or by shares of revenue." },
	{ .name = "population", .type = CONF_ENUM,
	  .offset = P(tier_population_all), .choices = population_choices,
	  .def = 0,
	  .doc = "By customers: shares of the buyers ranked, or of all." },
	{ .name = "a_share", .type = CONF_NUMBER, .offset = P(tier_a_share),
	  .min = 0, .max = 1, .def_num = 0.20,
	  .doc = "The top share that is tier A." },
	{ .name = "b_share", .type = CONF_NUMBER, .offset = P(tier_b_share),
	  .min = 0, .max = 1, .def_num = 0.60,
	  .doc = "The next share, tier B; a_share + b_share is at most 1." },
	{ .name = "cadence", .type = CONF_GROUP, .table = &cadence_table,
	  .doc = "Days between a rep's touches before a revisit, per tier." },
	{ .name = NULL }
};

const struct conf_table conf_tiers_table = {
	.usage = "{ ... }", .entries = tiers_entries, .check = tiers_check
};

/* Lost comes after sleeping. */
static void
sleeping_check(struct conf_errors *e, const config_setting_t *g, void *base,
    struct conf *c)
{
	struct conf_plan *p = base;

	if (p->lost_after_days <= p->sleeping_after_days)
		conf_error(e, g, "lost_after_days must be greater than "
		    "after_days");
}

static const struct conf_entry sleeping_entries[] = {
	{ .name = "after_days", .type = CONF_INT,
	  .offset = P(sleeping_after_days), .min = 1, .max = 3660,
	  .def = 180, .doc = "Sleeping after this many days without a "
	  "purchase." },
	{ .name = "median_factor", .type = CONF_NUMBER,
	  .offset = P(sleeping_factor), .min = 1, .max = 100, .def_num = 3.0,
	  .bad = "median_factor must be a number between 1 and 100",
	  .doc = "Or after this many times the customer's median interval." },
	{ .name = "min_purchases", .type = CONF_INT,
	  .offset = P(sleeping_min_purchases), .min = 2, .max = 1000,
	  .def = 4, .doc = "Purchases needed for the median interval." },
	{ .name = "winback_messages", .type = CONF_INT,
	  .offset = P(winback_max), .min = 0, .max = 10, .def = 2,
	  .doc = "Win-back messages before a sleeping task rule escalates." },
	{ .name = "winback_interval_days", .type = CONF_INT,
	  .offset = P(winback_interval_days), .min = 1, .max = 366,
	  .def = 30, .doc = "Days between win-back messages." },
	{ .name = "lost_after_days", .type = CONF_INT,
	  .offset = P(lost_after_days), .min = 1, .max = 7320, .def = 365,
	  .doc = "Lost after this many days: no more messages, one task." },
	{ .name = NULL }
};

const struct conf_table conf_sleeping_table = {
	.usage = "{ ... }", .entries = sleeping_entries,
	.check = sleeping_check
};

static const struct conf_entry stale_entries[] = {
	{ .name = "after_days", .type = CONF_INT,
	  .offset = P(stale_after_days), .min = 1, .max = 3660, .def = 30,
	  .doc = "A record not updated for this many days is stale." },
	{ .name = NULL }
};

const struct conf_table conf_stale_table = {
	.usage = "{ ... }", .entries = stale_entries
};

static const struct conf_entry escalate_days_entries[] = {
	{ .name = "A", .type = CONF_INT, .offset = P(task_escalate_days[0]),
	  .min = 1, .max = 366, .def = 3,
	  .doc = "Days a tier A task may be overdue before it is escalated." },
	{ .name = "B", .type = CONF_INT, .offset = P(task_escalate_days[1]),
	  .min = 1, .max = 366, .def = 7,
	  .doc = "The same for tier B." },
	{ .name = "C", .type = CONF_INT, .offset = P(task_escalate_days[2]),
	  .min = 1, .max = 366, .def = 14,
	  .doc = "The same for tier C." },
	{ .name = NULL }
};

static const struct conf_table escalate_days_table = {
	.usage = "{ A = 3; B = 7; C = 14; }", .entries = escalate_days_entries
};

static const struct conf_entry tasks_entries[] = {
	{ .name = "retry_days", .type = CONF_INT,
	  .offset = P(task_retry_days), .min = 1, .max = 366, .def = 2,
	  .doc = "A task not reached moves this many days ahead." },
	{ .name = "escalate_attempts", .type = CONF_INT,
	  .offset = P(task_escalate_attempts), .min = 1, .max = 100, .def = 3,
	  .doc = "Attempts not reached before a task is escalated." },
	{ .name = "escalate_after_days", .type = CONF_GROUP,
	  .table = &escalate_days_table,
	  .doc = "Days overdue before an open task is escalated, per tier." },
	{ .name = NULL }
};

const struct conf_table conf_tasks_table = {
	.usage = "{ ... }", .entries = tasks_entries
};

static const struct conf_entry digest_entries[] = {
	{ .name = "enabled", .type = CONF_BOOL, .offset = P(digest_enabled),
	  .def = 0,
	  .doc = "Mail reps who opted in (rep add --digest) their day." },
	{ .name = "hour", .type = CONF_INT, .offset = P(digest_hour),
	  .min = 0, .max = 23, .def = 8,
	  .doc = "The hour of the rep's day (their time zone) it goes at." },
	{ .name = NULL }
};

const struct conf_table conf_digest_table = {
	.usage = "{ ... }", .entries = digest_entries
};

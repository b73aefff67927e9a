/* conf_report.c - the settings of the lifecycle and report groups: when a
 * customer counts as new, what the report attributes to a message, and
 * when managers get it by e-mail. */
#include "conf_priv.h"

static const struct conf_entry lifecycle_entries[] = {
	{ .name = "new_days", .type = CONF_INT,
	  .offset = offsetof(struct conf_plan, lifecycle_new_days),
	  .min = 1, .max = 3660, .def = 90,
	  .doc = "A customer whose first purchase is this recent is new." },
	{ .name = NULL }
};

const struct conf_table conf_lifecycle_table = {
	.usage = "{ ... }", .entries = lifecycle_entries
};

static const struct conf_choice weekday_choices[] = {
	{ "sunday", 0 }, { "monday", 1 }, { "tuesday", 2 },
	{ "wednesday", 3 }, { "thursday", 4 }, { "friday", 5 },
	{ "saturday", 6 }, { "off", REPORT_WEEKLY_OFF },
	{ NULL, 0 }
};

static const struct conf_entry report_entries[] = {
	{ .name = "attribution_days", .type = CONF_INT,
	  .offset = offsetof(struct conf_report, attribution_days),
	  .min = 1, .max = 366, .def = 30,
	  .doc = "A purchase this many days after a message is its "
	  "conversion." },
	{ .name = "weekly_day", .type = CONF_ENUM,
	  .offset = offsetof(struct conf_report, weekly_day),
	  .choices = weekday_choices, .def = 1,
	  .doc = "The day managers taking the digest get the week's report." },
	{ .name = NULL }
};

const struct conf_table conf_report_table = {
	.usage = "{ ... }", .entries = report_entries
};

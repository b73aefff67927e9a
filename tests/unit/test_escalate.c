/* test_escalate.c - when an open task is escalated: overdue by the days
 * of its tier, counted in the rep's time zone, or flagged by attempts;
 * never a closed task. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "date.h"
#include "escalate.h"
#include "store_task.h"

static const int after[3] = { 3, 7, 14 };

static int32_t
day(const char *s)
{
	struct date d;

	assert_int_equal(date_parse(s, &d, NULL), 0);
	return date_to_days(d.year, d.month, d.day);
}

/* Overdue by the tier's days, not a day before. */
static void
test_overdue_by_tier(void **state)
{
	struct escalate_task t = { 1, 0, 'A', 0 };
	int32_t due = day("2027-03-01");
	int overdue;

	(void)state;
	t.day = due;
	assert_int_equal(escalate_state(&t, due, after, &overdue), 0);
	assert_int_equal(overdue, 0);
	assert_int_equal(escalate_state(&t, due + 2, after, &overdue), 0);
	assert_int_equal(overdue, 2);
	assert_int_equal(escalate_state(&t, due + 3, after, NULL),
	    ESCALATE_OVERDUE);
	t.tier = 'B';
	assert_int_equal(escalate_state(&t, due + 6, after, NULL), 0);
	assert_int_equal(escalate_state(&t, due + 7, after, NULL),
	    ESCALATE_OVERDUE);
	t.tier = 'C';
	assert_int_equal(escalate_state(&t, due + 13, after, NULL), 0);
	assert_int_equal(escalate_state(&t, due + 14, after, NULL),
	    ESCALATE_OVERDUE);
	t.tier = '?';	/* unknown: as C */
	assert_int_equal(escalate_state(&t, due + 13, after, NULL), 0);
	/* Due in the future: never. */
	t.tier = 'A';
	assert_int_equal(escalate_state(&t, due - 30, after, &overdue), 0);
	assert_int_equal(overdue, 0);
}

/* The attempts flag escalates at once, overdue or not; both together. */
static void
test_attempts(void **state)
{
	struct escalate_task t = { 1, 0, 'C', 1 };
	int32_t due = day("2027-03-01");

	(void)state;
	t.day = due;
	assert_int_equal(escalate_state(&t, due - 1, after, NULL),
	    ESCALATE_ATTEMPTS);
	assert_int_equal(escalate_state(&t, due + 20, after, NULL),
	    ESCALATE_ATTEMPTS | ESCALATE_OVERDUE);
}

/* A closed task is never escalated, nor overdue. */
static void
test_closed(void **state)
{
	struct escalate_task t = { 0, 0, 'A', 1 };
	int overdue = -1;

	(void)state;
	t.day = day("2027-03-01");
	assert_int_equal(escalate_state(&t, t.day + 100, after, &overdue), 0);
	assert_int_equal(overdue, 0);
}

/* Today is the rep's: at 2027-03-04 20:00 UTC it is already 03-05 in
 * Shanghai, so a tier A task due 03-02 is 3 days overdue there but only
 * 2 in London. */
static void
test_time_zone(void **state)
{
	struct escalate_task t = { 1, 0, 'A', 0 };
	int64_t now = (int64_t)day("2027-03-04") * 86400 + 20 * 3600;
	int overdue;
	char *cause = NULL;

	(void)state;
	t.day = day("2027-03-02");
	assert_int_equal(escalate_state_at(&t, now, "Asia/Shanghai", after,
	    &overdue, NULL), ESCALATE_OVERDUE);
	assert_int_equal(overdue, 3);
	assert_int_equal(escalate_state_at(&t, now, "Europe/London", after,
	    &overdue, NULL), 0);
	assert_int_equal(overdue, 2);
	assert_int_equal(escalate_state_at(&t, now, NULL, after, &overdue,
	    NULL), 0);
	assert_int_equal(escalate_state_at(&t, now, "Mars/Olympus", after,
	    &overdue, &cause), -1);
	assert_non_null(cause);
	free(cause);
}

/* The rep's day: their zone, else the configured one (no zone, an empty
 * one, one gone from the system); neither known is an error.  A task as
 * the store reads it escalates by the same rules. */
static void
test_rep_today(void **state)
{
	int64_t now = (int64_t)day("2027-03-04") * 86400 + 20 * 3600;
	struct store_task t = { 0 };
	char *cause = NULL;
	int32_t today;
	int overdue;

	(void)state;
	assert_int_equal(escalate_today(now, "Asia/Shanghai", "Europe/London",
	    &today, NULL), 0);
	assert_int_equal(today, day("2027-03-05"));
	assert_int_equal(escalate_today(now, NULL, "Asia/Shanghai", &today,
	    NULL), 0);
	assert_int_equal(today, day("2027-03-05"));
	assert_int_equal(escalate_today(now, "", "Europe/London", &today,
	    NULL), 0);
	assert_int_equal(today, day("2027-03-04"));
	assert_int_equal(escalate_today(now, "Mars/Olympus", "Europe/London",
	    &today, NULL), 0);
	assert_int_equal(today, day("2027-03-04"));
	assert_int_equal(escalate_today(now, "Mars/Olympus", "Mars/Hellas",
	    &today, &cause), -1);
	assert_non_null(cause);
	free(cause);

	t.status = "open";
	t.day = day("2027-03-02");
	t.tier = 'A';
	assert_int_equal(escalate_task(&t, day("2027-03-05"), after,
	    &overdue), ESCALATE_OVERDUE);
	assert_int_equal(overdue, 3);
	t.escalated = 1;
	t.day = day("2027-03-07");
	assert_int_equal(escalate_task(&t, day("2027-03-05"), after,
	    &overdue), ESCALATE_ATTEMPTS);
	assert_int_equal(overdue, 0);
	t.status = "done";
	assert_int_equal(escalate_task(&t, day("2027-03-05"), after, NULL), 0);
}

/* Why, in words. */
static void
test_why(void **state)
{
	char *s;

	(void)state;
	s = escalate_why(ESCALATE_OVERDUE | ESCALATE_ATTEMPTS, 9, 'B', after,
	    3);
	assert_string_equal(s, "overdue 9 days (tier B: 7); 3 attempts not "
	    "reached");
	free(s);
	s = escalate_why(ESCALATE_OVERDUE, 1, 'A', (const int[3]){ 1, 7, 14 },
	    0);
	assert_string_equal(s, "overdue 1 day (tier A: 1)");
	free(s);
	s = escalate_why(0, 0, 'A', after, 0);
	assert_string_equal(s, "");
	free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_overdue_by_tier),
		cmocka_unit_test(test_attempts),
		cmocka_unit_test(test_closed),
		cmocka_unit_test(test_time_zone),
		cmocka_unit_test(test_rep_today),
		cmocka_unit_test(test_why),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

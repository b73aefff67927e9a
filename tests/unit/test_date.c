/* test_date.c - unit tests for calendar arithmetic and time zones. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "date.h"
#include "date_zone.h"
#include "util.h"

/* Shorthand: day number of a date. */
static int32_t
D(int y, int m, int d)
{
	return date_to_days(y, m, d);
}

/* Formats a day number for comparisons that print well on failure. */
static const char *
fmt(int32_t days)
{
	static char out[11];

	date_format(days, out);
	return out;
}

static void
test_leap(void **state)
{
	static const struct {
		int year, leap;
	} t[] = { { 1900, 0 }, { 2000, 1 }, { 2024, 1 }, { 2023, 0 },
		{ 2100, 0 }, { 1600, 1 }, { 1700, 0 }, { 2400, 1 }, { 0, 1 },
		{ -4, 1 }, { -100, 0 }, { 1996, 1 } };
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(t); i++) {
		if (date_is_leap(t[i].year) != t[i].leap)
			fail_msg("year %d", t[i].year);
	}
}

static void
test_days_in_month(void **state)
{
	static const struct {
		int y, m, n;
	} t[] = { { 2023, 2, 28 }, { 2024, 2, 29 }, { 1900, 2, 28 },
		{ 2000, 2, 29 }, { 2100, 2, 28 }, { 2024, 1, 31 },
		{ 2024, 4, 30 }, { 2024, 6, 30 }, { 2024, 7, 31 },
		{ 2024, 9, 30 }, { 2024, 11, 30 }, { 2024, 12, 31 },
		{ 2024, 0, 0 }, { 2024, 13, 0 }, { 0, 2, 29 } };
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(t); i++) {
		if (date_days_in_month(t[i].y, t[i].m) != t[i].n)
			fail_msg("%d-%d", t[i].y, t[i].m);
	}
}

static void
test_days_known(void **state)
{
	struct date d;

	(void)state;
	assert_int_equal(D(1970, 1, 1), 0);
	assert_int_equal(D(1969, 12, 31), -1);
	assert_int_equal(D(2000, 3, 1), 11017);
	assert_int_equal(D(2024, 2, 29), 19782);
	assert_int_equal(D(1600, 1, 1), -135140);
	assert_int_equal(D(2400, 12, 31), 157419);
	assert_int_equal(D(9999, 12, 31), 2932896);
	assert_int_equal(D(1, 1, 1), -719162);
	/* Days outside the month count on. */
	assert_int_equal(D(2024, 1, 32), D(2024, 2, 1));
	assert_int_equal(D(2024, 3, 0), D(2024, 2, 29));
	assert_int_equal(D(2023, 12, 32), D(2024, 1, 1));
	date_from_days(INT32_MAX, &d);
	assert_int_equal(D(d.year, d.month, d.day), INT32_MAX);
	date_from_days(INT32_MIN, &d);
	assert_int_equal(D(d.year, d.month, d.day), INT32_MIN);
}

/* Walks every day of 1600..2400 and checks each step of the calendar. */
static void
test_days_round_trip(void **state)
{
	int32_t d, first = D(1600, 1, 1), last = D(2400, 12, 31);
	struct date c, p = { 1599, 12, 31 };

	(void)state;
	assert_int_equal(date_weekday(first - 1), 5);
	for (d = first; d <= last; d++) {
		date_from_days(d, &c);
		if (D(c.year, c.month, c.day) != d)
			fail_msg("day %d", d);
		if (c.day == p.day + 1)
			assert_true(c.month == p.month && c.year == p.year);
		else {
			assert_int_equal(c.day, 1);
			assert_int_equal(p.day, date_days_in_month(p.year,
			    p.month));
			assert_int_equal(c.month, p.month % 12 + 1);
			assert_int_equal(c.year, p.year + (p.month == 12));
		}
		assert_int_equal(date_weekday(d),
		    (date_weekday(d - 1) + 1) % 7);
		p = c;
	}
	assert_int_equal(c.year, 2400);
	assert_int_equal(c.month, 12);
	assert_int_equal(c.day, 31);
}

static void
test_weekday(void **state)
{
	(void)state;
	assert_int_equal(date_weekday(0), 4);		      /* Thursday */
	assert_int_equal(date_weekday(D(2024, 1, 1)), 1);     /* Monday */
	assert_int_equal(date_weekday(D(2024, 2, 29)), 4);    /* Thursday */
	assert_int_equal(date_weekday(D(2000, 3, 1)), 3);     /* Wednesday */
	assert_int_equal(date_weekday(D(1969, 12, 28)), 0);   /* Sunday */
	assert_int_equal(date_weekday(D(1600, 1, 1)), 6);     /* Saturday */
	assert_int_equal(date_weekday(D(2400, 12, 31)), 0);   /* Sunday */
	assert_int_equal(date_weekday(INT32_MIN) >= 0, 1);
}

struct parse_case {
	const char *in;
	int y, m, d;
	const char *err; /* NULL if it parses */
};

static const struct parse_case parse_cases[] = {
	{ "2024-02-29", 2024, 2, 29, NULL },
	{ "2000-02-29", 2000, 2, 29, NULL },
	{ "1000-01-01", 1000, 1, 1, NULL },
	{ "9999-12-31", 9999, 12, 31, NULL },
	{ "2023-04-30", 2023, 4, 30, NULL },
	{ "2023-02-29", 0, 0, 0,
	  "\"2023-02-29\": no such day (2023 is not a leap year)" },
	{ "1900-02-29", 0, 0, 0,
	  "\"1900-02-29\": no such day (1900 is not a leap year)" },
	{ "2024-02-30", 0, 0, 0,
	  "\"2024-02-30\": no such day (February has at most 29 days)" },
	{ "2023-04-31", 0, 0, 0,
	  "\"2023-04-31\": no such day (April has 30 days)" },
	{ "2023-11-31", 0, 0, 0,
	  "\"2023-11-31\": no such day (November has 30 days)" },
	{ "2023-13-01", 0, 0, 0, "\"2023-13-01\": month must be 01..12" },
	{ "2023-00-10", 0, 0, 0, "\"2023-00-10\": month must be 01..12" },
	{ "2023-01-32", 0, 0, 0, "\"2023-01-32\": day must be 01..31" },
	{ "2023-01-00", 0, 0, 0, "\"2023-01-00\": day must be 01..31" },
	{ "0999-12-31", 0, 0, 0, "\"0999-12-31\": year must be 1000..9999" },
	{ "0000-01-01", 0, 0, 0, "\"0000-01-01\": year must be 1000..9999" },
	{ "0000-02-29", 0, 0, 0, "\"0000-02-29\": year must be 1000..9999" },
	{ "2023-1-01", 0, 0, 0, "\"2023-1-01\": expected YYYY-MM-DD" },
	{ "2023/01/01", 0, 0, 0, "\"2023/01/01\": expected YYYY-MM-DD" },
	{ "20230101", 0, 0, 0, "\"20230101\": expected YYYY-MM-DD" },
	{ "2023-01-01 ", 0, 0, 0, "\"2023-01-01 \": expected YYYY-MM-DD" },
	{ " 2023-01-01", 0, 0, 0, "\" 2023-01-01\": expected YYYY-MM-DD" },
	{ "2023-01-01T00:00", 0, 0, 0,
	  "\"2023-01-01T00:00\": expected YYYY-MM-DD" },
	{ "+202-01-01", 0, 0, 0, "\"+202-01-01\": expected YYYY-MM-DD" },
	{ "2023-+1-01", 0, 0, 0, "\"2023-+1-01\": expected YYYY-MM-DD" },
	{ "12023-01-01", 0, 0, 0, "\"12023-01-01\": expected YYYY-MM-DD" },
	{ "", 0, 0, 0, "\"\": expected YYYY-MM-DD" },
	{ "--02-29", 0, 0, 0, "\"--02-29\": expected YYYY-MM-DD" },
	{ "2023-02-2\n", 0, 0, 0, "\"2023-02-2\\x0a\": expected YYYY-MM-DD" },
	{ "\"2023-02-28\"", 0, 0, 0,
	  "\"\\x222023-02-28\\x22\": expected YYYY-MM-DD" },
	{ "2023-02-28 is a very long string that goes on and on", 0, 0, 0,
	  "\"2023-02-28 is a very long string that go...\": expected "
	  "YYYY-MM-DD" },
};

static const struct parse_case birthday_cases[] = {
	{ "--02-29", 0, 2, 29, NULL },
	{ "--12-31", 0, 12, 31, NULL },
	{ "1990-05-17", 1990, 5, 17, NULL },
	{ "--02-30", 0, 0, 0,
	  "\"--02-30\": no such day (February has at most 29 days)" },
	{ "--04-31", 0, 0, 0, "\"--04-31\": no such day (April has 30 days)" },
	{ "--13-01", 0, 0, 0, "\"--13-01\": month must be 01..12" },
	{ "--01-00", 0, 0, 0, "\"--01-00\": day must be 01..31" },
	{ "--2-29", 0, 0, 0, "\"--2-29\": expected YYYY-MM-DD or --MM-DD" },
	{ "---02-29", 0, 0, 0,
	  "\"---02-29\": expected YYYY-MM-DD or --MM-DD" },
	{ "--02-29x", 0, 0, 0,
	  "\"--02-29x\": expected YYYY-MM-DD or --MM-DD" },
	{ "02-29", 0, 0, 0, "\"02-29\": expected YYYY-MM-DD or --MM-DD" },
	{ "2023-02-29", 0, 0, 0,
	  "\"2023-02-29\": no such day (2023 is not a leap year)" },
	{ "0000-05-17", 0, 0, 0, "\"0000-05-17\": year must be 1000..9999" },
};

/* Runs a parse table through one of the two parsers. */
static void
run_parse(const struct parse_case *t, size_t n,
    int (*parse)(const char *, struct date *, char **))
{
	struct date d;
	char *cause;
	size_t i;
	int ret;

	for (i = 0; i < n; i++) {
		d.year = d.month = d.day = -7;
		cause = NULL;
		ret = parse(t[i].in, &d, &cause);
		if (t[i].err == NULL) {
			if (ret != 0)
				fail_msg("\"%s\": %s", t[i].in, cause);
			assert_int_equal(d.year, t[i].y);
			assert_int_equal(d.month, t[i].m);
			assert_int_equal(d.day, t[i].d);
			continue;
		}
		if (ret != -1)
			fail_msg("\"%s\" parsed", t[i].in);
		assert_string_equal(cause, t[i].err);
		assert_int_equal(d.year, -7);
		free(cause);
	}
}

static void
test_parse(void **state)
{
	(void)state;
	run_parse(parse_cases, ARRAY_SIZE(parse_cases), date_parse);
	run_parse(birthday_cases, ARRAY_SIZE(birthday_cases),
	    date_parse_birthday);
}

static void
test_format(void **state)
{
	struct date d = { 2024, 2, 29 };
	char out[11], *s;

	(void)state;
	assert_string_equal(fmt(0), "1970-01-01");
	assert_string_equal(fmt(-1), "1969-12-31");
	assert_string_equal(fmt(D(2024, 2, 29)), "2024-02-29");
	assert_string_equal(fmt(D(9999, 12, 31)), "9999-12-31");
	assert_string_equal(fmt(D(10, 3, 5)), "0010-03-05");
	assert_string_equal(fmt(D(0, 1, 1)), "0000-01-01");
	assert_string_equal(fmt(D(10000, 1, 1)), "0000-00-00");
	assert_string_equal(fmt(D(-1, 12, 31)), "0000-00-00");
	date_format(INT32_MIN, out);
	assert_string_equal(out, "0000-00-00");
	s = date_format_md(&d);
	assert_string_equal(s, "2024-02-29");
	free(s);
	d.year = 0;
	s = date_format_md(&d);
	assert_string_equal(s, "--02-29");
	free(s);
}

static void
test_yearly(void **state)
{
	int32_t d = 12345;

	(void)state;
	assert_int_equal(date_yearly(2, 29, 2024, DATE_FEB29_FEB28, &d), 0);
	assert_string_equal(fmt(d), "2024-02-29");
	assert_int_equal(date_yearly(2, 29, 2024, DATE_FEB29_MAR1, &d), 0);
	assert_string_equal(fmt(d), "2024-02-29");
	assert_int_equal(date_yearly(2, 29, 2024, DATE_FEB29_LEAP_ONLY, &d), 0);
	assert_string_equal(fmt(d), "2024-02-29");
	assert_int_equal(date_yearly(2, 29, 2023, DATE_FEB29_FEB28, &d), 0);
	assert_string_equal(fmt(d), "2023-02-28");
	assert_int_equal(date_yearly(2, 29, 2023, DATE_FEB29_MAR1, &d), 0);
	assert_string_equal(fmt(d), "2023-03-01");
	d = 12345;
	assert_int_equal(date_yearly(2, 29, 2023, DATE_FEB29_LEAP_ONLY, &d),
	    -1);
	assert_int_equal(date_yearly(2, 29, 2100, DATE_FEB29_LEAP_ONLY, &d),
	    -1);
	assert_int_equal(d, 12345);
	assert_int_equal(date_yearly(2, 29, 2100, DATE_FEB29_MAR1, &d), 0);
	assert_string_equal(fmt(d), "2100-03-01");
	assert_int_equal(date_yearly(2, 29, 2000, DATE_FEB29_LEAP_ONLY, &d), 0);
	assert_string_equal(fmt(d), "2000-02-29");
	assert_int_equal(date_yearly(2, 28, 2023, DATE_FEB29_LEAP_ONLY, &d), 0);
	assert_string_equal(fmt(d), "2023-02-28");
	assert_int_equal(date_yearly(12, 25, 2023, DATE_FEB29_FEB28, &d), 0);
	assert_string_equal(fmt(d), "2023-12-25");
	assert_int_equal(date_yearly(4, 31, 2024, DATE_FEB29_FEB28, &d), -1);
	assert_int_equal(date_yearly(2, 30, 2024, DATE_FEB29_FEB28, &d), -1);
	assert_int_equal(date_yearly(13, 1, 2024, DATE_FEB29_FEB28, &d), -1);
	assert_int_equal(date_yearly(0, 1, 2024, DATE_FEB29_FEB28, &d), -1);
	assert_int_equal(date_yearly(1, 0, 2024, DATE_FEB29_FEB28, &d), -1);
}

static void
test_next_yearly(void **state)
{
	int32_t d = 0, from = D(2023, 12, 20);

	(void)state;
	/* "Birthday in N days" across the year end. */
	assert_int_equal(date_next_yearly(1, 5, from, DATE_FEB29_FEB28, &d), 0);
	assert_string_equal(fmt(d), "2024-01-05");
	assert_int_equal(d - from, 16);
	assert_int_equal(date_next_yearly(12, 20, from, DATE_FEB29_FEB28, &d),
	    0);
	assert_int_equal(d, from);
	assert_int_equal(date_next_yearly(12, 19, from, DATE_FEB29_FEB28, &d),
	    0);
	assert_string_equal(fmt(d), "2024-12-19");
	assert_int_equal(date_next_yearly(12, 31, from, DATE_FEB29_FEB28, &d),
	    0);
	assert_string_equal(fmt(d), "2023-12-31");

	from = D(2023, 3, 1);
	assert_int_equal(date_next_yearly(2, 29, from, DATE_FEB29_FEB28, &d),
	    0);
	assert_string_equal(fmt(d), "2024-02-29");
	assert_int_equal(date_next_yearly(2, 29, from, DATE_FEB29_MAR1, &d), 0);
	assert_string_equal(fmt(d), "2023-03-01");
	assert_int_equal(date_next_yearly(2, 29, from, DATE_FEB29_LEAP_ONLY,
	    &d), 0);
	assert_string_equal(fmt(d), "2024-02-29");
	from = D(2023, 1, 10);
	assert_int_equal(date_next_yearly(2, 29, from, DATE_FEB29_FEB28, &d),
	    0);
	assert_string_equal(fmt(d), "2023-02-28");
	assert_int_equal(date_next_yearly(2, 29, D(2024, 2, 29),
	    DATE_FEB29_LEAP_ONLY, &d), 0);
	assert_string_equal(fmt(d), "2024-02-29");
	/* 2100 is not a leap year: the longest wait. */
	assert_int_equal(date_next_yearly(2, 29, D(2096, 3, 1),
	    DATE_FEB29_LEAP_ONLY, &d), 0);
	assert_string_equal(fmt(d), "2104-02-29");
	assert_int_equal(date_next_yearly(2, 29, D(2099, 12, 31),
	    DATE_FEB29_FEB28, &d), 0);
	assert_string_equal(fmt(d), "2100-02-28");
	d = 77;
	assert_int_equal(date_next_yearly(4, 31, from, DATE_FEB29_FEB28, &d),
	    -1);
	assert_int_equal(date_next_yearly(0, 10, from, DATE_FEB29_FEB28, &d),
	    -1);
	assert_int_equal(d, 77);
}

static void
test_years_between(void **state)
{
	struct date b = { 1990, 5, 17 }, leap = { 2000, 2, 29 };
	struct date none = { 0, 5, 17 };

	(void)state;
	assert_int_equal(date_years_between(&b, D(2024, 5, 16)), 33);
	assert_int_equal(date_years_between(&b, D(2024, 5, 17)), 34);
	assert_int_equal(date_years_between(&b, D(2024, 12, 31)), 34);
	assert_int_equal(date_years_between(&b, D(2025, 1, 1)), 34);
	assert_int_equal(date_years_between(&b, D(2024, 4, 30)), 33);
	assert_int_equal(date_years_between(&b, D(1990, 5, 17)), 0);
	assert_int_equal(date_years_between(&b, D(1991, 5, 16)), 0);
	assert_int_equal(date_years_between(&b, D(1990, 5, 16)), -1);
	assert_int_equal(date_years_between(&b, D(1980, 1, 1)), -1);
	assert_int_equal(date_years_between(&none, D(2024, 5, 17)), -1);
	assert_int_equal(date_years_between(&leap, D(2023, 2, 28)), 22);
	assert_int_equal(date_years_between(&leap, D(2023, 3, 1)), 23);
	assert_int_equal(date_years_between(&leap, D(2024, 2, 28)), 23);
	assert_int_equal(date_years_between(&leap, D(2024, 2, 29)), 24);
}

/* The local date and time at t in tz as "YYYY-MM-DD HH:MM:SS". */
static char *
local_str(time_t t, const char *tz)
{
	int32_t days = 0;
	int secs = -1;
	char *cause = NULL;

	if (date_today(t, tz, &days, &cause) != 0 ||
	    date_local_seconds(t, tz, &secs, &cause) != 0)
		fail_msg("%s at %lld: %s", tz, (long long)t, cause);
	assert_in_range(secs, 0, 86399);
	return xasprintf("%s %02d:%02d:%02d", fmt(days), secs / 3600,
	    secs / 60 % 60, secs % 60);
}

#define CHECK_LOCAL(t, tz, want)                                               \
	do {                                                                   \
		char *got_ = local_str(t, tz);                                 \
		assert_string_equal(got_, want);                               \
		free(got_);                                                    \
	} while (0)

/* The instant of a local time, which must succeed. */
static time_t
to_utc(int32_t days, int secs, const char *tz)
{
	time_t t = 0;
	char *cause = NULL;

	if (date_local_to_utc(days, secs, tz, &t, &cause) != 0)
		fail_msg("%s: %s", tz, cause);
	return t;
}

static void
test_tz_fixed_cases(void **state)
{
	int32_t k, p;

	(void)state;
	unsetenv("TZDIR");
	/* 2024-01-01 10:30:00Z: two days apart across the date line. */
	CHECK_LOCAL(1704105000, "Pacific/Kiritimati", "2024-01-02 00:30:00");
	CHECK_LOCAL(1704105000, "Pacific/Pago_Pago", "2023-12-31 23:30:00");
	assert_int_equal(date_today(1704105000, "Pacific/Kiritimati", &k,
	    NULL), 0);
	assert_int_equal(date_today(1704105000, "Pacific/Pago_Pago", &p,
	    NULL), 0);
	assert_int_equal(k - p, 2);
	CHECK_LOCAL(1704105000, "Asia/Shanghai", "2024-01-01 18:30:00");
	CHECK_LOCAL(1704105000, "UTC", "2024-01-01 10:30:00");
	CHECK_LOCAL(-1, "UTC", "1969-12-31 23:59:59");
	/* New York, spring forward 2024-03-10 and fall back 2024-11-03. */
	CHECK_LOCAL(1710053999, "America/New_York", "2024-03-10 01:59:59");
	CHECK_LOCAL(1710054000, "America/New_York", "2024-03-10 03:00:00");
	CHECK_LOCAL(1730613599, "America/New_York", "2024-11-03 01:59:59");
	CHECK_LOCAL(1730613600, "America/New_York", "2024-11-03 01:00:00");
	/* London, 2024-03-31 01:00Z. */
	CHECK_LOCAL(1711846799, "Europe/London", "2024-03-31 00:59:59");
	CHECK_LOCAL(1711846800, "Europe/London", "2024-03-31 02:00:00");

	assert_int_equal(to_utc(D(2024, 6, 1), 9 * 3600, "Asia/Shanghai"),
	    1717203600);
	assert_int_equal(to_utc(D(2024, 3, 10), 9 * 3600, "America/New_York"),
	    1710075600);
	/* 02:30 does not exist: moved forward to 03:30 EDT. */
	assert_int_equal(to_utc(D(2024, 3, 10), 2 * 3600 + 1800,
	    "America/New_York"), 1710055800);
	/* 01:30 happens twice: the first (EDT) one. */
	assert_int_equal(to_utc(D(2024, 11, 3), 3600 + 1800,
	    "America/New_York"), 1730611800);
	assert_int_equal(to_utc(D(2024, 11, 3), 2 * 3600, "America/New_York"),
	    1730617200);
	assert_int_equal(to_utc(D(2024, 3, 31), 3600 + 1800, "Europe/London"),
	    1711848600);
	/* secs past a day count on. */
	assert_int_equal(to_utc(D(2024, 5, 31), 24 * 3600 + 9 * 3600,
	    "Asia/Shanghai"), 1717203600);
	assert_int_equal(to_utc(D(2024, 1, 2), 0, "Pacific/Kiritimati"),
	    1704103200);
}

struct tz_err {
	const char *tz;
	const char *msg;
};

static void
test_tz_errors(void **state)
{
	static const struct tz_err t[] = {
		{ "Mars/Olympus", "\"Mars/Olympus\": unknown time zone" },
		{ "../../etc/passwd",
		  "\"../../etc/passwd\": invalid time zone name" },
		{ "", "empty time zone name" },
		{ "/etc/localtime",
		  "\"/etc/localtime\": invalid time zone name" },
		{ "Asia//Shanghai",
		  "\"Asia//Shanghai\": invalid time zone name" },
		{ "./UTC", "\"./UTC\": invalid time zone name" },
		{ "Asia/Shanghai/",
		  "\"Asia/Shanghai/\": invalid time zone name" },
		{ "Asia/Shanghai/..",
		  "\"Asia/Shanghai/..\": invalid time zone name" },
		{ "America/New York",
		  "\"America/New York\": invalid time zone name" },
		{ "Asia/Shanghai\n",
		  "\"Asia/Shanghai\\x0a\": invalid time zone name" },
		{ "asia/shanghai", "\"asia/shanghai\": unknown time zone" },
		{ "America", "\"America\": unknown time zone" },
		{ "Asia/Shanghai/x", "\"Asia/Shanghai/x\": unknown time zone" },
		{ "EST5EDT,M3.2.0,M11.1.0",
		  "\"EST5EDT,M3.2.0,M11.1.0\": invalid time zone name" },
		{ "zone.tab", "\"zone.tab\": bad time zone: "
		  "/usr/share/zoneinfo/zone.tab: not a valid TZif file" },
		{ "right/UTC", "\"right/UTC\": bad time zone: "
		  "/usr/share/zoneinfo/right/UTC: leap-second zones are not "
		  "supported" },
	};
	char *cause, *name;
	int32_t days = 5;
	int secs = 5;
	time_t out = 5;
	size_t i;

	(void)state;
	unsetenv("TZDIR");
	for (i = 0; i < ARRAY_SIZE(t); i++) {
		assert_int_equal(date_tz_valid(t[i].tz), 0);
		cause = NULL;
		assert_int_equal(date_today(0, t[i].tz, &days, &cause), -1);
		assert_string_equal(cause, t[i].msg);
		free(cause);
		cause = NULL;
		assert_int_equal(date_local_seconds(0, t[i].tz, &secs, &cause),
		    -1);
		assert_string_equal(cause, t[i].msg);
		free(cause);
		cause = NULL;
		assert_int_equal(date_local_to_utc(0, 0, t[i].tz, &out, &cause),
		    -1);
		assert_string_equal(cause, t[i].msg);
		free(cause);
	}
	assert_int_equal(days, 5);
	assert_int_equal(secs, 5);
	assert_int_equal(out, 5);
	assert_int_equal(date_tz_valid(NULL), 0);
	name = xmalloc(300);
	memset(name, 'A', 299);
	name[299] = '\0';
	assert_int_equal(date_tz_valid(name), 0);
	free(name);
	assert_int_equal(date_tz_valid("Asia/Shanghai"), 1);
	assert_int_equal(date_tz_valid("Etc/GMT+5"), 1);
	assert_int_equal(date_tz_valid("UTC"), 1);
	cause = NULL;
	assert_int_equal(date_today((time_t)1 << 60, "UTC", &days, &cause),
	    -1);
	assert_string_equal(cause, "time 1152921504606846976 out of range");
	free(cause);
}

/* Many distinct zones must not break the bounded cache. */
static void
test_tz_cache(void **state)
{
	char *name;
	int32_t days;
	int i;

	(void)state;
	unsetenv("TZDIR");
	for (i = 0; i < 3 * DATE_TZ_CACHE_MAX; i++) {
		name = xasprintf("Etc/GMT%+d", i % 25 - 12);
		if (i % 25 == 12)
			name[7] = '\0'; /* "Etc/GMT" */
		assert_int_equal(date_tz_valid(name), 1);
		free(name);
		name = xasprintf("Bogus/Zone%d", i);
		assert_int_equal(date_tz_valid(name), 0);
		free(name);
	}
	assert_int_equal(date_today(1704105000, "Etc/GMT-14", &days, NULL),
	    0);
	assert_string_equal(fmt(days), "2024-01-02");
	date_tz_flush();
	date_tz_flush();
	assert_int_equal(date_today(1704105000, "Etc/GMT+12", &days, NULL),
	    0);
	assert_string_equal(fmt(days), "2023-12-31");
}

/* A growable list of instants. */
struct tvec {
	int64_t *v;
	size_t n;
	size_t cap;
};

static void
tvec_add(struct tvec *tv, int64_t t)
{
	if (tv->n == tv->cap) {
		tv->cap = tv->cap == 0 ? 1024 : tv->cap * 2;
		tv->v = xreallocarray(tv->v, tv->cap, sizeof *tv->v);
	}
	tv->v[tv->n++] = t;
}

/* The UTC offset at t according to the module under test. */
static int64_t
offset_at(int64_t t, const char *tz)
{
	int32_t days;
	int secs;

	assert_int_equal(date_today((time_t)t, tz, &days, NULL), 0);
	assert_int_equal(date_local_seconds((time_t)t, tz, &secs, NULL), 0);
	return (int64_t)days * 86400 + secs - t;
}

/* Instants to check: a two-hour grid over some years (from the TZif
 * table, its end in 2037 and the POSIX-rule era after it), the exact
 * seconds around each offset change found, and random instants. */
static void
sample_instants(const char *tz, const int *years, size_t nyears,
    int64_t from, struct tvec *tv)
{
	uint64_t seed = 88172645463325252ULL;
	int64_t t, end, lo, hi, mid, prev;
	size_t i;

	for (i = 0; i < nyears; i++) {
		t = (int64_t)D(years[i], 1, 1) * 86400;
		end = (int64_t)D(years[i] + 1, 1, 1) * 86400;
		prev = offset_at(t, tz);
		for (; t < end; t += 7200) {
			tvec_add(tv, t);
			if (offset_at(t, tz) == prev)
				continue;
			lo = t - 7200;
			hi = t;
			while (hi - lo > 1) {
				mid = lo + (hi - lo) / 2;
				if (offset_at(mid, tz) == prev)
					lo = mid;
				else
					hi = mid;
			}
			tvec_add(tv, hi - 1);
			tvec_add(tv, hi);
			prev = offset_at(t, tz);
		}
	}
	/* From from to 2200. */
	for (i = 0; i < 3000; i++) {
		seed ^= seed << 13;
		seed ^= seed >> 7;
		seed ^= seed << 17;
		tvec_add(tv, from + (int64_t)(seed % (uint64_t)(7258118400LL -
		    from)));
	}
}

/* Checks local_to_utc() inverts the local time of t. */
static void
check_inverse(int64_t t, const char *tz)
{
	int64_t off = offset_at(t, tz), local = t + off, t2, day;

	day = local / 86400 - (local % 86400 < 0);
	t2 = to_utc((int32_t)day, (int)(local - day * 86400), tz);
	/* Only a repeated local time may map to an earlier instant. */
	if (t2 + offset_at(t2, tz) != local || t2 > t ||
	    (t2 != t && offset_at(t2, tz) == off)) {
		fail_msg("%s: %lld gives %lld", tz, (long long)t,
		    (long long)t2);
	}
}

/* Compares local times for all of tv with what date(1) prints under
 * TZ=ref, then checks the inverse mapping. */
static void
compare_with_date(const char *tz, const char *ref, const struct tvec *tv)
{
	char path[] = "/tmp/test_date_XXXXXX", *cmd, *line = NULL, *ours;
	size_t i, cap = 0;
	FILE *fp;
	int fd;

	assert_int_not_equal(fd = mkstemp(path), -1);
	assert_non_null(fp = fdopen(fd, "w"));
	for (i = 0; i < tv->n; i++)
		fprintf(fp, "@%lld\n", (long long)tv->v[i]);
	assert_int_equal(fclose(fp), 0);
	cmd = xasprintf("TZ='%s' date -f %s '+%%Y-%%m-%%d %%H:%%M:%%S'", ref,
	    path);
	assert_non_null(fp = popen(cmd, "r"));
	for (i = 0; i < tv->n; i++) {
		assert_true(getline(&line, &cap, fp) > 0);
		line[strcspn(line, "\n")] = '\0';
		ours = local_str((time_t)tv->v[i], tz);
		if (strcmp(ours, line) != 0) {
			fail_msg("%s at @%lld: date says %s, we say %s", tz,
			    (long long)tv->v[i], line, ours);
		}
		free(ours);
		check_inverse(tv->v[i], tz);
	}
	assert_int_equal(pclose(fp), 0);
	unlink(path);
	free(line);
	free(cmd);
}

/* Zones with DST both ways, southern hemisphere, Dublin's negative DST,
 * Nuuk's negative rule times, Troll's 2-hour DST, odd offsets. */
static void
test_tz_vs_date(void **state)
{
	static const char *const zones[] = { "Asia/Shanghai",
		"America/New_York", "Europe/London", "Pacific/Kiritimati",
		"Pacific/Pago_Pago", "Australia/Sydney", "Europe/Dublin",
		"America/Nuuk", "Antarctica/Troll", "Australia/Lord_Howe",
		"Pacific/Chatham", "America/St_Johns", "Asia/Kolkata",
		"Africa/Casablanca", "America/Sao_Paulo", "Europe/Moscow",
		"UTC", "Etc/GMT+12" };
	static const int years[] = { 1970, 1996, 2024, 2037, 2038, 2050,
		2100 };
	struct tvec tv = { NULL, 0, 0 };
	size_t i;

	(void)state;
	unsetenv("TZDIR");
	for (i = 0; i < ARRAY_SIZE(zones); i++) {
		tv.n = 0;
		sample_instants(zones[i], years, ARRAY_SIZE(years),
		    (int64_t)D(1800, 1, 1) * 86400, &tv);
		compare_with_date(zones[i], zones[i], &tv);
	}
	free(tv.v);
}

/* Appends v as an n-byte big-endian integer. */
static void
put_be(struct buf *b, int64_t v, int n)
{
	int i;

	for (i = n - 1; i >= 0; i--)
		buf_addc(b, (char)(((uint64_t)v >> (8 * i)) & 0xff));
}

/* Writes dir/T/name as a TZif file of version (0 or '2'). */
static void
write_tzif(const char *dir, const char *name, char version, size_t n,
    const int64_t *trans, const unsigned char *idx, size_t ntypes,
    const int32_t *offs, const char *footer)
{
	static const char zero[15];
	struct buf b;
	char *path;
	size_t i;
	int tsize;
	FILE *fp;

	buf_init(&b);
	for (tsize = 4; tsize <= (version ? 8 : 4); tsize += 4) {
		buf_add(&b, "TZif", 4);
		buf_addc(&b, version);
		buf_add(&b, zero, 15);
		put_be(&b, 0, 4);
		put_be(&b, 0, 4);
		put_be(&b, 0, 4);
		put_be(&b, (int64_t)n, 4);
		put_be(&b, (int64_t)ntypes, 4);
		put_be(&b, 4, 4);
		for (i = 0; i < n; i++)
			put_be(&b, trans[i], tsize);
		for (i = 0; i < n; i++)
			buf_addc(&b, (char)idx[i]);
		for (i = 0; i < ntypes; i++) {
			put_be(&b, offs[i], 4);
			buf_add(&b, "\0\0", 2);
		}
		buf_add(&b, "ABC", 4);
	}
	if (footer != NULL)
		buf_printf(&b, "\n%s\n", footer);
	path = xasprintf("%s/T/%s", dir, name);
	assert_non_null(fp = fopen(path, "w"));
	assert_int_equal(fwrite(b.data, 1, b.len, fp), b.len);
	assert_int_equal(fclose(fp), 0);
	free(path);
	buf_free(&b);
}

/* A fresh tz database in dir (a mkdtemp template) with zones under T/,
 * made TZDIR; tzdir_remove() undoes it. */
static void
tzdir_make(char *dir)
{
	char *name;

	assert_non_null(mkdtemp(dir));
	name = xasprintf("%s/T", dir);
	assert_int_equal(mkdir(name, 0700), 0);
	free(name);
	setenv("TZDIR", dir, 1);
	date_tz_flush();
}

static void
tzdir_remove(const char *dir)
{
	char *cmd;

	date_tz_flush();
	unsetenv("TZDIR");
	cmd = xasprintf("rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
	free(cmd);
}

/* Expects tz (under TZDIR) to be rejected with exactly msg. */
static void
expect_bad(const char *tz, const char *msg)
{
	char *cause = NULL;
	int32_t days;

	assert_int_equal(date_today(0, tz, &days, &cause), -1);
	assert_string_equal(cause, msg);
	free(cause);
}

/* Hand-made TZif files: footer-only zones checked against glibc's own
 * reading of the same POSIX TZ strings, v1 files and broken files. */
static void
test_tz_files(void **state)
{
	static const char *const rules[] = { "EST5EDT,M3.2.0,M11.1.0",
		"AEST-10AEDT,M10.1.0,M4.1.0/3", "IST-1GMT0,M10.5.0,M3.5.0/1",
		"<-02>2<-01>,M3.5.0/-1,M10.5.0/0",
		"<+1245>-12:45<+1345>,M9.5.0/2:45,M4.1.0/3:45",
		"<+00>0<+02>-2,M3.5.0/1,M10.5.0/3", "AAA0BBB,J60,300",
		"CCC3DDD-2:30,59/1:30:15,J59/-3", "XXX-5:30:15", "<-11>11" };
	static const int years[] = { 2023, 2024, 2100 };
	const int64_t t1[] = { 1000, 2000 }, tbad[] = { 2000, 1000 };
	const unsigned char i1[] = { 1, 0 }, ibad[] = { 0, 5 };
	const int32_t o1[] = { 0, 3600 }, oest[] = { -18000 };
	char dir[] = "/tmp/test_date_tzdir_XXXXXX", *name, *msg, *cmd;
	struct tvec tv = { NULL, 0, 0 };
	size_t i;

	(void)state;
	tzdir_make(dir);
	for (i = 0; i < ARRAY_SIZE(rules); i++) {
		name = xasprintf("R%zu", i);
		write_tzif(dir, name, '2', 0, NULL, NULL, 1, oest, rules[i]);
		free(name);
		name = xasprintf("T/R%zu", i);
		tv.n = 0;
		/* glibc gets POSIX rules wrong before 1970. */
		sample_instants(name, years, ARRAY_SIZE(years), 0, &tv);
		compare_with_date(name, rules[i], &tv);
		free(name);
	}
	free(tv.v);

	write_tzif(dir, "V1", 0, 2, t1, i1, 2, o1, NULL);
	assert_int_equal(offset_at(-5000, "T/V1"), 0);
	assert_int_equal(offset_at(999, "T/V1"), 0);
	assert_int_equal(offset_at(1000, "T/V1"), 3600);
	assert_int_equal(offset_at(1999, "T/V1"), 3600);
	assert_int_equal(offset_at(2000, "T/V1"), 0);
	assert_int_equal(offset_at(2000000000, "T/V1"), 0);
	/* Transitions, then the footer after the last one. */
	write_tzif(dir, "V2", '2', 2, t1, i1, 2, o1, "<+05>-5");
	assert_int_equal(offset_at(999, "T/V2"), 0);
	assert_int_equal(offset_at(1500, "T/V2"), 3600);
	assert_int_equal(offset_at(2000, "T/V2"), 18000);

	write_tzif(dir, "Unsorted", 0, 2, tbad, i1, 2, o1, NULL);
	write_tzif(dir, "BadIndex", 0, 2, t1, ibad, 2, o1, NULL);
	write_tzif(dir, "NoRule", '2', 0, NULL, NULL, 1, oest, "EST5EDT");
	write_tzif(dir, "Garbage", '2', 0, NULL, NULL, 1, oest, "E5!");
	write_tzif(dir, "BadMonth", '2', 0, NULL, NULL, 1, oest,
	    "EST5EDT,M13.2.0,M11.1.0");
	cmd = xasprintf("head -c 50 %s/T/V1 > %s/T/Trunc && : > %s/T/Empty && "
	    "echo hello > %s/T/Text", dir, dir, dir, dir);
	assert_int_equal(system(cmd), 0);
	free(cmd);
	for (i = 0; i < 8; i++) {
		static const char *const bad[] = { "Unsorted", "BadIndex",
			"NoRule", "Garbage", "BadMonth", "Trunc", "Empty",
			"Text" };
		const char *why = i >= 2 && i <= 4 ?
		    "unsupported TZ rule in TZif footer" :
		    "not a valid TZif file";

		name = xasprintf("T/%s", bad[i]);
		msg = xasprintf("\"%s\": bad time zone: %s/%s: %s", name, dir,
		    name, why);
		expect_bad(name, msg);
		free(msg);
		free(name);
	}
	/* UTC needs no database. */
	assert_int_equal(date_tz_valid("UTC"), 1);
	assert_int_equal(date_tz_valid("Etc/UTC"), 1);
	expect_bad("Asia/Shanghai", "\"Asia/Shanghai\": unknown time zone");

	tzdir_remove(dir);
}

/* More zones than the cache holds, read by several threads while one
 * flushes: every answer right, and (under ASan) no zone used after its
 * eviction freed it.  The HTTP server's threads check zones while the
 * daemon's thread plans and delivers. */
#define TZ_THREAD_ZONES	(DATE_TZ_CACHE_MAX + 16)

struct tz_thread {
	const char *dir;
	int seed;
	int bad;
};

static void *
tz_thread_run(void *arg)
{
	struct tz_thread *t = arg;
	char name[32];
	int32_t day;
	int i, z, secs;

	for (i = 0; i < 3000; i++) {
		z = (t->seed + i * 7) % TZ_THREAD_ZONES;
		snprintf(name, sizeof name, "T/Z%d", z);
		/* zone z is UTC+z minutes: at 00:00 UTC, z*60 seconds. */
		if (date_local_seconds(0, name, &secs, NULL) != 0 ||
		    secs != z * 60 || date_today(0, name, &day, NULL) != 0 ||
		    day != 0)
			t->bad++;
		if (t->seed == 0 && i % 100 == 0)
			date_tz_flush();
	}
	return NULL;
}

static void
test_tz_threads(void **state)
{
	char dir[] = "/tmp/test_date_tzthr_XXXXXX", *name;
	struct tz_thread t[4];
	pthread_t th[4];
	int32_t off;
	int i;

	(void)state;
	tzdir_make(dir);
	for (i = 0; i < TZ_THREAD_ZONES; i++) {
		off = i * 60;
		name = xasprintf("Z%d", i);
		write_tzif(dir, name, '2', 0, NULL, NULL, 1, &off, NULL);
		free(name);
	}
	for (i = 0; i < 4; i++) {
		t[i].dir = dir;
		t[i].seed = i;
		t[i].bad = 0;
		assert_int_equal(pthread_create(&th[i], NULL, tz_thread_run,
		    &t[i]), 0);
	}
	for (i = 0; i < 4; i++) {
		pthread_join(th[i], NULL);
		assert_int_equal(t[i].bad, 0);
	}
	tzdir_remove(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_leap),
		cmocka_unit_test(test_days_in_month),
		cmocka_unit_test(test_days_known),
		cmocka_unit_test(test_days_round_trip),
		cmocka_unit_test(test_weekday),
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_yearly),
		cmocka_unit_test(test_next_yearly),
		cmocka_unit_test(test_years_between),
		cmocka_unit_test(test_tz_fixed_cases),
		cmocka_unit_test(test_tz_errors),
		cmocka_unit_test(test_tz_cache),
		cmocka_unit_test(test_tz_vs_date),
		cmocka_unit_test(test_tz_files),
		cmocka_unit_test(test_tz_threads),
	};
	int ret;

	ret = cmocka_run_group_tests(tests, NULL, NULL);
	date_tz_flush();
	return ret;
}

/* test_lunar.c - unit tests for src/lunar.c.  Expected dates were taken from
 * python3-lunardate 0.2.0, the oracle of tests/lunar_oracle.sh. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "lunar.h"
#include "utf8.h"
#include "util.h"

/* Asserts that lunar (y, m, d, leap) converts to Gregorian (gy, gm, gd). */
static void
check_to_gregorian(int y, int m, int d, int leap, int gy, int gm, int gd)
{
	char *cause = NULL;
	int ry = 0, rm = 0, rd = 0;

	assert_int_equal(lunar_to_gregorian(y, m, d, leap, &ry, &rm, &rd,
	    &cause), 0);
	assert_null(cause);
	assert_int_equal(ry, gy);
	assert_int_equal(rm, gm);
	assert_int_equal(rd, gd);
}

/* Asserts that the yearly birthday s falls on (gy, gm, gd) in lunar year
 * ly. */
static void
check_yearly(const char *s, int ly, int gy, int gm, int gd)
{
	struct lunar_date bd;
	char *cause = NULL;
	int ry = 0, rm = 0, rd = 0;

	assert_int_equal(lunar_parse(s, &bd, &cause), 0);
	assert_int_equal(lunar_yearly(&bd, ly, &ry, &rm, &rd, &cause), 0);
	assert_null(cause);
	assert_int_equal(ry, gy);
	assert_int_equal(rm, gm);
	assert_int_equal(rd, gd);
}

/* Asserts that a call returned -1 with exactly the message want, then frees
 * and clears the message.  cause is read here, after the call has run: as
 * a plain argument next to the call its read would be unsequenced. */
static void
check_cause(int rc, char **cause, const char *want)
{
	assert_int_equal(rc, -1);
	assert_non_null(*cause);
	assert_string_equal(*cause, want);
	free(*cause);
	*cause = NULL;
}

/* Every accepted form parses to the right fields and formats back to the
 * same string. */
static void
test_parse_format_roundtrip(void **state)
{
	static const struct {
		const char *s;
		struct lunar_date ld;
	} t[] = {
		{ "L:01-01", { 0, 1, 1, 0 } },
		{ "L:08-15", { 0, 8, 15, 0 } },
		{ "L:12-30", { 0, 12, 30, 0 } },
		{ "L:04R-15", { 0, 4, 15, 1 } },
		{ "L:11R-30", { 0, 11, 30, 1 } },
		{ "L:2026-08-15", { 2026, 8, 15, 0 } },
		{ "L:2020-04R-15", { 2020, 4, 15, 1 } },
		{ "L:2023-02R-29", { 2023, 2, 29, 1 } },
		{ "L:1900-01-01", { 1900, 1, 1, 0 } },
		{ "L:2099-12-30", { 2099, 12, 30, 0 } },
	};
	struct lunar_date ld;
	char *cause = NULL, *s;
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(t); i++) {
		memset(&ld, 0xff, sizeof ld);
		assert_int_equal(lunar_parse(t[i].s, &ld, &cause), 0);
		assert_null(cause);
		assert_int_equal(ld.year, t[i].ld.year);
		assert_int_equal(ld.month, t[i].ld.month);
		assert_int_equal(ld.day, t[i].ld.day);
		assert_int_equal(ld.leap, t[i].ld.leap);
		s = lunar_format(&ld);
		assert_string_equal(s, t[i].s);
		free(s);
	}
}

/* Each rejected input gets its own precise message, and *out is left
 * alone. */
static void
test_parse_errors(void **state)
{
	static const struct {
		const char *s;
		const char *cause;
	} t[] = {
		{ "", "empty lunar date" },
		{ "08-15", "\"08-15\": lunar date must start with \"L:\"" },
		{ "l:08-15", "\"l:08-15\": lunar date must start with \"L:\"" },
		{ "G:2026-08-15",
		  "\"G:2026-08-15\": lunar date must start with \"L:\"" },
#define SHAPE ": expected L:MM-DD, L:MMR-DD, L:YYYY-MM-DD or L:YYYY-MMR-DD"
		{ "L:", "\"L:\"" SHAPE },
		{ "L:8-15", "\"L:8-15\"" SHAPE },
		{ "L:08-5", "\"L:08-5\"" SHAPE },
		{ "L:08/15", "\"L:08/15\"" SHAPE },
		{ "L:0815", "\"L:0815\"" SHAPE },
		{ "L:08-15 ", "\"L:08-15 \"" SHAPE },
		{ " L:08-15", "\" L:08-15\": lunar date must start with \"L:\"" },
		{ "L:08r-15", "\"L:08r-15\"" SHAPE },
		{ "L:08RR-15", "\"L:08RR-15\"" SHAPE },
		{ "L:+8-15", "\"L:+8-15\"" SHAPE },
		{ "L:26-08-15", "\"L:26-08-15\"" SHAPE },
		{ "L:02026-08-15", "\"L:02026-08-15\"" SHAPE },
		{ "L:2026-8-15", "\"L:2026-8-15\"" SHAPE },
		{ "L:2026R-08-15", "\"L:2026R-08-15\"" SHAPE },
		{ "L:08-15\n", "\"L:08-15\\x0a\"" SHAPE },
		{ "L:0123456789012345678901234567890123456789",
		  "\"L:012345678901234567890123456789...\"" SHAPE },
#undef SHAPE
		{ "L:13-01", "\"L:13-01\": lunar month must be 01..12" },
		{ "L:00-01", "\"L:00-01\": lunar month must be 01..12" },
		{ "L:13R-01", "\"L:13R-01\": lunar month must be 01..12" },
		{ "L:01-31", "\"L:01-31\": lunar day must be 01..30" },
		{ "L:01-00", "\"L:01-00\": lunar day must be 01..30" },
		{ "L:2026-01-31", "\"L:2026-01-31\": lunar day must be 01..30" },
		{ "L:1899-01-01", "\"L:1899-01-01\": lunar year must be 1900..2099" },
		{ "L:2100-01-01", "\"L:2100-01-01\": lunar year must be 1900..2099" },
		{ "L:0000-01-01", "\"L:0000-01-01\": lunar year must be 1900..2099" },
		{ "L:2026-04R-15",
		  "\"L:2026-04R-15\": lunar year 2026 has no leap month" },
		{ "L:2023-04R-15", "\"L:2023-04R-15\": lunar year 2023 has no "
		  "leap month 04 (only 02R)" },
		{ "L:2023-01-30",
		  "\"L:2023-01-30\": lunar month 01 of 2023 has 29 days" },
		{ "L:2023-02R-30",
		  "\"L:2023-02R-30\": leap month 02 of 2023 has 29 days" },
	};
	struct lunar_date ld = { 7, 7, 7, 7 };
	char *cause = NULL;
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(t); i++) {
		check_cause(lunar_parse(t[i].s, &ld, &cause), &cause, t[i].cause);
		assert_int_equal(ld.year, 7);
		assert_int_equal(ld.month, 7);
	}
	check_cause(lunar_parse(NULL, &ld, &cause), &cause, "empty lunar date");
	assert_int_equal(lunar_parse("L:13-01", &ld, NULL), -1);
}

/* Causes end up in logs: the quoted input in them is valid UTF-8 on one
 * line whatever the input, cut between characters when it is long. */
static void
test_parse_error_quoting(void **state)
{
#define SHAPE ": expected L:MM-DD, L:MMR-DD, L:YYYY-MM-DD or L:YYYY-MMR-DD"
	static const struct {
		const char *s;
		const char *cause;
	} t[] = {
		/* The 32-byte cut falls inside U+65E5: it goes whole. */
		{ "L:0123456789012345678901234567\xe6\x97\xa5",
		  "\"L:0123456789012345678901234567...\"" SHAPE },
		{ "L:012345678901234567890123456\xe6\x97\xa5",
		  "\"L:012345678901234567890123456\xe6\x97\xa5\"" SHAPE },
		{ "L:08-15\xff", "\"L:08-15\\xff\"" SHAPE },
		{ "L:08-\xe6\x97", "\"L:08-\\xe6\\x97\"" SHAPE },
		{ "L:08-15\r\n", "\"L:08-15\\x0d\\x0a\"" SHAPE },
		{ "L:\"08-15", "\"L:\\x2208-15\"" SHAPE },
		{ "\xc2\x85L:08-15",
		  "\"\\u0085L:08-15\": lunar date must start with \"L:\"" },
	};
#undef SHAPE
	struct lunar_date ld;
	char *cause = NULL;
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(t); i++) {
		assert_int_equal(lunar_parse(t[i].s, &ld, &cause), -1);
		assert_non_null(cause);
		assert_true(utf8_valid(cause, strlen(cause), NULL));
		assert_null(strpbrk(cause, "\r\n"));
		assert_string_equal(cause, t[i].cause);
		free(cause);
		cause = NULL;
	}
}

/* Festivals and leap months against lunardate. */
static void
test_known_dates(void **state)
{
	(void)state;
	check_to_gregorian(2026, 1, 1, 0, 2026, 2, 17);	/* Spring Festival */
	check_to_gregorian(2026, 8, 15, 0, 2026, 9, 25);	/* Mid-Autumn */
	check_to_gregorian(2023, 2, 1, 1, 2023, 3, 22);	/* 閏二月初一 */
	check_to_gregorian(2023, 2, 29, 1, 2023, 4, 19);
	check_to_gregorian(2020, 4, 15, 1, 2020, 6, 6);	/* 閏四月十五 */
	check_to_gregorian(2020, 4, 15, 0, 2020, 5, 7);	/* 四月十五 */
	check_to_gregorian(2033, 11, 15, 1, 2034, 1, 5);	/* 2033 閏十一月 */
	check_to_gregorian(2025, 12, 15, 0, 2026, 2, 2);
	check_to_gregorian(1900, 1, 1, 0, 1900, 1, 31);	/* first day */
	check_to_gregorian(2099, 12, 30, 0, 2100, 2, 8);	/* last day */
}

/* Strict conversion refuses dates that do not exist, with a reason. */
static void
test_to_gregorian_errors(void **state)
{
	char *cause = NULL;
	int y, m, d;

	(void)state;
#define TRY(ly, lm, ld, leap) \
	lunar_to_gregorian(ly, lm, ld, leap, &y, &m, &d, &cause)
	check_cause(TRY(1899, 12, 1, 0), &cause,
	    "lunar year 1899 is outside 1900..2099");
	check_cause(TRY(2100, 1, 1, 0), &cause,
	    "lunar year 2100 is outside 1900..2099");
	check_cause(TRY(2026, 0, 1, 0), &cause, "lunar month 0 is outside 1..12");
	check_cause(TRY(2026, 13, 1, 0), &cause,
	    "lunar month 13 is outside 1..12");
	check_cause(TRY(2026, 1, 0, 0), &cause, "lunar day 0 is outside 1..30");
	check_cause(TRY(2026, 1, 31, 0), &cause, "lunar day 31 is outside 1..30");
	check_cause(TRY(2026, 4, 15, 1), &cause,
	    "L:2026-04R-15: lunar year 2026 has no leap month");
	check_cause(TRY(2023, 4, 15, 1), &cause,
	    "L:2023-04R-15: lunar year 2023 has no leap month 04 (only 02R)");
	check_cause(TRY(2026, 4, 30, 0), &cause,
	    "L:2026-04-30: lunar month 04 of 2026 has 29 days");
	check_cause(TRY(2023, 2, 30, 1), &cause,
	    "L:2023-02R-30: leap month 02 of 2023 has 29 days");
#undef TRY
	assert_int_equal(lunar_to_gregorian(2100, 1, 1, 0, &y, &m, &d, NULL),
	    -1);
}

/* Gregorian to lunar, including the range edges and invalid dates. */
static void
test_from_gregorian(void **state)
{
	static const struct {
		int gy, gm, gd;
		struct lunar_date ld;
	} t[] = {
		{ 2026, 2, 17, { 2026, 1, 1, 0 } },
		{ 2026, 2, 16, { 2025, 12, 29, 0 } },	/* New Year's Eve */
		{ 2023, 3, 22, { 2023, 2, 1, 1 } },
		{ 2024, 2, 29, { 2024, 1, 20, 0 } },
		{ 2033, 12, 22, { 2033, 11, 1, 1 } },
		{ 1900, 1, 31, { 1900, 1, 1, 0 } },
		{ 2100, 2, 8, { 2099, 12, 30, 0 } },
	};
	struct lunar_date ld;
	char *cause = NULL;
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(t); i++) {
		assert_int_equal(lunar_from_gregorian(t[i].gy, t[i].gm, t[i].gd,
		    &ld, &cause), 0);
		assert_null(cause);
		assert_int_equal(ld.year, t[i].ld.year);
		assert_int_equal(ld.month, t[i].ld.month);
		assert_int_equal(ld.day, t[i].ld.day);
		assert_int_equal(ld.leap, t[i].ld.leap);
	}
#define TRY(y, m, d) lunar_from_gregorian(y, m, d, &ld, &cause)
	check_cause(TRY(1900, 1, 30), &cause,
	    "Gregorian date 1900-01-30 is outside lunar years 1900..2099");
	check_cause(TRY(2100, 2, 9), &cause,
	    "Gregorian date 2100-02-09 is outside lunar years 1900..2099");
	check_cause(TRY(2023, 2, 29), &cause,
	    "invalid Gregorian date 2023-02-29");
	check_cause(TRY(2100, 2, 29), &cause,
	    "invalid Gregorian date 2100-02-29");
	check_cause(TRY(2026, 13, 1), &cause,
	    "invalid Gregorian date 2026-13-01");
	check_cause(TRY(2026, 4, 31), &cause,
	    "invalid Gregorian date 2026-04-31");
	check_cause(TRY(2026, 1, 0), &cause, "invalid Gregorian date 2026-01-00");
#undef TRY
}

/* The birthday policy: a missing leap month falls back to the ordinary
 * month, a missing day 30 to day 29, and both can apply at once. */
static void
test_yearly_policy(void **state)
{
	(void)state;
	/* Ordinary birthdays; the birth year is ignored. */
	check_yearly("L:08-15", 2026, 2026, 9, 25);
	check_yearly("L:1990-08-15", 2026, 2026, 9, 25);
	/* 12th month: lunar 2025 ends in Gregorian 2026. */
	check_yearly("L:12-15", 2025, 2026, 2, 2);
	/* Leap month present: the leap month only. */
	check_yearly("L:04R-15", 2020, 2020, 6, 6);
	check_yearly("L:02R-01", 2023, 2023, 3, 22);
	/* Leap month absent (2026 has none, 2023 has 02R): ordinary month. */
	check_yearly("L:04R-15", 2026, 2026, 5, 31);
	check_yearly("L:04R-15", 2023, 2023, 6, 2);
	/* An ordinary-month birthday ignores the leap month. */
	check_yearly("L:04-15", 2020, 2020, 5, 7);
	/* Day 30 in a 29-day month: day 29. */
	check_yearly("L:01-30", 2023, 2023, 2, 19);
	check_yearly("L:01-30", 2026, 2026, 3, 18);	/* 30 days: kept */
	/* Leap month present but short (29), ordinary month long. */
	check_yearly("L:06R-30", 2025, 2025, 8, 22);
	check_yearly("L:06-30", 2025, 2025, 7, 24);
	/* Both: no leap 4th month in 2026 and its 4th month has 29 days. */
	check_yearly("L:04R-30", 2026, 2026, 6, 14);
	check_yearly("L:04R-30", 2020, 2020, 6, 20);	/* 04R-29 */
	/* The range edges. */
	check_yearly("L:01-01", 1900, 1900, 1, 31);
	check_yearly("L:12-30", 2099, 2100, 2, 8);
}

/* Out-of-range years and invalid birthdays are errors. */
static void
test_yearly_errors(void **state)
{
	struct lunar_date bd = { 0, 8, 15, 0 };
	char *cause = NULL;
	int y, m, d;

	(void)state;
	check_cause(lunar_yearly(&bd, 1899, &y, &m, &d, &cause), &cause,
	    "lunar year 1899 is outside 1900..2099");
	check_cause(lunar_yearly(&bd, 2100, &y, &m, &d, &cause), &cause,
	    "lunar year 2100 is outside 1900..2099");
	bd.month = 13;
	check_cause(lunar_yearly(&bd, 2026, &y, &m, &d, &cause), &cause,
	    "lunar month 13 is outside 1..12");
	bd.month = 8;
	bd.day = 0;
	check_cause(lunar_yearly(&bd, 2026, &y, &m, &d, &cause), &cause,
	    "lunar day 0 is outside 1..30");
}

/* Birthdays per Gregorian year: usually one, but late-year birthdays can
 * fall twice (January and December) or not at all. */
static void
test_yearly_in_gregorian(void **state)
{
	struct lunar_date bd;
	struct lunar_gdate g[2];
	char *cause = NULL;

	(void)state;
	assert_int_equal(lunar_parse("L:08-15", &bd, NULL), 0);
	assert_int_equal(lunar_yearly_in_gregorian(&bd, 2026, g, &cause), 1);
	assert_int_equal(g[0].year, 2026);
	assert_int_equal(g[0].month, 9);
	assert_int_equal(g[0].day, 25);

	/* Lunar 2025-12-15 is Gregorian 2026-02-02; 2026-12-15 is in 2027. */
	assert_int_equal(lunar_parse("L:12-15", &bd, NULL), 0);
	assert_int_equal(lunar_yearly_in_gregorian(&bd, 2026, g, &cause), 1);
	assert_int_equal(g[0].month, 2);
	assert_int_equal(g[0].day, 2);

	/* Lunar 11-15: 2024-12-15, then 2026-01-03 and 2026-12-23. */
	assert_int_equal(lunar_parse("L:11-15", &bd, NULL), 0);
	assert_int_equal(lunar_yearly_in_gregorian(&bd, 2025, g, &cause), 0);
	assert_int_equal(lunar_yearly_in_gregorian(&bd, 2026, g, &cause), 2);
	assert_int_equal(g[0].year, 2026);
	assert_int_equal(g[0].month, 1);
	assert_int_equal(g[0].day, 3);
	assert_int_equal(g[1].year, 2026);
	assert_int_equal(g[1].month, 12);
	assert_int_equal(g[1].day, 23);
	assert_null(cause);

	assert_int_equal(lunar_yearly_in_gregorian(&bd, 2099, g, NULL), 1);
	check_cause(lunar_yearly_in_gregorian(&bd, 1900, g, &cause), &cause,
	    "Gregorian year 1900 is outside 1901..2099");
	check_cause(lunar_yearly_in_gregorian(&bd, 2100, g, &cause), &cause,
	    "Gregorian year 2100 is outside 1901..2099");
}

/* Every Gregorian day in range maps to a lunar date that maps back, and
 * every lunar birthday falls exactly once per lunar year in that year's
 * span. */
static void
test_exhaustive_roundtrip(void **state)
{
	struct lunar_date ld, bd;
	char *cause = NULL;
	int y, m, d, gy, gm, gd, prev_year = 0, days = 0, ly;

	(void)state;
	y = 1900, m = 1, d = 31;
	for (;;) {
		if (lunar_from_gregorian(y, m, d, &ld, &cause) != 0)
			break;
		assert_int_equal(lunar_to_gregorian(ld.year, ld.month, ld.day,
		    ld.leap, &gy, &gm, &gd, &cause), 0);
		assert_int_equal(gy, y);
		assert_int_equal(gm, m);
		assert_int_equal(gd, d);
		assert_true(ld.year == prev_year || ld.year == prev_year + 1 ||
		    prev_year == 0);
		prev_year = ld.year;
		days++;
		/* Next Gregorian day, done by hand. */
		if (d < 28 || (d < 30 && m != 2) || (d == 30 && (m == 1 ||
		    m == 3 || m == 5 || m == 7 || m == 8 || m == 10 || m == 12)))
			d++;
		else if (m == 2 && d == 28 && y % 4 == 0 &&
		    (y % 100 != 0 || y % 400 == 0))
			d++;
		else if (m == 12)
			y++, m = 1, d = 1;
		else
			m++, d = 1;
	}
	assert_string_equal(cause, "Gregorian date 2100-02-09 is outside "
	    "lunar years 1900..2099");
	free(cause);
	assert_int_equal(days, 73058);	/* lines of lunar_oracle.py */

	for (ly = LUNAR_YEAR_MIN; ly <= LUNAR_YEAR_MAX; ly += 7) {
		bd.year = 0;
		for (bd.month = 1; bd.month <= 12; bd.month++) {
			for (bd.day = 1; bd.day <= 30; bd.day++) {
				for (bd.leap = 0; bd.leap <= 1; bd.leap++) {
					assert_int_equal(lunar_yearly(&bd, ly,
					    &gy, &gm, &gd, NULL), 0);
					assert_int_equal(lunar_from_gregorian(
					    gy, gm, gd, &ld, NULL), 0);
					assert_int_equal(ld.year, ly);
					assert_int_equal(ld.month, bd.month);
					assert_true(ld.day == bd.day ||
					    (bd.day == 30 && ld.day == 29));
					assert_true(ld.leap == 0 || bd.leap);
				}
			}
		}
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_format_roundtrip),
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_parse_error_quoting),
		cmocka_unit_test(test_known_dates),
		cmocka_unit_test(test_to_gregorian_errors),
		cmocka_unit_test(test_from_gregorian),
		cmocka_unit_test(test_yearly_policy),
		cmocka_unit_test(test_yearly_errors),
		cmocka_unit_test(test_yearly_in_gregorian),
		cmocka_unit_test(test_exhaustive_roundtrip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

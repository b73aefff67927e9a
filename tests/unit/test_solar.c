/* test_solar.c - unit tests for src/solar.c, against the independent table
 * tests/unit/data/solar_terms.txt (python3-ephem, see tests/solar_terms.py). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "date.h"
#include "solar.h"

#ifndef TEST_DATA_DIR
#define TEST_DATA_DIR "tests/unit/data"
#endif

/* Seconds the computed instant may differ from the table's: solar.c is
 * good to about 25 s, and the two Delta T models drift apart by up to
 * 20 s by 2100. */
#define SOLAR_SLACK_SECONDS 60

/* Every term of 2000-2100 falls on the table's day, within the slack. */
static void
test_against_table(void **state)
{
	FILE *fp = fopen(TEST_DATA_DIR "/solar_terms.txt", "r");
	char name[32];
	int year, y, m, d, hh, mm, ss, n = 0, term;
	int32_t day;
	double jd, want;

	(void)state;
	assert_non_null(fp);
	while (fscanf(fp, "%d %31s %d-%d-%d %d:%d:%d", &year, name, &y, &m, &d,
	    &hh, &mm, &ss) == 8) {
		term = solar_term_find(name);
		assert_int_equal(term, n % SOLAR_NTERMS);
		assert_int_equal(year, 2000 + n / SOLAR_NTERMS);
		assert_int_equal(solar_term_day(year, term, &day), 0);
		if (day != date_to_days(y, m, d))
			fail_msg("%d %s: computed day %d, table %04d-%02d-%02d",
			    year, name, (int)day, y, m, d);
		assert_int_equal(solar_term_jd(year, term, &jd), 0);
		want = 2440587.5 + date_to_days(y, m, d) +
		    (hh * 3600 + mm * 60 + ss - 8 * 3600) / 86400.0;
		if (jd - want > SOLAR_SLACK_SECONDS / 86400.0 ||
		    want - jd > SOLAR_SLACK_SECONDS / 86400.0)
			fail_msg("%d %s: %.0f s from the table", year, name,
			    (jd - want) * 86400);
		n++;
	}
	fclose(fp);
	assert_int_equal(n, 101 * SOLAR_NTERMS);
}

/* 清明 falls on 4 or 5 April in every year a holiday is expanded for. */
static void
test_qingming_in_april(void **state)
{
	struct date d;
	int32_t day;
	int y, term = solar_term_find("qingming");

	(void)state;
	assert_int_equal(term, 6);
	assert_int_equal(solar_term_longitude(term), 15);
	for (y = 1970; y <= 2100; y++) {
		assert_int_equal(solar_term_day(y, term, &day), 0);
		date_from_days(day, &d);
		assert_int_equal(d.month, 4);
		assert_true(d.day == 4 || d.day == 5);
	}
	/* 2025-04-04 20:48 and 2028-04-04 (a leap year, earlier). */
	assert_int_equal(solar_term_day(2025, term, &day), 0);
	assert_int_equal(day, date_to_days(2025, 4, 4));
}

/* Names, longitudes and the order within a year. */
static void
test_names(void **state)
{
	int32_t prev = 0, day;
	int i;

	(void)state;
	assert_int_equal(solar_term_find("xiaohan"), 0);
	assert_int_equal(solar_term_find("dongzhi"), 23);
	assert_int_equal(solar_term_find("chunfen"), 5);
	assert_int_equal(solar_term_longitude(5), 0);
	assert_int_equal(solar_term_longitude(23), 270);
	assert_int_equal(solar_term_find("Qingming"), -1);
	assert_int_equal(solar_term_find(""), -1);
	assert_string_equal(solar_term_title(6), "清明");
	assert_string_equal(solar_term_name(17), "qiufen");
	assert_null(solar_term_name(24));
	assert_null(solar_term_title(-1));
	for (i = 0; i < SOLAR_NTERMS; i++) {
		assert_int_equal(solar_term_day(2030, i, &day), 0);
		assert_true(day > prev);
		assert_true(day - prev >= 14 || i == 0);
		prev = day;
	}
}

/* Outside the modelled years and terms: an error, nothing written. */
static void
test_errors(void **state)
{
	int32_t day = 42;
	double jd = 1;

	(void)state;
	assert_int_equal(solar_term_day(SOLAR_YEAR_MIN - 1, 0, &day), -1);
	assert_int_equal(solar_term_day(SOLAR_YEAR_MAX + 1, 0, &day), -1);
	assert_int_equal(solar_term_day(2000, 24, &day), -1);
	assert_int_equal(solar_term_jd(2000, -1, &jd), -1);
	assert_int_equal(day, 42);
	assert_true(jd == 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_against_table),
		cmocka_unit_test(test_qingming_in_april),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* date.h - civil calendar arithmetic.
 *
 * Days are counted as int32_t days since 1970-01-01 in the proleptic
 * Gregorian calendar (negative before 1970).  All calendar functions are
 * pure and thread-safe.  Time zones: date_zone.h. */
#ifndef OUTREACHD_DATE_H
#define OUTREACHD_DATE_H

#include <stdint.h>

/* A calendar date; year 0 means "year unknown" (a birthday given as
 * --MM-DD). */
struct date {
	int year;
	int month; /* 1..12 */
	int day;   /* 1..31 */
};

int date_is_leap(int year);

/* Days in month (1..12) of year; 0 for a bad month.  Year 0 is a leap year
 * in the proleptic calendar, so February of an unknown year has 29. */
int date_days_in_month(int year, int month);

/* Days since 1970-01-01 of a date.  month must be 1..12; day may lie
 * outside the month and simply counts on (day 0 is the last of the previous
 * month).  year must be within +-5,000,000. */
int32_t date_to_days(int year, int month, int day);

/* The civil date of a day number.  Never fails. */
void date_from_days(int32_t days, struct date *out);

/* Day of the week: 0 = Sunday .. 6 = Saturday. */
int date_weekday(int32_t days);

/* Parses strict "YYYY-MM-DD" with a year in 1000..9999 and a day that
 * exists.  Returns 0, or -1 with *cause set to a malloc'd message such as
 *	"2023-02-29": no such day (2023 is not a leap year)
 * The date_parse* functions leave *out untouched on failure. */
int date_parse(const char *s, struct date *out, char **cause);

/* Like date_parse(), but also accepts "--MM-DD" (year 0); "--02-29" is
 * valid. */
int date_parse_birthday(const char *s, struct date *out, char **cause);

/* Writes "YYYY-MM-DD" and a NUL into out.  Dates outside years 0..9999
 * come out as "0000-00-00" (month 00: never a real date). */
void date_format(int32_t days, char out[11]);

/* Formats d as "YYYY-MM-DD", or "--MM-DD" when the year is 0.  Returns a
 * malloc'd string the caller frees. */
char *date_format_md(const struct date *d);

/* What a yearly 29 February event does in a year without one. */
enum date_feb29 {
	DATE_FEB29_FEB28,     /* happens on 28 February */
	DATE_FEB29_MAR1,      /* happens on 1 March */
	DATE_FEB29_LEAP_ONLY, /* does not happen */
};

/* The day a yearly event of (month, day) falls on in year.  Returns 0 and
 * sets *days, or -1 if it does not happen that year (29 February with
 * DATE_FEB29_LEAP_ONLY in a common year) or month/day can never exist
 * (e.g. 04-31). */
int date_yearly(int month, int day, int year, enum date_feb29 policy,
    int32_t *days);

/* The first occurrence of a yearly (month, day) on or after from; handles
 * the December to January wrap.  Returns 0 and sets *days, or -1 if
 * month/day can never exist. */
int date_next_yearly(int month, int day, int32_t from, enum date_feb29 policy,
    int32_t *days);

/* Whole years from start to the day on: age, or anniversary count.  A
 * 29 February start completes a year on 1 March in common years.  Returns
 * -1 if start has no year (year 0) or on is before start. */
int date_years_between(const struct date *start, int32_t on);

#endif

/* date.h - civil calendar arithmetic and IANA time zones.
 *
 * Days are counted as int32_t days since 1970-01-01 in the proleptic
 * Gregorian calendar (negative before 1970).  All calendar functions are
 * pure and thread-safe.
 *
 * Time zones are read from the system tz database (TZif files under $TZDIR,
 * default /usr/share/zoneinfo), including the POSIX TZ rule at the end of
 * the file for instants after its last transition.  Only names made of
 * letters, digits and "/_-+." without empty, "." or ".." components are
 * looked up, so paths cannot escape the database.  "UTC" and "Etc/UTC" work
 * even without a tz database.  Parsed zones are cached (at most
 * DATE_TZ_CACHE_MAX) behind a mutex: any thread may call them. */
#ifndef OUTREACHD_DATE_H
#define OUTREACHD_DATE_H

#include <stdint.h>
#include <time.h>

#define DATE_TZ_CACHE_MAX 64

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

/* 1 if tz names a usable zone in the tz database, else 0. */
int date_tz_valid(const char *tz);

/* The civil date in zone tz at instant now.  Returns 0, or -1 with *cause
 * set (malloc'd) for an unknown or unreadable zone; same for the two
 * functions below. */
int date_today(time_t now, const char *tz, int32_t *days, char **cause);

/* Seconds since local midnight (0..86399) in tz at instant now, e.g. for
 * quiet hours. */
int date_local_seconds(time_t now, const char *tz, int *secs, char **cause);

/* The instant at which local time in tz is secs seconds after midnight of
 * day days ("wait until 09:00 local").  secs may be outside 0..86399 and
 * counts on from that midnight.  A local time skipped by a forward clock
 * change is moved forward by the size of the gap (02:30 becomes 03:30); a
 * local time that happens twice gives the earlier instant. */
int date_local_to_utc(int32_t days, int secs, const char *tz, time_t *out,
    char **cause);

/* Empties the zone cache, e.g. after the tz database was updated. */
void date_tz_flush(void);

#endif

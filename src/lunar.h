/* lunar.h - Chinese lunar (农历) birthdays.
 *
 * Text format of a stored lunar birthday (ASCII, exact, no white space):
 *
 *	L:MM-DD		month and day, lunar year unknown	L:08-15
 *	L:YYYY-MM-DD	with the lunar year of birth		L:1990-08-15
 *	L:MMR-DD	leap month: R after the month		L:04R-15 (閏四月十五)
 *	L:YYYY-MMR-DD	leap month with the lunar year		L:2020-04R-15
 *
 * MM is 01..12, DD is 01..30, YYYY is LUNAR_YEAR_MIN..LUNAR_YEAR_MAX.  The
 * lunar year is the one that begins at the Spring Festival, so a birthday in
 * January before the festival belongs to the previous lunar year.  When the
 * year is given the date must exist in it (right leap month, no day 30 in a
 * 29-day month).  Without a year only the ranges are checked.
 *
 * Conversions cover lunar years LUNAR_YEAR_MIN..LUNAR_YEAR_MAX, which is
 * Gregorian 1900-01-31 .. 2100-02-08; outside that they fail.  Everything
 * here is pure computation on constant tables: thread-safe, no allocation
 * except the returned strings and error messages, under a microsecond per
 * call.  Errors return -1 and, if cause is not NULL, set *cause to a
 * message the caller frees; the message quotes the input with control
 * characters escaped, so it can be logged as is. */
#ifndef OUTREACHD_LUNAR_H
#define OUTREACHD_LUNAR_H

#define LUNAR_YEAR_MIN 1900
#define LUNAR_YEAR_MAX 2099

/* A lunar date or yearly lunar birthday.  year is 0 when unknown; leap is 1
 * for the leap (intercalary) month that follows ordinary month `month`. */
struct lunar_date {
	int year;
	int month;	/* 1..12 */
	int day;	/* 1..30 */
	int leap;	/* 0 or 1 */
};

/* A Gregorian calendar date. */
struct lunar_gdate {
	int year;
	int month;	/* 1..12 */
	int day;	/* 1..31 */
};

/* Parses s (format above) into *out.  Returns 0, or -1 with *cause set, e.g.
 * "L:13-01": lunar month must be 01..12.  *out is only written on success. */
int lunar_parse(const char *s, struct lunar_date *out, char **cause);

/* Formats ld (as filled in by lunar_parse) in the format above.  Returns a
 * string the caller frees; never NULL. */
char *lunar_format(const struct lunar_date *ld);

/* The Gregorian date of lunar (lunar_year, month, day, leap), which must
 * exist: a leap month that year does not have or day 30 of a 29-day month
 * is an error.  Returns 0 or -1 with *cause set. */
int lunar_to_gregorian(int lunar_year, int month, int day, int leap,
    int *gy, int *gm, int *gd, char **cause);

/* The Gregorian date on which the yearly birthday (month, day, leap of
 * *birthday; its year is ignored) falls in lunar year lunar_year, with the
 * policy for dates that do not exist that year:
 *  - a leap month the year does not have: the same day of the ordinary month;
 *  - day 30 in a 29-day month: day 29, the last day of that month.
 * A leap-month birthday in a year with that leap month falls in the leap
 * month only.  The result lies between late January of lunar_year and
 * mid-February of lunar_year + 1, so the dates falling in Gregorian year Y
 * come from lunar years Y - 1 and Y: see lunar_yearly_in_gregorian().
 * Returns 0, or -1 with *cause set if lunar_year is outside the supported
 * range or the birthday is invalid. */
int lunar_yearly(const struct lunar_date *birthday, int lunar_year,
    int *gy, int *gm, int *gd, char **cause);

/* The dates in Gregorian year gyear on which the yearly birthday falls,
 * in order, stored in out[0..n).  n is 0, 1 or 2: a birthday late in the
 * lunar year (11th/12th month) can fall both in early January and in late
 * December of the same Gregorian year, or in neither (e.g. lunar 11-15 in
 * 2025: 2024-12-15 and 2026-01-03).  gyear must be in
 * LUNAR_YEAR_MIN + 1 .. LUNAR_YEAR_MAX.  Returns n, or -1 with *cause set. */
int lunar_yearly_in_gregorian(const struct lunar_date *birthday, int gyear,
    struct lunar_gdate out[2], char **cause);

/* The lunar date of Gregorian (gy, gm, gd), with out->year set.  Returns 0,
 * or -1 with *cause set for an invalid or unsupported Gregorian date. */
int lunar_from_gregorian(int gy, int gm, int gd, struct lunar_date *out,
    char **cause);

#endif

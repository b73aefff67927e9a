/* date.c - civil calendar arithmetic.
 *
 * Day numbers use Howard Hinnant's days_from_civil/civil_from_days
 * algorithms.  Time zones are date_zone.c's. */
#include "date.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "date_priv.h"
#include "util.h"

#define DATE_QUOTE_MAX 40

static const char *const date_month_names[] = { "January", "February",
	"March", "April", "May", "June", "July", "August", "September",
	"October", "November", "December" };

/* Gregorian leap year rule, proleptic before 1582. */
int
date_is_leap(int year)
{
	return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
}

/* Month length, for validating dates and clamping days. */
int
date_days_in_month(int year, int month)
{
	static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31,
		30, 31 };

	if (month < 1 || month > 12)
		return 0;
	if (month == 2 && date_is_leap(year))
		return 29;
	return days[month - 1];
}

/* Hinnant's days_from_civil. */
int32_t
date_to_days(int year, int month, int day)
{
	int64_t y = (int64_t)year - (month <= 2);
	int64_t era = date_floordiv(y, 400);
	int64_t yoe = y - era * 400;
	int64_t mp = (month + 9) % 12;
	int64_t doy = (153 * mp + 2) / 5 + day - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

	return (int32_t)(era * 146097 + doe - 719468);
}

/* Hinnant's civil_from_days. */
void
date_from_days(int32_t days, struct date *out)
{
	int64_t z = (int64_t)days + 719468;
	int64_t era = date_floordiv(z, 146097);
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;

	out->day = (int)(doy - (153 * mp + 2) / 5 + 1);
	out->month = (int)(mp < 10 ? mp + 3 : mp - 9);
	out->year = (int)(yoe + era * 400 + (out->month <= 2));
}

/* Day of the week of a day number, 0 = Sunday. */
int
date_weekday(int32_t days)
{
	int64_t d = (int64_t)days + 4; /* 1970-01-01 was a Thursday */

	return (int)(d - date_floordiv(d, 7) * 7);
}

/* Fails with "<quoted subject>: <what>". */
int
date_fail(const char *subject, char **cause, const char *fmt, ...)
{
	va_list ap;
	char *what, *q;

	va_start(ap, fmt);
	what = xvasprintf(fmt, ap);
	va_end(ap);
	q = str_quote(subject, DATE_QUOTE_MAX);
	set_error(cause, "%s: %s", q, what);
	free(q);
	free(what);
	return -1;
}

/* Reads exactly n ASCII digits (no sign, no spaces). */
static int
date_digits(const char *p, int n, int *v)
{
	int i;

	*v = 0;
	for (i = 0; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			return 0;
		*v = *v * 10 + (p[i] - '0');
	}
	return 1;
}

/* Checks the ranges of a parsed date, with a message naming the problem. */
static int
date_check(const char *s, const struct date *d, int has_year, char **cause)
{
	int dim;

	if (has_year && d->year < 1000)
		return date_fail(s, cause, "year must be 1000..9999");
	if (d->month < 1 || d->month > 12)
		return date_fail(s, cause, "month must be 01..12");
	if (d->day < 1 || d->day > 31)
		return date_fail(s, cause, "day must be 01..31");
	dim = date_days_in_month(d->year, d->month);
	if (d->day <= dim)
		return 0;
	if (d->month == 2 && d->day == 29) {
		return date_fail(s, cause, "no such day (%d is not a leap "
		    "year)", d->year);
	}
	return date_fail(s, cause, "no such day (%s has %s%d days)",
	    date_month_names[d->month - 1], d->month == 2 ? "at most " : "",
	    d->month == 2 ? 29 : dim);
}

/* Parses YYYY-MM-DD, and --MM-DD too if allow_md. */
static int
date_parse_any(const char *s, int allow_md, struct date *out, char **cause)
{
	const char *p = NULL;
	struct date d;

	if (allow_md && strncmp(s, "--", 2) == 0) {
		d.year = 0;
		p = s + 2;
	} else if (date_digits(s, 4, &d.year) && s[4] == '-')
		p = s + 5;
	if (p == NULL || !date_digits(p, 2, &d.month) || p[2] != '-' ||
	    !date_digits(p + 3, 2, &d.day) || p[5] != '\0') {
		return date_fail(s, cause, "expected YYYY-MM-DD%s",
		    allow_md ? " or --MM-DD" : "");
	}
	if (date_check(s, &d, p != s + 2, cause) != 0)
		return -1;
	*out = d;
	return 0;
}

/* Parses a strict ISO date from untrusted input. */
int
date_parse(const char *s, struct date *out, char **cause)
{
	return date_parse_any(s, 0, out, cause);
}

/* Parses a birthday, whose year may be unknown. */
int
date_parse_birthday(const char *s, struct date *out, char **cause)
{
	return date_parse_any(s, 1, out, cause);
}

/* Formats a day number as ISO YYYY-MM-DD without allocating. */
void
date_format(int32_t days, char out[11])
{
	struct date d;

	date_from_days(days, &d);
	if (d.year < 0 || d.year > 9999)
		memcpy(out, "0000-00-00", 11);
	else {
		/* By hand: the planner formats one per candidate. */
		out[0] = (char)('0' + d.year / 1000 % 10);
		out[1] = (char)('0' + d.year / 100 % 10);
		out[2] = (char)('0' + d.year / 10 % 10);
		out[3] = (char)('0' + d.year % 10);
		out[4] = '-';
		out[5] = (char)('0' + d.month / 10 % 10);
		out[6] = (char)('0' + d.month % 10);
		out[7] = '-';
		out[8] = (char)('0' + d.day / 10 % 10);
		out[9] = (char)('0' + d.day % 10);
		out[10] = '\0';
	}
}

/* Writes n's last width digits at p. */
static void
put_digits(char *p, unsigned n, int width)
{
	while (width-- > 0) {
		p[width] = (char)('0' + n % 10);
		n /= 10;
	}
}

/* Formats a date that may lack its year.  By hand: the import formats
 * a million, and xasprintf() was a fifth of its validation. */
char *
date_format_md(const struct date *d)
{
	char b[11], *p = b;

	if (d->year < 0 || d->year > 9999 || d->month < 0 || d->month > 99 ||
	    d->day < 0 || d->day > 99)
		return xasprintf("%04d-%02d-%02d", d->year, d->month, d->day);
	if (d->year == 0)
		*p++ = '-', *p++ = '-';
	else {
		put_digits(p, (unsigned)d->year, 4);
		p[4] = '-';
		p += 5;
	}
	put_digits(p, (unsigned)d->month, 2);
	p[2] = '-';
	put_digits(p + 3, (unsigned)d->day, 2);
	p[5] = '\0';
	return xstrdup(b);
}

/* A month and day that exist in some year (29 February included). */
static int
date_md_valid(int month, int day)
{
	return day >= 1 && day <= date_days_in_month(0, month);
}

/* The day of a yearly event in a given year, 29 February per policy. */
int
date_yearly(int month, int day, int year, enum date_feb29 policy,
    int32_t *days)
{
	if (!date_md_valid(month, day))
		return -1;
	if (month == 2 && day == 29 && !date_is_leap(year)) {
		switch (policy) {
		case DATE_FEB29_FEB28:
			day = 28;
			break;
		case DATE_FEB29_MAR1:
			month = 3;
			day = 1;
			break;
		default:
			return -1;
		}
	}
	*days = date_to_days(year, month, day);
	return 0;
}

/* The next occurrence of a yearly event, for "in N days". */
int
date_next_yearly(int month, int day, int32_t from, enum date_feb29 policy,
    int32_t *days)
{
	struct date f;
	int32_t d;
	int y;

	if (!date_md_valid(month, day))
		return -1;
	date_from_days(from, &f);
	/* Eight years is the longest wait: 29 February 2096 to 2104. */
	for (y = f.year; y <= f.year + 8; y++) {
		if (date_yearly(month, day, y, policy, &d) == 0 && d >= from) {
			*days = d;
			return 0;
		}
	}
	return -1;
}

/* Completed years, for ages and anniversaries. */
int
date_years_between(const struct date *start, int32_t on)
{
	struct date o;
	int years;

	if (start->year == 0)
		return -1;
	date_from_days(on, &o);
	years = o.year - start->year;
	if (o.month < start->month ||
	    (o.month == start->month && o.day < start->day))
		years--;
	return years < 0 ? -1 : years;
}

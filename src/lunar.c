/* lunar.c - Chinese lunar calendar conversions for yearly lunar birthdays.
 *
 * Why not liblunar-date, as the issue suggested?  Debian's 3.0.1 was
 * evaluated against python3-lunardate (the oracle of tests/lunar_oracle.sh)
 * and rejected:
 *  - results: it disagrees on 60 days, lunar 2057 months 8-9 and 2060 months
 *    3-4 (its table has 0x06b20 and 0x0a2e0 for those years; for 2060 the
 *    Hong Kong Observatory reportedly sides with lunardate);
 *  - memory: there is no correct destructor.  lunar_date_free() frees the
 *    members but not the GObject (1.7 kB per object), g_object_unref() alone
 *    leaks the members, and calling both, clean with 3.0.1, destroys the hash
 *    tables twice with upstream's current finalize();
 *  - cost: lunar_date_new() parses an embedded holiday key file into three
 *    hash tables (15-30 us).  Results come out only as text through
 *    lunar_date_strftime(), which runs a GRegex per field (6-7 us per date),
 *    and a shared object needs a lock because it keeps the result inside;
 *  - API: no month-length or leap-month query (only probing for errors), day
 *    0 accepted silently, error messages translated through gettext;
 *  - it links glib, gobject, gio and their dependencies into the daemon.
 * Instead this uses the bit-packed month table of Fung F. Lee and Ricky
 * Yeung's "lunar", which liblunar-date and python-lunardate both derive from,
 * exactly as python3-lunardate 0.2.0 ships it; the oracle test compares every
 * day of 1900-2099.  Pure functions on const data: thread-safe, no locks,
 * 0.3-0.8 us per call.
 *
 * Entries reported wrong against the Hong Kong Observatory tables are kept
 * as they are, so that we agree with the oracle; they only matter when
 * converting Gregorian dates of those years (birth dates): 1933 (leap 5th
 * month 30 days, 6th month 29), 1956 (10th month 29 days, 11th 30; fixed in
 * python-lunardate after 0.2.0) and 2057 (new moon near midnight: is the
 * 8th month 29 or 30 days?). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lunar.h"
#include "util.h"

/* One entry per lunar year from LUNAR_YEAR_MIN.  Bits 3-0: the leap month,
 * 0 if none; bit 16 - m (m = 1..12, so bits 15-4): month m has 30 days, else
 * 29; bit 16: the leap month has 30 days, else 29. */
static const uint32_t lunar_years[] = {
	0x04bd8, 0x04ae0, 0x0a570, 0x054d5, 0x0d260,	/* 1900-1904 */
	0x0d950, 0x16554, 0x056a0, 0x09ad0, 0x055d2,	/* 1905-1909 */
	0x04ae0, 0x0a5b6, 0x0a4d0, 0x0d250, 0x1d255,	/* 1910-1914 */
	0x0b540, 0x0d6a0, 0x0ada2, 0x095b0, 0x14977,	/* 1915-1919 */
	0x04970, 0x0a4b0, 0x0b4b5, 0x06a50, 0x06d40,	/* 1920-1924 */
	0x1ab54, 0x02b60, 0x09570, 0x052f2, 0x04970,	/* 1925-1929 */
	0x06566, 0x0d4a0, 0x0ea50, 0x06e95, 0x05ad0,	/* 1930-1934 */
	0x02b60, 0x186e3, 0x092e0, 0x1c8d7, 0x0c950,	/* 1935-1939 */
	0x0d4a0, 0x1d8a6, 0x0b550, 0x056a0, 0x1a5b4,	/* 1940-1944 */
	0x025d0, 0x092d0, 0x0d2b2, 0x0a950, 0x0b557,	/* 1945-1949 */
	0x06ca0, 0x0b550, 0x15355, 0x04da0, 0x0a5d0,	/* 1950-1954 */
	0x14573, 0x052d0, 0x0a9a8, 0x0e950, 0x06aa0,	/* 1955-1959 */
	0x0aea6, 0x0ab50, 0x04b60, 0x0aae4, 0x0a570,	/* 1960-1964 */
	0x05260, 0x0f263, 0x0d950, 0x05b57, 0x056a0,	/* 1965-1969 */
	0x096d0, 0x04dd5, 0x04ad0, 0x0a4d0, 0x0d4d4,	/* 1970-1974 */
	0x0d250, 0x0d558, 0x0b540, 0x0b5a0, 0x195a6,	/* 1975-1979 */
	0x095b0, 0x049b0, 0x0a974, 0x0a4b0, 0x0b27a,	/* 1980-1984 */
	0x06a50, 0x06d40, 0x0af46, 0x0ab60, 0x09570,	/* 1985-1989 */
	0x04af5, 0x04970, 0x064b0, 0x074a3, 0x0ea50,	/* 1990-1994 */
	0x06b58, 0x05ac0, 0x0ab60, 0x096d5, 0x092e0,	/* 1995-1999 */
	0x0c960, 0x0d954, 0x0d4a0, 0x0da50, 0x07552,	/* 2000-2004 */
	0x056a0, 0x0abb7, 0x025d0, 0x092d0, 0x0cab5,	/* 2005-2009 */
	0x0a950, 0x0b4a0, 0x0baa4, 0x0ad50, 0x055d9,	/* 2010-2014 */
	0x04ba0, 0x0a5b0, 0x15176, 0x052b0, 0x0a930,	/* 2015-2019 */
	0x07954, 0x06aa0, 0x0ad50, 0x05b52, 0x04b60,	/* 2020-2024 */
	0x0a6e6, 0x0a4e0, 0x0d260, 0x0ea65, 0x0d530,	/* 2025-2029 */
	0x05aa0, 0x076a3, 0x096d0, 0x04afb, 0x04ad0,	/* 2030-2034 */
	0x0a4d0, 0x1d0b6, 0x0d250, 0x0d520, 0x0dd45,	/* 2035-2039 */
	0x0b5a0, 0x056d0, 0x055b2, 0x049b0, 0x0a577,	/* 2040-2044 */
	0x0a4b0, 0x0aa50, 0x1b255, 0x06d20, 0x0ada0,	/* 2045-2049 */
	0x14b63, 0x09370, 0x049f8, 0x04970, 0x064b0,	/* 2050-2054 */
	0x168a6, 0x0ea50, 0x06aa0, 0x1a6c4, 0x0aae0,	/* 2055-2059 */
	0x092e0, 0x0d2e3, 0x0c960, 0x0d557, 0x0d4a0,	/* 2060-2064 */
	0x0da50, 0x05d55, 0x056a0, 0x0a6d0, 0x055d4,	/* 2065-2069 */
	0x052d0, 0x0a9b8, 0x0a950, 0x0b4a0, 0x0b6a6,	/* 2070-2074 */
	0x0ad50, 0x055a0, 0x0aba4, 0x0a5b0, 0x052b0,	/* 2075-2079 */
	0x0b273, 0x06930, 0x07337, 0x06aa0, 0x0ad50,	/* 2080-2084 */
	0x14b55, 0x04b60, 0x0a570, 0x054e4, 0x0d160,	/* 2085-2089 */
	0x0e968, 0x0d520, 0x0daa0, 0x16aa6, 0x056d0,	/* 2090-2094 */
	0x04ae0, 0x0a9d4, 0x0a2d0, 0x0d150, 0x0f252,	/* 2095-2099 */
};

_Static_assert(ARRAY_SIZE(lunar_years) == LUNAR_YEAR_MAX - LUNAR_YEAR_MIN + 1,
    "lunar_years must cover LUNAR_YEAR_MIN..LUNAR_YEAR_MAX");

/* Lunar LUNAR_YEAR_MIN-01-01 is Gregorian 1900-01-31. */
#define LUNAR_EPOCH_Y 1900
#define LUNAR_EPOCH_M 1
#define LUNAR_EPOCH_D 31

/* Inputs longer than this are cut in error messages. */
#define LUNAR_QUOTE_MAX 32

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's
 * days_from_civil), so no time_t, time zone or libc range is involved. */
static long
lunar_days_from_civil(int y, int m, int d)
{
	long era, yoe, doy, doe, yy = y;

	yy -= m <= 2;
	era = (yy >= 0 ? yy : yy - 399) / 400;
	yoe = yy - era * 400;
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/* The inverse of lunar_days_from_civil(). */
static void
lunar_civil_from_days(long z, int *y, int *m, int *d)
{
	long era, doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yoe + era * 400 + (*m <= 2));
}

/* Days in Gregorian month m of year y; the caller checks 1 <= m <= 12. */
static int
lunar_gregorian_mdays(int y, int m)
{
	static const int mdays[] = {
	    31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31
	};

	if (m == 2 && (y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)))
		return 29;
	return mdays[m - 1];
}

/* The leap month of a supported lunar year, 0 if it has none. */
static int
lunar_leap_month(int year)
{
	return (int)(lunar_years[year - LUNAR_YEAR_MIN] & 0xf);
}

/* Days in month (leap or ordinary) of a supported lunar year, or 0 if the
 * year has no such leap month. */
static int
lunar_month_days(int year, int month, int leap)
{
	uint32_t info = lunar_years[year - LUNAR_YEAR_MIN];

	if (leap) {
		if ((int)(info & 0xf) != month)
			return 0;
		return (info & 0x10000) ? 30 : 29;
	}
	return ((info >> (16 - month)) & 1) ? 30 : 29;
}

/* Days in a supported lunar year: 353-355, or 383-385 with a leap month. */
static int
lunar_year_days(int year)
{
	uint32_t info = lunar_years[year - LUNAR_YEAR_MIN];
	int days;

	days = 12 * 29 + __builtin_popcount((info >> 4) & 0xfff);
	if (info & 0xf)
		days += 29 + (int)((info >> 16) & 1);
	return days;
}

/* Days from the epoch to the first day of a supported lunar year. */
static long
lunar_days_before_year(int year)
{
	long n = 0;
	int y;

	for (y = LUNAR_YEAR_MIN; y < year; y++)
		n += lunar_year_days(y);
	return n;
}

/* Days from the start of the lunar year to the first of (month, leap); the
 * leap month comes right after the ordinary month of the same number. */
static int
lunar_days_before_month(int year, int month, int leap)
{
	int lm = lunar_leap_month(year), m, n = 0;

	for (m = 1; m < month; m++) {
		n += lunar_month_days(year, m, 0);
		if (m == lm)
			n += lunar_month_days(year, m, 1);
	}
	if (leap)
		n += lunar_month_days(year, month, 0);
	return n;
}

/* Gregorian date of a lunar date already known to exist. */
static void
lunar_existing_to_gregorian(int year, int month, int day, int leap, int *gy,
    int *gm, int *gd)
{
	long n;

	n = lunar_days_from_civil(LUNAR_EPOCH_Y, LUNAR_EPOCH_M, LUNAR_EPOCH_D);
	n += lunar_days_before_year(year);
	n += lunar_days_before_month(year, month, leap);
	n += day - 1;
	lunar_civil_from_days(n, gy, gm, gd);
}

/* Why an in-range lunar date does not exist in its (supported) year, as a
 * string for the caller to free, or NULL if it exists.  Shared so parse and
 * conversion errors read the same. */
static char *
lunar_why_absent(int year, int month, int day, int leap)
{
	int lm = lunar_leap_month(year), n;

	if (leap && lm == 0)
		return xasprintf("lunar year %d has no leap month", year);
	if (leap && lm != month) {
		return xasprintf("lunar year %d has no leap month %02d "
		    "(only %02dR)", year, month, lm);
	}
	n = lunar_month_days(year, month, leap);
	if (day > n) {
		return xasprintf("%s %02d of %d has %d days",
		    leap ? "leap month" : "lunar month", month, year, n);
	}
	return NULL;
}

/* Reads exactly n decimal digits at *p, advancing it; -1 if there are fewer
 * (no sign, no spaces: strtol would accept both). */
static int
lunar_read_digits(const char **p, int n, int *value)
{
	int v = 0, i;

	for (i = 0; i < n; i++) {
		if ((*p)[i] < '0' || (*p)[i] > '9')
			return -1;
		v = v * 10 + ((*p)[i] - '0');
	}
	*p += n;
	*value = v;
	return 0;
}

/* Splits s into its fields, checking only the shape; *has_year tells
 * "L:0000-..." (a bad year) from no year.  Returns 0 or -1. */
static int
lunar_scan(const char *s, struct lunar_date *ld, int *has_year)
{
	const char *p = s + 2;

	memset(ld, 0, sizeof *ld);
	*has_year = strspn(p, "0123456789") == 4;
	if (*has_year) {
		if (lunar_read_digits(&p, 4, &ld->year) != 0 || *p++ != '-')
			return -1;
	}
	if (lunar_read_digits(&p, 2, &ld->month) != 0)
		return -1;
	if (*p == 'R') {
		ld->leap = 1;
		p++;
	}
	if (*p++ != '-')
		return -1;
	if (lunar_read_digits(&p, 2, &ld->day) != 0)
		return -1;
	return *p == '\0' ? 0 : -1;
}

/* Parses L:[YYYY-]MM[R]-DD strictly, so stored strings stay canonical and
 * round-trip through lunar_format(). */
int
lunar_parse(const char *s, struct lunar_date *out, char **cause)
{
	struct lunar_date ld;
	char *q, *why = NULL;
	int rc = -1, has_year;

	if (s == NULL || *s == '\0')
		return set_error(cause, "empty lunar date");
	q = str_quote(s, LUNAR_QUOTE_MAX);
	if (strncmp(s, "L:", 2) != 0)
		set_error(cause, "%s: lunar date must start with \"L:\"", q);
	else if (lunar_scan(s, &ld, &has_year) != 0) {
		set_error(cause, "%s: expected L:MM-DD, L:MMR-DD, "
		    "L:YYYY-MM-DD or L:YYYY-MMR-DD", q);
	} else if (has_year && (ld.year < LUNAR_YEAR_MIN ||
	    ld.year > LUNAR_YEAR_MAX)) {
		set_error(cause, "%s: lunar year must be %d..%d", q,
		    LUNAR_YEAR_MIN, LUNAR_YEAR_MAX);
	} else if (ld.month < 1 || ld.month > 12)
		set_error(cause, "%s: lunar month must be 01..12", q);
	else if (ld.day < 1 || ld.day > 30)
		set_error(cause, "%s: lunar day must be 01..30", q);
	else if (ld.year != 0 &&
	    (why = lunar_why_absent(ld.year, ld.month, ld.day, ld.leap)) != NULL)
		set_error(cause, "%s: %s", q, why);
	else {
		*out = ld;
		rc = 0;
	}
	free(why);
	free(q);
	return rc;
}

/* The inverse of lunar_parse(). */
char *
lunar_format(const struct lunar_date *ld)
{
	const char *r = ld->leap ? "R" : "";

	if (ld->year != 0) {
		return xasprintf("L:%04d-%02d%s-%02d", ld->year, ld->month, r,
		    ld->day);
	}
	return xasprintf("L:%02d%s-%02d", ld->month, r, ld->day);
}

/* Range checks shared by the numeric entry points; the year is checked
 * here too because the table lookups rely on it. */
static int
lunar_check_ranges(int year, int month, int day, char **cause)
{
	if (year < LUNAR_YEAR_MIN || year > LUNAR_YEAR_MAX) {
		return set_error(cause, "lunar year %d is outside %d..%d", year,
		    LUNAR_YEAR_MIN, LUNAR_YEAR_MAX);
	}
	if (month < 1 || month > 12)
		return set_error(cause, "lunar month %d is outside 1..12", month);
	if (day < 1 || day > 30)
		return set_error(cause, "lunar day %d is outside 1..30", day);
	return 0;
}

/* Strict conversion: a date that does not exist is an error, unlike
 * lunar_yearly() which applies the birthday policy. */
int
lunar_to_gregorian(int lunar_year, int month, int day, int leap, int *gy,
    int *gm, int *gd, char **cause)
{
	char *why;

	leap = leap != 0;
	if (lunar_check_ranges(lunar_year, month, day, cause) != 0)
		return -1;
	if ((why = lunar_why_absent(lunar_year, month, day, leap)) != NULL) {
		set_error(cause, "L:%04d-%02d%s-%02d: %s", lunar_year, month,
		    leap ? "R" : "", day, why);
		free(why);
		return -1;
	}
	lunar_existing_to_gregorian(lunar_year, month, day, leap, gy, gm, gd);
	return 0;
}

/* Applies the birthday policy (absent leap month -> ordinary month, day 30
 * of a 29-day month -> day 29) so every birthday has a date every year. */
int
lunar_yearly(const struct lunar_date *birthday, int lunar_year, int *gy,
    int *gm, int *gd, char **cause)
{
	int month = birthday->month, day = birthday->day, leap, n;

	if (lunar_check_ranges(lunar_year, month, day, cause) != 0)
		return -1;
	leap = birthday->leap && lunar_leap_month(lunar_year) == month;
	n = lunar_month_days(lunar_year, month, leap);
	if (day > n)
		day = n;
	lunar_existing_to_gregorian(lunar_year, month, day, leap, gy, gm, gd);
	return 0;
}

/* Lunar year L lies within Gregorian L-01-21 .. (L+1)-02-19, so only lunar
 * years gyear - 1 and gyear can put a birthday into Gregorian year gyear. */
int
lunar_yearly_in_gregorian(const struct lunar_date *birthday, int gyear,
    struct lunar_gdate out[2], char **cause)
{
	struct lunar_gdate g;
	int ly, n = 0;

	if (gyear <= LUNAR_YEAR_MIN || gyear > LUNAR_YEAR_MAX) {
		return set_error(cause, "Gregorian year %d is outside %d..%d",
		    gyear, LUNAR_YEAR_MIN + 1, LUNAR_YEAR_MAX);
	}
	for (ly = gyear - 1; ly <= gyear; ly++) {
		if (lunar_yearly(birthday, ly, &g.year, &g.month, &g.day,
		    cause) != 0)
			return -1;
		if (g.year == gyear)
			out[n++] = g;
	}
	return n;
}

/* Walks years then months from the epoch; at most 200 + 13 steps. */
int
lunar_from_gregorian(int gy, int gm, int gd, struct lunar_date *out,
    char **cause)
{
	long n;
	int y, m, leap, lm, len;

	if (gm < 1 || gm > 12 || gd < 1 || gd > lunar_gregorian_mdays(gy, gm)) {
		return set_error(cause, "invalid Gregorian date %04d-%02d-%02d",
		    gy, gm, gd);
	}
	n = lunar_days_from_civil(gy, gm, gd) -
	    lunar_days_from_civil(LUNAR_EPOCH_Y, LUNAR_EPOCH_M, LUNAR_EPOCH_D);
	for (y = LUNAR_YEAR_MIN; n >= 0 && y <= LUNAR_YEAR_MAX; y++) {
		if (n < lunar_year_days(y))
			break;
		n -= lunar_year_days(y);
	}
	if (n < 0 || y > LUNAR_YEAR_MAX) {
		return set_error(cause, "Gregorian date %04d-%02d-%02d is "
		    "outside lunar years %d..%d", gy, gm, gd, LUNAR_YEAR_MIN,
		    LUNAR_YEAR_MAX);
	}
	lm = lunar_leap_month(y);
	for (m = 1; m <= 12; m++) {
		for (leap = 0; leap <= (m == lm); leap++) {
			len = lunar_month_days(y, m, leap);
			if (n < len) {
				out->year = y;
				out->month = m;
				out->day = (int)n + 1;
				out->leap = leap;
				return 0;
			}
			n -= len;
		}
	}
	return set_error(cause, "lunar table inconsistent at year %d", y);
}

/* date_text.c - dates as spreadsheets and people write them.
 *
 * A small scanner over the text: digit runs, one separator kind per date,
 * and the characters 年月日 and the lunar numerals as literals.  Every
 * form ends in the same range checks, with the messages date.c gives. */
#include "date_text.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

#define DATE_TEXT_QUOTE_MAX 40

static const char *const month_names[] = { "January", "February",
	"March", "April", "May", "June", "July", "August", "September",
	"October", "November", "December" };

/* Fails with "<quoted subject>: <what>". */
static int PRINTFLIKE(3, 4)
text_fail(const char *s, char **cause, const char *fmt, ...)
{
	va_list ap;
	char *what, *q;

	va_start(ap, fmt);
	what = xvasprintf(fmt, ap);
	va_end(ap);
	q = str_quote(s, DATE_TEXT_QUOTE_MAX);
	set_error(cause, "%s: %s", q, what);
	free(q);
	free(what);
	return -1;
}

int
date_order_parse(const char *s, enum date_order *order)
{
	if (strcmp(s, "dmy") == 0)
		*order = DATE_ORDER_DMY;
	else if (strcmp(s, "mdy") == 0)
		*order = DATE_ORDER_MDY;
	else
		return -1;
	return 0;
}

/* Advances *p past lit when the text starts with it. */
static int
eat(const char **p, const char *lit)
{
	size_t n = strlen(lit);

	if (strncmp(*p, lit, n) != 0)
		return 0;
	*p += n;
	return 1;
}

/* Spaces between the parts of a Chinese date, ASCII or ideographic. */
static void
skip_space(const char **p)
{
	for (;;) {
		if (**p == ' ' || **p == '\t')
			(*p)++;
		else if (!eat(p, "\u3000"))
			return;
	}
}

/* Reads 1 to max digits; returns how many. */
static int
digits(const char **p, int max, int *v)
{
	int n = 0;

	*v = 0;
	while (n < max && **p >= '0' && **p <= '9') {
		*v = *v * 10 + (**p - '0');
		(*p)++;
		n++;
	}
	return n;
}

/* A separator of the numeric forms (strchr() would take the NUL too). */
static int
is_sep(char c)
{
	return c == '-' || c == '/' || c == '.';
}

/* The rest after a date: nothing, or a time of day ("0:00", "00:00:00"). */
static int
at_end(const char *p)
{
	int v;

	skip_space(&p);
	if (*p == 'T' && p[1] >= '0' && p[1] <= '9')
		p++;
	if (*p == '\0')
		return 1;
	if (digits(&p, 2, &v) == 0 || *p++ != ':' || digits(&p, 2, &v) != 2)
		return 0;
	if (*p == ':' && (p++, digits(&p, 2, &v) != 2))
		return 0;
	if (*p == '.')
		for (p++; *p >= '0' && *p <= '9'; p++)
			;
	skip_space(&p);
	return *p == '\0';
}

/* Range checks, with date.c's messages. */
static int
check(const char *s, const struct date *d, char **cause)
{
	int dim;

	if (d->month < 1 || d->month > 12)
		return text_fail(s, cause, "month must be 1..12");
	if (d->day < 1 || d->day > 31)
		return text_fail(s, cause, "day must be 1..31");
	dim = date_days_in_month(d->year, d->month);
	if (d->day <= dim)
		return 0;
	if (d->month == 2 && d->day == 29)
		return text_fail(s, cause, "no such day (%d is not a leap "
		    "year)", d->year);
	return text_fail(s, cause, "no such day (%s has %s%d days)",
	    month_names[d->month - 1], d->month == 2 ? "at most " : "",
	    d->month == 2 ? 29 : dim);
}

/* YYYY-M-D with -, / or . (the same one twice); 1 when it matched. */
static int
year_first(const char *p, struct date *d)
{
	char sep;

	if (digits(&p, 4, &d->year) != 4 || !is_sep(*p))
		return 0;
	sep = *p++;
	if (digits(&p, 2, &d->month) == 0 || *p++ != sep ||
	    digits(&p, 2, &d->day) == 0)
		return 0;
	return at_end(p);
}

/* [YYYY年]M月D[日]; 1 when it matched, with year 0 if it had none. */
static int
chinese(const char *p, struct date *d)
{
	const char *q;
	int v;

	d->year = 0;
	skip_space(&p);
	q = p;
	if (digits(&q, 4, &v) == 4 && (skip_space(&q), eat(&q, "年"))) {
		d->year = v;
		p = q;
		skip_space(&p);
	}
	if (digits(&p, 2, &d->month) == 0 || (skip_space(&p), !eat(&p, "月")))
		return 0;
	skip_space(&p);
	if (digits(&p, 2, &d->day) == 0)
		return 0;
	skip_space(&p);
	if (!eat(&p, "日"))
		eat(&p, "号");
	return at_end(p);
}

/* A/B/YYYY with -, / or .: a and b in the order written. */
static int
day_month_year(const char *p, int *a, int *b, int *year, int *short_year)
{
	char sep;
	int n;

	if (digits(&p, 2, a) == 0 || !is_sep(*p))
		return 0;
	sep = *p++;
	if (digits(&p, 2, b) == 0 || *p++ != sep)
		return 0;
	n = digits(&p, 5, year);
	*short_year = n == 2;
	return (n == 4 || n == 2) && at_end(p);
}

/* The forms that need the order; 1 parsed, 0 not this form, -1 refused. */
static int
ordered(const char *s, enum date_order order, struct date *d, char **cause)
{
	int a, b, y, short_year;

	if (!day_month_year(s, &a, &b, &y, &short_year))
		return 0;
	if (short_year)
		return text_fail(s, cause, "write the year with four digits");
	if (order == DATE_ORDER_NONE)
		return text_fail(s, cause, "day and month could be either way "
		    "round (3/5/1980 is 3 May or 5 March): give the file's "
		    "order with --date-order dmy or mdy, or write YYYY-MM-DD");
	d->year = y;
	d->day = order == DATE_ORDER_DMY ? a : b;
	d->month = order == DATE_ORDER_DMY ? b : a;
	return 1;
}

int
date_text_parse(const char *s, enum date_order order, int no_year,
    struct date *out, char **cause)
{
	struct date d = { 0, 0, 0 };
	int rc;

	if (strncmp(s, "--", 2) == 0)
		return no_year ? date_parse_birthday(s, out, cause) :
		    text_fail(s, cause, "the year is required");
	if (!year_first(s, &d) && !chinese(s, &d)) {
		if ((rc = ordered(s, order, &d, cause)) < 0)
			return -1;
		if (rc == 0)
			return text_fail(s, cause, "not a date (write "
			    "YYYY-MM-DD, YYYY/M/D or YYYY年M月D日%s)", no_year ?
			    "; --MM-DD or M月D日 without the year" : "");
	}
	if (d.year == 0 && !no_year)
		return text_fail(s, cause, "the year is required");
	if (d.year != 0 && d.year < 1000)
		return text_fail(s, cause, "year must be 1000..9999");
	if (check(s, &d, cause) != 0)
		return -1;
	*out = d;
	return 0;
}

/* A Chinese numeral 1..30 as the lunar calendar writes months and days:
 * 一..十, 十一..十九, 二十, 廿一..廿九, 三十, 卅; 0 when there is none. */
static int
numeral(const char **p)
{
	static const char *const units[] = { "一", "二", "三", "四", "五",
		"六", "七", "八", "九" };
	int v = 0, i;

	if (eat(p, "廿"))
		v = 20;
	else if (eat(p, "卅"))
		v = 30;
	else if (eat(p, "二十"))
		v = 20;
	else if (eat(p, "三十"))
		v = 30;
	else if (eat(p, "十"))
		v = 10;
	for (i = 0; i < 9; i++) {
		if (eat(p, units[i]))
			return v + i + 1;
	}
	return v;
}

/* The month of a lunar date: digits, 正, 冬, 腊 or a numeral, then 月. */
static int
lunar_month(const char **p)
{
	int v = 0;

	if (eat(p, "正"))
		v = 1;
	else if (eat(p, "冬"))
		v = 11;
	else if (eat(p, "腊") || eat(p, "臘"))
		v = 12;
	else if (digits(p, 2, &v) == 0)
		v = numeral(p);
	skip_space(p);
	return eat(p, "月") ? v : 0;
}

/* The day of a lunar date: digits, 初一..初十 or a numeral, then 日. */
static int
lunar_day(const char **p)
{
	int v;

	if (eat(p, "初"))
		v = numeral(p);
	else if (digits(p, 2, &v) == 0)
		v = numeral(p);
	skip_space(p);
	if (!eat(p, "日"))
		eat(p, "号");
	return v;
}

int
date_text_lunar(const char *s, struct lunar_date *out, char **cause)
{
	const char *p = s, *q;
	char *canon;
	int v, rc;

	skip_space(&p);
	if (!eat(&p, "农历") && !eat(&p, "農曆") && !eat(&p, "阴历"))
		return 0;
	out->year = 0;
	skip_space(&p);
	q = p;
	if (digits(&q, 4, &v) == 4) {
		skip_space(&q);
		if (!eat(&q, "年"))
			return text_fail(s, cause, "expected 年 after the year");
		out->year = v;
		p = q;
		skip_space(&p);
	}
	out->leap = eat(&p, "闰") || eat(&p, "閏");
	out->month = lunar_month(&p);
	skip_space(&p);
	out->day = lunar_day(&p);
	if (out->month < 1 || out->month > 12 || out->day < 1 ||
	    out->day > 30 || !at_end(p))
		return text_fail(s, cause, "not a lunar date (write "
		    "农历[YYYY年][闰]M月D日, e.g. 农历三月初五)");
	/* The lunar module checks the date against its year's calendar. */
	canon = lunar_format(out);
	rc = lunar_parse(canon, out, cause);
	free(canon);
	return rc == 0 ? 1 : -1;
}

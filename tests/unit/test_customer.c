/* test_customer.c - validation and canonical forms of customer fields. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "customer.h"
#include "import.h"

/* An anniversary needs its year: the count of years is the point. */
#define ANNIV_NO_YEAR_MSG "\"--06-01\": the year is required"

static struct customer_rules rules = { .default_cc = "86" };

/* Expects value to normalise to want (NULL = empty). */
static void
ok(enum cust_field f, const char *value, const char *want)
{
	char *out = NULL, *cause = NULL;

	if (customer_normalize(f, value, &rules, &out, &cause) != 0)
		fail_msg("%s=\"%s\" refused: %s", customer_field_name(f), value,
		    cause);
	if (want == NULL)
		assert_null(out);
	else
		assert_string_equal(out, want);
	free(out);
}

/* Expects value to be refused with exactly msg. */
static void
bad(enum cust_field f, const char *value, const char *msg)
{
	char *out = NULL, *cause = NULL;

	assert_int_equal(customer_normalize(f, value, &rules, &out, &cause), -1);
	assert_null(out);
	assert_string_equal(cause, msg);
	free(cause);
}

static void
test_required(void **state)
{
	(void)state;
	bad(CUST_NAME, "  ", "name is required");
	bad(CUST_EXTERNAL_ID, "", "external_id is required");
	ok(CUST_NAME, " 王小明 ", "王小明");
	ok(CUST_EMAIL, "", NULL);
	bad(CUST_NAME, "a\r\nBcc: x", "control characters are not allowed");
	bad(CUST_NAME, "\xff\xfe", "invalid UTF-8");
	ok(CUST_NOTES, "line one\nline two", "line one\nline two");
}

static void
test_email(void **state)
{
	(void)state;
	ok(CUST_EMAIL, "Wang.Li@Example.COM", "Wang.Li@example.com");
	bad(CUST_EMAIL, "no-at-sign", "\"no-at-sign\": not an e-mail address");
	bad(CUST_EMAIL, "a@b", "\"a@b\": not an e-mail address");
	bad(CUST_EMAIL, "a b@c.d", "\"a b@c.d\": not an e-mail address");
	bad(CUST_EMAIL, "x@y.z>,evil@z.z",
	    "\"x@y.z>,evil@z.z\": not an e-mail address");
}

static void
test_phone(void **state)
{
	(void)state;
	ok(CUST_PHONE, "138 0013 8000", "+8613800138000");
	ok(CUST_PHONE, "+1 (415) 555-0100", "+14155550100");
}

static void
test_dates(void **state)
{
	(void)state;
	ok(CUST_BIRTHDAY, "1984-02-29", "1984-02-29");
	ok(CUST_BIRTHDAY, "--02-29", "--02-29");
	ok(CUST_ANNIVERSARY, "2015-06-01", "2015-06-01");
	bad(CUST_ANNIVERSARY, "--06-01", ANNIV_NO_YEAR_MSG);
}

/* Dates as spreadsheets write them; day-first needs the order. */
static void
test_date_forms(void **state)
{
	struct customer_rules dmy = rules, mdy = rules;

	(void)state;
	ok(CUST_BIRTHDAY, "1980/3/5", "1980-03-05");
	ok(CUST_BIRTHDAY, "1980.3.5", "1980-03-05");
	ok(CUST_BIRTHDAY, "1980-3-5", "1980-03-05");
	ok(CUST_BIRTHDAY, "1980/03/05 0:00", "1980-03-05");
	ok(CUST_BIRTHDAY, "1980年3月5日", "1980-03-05");
	ok(CUST_BIRTHDAY, "1980 年 12 月 31 日", "1980-12-31");
	ok(CUST_BIRTHDAY, "3月5日", "--03-05");
	ok(CUST_BIRTHDAY, "2月29日", "--02-29");
	ok(CUST_BIRTHDAY, "农历三月初五", "L:03-05");
	ok(CUST_BIRTHDAY, "农历1990年八月十五", "L:1990-08-15");
	ok(CUST_BIRTHDAY, "农历闰四月廿三", "L:04R-23");
	ok(CUST_BIRTHDAY, "农历腊月三十", "L:12-30");
	ok(CUST_BIRTHDAY, "农历正月初一", "L:01-01");
	ok(CUST_BIRTHDAY, "农历11月2日", "L:11-02");
	ok(CUST_ANNIVERSARY, "2015年6月1日", "2015-06-01");
	bad(CUST_ANNIVERSARY, "6月1日", "\"6月1日\": the year is required");
	bad(CUST_BIRTHDAY, "1981/2/29",
	    "\"1981/2/29\": no such day (1981 is not a leap year)");
	bad(CUST_BIRTHDAY, "1980/13/1", "\"1980/13/1\": month must be 1..12");
	bad(CUST_BIRTHDAY, "农历十三月初一", "\"农历十三月初一\": not a lunar "
	    "date (write 农历[YYYY年][闰]M月D日, e.g. 农历三月初五)");
	bad(CUST_BIRTHDAY, "3/5/80", "\"3/5/80\": write the year with four "
	    "digits");
	bad(CUST_BIRTHDAY, "3/5/1980", "\"3/5/1980\": day and month could "
	    "be either way round (3/5/1980 is 3 May or 5 March): give the "
	    "file's order with --date-order dmy or mdy, or write YYYY-MM-DD");
	bad(CUST_BIRTHDAY, "March 5", "\"March 5\": not a date (write "
	    "YYYY-MM-DD, YYYY/M/D or YYYY年M月D日; --MM-DD or M月D日 without "
	    "the year)");
	dmy.date_order = DATE_ORDER_DMY;
	mdy.date_order = DATE_ORDER_MDY;
	rules = dmy;
	ok(CUST_BIRTHDAY, "3/5/1980", "1980-05-03");
	ok(CUST_BIRTHDAY, "31.12.1980", "1980-12-31");
	bad(CUST_BIRTHDAY, "5/13/1980", "\"5/13/1980\": month must be 1..12");
	rules = mdy;
	ok(CUST_BIRTHDAY, "3/5/1980", "1980-03-05");
	ok(CUST_ANNIVERSARY, "12-31-2015", "2015-12-31");
	rules.date_order = DATE_ORDER_NONE;
}

static void
test_enums(void **state)
{
	(void)state;
	ok(CUST_TIER, "a", "A");
	bad(CUST_TIER, "D", "\"D\": tier must be A, B or C");
	ok(CUST_CHANNEL, "SMS", "sms");
	bad(CUST_CHANNEL, "fax", "\"fax\": channel must be email or sms");
	ok(CUST_OPT_OUT, "sms; email", "email;sms");
	ok(CUST_OPT_OUT, "ALL", "all");
	bad(CUST_OPT_OUT, "email;fax",
	    "\"fax\": opt_out must be email, sms or all (several joined by ';')");
	ok(CUST_LOCALE, "zh-cn", "zh_CN");
	ok(CUST_LOCALE, "en", "en");
	ok(CUST_LOCALE, "zh_CN.UTF-8", "zh_CN");
	ok(CUST_LOCALE, "en_US.utf8@euro", "en_US");
	bad(CUST_LOCALE, "english",
	    "\"english\": locale must look like en, zh or zh_CN");
	bad(CUST_LOCALE, "zh_CN.",
	    "\"zh_CN.\": locale must look like en, zh or zh_CN");
	bad(CUST_LOCALE, "zh_CN.UTF-8 x",
	    "\"zh_CN.UTF-8 x\": locale must look like en, zh or zh_CN");
	ok(CUST_TIMEZONE, "Asia/Shanghai", "Asia/Shanghai");
	bad(CUST_TIMEZONE, "../../etc/passwd", "\"../../etc/passwd\": unknown "
	    "time zone (use an IANA name such as Asia/Shanghai)");
	ok(CUST_REP, "wang.li", "wang.li");
	bad(CUST_REP, "wang li",
	    "\"wang li\": rep may hold only letters, digits and _.-@");
	assert_int_equal(customer_optout_bits("email;all"),
	    CUST_OPTOUT_EMAIL | CUST_OPTOUT_ALL);
}

static void
test_keys(void **state)
{
	struct customer c;
	struct customer_keys k;

	(void)state;
	customer_init(&c);
	c.field[CUST_BIRTHDAY] = strdup("--12-31");
	c.field[CUST_ANNIVERSARY] = strdup("2010-01-05");
	customer_keys(&c, &k);
	assert_int_equal(k.bday_md, 1231);
	assert_int_equal(k.anniv_md, 105);
	assert_int_equal(k.bday_lunar, 0);
	customer_clear(&c);
	assert_int_equal(customer_field_lookup("opt_out"), CUST_OPT_OUT);
	assert_int_equal(customer_field_lookup("hobby"), -1);
	assert_true(customer_attr_name_valid("child_school"));
	assert_false(customer_attr_name_valid("bad-name"));
	assert_false(customer_attr_name_valid(""));
}

static void
test_amount(void **state)
{
	int64_t v;
	char *cause = NULL;

	(void)state;
	assert_int_equal(import_parse_amount("12", &v, NULL), 0);
	assert_int_equal(v, 1200);
	assert_int_equal(import_parse_amount("12.5", &v, NULL), 0);
	assert_int_equal(v, 1250);
	assert_int_equal(import_parse_amount("-0.07", &v, NULL), 0);
	assert_int_equal(v, -7);
	assert_int_equal(import_parse_amount("1.234", &v, &cause), -1);
	assert_string_equal(cause,
	    "\"1.234\": not an amount (digits with at most two decimals)");
	free(cause);
	assert_int_equal(import_parse_amount("1,00", &v, NULL), -1);
	assert_int_equal(import_parse_amount("", &v, NULL), -1);
	assert_int_equal(import_parse_amount("99999999999999999999", &v,
	    NULL), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_required),
		cmocka_unit_test(test_email),
		cmocka_unit_test(test_phone),
		cmocka_unit_test(test_dates),
		cmocka_unit_test(test_date_forms),
		cmocka_unit_test(test_enums),
		cmocka_unit_test(test_keys),
		cmocka_unit_test(test_amount),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

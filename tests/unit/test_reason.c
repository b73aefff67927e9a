/* test_reason.c - unit tests for the reasons' stored records and their
 * sentences: every kind in English (the words outreachd wrote before the
 * records, byte for byte) and Chinese, titles and errors with the record's
 * own delimiters, text of older versions shown as it is, and broken
 * records shown rather than guessed at. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "customer.h"
#include "date.h"
#include "i18n.h"
#include "reason.h"

static int32_t
day(const char *s)
{
	struct date d;

	assert_int_equal(date_parse(s, &d, NULL), 0);
	return date_to_days(d.year, d.month, d.day);
}

/* r is stored as `stored` and said as en and zh. */
static void
check(const struct reason *r, const char *stored, const char *en,
    const char *zh)
{
	char *s = reason_encode(r), *t;

	if (stored != NULL)
		assert_string_equal(s, stored);
	t = reason_text(s, I18N_EN);
	assert_string_equal(t, en);
	free(t);
	t = reason_text(s, I18N_ZH);
	assert_string_equal(t, zh);
	free(t);
	free(s);
}

/* Birthdays, anniversaries and holidays: today, tomorrow, in n days. */
static void
test_events(void **state)
{
	struct reason r;

	(void)state;
	reason_init(&r, REASON_BIRTHDAY);
	r.in = 14, r.on = day("2026-12-07"), r.years = 40;
	check(&r, "{birthday in=14 on=2026-12-07 years=40}",
	    "birthday in 14 days, on 2026-12-07 (turns 40)",
	    "生日还有14天（2026-12-07），满40岁");
	r.in = 0, r.years = 0, r.lunar = 1;
	check(&r, "{birthday on=2026-12-07 lunar=1}", "lunar birthday today",
	    "农历生日就在今天");
	reason_init(&r, REASON_ANNIVERSARY);
	r.in = 1, r.on = day("2026-12-08"), r.years = 1;
	check(&r, NULL, "anniversary tomorrow (1 year)",
	    "周年纪念就在明天，1周年");
	r.in = 7, r.years = 3;
	check(&r, NULL, "anniversary in 7 days, on 2026-12-08 (3 years)",
	    "周年纪念还有7天（2026-12-08），3周年");
	reason_init(&r, REASON_HOLIDAY);
	r.in = 3, r.on = day("2027-02-06"), r.text = "春节; {x=y} 100%";
	check(&r, "{holiday in=3 on=2027-02-06 "
	    "text=春节%3B%20%7Bx%3Dy%7D%20100%25}",
	    "春节; {x=y} 100% in 3 days, on 2027-02-06",
	    "春节; {x=y} 100%还有3天（2027-02-06）");
}

/* Revisits count from the last contact, or from when the customer came. */
static void
test_revisits(void **state)
{
	struct reason r;

	(void)state;
	reason_init(&r, REASON_REVISIT);
	r.ago = 31, r.since = day("2026-11-02"), r.via = "call";
	r.tier = 'A', r.cadence = 30;
	check(&r, "{revisit ago=31 since=2026-11-02 via=call tier=A "
	    "cadence=30}",
	    "last contact 31 days ago (call on 2026-11-02), tier A cadence "
	    "30 days",
	    "上次联系31天前（2026-11-02 电话），A类客户每30天回访");
	r.via = NULL;
	check(&r, NULL, "last contact 31 days ago (contact on 2026-11-02), "
	    "tier A cadence 30 days",
	    "上次联系31天前（2026-11-02 联系），A类客户每30天回访");
	reason_init(&r, REASON_REVISIT_NEXT);
	r.on = day("2026-12-01"), r.since = day("2026-05-03");
	check(&r, "{revisit_next on=2026-12-01 since=2026-05-03}",
	    "follow-up the rep set for 2026-12-01; no contact yet, customer "
	    "since 2026-05-03",
	    "约定于2026-12-01跟进；尚无联系，2026-05-03 起为客户");
}

/* Purchases, the record, an undelivered greeting. */
static void
test_others(void **state)
{
	struct reason r;

	(void)state;
	reason_init(&r, REASON_SLEEPING);
	r.ago = 120, r.since = day("2026-08-01"), r.step = 2, r.steps = 3;
	check(&r, NULL, "no purchase for 120 days (last 2026-08-01), win-back "
	    "2 of 3", "120天未购买（上次购买 2026-08-01），挽回第2次（共3次）");
	r.step = r.steps = 0, r.unanswered = 1;
	check(&r, NULL, "no purchase for 120 days (last 2026-08-01), win-back "
	    "messages unanswered",
	    "120天未购买（上次购买 2026-08-01），挽回消息未获回应");
	reason_init(&r, REASON_LOST);
	r.ago = 365, r.since = day("2026-02-28");
	check(&r, NULL, "no purchase for 365 days (last 2026-02-28): lost",
	    "365天未购买（上次购买 2026-02-28），已流失");
	reason_init(&r, REASON_REFRESH);
	r.on = day("2026-03-01");
	check(&r, NULL, "record flagged for refresh on 2026-03-01 (wrong "
	    "number or moved)",
	    "资料于2026-03-01标记待更新（号码错误或已搬迁）");
	reason_init(&r, REASON_STALE);
	r.ago = 365, r.since = day("2026-01-01");
	check(&r, NULL, "record not updated for 365 days (since 2026-01-01)",
	    "资料已365天未更新（自2026-01-01起）");
	reason_init(&r, REASON_UNSENT);
	r.text = "550 mailbox unavailable";
	check(&r, NULL, "greeting not sent (550 mailbox unavailable): please "
	    "get in touch personally",
	    "问候未发出（550 mailbox unavailable），请亲自联系");
}

/* A merged task's checklist: records with their kinds, old text as it
 * was written, a line each. */
static void
test_checklist(void **state)
{
	struct reason r;
	char *a, *b, *all, *t;
	struct buf lines;

	(void)state;
	reason_init(&r, REASON_BIRTHDAY);
	r.in = 14, r.on = day("2026-12-07");
	a = reason_encode(&r);
	reason_init(&r, REASON_ANNIVERSARY);
	r.in = 7, r.on = day("2026-11-30"), r.years = 2;
	t = reason_encode(&r);
	b = reason_with_task(t, "gift");
	free(t);
	assert_string_equal(b, "{anniversary in=7 on=2026-11-30 years=2 "
	    "task=gift}");
	all = xasprintf("no purchase for 90 days; %s; %s", a, b);
	t = reason_text(all, I18N_EN);
	assert_string_equal(t, "no purchase for 90 days; birthday in 14 days, "
	    "on 2026-12-07; anniversary in 7 days, on 2026-11-30 (2 years) "
	    "\xe2\x80\x94 gift");
	free(t);
	buf_init(&lines);
	reason_lines(&lines, all, I18N_ZH);
	assert_string_equal(lines.data, "no purchase for 90 days\n"
	    "生日还有14天（2026-12-07）\n"
	    "周年纪念还有7天（2026-11-30），2周年 — 送礼\n");
	buf_free(&lines);
	t = reason_with_task("no purchase for 90 days", "call");
	assert_string_equal(t, "no purchase for 90 days \xe2\x80\x94 call");
	free(t);
	free(a);
	free(b);
	free(all);
}

/* What is not a record, or not a whole one, is shown as stored. */
static void
test_not_records(void **state)
{
	static const char *const raw[] = {
		"{}", "{nosuch in=1}", "{birthday in=x}", "{birthday in=}",
		"{birthday on=2026-02-30}", "{birthday wat=1}",
		"{holiday text=%ZZ}", "{holiday text=%4}", "{revisit tier=AB}",
		"{birthday in=99999999999}", "birthday {in=1}", "{birthday",
	};
	char *t;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(raw) / sizeof(raw[0]); i++) {
		t = reason_text(raw[i], I18N_ZH);
		assert_string_equal(t, raw[i]);
		free(t);
	}
	t = reason_text(NULL, I18N_EN);
	assert_string_equal(t, "");
	free(t);
	t = reason_join("a\nb\n", I18N_ZH);
	assert_string_equal(t, "a；b");
	free(t);
}

/* The rep's locale first, then the company's; task kinds as nouns. */
static void
test_i18n(void **state)
{
	(void)state;
	assert_int_equal(i18n_lang_of("zh_CN", "en"), I18N_ZH);
	assert_int_equal(i18n_lang_of("en", "zh_CN"), I18N_EN);
	assert_int_equal(i18n_lang_of(NULL, "zh_CN"), I18N_ZH);
	assert_int_equal(i18n_lang_of("", "zh"), I18N_ZH);
	assert_int_equal(i18n_lang_of(NULL, NULL), I18N_EN);
	assert_string_equal(i18n_task_noun(I18N_ZH, "invite"), "邀约");
	assert_string_equal(i18n_task_noun(I18N_EN, "invite"), "invite");
	assert_string_equal(i18n_task_noun(I18N_ZH, "other"), "other");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_events),
		cmocka_unit_test(test_revisits),
		cmocka_unit_test(test_others),
		cmocka_unit_test(test_checklist),
		cmocka_unit_test(test_not_records),
		cmocka_unit_test(test_i18n),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

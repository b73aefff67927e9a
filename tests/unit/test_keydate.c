/* test_keydate.c - customers' key dates: what a valid one is (keydate.c),
 * how the store keeps them (store_keydate.c), and how the planner finds
 * them across leap years, lunar dates and dates that happen once. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "date.h"
#include "keydate.h"
#include "lunar.h"
#include "planner.h"
#include "reason.h"
#include "store.h"
#include "store_keydate.h"
#include "tstore.h"
#include "util.h"

/* Key date rules on top of the built-in configuration's titles. */
static const char rules_conf[] =
    "rules = (\n"
    " { name = \"founding\"; event = \"keydate\";"
    " label = \"company_founding\"; action = \"message\"; },\n"
    " { name = \"opening_gift\"; event = \"keydate\";"
    " label = \"store_opening\"; lead_days = 3; tiers = [\"A\"];"
    " action = \"task\"; task = \"gift\"; },\n"
    " { name = \"graduation\"; event = \"keydate\"; label = \"graduation\";"
    " action = \"task\"; task = \"call\"; }\n"
    ");\n";

struct fx {
	struct store *st;
	struct conf *cf;
	char *path;
};

static int
setup(void **state)
{
	struct fx *f = xcalloc(1, sizeof(*f));
	char conf[] = "/tmp/test_keydate.XXXXXX", *cause = NULL;
	int fd;

	f->path = tstore_path();
	assert_int_equal(store_open(f->path, &f->st, &cause), 0);
	fd = mkstemp(conf);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, rules_conf, strlen(rules_conf)),
	    (ssize_t)strlen(rules_conf));
	close(fd);
	f->cf = conf_load(conf, &cause);
	unlink(conf);
	if (f->cf == NULL)
		fail_msg("%s", cause);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;

	store_close(f->st);
	conf_free(f->cf);
	tstore_remove(f->path);
	free(f);
	return 0;
}

static int32_t
day(const char *s)
{
	struct date d;

	assert_int_equal(date_parse(s, &d, NULL), 0);
	return date_to_days(d.year, d.month, d.day);
}

/* A customer of tier `tier` with an e-mail address. */
static int64_t
add(struct fx *f, const char *ext, const char *tier)
{
	struct customer c;
	struct customer_keys k;
	int64_t id;

	customer_init(&c);
	c.field[CUST_EXTERNAL_ID] = xstrdup(ext);
	c.field[CUST_NAME] = xstrdup(ext);
	c.field[CUST_EMAIL] = xasprintf("%s@example.test", ext);
	c.field[CUST_TIER] = xstrdup(tier);
	customer_keys(&c, &k);
	assert_int_equal(store_customer_upsert(f->st, &c, &k,
	    (1u << CUST_NFIELDS) - 1, 1000, &id, NULL), 0);
	customer_clear(&c);
	return id;
}

/* Sets a key date as the import does (date normalised); returns what the
 * store did. */
static int
set(struct fx *f, int64_t id, const char *label, const char *date,
    int yearly)
{
	struct keydate k = { 0 };
	char *cause = NULL;
	int rc;

	k.label = xstrdup(label);
	k.yearly = yearly;
	assert_int_equal(keydate_normalize(date, yearly, DATE_ORDER_NONE, &k.date,
	    &cause), 0);
	rc = store_keydate_set(f->st, id, &k, 2000, &cause);
	if (rc < 0)
		fail_msg("%s", cause);
	keydate_clear(&k);
	return rc;
}

/* The item of rule for ext planned in [from, from + days), or NULL. */
static const struct plan_item *
find(const struct plan_list *l, const char *rule, const char *ext)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		if (strcmp(l->items[i].rule->name, rule) == 0 &&
		    strcmp(l->items[i].external_id, ext) == 0)
			return &l->items[i];
	}
	return NULL;
}

static void
plan(struct fx *f, const char *from, int days, struct plan_list *l)
{
	struct plan_stats s;
	char *cause = NULL;

	memset(l, 0, sizeof(*l));
	if (planner_run(f->st, f->cf, day(from), days, 0, 0, l, &s,
	    &cause) != 0)
		fail_msg("planner_run: %s", cause);
}

/* The day rule is planned for ext in the days from `from`, or -1. */
static int32_t
planned_on(struct fx *f, const char *rule, const char *ext, const char *from,
    int days, int *years)
{
	struct plan_list l;
	const struct plan_item *it;
	int32_t d = -1;

	plan(f, from, days, &l);
	if ((it = find(&l, rule, ext)) != NULL) {
		d = it->day;
		if (years != NULL)
			*years = it->years;
	}
	plan_list_free(&l);
	return d;
}

/* Labels, yearly and dates: what the import accepts. */
static void
test_validation(void **state)
{
	char label[80], *out = NULL, *cause = NULL;
	int yearly = -1;

	(void)state;
	snprintf(label, sizeof(label), "  新店开业 ");
	assert_int_equal(keydate_label_check(label, &cause), 0);
	assert_string_equal(label, "新店开业");
	memset(label, 'a', 65);
	label[65] = '\0';
	assert_int_equal(keydate_label_check(label, &cause), -1);
	assert_string_equal(cause, "label is longer than 64 bytes");
	free(cause);
	cause = NULL;
	assert_int_equal(keydate_parse_yearly("", &yearly, &cause), 0);
	assert_int_equal(yearly, 1);
	assert_int_equal(keydate_parse_yearly(" No", &yearly, &cause), 0);
	assert_int_equal(yearly, 0);
	assert_int_equal(keydate_parse_yearly("是", &yearly, &cause), 0);
	assert_int_equal(yearly, 1);
	assert_int_equal(keydate_parse_yearly("maybe", &yearly, &cause), -1);
	assert_string_equal(cause, "\"maybe\": yearly must be yes or no");
	free(cause);
	cause = NULL;
	assert_int_equal(keydate_normalize(" --02-29 ", 1, DATE_ORDER_NONE, &out, &cause), 0);
	assert_string_equal(out, "--02-29");
	free(out);
	assert_int_equal(keydate_normalize("L:2019-08-15", 0, DATE_ORDER_NONE, &out, &cause), 0);
	assert_string_equal(out, "L:2019-08-15");
	free(out);
	assert_int_equal(keydate_normalize("", 1, DATE_ORDER_NONE, &out, &cause), 0);
	assert_null(out);
	assert_int_equal(keydate_normalize("--06-20", 0, DATE_ORDER_NONE, &out, &cause), -1);
	assert_string_equal(cause, "a key date that happens once (yearly no) "
	    "needs a year");
	free(cause);
	cause = NULL;
	assert_int_equal(keydate_normalize("2023-02-29", 1, DATE_ORDER_NONE, &out, &cause), -1);
	assert_non_null(strstr(cause, "2023 is not a leap year"));
	free(cause);
}

/* Years since: Gregorian, lunar, unknown, once, before the date. */
static void
test_years(void **state)
{
	(void)state;
	assert_int_equal(keydate_years("2008-06-18", 1, day("2026-06-18")), 18);
	assert_int_equal(keydate_years("2016-02-29", 1, day("2027-02-28")), 11);
	assert_int_equal(keydate_years("--06-18", 1, day("2026-06-18")), -1);
	assert_int_equal(keydate_years("2027-06-20", 0, day("2027-06-20")), -1);
	assert_int_equal(keydate_years("2030-05-01", 1, day("2027-05-01")), -1);
	assert_int_equal(keydate_years("2030-05-01", 1, day("2030-05-01")), 0);
	/* lunar 2019-08-15 is 2019-09-13; in 2026 on 09-25: 7 lunar years */
	assert_int_equal(keydate_years("L:2019-08-15", 1, day("2026-09-25")), 7);
	/* lunar 1990-12-20 falls in January 2027: still lunar 2026 */
	assert_int_equal(keydate_years("L:1990-12-20", 1, day("2027-01-27")),
	    36);
}

/* Same label replaces; unchanged is said; delete; read with the
 * customer, by label. */
static void
test_store(void **state)
{
	struct fx *f = *state;
	struct customer c;
	char *cause = NULL;
	int64_t id = add(f, "S1", "C");

	assert_int_equal(set(f, id, "store_opening", "2019-05-01", 1),
	    KEYDATE_ADDED);
	assert_int_equal(set(f, id, "company_founding", "2008-06-18", 1),
	    KEYDATE_ADDED);
	assert_int_equal(set(f, id, "store_opening", "2019-05-01", 1),
	    KEYDATE_UNCHANGED);
	assert_int_equal(set(f, id, "store_opening", "2019-05-01", 0),
	    KEYDATE_UPDATED);
	assert_int_equal(set(f, id, "store_opening", "2020-05-01", 0),
	    KEYDATE_UPDATED);
	customer_init(&c);
	assert_int_equal(store_customer_get(f->st, "S1", &c, &cause), 1);
	assert_int_equal(c.nkeydates, 2);
	assert_string_equal(c.keydates[0].label, "company_founding");
	assert_string_equal(c.keydates[1].date, "2020-05-01");
	assert_int_equal(c.keydates[1].yearly, 0);
	assert_int_equal(c.updated_at, 2000);	/* a change moves it */
	assert_non_null(keydate_find(c.keydates, c.nkeydates,
	    "store_opening"));
	assert_null(keydate_find(c.keydates, c.nkeydates, "graduation"));
	customer_clear(&c);
	assert_int_equal(store_keydate_delete(f->st, id, "store_opening", 3000,
	    &cause), 1);
	assert_int_equal(store_keydate_delete(f->st, id, "store_opening", 3000,
	    &cause), 0);
	customer_init(&c);
	assert_int_equal(store_customer_get(f->st, "S1", &c, &cause), 1);
	assert_int_equal(c.nkeydates, 1);
	customer_clear(&c);
	/* the customer's erasure takes them along */
	assert_int_equal(store_customer_forget(f->st, "S1", &cause), 1);
}

/* A company founded on 29 February, by the planner's 29 February policy,
 * and the years it counts. */
static void
test_feb29(void **state)
{
	static const struct {
		enum date_feb29 policy;
		const char *want2027, *want2028;
	} cases[] = {
		{ DATE_FEB29_FEB28, "2027-02-28", "2028-02-29" },
		{ DATE_FEB29_MAR1, "2027-03-01", "2028-02-29" },
		{ DATE_FEB29_LEAP_ONLY, NULL, "2028-02-29" },
	};
	struct fx *f = *state;
	int64_t id = add(f, "L1", "C");
	int years = 0;
	size_t i;

	set(f, id, "company_founding", "2016-02-29", 1);
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		f->cf->plan.feb29 = cases[i].policy;
		assert_int_equal(planned_on(f, "founding", "L1", "2027-02-26",
		    5, &years), cases[i].want2027 ? day(cases[i].want2027) : -1);
		if (cases[i].want2027 != NULL)
			assert_int_equal(years, 11);
		assert_int_equal(planned_on(f, "founding", "L1", "2028-02-26",
		    5, &years), day(cases[i].want2028));
		assert_int_equal(years, 12);
	}
	/* A founding in a common year is never moved. */
	id = add(f, "L2", "C");
	set(f, id, "company_founding", "--02-28", 1);
	assert_int_equal(planned_on(f, "founding", "L2", "2028-02-26", 5,
	    &years), day("2028-02-28"));
	assert_int_equal(years, -1);
}

/* A lunar store opening: each year on its lunar day, lead days before,
 * tier A only; a leap-month date in a year without that leap month. */
static void
test_lunar(void **state)
{
	struct fx *f = *state;
	struct lunar_date ld;
	struct plan_list l;
	const struct plan_item *it;
	int gy, gm, gd, years = 0;
	int64_t a = add(f, "M1", "A"), c = add(f, "M2", "C"), leap;
	char *why;

	set(f, a, "store_opening", "L:2019-08-15", 1);
	set(f, c, "store_opening", "L:2019-08-15", 1);
	/* 中秋 2026 is 09-25, 2027 09-15: the task comes 3 days before */
	assert_int_equal(planned_on(f, "opening_gift", "M1", "2026-09-20", 5,
	    &years), day("2026-09-22"));
	assert_int_equal(years, 7);
	assert_int_equal(planned_on(f, "opening_gift", "M1", "2027-09-10", 5,
	    &years), day("2027-09-12"));
	assert_int_equal(years, 8);
	assert_int_equal(planned_on(f, "opening_gift", "M2", "2026-09-20", 5,
	    NULL), -1);
	plan(f, "2026-09-22", 1, &l);
	it = find(&l, "opening_gift", "M1");
	assert_non_null(it);
	assert_int_equal(it->occurrence, day("2026-09-25"));
	assert_int_equal(it->action, ACT_TASK);
	why = reason_text(it->reason, I18N_ZH);
	assert_string_equal(why, "新店开业还有3天（2026-09-25），7周年");
	free(why);
	why = reason_text(it->reason, I18N_EN);
	assert_string_equal(why, "新店开业 in 3 days, on 2026-09-25 (7 years)");
	free(why);
	plan_list_free(&l);
	/* 闰四月 2020; 2026 has no leap 4th month: the ordinary one's day */
	leap = add(f, "M3", "A");
	set(f, leap, "store_opening", "L:2020-04R-15", 1);
	assert_int_equal(lunar_parse("L:04R-15", &ld, NULL), 0);
	assert_int_equal(lunar_yearly(&ld, 2026, &gy, &gm, &gd, NULL), 0);
	assert_int_equal(planned_on(f, "opening_gift", "M3", "2026-04-01", 60,
	    &years), date_to_days(gy, gm, gd) - 3);
	assert_int_equal(years, 6);
}

/* A child's graduation happens once; a store opening in the future is
 * greeted from its day on, not before. */
static void
test_once_and_future(void **state)
{
	struct fx *f = *state;
	int64_t g = add(f, "O1", "B"), s = add(f, "O2", "A");
	int years = 0;

	set(f, g, "graduation", "2027-06-20", 0);
	assert_int_equal(planned_on(f, "graduation", "O1", "2027-06-15", 10,
	    &years), day("2027-06-20"));
	assert_int_equal(years, -1);
	assert_int_equal(planned_on(f, "graduation", "O1", "2026-06-15", 10,
	    NULL), -1);
	assert_int_equal(planned_on(f, "graduation", "O1", "2028-06-15", 10,
	    NULL), -1);
	/* lunar, once: 2027 lunar 05-15 is 2027-06-19 */
	set(f, g, "graduation", "L:2027-05-15", 0);
	assert_int_equal(planned_on(f, "graduation", "O1", "2027-06-15", 10,
	    NULL), day("2027-06-19"));
	set(f, s, "store_opening", "2030-05-01", 1);
	assert_int_equal(planned_on(f, "opening_gift", "O2", "2027-04-25", 10,
	    NULL), -1);
	assert_int_equal(planned_on(f, "opening_gift", "O2", "2030-04-25", 10,
	    &years), day("2030-04-28"));
	assert_int_equal(years, 0);
	assert_int_equal(planned_on(f, "opening_gift", "O2", "2031-04-25", 10,
	    &years), day("2031-04-28"));
	assert_int_equal(years, 1);
}

/* Committing twice stores one item; another label is not this rule's. */
static void
test_commit_once(void **state)
{
	struct fx *f = *state;
	struct plan_list l;
	struct plan_stats s;
	char *cause = NULL;
	int64_t id = add(f, "P1", "C");

	set(f, id, "company_founding", "2008-06-18", 1);
	set(f, id, "公司成立日", "2008-06-18", 1);
	memset(&l, 0, sizeof(l));
	assert_int_equal(planner_run(f->st, f->cf, day("2026-06-18"), 1, 1, 0,
	    &l, &s, &cause), 0);
	assert_non_null(find(&l, "founding", "P1"));
	assert_int_equal(s.inserted, 1);
	assert_string_equal(find(&l, "founding", "P1")->dedup_key,
	    "founding:1:2026-06-18");
	plan_list_free(&l);
	memset(&l, 0, sizeof(l));
	assert_int_equal(planner_run(f->st, f->cf, day("2026-06-18"), 1, 1, 0,
	    &l, &s, &cause), 0);
	assert_int_equal(s.inserted, 0);
	assert_true(find(&l, "founding", "P1")->existed);
	plan_list_free(&l);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_validation),
		cmocka_unit_test(test_years),
		cmocka_unit_test_setup_teardown(test_store, setup, teardown),
		cmocka_unit_test_setup_teardown(test_feb29, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lunar, setup, teardown),
		cmocka_unit_test_setup_teardown(test_once_and_future, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_commit_once, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

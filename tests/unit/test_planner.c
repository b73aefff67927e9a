/* test_planner.c - the planner through its C interface: idempotent
 * commits, the revisit clock, windows that wrap into January, 29 February
 * policies, the frequency cap and lost customers, one open follow-up per
 * purpose, same-day tasks merged, a rep's next follow-up date. */
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
#include "planner.h"
#include "reason.h"
#include "store.h"
#include "store_outcome.h"
#include "store_plan.h"
#include "store_task.h"
#include "tstore.h"
#include "util.h"

struct fx {
	struct store *st;
	struct conf *cf;
	char *path;
};

static int
setup(void **state)
{
	struct fx *f = xcalloc(1, sizeof(*f));
	char *cause = NULL;

	f->path = tstore_path();
	assert_int_equal(store_open(f->path, &f->st, &cause), 0);
	f->cf = conf_defaults();
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

/* Adds a customer created on `created` (a day) with the given fields. */
static int64_t
add(struct fx *f, const char *ext, const char *tier, const char *bday,
    const char *anniv, const char *created)
{
	struct customer c;
	struct customer_keys k;
	int64_t id;

	customer_init(&c);
	c.field[CUST_EXTERNAL_ID] = xstrdup(ext);
	c.field[CUST_NAME] = xstrdup(ext);
	c.field[CUST_EMAIL] = xasprintf("%s@example.test", ext);
	c.field[CUST_TIER] = tier ? xstrdup(tier) : NULL;
	c.field[CUST_BIRTHDAY] = bday ? xstrdup(bday) : NULL;
	c.field[CUST_ANNIVERSARY] = anniv ? xstrdup(anniv) : NULL;
	customer_keys(&c, &k);
	assert_int_equal(store_customer_upsert(f->st, &c, &k,
	    (1u << CUST_NFIELDS) - 1, (int64_t)day(created) * 86400 + 3600,
	    &id, NULL), 0);
	customer_clear(&c);
	return id;
}

static size_t
count_rule(const struct plan_list *l, const char *rule, const char *ext)
{
	size_t i, n = 0;

	for (i = 0; i < l->n; i++) {
		if (strcmp(l->items[i].rule->name, rule) == 0 &&
		    (ext == NULL || strcmp(l->items[i].external_id, ext) == 0))
			n++;
	}
	return n;
}

/* The stored reason, said in language l, is want. */
static void
said(const char *stored, enum i18n_lang l, const char *want)
{
	char *s = reason_text(stored, l);

	assert_string_equal(s, want);
	free(s);
}

/* The same for the first of the reasons (merged ones may follow). */
static void
said_first(const char *stored, enum i18n_lang l, const char *want)
{
	char *s = reason_text(stored, l);

	assert_true(strncmp(s, want, strlen(want)) == 0);
	free(s);
}

static const struct plan_item *
find(const struct plan_list *l, const char *rule, const char *ext)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		if (strcmp(l->items[i].rule->name, rule) == 0 &&
		    strcmp(l->items[i].external_id, ext) == 0)
			return &l->items[i];
	}
	fail_msg("no %s item for %s", rule, ext);
	return NULL;
}

static void
plan(struct fx *f, const char *from, int days, int commit,
    struct plan_list *l, struct plan_stats *s)
{
	char *cause = NULL;

	memset(l, 0, sizeof(*l));
	if (planner_run(f->st, f->cf, day(from), days, commit, 0, l, s,
	    &cause) != 0)
		fail_msg("planner_run: %s", cause);
}

static void
test_commit_is_idempotent(void **state)
{
	struct fx *f = *state;
	struct plan_list l;
	struct plan_stats s;

	add(f, "X1", "A", "1970-06-10", NULL, "2026-01-01");
	plan(f, "2026-06-10", 1, 1, &l, &s);
	assert_int_equal(count_rule(&l, "birthday_rep", "X1"), 1);
	assert_true(s.inserted >= 1);
	assert_false(find(&l, "birthday_rep", "X1")->existed);
	/* tier A, the rep's to greet; without a rep, sent as a message */
	assert_int_equal(find(&l, "birthday_rep", "X1")->action, ACT_MESSAGE);
	plan_list_free(&l);
	/* Again, as after a restart: nothing new, the same items. */
	plan(f, "2026-06-10", 1, 1, &l, &s);
	assert_int_equal(s.inserted, 0);
	assert_int_equal(count_rule(&l, "birthday_rep", "X1"), 1);
	assert_true(find(&l, "birthday_rep", "X1")->existed);
	assert_string_equal(find(&l, "birthday_rep", "X1")->dedup_key,
	    "birthday_rep:1:2026-06-10");
	plan_list_free(&l);
}

static void
test_revisit_clock(void **state)
{
	struct fx *f = *state;
	struct plan_list l;
	struct plan_stats s;
	int64_t id = add(f, "R1", "B", NULL, NULL, "2026-01-01"), item;

	assert_int_equal(store_contact_add(f->st, id, 0, day("2026-02-01"),
	    "call", NULL, NULL), 0);
	plan(f, "2026-05-01", 1, 1, &l, &s); /* 89 days: not yet */
	assert_int_equal(count_rule(&l, "revisit_b", "R1"), 0);
	plan_list_free(&l);
	plan(f, "2026-05-02", 1, 1, &l, &s); /* 90 days */
	assert_int_equal(count_rule(&l, "revisit_b", "R1"), 1);
	said(find(&l, "revisit_b", "R1")->reason, I18N_EN,
	    "last contact 90 days ago (call on 2026-02-01), tier B cadence "
	    "90 days");
	said(find(&l, "revisit_b", "R1")->reason, I18N_ZH,
	    "上次联系90天前（2026-02-01 电话），B类客户每90天回访");
	plan_list_free(&l);
	plan(f, "2026-05-03", 1, 1, &l, &s); /* planned: the clock restarted */
	assert_int_equal(count_rule(&l, "revisit_b", "R1"), 0);
	plan_list_free(&l);
	plan(f, "2026-07-31", 1, 0, &l, &s); /* 90 days after: still open */
	assert_int_equal(count_rule(&l, "revisit_b", "R1"), 0);
	assert_int_equal(s.kept_open, 1);
	plan_list_free(&l);
	assert_int_equal(store_plan_item_id(f->st, "revisit_b:1:2026-05-02",
	    &item, NULL), 1);
	assert_int_equal(store_task_close(f->st, item, "cancelled", NULL, 0,
	    NULL), 1);
	plan(f, "2026-07-31", 1, 0, &l, &s); /* closed: the next one comes */
	assert_int_equal(count_rule(&l, "revisit_b", "R1"), 1);
	plan_list_free(&l);
	/* A rep's contact moves the clock again; the greeting rules never. */
	assert_int_equal(store_contact_add(f->st, id, 0, day("2026-06-01"),
	    "visit", NULL, NULL), 0);
	plan(f, "2026-07-31", 1, 0, &l, &s);
	assert_int_equal(count_rule(&l, "revisit_b", "R1"), 0);
	plan_list_free(&l);
	plan(f, "2026-08-30", 1, 0, &l, &s);
	assert_int_equal(count_rule(&l, "revisit_b", "R1"), 1);
	plan_list_free(&l);
}

/* The daemon catching up after downtime (a committing run that starts
 * before today): a revisit that fell due during the downtime keeps its
 * day, one overdue from before goes to today, not to the first day
 * caught up.  A preview still plans the backlog on its first day. */
static void
test_catch_up_dates_backlog_today(void **state)
{
	struct fx *f = *state;
	struct plan_list l;
	struct plan_stats s;
	char *cause = NULL;
	int64_t old = add(f, "R2", "B", NULL, NULL, "2026-01-01");
	int64_t due = add(f, "R3", "B", NULL, NULL, "2026-01-01");
	int64_t now = (int64_t)day("2026-05-10") * 86400 + 12 * 3600;

	assert_int_equal(store_contact_add(f->st, old, 0, day("2026-02-01"),
	    "call", NULL, NULL), 0);	/* due 2026-05-02 */
	assert_int_equal(store_contact_add(f->st, due, 0, day("2026-02-07"),
	    "call", NULL, NULL), 0);	/* due 2026-05-08 */
	plan(f, "2026-05-07", 5, 0, &l, &s);
	assert_int_equal(find(&l, "revisit_b", "R2")->day, day("2026-05-07"));
	plan_list_free(&l);
	memset(&l, 0, sizeof(l));
	if (planner_run(f->st, f->cf, day("2026-05-07"), 5, 1, now, &l, &s,
	    &cause) != 0)
		fail_msg("planner_run: %s", cause);
	assert_int_equal(count_rule(&l, "revisit_b", "R2"), 1);
	assert_int_equal(find(&l, "revisit_b", "R2")->day, day("2026-05-10"));
	assert_int_equal(count_rule(&l, "revisit_b", "R3"), 1);
	assert_int_equal(find(&l, "revisit_b", "R3")->day, day("2026-05-08"));
	plan_list_free(&l);
}

/* A-tier invitations 14 days ahead reach back across the new year. */
static void
test_window_wraps_into_january(void **state)
{
	struct fx *f = *state;
	struct plan_list l;
	struct plan_stats s;

	add(f, "J1", "A", "--01-05", NULL, "2026-01-01");
	plan(f, "2026-12-20", 20, 0, &l, &s);
	assert_int_equal(count_rule(&l, "birthday_invite", "J1"), 1);
	assert_int_equal(count_rule(&l, "birthday_rep", "J1"), 1);
	assert_int_equal(find(&l, "birthday_invite", "J1")->day,
	    day("2026-12-22"));
	said(find(&l, "birthday_invite", "J1")->reason, I18N_EN,
	    "birthday in 14 days, on 2027-01-05");
	assert_int_equal(find(&l, "birthday_rep", "J1")->day, day("2027-01-05"));
	plan_list_free(&l);
}

static void
test_feb29_policies(void **state)
{
	struct fx *f = *state;
	struct plan_list l;
	struct plan_stats s;
	static const struct {
		enum date_feb29 policy;
		const char *from;
		int32_t want; /* days after `from`, -1 = none in the range */
	} cases[] = {
		{ DATE_FEB29_FEB28, "2027-02-27", 1 },
		{ DATE_FEB29_MAR1, "2027-02-27", 2 },
		{ DATE_FEB29_LEAP_ONLY, "2027-02-27", -1 },
		{ DATE_FEB29_FEB28, "2028-02-27", 2 },
		{ DATE_FEB29_MAR1, "2028-02-27", 2 },
		{ DATE_FEB29_LEAP_ONLY, "2028-02-27", 2 },
	};
	size_t i, j;

	add(f, "F1", "C", "1984-02-29", NULL, "2026-01-01");
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		f->cf->plan.feb29 = cases[i].policy;
		plan(f, cases[i].from, 4, 0, &l, &s);
		for (j = 0; j < l.n && strcmp(l.items[j].rule->name,
		    "birthday") != 0; j++)
			;
		if (cases[i].want < 0)
			assert_int_equal(j, l.n);
		else {
			assert_true(j < l.n);
			assert_int_equal(l.items[j].day,
			    day(cases[i].from) + cases[i].want);
		}
		plan_list_free(&l);
	}
}

static void
test_cap_and_lost(void **state)
{
	struct fx *f = *state;
	struct plan_list l;
	struct plan_stats s;
	int64_t id = add(f, "K1", "C", "--03-10", "2020-03-10", "2020-01-01");

	/* Birthday and anniversary on one day fit the default cap of 2. */
	plan(f, "2026-03-10", 1, 1, &l, &s);
	assert_int_equal(count_rule(&l, "birthday", "K1"), 1);
	assert_int_equal(count_rule(&l, "anniversary", "K1"), 1);
	plan_list_free(&l);
	f->cf->plan.cap_messages = 1;
	plan(f, "2027-03-10", 1, 0, &l, &s);
	assert_int_equal(count_rule(&l, "birthday", "K1"), 1);
	assert_int_equal(count_rule(&l, "anniversary", "K1"), 0);
	assert_int_equal(s.capped, 1);
	plan_list_free(&l);
	/* Lost customers: no greetings at all. */
	assert_int_equal(store_purchase_add(f->st, id, 100, day("2026-01-01"),
	    NULL), 0);
	plan(f, "2027-03-10", 1, 0, &l, &s);
	assert_int_equal(count_rule(&l, "birthday", "K1"), 0);
	assert_int_equal(count_rule(&l, "anniversary", "K1"), 0);
	assert_int_equal(s.lost, 2);
	plan_list_free(&l);
}

/* Counts a customer's open tasks of an event, as task list shows them. */
struct open_count {
	const char *ext;
	const char *event;
	int n;
	char *reason;
};

static int
count_open(void *arg, const struct store_task *t)
{
	struct open_count *c = arg;

	if (strcmp(t->external_id, c->ext) == 0 &&
	    strcmp(t->status, "open") == 0 &&
	    (c->event == NULL || strcmp(t->event, c->event) == 0)) {
		c->n++;
		free(c->reason);
		c->reason = xstrdup(t->reason);
	}
	return 0;
}

static int
open_tasks(struct fx *f, const char *ext, const char *event, char **reason)
{
	struct open_count c = { ext, event, 0, NULL };

	assert_int_equal(store_task_each(f->st, NULL, 0, count_open, &c, NULL),
	    0);
	if (reason != NULL)
		*reason = c.reason;
	else
		free(c.reason);
	return c.n;
}

/* Nobody works the customer for 400 days: one revisit task, open and
 * growing overdue, never a second one; its reason counts from the day
 * they became a customer. */
static void
test_one_open_revisit(void **state)
{
	struct fx *f = *state;
	struct plan_list l;
	struct plan_stats s;
	char *reason;
	int32_t d, d0 = day("2026-01-01");

	add(f, "V1", "A", NULL, NULL, "2026-01-01");
	for (d = d0; d < d0 + 400; d++) {
		memset(&l, 0, sizeof(l));
		assert_int_equal(planner_run(f->st, f->cf, d, 1, 1, 0, NULL, &s,
		    NULL), 0);
		assert_true(open_tasks(f, "V1", "revisit", NULL) <= 1);
	}
	assert_int_equal(open_tasks(f, "V1", "revisit", &reason), 1);
	said_first(reason, I18N_EN, "no contact yet, customer since "
	    "2026-01-01, tier A cadence 30 days");
	said_first(reason, I18N_ZH,
	    "尚无联系，2026-01-01 起为客户，A类客户每30天回访");
	free(reason);
}

/* Three tasks of one customer on one day: one task, a checklist of the
 * three reasons; planning the day again adds nothing. */
static void
test_same_day_merge(void **state)
{
	struct fx *f = *state;
	struct plan_list l;
	struct plan_stats s;
	char *reason;
	int64_t id = add(f, "W1", "A", "1970-06-15", "2010-06-08",
	    "2026-01-01");

	assert_int_equal(store_contact_add(f->st, id, 0, day("2026-05-02"),
	    "visit", NULL, NULL), 0);
	plan(f, "2026-06-01", 1, 1, &l, &s);	/* revisit, invite, gift */
	assert_int_equal(s.inserted, 3);
	assert_int_equal(s.merged, 2);
	plan_list_free(&l);
	assert_int_equal(open_tasks(f, "W1", NULL, &reason), 1);
	/* The first task stored (by rule priority) is the host: its own
	 * reason comes first, the others with their kind. */
	said(reason, I18N_EN, "birthday in 14 days, on 2026-06-15 "
	    "(turns 56); anniversary in 7 days, on 2026-06-08 (16 years) "
	    "\xe2\x80\x94 gift; last contact 30 days ago (visit on 2026-05-02), "
	    "tier A cadence 30 days \xe2\x80\x94 visit");
	said(reason, I18N_ZH, "生日还有14天（2026-06-15），满56岁；"
	    "周年纪念还有7天（2026-06-08），16周年 — 送礼；"
	    "上次联系30天前（2026-05-02 拜访），A类客户每30天回访 — 拜访");
	free(reason);
	plan(f, "2026-06-01", 1, 1, &l, &s);
	assert_int_equal(s.inserted, 0);
	assert_int_equal(s.merged, 0);
	plan_list_free(&l);
	assert_int_equal(open_tasks(f, "W1", NULL, NULL), 1);
}

/* A rep's "next follow-up on" date replaces the cadence once. */
static void
test_revisit_next(void **state)
{
	struct fx *f = *state;
	struct plan_list l;
	struct plan_stats s;
	int64_t id = add(f, "X2", "C", NULL, NULL, "2026-01-01");

	assert_int_equal(store_contact_add(f->st, id, 0, day("2026-03-01"),
	    "call", NULL, NULL), 0);
	assert_int_equal(store_customer_revisit_next(f->st, id,
	    day("2026-03-20"), NULL), 0);
	plan(f, "2026-03-19", 1, 1, &l, &s);
	assert_int_equal(count_rule(&l, "revisit_c", "X2"), 0);
	plan_list_free(&l);
	plan(f, "2026-03-20", 1, 1, &l, &s);
	assert_int_equal(count_rule(&l, "revisit_c", "X2"), 1);
	said(find(&l, "revisit_c", "X2")->reason, I18N_EN,
	    "follow-up the rep set for 2026-03-20; last contact 19 days ago "
	    "(call on 2026-03-01)");
	said(find(&l, "revisit_c", "X2")->reason, I18N_ZH,
	    "约定于2026-03-20跟进；上次联系19天前（2026-03-01 电话）");
	plan_list_free(&l);
	/* Met: the cadence counts again (from the planned revisit). */
	plan(f, "2026-08-28", 1, 0, &l, &s);
	assert_int_equal(count_rule(&l, "revisit_c", "X2"), 0);
	plan_list_free(&l);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_commit_is_idempotent,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_revisit_clock, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_catch_up_dates_backlog_today, setup, teardown),
		cmocka_unit_test_setup_teardown(test_window_wraps_into_january,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_feb29_policies, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_cap_and_lost, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_one_open_revisit, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_same_day_merge, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_revisit_next, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

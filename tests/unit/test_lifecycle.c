/* test_lifecycle.c - a customer's state on a day at each boundary of the
 * pinned definitions, the personal threshold, and the planner deciding
 * sleeping and lost with the same function: a win-back planned exactly
 * from the first sleeping day, the lost task on the first lost day.  And
 * the daily counts: today's by tier and rep, the months before
 * reconstructed once, nothing written twice on a day. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "conf.h"
#include "customer.h"
#include "lifecycle.h"
#include "lifecycle_days.h"
#include "planner.h"
#include "store.h"
#include "tstore.h"
#include "util.h"


#define D 20000

static void
test_states(void **state)
{
	struct conf *cf = conf_defaults();
	const struct conf_plan *cp = &cf->plan;

	(void)state;
	assert_int_equal(cp->lifecycle_new_days, 90);
	assert_int_equal(lifecycle_state(cp, D, DAY_NONE, DAY_NONE, 0),
	    LC_PROSPECT);
	/* A purchase after the day does not exist on it. */
	assert_int_equal(lifecycle_state(cp, D, D + 1, D + 1, 0), LC_PROSPECT);
	assert_int_equal(lifecycle_state(cp, D, D, D, 0), LC_NEW);
	assert_int_equal(lifecycle_state(cp, D, D - 89, D - 89, 0), LC_NEW);
	assert_int_equal(lifecycle_state(cp, D, D - 90, D - 10, 0), LC_ACTIVE);
	assert_int_equal(lifecycle_state(cp, D, D - 900, D - 179, 0),
	    LC_ACTIVE);
	assert_int_equal(lifecycle_state(cp, D, D - 900, D - 180, 0),
	    LC_SLEEPING);
	assert_int_equal(lifecycle_state(cp, D, D - 900, D - 364, 0),
	    LC_SLEEPING);
	assert_int_equal(lifecycle_state(cp, D, D - 900, D - 365, 0), LC_LOST);
	/* Sleeping comes before new: a threshold shorter than new_days. */
	assert_int_equal(lifecycle_state(cp, D, D - 60, D - 40, 40),
	    LC_SLEEPING);
	assert_int_equal(lifecycle_state(cp, D, D - 60, D - 39, 40), LC_NEW);
	/* A personal threshold counts only when shorter. */
	assert_int_equal(lifecycle_sleep_days(cp, 0), 180);
	assert_int_equal(lifecycle_sleep_days(cp, 60), 60);
	assert_int_equal(lifecycle_sleep_days(cp, 200), 180);
	assert_int_equal(lifecycle_state(cp, D, D - 900, D - 60, 60),
	    LC_SLEEPING);
	assert_int_equal(lifecycle_state(cp, D, D - 900, D - 199, 200),
	    LC_SLEEPING);
	assert_string_equal(lifecycle_name(LC_SLEEPING), "sleeping");
	assert_string_equal(lifecycle_name(LC_PROSPECT), "prospect");
	conf_free(cf);
}

/* The planner's sleeping and lost days are the lifecycle's. */
static void
test_planner_agrees(void **state)
{
	struct conf *cf = conf_defaults();
	char *path = tstore_path(), *cause = NULL;
	struct customer c;
	struct customer_keys keys;
	struct plan_list l = { 0 };
	struct plan_stats ps;
	struct store *st;
	int64_t id;
	int32_t day;
	size_t i;
	int winback, lost;

	(void)state;
	assert_int_equal(store_open(path, &st, &cause), 0);
	customer_init(&c);
	c.field[CUST_EXTERNAL_ID] = xstrdup("X1");
	c.field[CUST_NAME] = xstrdup("X");
	c.field[CUST_EMAIL] = xstrdup("x@example.com");
	customer_keys(&c, &keys);
	assert_int_equal(store_customer_upsert(st, &c, &keys,
	    (1u << CUST_NFIELDS) - 1, 0, &id, &cause), 0);
	customer_clear(&c);
	assert_int_equal(store_purchase_add(st, id, 1000, D - 500, &cause), 0);
	assert_int_equal(store_purchase_add(st, id, 1000, D, &cause), 0);
	for (day = D + 170; day < D + 370; day++) {
		assert_int_equal(planner_run(st, cf, day, 1, 0, 0, &l, &ps,
		    &cause), 0);
		winback = lost = 0;
		for (i = 0; i < l.n; i++) {
			winback |= strcmp(l.items[i].rule->name, "winback") == 0;
			lost |= strcmp(l.items[i].rule->name, "lost") == 0;
		}
		plan_list_free(&l);
		/* The win-back messages go from the first sleeping day,
		 * winback_interval_days apart; the lost task on the first
		 * lost day. */
		assert_int_equal(winback, day == D + 180 || day == D + 210);
		assert_int_equal(lost, day == D + 365);
		assert_int_equal(lifecycle_state(&cf->plan, day, D - 500, D, 0),
		    day < D + 180 ? LC_ACTIVE : day < D + 365 ? LC_SLEEPING :
		    LC_LOST);
	}
	store_close(st);
	tstore_remove(path);
	conf_free(cf);
}

/* A customer of rep (NULL: none) and tier, with purchases on days. */
static void
add_buyer(struct store *st, const char *ext, const char *rep,
    const char *tier, const int32_t *days, size_t n)
{
	struct customer c;
	struct customer_keys k;
	char *cause = NULL;
	int64_t id;
	size_t i;

	customer_init(&c);
	c.field[CUST_EXTERNAL_ID] = xstrdup(ext);
	c.field[CUST_NAME] = xstrdup(ext);
	c.field[CUST_TIER] = xstrdup(tier);
	if (rep != NULL)
		c.field[CUST_REP] = xstrdup(rep);
	customer_keys(&c, &k);
	assert_int_equal(store_customer_upsert(st, &c, &k,
	    (1u << CUST_NFIELDS) - 1, 0, &id, &cause), 0);
	customer_clear(&c);
	for (i = 0; i < n; i++)
		assert_int_equal(store_purchase_add(st, id, 100, days[i],
		    &cause), 0);
}

/* One number from the store. */
static long
sql_long(const char *path, const char *sql)
{
	return (long)tstore_long(path, sql);
}

/* Day 20000 is 2024-10-04: months run from 2023-08 (the first purchase,
 * D - 420) to 2024-09, then today. */
static void
test_days_record(void **state)
{
	struct conf *cf = conf_defaults();
	char *path = tstore_path(), *cause = NULL;
	struct store_rep rep = { .key = "li", .name = "Li" };
	struct store *st;
	long n;

	(void)state;
	assert_int_equal(store_open(path, &st, &cause), 0);
	assert_int_equal(store_rep_upsert(st, &rep, &cause), 0);
	add_buyer(st, "NEW", "li", "A", (int32_t[]){ D - 10 }, 1);
	add_buyer(st, "ACTIVE", "li", "A", (int32_t[]){ D - 200, D - 100 }, 2);
	add_buyer(st, "SLEEPING", NULL, "B", (int32_t[]){ D - 260 }, 1);
	add_buyer(st, "LOST", "li", "C", (int32_t[]){ D - 420 }, 1);
	add_buyer(st, "PROSPECT", NULL, "C", NULL, 0);
	assert_int_equal(lifecycle_days_record(st, cf, D, &n, &cause), 0);
	assert_true(n > 0);
	assert_int_equal(sql_long(path, "SELECT sum(customers) FROM"
	    " lifecycle_days WHERE day = 20000 AND reconstructed = 0"), 5);
	assert_int_equal(sql_long(path, "SELECT customers FROM lifecycle_days"
	    " WHERE day = 20000 AND tier = 'A' AND rep = 'li' AND"
	    " state = 'active'"), 1);
	assert_int_equal(sql_long(path, "SELECT customers FROM lifecycle_days"
	    " WHERE day = 20000 AND tier = 'B' AND rep = '' AND"
	    " state = 'sleeping'"), 1);
	assert_int_equal(sql_long(path, "SELECT customers FROM lifecycle_days"
	    " WHERE day = 20000 AND tier = 'C' AND rep = 'li' AND"
	    " state = 'lost'"), 1);
	/* 14 month ends, 2023-08-31 to 2024-09-30, each of all five. */
	assert_int_equal(sql_long(path, "SELECT count(DISTINCT day) FROM"
	    " lifecycle_days WHERE reconstructed = 1"), 14);
	assert_int_equal(sql_long(path, "SELECT count(*) FROM (SELECT day FROM"
	    " lifecycle_days WHERE reconstructed = 1 GROUP BY day HAVING"
	    " sum(customers) = 5) AS d"), 14);
	assert_int_equal(sql_long(path, "SELECT min(day) FROM lifecycle_days"),
	    19600);	/* 2023-08-31 */
	/* On 2024-02-29 the one who bought on D - 260 (2024-01-18) was new. */
	assert_int_equal(sql_long(path, "SELECT customers FROM lifecycle_days"
	    " WHERE day = 19782 AND tier = 'B' AND state = 'new'"), 1);
	/* Once a day; the next day adds its own count only. */
	assert_int_equal(lifecycle_days_record(st, cf, D, &n, &cause), 0);
	assert_int_equal(n, 0);
	assert_int_equal(lifecycle_days_record(st, cf, D + 1, &n, &cause), 0);
	assert_int_equal(sql_long(path, "SELECT count(DISTINCT day) FROM"
	    " lifecycle_days"), 16);
	assert_int_equal(sql_long(path, "SELECT sum(customers) FROM"
	    " lifecycle_days WHERE day = 20001"), 5);
	store_close(st);
	tstore_remove(path);
	conf_free(cf);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_states),
		cmocka_unit_test(test_planner_agrees),
		cmocka_unit_test(test_days_record),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

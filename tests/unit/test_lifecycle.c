/* test_lifecycle.c - a customer's state on a day at each boundary of the
 * pinned definitions, the personal threshold, and the planner deciding
 * sleeping and lost with the same function: a win-back planned exactly
 * from the first sleeping day, the lost task on the first lost day. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "conf.h"
#include "customer.h"
#include "lifecycle.h"
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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_states),
		cmocka_unit_test(test_planner_agrees),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* test_holdout.c - a message rule's control group: the stable choice, its
 * share, the planner recording it instead of the message (once, whatever
 * the scans), never a task rule, and the configuration's checks. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "conf.h"
#include "customer.h"
#include "holdout.h"
#include "planner.h"
#include "store.h"
#include "tstore.h"
#include "util.h"

#define D 20000	/* 2024-10-04 */

static void
test_pick(void **state)
{
	char ext[16];
	int i, n = 0, same = 0;

	(void)state;
	assert_false(holdout_pick("winback", "C1", 0));
	for (i = 0; i < 20000; i++) {
		snprintf(ext, sizeof(ext), "C%d", i);
		n += holdout_pick("winback", ext, 0.1);
		/* The same customer, the same answer; another rule draws
		 * its own group. */
		assert_int_equal(holdout_pick("winback", ext, 0.1),
		    holdout_pick("winback", ext, 0.1));
		same += holdout_pick("winback", ext, 0.1) &&
		    holdout_pick("birthday", ext, 0.1);
		/* A larger share keeps whom a smaller one held. */
		if (holdout_pick("winback", ext, 0.1))
			assert_true(holdout_pick("winback", ext, 0.2));
	}
	assert_in_range(n, 1800, 2200);
	assert_in_range(same, 120, 280);	/* about 0.1 x 0.1 */
}

static long
sql_long(const char *path, const char *sql)
{
	return (long)tstore_long(path, sql);
}

/* 1,000 customers with a birthday on D, one message rule holding out 30%
 * and one task rule. */
static void
test_planner(void **state)
{
	static const char rules[] = "rules = (\n"
	    "  { name = \"birthday\"; event = \"birthday\"; action = \"message\";"
	    " holdout = 0.3; },\n"
	    "  { name = \"call\"; event = \"birthday\"; action = \"task\";"
	    " task = \"call\"; }\n);\n";
	char *path = tstore_path(), *cpath = tstore_conf_path();
	char *cause = NULL, ext[16], sql[128];
	struct plan_stats ps;
	struct customer c;
	struct customer_keys k;
	struct conf *cf;
	struct store *st;
	int64_t id;
	long held;
	int i, want = 0;
	FILE *fp;

	(void)state;
	assert_non_null(fp = fopen(cpath, "w"));
	fprintf(fp, "store = \"%s\";\n%s", path, rules);
	fclose(fp);
	if ((cf = conf_load(cpath, &cause)) == NULL)
		fail_msg("%s", cause);
	assert_int_equal(store_open(path, &st, &cause), 0);
	for (i = 0; i < 1000; i++) {
		snprintf(ext, sizeof(ext), "C%d", i);
		customer_init(&c);
		c.field[CUST_EXTERNAL_ID] = xstrdup(ext);
		c.field[CUST_NAME] = xstrdup(ext);
		c.field[CUST_EMAIL] = xstrdup("x@example.com");
		c.field[CUST_BIRTHDAY] = xstrdup("1980-10-04");
		customer_keys(&c, &k);
		assert_int_equal(store_customer_upsert(st, &c, &k,
		    (1u << CUST_NFIELDS) - 1, 0, &id, &cause), 0);
		customer_clear(&c);
		want += holdout_pick("birthday", ext, 0.3);
	}
	assert_int_equal(planner_run(st, cf, D, 1, 1, 0, NULL, &ps, &cause), 0);
	assert_int_equal(ps.held_out, (unsigned long)want);
	held = sql_long(path, "SELECT count(*) FROM holdouts WHERE rule ="
	    " 'birthday' AND day = 20000");
	assert_int_equal(held, want);
	assert_in_range(held, 250, 350);
	assert_int_equal(sql_long(path, "SELECT count(*) FROM plan_items WHERE"
	    " rule = 'birthday'"), 1000 - held);
	assert_int_equal(sql_long(path, "SELECT count(*) FROM plan_items WHERE"
	    " rule = 'call'"), 1000);
	/* Under the message's key: its customer, rule and day. */
	assert_int_equal(sql_long(path, "SELECT count(*) FROM holdouts h JOIN"
	    " customers c ON c.id = h.customer_id WHERE h.dedup_key ="
	    " 'birthday:' || c.id || ':2024-10-04'"), held);
	/* A second scan of the day adds nothing. */
	assert_int_equal(planner_run(st, cf, D, 1, 1, 0, NULL, &ps, &cause), 0);
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM holdouts");
	assert_int_equal(sql_long(path, sql), held);
	assert_int_equal(sql_long(path, "SELECT count(*) FROM plan_items"),
	    2000 - held);
	store_close(st);
	conf_free(cf);
	unlink(cpath);
	free(cpath);
	tstore_remove(path);
}

/* Only message rules hold out; a share is at most 0.9. */
static void
test_conf(void **state)
{
	static const char *const bad[] = {
	    "rules = ( { name = \"t\"; event = \"lost\"; action = \"task\";"
	    " task = \"call\"; holdout = 0.1; } );",
	    "rules = ( { name = \"m\"; event = \"sleeping\"; action ="
	    " \"message\"; holdout = 0.95; } );",
	};
	char *path = tstore_conf_path(), *cause;
	struct conf *cf;
	size_t i;
	FILE *fp;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_non_null(fp = fopen(path, "w"));
		fprintf(fp, "%s\n", bad[i]);
		fclose(fp);
		cause = NULL;
		cf = conf_load(path, &cause);
		assert_null(cf);
		assert_non_null(strstr(cause, "holdout"));
		free(cause);
	}
	tstore_remove(path);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pick),
		cmocka_unit_test(test_planner),
		cmocka_unit_test(test_conf),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

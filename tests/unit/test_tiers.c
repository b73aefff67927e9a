/* test_tiers.c - the tier recompute: ties at the tier boundaries (by the
 * most recent purchase, then external id), both methods and both
 * populations against a plain sort of the whole ranking, personal
 * sleeping thresholds, and a steady day that writes nothing. */
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
#include "store.h"
#include "tiers.h"
#include "tstore.h"
#include "util.h"

#define TODAY 20000

struct fx {
	struct store *st;
	struct db *db; /* a second connection, to set up and look */
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
	if (db_open(f->path, NULL, &f->db, &cause) != 0)
		fail_msg("%s", cause);
	f->cf = conf_defaults();
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;

	db_close(f->db);
	store_close(f->st);
	conf_free(f->cf);
	tstore_remove(f->path);
	free(f);
	return 0;
}

static void
exec(struct fx *f, const char *sql)
{
	char *msg = NULL;

	if (db_exec(f->db, sql, &msg) != 0)
		fail_msg("%s: %s", sql, msg);
}

static int64_t
one(struct fx *f, const char *sql)
{
	struct db_stmt *s;
	char *cause = NULL;
	int64_t v = -1;

	if ((s = db_prepare(f->db, sql, &cause)) == NULL)
		fail_msg("%s", cause);
	if (db_step(s, &cause) == DB_ROW)
		v = db_column_int64(s, 0);
	db_finalize(s);
	return v;
}

static void
customer(struct fx *f, int64_t id)
{
	char *sql = xasprintf("INSERT INTO customers (id, external_id, name,"
	    " created_at, updated_at) VALUES (%lld, 'C%lld', 'C%lld', 0, 0);",
	    (long long)id, (long long)id, (long long)id);

	exec(f, sql);
	free(sql);
}

static void
purchase(struct fx *f, int64_t id, int64_t amount, int32_t day)
{
	char *sql = xasprintf("INSERT INTO purchases (customer_id, amount, day)"
	    " VALUES (%lld, %lld, %d);", (long long)id, (long long)amount,
	    (int)day);

	exec(f, sql);
	free(sql);
}

static char
tier(struct fx *f, int64_t id)
{
	char *sql = xasprintf("SELECT CASE tier_computed WHEN 'A' THEN 65 WHEN"
	    " 'B' THEN 66 WHEN 'C' THEN 67 END FROM customers WHERE id = %lld;",
	    (long long)id);
	int64_t v = one(f, sql);

	free(sql);
	return v > 0 ? (char)v : 0;
}

static void
recompute(struct fx *f, struct tiers_result *r)
{
	char *cause = NULL;

	if (tiers_recompute(f->st, f->cf, TODAY, r, &cause) != 0)
		fail_msg("tiers_recompute: %s", cause);
}

/* Runs of equal revenue across both boundaries go by the most recent
 * purchase, then by external id (as bytes: "C100" before "C60"), whatever
 * order the purchases came in; no revenue in the window, or a refund that
 * cancels it, is C.  Shares are of the 10 buyers, or of all 12. */
static void
test_ties_at_the_cuts(void **state)
{
	struct fx *f = *state;
	struct tiers_result r;
	const char *want = "AAABBBBCCBCC";
	int64_t id;

	/* 10 buyers: A = ranks 0-2, B = ranks 3-7. */
	f->cf->plan.tier_a_share = 0.25;
	f->cf->plan.tier_b_share = 0.5;
	for (id = 1; id <= 12; id++)
		customer(f, id * 10);
	purchase(f, 10, 500, TODAY);
	for (id = 5; id >= 2; id--)	/* ranks 1-4, latest first */
		purchase(f, id * 10, 300, TODAY - id);
	for (id = 10; id >= 6; id--) {	/* ranks 5-9, by external id */
		purchase(f, id * 10, 60, TODAY - 1);
		purchase(f, id * 10, 40, TODAY - 30);
	}
	purchase(f, 70, 0, TODAY + 1);	/* after today: not the latest */
	purchase(f, 110, 900, TODAY - 365);	/* outside the window */
	purchase(f, 120, 900, TODAY);
	purchase(f, 120, -900, TODAY);
	recompute(f, &r);
	for (id = 1; id <= 12; id++)
		assert_int_equal(tier(f, id * 10), want[id - 1]);
	assert_int_equal(r.customers, 12);
	assert_int_equal(r.count[0], 3);
	assert_int_equal(r.count[1], 5);
	assert_int_equal(r.count[2], 4);
	assert_int_equal(r.changed, 12);

	/* Of all 12: B = ranks 3-8. */
	f->cf->plan.tier_population_all = 1;
	recompute(f, &r);
	want = "AAABBBBBCBCC";
	for (id = 1; id <= 12; id++)
		assert_int_equal(tier(f, id * 10), want[id - 1]);
	assert_int_equal(r.changed, 1);

	/* By revenue, of 2200: A while the revenue ranked before stays
	 * under 880 (0, 500, 800), B under 1760 (1100, 1400, 1700). */
	f->cf->plan.tier_by_revenue = 1;
	f->cf->plan.tier_a_share = 0.4;
	f->cf->plan.tier_b_share = 0.4;
	recompute(f, &r);
	want = "AAABBCCCCBCC";
	for (id = 1; id <= 12; id++)
		assert_int_equal(tier(f, id * 10), want[id - 1]);
	assert_int_equal(r.changed, 3);
	assert_int_equal(one(f, "SELECT count(*) FROM tier_history"), 16);
}

/* A second recompute of the same day finds nothing to change and leaves
 * the store as it was: not a page written, so another connection sees no
 * new data version. */
static void
test_steady_day_writes_nothing(void **state)
{
	struct fx *f = *state;
	struct tiers_result r;
	int64_t id, v;

	for (id = 1; id <= 50; id++) {
		customer(f, id);
		purchase(f, id, id * 7 % 13, TODAY - id % 40);
		purchase(f, id, 100, TODAY - 60 - id % 5);
		if (id % 2 == 0) {
			purchase(f, id, 5, TODAY - 90);
			purchase(f, id, 5, TODAY - 120);
		}
	}
	recompute(f, &r);
	assert_int_equal(r.changed, 50);
	assert_true(r.personal_sleep > 0);
	v = one(f, "PRAGMA data_version;");
	recompute(f, &r);
	assert_int_equal(r.changed, 0);
	assert_int_equal(one(f, "PRAGMA data_version;"), v);
	assert_int_equal(one(f, "SELECT count(*) FROM tier_history"), 50);
}

/* k x the median gap, once a customer has min_purchases; a value the
 * recompute would not write is replaced, fewer than two purchases keep
 * theirs. */
static void
test_personal_sleep(void **state)
{
	struct fx *f = *state;
	struct tiers_result r;

	customer(f, 1);	/* gaps 10 10 20: median 10, x 3 = 30 */
	purchase(f, 1, 1, TODAY - 40);
	purchase(f, 1, 1, TODAY - 30);
	purchase(f, 1, 1, TODAY - 20);
	purchase(f, 1, 1, TODAY);
	customer(f, 2);	/* three purchases: below min_purchases */
	purchase(f, 2, 1, TODAY - 20);
	purchase(f, 2, 1, TODAY - 10);
	purchase(f, 2, 1, TODAY);
	customer(f, 3);	/* one purchase: left alone */
	purchase(f, 3, 1, TODAY);
	customer(f, 4);	/* gaps 100: 300 >= after_days, the default */
	purchase(f, 4, 1, TODAY - 300);
	purchase(f, 4, 1, TODAY - 200);
	purchase(f, 4, 1, TODAY - 100);
	purchase(f, 4, 1, TODAY);
	/* Values no recompute writes, to be cleared: 'x' where a column
	 * takes any type (SQLite), else a number too large for the gaps. */
	exec(f, db_backend(f->db) == DB_SQLITE ?
	    "UPDATE customers SET sleep_days = 0 WHERE id = 2;"
	    "UPDATE customers SET sleep_days = 77 WHERE id = 3;"
	    "UPDATE customers SET sleep_days = 'x' WHERE id = 4;" :
	    "UPDATE customers SET sleep_days = 0 WHERE id = 2;"
	    "UPDATE customers SET sleep_days = 77 WHERE id = 3;"
	    "UPDATE customers SET sleep_days = 999 WHERE id = 4;");
	recompute(f, &r);
	assert_int_equal(r.personal_sleep, 1);
	assert_int_equal(one(f, "SELECT sleep_days FROM customers"
	    " WHERE id = 1"), 30);
	assert_int_equal(one(f, "SELECT count(*) FROM customers WHERE"
	    " sleep_days IS NULL AND id IN (2, 4)"), 2);
	assert_int_equal(one(f, "SELECT sleep_days FROM customers"
	    " WHERE id = 3"), 77);
}

/* The recompute done plainly: the whole ranking sorted by SQLite, tiers
 * walked down it. */
static void
oracle(struct fx *f, char *want, size_t nwant, unsigned long count[3])
{
	const struct conf_plan *cp = &f->cf->plan;
	double a = cp->tier_a_share, b = a + cp->tier_b_share;
	struct db_stmt *s;
	char *cause = NULL;
	int64_t total, cum = 0, rev;
	double n;
	size_t i;
	char t;

	n = (double)one(f, cp->tier_population_all ? "SELECT count(*) FROM"
	    " customers" : "SELECT count(*) FROM (SELECT sum(amount) AS t"
	    " FROM purchases p JOIN customers c ON c.id = p.customer_id WHERE"
	    " day BETWEEN 19636 AND 20000 GROUP BY customer_id) AS x WHERE"
	    " t > 0");
	total = one(f, "SELECT coalesce(sum(t), 0) FROM (SELECT sum(amount)"
	    " AS t FROM purchases p JOIN customers c ON c.id = p.customer_id"
	    " WHERE day BETWEEN 19636 AND 20000 GROUP BY customer_id) AS x"
	    " WHERE t > 0");
	s = db_prepare(f->db, "SELECT c.id,"
	    " coalesce(p.total, 0) FROM customers c LEFT JOIN (SELECT"
	    " customer_id, sum(amount) AS total FROM purchases WHERE day"
	    " BETWEEN 19636 AND 20000 GROUP BY customer_id) p ON"
	    " p.customer_id = c.id ORDER BY coalesce(p.total, 0) DESC,"
	    " (SELECT max(day) FROM purchases WHERE customer_id = c.id AND"
	    " day <= 20000) DESC, c.external_id;", &cause);
	if (s == NULL)
		fail_msg("%s", cause);
	memset(count, 0, 3 * sizeof(*count));
	for (i = 0; db_step(s, &cause) == DB_ROW; i++) {
		rev = db_column_int64(s, 1);
		if (rev <= 0)
			t = 'C';
		else if (!cp->tier_by_revenue)
			t = (double)i < a * n ? 'A' : (double)i < b * n ?
			    'B' : 'C';
		else
			t = (double)cum < a * (double)total ? 'A' :
			    (double)cum < b * (double)total ? 'B' : 'C';
		cum += rev > 0 ? rev : 0;
		assert_true((size_t)db_column_int64(s, 0) < nwant);
		want[db_column_int64(s, 0)] = t;
		count[t - 'A']++;
	}
	db_finalize(s);
}

/* Many equal revenues, refunds, gaps in the ids and purchases of
 * customers who are gone: both methods and both populations at several
 * shares give what the full sort gives. */
static void
test_against_full_sort(void **state)
{
	static const double shares[][2] = { { 0.2, 0.6 }, { 0.137, 0.3 },
		{ 0, 0.5 }, { 1, 0 }, { 0.5, 0.5 }, { 0.01, 0.98 } };
	struct fx *f = *state;
	struct tiers_result r;
	unsigned long count[3], changed;
	uint32_t seed = 12345;
	enum { N = 700 };
	char want[N + 1], had[N + 1];
	int64_t id;
	size_t i, m, k;

	exec(f, "BEGIN;");
	for (id = 1; id <= N; id++) {
		customer(f, id);
		seed = seed * 1103515245 + 12345;
		for (k = (seed >> 16) % 5; k > 0; k--) {
			seed = seed * 1103515245 + 12345;
			purchase(f, id, (int64_t)((seed >> 16) % 4) * 250 -
			    ((seed >> 16) % 17 == 0 ? 900 : 0),
			    TODAY - (int32_t)((seed >> 8) % 500));
		}
	}
	/* Gone without their purchases: the store never does this, an
	 * outside writer without foreign keys might. */
	exec(f, "DELETE FROM customers WHERE id % 37 = 0 OR id = 1 OR"
	    " id = 700; COMMIT;");
	memset(had, 0, sizeof(had));
	for (m = 0; m < 4; m++) {
		for (i = 0; i < sizeof(shares) / sizeof(shares[0]); i++) {
			f->cf->plan.tier_by_revenue = (int)m % 2;
			f->cf->plan.tier_population_all = (int)m / 2;
			f->cf->plan.tier_a_share = shares[i][0];
			f->cf->plan.tier_b_share = shares[i][1];
			memset(want, 0, sizeof(want));
			oracle(f, want, sizeof(want), count);
			recompute(f, &r);
			changed = 0;
			for (id = 1; id <= N; id++) {
				if (want[id] == 0)
					continue;
				assert_int_equal(tier(f, id), want[id]);
				changed += want[id] != had[id];
				had[id] = want[id];
			}
			assert_int_equal(r.customers, N - 20);
			assert_int_equal(r.count[0], count[0]);
			assert_int_equal(r.count[1], count[1]);
			assert_int_equal(r.count[2], count[2]);
			assert_int_equal(r.changed, changed);
		}
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_ties_at_the_cuts, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_steady_day_writes_nothing,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_personal_sleep, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_against_full_sort, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

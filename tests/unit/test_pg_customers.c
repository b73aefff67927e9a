/* test_pg_customers.c - customers, their history and key dates through
 * db.h (store_customer*.c, store_history.c, store_keydate.c): the same
 * answers on SQLite and, with TSTORE_PG_URI set, on PostgreSQL.
 *
 * Reps are written here in SQL: store_rep_upsert() is not on db.h yet.
 * What still needs the SQLite handle (a customer's erasure marks the
 * erase in the state table; store_keydate_due reads with store_plan.c)
 * is checked on SQLite only. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "customer.h"
#include "db.h"
#include "keydate.h"
#include "store.h"
#include "store_keydate.h"
#include "store_schema.h"
#include "tstore.h"
#include "util.h"

#define EVERY_FIELD ((1u << CUST_NFIELDS) - 1)

struct fx {
	struct store *st;
	char *path;
};

static int
on_pg(void)
{
	const char *pg = getenv("TSTORE_PG_URI");

	return pg != NULL && *pg != '\0';
}

static int
setup(void **state)
{
	struct fx *f = xcalloc(1, sizeof(*f));

	f->st = tstore_open_reps(&f->path);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;

	store_close(f->st);
	tstore_remove(f->path);
	free(f);
	return 0;
}

/* Merges a customer of external id ext with the given fields (name,
 * value pairs of enum cust_field and text, ended by -1) and attributes
 * (an "a=b" list ended by NULL); returns what changed. */
static enum store_change
merge(struct fx *f, const char *ext, unsigned present, int64_t now,
    int64_t *id, const int *fields, const char *const *vals,
    const char *const *attrs)
{
	struct customer c;
	struct customer_keys k;
	enum store_change what;
	char *cause = NULL, *name;
	size_t i;

	customer_init(&c);
	c.field[CUST_EXTERNAL_ID] = xstrdup(ext);
	for (i = 0; fields != NULL && fields[i] >= 0; i++)
		c.field[fields[i]] = xstrdup(vals[i]);
	for (i = 0; attrs != NULL && attrs[i] != NULL; i++) {
		name = xstrdup(attrs[i]);
		*strchr(name, '=') = '\0';
		customer_attr_set(&c, name, strchr(attrs[i], '=') + 1);
		free(name);
	}
	customer_keys(&c, &k);
	if (store_customer_merge(f->st, &c, &k, present, now, id, &what,
	    &cause) != 0)
		fail_msg("merge %s: %s", ext, cause);
	customer_clear(&c);
	return what;
}

static int
count_cb(void *arg, const struct customer *c)
{
	(void)c;
	(*(int *)arg)++;
	return 0;
}

static int
count(struct fx *f, const char *tier, const char *rep, long limit,
    int stale)
{
	struct store_customer_filter flt = { tier, rep, limit, stale };
	char *cause = NULL;
	int n = 0;

	if (store_customer_each(f->st, &flt, count_cb, &n, &cause) != 0)
		fail_msg("each: %s", cause);
	return n;
}

/* Adds, finds again unchanged, updates in part (fields, attributes, the
 * rep by its key) and reads customers back. */
static void
test_customer_merge(void **state)
{
	static const int f1[] = { CUST_NAME, CUST_PHONE, CUST_BIRTHDAY,
	    CUST_TIER, CUST_REP, -1 };
	static const char *const v1[] = { "张伟", "+8613800000001",
	    "1980-02-29", "A", "li" };
	static const char *const a1[] = { "hobby=golf", "pet=cat", "empty=",
	    NULL };
	static const char *const many[] = { "a1=1", "a2=2", "a3=3", "a4=4",
	    "a5=5", "a6=6", "a7=7", "a8=8", "a9=9", "a10=10", NULL };
	static const int f2[] = { CUST_NAME, CUST_EMAIL, -1 };
	static const char *const v2[] = { "ignored", "zw@example.test" };
	static const char *const a2[] = { "pet=dog", "hobby=", NULL };
	static const int f3[] = { CUST_NAME, CUST_BIRTHDAY, CUST_REP, -1 };
	static const char *const v3[] = { "ignored", "--06-01", "wang" };
	struct fx *f = *state;
	struct customer c;
	char *cause = NULL, *optout = NULL;
	int64_t id, id2, id9, *ids;
	size_t n;

	assert_int_equal(merge(f, "C1", EVERY_FIELD, 1000, &id, f1, v1, a1),
	    STORE_ADDED);
	assert_int_equal(merge(f, "C1", EVERY_FIELD, 1500, &id2, f1, v1, a1),
	    STORE_SAME);
	assert_int_equal(id2, id);
	assert_int_equal(merge(f, "C9", EVERY_FIELD, 1000, &id9, f1, v1,
	    many), STORE_ADDED);
	assert_true(id9 > id);
	tstore_customer(f->st, "C1", &c);
	assert_int_equal(c.id, id);
	assert_string_equal(c.field[CUST_NAME], "张伟");
	assert_string_equal(c.field[CUST_REP], "li");
	assert_int_equal(c.nattrs, 2);	/* the empty one is not stored */
	assert_string_equal(customer_attr_get(&c, "pet"), "cat");
	assert_int_equal(c.updated_at, 1000);	/* the same: not written */
	customer_clear(&c);
	tstore_customer(f->st, "C9", &c);
	assert_int_equal(c.nattrs, 10);
	assert_string_equal(customer_attr_get(&c, "a10"), "10");
	customer_clear(&c);

	/* Only the e-mail is present: the name stays; an empty attribute
	 * is deleted. */
	assert_int_equal(merge(f, "C1", 1u << CUST_EMAIL, 2000, &id2, f2, v2,
	    a2), STORE_UPDATED);
	/* An attribute alone moves the update time. */
	assert_int_equal(merge(f, "C1", 1u << CUST_EMAIL, 3000, &id2, f2, v2,
	    (const char *const []){ "pet=fish", NULL }), STORE_UPDATED);
	assert_int_equal(merge(f, "C1", 1u << CUST_EMAIL, 3500, &id2, f2, v2,
	    (const char *const []){ "pet=fish", NULL }), STORE_SAME);
	tstore_customer(f->st, "C1", &c);
	assert_string_equal(c.field[CUST_NAME], "张伟");
	assert_string_equal(c.field[CUST_EMAIL], "zw@example.test");
	assert_null(customer_attr_get(&c, "hobby"));
	assert_string_equal(customer_attr_get(&c, "pet"), "fish");
	assert_int_equal(c.created_at, 1000);
	assert_int_equal(c.updated_at, 3000);
	customer_clear(&c);

	/* A date and the rep, with the other fields absent. */
	assert_int_equal(merge(f, "C1", (1u << CUST_BIRTHDAY) |
	    (1u << CUST_REP), 4000, &id2, f3, v3, NULL), STORE_UPDATED);
	tstore_customer(f->st, "C1", &c);
	assert_string_equal(c.field[CUST_BIRTHDAY], "--06-01");
	assert_string_equal(c.field[CUST_REP], "wang");
	assert_string_equal(c.field[CUST_TIER], "A");
	customer_clear(&c);

	assert_int_equal(store_customer_id(f->st, "C9", &id2, &cause), 1);
	assert_int_equal(id2, id9);
	assert_int_equal(store_customer_id(f->st, "none", &id2, &cause), 0);
	customer_init(&c);
	assert_int_equal(store_customer_get(f->st, "none", &c, &cause), 0);
	customer_clear(&c);

	assert_int_equal(count(f, NULL, NULL, 0, 0), 2);
	assert_int_equal(count(f, NULL, NULL, 1, 0), 1);
	assert_int_equal(count(f, "A", NULL, 0, 0), 2);
	assert_int_equal(count(f, "B", NULL, 0, 0), 0);
	assert_int_equal(count(f, NULL, "wang", 0, 0), 1);
	assert_int_equal(count(f, "A", "li", 0, 0), 1);
	assert_int_equal(count(f, NULL, NULL, 0, 1), 0);

	assert_int_equal(store_customer_ids_by_phone(f->st, "+8613800000001",
	    &ids, &n, &cause), 0);
	assert_int_equal(n, 2);
	free(ids);
	assert_int_equal(store_customer_ids_by_phone(f->st, "+1", &ids, &n,
	    &cause), 0);
	assert_int_equal(n, 0);

	assert_int_equal(store_customer_optout(f->st, id, &optout, &cause), 1);
	assert_null(optout);
	assert_int_equal(store_customer_optout_set(f->st, id, "email", 5000,
	    &cause), 0);
	assert_int_equal(store_customer_optout(f->st, id, &optout, &cause), 1);
	assert_string_equal(optout, "email");
	free(optout);
	assert_int_equal(store_customer_optout(f->st, 999999, &optout,
	    &cause), 0);

	assert_int_equal(store_customer_forget(f->st, "none", &cause), 0);
	if (!on_pg()) {
		assert_int_equal(store_customer_forget(f->st, "C9", &cause), 1);
		assert_int_equal(count(f, NULL, NULL, 0, 0), 1);
	}
}

/* Purchases and contacts imported twice count once; their days give the
 * customer's first and last purchase and last contact. */
static void
test_history_merge(void **state)
{
	struct fx *f = *state;
	struct customer c;
	char *cause = NULL;
	int64_t id;

	merge(f, "H1", EVERY_FIELD, 1000, &id, (const int []){ CUST_NAME, -1 },
	    (const char *const []){ "Hu" }, NULL);
	assert_int_equal(store_purchase_add(f->st, id, 500, 19000, &cause), 0);
	assert_int_equal(store_contact_add(f->st, id, 0, 19500, "call", NULL,
	    &cause), 0);

	/* By order id: new, the same, changed. */
	assert_int_equal(store_purchase_merge(f->st, id, "O1", 1200, 20000,
	    &cause), STORE_ADDED);
	assert_int_equal(store_purchase_merge(f->st, id, "O1", 1200, 20000,
	    &cause), STORE_SAME);
	assert_int_equal(store_purchase_merge(f->st, id, "O1", 1300, 20100,
	    &cause), STORE_UPDATED);
	/* Without one: the same day and amount is the same purchase. */
	assert_int_equal(store_purchase_merge(f->st, id, NULL, 500, 19000,
	    &cause), STORE_SAME);
	assert_int_equal(store_purchase_merge(f->st, id, NULL, 700, 18000,
	    &cause), STORE_ADDED);
	/* An order id given to a purchase that had none. */
	assert_int_equal(store_purchase_merge(f->st, id, "O2", 700, 18000,
	    &cause), STORE_UPDATED);
	assert_int_equal(store_purchase_merge(f->st, id, "O2", 700, 18000,
	    &cause), STORE_SAME);
	assert_int_equal(store_purchase_merge(f->st, id, "O3", 700, 18000,
	    &cause), STORE_ADDED);
	tstore_customer(f->st, "H1", &c);
	assert_int_equal(c.first_purchase, 18000);
	assert_int_equal(c.last_purchase, 20100);
	assert_int_equal(c.last_contact, 19500);
	customer_clear(&c);

	/* Contacts: with no rep and no note, with either. */
	assert_int_equal(store_contact_merge(f->st, id, 0, 19500, "call",
	    NULL, &cause), STORE_SAME);
	assert_int_equal(store_contact_merge(f->st, id, 0, 19500, "call",
	    "n", &cause), STORE_ADDED);
	assert_int_equal(store_contact_merge(f->st, id, 0, 19500, "call",
	    "n", &cause), STORE_SAME);
	/* Rep 1 is li, the first written in setup(). */
	assert_int_equal(store_contact_merge(f->st, id, 1, 19600, "visit",
	    NULL, &cause), STORE_ADDED);
	assert_int_equal(store_contact_merge(f->st, id, 1, 19600, "visit",
	    NULL, &cause), STORE_SAME);
	assert_int_equal(store_contact_merge(f->st, id, 0, 19600, "visit",
	    NULL, &cause), STORE_ADDED);
	tstore_customer(f->st, "H1", &c);
	assert_int_equal(c.last_contact, 19600);
	customer_clear(&c);
	assert_int_equal(store_contact_add(f->st, id, 0, 1, "spam", NULL,
	    &cause), -1);
	free(cause);
}

static int
due_cb(void *arg, const struct plan_cand *c)
{
	assert_string_equal(c->external_id, "K1");
	assert_string_equal(c->kd_label, "wedding");
	assert_string_equal(c->kd_date, "2010-06-01");
	(*(int *)arg)++;
	return 0;
}

static int
rep_cb(void *arg, const struct store_keydate_row *r)
{
	int64_t *modified = arg;

	assert_string_equal(r->customer, "Kim");
	assert_int_equal(r->tier, 'B');
	*modified = r->modified;
	return 0;
}

static int
kd_set(struct fx *f, int64_t id, const char *label, const char *date,
    int yearly, int64_t now)
{
	struct keydate k = { 0, (char *)label, (char *)date, yearly, 0 };
	char *cause = NULL;
	int rc;

	if ((rc = store_keydate_set(f->st, id, &k, now, &cause)) < 0)
		fail_msg("keydate_set: %s", cause);
	return rc;
}

/* Key dates written once per label, read with the customer, listed for
 * the rep, found by their key, deleted. */
static void
test_keydates(void **state)
{
	struct fx *f = *state;
	struct customer c;
	char *cause = NULL;
	int64_t id, modified = 0, keys[] = { 601 };
	int n = 0;

	merge(f, "K1", EVERY_FIELD, 1000, &id, (const int []){ CUST_NAME,
	    CUST_TIER, CUST_REP, -1 }, (const char *const []){ "Kim", "B",
	    "li" }, NULL);
	assert_int_equal(kd_set(f, id, "wedding", "2010-06-01", 1, 2000),
	    KEYDATE_ADDED);
	assert_int_equal(kd_set(f, id, "wedding", "2010-06-01", 1, 2500),
	    KEYDATE_UNCHANGED);
	assert_int_equal(kd_set(f, id, "founding", "2008-06-18", 0, 3000),
	    KEYDATE_ADDED);
	assert_int_equal(kd_set(f, id, "founding", "2008-06-18", 1, 3500),
	    KEYDATE_UPDATED);
	tstore_customer(f->st, "K1", &c);
	assert_int_equal(c.nkeydates, 2);
	assert_string_equal(c.keydates[0].label, "founding");
	assert_int_equal(c.keydates[0].yearly, 1);
	assert_int_equal(c.keydates[0].updated_at, 3500);
	assert_string_equal(c.keydates[1].date, "2010-06-01");
	assert_int_equal(c.updated_at, 3500);
	customer_clear(&c);

	assert_int_equal(store_keydate_each_rep(f->st, "li", rep_cb,
	    &modified, &cause), 0);
	assert_int_equal(modified, 3500);
	assert_int_equal(store_keydate_each_rep(f->st, "wang", rep_cb,
	    &modified, &cause), 0);

	if (!on_pg()) {
		assert_int_equal(store_keydate_due(f->st, KQ_MD, "wedding",
		    keys, 1, due_cb, &n, &cause), 0);
		assert_int_equal(n, 1);
	}

	assert_int_equal(store_keydate_delete(f->st, id, "wedding", 4000,
	    &cause), 1);
	assert_int_equal(store_keydate_delete(f->st, id, "wedding", 5000,
	    &cause), 0);
	tstore_customer(f->st, "K1", &c);
	assert_int_equal(c.nkeydates, 1);
	assert_int_equal(c.updated_at, 4000);
	customer_clear(&c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_customer_merge, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_history_merge, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_keydates, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

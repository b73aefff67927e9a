/* test_pg_import.c - the customers import and the bulk loads under it
 * (import.c, store_customer_load.c, db_copy.c): the same answers on SQLite,
 * which merges row by row, and, with TSTORE_PG_URI set, on PostgreSQL,
 * which loads the rows by COPY and merges them in a few statements. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "customer.h"
#include "db.h"
#include "import.h"
#include "store.h"
#include "store_schema.h"
#include "tstore.h"
#include "util.h"

struct fx {
	struct store *st;
	char *path;
	struct buf errors;	/* on_error's messages, one a line */
};

static int
setup(void **state)
{
	struct fx *f = xcalloc(1, sizeof(*f));

	f->st = tstore_open_reps(&f->path);
	buf_init(&f->errors);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;

	store_close(f->st);
	tstore_remove(f->path);
	buf_free(&f->errors);
	free(f);
	return 0;
}

static void
on_error(void *arg, const char *msg)
{
	struct fx *f = arg;

	buf_printf(&f->errors, "%s\n", msg);
}

/* Imports csv at time now: import_csv()'s status, its counts in *res. */
static int
import(struct fx *f, const char *csv, int64_t now, struct import_result *res)
{
	struct customer_rules rules = { "86", DATE_ORDER_NONE };
	struct import_opts o = { .kind = IMPORT_CUSTOMERS, .name = "t.csv",
	    .rules = &rules, .now = now, .on_error = on_error, .arg = f };
	FILE *fp = fmemopen((void *)csv, strlen(csv), "r");
	char *cause = NULL;
	int rc;

	assert_non_null(fp);
	buf_reset(&f->errors);
	rc = import_csv(f->st, fp, &o, res, &cause);
	fclose(fp);
	free(cause);
	return rc;
}

static int
exists(struct fx *f, const char *ext)
{
	struct customer c;
	char *cause = NULL;
	int rc;

	customer_init(&c);
	rc = store_customer_get(f->st, ext, &c, &cause);
	customer_clear(&c);
	free(cause);
	return rc;
}

#define HEAD "external_id,name,phone,birthday,rep,hobby,pet\n"
#define FIRST HEAD \
	"K1,张伟,138 0013 8000,1976-02-29,li,茶,\n" \
	"K2,\"Smith, John\",,--07-04,wang,golf,cat\n" \
	"K3,Back \\ Slash,,,,\"two\nlines\",\"tab\there\"\n"

/* Adds, then finds every row again unchanged: no updated_at moves. */
static void
test_import_again(void **state)
{
	struct fx *f = *state;
	struct import_result res;
	struct customer c;

	assert_int_equal(import(f, FIRST, 1000, &res), 0);
	assert_int_equal(res.rows, 3);
	assert_int_equal(res.added, 3);
	tstore_customer(f->st, "K3", &c);
	assert_string_equal(c.field[CUST_NAME], "Back \\ Slash");
	assert_string_equal(customer_attr_get(&c, "hobby"), "two\nlines");
	assert_string_equal(customer_attr_get(&c, "pet"), "tab\there");
	customer_clear(&c);
	tstore_customer(f->st, "K1", &c);
	assert_string_equal(c.field[CUST_PHONE], "+8613800138000");
	assert_string_equal(c.field[CUST_REP], "li");
	assert_null(customer_attr_get(&c, "pet"));
	customer_clear(&c);

	assert_int_equal(import(f, FIRST, 2000, &res), 0);
	assert_int_equal(res.added, 0);
	assert_int_equal(res.updated, 0);
	assert_int_equal(res.same, 3);
	tstore_customer(f->st, "K2", &c);
	assert_int_equal(c.updated_at, 1000);
	customer_clear(&c);
}

/* A renamed customer, another whose attribute is emptied, a third with a
 * new one: only they are updated, at the new time; a new key is added. */
static void
test_import_changes(void **state)
{
	struct fx *f = *state;
	struct import_result res;
	struct customer c;

	assert_int_equal(import(f, FIRST, 1000, &res), 0);
	assert_int_equal(import(f, HEAD
	    "K1,张伟,138 0013 8000,1976-02-29,li,,\n"
	    "K2,\"Smith, Jon\",,--07-04,wang,golf,cat\n"
	    "K3,Back \\ Slash,,,,\"two\nlines\",dog\n"
	    "K4,New,,,wang,,\n", 3000, &res), 0);
	assert_int_equal(res.added, 1);
	assert_int_equal(res.updated, 3);
	assert_int_equal(res.same, 0);
	tstore_customer(f->st, "K1", &c);
	assert_null(customer_attr_get(&c, "hobby"));
	assert_int_equal(c.updated_at, 3000);
	customer_clear(&c);
	tstore_customer(f->st, "K2", &c);
	assert_string_equal(c.field[CUST_NAME], "Smith, Jon");
	assert_int_equal(c.updated_at, 3000);
	customer_clear(&c);
	tstore_customer(f->st, "K3", &c);
	assert_string_equal(customer_attr_get(&c, "pet"), "dog");
	assert_int_equal(c.updated_at, 3000);
	customer_clear(&c);
	tstore_customer(f->st, "K4", &c);
	assert_string_equal(c.field[CUST_REP], "wang");
	assert_int_equal(c.created_at, 3000);
	customer_clear(&c);
	/* A file without the pet column leaves pets alone. */
	assert_int_equal(import(f, "external_id,name\nK3,Back \\ Slash\n", 4000,
	    &res), 0);
	assert_int_equal(res.same, 1);
	tstore_customer(f->st, "K3", &c);
	assert_string_equal(customer_attr_get(&c, "pet"), "dog");
	customer_clear(&c);
}

/* A duplicate key and a bad row: both reported with row and column, and
 * nothing written, not even the good rows. */
static void
test_import_bad(void **state)
{
	struct fx *f = *state;
	struct import_result res;

	assert_int_equal(import(f, HEAD
	    "K1,One,,,,,\n"
	    "K2,Two,,1980-02-30,,,\n"
	    "K1,Again,,,,,\n", 1000, &res), -1);
	assert_int_equal(res.rows, 3);
	assert_int_equal(res.errors, 2);
	assert_non_null(strstr(f->errors.data, "t.csv:3:4: birthday: "));
	assert_non_null(strstr(f->errors.data, "t.csv:4:1: external_id: "
	    "duplicate key \"K1\" in this file"));
	assert_int_equal(exists(f, "K1"), 0);
}

/* Line i of a file of n customers (from 1; the header is line 1 of the
 * spreadsheet, so customer i is on row i + 1). */
static void
many_line(struct buf *b, int i, int bad)
{
	if (bad && i == 700)
		buf_puts(b, ",,,,,,\n");			/* blank */
	else if (bad && i == 2000)
		buf_puts(b, "K5,Again,,,,,\n");		/* duplicate */
	else if (bad && i == 2500)
		buf_puts(b, "K2500,Short\n");		/* short */
	else if (bad && (i == 9 || i == 1499 || i == 2998))
		buf_printf(b, "K%d,N%d,,1980-13-01,,,\n", i, i);
	else
		buf_printf(b, "K%d,N%d,,1980-01-%02d,li,h%d,\n", i, i,
		    1 + i % 28, i);
}

/* Rows over many of the reader's batches (import_feed.c): every problem
 * is said once, with its own row, the rows' own in file order, and a
 * good file of the same size is all there. */
static void
test_import_many(void **state)
{
	struct fx *f = *state;
	struct import_result res;
	struct customer c;
	struct buf b;
	const char *p[4];
	int i;

	buf_init(&b);
	buf_puts(&b, HEAD);
	for (i = 1; i <= 3000; i++)
		many_line(&b, i, 1);
	assert_int_equal(import(f, b.data, 1000, &res), -1);
	assert_int_equal(res.rows, 2999);
	assert_int_equal(res.blank, 1);
	assert_int_equal(res.errors, 5);
	assert_non_null(p[0] = strstr(f->errors.data, "t.csv:10:4: "
	    "birthday: "));
	assert_non_null(p[1] = strstr(f->errors.data, "t.csv:1500:4: "));
	assert_non_null(p[2] = strstr(f->errors.data, "t.csv:2501: 2 fields,"
	    " the header has 7"));
	assert_non_null(p[3] = strstr(f->errors.data, "t.csv:2999:4: "));
	assert_true(p[0] < p[1] && p[1] < p[2] && p[2] < p[3]);
	assert_non_null(strstr(f->errors.data, "t.csv:2001:1: external_id: "
	    "duplicate key \"K5\" in this file"));
	assert_int_equal(exists(f, "K1"), 0);

	buf_reset(&b);
	buf_puts(&b, HEAD);
	for (i = 1; i <= 3000; i++)
		many_line(&b, i, 0);
	assert_int_equal(import(f, b.data, 1000, &res), 0);
	assert_int_equal(res.rows, 3000);
	assert_int_equal(res.added, 3000);
	assert_int_equal(res.errors, 0);
	tstore_customer(f->st, "K2999", &c);
	assert_string_equal(c.field[CUST_NAME], "N2999");
	assert_string_equal(c.field[CUST_BIRTHDAY], "1980-01-04");
	assert_string_equal(customer_attr_get(&c, "hobby"), "h2999");
	customer_clear(&c);
	buf_free(&b);
}

/* db_copy: texts with the characters COPY escapes, and NULLs, come back
 * as they went in; a row with the wrong type fails the load. */
static void
test_copy(void **state)
{
	struct fx *f = *state;
	static const char *const cols[] = { "a", "b", "c" };
	const char *rows[][3] = {
		{ "tab\tnew\nline", "1", NULL },
		{ "back\\slash\r", NULL, "\\N" },
		{ "", "3", "x" },
	};
	struct db_copy *c;
	struct db_stmt *s;
	char *cause = NULL;
	size_t i;

	if (db_exec(f->st->conn, "CREATE TABLE copy_t (a TEXT, b BIGINT,"
	    " c TEXT);", &cause) != 0)
		fail_msg("%s", cause);
	assert_non_null(c = db_copy_begin(f->st->conn, "copy_t", cols, 3,
	    &cause));
	for (i = 0; i < 3; i++)
		assert_int_equal(db_copy_row(c, rows[i], &cause), 0);
	assert_int_equal(db_copy_end(c, &cause), 3);
	assert_non_null(s = db_prepare(f->st->conn, "SELECT a, b, c FROM"
	    " copy_t ORDER BY a;", &cause));
	assert_int_equal(db_step(s, &cause), DB_ROW);
	assert_string_equal(db_column_text(s, 0), "");
	assert_int_equal(db_step(s, &cause), DB_ROW);
	assert_string_equal(db_column_text(s, 0), "back\\slash\r");
	assert_true(db_column_is_null(s, 1));
	assert_string_equal(db_column_text(s, 2), "\\N");
	assert_int_equal(db_step(s, &cause), DB_ROW);
	assert_string_equal(db_column_text(s, 0), "tab\tnew\nline");
	assert_int_equal(db_column_int64(s, 1), 1);
	assert_true(db_column_is_null(s, 2));
	assert_int_equal(db_step(s, &cause), DB_DONE);
	db_finalize(s);
}

/* A first import's ids follow the file from 1, and the next customer
 * takes the one after them.  On PostgreSQL the first import sets the
 * foreign keys and customers' indexes aside (store_load_fresh.c): they
 * are all back after it, checked, and after a failed one too. */
#define FRESH_CATALOG \
	"SELECT count(*) * 1000 + sum(CASE WHEN c.convalidated THEN 1" \
	" ELSE 0 END) FROM pg_constraint c WHERE c.conrelid IN" \
	" ('customers'::regclass, 'customer_attrs'::regclass)"
#define FRESH_INDEXES \
	"SELECT count(*) FROM pg_index WHERE indrelid = 'customers'::regclass" \
	" AND indisvalid"

/* A number sql returns on the store's own connection. */
static long long
conn_long(struct fx *f, const char *sql)
{
	struct db_stmt *s;
	char *cause = NULL;
	long long v;

	assert_non_null(s = db_prepare(f->st->conn, sql, &cause));
	assert_int_equal(db_step(s, &cause), DB_ROW);
	v = (long long)db_column_int64(s, 0);
	db_finalize(s);
	return v;
}

static void
test_first_import(void **state)
{
	struct fx *f = *state;
	struct import_result res;
	long long cons = 0, idx = 0;
	int pg = db_backend(f->st->conn) == DB_PG;

	if (pg) {
		cons = tstore_long(f->path, FRESH_CATALOG);
		idx = tstore_long(f->path, FRESH_INDEXES);
		assert_true(cons > 2000);	/* the two foreign keys, ... */
		assert_true(idx >= 12);
	}
	/* The ids of a first import on PostgreSQL skip the blank row: the
	 * rows are still those found by the SQLite merge. */
	assert_int_equal(import(f, HEAD "K1,One,,,,,\n\nK2,Two,,,,\"two\n"
	    "lines\",\nK1,Again,,,,,\nK2,Z,,,,,\n", 1000, &res), -1);
	assert_string_equal(f->errors.data,
	    "t.csv:5:1: external_id: duplicate key \"K1\" in this file\n"
	    "t.csv:6:1: external_id: duplicate key \"K2\" in this file\n");
	if (pg) {
		assert_int_equal(tstore_long(f->path, FRESH_CATALOG), cons);
		assert_int_equal(tstore_long(f->path, FRESH_INDEXES), idx);
	}
	assert_int_equal(import(f, FIRST, 1000, &res), 0);
	assert_int_equal(res.added, 3);
	assert_int_equal(tstore_long(f->path, "SELECT id FROM customers WHERE"
	    " external_id = 'K1'"), 1);
	assert_int_equal(tstore_long(f->path, "SELECT id FROM customers WHERE"
	    " external_id = 'K3'"), 3);
	assert_int_equal(tstore_long(f->path, "SELECT count(*) FROM"
	    " customer_attrs WHERE customer_id = 2"), 2);
	if (pg) {
		assert_int_equal(tstore_long(f->path, FRESH_CATALOG), cons);
		assert_int_equal(tstore_long(f->path, FRESH_INDEXES), idx);
	}
	/* SQLite: a first import runs with foreign keys off, checks them
	 * once before its commit, and turns them on again. */
	if (!pg)
		assert_int_equal(conn_long(f, "PRAGMA foreign_keys;"), 1);
	assert_int_equal(tstore_long(f->path, "SELECT count(*) FROM customers"
	    " c JOIN reps r ON r.id = c.rep_id WHERE r.key = 'li'"), 1);
	assert_int_equal(import(f, HEAD "K4,Four,,,wang,,\n", 2000, &res), 0);
	assert_int_equal(tstore_long(f->path, "SELECT id FROM customers WHERE"
	    " external_id = 'K4'"), 4);
}

static void
on_rep(void *arg, unsigned long row, const char *key)
{
	struct fx *f = arg;

	buf_printf(&f->errors, "%lu %s\n", row, key);
}

/* Loads the rows of reps[] (rep keys, NULL for none), K0...: what
 * store_load_add() says of each, as "row:status " in f->errors. */
static struct store_load *
load_reps(struct fx *f, const char *const *reps, size_t n)
{
	struct customer c;
	struct customer_keys keys;
	struct store_load *l;
	char *cause = NULL;
	size_t i;

	assert_int_equal(store_begin(f->st, &cause), 0);
	assert_int_equal(store_load_begin(f->st, (1u << CUST_EXTERNAL_ID) |
	    (1u << CUST_NAME) | (1u << CUST_REP), NULL, 0, 1000, &l,
	    &cause), 0);
	assert_non_null(l);
	buf_reset(&f->errors);
	for (i = 0; i < n; i++) {
		customer_init(&c);
		c.field[CUST_EXTERNAL_ID] = xasprintf("K%zu", i);
		c.field[CUST_NAME] = xstrdup("N");
		c.field[CUST_REP] = reps[i] ? xstrdup(reps[i]) : NULL;
		customer_keys(&c, &keys);
		buf_printf(&f->errors, "%zu:%d ", i + 2, store_load_add(l,
		    i + 2, &c, &keys, &cause));
		customer_clear(&c);
	}
	return l;
}

/* A rep the store does not have (removed after the import read the
 * reps) fails its row: when a first import loads it (it reads the reps
 * under its lock), else in the one set-based check. */
static void
test_load_reps(void **state)
{
	struct fx *f = *state;
	struct import_result res;
	struct store_load *l;
	const char *reps[] = { "li", "gone", NULL, "wang" };
	char *cause = NULL;

	/* SQLite merges row by row (not skip(): "not ok # SKIP" fails
	 * with the TAP driver). */
	if (db_backend(f->st->conn) != DB_PG)
		return;
	l = load_reps(f, reps, ARRAY_SIZE(reps));
	assert_string_equal(f->errors.data, "2:0 3:1 4:0 5:0 ");
	buf_reset(&f->errors);
	assert_int_equal(store_load_duplicates(l, on_rep, f, &cause), 0);
	assert_int_equal(store_load_reps(l, on_rep, f, &cause), 0);
	store_load_free(l);
	store_rollback(f->st);

	assert_int_equal(import(f, HEAD "K9,Nine,,,,,\n", 1000, &res), 0);
	l = load_reps(f, reps, ARRAY_SIZE(reps));
	assert_string_equal(f->errors.data, "2:0 3:0 4:0 5:0 ");
	buf_reset(&f->errors);
	assert_int_equal(store_load_duplicates(l, on_rep, f, &cause), 0);
	assert_int_equal(store_load_reps(l, on_rep, f, &cause), 1);
	assert_string_equal(f->errors.data, "3 gone\n");
	store_load_free(l);
	store_rollback(f->st);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_import_again, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_import_changes, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_import_bad, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_import_many, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_copy, setup, teardown),
		cmocka_unit_test_setup_teardown(test_first_import, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_load_reps, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

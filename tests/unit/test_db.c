/* test_db.c - the database interface (db.h): the same checks against
 * SQLite (a temp file) and, when PG_URI names a server (tests/cli/db_pg.sh
 * starts one), against PostgreSQL; plus the text it reads (parameters
 * rewritten, passwords hidden), which needs no database. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "db.h"
#include "db_priv.h"
#include "tstore.h"
#include "util.h"

struct backend {
	enum db_backend kind;
	char *target;
	struct db *db;
};

static struct backend be_sqlite = { DB_SQLITE, NULL, NULL };
static struct backend be_pg = { DB_PG, NULL, NULL };

/* Opens the backend's database; PostgreSQL only when PG_URI is set. */
static int
setup(void **state)
{
	struct backend *be = *state;
	char *cause = NULL;
	const char *uri;

	if (be->kind == DB_PG) {
		if ((uri = getenv("PG_URI")) == NULL || *uri == '\0')
			return 0;	/* db_of() skips */
		be->target = xstrdup(uri);
	} else
		be->target = tstore_path();
	if (db_open(be->target, NULL, &be->db, &cause) != 0)
		fail_msg("db_open: %s", cause);
	assert_int_equal(db_backend(be->db), be->kind);
	return 0;
}

static int
teardown(void **state)
{
	struct backend *be = *state;

	db_close(be->db);
	be->db = NULL;
	if (be->target == NULL)
		return 0;
	if (be->kind == DB_SQLITE)
		tstore_remove(be->target);
	else
		free(be->target);
	be->target = NULL;
	return 0;
}

/* The test's database; a PostgreSQL test without PG_URI is skipped. */
static struct db *
db_of(void **state)
{
	struct backend *be = *state;

	if (be->db == NULL)
		skip();
	return be->db;
}

/* Runs sql or fails the test with the reason. */
static void
exec_ok(struct db *db, const char *sql)
{
	char *cause = NULL;

	if (db_exec(db, sql, &cause) != 0)
		fail_msg("%s: %s", sql, cause);
}

static struct db_stmt *
prepare_ok(struct db *db, const char *sql)
{
	char *cause = NULL;
	struct db_stmt *s = db_prepare(db, sql, &cause);

	if (s == NULL)
		fail_msg("%s: %s", sql, cause);
	return s;
}

static int
step_ok(struct db_stmt *s)
{
	char *cause = NULL;
	int rc = db_step(s, &cause);

	if (rc == DB_ERROR)
		fail_msg("step: %s", cause);
	return rc;
}

/* The one int64 a query returns. */
static int64_t
query_int(struct db *db, const char *sql)
{
	struct db_stmt *s = prepare_ok(db, sql);
	int64_t v;

	assert_int_equal(step_ok(s), DB_ROW);
	v = db_column_int64(s, 0);
	assert_int_equal(step_ok(s), DB_DONE);
	db_finalize(s);
	return v;
}

/* Asserts db_sql_dollar(sql) is want with nparams n (want NULL: refused). */
static void
check_dollar(const char *sql, const char *want, int n)
{
	char *out = NULL, *cause = NULL;
	int got = -1;

	if (want == NULL) {
		assert_int_equal(db_sql_dollar(sql, &out, &got, &cause), -1);
		assert_non_null(strstr(cause, "?1, ?2"));
		free(cause);
		return;
	}
	if (db_sql_dollar(sql, &out, &got, &cause) != 0)
		fail_msg("%s: %s", sql, cause);
	assert_string_equal(out, want);
	assert_int_equal(got, n);
	free(out);
}

/* ?N becomes $N, but not inside literals, identifiers or comments. */
static void
test_rewrite(void **state)
{
	(void)state;
	check_dollar("SELECT ?1, ?2", "SELECT $1, $2", 2);
	check_dollar("SELECT ?2 + ?1", "SELECT $2 + $1", 2);
	check_dollar("SELECT '?1', ?1", "SELECT '?1', $1", 1);
	check_dollar("SELECT 'it''s ?3', \"col?2\", ?12",
	    "SELECT 'it''s ?3', \"col?2\", $12", 12);
	check_dollar("SELECT \"a\"\"?4\", ?1", "SELECT \"a\"\"?4\", $1", 1);
	check_dollar("-- ?5\nSELECT ?1", "-- ?5\nSELECT $1", 1);
	check_dollar("/* ?5 /* ?6 */ ?7 */ SELECT ?1",
	    "/* ?5 /* ?6 */ ?7 */ SELECT $1", 1);
	check_dollar("SELECT $$ ?4 $$, $t$ ?5 $ ?6 $t$, ?2",
	    "SELECT $$ ?4 $$, $t$ ?5 $ ?6 $t$, $2", 2);
	check_dollar("SELECT E'\\' ?3', e'?4', ?1",
	    "SELECT E'\\' ?3', e'?4', $1", 1);
	check_dollar("SELECT a$b, ?1", "SELECT a$b, $1", 1);
	check_dollar("SELECT '中文 ?1', ?1", "SELECT '中文 ?1', $1", 1);
	check_dollar("SELECT 'open ?1", "SELECT 'open ?1", 0);
	check_dollar("SELECT ?", NULL, 0);
	check_dollar("SELECT ?0", NULL, 0);
	check_dollar("SELECT ?1 ? 2", NULL, 0);
	check_dollar("SELECT ?99999", NULL, 0);
}

static void
check_redact(const char *target, const char *want)
{
	char *r = db_redact(target);

	assert_string_equal(r, want);
	assert_null(strstr(r, "s3cret"));
	free(r);
}

/* Passwords never reach a message. */
static void
test_redact(void **state)
{
	(void)state;
	check_redact("postgresql://outreach:s3cret@db.example:5432/outreach"
	    "?sslmode=require&password=s3cret",
	    "postgresql://outreach:***@db.example:5432/outreach"
	    "?sslmode=require&password=***");
	check_redact("postgres://u:s3cret@h1:5432,h2:5433/db",
	    "postgres://u:***@h1:5432,h2:5433/db");
	check_redact("postgresql://u:p@s3cret@h/db", "postgresql://u:***@h/db");
	check_redact("postgresql://u@h/db?password=s3cret",
	    "postgresql://u@h/db?password=***");
	check_redact("postgresql://h/db", "postgresql://h/db");
	check_redact("postgresql://", "postgresql://");
	check_redact("host=db user=u password='s3cret \\' x' dbname=o",
	    "host=db user=u password=*** dbname=o");
	check_redact("host=db password = s3cret sslpassword=s3cret",
	    "host=db password = *** sslpassword=***");
	check_redact("dbname=o password=", "dbname=o password=***");
	check_redact("/var/lib/outreachd/store.db",
	    "/var/lib/outreachd/store.db");
	assert_true(db_is_conninfo("postgresql://x"));
	assert_true(db_is_conninfo("postgres://x"));
	assert_true(db_is_conninfo("host=/run/postgresql dbname=o"));
	assert_false(db_is_conninfo("/var/lib/outreachd/store.db"));
	assert_false(db_is_conninfo("store.db"));
}

/* A failed open names the target, password hidden.  The socket
 * directory does not exist, so nothing is contacted. */
static void
test_open_errors(void **state)
{
	struct db *db = NULL;
	char *cause = NULL;

	(void)state;
	assert_int_equal(db_open("postgresql://outreach:s3cret@/outreach"
	    "?host=/nonexistent-outreachd-test", NULL, &db, &cause), -1);
	assert_null(db);
	assert_non_null(strstr(cause, "postgresql://outreach:***@/outreach"));
	assert_null(strstr(cause, "s3cret"));
#ifndef HAVE_POSTGRESQL
	assert_non_null(strstr(cause, "built without PostgreSQL support"));
#endif
	free(cause);
	cause = NULL;
	assert_int_equal(db_open("/nonexistent-outreachd-test/x.db", NULL,
	    &db, &cause), -1);
	assert_non_null(strstr(cause, "/nonexistent-outreachd-test/x.db: "));
	free(cause);
}

/* int64 at both ends, doubles exactly, UTF-8 and quotes unharmed. */
static void
test_types(void **state)
{
	static const struct {
		int64_t id, i;
		double d;
		const char *t;
	} rows[] = {
		{ 1, INT64_MIN, -0.5, "中文 'single' \"double\" ?1 $1 \\" },
		{ 2, INT64_MAX, 1e300, "line\nbreak\ttab" },
		{ 3, 0, 3.141592653589793, "" },
		{ 4, -1, 0.1, "中文" },
	};
	struct db *db = db_of(state);
	struct db_stmt *ins, *sel;
	size_t k;

	exec_ok(db, "DROP TABLE IF EXISTS tt; CREATE TABLE tt (id BIGINT "
	    "PRIMARY KEY, i BIGINT, d DOUBLE PRECISION, t TEXT)");
	ins = prepare_ok(db, "INSERT INTO tt (id, i, d, t) VALUES "
	    "(?1, ?2, ?3, ?4)");
	for (k = 0; k < ARRAY_SIZE(rows); k++) {
		assert_int_equal(db_bind_int64(ins, 1, rows[k].id), 0);
		assert_int_equal(db_bind_int64(ins, 2, rows[k].i), 0);
		assert_int_equal(db_bind_double(ins, 3, rows[k].d), 0);
		assert_int_equal(db_bind_text(ins, 4, rows[k].t), 0);
		assert_int_equal(step_ok(ins), DB_DONE);
		assert_int_equal(db_changes(db), 1);
		db_reset(ins);
	}
	assert_int_equal(db_bind_int64(ins, 5, 1), -1);
	assert_int_equal(db_bind_int64(ins, 0, 1), -1);
	db_finalize(ins);
	sel = prepare_ok(db, "SELECT i, d, t, length(t) FROM tt WHERE id = ?1");
	for (k = 0; k < ARRAY_SIZE(rows); k++) {
		db_bind_int64(sel, 1, rows[k].id);
		assert_int_equal(step_ok(sel), DB_ROW);
		assert_int_equal(db_column_count(sel), 4);
		assert_true(db_column_int64(sel, 0) == rows[k].i);
		assert_true(db_column_double(sel, 1) == rows[k].d);
		assert_string_equal(db_column_text(sel, 2), rows[k].t);
		assert_false(db_column_is_null(sel, 2));
		assert_int_equal(step_ok(sel), DB_DONE);
		db_reset(sel);
	}
	db_bind_int64(sel, 1, 4);
	assert_int_equal(step_ok(sel), DB_ROW);
	assert_int_equal(db_column_int64(sel, 3), 2);	/* characters */
	db_finalize(sel);
	/* An int64 parameter is int8, not a guessed int4: 2100-01-01. */
	sel = prepare_ok(db, "SELECT ?1 + 1, ?2 * 2.0, ?3");
	db_bind_int64(sel, 1, INT64_C(4102444800));
	db_bind_double(sel, 2, 1.25);
	db_bind_text(sel, 3, "中文 'x'");
	assert_int_equal(step_ok(sel), DB_ROW);
	assert_true(db_column_int64(sel, 0) == INT64_C(4102444801));
	assert_true(db_column_double(sel, 1) == 2.5);
	assert_string_equal(db_column_text(sel, 2), "中文 'x'");
	db_finalize(sel);
}

/* NULL bound three ways reads back as NULL. */
static void
test_nulls(void **state)
{
	struct db *db = db_of(state);
	struct db_stmt *s;
	int col;

	exec_ok(db, "DROP TABLE IF EXISTS tn; CREATE TABLE tn (a BIGINT, "
	    "b TEXT, c DOUBLE PRECISION)");
	s = prepare_ok(db, "INSERT INTO tn (a, b, c) VALUES (?1, ?2, ?3)");
	db_bind_null(s, 1);
	db_bind_text(s, 2, NULL);	/* ?3 never bound */
	assert_int_equal(step_ok(s), DB_DONE);
	db_finalize(s);
	s = prepare_ok(db, "SELECT a, b, c, COALESCE(b, 'none') FROM tn");
	assert_int_equal(step_ok(s), DB_ROW);
	for (col = 0; col < 3; col++) {
		assert_true(db_column_is_null(s, col));
		assert_null(db_column_text(s, col));
		assert_int_equal(db_column_int64(s, col), 0);
	}
	assert_string_equal(db_column_text(s, 3), "none");
	assert_true(db_column_is_null(s, 9));	/* out of range */
	assert_int_equal(step_ok(s), DB_DONE);
	db_finalize(s);
}

/* Rows changed by the last INSERT, UPDATE or DELETE. */
static void
test_changes(void **state)
{
	struct db *db = db_of(state);
	struct db_stmt *s;

	exec_ok(db, "DROP TABLE IF EXISTS tc; CREATE TABLE tc (v BIGINT)");
	exec_ok(db, "INSERT INTO tc (v) VALUES (1), (2), (3)");
	assert_int_equal(db_changes(db), 3);
	s = prepare_ok(db, "UPDATE tc SET v = v + 10 WHERE v > ?1");
	db_bind_int64(s, 1, 1);
	assert_int_equal(step_ok(s), DB_DONE);
	assert_int_equal(db_changes(db), 2);
	db_finalize(s);
	assert_int_equal(query_int(db, "SELECT count(*) FROM tc"), 3);
	assert_int_equal(db_changes(db), 2);	/* a SELECT changes nothing */
	s = prepare_ok(db, "DELETE FROM tc WHERE v = ?1");
	db_bind_int64(s, 1, 99);
	assert_int_equal(step_ok(s), DB_DONE);
	assert_int_equal(db_changes(db), 0);
	db_finalize(s);
}

/* A cached statement is the same object each time, reset, and follows
 * the types bound to it. */
static void
test_cached(void **state)
{
	struct db *db = db_of(state);
	struct db_stmt *s, *again;
	char *cause = NULL;

	s = db_cached(db, 3, "SELECT ?1", &cause);
	assert_non_null(s);
	db_bind_int64(s, 1, 42);
	assert_int_equal(step_ok(s), DB_ROW);
	assert_int_equal(db_column_int64(s, 0), 42);
	again = db_cached(db, 3, "SELECT ?1", &cause);
	assert_ptr_equal(s, again);
	assert_true(db_column_is_null(again, 0));	/* reset */
	db_bind_text(again, 1, "中文");
	assert_int_equal(step_ok(again), DB_ROW);
	assert_string_equal(db_column_text(again, 0), "中文");
	db_finalize(again);	/* the cache's: only reset */
	s = db_cached(db, 3, "SELECT ?1", &cause);
	assert_ptr_equal(s, again);
	assert_int_equal(step_ok(s), DB_ROW);	/* unbound: NULL */
	assert_true(db_column_is_null(s, 0));
	s = db_cached(db, 40, "SELECT 7", &cause);	/* grows the cache */
	assert_int_equal(step_ok(s), DB_ROW);
	assert_int_equal(db_column_int64(s, 0), 7);
	assert_ptr_equal(db_cached(db, 3, "SELECT ?1", &cause), again);
}

/* Interleaved statements: one walked while another runs. */
static void
test_interleave(void **state)
{
	struct db *db = db_of(state);
	struct db_stmt *walk, *ins;
	int64_t sum = 0;

	exec_ok(db, "DROP TABLE IF EXISTS ti; CREATE TABLE ti (v BIGINT); "
	    "DROP TABLE IF EXISTS tj; CREATE TABLE tj (v BIGINT)");
	exec_ok(db, "INSERT INTO ti (v) VALUES (1), (2), (3)");
	walk = prepare_ok(db, "SELECT v FROM ti ORDER BY v");
	ins = prepare_ok(db, "INSERT INTO tj (v) VALUES (?1 * 10)");
	while (step_ok(walk) == DB_ROW) {
		db_bind_int64(ins, 1, db_column_int64(walk, 0));
		assert_int_equal(step_ok(ins), DB_DONE);
		db_reset(ins);
	}
	db_finalize(walk);
	db_finalize(ins);
	sum = query_int(db, "SELECT sum(v) FROM tj");
	assert_int_equal(sum, 60);
}

/* Sums a streamed walk of ts (v 1..2500) beside a second one, stepped
 * two to one, as the report's walks are. */
static void
stream_walk(struct db *db)
{
	struct db_stmt *a, *b;
	int64_t sa = 0, sb = 0;
	int ra, rb = DB_ROW;

	a = prepare_ok(db, "SELECT v FROM ts WHERE v > ?1 ORDER BY v");
	b = prepare_ok(db, "SELECT v FROM ts ORDER BY v DESC");
	db_stream(a);
	db_stream(b);
	db_bind_int64(a, 1, 0);
	while ((ra = step_ok(a)) == DB_ROW) {
		sa += db_column_int64(a, 0);
		if (db_column_int64(a, 0) % 2 == 0 && rb == DB_ROW &&
		    (rb = step_ok(b)) == DB_ROW)
			sb += db_column_int64(b, 0);
	}
	assert_int_equal(sa, 2500 * 2501 / 2);
	assert_int_equal(sb, 2500 * 2501 / 2 - 1250 * 1251 / 2);
	/* Rewound (a cursor's rows are gone: run again), and stepped past
	 * its end (run again as well). */
	db_rewind(a);
	assert_int_equal(step_ok(a), DB_ROW);
	assert_int_equal(db_column_int64(a, 0), 1);
	db_finalize(a);
	db_finalize(b);
}

/* db_stream(): the same rows inside a transaction (PostgreSQL: through
 * cursors, a thousand at a time) and outside one (fetched whole); a
 * transaction with a cursor left open commits. */
static void
test_stream(void **state)
{
	struct db *db = db_of(state);
	char *cause = NULL;

	exec_ok(db, "DROP TABLE IF EXISTS ts; CREATE TABLE ts (v BIGINT)");
	exec_ok(db, "INSERT INTO ts (v) SELECT 1");
	exec_ok(db, "WITH RECURSIVE n(v) AS (SELECT 2 UNION ALL SELECT v + 1"
	    " FROM n WHERE v < 2500) INSERT INTO ts (v) SELECT v FROM n");
	stream_walk(db);
	if (db_begin_read(db, &cause) != 0)
		fail_msg("%s", cause);
	stream_walk(db);
	if (db_commit(db, &cause) != 0)
		fail_msg("%s", cause);
	if (db_begin(db, &cause) != 0)
		fail_msg("%s", cause);
	stream_walk(db);
	if (db_commit(db, &cause) != 0)
		fail_msg("%s", cause);
	assert_int_equal(query_int(db, "SELECT count(*) FROM ts"), 2500);
}

static int64_t
count_rows(struct db *db, const char *table)
{
	char *sql = xasprintf("SELECT count(*) FROM %s", table);
	int64_t n = query_int(db, sql);

	free(sql);
	return n;
}

static void
insert_v(struct db *db, int64_t v)
{
	struct db_stmt *s = db_cached(db, 1, "INSERT INTO tx (v) VALUES (?1)",
	    NULL);

	assert_non_null(s);
	db_bind_int64(s, 1, v);
	assert_int_equal(step_ok(s), DB_DONE);
}

/* Commit, rollback and a unit undone alone. */
static void
test_transactions(void **state)
{
	struct db *db = db_of(state);
	char *cause = NULL;

	exec_ok(db, "DROP TABLE IF EXISTS tx; CREATE TABLE tx (v BIGINT "
	    "PRIMARY KEY)");
	assert_false(db_in_transaction(db));
	assert_int_equal(db_begin(db, &cause), 0);
	assert_true(db_in_transaction(db));
	insert_v(db, 1);
	db_rollback(db);
	assert_false(db_in_transaction(db));
	assert_int_equal(count_rows(db, "tx"), 0);
	db_rollback(db);	/* harmless */

	assert_int_equal(db_begin(db, &cause), 0);
	insert_v(db, 1);
	assert_int_equal(db_savepoint(db, &cause), 0);
	insert_v(db, 2);
	assert_int_equal(db_rollback_to(db, &cause), 0);
	insert_v(db, 3);
	assert_int_equal(db_savepoint(db, &cause), 0);
	insert_v(db, 4);
	assert_int_equal(db_release(db, &cause), 0);
	assert_true(db_in_transaction(db));
	assert_int_equal(db_commit(db, &cause), 0);
	assert_int_equal(count_rows(db, "tx"), 3);
	assert_int_equal(query_int(db, "SELECT sum(v) FROM tx"), 8);

	/* A unit left open goes with its transaction. */
	assert_int_equal(db_begin(db, &cause), 0);
	assert_int_equal(db_savepoint(db, &cause), 0);
	insert_v(db, 9);
	db_rollback(db);
	assert_int_equal(count_rows(db, "tx"), 3);
	assert_int_equal(db_rollback_to(db, &cause), -1);	/* no txn */
	free(cause);
	cause = NULL;
}

/* A failed statement inside a transaction: SQLite goes on, PostgreSQL
 * spoils the transaction until a unit is undone. */
static void
test_failure_in_transaction(void **state)
{
	struct db *db = db_of(state);
	struct db_stmt *s;
	char *cause = NULL;

	exec_ok(db, "DROP TABLE IF EXISTS tx; CREATE TABLE tx (v BIGINT "
	    "PRIMARY KEY)");
	insert_v(db, 1);
	assert_int_equal(db_begin(db, &cause), 0);
	assert_int_equal(db_savepoint(db, &cause), 0);
	s = db_cached(db, 1, "INSERT INTO tx (v) VALUES (?1)", NULL);
	db_bind_int64(s, 1, 1);
	assert_int_equal(db_step(s, &cause), DB_ERROR);
	assert_non_null(strstr(cause, db_target(db)));
	assert_non_null(strstr(cause, "INSERT INTO tx"));
	assert_false(db_error_transient(db));
	free(cause);
	cause = NULL;
	assert_int_equal(db_rollback_to(db, &cause), 0);
	insert_v(db, 2);
	assert_int_equal(db_commit(db, &cause), 0);
	assert_int_equal(count_rows(db, "tx"), 2);

	/* Without a unit. */
	assert_int_equal(db_begin(db, &cause), 0);
	s = db_cached(db, 1, "INSERT INTO tx (v) VALUES (?1)", NULL);
	db_bind_int64(s, 1, 1);
	assert_int_equal(db_step(s, &cause), DB_ERROR);
	free(cause);
	cause = NULL;
	s = db_cached(db, 1, "INSERT INTO tx (v) VALUES (?1)", NULL);
	db_bind_int64(s, 1, 3);
	if (db_backend(db) == DB_PG) {
		assert_int_equal(db_step(s, &cause), DB_ERROR);
		assert_non_null(strstr(cause, "25P02"));	/* aborted */
		free(cause);
		cause = NULL;
		assert_int_equal(db_commit(db, &cause), -1);
		assert_non_null(strstr(cause, "rolled back"));
		free(cause);
		assert_int_equal(count_rows(db, "tx"), 2);
	} else {
		assert_int_equal(db_step(s, &cause), DB_DONE);
		assert_int_equal(db_commit(db, &cause), 0);
		assert_int_equal(count_rows(db, "tx"), 3);
	}
	assert_false(db_in_transaction(db));
}

/* Errors name the target and the statement. */
static void
test_errors(void **state)
{
	struct db *db = db_of(state);
	struct db_stmt *s;
	char *cause = NULL;

	assert_null(db_prepare(db, "SELECT ?", &cause));
	assert_non_null(strstr(cause, db_target(db)));
	free(cause);
	cause = NULL;
	/* SQLite finds the error at prepare, PostgreSQL at the first step. */
	s = db_prepare(db, "SELEC 1", &cause);
	if (s != NULL) {
		assert_int_equal(db_step(s, &cause), DB_ERROR);
		db_finalize(s);
	}
	assert_non_null(strstr(cause, db_target(db)));
	assert_non_null(strstr(cause, "syntax error"));
	assert_false(db_error_transient(db));
	free(cause);
	cause = NULL;
	assert_int_equal(db_exec(db, "SELECT * FROM no_such_table", &cause),
	    -1);
	assert_non_null(strstr(cause, "no_such_table"));
	free(cause);
	cause = NULL;
	assert_int_equal(db_listen(db, "Bad-Name", &cause), -1);
	assert_non_null(strstr(cause, "identifier"));
	free(cause);
	assert_int_equal(query_int(db, "SELECT 1"), 1);	/* still usable */
}

/* Another connection holding what we need is transient: the write lock,
 * SQLite's or PostgreSQL's advisory one (after DB_BUSY_MS there); and
 * PostgreSQL's writers, one at a time, see each other's rows: no write
 * skew. */
static void
test_transient(void **state)
{
	struct backend *be = *state;
	struct db *a = db_of(state), *b = NULL;
	char *cause = NULL;

	exec_ok(a, "DROP TABLE IF EXISTS tx; CREATE TABLE tx (v BIGINT "
	    "PRIMARY KEY)");
	if (db_open(be->target, NULL, &b, &cause) != 0)
		fail_msg("%s", cause);
	assert_int_equal(db_begin(a, &cause), 0);
	if (be->kind == DB_SQLITE) {
		exec_ok(b, "PRAGMA busy_timeout = 0");
		assert_int_equal(db_begin(b, &cause), -1);
		assert_true(db_error_transient(b));
		free(cause);
		cause = NULL;
		db_rollback(a);
	} else {
		insert_v(a, 1);
		assert_int_equal(db_begin(b, &cause), -1);	/* waits */
		assert_true(db_error_transient(b));
		assert_non_null(strstr(cause, "55P03"));
		free(cause);
		cause = NULL;
		assert_false(db_in_transaction(b));
		assert_int_equal(db_commit(a, &cause), 0);
		assert_int_equal(db_begin(b, &cause), 0);
		assert_int_equal(count_rows(b, "tx"), 1);	/* a's row */
		insert_v(b, 2);
		assert_int_equal(db_commit(b, &cause), 0);
	}
	assert_int_equal(db_begin(b, &cause), 0);	/* and again: fine */
	db_rollback(b);
	db_close(b);
}

/* A read transaction reads; PostgreSQL's refuses to write. */
static void
test_read_transaction(void **state)
{
	struct db *db = db_of(state);
	char *cause = NULL;
	int rc;

	exec_ok(db, "DROP TABLE IF EXISTS tx; CREATE TABLE tx (v BIGINT "
	    "PRIMARY KEY)");
	assert_int_equal(db_begin_read(db, &cause), 0);
	assert_int_equal(count_rows(db, "tx"), 0);
	rc = db_exec(db, "INSERT INTO tx (v) VALUES (1)", &cause);
	assert_int_equal(rc, db_backend(db) == DB_PG ? -1 : 0);
	free(cause);
	db_rollback(db);
}

/* LISTEN/NOTIFY between two connections (nothing with SQLite). */
static void
test_notify(void **state)
{
	struct backend *be = *state;
	struct db *a = db_of(state), *b = NULL;
	struct pollfd pfd;
	char *cause = NULL;
	int n = 0, i;

	if (db_open(be->target, NULL, &b, &cause) != 0)
		fail_msg("%s", cause);
	assert_int_equal(db_listen(a, "outreach_test", &cause), 0);
	assert_int_equal(db_notify(b, "outreach_test", &cause), 0);
	if (be->kind == DB_SQLITE) {
		assert_int_equal(db_fd(a), -1);
		assert_int_equal(db_notifications(a), 0);
		db_close(b);
		return;
	}
	assert_true(db_fd(a) >= 0);
	for (i = 0; i < 50 && n == 0; i++) {
		pfd.fd = db_fd(a);
		pfd.events = POLLIN;
		poll(&pfd, 1, 100);
		n = db_notifications(a);
	}
	assert_int_equal(n, 1);
	/* Sent at commit, not before. */
	assert_int_equal(db_begin(b, &cause), 0);
	assert_int_equal(db_notify(b, "outreach_test", &cause), 0);
	usleep(100000);
	assert_int_equal(db_notifications(a), 0);
	assert_int_equal(db_commit(b, &cause), 0);
	for (i = 0, n = 0; i < 50 && n == 0; i++) {
		pfd.fd = db_fd(a);
		pfd.events = POLLIN;
		poll(&pfd, 1, 100);
		n = db_notifications(a);
	}
	assert_int_equal(n, 1);
	db_close(b);
}

/* The password from a file or a systemd credential, never the target. */
static void
test_password_file(void **state)
{
	struct backend *be = *state;
	char dir[] = "/tmp/outreachd-cred-XXXXXX", *path, *cause = NULL;
	struct db *db = NULL;
	FILE *f;

	db_of(state);
	assert_non_null(mkdtemp(dir));
	path = xasprintf("%s/pgpass", dir);
	assert_non_null(f = fopen(path, "w"));
	fputs("unused-with-trust\n", f);
	fclose(f);
	if (be->kind == DB_PG) {
		if (db_open(be->target, path, &db, &cause) != 0)
			fail_msg("%s", cause);
		db_close(db);
		unsetenv("CREDENTIALS_DIRECTORY");
		assert_int_equal(db_open(be->target, "%d/pgpass", &db, &cause),
		    -1);
		assert_non_null(strstr(cause, "CREDENTIALS_DIRECTORY"));
		free(cause);
		cause = NULL;
		setenv("CREDENTIALS_DIRECTORY", dir, 1);
		if (db_open(be->target, "%d/pgpass", &db, &cause) != 0)
			fail_msg("%s", cause);
		db_close(db);
		unsetenv("CREDENTIALS_DIRECTORY");
		assert_int_equal(db_open(be->target, "/nonexistent/pw", &db,
		    &cause), -1);
		assert_non_null(strstr(cause, "/nonexistent/pw"));
		free(cause);
	}
	unlink(path);
	free(path);
	rmdir(dir);
}

/* The checks each backend runs, by name. */
static const struct {
	const char *name;
	CMUnitTestFunction fn;
} both[] = {
	{ "test_types", test_types },
	{ "test_nulls", test_nulls },
	{ "test_changes", test_changes },
	{ "test_cached", test_cached },
	{ "test_interleave", test_interleave },
	{ "test_stream", test_stream },
	{ "test_transactions", test_transactions },
	{ "test_failure_in_transaction", test_failure_in_transaction },
	{ "test_errors", test_errors },
	{ "test_transient", test_transient },
	{ "test_read_transaction", test_read_transaction },
	{ "test_notify", test_notify },
	{ "test_password_file", test_password_file },
};

/* cmocka's "not ok # SKIP" counts as a failure with automake's TAP
 * driver: without PG_URI the PostgreSQL checks are left out, and said
 * so. */
int
main(void)
{
	struct CMUnitTest tests[3 + 2 * ARRAY_SIZE(both)] = {
		cmocka_unit_test(test_rewrite),
		cmocka_unit_test(test_redact),
		cmocka_unit_test(test_open_errors),
	};
	const char *uri = getenv("PG_URI");
	struct backend *be[2] = { &be_sqlite, &be_pg };
	size_t n = 3, i, k, nbe = uri != NULL && *uri != '\0' ? 2 : 1;

	if (nbe == 1)
		printf("# PostgreSQL checks skipped: PG_URI not set "
		    "(tests/cli/db_pg.sh sets it)\n");
	for (k = 0; k < nbe; k++)
		for (i = 0; i < ARRAY_SIZE(both); i++) {
			tests[n].name = xasprintf("%s: %s", k == 0 ? "sqlite" :
			    "postgresql", both[i].name);
			tests[n].test_func = both[i].fn;
			tests[n].setup_func = setup;
			tests[n].teardown_func = teardown;
			tests[n].initial_state = be[k];
			n++;
		}
	k = (size_t)_cmocka_run_group_tests("test_db", tests, n, NULL, NULL);
	for (i = 3; i < n; i++)
		free((char *)tests[i].name);
	return (int)k;
}

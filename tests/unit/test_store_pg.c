/* test_store_pg.c - the PostgreSQL schema (store_schema_pg.c) against
 * SQLite's (store_schema.c): the same tables, columns, indexes and
 * triggers, and the triggers doing the same to the same rows, checked
 * through db.h on both.  The PostgreSQL half runs when PG_URI names a
 * server (tests/cli/db_pg.sh starts one); its public schema is dropped
 * and made again. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "db.h"
#include "store.h"
#include "store_lease.h"
#include "store_schema.h"
#include "tstore.h"
#include "util.h"


/* A fresh database of each kind with the store's schema. */
static struct db *
open_sqlite(char **path)
{
	struct store *st;
	struct db *db;
	char *cause = NULL;

	*path = tstore_path();
	if (store_open(*path, &st, &cause) != 0)
		fail_msg("store_open: %s", cause);
	store_close(st);
	if (db_open(*path, NULL, &db, &cause) != 0)
		fail_msg("db_open: %s", cause);
	return db;
}

static struct db *
open_pg(void)
{
	const char *uri = getenv("PG_URI");
	struct db *db;
	char *cause = NULL;
	int v;

	if (db_open(uri, NULL, &db, &cause) != 0)
		fail_msg("db_open: %s", cause);
	if (db_exec(db, "DROP SCHEMA IF EXISTS public CASCADE;"
	    "CREATE SCHEMA public;", &cause) != 0 ||
	    db_exec(db, store_schema_pg, &cause) != 0)
		fail_msg("the PostgreSQL schema: %s", cause);
	for (v = STORE_PG_BASE_VERSION; v < STORE_SCHEMA_VERSION; v++)
		if (db_exec(db, store_pg_migrations[v - STORE_PG_BASE_VERSION],
		    &cause) != 0)
			fail_msg("PostgreSQL migration to %d: %s", v + 1, cause);
	return db;
}

static int
str_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every row of a one-text-column query, sorted, joined by newlines. */
static char *
names(struct db *db, const char *sql)
{
	struct db_stmt *s;
	char *cause = NULL, **v = NULL;
	struct buf b;
	size_t n = 0, i;
	int rc;

	if ((s = db_prepare(db, sql, &cause)) == NULL)
		fail_msg("%s", cause);
	while ((rc = db_step(s, &cause)) == DB_ROW) {
		v = xreallocarray(v, n + 1, sizeof(*v));
		v[n++] = xstrdup(db_column_text(s, 0));
	}
	if (rc != DB_DONE)
		fail_msg("%s: %s", sql, cause);
	db_finalize(s);
	qsort(v, n, sizeof(*v), str_cmp);
	buf_init(&b);
	for (i = 0; i < n; i++) {
		buf_printf(&b, "%s\n", v[i]);
		free(v[i]);
	}
	free(v);
	return buf_detach(&b);
}

/* Prints each line of x that y lacks (x and y: sorted lines). */
static void
report_missing(const char *x, const char *y, const char *what)
{
	const char *p, *e;
	char *line;

	for (p = x; *p != '\0'; p = e + 1) {
		e = strchr(p, '\n');
		line = xasprintf("\n%.*s\n", (int)(e - p), p);
		if (strncmp(y, line + 1, strlen(line) - 1) != 0 &&
		    strstr(y, line) == NULL)
			print_message("%s %s\n", line + 1, what);
		free(line);
	}
}

#define SQLITE_SHAPE \
	"SELECT m.name || '.' || p.name FROM sqlite_master m," \
	" pragma_table_xinfo(m.name) p WHERE m.type = 'table' AND m.name" \
	" NOT LIKE 'sqlite_%'" \
	" UNION ALL SELECT m.name FROM sqlite_master m WHERE m.type =" \
	" 'table' AND m.name NOT LIKE 'sqlite_%'" \
	" UNION ALL SELECT 'index ' || name FROM sqlite_master WHERE type =" \
	" 'index' AND sql IS NOT NULL" \
	" UNION ALL SELECT 'trigger ' || name FROM sqlite_master WHERE" \
	" type = 'trigger'"
/* Indexes made by PRIMARY KEY and UNIQUE are SQLite's autoindexes
 * (no sql) there and *_pkey / *_key here: both are left out. */
#define PG_SHAPE \
	"SELECT table_name || '.' || column_name FROM" \
	" information_schema.columns WHERE table_schema = 'public'" \
	" UNION ALL SELECT table_name FROM information_schema.tables WHERE" \
	" table_schema = 'public'" \
	" UNION ALL SELECT 'index ' || indexname FROM pg_indexes WHERE" \
	" schemaname = 'public' AND indexname NOT LIKE '%\\_pkey' AND" \
	" indexname NOT LIKE '%\\_key'" \
	" UNION ALL SELECT DISTINCT 'trigger ' || trigger_name FROM" \
	" information_schema.triggers WHERE trigger_schema = 'public'"

static void
test_same_shape(void **state)
{
	struct db *lite, *pg;
	char *path, *a, *b;

	(void)state;
	lite = open_sqlite(&path);
	pg = open_pg();
	a = names(lite, SQLITE_SHAPE);
	b = names(pg, PG_SHAPE);
	report_missing(a, b, "on SQLite, not on PostgreSQL");
	report_missing(b, a, "on PostgreSQL, not on SQLite");
	assert_string_equal(b, a);
	free(a);
	free(b);
	db_close(lite);
	db_close(pg);
	tstore_remove(path);
}

/* Runs sql with int64 parameters (INT64_MIN: NULL). */
static void
run(struct db *db, const char *sql, int n, ...)
{
	struct db_stmt *s;
	char *cause = NULL;
	va_list ap;
	int64_t v;
	int i;

	if ((s = db_prepare(db, sql, &cause)) == NULL)
		fail_msg("%s", cause);
	va_start(ap, n);
	for (i = 1; i <= n; i++)
		if ((v = va_arg(ap, int64_t)) == INT64_MIN)
			db_bind_null(s, i);
		else
			db_bind_int64(s, i, v);
	va_end(ap);
	if (db_step(s, &cause) == DB_ERROR)
		fail_msg("%s: %s", sql, cause);
	db_finalize(s);
}

/* The one row of sql, its columns as text joined by "|" (NULL: "-"). */
static char *
row(struct db *db, const char *sql)
{
	struct db_stmt *s;
	char *cause = NULL;
	struct buf b;
	int i;

	if ((s = db_prepare(db, sql, &cause)) == NULL)
		fail_msg("%s", cause);
	if (db_step(s, &cause) != DB_ROW)
		fail_msg("%s: no row (%s)", sql, cause ? cause : "");
	buf_init(&b);
	for (i = 0; i < db_column_count(s); i++)
		buf_printf(&b, "%s%s", i ? "|" : "", db_column_is_null(s, i) ?
		    "-" : db_column_text(s, i));
	db_finalize(s);
	return buf_detach(&b);
}

static void
assert_row(struct db *db, const char *sql, const char *want)
{
	char *got = row(db, sql);

	if (strcmp(got, want) != 0)
		fail_msg("%s (%s): got \"%s\", want \"%s\"", sql,
		    db_backend(db) == DB_PG ? "postgresql" : "sqlite", got,
		    want);
	free(got);
}

#define N INT64_MIN

/* What the triggers and generated columns do, the same on both. */
static void
triggers(struct db *db)
{
	run(db, "INSERT INTO reps (key, name, created_at) VALUES ('li',"
	    " 'Li', 0);", 0);
	run(db, "INSERT INTO customers (external_id, name, created_at,"
	    " updated_at, phone, tier_computed) VALUES ('C1', 'Wang', ?1, ?1,"
	    " '+8613800000000', 'B');", 1, (int64_t)20000 * 86400);
	assert_row(db, "SELECT tier_eff, revisit_from, first_purchase,"
	    " last_contact FROM customers", "B|20000|-|-");
	/* Purchases: first and last, whatever the order they come in. */
	run(db, "INSERT INTO purchases (customer_id, amount, day) SELECT id,"
	    " 100, ?1 FROM customers;", 1, (int64_t)20100);
	run(db, "INSERT INTO purchases (customer_id, amount, day) SELECT id,"
	    " 100, ?1 FROM customers;", 1, (int64_t)20050);
	assert_row(db, "SELECT first_purchase, last_purchase, revisit_from"
	    " FROM customers", "20050|20100|20050");
	/* A purchase's day changed: both taken again. */
	run(db, "UPDATE purchases SET day = ?1 WHERE day = ?2;", 2,
	    (int64_t)20010, (int64_t)20100);
	assert_row(db, "SELECT first_purchase, last_purchase FROM customers",
	    "20010|20050");
	/* Contacts: the latest, and the revisit clock from it. */
	run(db, "INSERT INTO contacts (customer_id, day, kind) SELECT id, ?1,"
	    " 'call' FROM customers;", 1, (int64_t)20200);
	run(db, "INSERT INTO contacts (customer_id, day, kind) SELECT id, ?1,"
	    " 'visit' FROM customers;", 1, (int64_t)20150);
	assert_row(db, "SELECT last_contact, revisit_from FROM customers",
	    "20200|20200");
	run(db, "UPDATE customers SET revisit_planned = ?1;", 1,
	    (int64_t)20300);
	assert_row(db, "SELECT revisit_from FROM customers", "20300");
	/* The stale mark goes when the phone changes, not otherwise. */
	run(db, "UPDATE customers SET stale_since = 20000, stale_note = 'x';",
	    0);
	run(db, "UPDATE customers SET name = 'Wang Fang';", 0);
	assert_row(db, "SELECT stale_since FROM customers", "20000");
	run(db, "UPDATE customers SET phone = '+8613900000000';", 0);
	assert_row(db, "SELECT stale_since, stale_note FROM customers", "-|-");
	/* An opt-out is recorded once, on the day of its write. */
	run(db, "UPDATE customers SET opt_out = 'sms', updated_at = ?1;", 1,
	    (int64_t)20400 * 86400 + 3600);
	run(db, "UPDATE customers SET opt_out = 'sms', updated_at = ?1;", 1,
	    (int64_t)20401 * 86400);
	assert_row(db, "SELECT count(*), min(day), min(opt_out) FROM"
	    " optout_events", "1|20400|sms");
	/* A tier set by hand wins over the computed one. */
	run(db, "UPDATE customers SET tier = 'A';", 0);
	assert_row(db, "SELECT tier_eff FROM customers", "A");
	run(db, "UPDATE customers SET tier = ?1;", 1, N);
	assert_row(db, "SELECT tier_eff FROM customers", "B");
}

static void
test_triggers_sqlite(void **state)
{
	struct db *db;
	char *path;

	(void)state;
	db = open_sqlite(&path);
	triggers(db);
	db_close(db);
	tstore_remove(path);
}

static void
test_triggers_pg(void **state)
{
	struct db *db;

	(void)state;
	db = open_pg();
	triggers(db);
	db_close(db);
}

/* store_open() on a PostgreSQL target: the schema made once, found the
 * next time; a transaction through the store. */
static void
test_open_pg(void **state)
{
	const char *uri = getenv("PG_URI");
	struct store *st, *st2;
	struct db *db;
	char *cause = NULL;

	(void)state;
	if (db_open(uri, NULL, &db, &cause) != 0 || db_exec(db, "DROP SCHEMA"
	    " IF EXISTS public CASCADE; CREATE SCHEMA public;", &cause) != 0)
		fail_msg("%s", cause);
	db_close(db);
	assert_int_equal(store_open_existing(uri, &st, &cause), -1);
	assert_non_null(strstr(cause, "no store here"));
	free(cause);
	cause = NULL;
	if (store_open(uri, &st, &cause) != 0)
		fail_msg("store_open: %s", cause);
	assert_int_equal(store_schema_version(st), STORE_SCHEMA_VERSION);
	if (store_open(uri, &st2, &cause) != 0)
		fail_msg("store_open again: %s", cause);
	assert_int_equal(store_schema_version(st2), STORE_SCHEMA_VERSION);
	assert_int_equal(store_begin(st, &cause), 0);
	assert_int_equal(store_unit_begin(st, &cause), 0);
	assert_int_equal(store_unit_undo(st), 0);
	assert_int_equal(store_commit(st, &cause), 0);
	store_close(st2);
	store_close(st);
}

/* A process opening the store at uri: 0 when it is at the current
 * version and takes a write transaction. */
static int
open_child(const char *uri)
{
	struct store *st;
	char *cause = NULL;

	if (store_open(uri, &st, &cause) != 0) {
		fprintf(stderr, "child: %s\n", cause);
		return 1;
	}
	if (store_schema_version(st) != STORE_SCHEMA_VERSION ||
	    store_begin(st, &cause) != 0 || store_commit(st, &cause) != 0)
		return 1;
	store_close(st);
	return 0;
}

/* A store at the base version (21) migrated by two processes opening it
 * at the same moment: both wait on the schema's lock, held here until
 * they do; one migrates, the other finds the version reached (a second
 * migration would fail, the index being there); the rows are kept. */
static void
test_migrate_together(void **state)
{
	const char *uri = getenv("PG_URI");
	struct db *db;
	char *cause = NULL, *sql;
	pid_t pid[2];
	int i, status, waiting = 0;

	(void)state;
	if (db_open(uri, NULL, &db, &cause) != 0)
		fail_msg("%s", cause);
	sql = xasprintf("DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA"
	    " public; %s INSERT INTO state (key, value) VALUES"
	    " ('schema_version', '%d'); INSERT INTO customers (external_id,"
	    " name, created_at, updated_at) VALUES ('c1', 'Ann', 0, 0);"
	    " INSERT INTO contacts (customer_id, day, kind) SELECT id, 100,"
	    " 'call' FROM customers; SELECT pg_advisory_lock(%d);",
	    store_schema_pg, STORE_PG_BASE_VERSION, STORE_PG_SCHEMA_LOCK);
	if (db_exec(db, sql, &cause) != 0)
		fail_msg("%s", cause);
	free(sql);
	for (i = 0; i < 2; i++) {
		assert_true((pid[i] = fork()) >= 0);
		if (pid[i] == 0)
			_exit(open_child(uri));
	}
	for (i = 0; i < 200 && waiting < 2; i++) {
		usleep(50000);
		waiting = (int)tstore_long(uri, "SELECT count(*) FROM pg_locks"
		    " WHERE locktype = 'advisory' AND NOT granted;");
	}
	assert_int_equal(waiting, 2);
	if (db_exec(db, "SELECT pg_advisory_unlock_all();", &cause) != 0)
		fail_msg("%s", cause);
	for (i = 0; i < 2; i++) {
		assert_int_equal(waitpid(pid[i], &status, 0), pid[i]);
		assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
	db_close(db);
	assert_int_equal(tstore_long(uri, "SELECT CAST(value AS BIGINT) FROM"
	    " state WHERE key = 'schema_version';"), STORE_SCHEMA_VERSION);
	assert_int_equal(tstore_long(uri, "SELECT count(*) FROM pg_indexes"
	    " WHERE indexname = 'contacts_last';"), 1);
	assert_int_equal(tstore_long(uri, "SELECT count(*) FROM contacts;"), 1);
}

/* One holder at a time; the next once the lease has run out, with a
 * higher fence; a lease given up is free at once. */
static void
leases(struct store *st)
{
	int64_t f = 0;
	char *cause = NULL;

	assert_int_equal(store_lease_take(st, "plan", "a", 1000, 30, &f,
	    &cause), 1);
	assert_int_equal(f, 1);
	assert_int_equal(store_lease_take(st, "plan", "b", 1010, 30, &f,
	    &cause), 0);
	assert_int_equal(store_lease_take(st, "plan", "a", 1020, 30, &f,
	    &cause), 1);
	assert_int_equal(f, 1);
	assert_int_equal(store_lease_take(st, "plan", "b", 1049, 30, &f,
	    &cause), 0);
	assert_int_equal(store_lease_take(st, "plan", "b", 1050, 30, &f,
	    &cause), 1);
	assert_int_equal(f, 2);
	assert_int_equal(store_lease_take(st, "plan", "a", 1051, 30, &f,
	    &cause), 0);
	assert_int_equal(store_lease_take(st, "send", "a", 1051, 30, &f,
	    &cause), 1);
	assert_int_equal(f, 1);
	assert_int_equal(store_lease_drop(st, "plan", "a", &cause), 0);
	assert_int_equal(store_lease_take(st, "plan", "a", 1052, 30, &f,
	    &cause), 0);
	assert_int_equal(store_lease_drop(st, "plan", "b", &cause), 0);
	assert_int_equal(store_lease_take(st, "plan", "a", 1053, 30, &f,
	    &cause), 1);
	assert_int_equal(f, 3);
}

static void
test_leases(void **state)
{
	const char *uri = getenv("PG_URI");
	struct store *st;
	struct db *db;
	char *path = NULL, *cause = NULL;

	if (*(int *)*state) {
		if (db_open(uri, NULL, &db, &cause) != 0 ||
		    db_exec(db, "DROP SCHEMA IF EXISTS public CASCADE;"
		    " CREATE SCHEMA public;", &cause) != 0)
			fail_msg("%s", cause);
		db_close(db);
	} else
		uri = path = tstore_path();
	if (store_open(uri, &st, &cause) != 0)
		fail_msg("store_open: %s", cause);
	leases(st);
	store_close(st);
	if (path != NULL)
		tstore_remove(path);
}

static int on_sqlite = 0, on_pg = 1;

int
main(void)
{
	const struct CMUnitTest lite[] = {
		cmocka_unit_test(test_triggers_sqlite),
		cmocka_unit_test_prestate(test_leases, &on_sqlite),
	};
	const struct CMUnitTest both[] = {
		cmocka_unit_test(test_triggers_sqlite),
		cmocka_unit_test(test_same_shape),
		cmocka_unit_test(test_triggers_pg),
		cmocka_unit_test(test_open_pg),
		cmocka_unit_test(test_migrate_together),
		cmocka_unit_test_prestate(test_leases, &on_sqlite),
		cmocka_unit_test_prestate(test_leases, &on_pg),
	};
	const char *uri = getenv("PG_URI");

	if (uri == NULL || *uri == '\0') {
		printf("# PostgreSQL checks skipped: PG_URI not set "
		    "(tests/cli/db_pg.sh sets it)\n");
		return cmocka_run_group_tests(lite, NULL, NULL);
	}
	return cmocka_run_group_tests(both, NULL, NULL);
}

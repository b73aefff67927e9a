/* test_store.c - the SQLite store: migrations, customers, history, erase. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "optout.h"
#include "store.h"
#include "store_outbox.h"
#include "store_plan.h"
#include "tstore.h"
#include "util.h"

static struct store *
open_fresh(char **path)
{
	struct store *st = NULL;
	char *cause = NULL;

	*path = tstore_path();
	assert_int_equal(store_open(*path, &st, &cause), 0);
	assert_null(cause);
	return st;
}

/* Every older schema version migrates forward to the current one. */
/* What only SQLite stores have (migrations from older SQLite schemas, the
 * sqlite3 shell, the erase's VACUUM) is skipped on PostgreSQL, saying so. */
#define SQLITE_ONLY(why) do {						\
	const char *pg_ = getenv("TSTORE_PG_URI");			\
	if (pg_ != NULL && *pg_ != '\0') {				\
		print_message("# skipped on PostgreSQL: %s\n", why);	\
		skip();							\
	}								\
} while (0)

static void
test_migrate_from_every_version(void **state)
{
	struct store *st;
	char *path, *cause = NULL;
	int v;

	SQLITE_ONLY("SQLite migrations");

	(void)state;
	for (v = 0; v < STORE_SCHEMA_VERSION; v++) {
		path = tstore_path();
		assert_int_equal(store_open_raw(path, &st, &cause), 0);
		assert_int_equal(store_migrate(st, v, &cause), 0);
		assert_int_equal(store_schema_version(st), v);
		store_close(st);
		assert_int_equal(store_open(path, &st, &cause), 0);
		assert_int_equal(store_schema_version(st), STORE_SCHEMA_VERSION);
		store_close(st);
		/* Opening again is a no-op. */
		assert_int_equal(store_open(path, &st, &cause), 0);
		assert_int_equal(store_schema_version(st), STORE_SCHEMA_VERSION);
		store_close(st);
		tstore_remove(path);
	}
}

/* A store a newer program has migrated is refused, not opened: SQLite's
 * user_version, PostgreSQL's state row. */
static void
test_newer_schema_refused(void **state)
{
	struct store *st;
	char *path, *cause = NULL;

	(void)state;
	path = tstore_path();
	assert_int_equal(store_open(path, &st, &cause), 0);
	store_close(st);
	tstore_exec(path, db_is_conninfo(path) ? "UPDATE state SET value ="
	    " '99' WHERE key = 'schema_version';" : "PRAGMA user_version = 99;");
	assert_int_equal(store_open(path, &st, &cause), -1);
	assert_non_null(strstr(cause, "schema version 99 is newer than this "
	    "program"));
	free(cause);
	cause = NULL;
	assert_int_equal(store_open_existing(path, &st, &cause), -1);
	assert_non_null(strstr(cause, "newer than this program"));
	free(cause);
	tstore_remove(path);
}

/* Whether the store at path has an index called name. */
static int
has_index(const char *path, const char *name)
{
	char *sql;
	long long n;

	sql = xasprintf(db_is_conninfo(path) ? "SELECT count(*) FROM"
	    " pg_indexes WHERE indexname = '%s';" : "SELECT count(*) FROM"
	    " sqlite_master WHERE type = 'index' AND name = '%s';", name);
	n = tstore_long(path, sql);
	free(sql);
	return n > 0;
}

/* The plan of sql on the store at path, one line a step: EXPLAIN QUERY
 * PLAN's details on SQLite, EXPLAIN's lines on PostgreSQL (where the
 * tables of a test are too small for an index to beat reading them
 * whole, so sequential scans are off); malloc'd. */
static char *
plan_of(const char *path, const char *sql)
{
	struct db_stmt *s;
	struct db *db;
	struct buf b;
	char *cause = NULL, *q;
	int pg = db_is_conninfo(path);

	if (db_open(path, NULL, &db, &cause) != 0 || (pg &&
	    db_exec(db, "SET enable_seqscan = off;", &cause) != 0))
		fail_msg("%s", cause);
	q = xasprintf("%s %s", pg ? "EXPLAIN" : "EXPLAIN QUERY PLAN", sql);
	if ((s = db_prepare(db, q, &cause)) == NULL)
		fail_msg("%s: %s", q, cause);
	buf_init(&b);
	while (db_step(s, &cause) == DB_ROW)
		buf_printf(&b, "%s\n", db_column_text(s, pg ? 0 : 3));
	db_finalize(s);
	db_close(db);
	free(q);
	return buf_detach(&b);
}

/* 21 -> 22 on either engine (PostgreSQL's version 21 is its base
 * script): the contacts are kept, contacts_last replaces
 * contacts_customer, and the last contact's kind is read through it. */
static void
test_migrate_21_22(void **state)
{
	struct store *st;
	char *path, *cause = NULL, *kind, *plan;

	(void)state;
	path = tstore_path();
	assert_int_equal(store_open_raw(path, &st, &cause), 0);
	if (store_migrate(st, 21, &cause) != 0)
		fail_msg("%s", cause);
	assert_int_equal(store_schema_version(st), 21);
	store_close(st);
	assert_true(has_index(path, "contacts_customer"));
	tstore_exec(path, "INSERT INTO customers (external_id, name,"
	    " created_at, updated_at) VALUES ('c1', 'Ann', 0, 0);"
	    "INSERT INTO contacts (customer_id, day, kind) VALUES"
	    " (1, 100, 'call'), (1, 100, 'visit'), (1, 90, 'email');");
	if (store_open_existing(path, &st, &cause) != 0)
		fail_msg("%s", cause);
	assert_int_equal(store_schema_version(st), 22);
	assert_true(has_index(path, "contacts_last"));
	assert_false(has_index(path, "contacts_customer"));
	assert_int_equal(tstore_long(path, "SELECT count(*) FROM contacts;"), 3);
	assert_int_equal(tstore_long(path, "SELECT last_contact FROM"
	    " customers;"), 100);
	kind = store_contact_kind(st, 1, 100);
	assert_string_equal(kind, "visit");
	free(kind);
	store_close(st);
	/* The planner's lookup (store_plan.c, CAND_KIND) reads the index
	 * alone, in its order. */
	plan = plan_of(path, "SELECT c.id, (SELECT k.kind FROM contacts k"
	    " WHERE k.customer_id = c.id AND k.day = c.last_contact ORDER BY"
	    " k.id DESC LIMIT 1) FROM customers c;");
	if (strstr(plan, db_is_conninfo(path) ? "Index Only Scan Backward"
	    " using contacts_last" : "COVERING INDEX contacts_last") == NULL ||
	    strstr(plan, "Sort") != NULL)
		fail_msg("the last contact's kind is not read from the index"
		    " alone:\n%s", plan);
	free(plan);
	tstore_remove(path);
}

/* Runs sql on the store at path with sqlite3(1). */
static void
sqlite_run(const char *path, const char *sql)
{
	char *cmd = xasprintf("sqlite3 '%s' \"%s\"", path, sql);
	FILE *fp = popen(cmd, "r");

	assert_non_null(fp);
	assert_int_equal(pclose(fp), 0);
	free(cmd);
}

/* 11 -> 12 keeps the outbox rows and lets a message to a rep (a digest,
 * no customer) in; a row for nobody is still refused. */
static void
test_migrate_outbox_for_reps(void **state)
{
	struct store_rep rep = { .key = "li", .name = "Li" }, got = { 0 };
	struct outbox_msg m = { .dedup_key = "digest:li:2027-01-01",
		.channel = CHANNEL_EMAIL, .recipient = "li@example.test",
		.body = "day", .day = 1, .state = OUTBOX_PENDING };
	struct store *st;
	char *path, *cause = NULL;

	SQLITE_ONLY("SQLite migrations");

	(void)state;
	path = tstore_path();
	assert_int_equal(store_open_raw(path, &st, &cause), 0);
	assert_int_equal(store_migrate(st, 11, &cause), 0);
	store_close(st);
	sqlite_run(path, "INSERT INTO customers (external_id, name, created_at,"
	    " updated_at) VALUES ('c1', 'C', 0, 0); INSERT INTO outbox"
	    " (dedup_key, customer_id, channel, recipient, body, day,"
	    " not_before, created_at, updated_at) VALUES ('k1', 1, 'email',"
	    " 'c@example.test', 'hi', 1, 0, 0, 0);");
	assert_int_equal(store_open(path, &st, &cause), 0);
	assert_int_equal(store_outbox_has(st, "k1", &cause), 1);
	assert_int_equal(store_rep_upsert(st, &rep, &cause), 0);
	assert_int_equal(store_rep_get(st, "li", &got, &cause), 1);
	assert_int_equal(store_outbox_insert(st, &m, 0, NULL, &cause), -1);
	free(cause);
	cause = NULL;
	m.rep_id = got.id;
	assert_int_equal(store_outbox_insert(st, &m, 0, NULL, &cause), 1);
	assert_int_equal(store_outbox_has(st, m.dedup_key, &cause), 1);
	store_rep_clear(&got);
	store_close(st);
	tstore_remove(path);
}

static void
add_customer(struct store *st, const char *ext, const char *name,
    const char *bday, int64_t *id)
{
	struct customer c;
	struct customer_keys k;
	char *cause = NULL;

	customer_init(&c);
	c.field[CUST_EXTERNAL_ID] = xstrdup(ext);
	c.field[CUST_NAME] = xstrdup(name);
	c.field[CUST_BIRTHDAY] = bday ? xstrdup(bday) : NULL;
	customer_attr_set(&c, "hobby", "golf");
	customer_keys(&c, &k);
	assert_int_equal(store_customer_upsert(st, &c, &k,
	    (1u << CUST_NFIELDS) - 1, 1000, id, &cause), 0);
	customer_clear(&c);
}

static void
test_customer_roundtrip(void **state)
{
	struct store *st;
	struct customer c, u;
	struct customer_keys k;
	char *path, *cause = NULL;
	int64_t id, id2;

	(void)state;
	st = open_fresh(&path);
	add_customer(st, "C1", "张伟", "1980-02-29", &id);
	customer_init(&c);
	assert_int_equal(store_customer_get(st, "C1", &c, &cause), 1);
	assert_string_equal(c.field[CUST_NAME], "张伟");
	assert_string_equal(c.field[CUST_BIRTHDAY], "1980-02-29");
	assert_null(c.field[CUST_EMAIL]);
	assert_int_equal(c.nattrs, 1);
	assert_string_equal(customer_attr_get(&c, "hobby"), "golf");
	assert_int_equal(c.last_contact, DAY_NONE);
	customer_clear(&c);

	/* Partial update: only e-mail present; name and attrs kept; an empty
	 * attribute value deletes it. */
	customer_init(&u);
	u.field[CUST_EXTERNAL_ID] = xstrdup("C1");
	u.field[CUST_NAME] = xstrdup("ignored");
	u.field[CUST_EMAIL] = xstrdup("zw@example.test");
	customer_attr_set(&u, "hobby", "");
	customer_attr_set(&u, "children", "2");
	customer_keys(&u, &k);
	assert_int_equal(store_customer_upsert(st, &u, &k, 1u << CUST_EMAIL,
	    2000, &id2, &cause), 0);
	assert_int_equal(id, id2);
	customer_clear(&u);
	customer_init(&c);
	assert_int_equal(store_customer_get(st, "C1", &c, &cause), 1);
	assert_string_equal(c.field[CUST_NAME], "张伟");
	assert_string_equal(c.field[CUST_EMAIL], "zw@example.test");
	assert_null(customer_attr_get(&c, "hobby"));
	assert_string_equal(customer_attr_get(&c, "children"), "2");
	assert_int_equal(c.created_at, 1000);
	assert_int_equal(c.updated_at, 2000);
	customer_clear(&c);
	customer_init(&c);
	assert_int_equal(store_customer_get(st, "nope", &c, &cause), 0);
	store_close(st);
	tstore_remove(path);
}

/* Last contact and first/last purchase are derived by the store. */
static void
test_history_derived(void **state)
{
	struct store *st;
	struct customer c;
	char *path, *cause = NULL;
	int64_t id;

	(void)state;
	st = open_fresh(&path);
	add_customer(st, "C2", "Alice Smith", NULL, &id);
	assert_int_equal(store_purchase_add(st, id, 12345, 20000, &cause), 0);
	assert_int_equal(store_purchase_add(st, id, 500, 19000, &cause), 0);
	assert_int_equal(store_purchase_add(st, id, 700, 20500, &cause), 0);
	assert_int_equal(store_contact_add(st, id, 0, 20100, "call", NULL,
	    &cause), 0);
	assert_int_equal(store_contact_add(st, id, 0, 19900, "visit", "old",
	    &cause), 0);
	assert_int_equal(store_contact_add(st, id, 0, 19900, "spam", NULL,
	    &cause), -1);
	/* SQLite's words, or PostgreSQL's. */
	assert_true(strstr(cause, "CHECK constraint failed") != NULL ||
	    strstr(cause, "violates check constraint") != NULL);
	free(cause);
	customer_init(&c);
	assert_int_equal(store_customer_get(st, "C2", &c, NULL), 1);
	assert_int_equal(c.first_purchase, 19000);
	assert_int_equal(c.last_purchase, 20500);
	assert_int_equal(c.last_contact, 20100);
	customer_clear(&c);
	store_close(st);
	tstore_remove(path);
}

static int
count_cb(void *arg, const struct customer *c)
{
	(void)c;
	(*(int *)arg)++;
	return 0;
}

static void
test_forget_erases_history(void **state)
{
	struct store *st;
	struct store_stats s;
	char *path, *cause = NULL, *cmd;
	int64_t id;
	int n = 0;
	FILE *fp;
	char line[64];

	(void)state;
	st = open_fresh(&path);
	add_customer(st, "C3", "Secret Person", "--12-24", &id);
	add_customer(st, "C4", "Other", NULL, &id);
	assert_int_equal(store_customer_id(st, "C3", &id, NULL), 1);
	assert_int_equal(store_purchase_add(st, id, 1, 1, &cause), 0);
	assert_int_equal(store_contact_add(st, id, 0, 1, "gift", "n", &cause), 0);
	assert_int_equal(store_erase_pending(st, &cause), 0);
	assert_int_equal(store_customer_forget(st, "C3", &cause), 1);
	assert_int_equal(store_erase_pending(st, &cause), 1);
	assert_int_equal(store_customer_forget(st, "C3", &cause), 0);
	assert_int_equal(store_erase_finish(st, 0, &cause), 0);
	assert_int_equal(store_erase_pending(st, &cause), 0);
	assert_int_equal(store_customer_each(st, NULL, count_cb, &n, &cause), 0);
	assert_int_equal(n, 1);
	assert_int_equal(store_stats(st, &s, &cause), 0);
	assert_int_equal(s.customers, 1);
	assert_int_equal(s.purchases, 0);
	assert_int_equal(s.contacts, 0);
	store_stats_clear(&s);
	store_close(st);
	/* The name is gone from the file itself (SQLite: PostgreSQL's
	 * VACUUM frees the rows' space without zeroing it). */
	if (db_is_conninfo(path)) {
		tstore_remove(path);
		return;
	}
	cmd = xasprintf("grep -c 'Secret Person' '%s' || true", path);
	fp = popen(cmd, "r");
	assert_non_null(fgets(line, sizeof(line), fp));
	pclose(fp);
	assert_string_equal(line, "0\n");
	free(cmd);
	tstore_remove(path);
}

/* Ids are never reused (schema 8): a forgotten customer's unsubscribe link
 * must not opt out the next customer, who once got the same id. */
static void
test_ids_never_reused(void **state)
{
	unsigned char secret[TOKEN_SECRET_LEN];
	struct optout_token t;
	struct customer c;
	struct store *st;
	char *path, *cause = NULL, *tok;
	int64_t a, b;

	(void)state;
	st = open_fresh(&path);
	add_customer(st, "K1", "Kept", NULL, &b);
	add_customer(st, "A", "Forgotten", NULL, &a);
	assert_int_equal(optout_secret(st, secret, &cause), 0);
	tok = token_unsub_make(secret, 1, a, 'e');
	assert_int_equal(store_customer_forget(st, "A", &cause), 1);
	add_customer(st, "B", "Next", NULL, &b);
	assert_true(b > a);
	/* A's link is still authentic, but names nobody now. */
	assert_int_equal(optout_token_check(secret, tok, &t), 0);
	assert_int_equal(t.customer_id, a);
	assert_int_equal(optout_record(st, t.customer_id, t.channel, 3000,
	    &cause), 0);
	customer_init(&c);
	assert_int_equal(store_customer_get(st, "B", &c, &cause), 1);
	assert_null(c.field[CUST_OPT_OUT]);
	customer_clear(&c);
	free(tok);
	store_close(st);
	tstore_remove(path);
}

/* sqlite3 SQL on the store file: the first column of the first row. */
static char *
sql1(const char *path, const char *sql)
{
	char *cmd, line[256];
	FILE *fp;

	cmd = xasprintf("sqlite3 '%s' \"%s\"", path, sql);
	fp = popen(cmd, "r");
	assert_non_null(fp);
	if (fgets(line, sizeof line, fp) == NULL)
		line[0] = '\0';
	line[strcspn(line, "\n")] = '\0';
	assert_int_equal(pclose(fp), 0);
	free(cmd);
	return xstrdup(line);
}

#define assert_sql(path, sql, want) do {				\
	char *got_ = sql1(path, sql);					\
	assert_string_equal(got_, want);				\
	free(got_);							\
} while (0)

/* A schema 6 store moves to AUTOINCREMENT with every row, the history,
 * the indexes and the triggers; an id forgotten before then is the only
 * one that can come back. */
static void
test_migrate_autoincrement(void **state)
{
	struct customer c;
	struct store_stats s;
	struct store *st;
	char *path, *cause = NULL;
	int64_t id1, id2, id3, id4;

	SQLITE_ONLY("SQLite migrations");

	(void)state;
	path = tstore_path();
	assert_int_equal(store_open_raw(path, &st, &cause), 0);
	assert_int_equal(store_migrate(st, 6, &cause), 0);
	add_customer(st, "C1", "One", "1980-05-20", &id1);
	add_customer(st, "C2", "Two", NULL, &id2);
	add_customer(st, "C3", "Three", NULL, &id3);
	assert_int_equal(store_purchase_add(st, id1, 100, 20000, &cause), 0);
	assert_int_equal(store_contact_add(st, id1, 0, 20001, "call", "n",
	    &cause), 0);
	assert_int_equal(store_contact_add(st, id2, 0, 20002, "visit", NULL,
	    &cause), 0);
	assert_int_equal(store_customer_forget(st, "C3", &cause), 1);
	store_close(st);
	assert_sql(path, "SELECT count(*) FROM sqlite_schema WHERE sql LIKE "
	    "'%AUTOINCREMENT%'", "0");

	assert_int_equal(store_open(path, &st, &cause), 0);
	assert_int_equal(store_schema_version(st), STORE_SCHEMA_VERSION);
	customer_init(&c);
	assert_int_equal(store_customer_get(st, "C1", &c, &cause), 1);
	assert_int_equal(c.id, id1);
	assert_string_equal(c.field[CUST_BIRTHDAY], "1980-05-20");
	assert_string_equal(customer_attr_get(&c, "hobby"), "golf");
	assert_int_equal(c.first_purchase, 20000);
	assert_int_equal(c.last_contact, 20001);
	customer_clear(&c);
	assert_int_equal(store_stats(st, &s, &cause), 0);
	assert_int_equal(s.customers, 2);
	assert_int_equal(s.purchases, 1);
	assert_int_equal(s.contacts, 2);
	store_stats_clear(&s);
	/* The triggers derive again; the cascade erases again. */
	assert_int_equal(store_contact_add(st, id1, 0, 20100, "gift", NULL,
	    &cause), 0);
	customer_init(&c);
	assert_int_equal(store_customer_get(st, "C1", &c, &cause), 1);
	assert_int_equal(c.last_contact, 20100);
	customer_clear(&c);
	assert_int_equal(store_customer_forget(st, "C2", &cause), 1);
	assert_int_equal(store_stats(st, &s, &cause), 0);
	assert_int_equal(s.contacts, 2);
	store_stats_clear(&s);
	/* C2 had the largest id when it was forgotten: not handed out.  C3's,
	 * forgotten before schema 8 and above the largest id left then, is. */
	add_customer(st, "C4", "Four", NULL, &id4);
	assert_true(id4 > id2);
	assert_int_equal(id4, id3);
	store_close(st);
	assert_sql(path, "SELECT count(*) FROM sqlite_schema WHERE tbl_name = "
	    "'customers' AND type = 'index'", "12");
	assert_sql(path, "SELECT group_concat(name) FROM (SELECT name FROM "
	    "sqlite_schema WHERE type = 'trigger' ORDER BY name)",
	    "contacts_derive,customers_optout,customers_refreshed,"
	    "purchases_derive,purchases_rederive");
	assert_sql(path, "SELECT count(*) FROM pragma_foreign_key_list("
	    "'contacts') WHERE \\\"table\\\" = 'customers'", "1");
	assert_sql(path, "PRAGMA integrity_check", "ok");
	assert_sql(path, "PRAGMA foreign_key_check", "");
	tstore_remove(path);
}

/* 'sent' rows are outside the outbox_state index (schema 6): counts
 * derive them, by channel too, recovery and retry still find their rows
 * through it; the last send of each channel comes from outbox_sent. */
static void
test_outbox_counts_and_recovery(void **state)
{
	static const enum outbox_state after[] = { OUTBOX_SENT, OUTBOX_SENT,
		OUTBOX_SENT, OUTBOX_SENDING, OUTBOX_FAILED, OUTBOX_PENDING };
	char *path = tstore_path(), *cause = NULL, key[16];
	struct outbox_msg m = { 0 };
	long c[OUTBOX_NSTATES], by[OUTBOX_NSTATES][CHANNEL_COUNT];
	struct store *st;
	int64_t cust, id[6];
	size_t i;
	int k;

	(void)state;
	assert_int_equal(store_open(path, &st, &cause), 0);
	add_customer(st, "C1", "Ann", NULL, &cust);
	assert_int_equal(store_outbox_counts(st, c, &cause), 0);
	for (k = 0; k < OUTBOX_NSTATES; k++)
		assert_int_equal(c[k], 0);
	assert_int_equal(store_outbox_last_sent(st, CHANNEL_EMAIL, &cause), 0);
	m.customer_id = cust;
	m.channel = CHANNEL_EMAIL;
	m.recipient = "ann@example.test";
	m.body = "Hello";
	m.day = 20000;
	for (i = 0; i < 6; i++) {
		snprintf(key, sizeof key, "k%zu", i);
		m.dedup_key = key;
		m.channel = i == 0 ? CHANNEL_SMS : CHANNEL_EMAIL;
		assert_int_equal(store_outbox_insert(st, &m, 1000, &id[i],
		    &cause), 1);
		if (after[i] != OUTBOX_PENDING)
			assert_int_equal(store_outbox_update(st, ROW(id[i], 0),
			    after[i], 1, 1000, NULL, NULL,
			    after[i] == OUTBOX_SENT ? 1001 + (int64_t)i : 0,
			    1001, &cause), 1);
	}
	assert_int_equal(store_outbox_report(st, id[0], 1, NULL, 1002, &cause),
	    1);
	/* a delivery report names an SMS: a sent e-mail stays sent */
	assert_int_equal(store_outbox_report(st, id[1], 0, "x", 1002, &cause),
	    0);
	assert_int_equal(store_outbox_counts(st, c, &cause), 0);
	assert_int_equal(c[OUTBOX_SENT], 2);
	assert_int_equal(c[OUTBOX_DELIVERED], 1);
	assert_int_equal(c[OUTBOX_SENDING], 1);
	assert_int_equal(c[OUTBOX_FAILED], 1);
	assert_int_equal(c[OUTBOX_PENDING], 1);
	assert_int_equal(c[OUTBOX_RETRY], 0);
	assert_int_equal(store_outbox_counts_by(st, by, &cause), 0);
	assert_int_equal(by[OUTBOX_SENT][CHANNEL_EMAIL], 2);
	assert_int_equal(by[OUTBOX_SENT][CHANNEL_SMS], 0);
	assert_int_equal(by[OUTBOX_DELIVERED][CHANNEL_SMS], 1);
	assert_int_equal(by[OUTBOX_DELIVERED][CHANNEL_EMAIL], 0);
	assert_int_equal(by[OUTBOX_SENDING][CHANNEL_EMAIL], 1);
	assert_int_equal(by[OUTBOX_PENDING][CHANNEL_EMAIL], 1);
	assert_int_equal(by[OUTBOX_PENDING][CHANNEL_SMS], 0);
	/* the delivered SMS keeps the time it was sent */
	assert_int_equal(store_outbox_last_sent(st, CHANNEL_EMAIL, &cause),
	    1003);
	assert_int_equal(store_outbox_last_sent(st, CHANNEL_SMS, &cause), 1001);
	assert_int_equal(store_outbox_recover(st, 1003, 0, &k, &cause), 0);
	assert_int_equal(k, 1);
	assert_int_equal(store_outbox_retry(st, 0, 1004, &cause), 1);
	assert_int_equal(store_outbox_counts(st, c, &cause), 0);
	assert_int_equal(c[OUTBOX_RETRY], 2);
	assert_int_equal(c[OUTBOX_SENT], 2);
	assert_int_equal(c[OUTBOX_SENDING], 0);
	assert_int_equal(c[OUTBOX_FAILED], 0);
	store_close(st);
	tstore_remove(path);
}

static void
test_reps(void **state)
{
	struct store *st;
	struct store_rep r = { 0 }, got = { 0 };
	char *path, *cause = NULL;

	(void)state;
	st = open_fresh(&path);
	r.key = "li", r.name = "李娜", r.email = "li@example.test";
	assert_int_equal(store_rep_upsert(st, &r, &cause), 0);
	r.name = "Li Na";
	assert_int_equal(store_rep_upsert(st, &r, &cause), 0);
	assert_int_equal(store_rep_get(st, "li", &got, &cause), 1);
	assert_string_equal(got.name, "Li Na");
	assert_null(got.phone);
	assert_null(got.locale);
	store_rep_clear(&got);
	r.locale = "zh_CN";
	assert_int_equal(store_rep_upsert(st, &r, &cause), 0);
	assert_int_equal(store_rep_get(st, "li", &got, &cause), 1);
	assert_string_equal(got.locale, "zh_CN");
	store_rep_clear(&got);
	assert_int_equal(store_rep_get(st, "zz", &got, &cause), 0);
	store_close(st);
	tstore_remove(path);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_migrate_from_every_version),
		cmocka_unit_test(test_newer_schema_refused),
		cmocka_unit_test(test_migrate_21_22),
		cmocka_unit_test(test_migrate_outbox_for_reps),
		cmocka_unit_test(test_customer_roundtrip),
		cmocka_unit_test(test_history_derived),
		cmocka_unit_test(test_forget_erases_history),
		cmocka_unit_test(test_ids_never_reused),
		cmocka_unit_test(test_migrate_autoincrement),
		cmocka_unit_test(test_outbox_counts_and_recovery),
		cmocka_unit_test(test_reps),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

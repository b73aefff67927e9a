/* test_pg_plan.c - the planner's, tasks' and rep pages' store functions
 * (store_plan.c, store_task.c, store_page.c) on db.h: run alone on SQLite,
 * and on PostgreSQL with TSTORE_PG_URI set (see tstore.h).  The rows are
 * written with plain SQL both engines take, so nothing but the functions
 * under test and store_open() is needed. */
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
#include "store.h"
#include "store_page.h"
#include "store_plan.h"
#include "store_schema.h"
#include "store_task.h"
#include "tstore.h"
#include "util.h"

#define D0 20000		/* a day number */
#define T0 ((int64_t)D0 * 86400)

static const char fixture[] =
    "INSERT INTO reps (id, key, name, email, phone, token_hash, timezone,"
    " digest, locale, created_at) VALUES"
    " (1, 'smith', 'Smith', 's@example.com', '+441', 'aa11', 'Europe/London',"
    "  1, 'en', 1728000000),"
    " (2, 'li', 'Li', NULL, NULL, NULL, NULL, 0, NULL, 1728000000);"
    "INSERT INTO customers (id, external_id, name, email, phone, channel,"
    " tier, rep_id, bday_md, sleep_days, revisit_next, created_at,"
    " updated_at) VALUES"
    " (1, 'C1', 'Ann', 'a@example.com', NULL, 'email', 'A', 1, 1225, NULL,"
    "  NULL, 1728000000, 1728000000),"
    " (2, 'C2', 'Bob', NULL, '+8613800138000', 'sms', NULL, 2, 101, 30,"
    "  NULL, 1728000000, 1728432000),"
    " (3, 'C3', 'Cy', NULL, NULL, NULL, 'B', NULL, NULL, NULL, 20010,"
    "  1728000000, 1728000000);"
    "INSERT INTO customer_attrs (customer_id, name, value) VALUES"
    " (1, 'company', 'ACME'), (2, 'company', '');"
    "INSERT INTO purchases (customer_id, amount, day) VALUES"
    " (2, 500, 19950), (2, 700, 19980), (1, 100, 19990);"
    "INSERT INTO contacts (customer_id, rep_id, day, kind, note) VALUES"
    " (3, NULL, 19000, 'call', 'old'),"
    " (1, 1, 20005, 'visit', 'hello'),"
    " (1, 1, 20005, 'call', NULL);";

struct fx {
	struct store *st;
	char *path;
	int pg;
};

static int
setup(void **state)
{
	struct fx *f = xcalloc(1, sizeof(*f));
	char *cause = NULL;

	f->path = tstore_path();
	f->pg = db_is_conninfo(f->path);
	if (store_open(f->path, &f->st, &cause) != 0)
		fail_msg("store_open: %s", cause);
	if (db_exec(f->st->conn, fixture, &cause) != 0)
		fail_msg("fixture: %s", cause);
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

/* Appends ",word" (or "word" to an empty list) to buf of 256 bytes. */
static void
add_word(char *buf, const char *word)
{
	size_t n = strlen(buf);

	snprintf(buf + n, 256 - n, "%s%s", n > 0 ? "," : "", word);
}

/* Collects candidates' external ids, comma separated. */
struct ids {
	char buf[256];
	struct plan_cand last;	/* its strings cleared: the statement's */
	char rep[32], email[32];
	int phone;		/* 1 when the last one had a phone */
};

static int
on_cand(void *arg, const struct plan_cand *c)
{
	struct ids *ids = arg;

	add_word(ids->buf, c->external_id);
	ids->last = *c;
	ids->last.external_id = ids->last.name = ids->last.rep = NULL;
	ids->last.email = ids->last.phone = ids->last.channel = NULL;
	ids->last.opt_out = ids->last.birthday = ids->last.anniversary = NULL;
	snprintf(ids->rep, sizeof(ids->rep), "%s", c->rep ? c->rep : "-");
	snprintf(ids->email, sizeof(ids->email), "%s",
	    c->email ? c->email : "-");
	ids->phone = c->phone != NULL;
	return 0;
}

static const char *
query(struct store *st, enum store_plan_query q, const int64_t *a, size_t n,
    struct ids *ids)
{
	char *cause = NULL;

	memset(ids, 0, sizeof(*ids));
	if (store_plan_query(st, q, a, n, on_cand, ids, &cause) != 0)
		fail_msg("%s: %s", store_plan_sql(st, q), cause);
	return ids->buf;
}

static int
on_first(void *arg, const struct plan_cand *c)
{
	(void)c;
	++*(int *)arg;
	return 7;
}

/* Each event kind's candidate query, keys filled as the planner does. */
static void
test_candidates(void **state)
{
	struct fx *f = *state;
	struct ids ids;
	int64_t a[4];
	int n = 0;

	a[0] = 1225;
	a[1] = 101;
	query(f->st, PQ_BIRTHDAY_MD, a, 2, &ids);	/* in no set order */
	assert_true(strcmp(ids.buf, "C1,C2") == 0 ||
	    strcmp(ids.buf, "C2,C1") == 0);
	a[0] = 101;
	assert_string_equal(query(f->st, PQ_BIRTHDAY_MD, a, 1, &ids), "C2");
	assert_int_equal(ids.last.tier, 'C');
	assert_int_equal(ids.last.sleep_days, 30);
	assert_int_equal(ids.last.last_purchase, 19980);
	assert_int_equal(ids.last.first_purchase, 19950);
	assert_int_equal(ids.last.updated_day, D0 + 5);
	assert_int_equal(ids.last.created_day, D0);
	assert_int_equal(ids.last.revisit_next, DAY_NONE);
	a[0] = 'A';
	a[1] = D0 + 10;
	assert_string_equal(query(f->st, PQ_REVISIT, a, 2, &ids), "C1");
	assert_int_equal(ids.last.last_contact, D0 + 5);
	assert_int_equal(ids.last.revisit_from, D0 + 5);
	a[0] = 'B';	/* C3 has a "next follow-up on" date instead */
	assert_string_equal(query(f->st, PQ_REVISIT, a, 2, &ids), "");
	a[0] = D0 + 10;
	assert_string_equal(query(f->st, PQ_REVISIT_NEXT, a, 1, &ids), "C3");
	a[0] = 19980;
	a[1] = 30;
	assert_string_equal(query(f->st, PQ_LAST_PURCHASE, a, 2, &ids), "C2");
	a[0] = 19980 + 30;
	a[1] = 60;
	assert_string_equal(query(f->st, PQ_SLEEP_PERSONAL, a, 2, &ids), "C2");
	a[0] = T0 + 86400;
	a[1] = T0 + 10 * 86400;
	assert_string_equal(query(f->st, PQ_UPDATED, a, 2, &ids), "C2");
	a[0] = D0 + 5;
	assert_string_equal(query(f->st, PQ_VISITED, a, 1, &ids), "C1");
	assert_string_equal(ids.rep, "smith");
	assert_string_equal(ids.email, "a@example.com");
	assert_int_equal(ids.phone, 0);
	a[0] = D0 + 4;
	assert_string_equal(query(f->st, PQ_VISITED, a, 1, &ids), "");
	a[0] = D0;
	assert_string_equal(query(f->st, PQ_STALE_FLAGGED, a, 1, &ids), "");
	/* A callback's stop comes back. */
	assert_int_equal(store_plan_query(f->st, PQ_ALL, NULL, 0, on_first, &n,
	    NULL), 7);
	assert_int_equal(n, 1);
	assert_int_equal(store_customer_has_attr(f->st, 1, "company"), 1);
	assert_int_equal(store_customer_has_attr(f->st, 2, "company"), 0);
	assert_int_equal(store_customer_has_attr(f->st, 3, "company"), 0);
}

static void
insert(struct store *st, const char *key, int64_t cust, int32_t day,
    const char *action, const char *event, int want)
{
	struct plan_row r = { key, "rule", event, cust, day, 0, action,
		strcmp(action, "message") == 0 ? "email" : NULL,
		strcmp(action, "task") == 0 ? "call" : NULL, "why" };
	char *cause = NULL;

	assert_int_equal(store_plan_insert(st, &r, T0, &cause), want);
}

/* The reason, sequence and host of the task under key. */
static void
check_task(struct store *st, const char *key, const char *reason, int seq,
    const char *host)
{
	struct store_task t;
	char *cause = NULL;
	int64_t id = 0, hid = 0;

	assert_int_equal(store_plan_item_id(st, key, &id, &cause), 1);
	if (host != NULL)
		assert_int_equal(store_plan_item_id(st, host, &hid, &cause), 1);
	assert_int_equal(store_task_get(st, id, &t, &cause), 1);
	assert_string_equal(t.reason, reason);
	assert_int_equal(t.sequence, seq);
	assert_int_equal(t.merged_into, hid);
	store_task_clear(&t);
}

/* A committing planner's held writes (sent together on PostgreSQL) end
 * as one by one: items, merges into the day's first open task, the
 * revisit clock; what reads them sees them. */
static void
test_held_writes(void **state)
{
	struct fx *f = *state;
	struct plan_write_counts n;
	struct db_stmt *s;
	char *cause = NULL;
	int merged = 0;

	insert(f->st, "k0", 2, D0 + 1, "task", "lost", 1);
	assert_int_equal(store_begin(f->st, &cause), 0);
	store_plan_hold(f->st);
	insert(f->st, "k1", 2, D0 + 1, "task", "revisit", 1);
	merged += store_plan_task_merge(f->st, "k1", 2, D0 + 1, "a", T0 + 9,
	    &cause);
	insert(f->st, "k0", 2, D0 + 1, "task", "lost", f->pg ? 1 : 0);
	insert(f->st, "k2", 1, D0, "task", "revisit", 1);
	merged += store_plan_task_merge(f->st, "k2", 1, D0, "b", T0 + 9,
	    &cause);
	insert(f->st, "k3", 1, D0, "message", "birthday", 1);
	insert(f->st, "k4", 1, D0, "task", "lost", 1);
	merged += store_plan_task_merge(f->st, "k4", 1, D0, "c", T0 + 9,
	    &cause);
	assert_int_equal(store_plan_revisit_done(f->st, 3, D0 + 10, &cause), 0);
	assert_int_equal(store_plan_exists(f->st, "k3", &cause), 1);
	assert_int_equal(store_plan_messages(f->st, 1, D0, D0, &cause), 1);
	insert(f->st, "k5", 2, D0 + 1, "task", "stale", 1);
	merged += store_plan_task_merge(f->st, "k5", 2, D0 + 1, "d", T0 + 9,
	    &cause);
	assert_int_equal(store_plan_release(f->st, 1, &n, &cause), 0);
	assert_int_equal(n.existed, f->pg ? 1 : 0);
	assert_int_equal(merged + (int)n.merged, 3);
	assert_int_equal(store_commit(f->st, &cause), 0);
	check_task(f->st, "k0", "why; a; d", 2, NULL);
	check_task(f->st, "k1", "why", 0, "k0");
	check_task(f->st, "k2", "why; c", 1, NULL);
	check_task(f->st, "k4", "why", 0, "k2");
	check_task(f->st, "k5", "why", 0, "k0");
	s = db_prepare(f->st->conn, "SELECT revisit_planned, CASE WHEN"
	    " revisit_next IS NULL THEN 1 ELSE 0 END FROM customers"
	    " WHERE id = 3", &cause);
	assert_non_null(s);
	assert_int_equal(db_step(s, &cause), DB_ROW);
	assert_int_equal(db_column_int64(s, 0), D0 + 10);
	assert_int_equal(db_column_int64(s, 1), 1);
	db_finalize(s);
}

/* Planned items: inserted once, looked up, counted, merged. */
static void
test_plan_items(void **state)
{
	struct fx *f = *state;
	struct store_task t;
	char *cause = NULL, *v;
	int64_t id = 0, id2 = 0;

	insert(f->st, "k1", 1, D0, "message", "birthday", 1);
	insert(f->st, "k1", 1, D0, "message", "birthday", 0);
	insert(f->st, "k2", 1, D0 + 3, "message", "anniversary", 1);
	insert(f->st, "k3", 2, D0 + 1, "task", "revisit", 1);
	insert(f->st, "k4", 2, D0 + 1, "task", "lost", 1);
	assert_int_equal(store_plan_item_id(f->st, "k1", &id, &cause), 1);
	assert_true(id > 0);
	assert_int_equal(store_plan_item_id(f->st, "none", &id2, &cause), 0);
	assert_int_equal(store_plan_exists(f->st, "k2", &cause), 1);
	assert_int_equal(store_plan_exists(f->st, "k9", &cause), 0);
	assert_int_equal(store_plan_messages(f->st, 1, D0, D0 + 2, &cause), 1);
	assert_int_equal(store_plan_messages(f->st, 1, D0, D0 + 3, &cause), 2);
	assert_int_equal(store_plan_messages(f->st, 2, D0, D0 + 3, &cause), 0);
	assert_int_equal(store_plan_open_task(f->st, 2, "lost", &id, &cause), 1);
	assert_int_equal(store_plan_item_id(f->st, "k4", &id2, &cause), 1);
	assert_true(id == id2);
	assert_int_equal(store_plan_open_task(f->st, 2, "birthday", &id,
	    &cause), 0);
	/* k4 joins k3, the first open task of the day. */
	assert_int_equal(store_plan_task_merge(f->st, "k4", 2, D0 + 1, "lost",
	    T0 + 60, &cause), 1);
	assert_int_equal(store_plan_task_merge(f->st, "k3", 2, D0 + 2, "x",
	    T0 + 60, &cause), 0);
	assert_int_equal(store_plan_item_id(f->st, "k3", &id, &cause), 1);
	assert_int_equal(store_task_get(f->st, id, &t, &cause), 1);
	assert_string_equal(t.reason, "why; lost");
	assert_int_equal(t.sequence, 1);
	assert_int_equal(t.modified_at, T0 + 60);
	store_task_clear(&t);
	assert_int_equal(store_task_get(f->st, id2, &t, &cause), 1);
	assert_int_equal(t.merged_into, id);
	store_task_clear(&t);
	v = store_contact_kind(f->st, 1, D0 + 5);
	assert_string_equal(v, "call");
	free(v);
	assert_null(store_contact_kind(f->st, 2, D0 + 5));
	assert_int_equal(store_plan_revisit_done(f->st, 3, D0 + 10, &cause), 0);
	assert_int_equal(store_state_get(f->st, "day", &v, &cause), 0);
	assert_null(v);
	assert_int_equal(store_state_set(f->st, "day", "1", &cause), 0);
	assert_int_equal(store_state_set(f->st, "day", "2", &cause), 0);
	assert_int_equal(store_state_get(f->st, "day", &v, &cause), 1);
	assert_string_equal(v, "2");
	free(v);
}

struct tiers {
	int n;
	int64_t revenue[4];
	size_t ndays[4];
	int sleep[4];
	char old[4];
};

static int
on_tier(void *arg, const struct tier_row *r)
{
	struct tiers *t = arg;

	if (r->id < 4) {
		t->revenue[r->id] = r->revenue;
		t->ndays[r->id] = r->ndays;
		t->sleep[r->id] = r->sleep_days;
		t->old[r->id] = r->old_tier;
	}
	t->n++;
	return 0;
}

/* Tier rows walk two cursors; the writes land. */
static void
test_tiers(void **state)
{
	struct fx *f = *state;
	struct tiers t;
	struct ids ids;
	char *cause = NULL;
	int64_t a[2];

	memset(&t, 0, sizeof(t));
	assert_int_equal(store_tier_rows(f->st, 19960, 20000, 1, on_tier, &t,
	    &cause), 0);
	assert_int_equal(t.n, 3);
	assert_int_equal(t.revenue[1], 100);
	assert_int_equal(t.revenue[2], 700);
	assert_int_equal(t.ndays[2], 2);
	assert_int_equal(t.sleep[2], 30);
	assert_int_equal(t.sleep[1], 0);
	assert_int_equal(t.old[2], 0);
	assert_int_equal(store_tier_set(f->st, 2, NULL, 'B', D0, &cause), 0);
	assert_int_equal(store_sleep_days_set(f->st, 2, 0, &cause), 0);
	assert_int_equal(store_sleep_days_set(f->st, 1, 45, &cause), 0);
	memset(&t, 0, sizeof(t));
	assert_int_equal(store_tier_rows(f->st, 19960, 20000, 0, on_tier, &t,
	    &cause), 0);
	assert_int_equal(t.old[2], 'B');
	assert_int_equal(t.sleep[2], 0);
	assert_int_equal(t.sleep[1], 45);
	assert_int_equal(t.ndays[2], 0);
	a[0] = 'B';
	a[1] = D0 + 10;
	assert_string_equal(query(f->st, PQ_REVISIT, a, 2, &ids), "C2");
}

static int
on_task(void *arg, const struct store_task *t)
{
	char *buf = arg;

	add_word(buf, t->dedup_key);
	return 0;
}

static int
on_token(void *arg, const struct store_rep *r, const char *hash)
{
	char *buf = arg;

	snprintf(buf, 256, "%s:%s:%s:%d", r->key, hash, r->timezone, r->digest);
	return 0;
}

/* Tasks listed, got, counted and closed; tokens and stamps. */
static void
test_tasks(void **state)
{
	struct fx *f = *state;
	struct store_feed_stamp fs, fs2;
	struct store_task t;
	char buf[256], *cause = NULL;
	int64_t id = 0;
	long n = -1;

	insert(f->st, "t1", 1, D0, "task", "birthday", 1);
	insert(f->st, "t2", 2, D0 + 2, "task", "lost", 1);
	insert(f->st, "t3", 3, D0 - 1, "task", "revisit", 1);
	insert(f->st, "m1", 1, D0, "message", "birthday", 1);
	buf[0] = '\0';
	assert_int_equal(store_task_each(f->st, NULL, 0, on_task, buf, &cause),
	    0);
	assert_string_equal(buf, "t3,t1,t2");
	buf[0] = '\0';
	assert_int_equal(store_task_each(f->st, "smith", 0, on_task, buf,
	    &cause), 0);
	assert_string_equal(buf, "t1");
	buf[0] = '\0';
	assert_int_equal(store_task_due_each(f->st, D0 + 1, on_task, buf,
	    &cause), 0);
	assert_string_equal(buf, "t1,t3");	/* reps first, no rep last */
	assert_int_equal(store_plan_item_id(f->st, "t1", &id, &cause), 1);
	assert_int_equal(store_task_get(f->st, id, &t, &cause), 1);
	assert_string_equal(t.status, "open");
	assert_string_equal(t.customer, "Ann");
	assert_string_equal(t.rep, "smith");
	assert_string_equal(t.rep_tz, "Europe/London");
	assert_int_equal(t.tier, 'A');
	assert_int_equal(t.day, D0);
	assert_int_equal(t.done_at, 0);
	assert_int_equal(t.modified_at, T0);
	assert_null(t.note);
	store_task_clear(&t);
	assert_int_equal(store_task_get(f->st, 99999, &t, &cause), 0);
	assert_int_equal(store_task_count(f->st, "open", &n, &cause), 0);
	assert_int_equal(n, 3);
	assert_int_equal(store_rep_feed_stamp(f->st, "smith", &fs, &cause), 0);
	assert_int_equal(fs.customers, 1);
	assert_int_equal(fs.customers_changed, T0);
	assert_true(fs.updated == (double)T0);
	assert_true(fs.contacts == D0 + 5);
	assert_true(fs.tiers == 'A');
	assert_int_equal(fs.tasks, 1);
	assert_int_equal(fs.tasks_open, 1);
	assert_int_equal(fs.tasks_changed, T0);
	assert_int_equal(store_rep_feed_stamp(f->st, "nobody", &fs2, &cause),
	    0);
	assert_int_equal(fs2.customers, 0);
	assert_int_equal(fs2.tasks, 0);
	assert_true(fs2.updated == 0);
	assert_true(store_data_version(f->st) >= 0);
	/* Closing needs store_rep_get() and store_contact_add() (store.c,
	 * store_history.c), not on db.h yet: SQLite only for now. */
	if (!f->pg) {
		assert_int_equal(store_task_done(f->st, id, "met", D0 + 6,
		    T0 + 99, &cause), 1);
		assert_int_equal(store_task_done(f->st, id, "met", D0 + 6,
		    T0 + 99, &cause), 0);
		assert_int_equal(store_task_get(f->st, id, &t, &cause), 1);
		assert_string_equal(t.status, "done");
		assert_string_equal(t.note, "met");
		assert_int_equal(t.done_at, T0 + 99);
		assert_int_equal(t.sequence, 1);
		store_task_clear(&t);
		buf[0] = '\0';
		assert_int_equal(store_task_each(f->st, NULL, T0 + 99, on_task,
		    buf, &cause), 0);
		assert_string_equal(buf, "t3,t1,t2");
		buf[0] = '\0';
		assert_int_equal(store_task_each(f->st, NULL, T0 + 100,
		    on_task, buf, &cause), 0);
		assert_string_equal(buf, "t3,t2");
		assert_int_equal(store_rep_feed_stamp(f->st, "smith", &fs2,
		    &cause), 0);
		assert_int_equal(fs2.tasks_open, 0);
		assert_true(fs2.sequences == 1);
	}
	buf[0] = '\0';
	assert_int_equal(store_rep_tokens(f->st, on_token, buf, &cause), 0);
	assert_string_equal(buf, "smith:aa11:Europe/London:1");
	assert_int_equal(store_rep_token_set(f->st, "li", "bb22", &cause), 1);
	assert_int_equal(store_rep_token_set(f->st, "nobody", "cc", &cause), 0);
}

/* What the rep pages read. */
static void
test_pages(void **state)
{
	struct fx *f = *state;
	struct store_rep r;
	struct store_contact c;
	char *hash, *cause = NULL;

	assert_int_equal(store_rep_by_id(f->st, 1, &r, &hash, &cause), 1);
	assert_string_equal(r.key, "smith");
	assert_string_equal(r.locale, "en");
	assert_int_equal(r.digest, 1);
	assert_string_equal(hash, "aa11");
	free(hash);
	store_rep_clear(&r);
	assert_int_equal(store_rep_by_id(f->st, 2, &r, &hash, &cause), 1);
	assert_null(hash);
	assert_null(r.timezone);
	store_rep_clear(&r);
	assert_int_equal(store_rep_by_id(f->st, 9, &r, &hash, &cause), 0);
	assert_int_equal(store_rep_token_hash(f->st, "smith", &hash, &cause), 1);
	assert_string_equal(hash, "aa11");
	free(hash);
	assert_int_equal(store_rep_token_hash(f->st, "li", &hash, &cause), 0);
	assert_null(hash);
	assert_int_equal(store_contact_last(f->st, 1, &c, &cause), 1);
	assert_int_equal(c.day, D0 + 5);
	assert_string_equal(c.kind, "call");
	assert_null(c.note);
	store_contact_clear(&c);
	assert_int_equal(store_contact_last(f->st, 3, &c, &cause), 1);
	assert_string_equal(c.note, "old");
	store_contact_clear(&c);
	assert_int_equal(store_contact_last(f->st, 2, &c, &cause), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_candidates, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_plan_items, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_held_writes, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_tiers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tasks, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pages, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

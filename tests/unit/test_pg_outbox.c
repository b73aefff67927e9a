/* test_pg_outbox.c - the outbox and SMS status rows (store_outbox.c,
 * store_outbox_ctl.c, store_sms.c) through db.h: queueing, the claim,
 * verdicts, the admin's cancel, hold and re-render against a pass's
 * version, recovery, counts and the provider SMS fields.  Runs on SQLite,
 * and on PostgreSQL when TSTORE_PG_URI names a server (tstore.h).  Rows
 * the outbox does not own (customers, plan items) are written here in
 * SQL both engines run, so that only the moved functions are tested. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "store.h"
#include "store_outbox.h"
#include "store_schema.h"
#include "store_sms.h"
#include "tstore.h"
#include "util.h"

#define DAY 20000

/* A store call's result against what it should be, showing *cause (the
 * variable cause in scope) when they differ. */
#define EQ(call, want) do {						\
	int64_t got_ = (call);						\
	if (got_ != (int64_t)(want))					\
		fail_msg("line %d: %lld, not %lld: %s", __LINE__,	\
		    (long long)got_, (long long)(want),			\
		    cause != NULL ? cause : "");			\
} while (0)

/* What a walk saw: ids and states, and the last row's version. */
struct seen {
	int64_t id[16];
	enum outbox_state state[16];
	int64_t version[16];
	int64_t status_at[16];
	int n;
};

static int
collect(void *arg, const struct outbox_msg *m)
{
	struct seen *s = arg;

	if (s->n < 16) {
		s->id[s->n] = m->id;
		s->state[s->n] = m->state;
		s->version[s->n] = m->version;
		s->status_at[s->n] = m->status_at;
	}
	s->n++;
	return 0;
}

static int
collect_item(void *arg, const struct queued_item *it)
{
	struct seen *s = arg;

	assert_non_null(it->dedup_key);
	assert_non_null(it->rule);
	assert_string_equal(it->external_id, "C1");
	if (s->n < 16)
		s->id[s->n] = it->item_id;
	s->n++;
	return 0;
}

/* The customer every message here is for. */
static int64_t customer;

static int64_t num(struct store *, const char *);
static void exec(struct store *, const char *);

/* A new store with customer C1, changed at 100. */
static struct store *
open_store(char **path)
{
	struct store *st;
	char *cause = NULL;

	*path = tstore_path();
	if (store_open(*path, &st, &cause) != 0)
		fail_msg("store_open: %s", cause);
	exec(st, "INSERT INTO customers (external_id, name, created_at,"
	    " updated_at) VALUES ('C1', 'Ann', 100, 100);");
	customer = num(st, "SELECT id FROM customers;");
	return st;
}

static void
close_store(struct store *st, char *path)
{
	store_close(st);
	tstore_remove(path);
}

/* Runs sql (no rows) on the store's connection. */
static void
exec(struct store *st, const char *sql)
{
	char *cause = NULL;

	if (db_exec(st->conn, sql, &cause) != 0)
		fail_msg("%s", cause);
}

/* A one-number query on the store's connection. */
static int64_t
num(struct store *st, const char *sql)
{
	struct db_stmt *s;
	char *cause = NULL;
	int64_t v;

	if ((s = db_prepare(st->conn, sql, &cause)) == NULL ||
	    db_step(s, &cause) != DB_ROW)
		fail_msg("%s", cause);
	v = db_column_int64(s, 0);
	db_finalize(s);
	return v;
}

/* Queues a message on channel ch due at nb; its id. */
static int64_t
queue(struct store *st, const char *key, enum channel ch, int64_t nb,
    const char *sms_request)
{
	struct outbox_msg m = { 0 };
	char *cause = NULL;
	int64_t id = 0;

	m.dedup_key = (char *)key;
	m.customer_id = customer;
	m.channel = ch;
	m.recipient = ch == CHANNEL_SMS ? "+15550001" : "a@example.test";
	m.body = "Hello";
	m.day = DAY;
	m.state = OUTBOX_PENDING;
	m.not_before = nb;
	m.sms_request = (char *)sms_request;
	if (store_outbox_insert(st, &m, 100, &id, &cause) != 1)
		fail_msg("insert %s: %s", key, cause ? cause : "exists");
	return id;
}

/* The state of row id, as outreachctl outbox lists it. */
static enum outbox_state
state_of(struct store *st, int64_t id)
{
	struct seen s = { 0 };
	char *cause = NULL;
	int i;

	EQ(store_outbox_each(st, NULL, 0, collect, &s, &cause),
	    0);
	for (i = 0; i < s.n && i < 16; i++)
		if (s.id[i] == id)
			return s.state[i];
	fail_msg("no row %lld", (long long)id);
	return OUTBOX_FAILED;
}

static void
test_queue_and_claim(void **state)
{
	enum channel sms = CHANNEL_SMS;
	struct seen s = { 0 };
	char *path, *cause = NULL;
	struct outbox_msg dup = { .dedup_key = "e1", .channel = CHANNEL_EMAIL,
		.recipient = "x", .body = "y", .day = DAY };
	struct store *st = open_store(&path);
	int64_t e1, e2, s1, id = -1;

	(void)state;
	dup.customer_id = customer;
	e1 = queue(st, "e1", CHANNEL_EMAIL, 10, NULL);
	e2 = queue(st, "e2", CHANNEL_EMAIL, 20, NULL);
	s1 = queue(st, "s1", CHANNEL_SMS, 10, NULL);
	assert_true(e1 > 0 && e2 > e1 && s1 > e2);
	EQ(store_outbox_insert(st, &dup, 100, &id, &cause), 0);
	assert_int_equal(id, -1);
	EQ(store_outbox_has(st, "e1", &cause), 1);
	EQ(store_outbox_has(st, "nope", &cause), 0);

	/* due in (not_before, id) order, by channel, a page at a time */
	EQ(store_outbox_due(st, NULL, 15, INT64_MIN, 0, 10,
	    collect, &s, &cause), 0);
	assert_int_equal(s.n, 2);
	assert_true(s.id[0] == e1 && s.id[1] == s1);
	memset(&s, 0, sizeof(s));
	EQ(store_outbox_due(st, NULL, 30, INT64_MIN, 0, 1,
	    collect, &s, &cause), 0);
	assert_int_equal(s.n, 1);
	EQ(store_outbox_due(st, NULL, 30, 10, e1, 5, collect,
	    &s, &cause), 0);
	assert_int_equal(s.n, 3);
	assert_true(s.id[1] == s1 && s.id[2] == e2);
	memset(&s, 0, sizeof(s));
	EQ(store_outbox_due(st, &sms, 30, INT64_MIN, 0, 5,
	    collect, &s, &cause), 0);
	assert_int_equal(s.n, 1);
	assert_int_equal(s.id[0], s1);
	EQ(store_outbox_next_due(st, NULL, &cause), 10);
	EQ(store_outbox_next_due(st, &sms, &cause), 10);

	/* the claim: 'sending' at the version read, then the verdicts */
	EQ(store_outbox_update(st, ROW(e1, 0), OUTBOX_SENDING, 1, 10,
	    NULL, NULL, 0, 101, &cause), 1);
	EQ(store_outbox_update(st, ROW(e1, 7), OUTBOX_SENT, 1, 10,
	    NULL, "p", 102, 102, &cause), 0);
	EQ(store_outbox_update(st, ROW(e1, 0), OUTBOX_SENT, 1, 10,
	    NULL, "mid-1", 102, 102, &cause), 1);
	EQ(store_outbox_update(st, ROW(e2, 0), OUTBOX_RETRY, 1, 50,
	    "421 busy", NULL, 0, 102, &cause), 1);
	EQ(store_outbox_update(st, ROW(s1, 0), OUTBOX_FAILED, 3, 10,
	    "refused", NULL, 0, 102, &cause), 1);
	assert_int_equal(state_of(st, e1), OUTBOX_SENT);
	assert_int_equal(state_of(st, e2), OUTBOX_RETRY);
	assert_int_equal(state_of(st, s1), OUTBOX_FAILED);
	EQ(store_outbox_next_due(st, NULL, &cause), 50);
	EQ(store_outbox_next_due(st, &sms, &cause), 0);
	EQ(store_outbox_sent_since(st, CHANNEL_EMAIL, 101,
	    &cause), 1);
	EQ(store_outbox_sent_since(st, CHANNEL_EMAIL, 102,
	    &cause), 0);
	EQ(store_outbox_last_sent(st, CHANNEL_EMAIL, &cause),
	    102);
	EQ(store_outbox_last_sent(st, CHANNEL_SMS, &cause), 0);
	/* failed -> retry, all of them or one */
	EQ(store_outbox_retry(st, 0, 200, &cause), 1);
	assert_int_equal(state_of(st, s1), OUTBOX_RETRY);
	EQ(store_outbox_retry(st, e1, 200, &cause), 0);
	memset(&s, 0, sizeof(s));
	EQ(store_outbox_each(st, &(enum outbox_state){
	    OUTBOX_RETRY }, 1, collect, &s, &cause), 0);
	assert_int_equal(s.n, 1);
	close_store(st, path);
}

static void
test_cancel_hold_version(void **state)
{
	struct outbox_select f = { 0 };
	struct outbox_msg m = { 0 };
	struct seen s = { 0 };
	char *path, *cause = NULL;
	struct store *st = open_store(&path);
	int64_t a, b, c, since = 0;

	(void)state;
	a = queue(st, "a", CHANNEL_EMAIL, 10, NULL);
	b = queue(st, "b", CHANNEL_EMAIL, 10, NULL);
	c = queue(st, "c", CHANNEL_EMAIL, 10, NULL);
	/* an admin's cancel moves the version on: the pass's claim at the
	 * version it read loses */
	f.id = a;
	EQ(store_outbox_cancel(st, &f, "typo", 150, &cause), 1);
	EQ(store_outbox_update(st, ROW(a, 0), OUTBOX_SENDING, 1, 10,
	    NULL, NULL, 0, 151, &cause), 0);
	assert_int_equal(state_of(st, a), OUTBOX_CANCELLED);
	EQ(store_outbox_cancel(st, &f, "again", 150, &cause), 0);
	f.id = 0;
	f.has_day = 1;
	f.day = DAY + 1;
	EQ(store_outbox_cancel(st, &f, "none", 150, &cause), 0);
	/* a claimed row is no longer the admin's to cancel */
	EQ(store_outbox_update(st, ROW(b, 0), OUTBOX_SENDING, 1, 10,
	    NULL, NULL, 0, 151, &cause), 1);
	f.day = DAY;
	EQ(store_outbox_cancel(st, &f, "all", 152, &cause), 1);
	assert_int_equal(state_of(st, b), OUTBOX_SENDING);
	assert_int_equal(state_of(st, c), OUTBOX_CANCELLED);
	assert_int_equal(num(st, "SELECT version FROM outbox WHERE"
	    " dedup_key = 'c';"), 1);

	/* hold and release, kept in the store */
	EQ(store_outbox_held(st, CHANNEL_SMS, &since, &cause), 0);
	EQ(store_outbox_hold(st, CHANNEL_SMS, 1, 5000000000LL,
	    &cause), 1);
	EQ(store_outbox_hold(st, CHANNEL_SMS, 1, 9, &cause), 0);
	EQ(store_outbox_held(st, CHANNEL_SMS, &since, &cause), 1);
	assert_int_equal(since, 5000000000LL);
	EQ(store_outbox_held(st, CHANNEL_EMAIL, NULL, &cause), 0);
	EQ(store_outbox_hold(st, CHANNEL_SMS, 0, 9, &cause), 1);
	EQ(store_outbox_hold(st, CHANNEL_SMS, 0, 9, &cause), 0);
	EQ(store_outbox_held(st, CHANNEL_SMS, NULL, &cause), 0);

	/* re-rendering and giving up, each at the version read */
	a = queue(st, "r", CHANNEL_EMAIL, 10, NULL);
	EQ(store_outbox_stale_renders(st, "k1", 10, collect, &s,
	    &cause), 0);
	assert_int_equal(s.n, 0);	/* not a planned customer message */
	m.id = a;
	m.recipient = "new@example.test";
	m.body = "Hi again";
	m.render_key = "k1";
	EQ(store_outbox_rerender(st, &m, 160, &cause), 1);
	EQ(store_outbox_rerender(st, &m, 161, &cause), 0);
	m.version = 1;
	EQ(store_outbox_give_up(st, &m, OUTBOX_EXPIRED, "late",
	    162, &cause), 1);
	assert_int_equal(state_of(st, a), OUTBOX_EXPIRED);
	EQ(store_outbox_give_up(st, &m, OUTBOX_FAILED, "x", 163,
	    &cause), 0);
	close_store(st, path);
}

/* Two planned items for C1: a message and a rep's message task. */
static void
plan_items(struct store *st)
{
	exec(st, "INSERT INTO plan_items (dedup_key, rule, event, customer_id, day,"
	    " occurrence, action, channel, reason, created_at) SELECT 'i1',"
	    " 'birthday', 'birthday', id, 20000, 1, 'message', 'email', 'r',"
	    " 100 FROM customers;"
	    "INSERT INTO plan_items (dedup_key, rule, event, customer_id, day,"
	    " occurrence, action, task_kind, reason, created_at) SELECT 'i2',"
	    " 'call', 'birthday', id, 20000, 1, 'task', 'message', 'r', 100"
	    " FROM customers;");
}

static void
test_items_and_renders(void **state)
{
	struct outbox_msg m = { 0 };
	struct seen s = { 0 };
	char *path, *cause = NULL;
	struct store *st = open_store(&path);
	int64_t item, cust, id = 0;
	int32_t day = DAY;

	(void)state;
	plan_items(st);
	item = num(st, "SELECT id FROM plan_items WHERE dedup_key = 'i1';");
	cust = customer;
	EQ(store_items_unqueued(st, 10, collect_item, &s,
	    &cause), 0);
	assert_int_equal(s.n, 1);
	assert_int_equal(s.id[0], item);
	memset(&s, 0, sizeof(s));
	EQ(store_item_get(st, item, collect_item, &s, &cause),
	    0);
	assert_int_equal(s.n, 1);
	memset(&s, 0, sizeof(s));
	EQ(store_rep_messages_unqueued(st, 10, collect_item, &s,
	    &cause), 0);
	assert_int_equal(s.n, 1);
	EQ(store_rep_message_set(st, s.id[0], "S", "B", NULL,
	    &cause), 0);
	EQ(store_item_mark_queued(st, item, NULL, &cause), 0);
	memset(&s, 0, sizeof(s));
	EQ(store_items_unqueued(st, 10, collect_item, &s,
	    &cause), 0);
	EQ(store_rep_messages_unqueued(st, 10, collect_item, &s,
	    &cause), 0);
	assert_int_equal(s.n, 0);

	/* a message of the item, rendered at 200 with key k1 */
	m.dedup_key = "i1";
	m.item_id = item;
	m.customer_id = cust;
	m.channel = CHANNEL_EMAIL;
	m.recipient = "ann@example.test";
	m.body = "Hello";
	m.day = day;
	m.not_before = 10;
	m.render_key = "k1";
	EQ(store_outbox_insert(st, &m, 200, &id, &cause), 1);
	EQ(store_outbox_stale_renders(st, "k1", 10, collect, &s,
	    &cause), 0);
	assert_int_equal(s.n, 0);
	EQ(store_outbox_stale_renders(st, "k2", 10, collect, &s,
	    &cause), 0);
	assert_int_equal(s.n, 1);
	exec(st, "UPDATE customers SET updated_at = 200;");
	memset(&s, 0, sizeof(s));
	EQ(store_outbox_stale_renders(st, "k1", 10, collect, &s,
	    &cause), 0);
	assert_int_equal(s.n, 1);

	/* the frequency cap counts what went out or is going */
	EQ(store_outbox_customer_count(st, cust, day, day, 0,
	    &cause), 0);
	EQ(store_outbox_update(st, ROW(id, 0), OUTBOX_SENDING, 1, 10,
	    NULL, NULL, 0, 201, &cause), 1);
	EQ(store_outbox_customer_count(st, cust, day, day, 0,
	    &cause), 1);
	EQ(store_outbox_customer_count(st, cust, day, day, id,
	    &cause), 0);
	EQ(store_outbox_customer_count(st, cust, day + 1,
	    day + 9, 0, &cause), 0);
	close_store(st, path);
}

static void
test_recovery_and_counts(void **state)
{
	long c[OUTBOX_NSTATES], by[OUTBOX_NSTATES][CHANNEL_COUNT];
	struct seen s = { 0 };
	char *path, *cause = NULL;
	struct store *st = open_store(&path);
	int64_t e1, e2, e3, s1, s2;
	int n, k;

	(void)state;
	EQ(store_outbox_counts(st, c, &cause), 0);
	for (k = 0; k < OUTBOX_NSTATES; k++)
		assert_int_equal(c[k], 0);
	e1 = queue(st, "e1", CHANNEL_EMAIL, 10, NULL);
	e2 = queue(st, "e2", CHANNEL_EMAIL, 10, NULL);
	e3 = queue(st, "e3", CHANNEL_EMAIL, 10, NULL);
	s1 = queue(st, "s1", CHANNEL_SMS, 10, NULL);
	s2 = queue(st, "s2", CHANNEL_SMS, 10, "tmpl:1");
	/* a crash with e1, s1 (a gateway SMS) and s2 (a provider's) in
	 * flight; e2 was accepted */
	EQ(store_outbox_update(st, ROW(e1, 0), OUTBOX_SENDING, 1, 10,
	    NULL, NULL, 0, 101, &cause), 1);
	EQ(store_outbox_update(st, ROW(e2, 0), OUTBOX_SENT, 1, 10,
	    NULL, NULL, 102, 102, &cause), 1);
	EQ(store_outbox_update(st, ROW(s1, 0), OUTBOX_SENDING, 1, 10,
	    NULL, NULL, 0, 101, &cause), 1);
	EQ(store_outbox_update(st, ROW(s2, 0), OUTBOX_SENDING, 1, 10,
	    NULL, NULL, 0, 101, &cause), 1);
	EQ(store_outbox_counts(st, c, &cause), 0);
	assert_int_equal(c[OUTBOX_SENDING], 3);
	assert_int_equal(c[OUTBOX_SENT], 1);
	assert_int_equal(c[OUTBOX_PENDING], 1);
	EQ(store_outbox_recover(st, 300, 0, &n, &cause), 0);
	assert_int_equal(n, 3);
	assert_int_equal(state_of(st, e1), OUTBOX_RETRY);
	assert_int_equal(state_of(st, s1), OUTBOX_RETRY);
	assert_int_equal(state_of(st, s2), OUTBOX_UNKNOWN);
	assert_int_equal(state_of(st, e2), OUTBOX_SENT);
	assert_int_equal(state_of(st, e3), OUTBOX_PENDING);
	EQ(store_outbox_recover(st, 301, 0, &n, &cause), 0);
	assert_int_equal(n, 0);
	/* the unknown SMS's status query is due at once */
	EQ(store_sms_status_due(st, 300, 10, collect, &s,
	    &cause), 0);
	assert_int_equal(s.n, 1);
	assert_int_equal(s.id[0], s2);
	assert_int_equal(s.status_at[0], 300);
	EQ(store_outbox_counts_by(st, by, &cause), 0);
	assert_int_equal(by[OUTBOX_RETRY][CHANNEL_EMAIL], 1);
	assert_int_equal(by[OUTBOX_RETRY][CHANNEL_SMS], 1);
	assert_int_equal(by[OUTBOX_UNKNOWN][CHANNEL_SMS], 1);
	assert_int_equal(by[OUTBOX_SENT][CHANNEL_EMAIL], 1);
	assert_int_equal(by[OUTBOX_SENT][CHANNEL_SMS], 0);
	assert_int_equal(by[OUTBOX_PENDING][CHANNEL_EMAIL], 1);
	assert_int_equal(by[OUTBOX_SENDING][CHANNEL_EMAIL], 0);
	/* an unknown message is retried by its id only */
	EQ(store_outbox_retry(st, 0, 400, &cause), 0);
	EQ(store_outbox_retry(st, s2, 400, &cause), 1);
	assert_int_equal(state_of(st, s2), OUTBOX_RETRY);
	close_store(st, path);
}

static void
test_sms_status(void **state)
{
	struct seen s = { 0 };
	char *path, *cause = NULL;
	struct store *st = open_store(&path);
	int64_t a, b, id = 0;

	(void)state;
	a = queue(st, "a", CHANNEL_SMS, 10, "tmpl:1");
	b = queue(st, "b", CHANNEL_SMS, 10, "tmpl:2");
	EQ(store_outbox_update(st, ROW(a, 0), OUTBOX_SENDING, 1, 10,
	    NULL, NULL, 0, 100, &cause), 1);
	EQ(store_sms_sending(st, a, &cause), 1);
	EQ(store_sms_sending(st, b, &cause), 0);
	/* accepted: its status query is due from the verdict on */
	EQ(store_outbox_update(st, ROW(a, 0), OUTBOX_SENT, 1, 10,
	    NULL, "pid-a", 101, 101, &cause), 1);
	EQ(store_sms_sending(st, a, &cause), 0);
	EQ(store_sms_by_provider_id(st, "pid-a", &id, &cause),
	    1);
	assert_int_equal(id, a);
	EQ(store_sms_by_provider_id(st, "pid-x", &id, &cause),
	    0);
	EQ(store_sms_status_due(st, 100, 10, collect, &s,
	    &cause), 0);
	assert_int_equal(s.n, 0);
	EQ(store_sms_status_due(st, 101, 10, collect, &s,
	    &cause), 0);
	assert_int_equal(s.n, 1);
	EQ(store_outbox_next_due(st, NULL, &cause), 10);
	EQ(store_sms_status_next(st, a, 500, 1, &cause), 0);
	assert_int_equal(num(st, "SELECT status_checks FROM outbox WHERE"
	    " dedup_key = 'a';"), 1);
	memset(&s, 0, sizeof(s));
	EQ(store_sms_status_due(st, 499, 10, collect, &s,
	    &cause), 0);
	assert_int_equal(s.n, 0);
	/* delivered: the queries end */
	EQ(store_sms_report(st, a, 1, NULL, NULL, 502, &cause),
	    1);
	assert_int_equal(state_of(st, a), OUTBOX_DELIVERED);
	assert_int_equal(num(st, "SELECT count(*) FROM outbox WHERE"
	    " status_at IS NOT NULL;"), 0);
	EQ(store_outbox_report(st, a, 0, "gone", 503, &cause),
	    1);
	assert_int_equal(state_of(st, a), OUTBOX_UNDELIVERED);

	/* b: no answer, then the provider knows it (sent), or not */
	EQ(store_outbox_update(st, ROW(b, 0), OUTBOX_UNKNOWN, 1, 10,
	    "timeout", NULL, 0, 600, &cause), 1);
	EQ(store_sms_resend(st, a, "x", 601, &cause), 0);
	EQ(store_sms_report(st, b, -1, NULL, "pid-b", 602,
	    &cause), 1);
	assert_int_equal(state_of(st, b), OUTBOX_SENT);
	EQ(store_sms_by_provider_id(st, "pid-b", &id, &cause),
	    1);
	assert_int_equal(id, b);
	EQ(store_outbox_last_sent(st, CHANNEL_SMS, &cause), 602);
	EQ(store_sms_status_next(st, b, 0, 3, &cause), 0);
	assert_int_equal(num(st, "SELECT count(*) FROM outbox WHERE"
	    " status_at IS NOT NULL;"), 0);
	EQ(store_outbox_update(st, ROW(b, 0), OUTBOX_UNKNOWN, 1, 10,
	    NULL, NULL, 0, 700, &cause), 1);
	EQ(store_sms_resend(st, b, "unknown to the provider",
	    701, &cause), 1);
	assert_int_equal(state_of(st, b), OUTBOX_RETRY);
	EQ(store_sms_report(st, b, 1, NULL, NULL, 702, &cause),
	    0);
	close_store(st, path);
}

/* The rows of a claim: ids and fences. */
struct claimed {
	int64_t id[16];
	int64_t fence[16];
	int n;
};

static int
collect_claim(void *arg, const struct outbox_msg *m)
{
	struct claimed *c = arg;

	if (c->n < 16) {
		c->id[c->n] = m->id;
		c->fence[c->n] = m->fence;
	}
	c->n++;
	return 0;
}

/* holder's claim at now of at most limit rows, leased for 60 s. */
static int
claim(struct store *st, const char *holder, int64_t now, int limit,
    struct claimed *c)
{
	struct outbox_claim q = { .holder = holder, .now = now,
		.lease_until = now + 60, .after_nb = INT64_MIN, .limit = limit };
	char *cause = NULL;

	memset(c, 0, sizeof(*c));
	EQ(store_outbox_claim(st, &q, collect_claim, c, &cause), 0);
	return c->n;
}

static int
claimed_has(const struct claimed *c, int64_t id)
{
	int i;

	for (i = 0; i < c->n; i++)
		if (c->id[i] == id)
			return 1;
	return 0;
}

/* Two senders on one PostgreSQL store: claims at the same moment take
 * different rows, leases keep them, a late verdict is refused by the
 * fence, and a dead sender's rows come back once its lease ran out. */
static void
test_claims_shared(void **state)
{
	struct claimed ca, cb, cc;
	struct outbox_ref ref;
	char *path, *cause = NULL, key[8];
	struct store *a = open_store(&path), *b = NULL;
	int i, n;

	(void)state;
	/* SQLite has one sender (not skip(): "not ok # SKIP" fails with
	 * automake's TAP driver). */
	if (!store_outbox_leased(a)) {
		print_message("# one sender on SQLite: claims not shared\n");
		close_store(a, path);
		return;
	}
	EQ(store_open(path, &b, &cause), 0);
	for (i = 0; i < 10; i++) {
		snprintf(key, sizeof(key), "k%d", i);
		queue(a, key, CHANNEL_EMAIL, 10, NULL);
	}
	/* Both in open transactions: the second skips the first's rows. */
	EQ(store_begin_rows(a, &cause), 0);
	EQ(store_begin_rows(b, &cause), 0);
	assert_int_equal(claim(a, "A", 100, 4, &ca), 4);
	assert_int_equal(claim(b, "B", 100, 10, &cb), 6);
	for (i = 0; i < cb.n; i++)
		assert_false(claimed_has(&ca, cb.id[i]));
	assert_int_equal(ca.fence[0], 1);
	EQ(store_commit(a, &cause), 0);
	EQ(store_commit(b, &cause), 0);
	/* Leased: not another holder's, but the holder's own again. */
	assert_int_equal(claim(b, "C", 101, 10, &cc), 0);
	assert_int_equal(claim(a, "A", 101, 10, &ca), 4);
	assert_int_equal(ca.fence[0], 2);
	/* A verdict at an older fence is late; at the claim's it lands. */
	ref = (struct outbox_ref){ ca.id[0], 0, 1 };
	EQ(store_outbox_update(a, &ref, OUTBOX_SENDING, 1, 10, NULL, NULL, 0,
	    102, &cause), 0);
	ref.fence = 2;
	EQ(store_outbox_update(a, &ref, OUTBOX_SENDING, 1, 10, NULL, NULL, 0,
	    102, &cause), 1);
	/* Leases run out (161 and 160): B takes every due row, A's verdict
	 * and renewal for one of them are refused, B's renewal holds. */
	assert_int_equal(claim(b, "B", 162, 16, &cb), 9);
	assert_false(claimed_has(&cb, ca.id[0]));	/* 'sending' */
	ref = (struct outbox_ref){ ca.id[1], 0, 2 };
	EQ(store_outbox_update(a, &ref, OUTBOX_SENT, 1, 10, NULL, NULL, 163,
	    163, &cause), 0);
	EQ(store_outbox_lease(a, &ref, 300, &cause), 0);
	for (i = 0; i < cb.n && cb.id[i] != ca.id[1]; i++)
		;
	ref.fence = cb.fence[i];
	EQ(store_outbox_lease(b, &ref, 300, &cause), 1);
	/* Given up, the row is anyone's at once; a verdict ends a lease. */
	EQ(store_outbox_lease(b, &ref, 0, &cause), 1);
	assert_int_equal(num(a, "SELECT count(*) FROM outbox WHERE"
	    " claimed_by IS NULL AND lease_until IS NULL;"), 1);
	assert_int_equal(claim(a, "A", 163, 16, &cc), 1);
	assert_int_equal(cc.id[0], ca.id[1]);
	/* The 'sending' row is rescued only after its lease (161). */
	EQ(store_outbox_recover(b, 150, 1, &n, &cause), 0);
	assert_int_equal(n, 0);
	EQ(store_outbox_recover(b, 170, 1, &n, &cause), 0);
	assert_int_equal(n, 1);
	assert_int_equal(state_of(a, ca.id[0]), OUTBOX_RETRY);
	store_close(b);
	close_store(a, path);
}

/* Pages of a claim: how many rows, how many seen twice, the last id. */
struct pages {
	unsigned char seen[1024];
	int n, twice;
	int64_t last;
};

static int
collect_page(void *arg, const struct outbox_msg *m)
{
	struct pages *p = arg;

	if (m->id < 0 || m->id >= (int64_t)sizeof(p->seen))
		fail_msg("id %lld out of range", (long long)m->id);
	p->twice += p->seen[m->id]++ > 0;
	if (m->id > p->last)
		p->last = m->id;
	p->n++;
	return 0;
}

/* A day's greetings are due at one second: a claim's keyset goes through
 * them in id order a page at a time, every row once, and the index
 * serves it without sorting the backlog (a claim read every due row
 * before outbox_due had the id). */
static void
test_claim_pages(void **state)
{
	struct outbox_claim q = { .holder = "A", .now = 100,
		.lease_until = 160, .after_nb = INT64_MIN, .limit = 64 };
	struct pages p = { .last = 0 };
	struct db_stmt *s;
	char *path, *cause = NULL, key[16];
	struct store *st = open_store(&path);
	int i, before, sorts = 0;

	(void)state;
	if (!store_outbox_leased(st)) {
		print_message("# one sender on SQLite: the claim is a read\n");
		close_store(st, path);
		return;
	}
	for (i = 0; i < 600; i++) {
		snprintf(key, sizeof(key), "g%d", i);
		queue(st, key, CHANNEL_EMAIL, 10, NULL);
	}
	do {
		before = p.n;
		EQ(store_begin_rows(st, &cause), 0);
		EQ(store_outbox_claim(st, &q, collect_page, &p, &cause), 0);
		EQ(store_commit(st, &cause), 0);
		q.after_nb = 10;
		q.after_id = p.last;
	} while (p.n - before == q.limit);
	assert_int_equal(p.n, 600);
	assert_int_equal(p.twice, 0);
	exec(st, "ANALYZE outbox; SET enable_seqscan = off;");
	s = db_prepare(st->conn, "EXPLAIN SELECT id FROM outbox WHERE state IN"
	    " ('pending','retry') AND not_before <= 100 AND (not_before, id)"
	    " > (10, 300) ORDER BY not_before, id LIMIT 64;", &cause);
	if (s == NULL)
		fail_msg("%s", cause);
	while (db_step(s, &cause) == DB_ROW)
		sorts += strstr(db_column_text(s, 0), "Sort") != NULL;
	db_finalize(s);
	exec(st, "RESET enable_seqscan;");
	assert_int_equal(sorts, 0);
	close_store(st, path);
}

/* A turn's writes in one statement: each row at its own version and
 * fence, as store_outbox_update() one by one would (a late verdict is
 * refused row by row), the strings arriving whole whatever they hold. */
static void
test_batch_writes(void **state)
{
	static const char err[] = "a \"quoted\", {braced} \\ error; NULL";
	struct outbox_write w[3];
	char *path, *cause = NULL, *sql;
	struct store *st = open_store(&path);
	struct outbox_claim c = { .holder = "A", .now = 100,
	    .lease_until = 200, .after_nb = 0, .after_id = 0, .limit = 10 };
	struct seen s = { 0 };
	int64_t id[3], fence[3];
	int i;

	(void)state;
	id[0] = queue(st, "b0", CHANNEL_EMAIL, 10, NULL);
	id[1] = queue(st, "b1", CHANNEL_EMAIL, 10, NULL);
	id[2] = queue(st, "b2", CHANNEL_EMAIL, 10, NULL);
	EQ(store_begin_rows(st, &cause), 0);
	EQ(store_outbox_claim(st, &c, collect, &s, &cause), 0);
	assert_int_equal(s.n, 3);
	for (i = 0; i < 3; i++) {
		sql = xasprintf("SELECT fence FROM outbox WHERE id = %lld;",
		    (long long)id[i]);
		fence[i] = num(st, sql);
		free(sql);
		w[i] = (struct outbox_write){
			.ref = { id[i], 0, fence[i] }, .state = OUTBOX_SENT,
			.attempts = 1, .not_before = 150, .error = NULL,
			.provider_id = "p1", .sent_at = 150, .now = 150,
		};
	}
	w[1].ref.fence = fence[1] + 1;	/* claimed anew since: late */
	w[2].ref.version = 1;		/* the admin's since */
	w[0].state = OUTBOX_RETRY;
	w[0].error = (char *)err;
	w[0].provider_id = NULL;
	w[0].sent_at = 0;
	EQ(store_outbox_updates(st, w, 3, &cause), 0);
	EQ(store_commit(st, &cause), 0);
	assert_int_equal(w[0].done, 1);
	assert_int_equal(w[1].done, 0);
	assert_int_equal(w[2].done, 0);
	assert_int_equal(state_of(st, id[0]), OUTBOX_RETRY);
	assert_int_equal(state_of(st, id[1]), OUTBOX_PENDING);
	assert_int_equal(state_of(st, id[2]), OUTBOX_PENDING);
	sql = xasprintf("SELECT count(*) FROM outbox WHERE id = %lld AND"
	    " last_error = 'a \"quoted\", {braced} \\ error; NULL' AND"
	    " provider_id IS NULL AND sent_at IS NULL AND not_before = 150"
	    " AND attempts = 1 AND claimed_by IS NULL;", (long long)id[0]);
	assert_int_equal(num(st, sql), 1);
	free(sql);
	/* The late verdict lands at the right fence, and sets what it
	 * carries. */
	w[0] = w[1];
	w[0].ref.fence = fence[1];
	EQ(store_outbox_updates(st, w, 1, &cause), 0);
	assert_int_equal(w[0].done, 1);
	sql = xasprintf("SELECT count(*) FROM outbox WHERE id = %lld AND"
	    " state = 'sent' AND provider_id = 'p1' AND sent_at = 150;",
	    (long long)id[1]);
	assert_int_equal(num(st, sql), 1);
	free(sql);
	close_store(st, path);
}

/* The customers of a page's messages in one read: erased, opted out,
 * and the cap's count (sent or in flight, in the window, but the
 * message itself). */
static void
test_batch_gates(void **state)
{
	struct outbox_gate g[3];
	char *path, *cause = NULL, *sql;
	struct store *st = open_store(&path);
	int64_t sent, old, mine, other;

	(void)state;
	exec(st, "INSERT INTO customers (external_id, name, opt_out,"
	    " created_at, updated_at) VALUES ('C2', 'Bo', 'email', 100,"
	    " 100);");
	other = num(st, "SELECT id FROM customers WHERE external_id ="
	    " 'C2';");
	sent = queue(st, "g0", CHANNEL_EMAIL, 10, NULL);
	old = queue(st, "g1", CHANNEL_EMAIL, 10, NULL);
	mine = queue(st, "g2", CHANNEL_EMAIL, 10, NULL);
	sql = xasprintf("UPDATE outbox SET state = 'sent' WHERE id IN"
	    " (%lld, %lld);", (long long)sent, (long long)old);
	exec(st, sql);
	free(sql);
	sql = xasprintf("UPDATE outbox SET day = %d WHERE id = %lld;",
	    DAY - 7, (long long)old);
	exec(st, sql);
	free(sql);
	memset(g, 0, sizeof(g));
	g[0] = (struct outbox_gate){ mine, customer, DAY, 0, NULL, 0 };
	g[1] = (struct outbox_gate){ 0, other, DAY, 0, NULL, 0 };
	g[2] = (struct outbox_gate){ 0, other + 1000, DAY, 0, NULL, 0 };
	EQ(store_outbox_gates(st, g, 3, 7, &cause), 0);
	assert_int_equal(g[0].found, 1);
	assert_null(g[0].opt_out);
	assert_int_equal(g[0].count, 1);	/* "old" is a day too old */
	assert_int_equal(g[1].found, 1);
	assert_string_equal(g[1].opt_out, "email");
	assert_int_equal(g[1].count, 0);
	assert_int_equal(g[2].found, 0);
	free(g[1].opt_out);
	EQ(store_outbox_gates(st, g, 1, 8, &cause), 0);
	assert_int_equal(g[0].count, 2);
	g[0].id = sent;
	EQ(store_outbox_gates(st, g, 1, 8, &cause), 0);
	assert_int_equal(g[0].count, 1);	/* not itself */
	close_store(st, path);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_queue_and_claim),
		cmocka_unit_test(test_cancel_hold_version),
		cmocka_unit_test(test_items_and_renders),
		cmocka_unit_test(test_recovery_and_counts),
		cmocka_unit_test(test_sms_status),
		cmocka_unit_test(test_claims_shared),
		cmocka_unit_test(test_claim_pages),
		cmocka_unit_test(test_batch_writes),
		cmocka_unit_test(test_batch_gates),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

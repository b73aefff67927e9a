/* test_pg_outcomes.c - the store's outcome, rep, stats, lifecycle, survey,
 * holdout and report functions on db.h: the same answers on SQLite and,
 * with TSTORE_PG_URI set, on PostgreSQL.  The rows they read are written
 * with plain SQL (the functions that write customers are not all on db.h
 * yet), the same text on both engines. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "date.h"
#include "store.h"
#include "store_holdout.h"
#include "store_lifecycle.h"
#include "store_outcome.h"
#include "store_rep.h"
#include "store_report.h"
#include "store_schema.h"
#include "store_survey.h"
#include "tstore.h"
#include "util.h"

#define D 20000		/* the day the tests stand on */
#define NOW ((int64_t)D * 86400)

/* Reps 1 ann and 2 bob; customers 1 (A, ann, a birthday), 2 (B, ann, an
 * upper-case opt-out) and 3 (no tier, no rep); tasks 1 (revisit) and 2
 * (lost) of customer 1 and 5 of customer 2, all open; messages 3 (the
 * survey after a visit) and 4 of customer 2, with an outbox row each. */
static const char fixture[] =
	"INSERT INTO reps (key, name, created_at) VALUES ('ann', 'Ann', 0),"
	" ('bob', 'Bob', 0);"
	"INSERT INTO customers (external_id, name, tier, rep_id, opt_out,"
	" birthday, created_at, updated_at) VALUES"
	" ('C1', 'One', 'A', 1, NULL, '1980-01-01', 100, 5000),"
	" ('C2', 'Two', 'B', 1, 'EMAIL', NULL, 100, 100),"
	" ('C3', 'Three', NULL, NULL, 'sms,all', NULL, 100, 100);"
	"INSERT INTO purchases (customer_id, amount, day) VALUES"
	" (1, 1000, 19900), (1, 2000, 19990), (2, 500, 19950),"
	" (1, 300, 20005), (2, 700, 19995);"
	"INSERT INTO contacts (customer_id, rep_id, day, kind) VALUES"
	" (1, 1, 19980, 'call'), (1, 1, 19995, 'visit'),"
	" (2, NULL, 20003, 'call');"
	"INSERT INTO plan_items (dedup_key, rule, event, customer_id, day,"
	" occurrence, action, channel, task_kind, reason, created_at) VALUES"
	" ('t1', 'revisit', 'revisit', 1, 19997, 19997, 'task', NULL, 'call',"
	"  'r', 0),"
	" ('t2', 'lost', 'lost', 1, 20002, 20002, 'task', NULL, 'call', 'r', 0),"
	" ('m3', 'after_visit', 'after_visit', 2, 19993, 19992, 'message',"
	"  'email', NULL, 'r', 0),"
	" ('m4', 'winback', 'sleeping', 2, 19993, 19993, 'message', 'email',"
	"  NULL, 'r', 0),"
	" ('t5', 'birthday', 'birthday', 2, 19999, 19999, 'task', NULL,"
	"  'call', 'r', 0);"
	"INSERT INTO outbox (dedup_key, item_id, customer_id, channel,"
	" recipient, body, day, state, not_before, created_at, updated_at,"
	" sent_at) VALUES"
	" ('o3', 3, 2, 'email', 'two@example.org', 'b', 19993, 'delivered', 0,"
	"  0, 0, 1),"
	" ('o4', 4, 2, 'email', 'two@example.org', 'b', 19993, 'failed', 0,"
	"  0, 0, NULL);"
	"INSERT INTO optout_events (customer_id, day, opt_out) VALUES"
	" (2, 19994, 'email');";

/* A new store with the fixture's rows. */
static struct store *
open_store(char **path)
{
	struct store *st;
	char *cause = NULL;

	*path = tstore_path();
	if (store_open(*path, &st, &cause) != 0)
		fail_msg("store_open: %s", cause);
	if (db_exec(st->conn, fixture, &cause) != 0)
		fail_msg("fixture: %s", cause);
	return st;
}

static void
close_store(struct store *st, char *path)
{
	store_close(st);
	tstore_remove(path);
}

/* One integer a query gives. */
static int64_t
one(struct store *st, const char *sql)
{
	struct db_stmt *s;
	char *cause = NULL;
	int64_t v;

	if ((s = db_prepare(st->conn, sql, &cause)) == NULL ||
	    db_step(s, &cause) != DB_ROW)
		fail_msg("%s: %s", sql, cause);
	v = db_column_int64(s, 0);
	db_finalize(s);
	return v;
}

/* The outcomes store_task_events_each gives, as "outcome/rep/date". */
static int
event_cb(void *arg, const struct store_task_event *e)
{
	struct buf *b = arg;

	buf_printf(b, "%s/%s/%d;", e->outcome, e->rep ? e->rep : "-",
	    e->date == DAY_NONE ? 0 : e->date - D);
	return 0;
}

static void
test_outcomes(void **state)
{
	struct store_task_event e = { 0 };
	struct buf b = { 0 };
	struct store *st;
	char *path, *cause = NULL, *s;
	int esc = -1;

	(void)state;
	st = open_store(&path);
	e.item_id = 1;
	e.customer_id = 1;
	e.rep_id = 1;
	e.at = 1000;
	e.day = D;
	e.outcome = "not-reached";
	e.date = DAY_NONE;
	e.note = "no answer";
	e.source = "cli";
	assert_int_equal(store_task_event_add(st, &e, &cause), 0);
	e.rep_id = 0;
	e.at = 2000;
	e.outcome = "snooze";
	e.date = D + 7;
	e.note = NULL;
	e.source = "web";
	assert_int_equal(store_task_event_add(st, &e, &cause), 0);

	assert_int_equal(store_task_event_last(st, 1, &e, &cause), 1);
	assert_string_equal(e.outcome, "snooze");
	assert_null(e.rep);
	assert_int_equal(e.rep_id, 0);
	assert_int_equal(e.date, D + 7);
	assert_null(e.note);
	assert_string_equal(e.source, "web");
	assert_string_equal(e.task_kind, "call");
	store_task_event_clear(&e);
	assert_int_equal(store_task_event_last(st, 99, &e, &cause), 0);
	assert_int_equal(store_task_events_each(st, 1, event_cb, &b, &cause),
	    0);
	s = buf_detach(&b);
	assert_string_equal(s, "not-reached/ann/0;snooze/-/7;");
	free(s);

	/* Escalated at the second attempt, and it stays so. */
	assert_int_equal(store_task_move(st, 1, D + 1, 1, 2, NOW, &esc,
	    &cause), 0);
	assert_int_equal(esc, 0);
	assert_int_equal(store_task_move(st, 1, D + 2, 1, 2, NOW, &esc,
	    &cause), 0);
	assert_int_equal(esc, 1);
	assert_int_equal(store_task_move(st, 1, D + 3, 0, 2, NOW, &esc,
	    &cause), 0);
	assert_int_equal(esc, 1);
	assert_int_equal(one(st, "SELECT day * 10 + attempts FROM plan_items"
	    " WHERE id = 1;"), (D + 3) * 10 + 2);

	assert_int_equal(store_task_close(st, 1, "done", "ok", NOW, &cause),
	    1);
	assert_int_equal(store_task_close(st, 1, "done", "ok", NOW, &cause),
	    0);
	assert_int_equal(one(st, "SELECT done_at FROM plan_items WHERE id ="
	    " 1;"), NOW);
	assert_int_equal(store_task_close(st, 5, "cancelled", NULL, NOW,
	    &cause), 1);
	assert_int_equal(one(st, "SELECT count(*) FROM plan_items WHERE id ="
	    " 5 AND done_at IS NULL AND note IS NULL;"), 1);
	assert_int_equal(store_task_close_followups(st, 1, NOW, &cause), 1);
	assert_int_equal(one(st, "SELECT count(*) FROM plan_items WHERE"
	    " action = 'task' AND status = 'open';"), 0);
	close_store(st, path);
}

static void
test_customer_flags(void **state)
{
	struct store *st;
	char *path, *cause = NULL;

	(void)state;
	st = open_store(&path);
	assert_int_equal(store_customer_revisit_next(st, 1, D + 30, &cause),
	    0);
	assert_int_equal(one(st, "SELECT revisit_next FROM customers WHERE"
	    " id = 1;"), D + 30);
	assert_int_equal(store_customer_revisit_next(st, 1, DAY_NONE, &cause),
	    0);
	assert_int_equal(one(st, "SELECT count(*) FROM customers WHERE id = 1"
	    " AND revisit_next IS NULL;"), 1);

	assert_int_equal(store_customer_is_stale(st, 1, &cause), 0);
	assert_int_equal(store_customer_stale_flag(st, 1, D, "moved", &cause),
	    0);
	assert_int_equal(store_customer_stale_flag(st, 1, D + 1, NULL,
	    &cause), 0);
	assert_int_equal(store_customer_is_stale(st, 1, &cause), 1);
	assert_int_equal(one(st, "SELECT stale_since FROM customers WHERE"
	    " id = 1;"), D);
	assert_int_equal(store_customer_verify(st, 1, 9000, &cause), 1);
	assert_int_equal(store_customer_is_stale(st, 1, &cause), 0);
	assert_int_equal(one(st, "SELECT updated_at FROM customers WHERE"
	    " id = 1;"), 9000);
	/* The clock never goes back. */
	assert_int_equal(store_customer_verify(st, 1, 100, &cause), 0);
	assert_int_equal(one(st, "SELECT updated_at FROM customers WHERE"
	    " id = 1;"), 9000);
	close_store(st, path);
}

/* store_rep_loads' rows as "key:customers/open/overdue". */
static int
load_cb(void *arg, const struct store_rep_load *l)
{
	struct buf *b = arg;

	buf_printf(b, "%s:%ld/%ld/%ld;", l->rep->key, l->customers,
	    l->open_tasks, l->overdue_tasks);
	return 0;
}

static char *
loads(struct store *st)
{
	struct buf b = { 0 };
	char *cause = NULL;

	if (store_rep_loads(st, D, load_cb, &b, &cause) != 0)
		fail_msg("store_rep_loads: %s", cause);
	return buf_detach(&b);
}

static void
test_reps(void **state)
{
	struct store_reassign r;
	struct store *st;
	char *path, *cause = NULL, *s;

	(void)state;
	st = open_store(&path);
	if (db_exec(st->conn, "UPDATE reps SET token_hash = 'h' WHERE id = 1;",
	    &cause) != 0)
		fail_msg("%s", cause);
	s = loads(st);
	assert_string_equal(s, "ann:2/3/2;bob:0/0/0;");
	free(s);
	assert_int_equal(store_rep_reassign(st, "nobody", "bob", NOW, &r,
	    &cause), 0);
	assert_int_equal(store_rep_reassign(st, "ann", "bob", NOW, &r,
	    &cause), 1);
	assert_int_equal(r.customers, 2);
	assert_int_equal(r.open_tasks, 3);
	assert_int_equal(r.token_revoked, 1);
	s = loads(st);
	assert_string_equal(s, "ann:0/0/0;bob:2/3/2;");
	free(s);
	close_store(st, path);
}

static void
test_stats(void **state)
{
	struct store_stats s;
	struct store *st;
	char *path, *cause = NULL;

	(void)state;
	st = open_store(&path);
	assert_int_equal(store_stats(st, &s, &cause), 0);
	assert_int_equal(s.customers, 3);
	assert_int_equal(s.with_birthday, 1);
	assert_int_equal(s.without_birthday, 2);
	assert_int_equal(s.opted_out_email, 1);
	assert_int_equal(s.opted_out_sms, 1);
	assert_int_equal(s.opted_out_all, 1);
	assert_int_equal(s.purchases, 5);
	assert_int_equal(s.contacts, 3);
	assert_int_equal(s.nby_tier, 3);
	assert_string_equal(s.by_tier[0].key, "A");
	assert_string_equal(s.by_tier[2].key, "C");
	assert_int_equal(s.by_tier[2].count, 1);
	/* No rep first, as SQLite orders NULL. */
	assert_int_equal(s.nby_rep, 2);
	assert_string_equal(s.by_rep[0].key, "");
	assert_int_equal(s.by_rep[0].count, 1);
	assert_string_equal(s.by_rep[1].key, "ann");
	assert_int_equal(s.by_rep[1].count, 2);
	store_stats_clear(&s);
	close_store(st, path);
}

/* store_lifecycle_latest's rows as "day:tier/state=n". */
static int
count_cb(void *arg, const struct lifecycle_count *c)
{
	struct buf *b = arg;

	buf_printf(b, "%d:%c/%s=%ld;", c->day - D, c->tier, c->state,
	    c->customers);
	return 0;
}

static void
put(struct store *st, int32_t day, char tier, const char *rep,
    const char *state, long n, int reconstructed)
{
	struct lifecycle_count c = { day, tier, rep, state, n,
	    reconstructed };
	char *cause = NULL;

	if (store_lifecycle_put(st, &c, &cause) != 0)
		fail_msg("store_lifecycle_put: %s", cause);
}

static void
test_lifecycle(void **state)
{
	struct buf b = { 0 };
	struct store *st;
	char *path, *cause = NULL, *s;
	int32_t day = 0;

	(void)state;
	st = open_store(&path);
	assert_int_equal(store_lifecycle_recorded(st, &cause), 0);
	put(st, D, 'A', "ann", "active", 5, 0);
	put(st, D, 'A', "ann", "active", 7, 0);	/* replaces */
	put(st, D, 'A', NULL, "active", 2, 0);
	put(st, D, 'B', "ann", "sleeping", 4, 0);
	put(st, D - 1, 'B', "ann", "lost", 3, 0);
	put(st, D + 1, 'C', "", "active", 9, 1);
	assert_int_equal(store_lifecycle_recorded(st, &cause), 1);
	assert_int_equal(one(st, "SELECT count(*) FROM lifecycle_days;"), 5);
	assert_int_equal(store_lifecycle_latest(st, count_cb, &b, &cause), 0);
	s = buf_detach(&b);
	assert_string_equal(s, "0:A/active=9;0:B/sleeping=4;");
	free(s);
	assert_int_equal(store_purchase_first_day(st, &day, &cause), 1);
	assert_int_equal(day, 19900);
	if (db_exec(st->conn, "DELETE FROM purchases;", &cause) != 0)
		fail_msg("%s", cause);
	assert_int_equal(store_purchase_first_day(st, &day, &cause), 0);
	close_store(st, path);
}

static void
test_survey_holdout(void **state)
{
	struct store_survey sv;
	struct store *st;
	char *path, *cause = NULL;
	long n[5];

	(void)state;
	st = open_store(&path);
	assert_int_equal(store_survey_get(st, 3, 1, &sv, &cause), 0);
	assert_int_equal(store_survey_get(st, 3, 2, &sv, &cause), 1);
	assert_string_equal(sv.rule, "after_visit");
	assert_int_equal(sv.visit_day, 19992);
	assert_string_equal(sv.name, "Two");
	assert_null(sv.locale);
	assert_int_equal(sv.score, 0);
	store_survey_clear(&sv);
	assert_int_equal(store_survey_answer(st, 3, 2, 5, "great", D - 2, NOW,
	    "web", &cause), 1);
	assert_int_equal(store_survey_answer(st, 3, 2, 1, NULL, D - 2, NOW,
	    "web", &cause), 0);
	assert_int_equal(store_survey_get(st, 3, 2, &sv, &cause), 1);
	assert_int_equal(sv.score, 5);
	store_survey_clear(&sv);
	assert_int_equal(store_survey_recovery(st, "rec:3", "after_visit", 2,
	    D - 2, "low score", NOW, &cause), 1);
	assert_int_equal(store_survey_recovery(st, "rec:3", "after_visit", 2,
	    D - 2, "low score", NOW, &cause), 0);
	assert_int_equal(one(st, "SELECT escalated FROM plan_items WHERE"
	    " dedup_key = 'rec:3';"), 1);
	assert_int_equal(store_survey_scores(st, n, &cause), 0);
	assert_int_equal(n[4], 1);
	assert_int_equal(n[0] + n[1] + n[2] + n[3], 0);

	assert_int_equal(store_holdout_add(st, "h:1", "winback", 1, D - 12,
	    NOW, &cause), 1);
	assert_int_equal(store_holdout_add(st, "h:1", "winback", 1, D - 12,
	    NOW, &cause), 0);
	close_store(st, path);
}

/* The report's callbacks, each appending a line to a buffer. */
static int
cust_cb(void *arg, const struct report_cust *c)
{
	struct buf *b = arg;
	size_t i;

	buf_printf(b, "%lld:%lld%c/%d", (long long)c->id,
	    (long long)c->rep_id, c->tier,
	    c->last_contact == DAY_NONE ? 0 : c->last_contact - D);
	for (i = 0; i < c->n; i++)
		buf_printf(b, " %d=%lld", c->days[i] - D,
		    (long long)c->amounts[i]);
	buf_addc(b, ';');
	return 0;
}

static int
task_cb(void *arg, const struct report_task *t)
{
	buf_printf(arg, "%lld%c%d;", (long long)t->rep_id, t->tier,
	    t->day - D);
	return 0;
}

static int
rule_cb(void *arg, const struct report_rule *r)
{
	buf_printf(arg, "%s:%ld/%ld/%ld/%ld/%ld/%ld/%ld;", r->rule, r->sent,
	    r->delivered, r->failed, r->expired, r->recipients, r->opted_out,
	    r->converted);
	return 0;
}

static int
holdout_cb(void *arg, const struct report_holdout *h)
{
	buf_printf(arg, "%s:%ld/%ld;", h->rule, h->held_out, h->converted);
	return 0;
}

static int
csat_cb(void *arg, const struct report_csat *c)
{
	buf_printf(arg, "%lld%c:%ld/%ld;", (long long)c->rep_id, c->tier,
	    c->answers, c->satisfied);
	return 0;
}

/* The text a report read left in b, which is emptied. */
static void
expect(struct buf *b, int rc, const char *want)
{
	char *s = buf_detach(b);

	assert_int_equal(rc, 0);
	assert_string_equal(s, want);
	free(s);
}

static void
test_report(void **state)
{
	struct buf b = { 0 };
	struct store *st;
	char *path, *cause = NULL;

	(void)state;
	st = open_store(&path);
	assert_int_equal(store_holdout_add(st, "h:1", "winback", 1, D - 12,
	    NOW, &cause), 1);
	assert_int_equal(store_survey_answer(st, 3, 2, 4, NULL, D - 2, NOW,
	    "web", &cause), 1);
	expect(&b, store_report_customers(st, D, 0, cust_cb, &b, &cause),
	    "1:1A/-5 -100=1000 -10=2000;2:1B/0 -50=500 -5=700;3:0C/0;");
	expect(&b, store_report_customers(st, D, 1, cust_cb, &b, &cause),
	    "1:1A/-5 -100=1000 -10=2000;2:1B/0 -50=500 -5=700;");
	expect(&b, store_report_tasks(st, 0, task_cb, &b, &cause),
	    "1A2;1B-1;1A-3;");
	expect(&b, store_report_tasks(st, 2, task_cb, &b, &cause), "");
	expect(&b, store_report_outreach(st, D - 30, D, D, 30, 0, rule_cb,
	    &b, &cause), "after_visit:1/1/0/0/1/1/1;winback:0/0/1/0/0/0/0;");
	/* A purchase after the report's day does not count. */
	expect(&b, store_report_outreach(st, D - 30, D, D - 6, 30, 0,
	    rule_cb, &b, &cause), "after_visit:1/1/0/0/1/1/0;"
	    "winback:0/0/1/0/0/0/0;");
	expect(&b, store_report_holdouts(st, D - 30, D, D, 30, 0, holdout_cb,
	    &b, &cause), "winback:1/1;");
	expect(&b, store_report_holdouts(st, D - 30, D, D, 1, 0, holdout_cb,
	    &b, &cause), "winback:1/0;");
	expect(&b, store_report_csat(st, D - 30, D, 0, csat_cb, &b, &cause),
	    "1B:1/1;");
	expect(&b, store_report_csat(st, D - 30, D, 2, csat_cb, &b, &cause),
	    "");
	close_store(st, path);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_outcomes),
		cmocka_unit_test(test_customer_flags),
		cmocka_unit_test(test_reps),
		cmocka_unit_test(test_stats),
		cmocka_unit_test(test_lifecycle),
		cmocka_unit_test(test_survey_holdout),
		cmocka_unit_test(test_report),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

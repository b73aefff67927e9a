/* test_outcome.c - task outcomes through outcome.h: reached closes the
 * follow-ups and logs the contact, not reached retries and escalates,
 * snooze, next, wrong number and cancel, repetitions change nothing, and
 * notes are cleaned; outcomes recorded together each stay a unit of
 * their own, whatever fails. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "date.h"
#include "outcome.h"
#include "planner.h"
#include "store.h"
#include "store_plan.h"
#include "store_task.h"
#include "tstore.h"
#include "util.h"

struct fx {
	struct store *st;
	struct conf *cf;
	char *path;
	int64_t cust;
};

static int32_t
day(const char *s)
{
	struct date d;

	assert_int_equal(date_parse(s, &d, NULL), 0);
	return date_to_days(d.year, d.month, d.day);
}

/* A store with one tier A customer of rep "li", last contacted on
 * 2026-01-01, and its revisit task planned on 2026-01-31. */
static int
setup(void **state)
{
	struct fx *f = xcalloc(1, sizeof(*f));
	struct store_rep r = { .key = "li", .name = "Li" };
	struct plan_stats s;
	struct customer c;
	struct customer_keys k;

	f->path = tstore_path();
	assert_int_equal(store_open(f->path, &f->st, NULL), 0);
	f->cf = conf_defaults();
	assert_int_equal(store_rep_upsert(f->st, &r, NULL), 0);
	customer_init(&c);
	c.field[CUST_EXTERNAL_ID] = xstrdup("K1");
	c.field[CUST_NAME] = xstrdup("K One");
	c.field[CUST_TIER] = xstrdup("A");
	c.field[CUST_REP] = xstrdup("li");
	c.field[CUST_PHONE] = xstrdup("+8613800138000");
	customer_keys(&c, &k);
	assert_int_equal(store_customer_upsert(f->st, &c, &k,
	    (1u << CUST_NFIELDS) - 1, (int64_t)day("2025-12-01") * 86400,
	    &f->cust, NULL), 0);
	customer_clear(&c);
	assert_int_equal(store_contact_add(f->st, f->cust, 0, day("2026-01-01"),
	    "call", NULL, NULL), 0);
	assert_int_equal(planner_run(f->st, f->cf, day("2026-01-31"), 1, 1, 0,
	    NULL, &s, NULL), 0);
	assert_int_equal(s.inserted, 1);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;

	store_close(f->st);
	conf_free(f->cf);
	tstore_remove(f->path);
	free(f);
	return 0;
}

/* The id of the task planned under a dedup key. */
static int64_t
task_id(struct fx *f, const char *key)
{
	int64_t id = 0;

	assert_int_equal(store_plan_item_id(f->st, key, &id, NULL), 1);
	return id;
}

/* Another tier A customer of li like K1, and its task planned. */
static int64_t
add_task(struct fx *f, const char *id)
{
	struct plan_stats s;
	struct customer c;
	struct customer_keys k;
	int64_t cust;
	char *key;

	customer_init(&c);
	c.field[CUST_EXTERNAL_ID] = xstrdup(id);
	c.field[CUST_NAME] = xstrdup(id);
	c.field[CUST_TIER] = xstrdup("A");
	c.field[CUST_REP] = xstrdup("li");
	customer_keys(&c, &k);
	assert_int_equal(store_customer_upsert(f->st, &c, &k,
	    (1u << CUST_NFIELDS) - 1, (int64_t)day("2025-12-01") * 86400,
	    &cust, NULL), 0);
	customer_clear(&c);
	assert_int_equal(store_contact_add(f->st, cust, 0, day("2026-01-01"),
	    "call", NULL, NULL), 0);
	assert_int_equal(planner_run(f->st, f->cf, day("2026-01-31"), 1, 1, 0,
	    NULL, &s, NULL), 0);
	key = xasprintf("revisit_a:%lld:2026-01-31", (long long)cust);
	cust = task_id(f, key);
	free(key);
	return cust;
}

static enum outcome_result
record(struct fx *f, int64_t id, enum outcome o, const char *today,
    const char *date, struct outcome_info *in)
{
	struct outcome_req r = {
		.task_id = id, .outcome = o, .source = "test",
		.date = date ? day(date) : DAY_NONE, .today = day(today),
		.now = (int64_t)day(today) * 86400 + 36000,
		.retry_days = f->cf->plan.task_retry_days,
		.escalate_attempts = f->cf->plan.task_escalate_attempts,
	};
	char *cause = NULL;
	enum outcome_result res;

	res = outcome_record(f->st, &r, in, &cause);
	free(cause);
	return res;
}

static void
get(struct fx *f, int64_t id, struct store_task *t)
{
	assert_int_equal(store_task_get(f->st, id, t, NULL), 1);
}

static void
test_reached(void **state)
{
	struct fx *f = *state;
	int64_t id = task_id(f, "revisit_a:1:2026-01-31");
	struct outcome_info in;
	struct store_task t;
	struct customer c;

	assert_int_equal(record(f, id, OUTCOME_REACHED, "2026-02-03", NULL,
	    &in), OUTCOME_RECORDED);
	assert_int_equal(in.closed, 1);
	get(f, id, &t);
	assert_string_equal(t.status, "done");
	assert_int_equal(t.last_contact, day("2026-02-03"));
	store_task_clear(&t);
	/* Again: already recorded, nothing changes; another outcome: closed. */
	assert_int_equal(record(f, id, OUTCOME_REACHED, "2026-02-04", NULL,
	    &in), OUTCOME_ALREADY);
	assert_int_equal(record(f, id, OUTCOME_CANCEL, "2026-02-04", NULL,
	    &in), OUTCOME_NOT_OPEN);
	assert_int_equal(record(f, 999, OUTCOME_REACHED, "2026-02-04", NULL,
	    &in), OUTCOME_NOT_FOUND);
	customer_init(&c);
	assert_int_equal(store_customer_get(f->st, "K1", &c, NULL), 1);
	assert_int_equal(c.last_contact, day("2026-02-03"));
	customer_clear(&c);
}

static void
test_not_reached_escalates(void **state)
{
	struct fx *f = *state;
	int64_t id = task_id(f, "revisit_a:1:2026-01-31");
	struct outcome_info in;
	struct store_task t;

	assert_int_equal(record(f, id, OUTCOME_NOT_REACHED, "2026-02-01",
	    NULL, &in), OUTCOME_RECORDED);
	assert_int_equal(in.day, day("2026-02-03"));
	assert_int_equal(record(f, id, OUTCOME_NOT_REACHED, "2026-02-01",
	    NULL, &in), OUTCOME_ALREADY);
	assert_int_equal(record(f, id, OUTCOME_NOT_REACHED, "2026-02-03",
	    NULL, &in), OUTCOME_RECORDED);
	assert_false(in.escalated);
	assert_int_equal(record(f, id, OUTCOME_NOT_REACHED, "2026-02-05",
	    NULL, &in), OUTCOME_RECORDED);
	assert_true(in.escalated);
	assert_int_equal(in.attempts, 3);
	get(f, id, &t);
	assert_string_equal(t.status, "open");
	assert_int_equal(t.day, day("2026-02-07"));
	assert_int_equal(t.attempts, 3);
	assert_true(t.escalated);
	assert_int_equal(t.last_contact, day("2026-01-01")); /* no contact */
	store_task_clear(&t);
}

static void
test_snooze_next_cancel(void **state)
{
	struct fx *f = *state;
	int64_t id = task_id(f, "revisit_a:1:2026-01-31");
	struct outcome_info in;
	struct plan_stats s;
	struct store_task t;

	assert_int_equal(record(f, id, OUTCOME_SNOOZE, "2026-02-01", NULL,
	    &in), OUTCOME_INVALID);
	assert_int_equal(record(f, id, OUTCOME_SNOOZE, "2026-02-01",
	    "2026-02-10", &in), OUTCOME_RECORDED);
	assert_int_equal(record(f, id, OUTCOME_SNOOZE, "2026-02-01",
	    "2026-02-10", &in), OUTCOME_ALREADY);
	get(f, id, &t);
	assert_int_equal(t.day, day("2026-02-10"));
	store_task_clear(&t);
	assert_int_equal(record(f, id, OUTCOME_NEXT, "2026-02-10",
	    "2026-02-20", &in), OUTCOME_RECORDED);
	/* The next revisit comes on the date asked, not a cadence later. */
	assert_int_equal(planner_run(f->st, f->cf, day("2026-02-19"), 1, 1, 0,
	    NULL, &s, NULL), 0);
	assert_int_equal(s.inserted, 0);
	assert_int_equal(planner_run(f->st, f->cf, day("2026-02-20"), 1, 1, 0,
	    NULL, &s, NULL), 0);
	assert_int_equal(s.inserted, 1);
	id = task_id(f, "revisit_a:1:2026-02-20");
	assert_int_equal(record(f, id, OUTCOME_CANCEL, "2026-02-20", NULL,
	    &in), OUTCOME_RECORDED);
	get(f, id, &t);
	assert_string_equal(t.status, "cancelled");
	assert_int_equal(t.last_contact, day("2026-02-10")); /* none logged */
	store_task_clear(&t);
}

static void
test_wrong_number_then_reached(void **state)
{
	struct fx *f = *state;
	int64_t id = task_id(f, "revisit_a:1:2026-01-31");
	struct outcome_info in;
	struct customer c;

	assert_int_equal(record(f, id, OUTCOME_WRONG_NUMBER, "2026-02-01",
	    NULL, &in), OUTCOME_RECORDED);
	customer_init(&c);
	assert_int_equal(store_customer_get(f->st, "K1", &c, NULL), 1);
	assert_int_equal(c.stale_since, day("2026-02-01"));
	customer_clear(&c);
	assert_int_equal(record(f, id, OUTCOME_REACHED, "2026-02-02", NULL,
	    &in), OUTCOME_RECORDED);
	assert_true(in.verified);
	customer_init(&c);
	assert_int_equal(store_customer_get(f->st, "K1", &c, NULL), 1);
	assert_int_equal(c.stale_since, DAY_NONE);
	customer_clear(&c);
}

/* A request as record() makes it. */
static struct outcome_req
req(int64_t id, enum outcome o, const char *today, const char *date,
    const char *note)
{
	struct outcome_req r = {
		.task_id = id, .outcome = o, .source = "test", .note = note,
		.date = date ? day(date) : DAY_NONE, .today = day(today),
		.now = (int64_t)day(today) * 86400 + 36000, .retry_days = 2,
		.escalate_attempts = 3,
	};

	return r;
}

/* Records n requests together; the results in res[]. */
static void
batch(struct fx *f, const struct outcome_req *r, size_t n,
    enum outcome_result *res)
{
	struct outcome_item v[8];
	size_t i;

	assert_true(n <= 8);
	memset(v, 0, sizeof(v));
	for (i = 0; i < n; i++)
		v[i].req = &r[i];
	outcome_record_batch(f->st, v, n);
	for (i = 0; i < n; i++) {
		res[i] = v[i].res;
		free(v[i].cause);
	}
}

/* A task's status and attempts, as "open/0". */
static char *
state_of(struct fx *f, int64_t id)
{
	struct store_task t;
	char *s;

	get(f, id, &t);
	s = xasprintf("%s/%d", t.status, t.attempts);
	store_task_clear(&t);
	return s;
}

static void
assert_state(struct fx *f, int64_t id, const char *want)
{
	char *s = state_of(f, id);

	assert_string_equal(s, want);
	free(s);
}

/* Runs SQL on a second connection of the store. */
static void
sql(struct fx *f, const char *q)
{
	tstore_exec(f->path, q);
}

/* Outcomes together, in order: the second of two same ones is already
 * recorded; a refused one and one for no task change nothing; the
 * others are recorded. */
static void
test_batch(void **state)
{
	struct fx *f = *state;
	int64_t a = task_id(f, "revisit_a:1:2026-01-31");
	int64_t b = add_task(f, "K2"), c = add_task(f, "K3");
	struct outcome_req r[5];
	enum outcome_result res[5];

	r[0] = req(a, OUTCOME_REACHED, "2026-02-03", NULL, "met");
	r[1] = req(a, OUTCOME_REACHED, "2026-02-03", NULL, "met");
	r[2] = req(b, OUTCOME_SNOOZE, "2026-02-03", NULL, NULL);
	r[3] = req(999, OUTCOME_REACHED, "2026-02-03", NULL, NULL);
	r[4] = req(c, OUTCOME_NOT_REACHED, "2026-02-03", NULL, NULL);
	batch(f, r, 5, res);
	assert_int_equal(res[0], OUTCOME_RECORDED);
	assert_int_equal(res[1], OUTCOME_ALREADY);
	assert_int_equal(res[2], OUTCOME_INVALID);
	assert_int_equal(res[3], OUTCOME_NOT_FOUND);
	assert_int_equal(res[4], OUTCOME_RECORDED);
	assert_state(f, a, "done/0");
	assert_state(f, b, "open/0");
	assert_state(f, c, "open/1");
	/* Again, together: every one a repetition. */
	batch(f, r, 1, res);
	assert_int_equal(res[0], OUTCOME_ALREADY);
}

/* One outcome failing half-way (its history row refused after its task
 * was closed and its contact logged) is undone alone; a batch whose
 * commit fails (a deferred constraint) is recorded again, each outcome
 * alone, and only the one at fault fails. */
static void
test_batch_failures(void **state)
{
	struct fx *f = *state;
	int64_t a = task_id(f, "revisit_a:1:2026-01-31");
	int64_t b = add_task(f, "K2"), c = add_task(f, "K3");
	struct outcome_req r[3];
	enum outcome_result res[3];
	struct customer cu;

	/* A row refused at once, and one whose foreign key fails only at
	 * the commit, in each engine's own trigger language. */
	if (!db_is_conninfo(f->path))
		sql(f, "CREATE TRIGGER refuse AFTER INSERT ON task_events"
		    " WHEN new.note = 'refuse' BEGIN SELECT RAISE(ABORT, 'no');"
		    " END;"
		    "CREATE TABLE later (c INTEGER REFERENCES customers(id)"
		    " DEFERRABLE INITIALLY DEFERRED);"
		    "CREATE TRIGGER dangle AFTER INSERT ON task_events"
		    " WHEN new.note = 'dangle' BEGIN INSERT INTO later VALUES"
		    " (999); END;");
	else
		sql(f, "CREATE FUNCTION refuse() RETURNS trigger LANGUAGE"
		    " plpgsql AS $$ BEGIN RAISE EXCEPTION 'no'; END $$;"
		    "CREATE TRIGGER refuse AFTER INSERT ON task_events FOR EACH"
		    " ROW WHEN (NEW.note = 'refuse') EXECUTE FUNCTION refuse();"
		    "CREATE TABLE later (c BIGINT REFERENCES customers(id)"
		    " DEFERRABLE INITIALLY DEFERRED);"
		    "CREATE FUNCTION dangle() RETURNS trigger LANGUAGE plpgsql"
		    " AS $$ BEGIN INSERT INTO later VALUES (999); RETURN NULL;"
		    " END $$;"
		    "CREATE TRIGGER dangle AFTER INSERT ON task_events FOR EACH"
		    " ROW WHEN (NEW.note = 'dangle') EXECUTE FUNCTION"
		    " dangle();");
	r[0] = req(a, OUTCOME_REACHED, "2026-02-03", NULL, "ok");
	r[1] = req(b, OUTCOME_REACHED, "2026-02-03", NULL, "refuse");
	r[2] = req(c, OUTCOME_REACHED, "2026-02-03", NULL, "ok");
	batch(f, r, 3, res);
	assert_int_equal(res[0], OUTCOME_RECORDED);
	assert_int_equal(res[1], OUTCOME_ERROR);
	assert_int_equal(res[2], OUTCOME_RECORDED);
	assert_state(f, b, "open/0");
	customer_init(&cu);
	assert_int_equal(store_customer_get(f->st, "K2", &cu, NULL), 1);
	assert_int_equal(cu.last_contact, day("2026-01-01")); /* undone */
	customer_clear(&cu);

	b = add_task(f, "K4");
	c = add_task(f, "K5");
	r[0] = req(b, OUTCOME_NOT_REACHED, "2026-02-03", NULL, "ok");
	r[1] = req(c, OUTCOME_NOT_REACHED, "2026-02-03", NULL, "dangle");
	r[2] = req(b, OUTCOME_NOT_REACHED, "2026-02-03", NULL, "ok");
	batch(f, r, 3, res);
	assert_int_equal(res[0], OUTCOME_RECORDED);
	assert_int_equal(res[1], OUTCOME_ERROR);
	assert_int_equal(res[2], OUTCOME_ALREADY);
	assert_state(f, b, "open/1");
	assert_state(f, c, "open/0");
}

static void
test_note_cleaned(void **state)
{
	char *long_note = xcalloc(1, 3 * 2100 + 1), *n;
	size_t i;

	(void)state;
	n = outcome_note("called\r\n\tback\x7f \xe7\x8e\x8b\xe6\x80\xbb\xff");
	assert_string_equal(n, "calledback \xe7\x8e\x8b\xe6\x80\xbb");
	free(n);
	assert_null(outcome_note("\n\r"));
	for (i = 0; i < 2100; i++)
		memcpy(long_note + 3 * i, "\xe7\x8e\x8b", 3);
	n = outcome_note(long_note);
	assert_int_equal(strlen(n), 3 * OUTCOME_NOTE_MAX);
	free(n);
	free(long_note);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_reached, setup, teardown),
		cmocka_unit_test_setup_teardown(test_not_reached_escalates,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_snooze_next_cancel, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_wrong_number_then_reached,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_batch, setup, teardown),
		cmocka_unit_test_setup_teardown(test_batch_failures, setup,
		    teardown),
		cmocka_unit_test(test_note_cleaned),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* store_plan.c - the planner's queries, planned items, tiers and state. */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "store_plan.h"
#include "store_schema.h"
#include "util.h"

#define CAND_SELECT "SELECT " STORE_CAND_COLUMNS \
	" FROM customers c LEFT JOIN reps r ON r.id = c.rep_id WHERE "

/* Each condition matches an index of migration 1 or 2. */
static const char *const plan_sql[PQ_COUNT] = {
	[PQ_BIRTHDAY_MD] = CAND_SELECT "c.bday_md IN (?1, ?2, ?3, ?4)",
	[PQ_BIRTHDAY_LUNAR] = CAND_SELECT "c.bday_lunar IN (?1, ?2, ?3, ?4)",
	[PQ_ANNIVERSARY_MD] = CAND_SELECT "c.anniv_md IN (?1, ?2, ?3, ?4)",
	[PQ_REVISIT] = CAND_SELECT "c.tier_eff = char(?1) AND "
	    "c.revisit_from <= ?2 AND c.revisit_next IS NULL",
	[PQ_LAST_PURCHASE] = CAND_SELECT "c.last_purchase = ?1 AND "
	    "(c.sleep_days IS NULL OR c.sleep_days >= ?2)",
	[PQ_SLEEP_PERSONAL] = CAND_SELECT "c.sleep_days IS NOT NULL AND "
	    "c.last_purchase + c.sleep_days = ?1 AND c.sleep_days < ?2",
	[PQ_UPDATED] = CAND_SELECT "c.updated_at BETWEEN ?1 AND ?2",
	[PQ_ALL] = CAND_SELECT "1",
	/* Migration 9's partial indexes: only customers with a date set. */
	[PQ_REVISIT_NEXT] = CAND_SELECT "c.revisit_next <= ?1",
	[PQ_STALE_FLAGGED] = CAND_SELECT "c.stale_since <= ?1",
	/* Migration 15's partial index: the day's visits and meetings. */
	[PQ_VISITED] = CAND_SELECT "c.id IN (SELECT customer_id FROM contacts"
	    " INDEXED BY contacts_visits WHERE day = ?1 AND (kind = 'visit'"
	    " OR kind = 'meeting'))",
};

const char *
store_plan_sql(enum store_plan_query q)
{
	return plan_sql[q];
}

static const char *
col(sqlite3_stmt *s, int i)
{
	return (const char *)sqlite3_column_text(s, i);
}

void
store_cand_read(sqlite3_stmt *s, struct plan_cand *c)
{
	const char *tier = col(s, 10);

	c->id = sqlite3_column_int64(s, 0);
	c->external_id = col(s, 1);
	c->name = col(s, 2);
	c->rep = col(s, 3);
	c->email = col(s, 4);
	c->phone = col(s, 5);
	c->channel = col(s, 6);
	c->opt_out = col(s, 7);
	c->birthday = col(s, 8);
	c->anniversary = col(s, 9);
	c->tier = tier ? tier[0] : 'C';
	c->last_contact = store_column_day(s, 11);
	c->last_purchase = store_column_day(s, 12);
	c->first_purchase = store_column_day(s, 13);
	c->revisit_from = store_column_day(s, 14);
	c->updated_day = store_column_day(s, 15);
	c->sleep_days = sqlite3_column_int(s, 16);
	c->created_day = store_column_day(s, 17);
	c->revisit_next = store_column_day(s, 18);
	c->stale_since = store_column_day(s, 19);
}

int
store_plan_query(struct store *st, enum store_plan_query q,
    const int64_t *args, size_t nargs, plan_cand_cb cb, void *arg,
    char **cause)
{
	sqlite3_stmt *s;
	struct plan_cand c;
	size_t i;
	int rc, stop = 0;

	if ((s = store_prepare(st, plan_sql[q], cause)) == NULL)
		return -1;
	/* IN lists take four keys; repeat the last one to fill them. */
	for (i = 0; i < (size_t)sqlite3_bind_parameter_count(s); i++) {
		if (nargs > 0)
			sqlite3_bind_int64(s, (int)i + 1,
			    args[i < nargs ? i : nargs - 1]);
	}
	while (!stop && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		memset(&c, 0, sizeof(c));
		store_cand_read(s, &c);
		stop = cb(arg, &c);
	}
	sqlite3_finalize(s);
	if (stop)
		return stop;
	return rc == SQLITE_DONE ? 0 : store_fail(st, "planning query", cause);
}

int
store_customer_has_attr(struct store *st, int64_t id, const char *name)
{
	sqlite3_stmt *s;
	int rc;

	s = store_cached(st, STMT_HAS_ATTR, "SELECT 1 FROM customer_attrs WHERE"
	    " customer_id = ?1 AND name = ?2 AND value <> '';", NULL);
	if (s == NULL)
		return 0;
	sqlite3_bind_int64(s, 1, id);
	store_bind_text(s, 2, name);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	return rc == SQLITE_ROW;
}

int
store_plan_insert(struct store *st, const struct plan_row *r, int64_t now,
    char **cause)
{
	sqlite3_stmt *s;

	s = store_cached(st, STMT_PLAN_INSERT, "INSERT INTO plan_items (dedup_key,"
	    " rule, event,"
	    " customer_id, day, occurrence, action, channel, task_kind, reason,"
	    " created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)"
	    " ON CONFLICT (dedup_key) DO NOTHING;", cause);
	if (s == NULL)
		return -1;
	store_bind_text(s, 1, r->dedup_key);
	store_bind_text(s, 2, r->rule);
	store_bind_text(s, 3, r->event);
	sqlite3_bind_int64(s, 4, r->customer_id);
	sqlite3_bind_int(s, 5, r->day);
	sqlite3_bind_int(s, 6, r->occurrence);
	store_bind_text(s, 7, r->action);
	store_bind_text(s, 8, r->channel);
	store_bind_text(s, 9, r->task_kind);
	store_bind_text(s, 10, r->reason);
	sqlite3_bind_int64(s, 11, now);
	if (sqlite3_step(s) != SQLITE_DONE) {
		sqlite3_reset(s);
		return store_fail(st, "saving planned item", cause);
	}
	sqlite3_reset(s);
	return sqlite3_changes(st->db) > 0;
}

/* Runs a one-row integer query (cached: the planner runs these once per
 * item) with up to three integer/text arguments. */
static int
one_int(struct store *st, enum store_stmt id, const char *sql,
    const char *text, int64_t a, int64_t b, int64_t *out, char **cause)
{
	sqlite3_stmt *s;
	int rc;

	if ((s = store_cached(st, id, sql, cause)) == NULL)
		return -1;
	if (text != NULL)
		store_bind_text(s, 1, text);
	else
		sqlite3_bind_int64(s, 1, a);
	if (sqlite3_bind_parameter_count(s) >= 2)
		sqlite3_bind_int64(s, 2, b);
	if (sqlite3_bind_parameter_count(s) >= 3)
		sqlite3_bind_int64(s, 3, *out);
	rc = sqlite3_step(s);
	*out = rc == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
	sqlite3_reset(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_fail(st, "query", cause);
	return rc == SQLITE_ROW;
}

int
store_plan_item_id(struct store *st, const char *dedup_key, int64_t *id,
    char **cause)
{
	return one_int(st, STMT_PLAN_ID, "SELECT id FROM plan_items WHERE"
	    " dedup_key = ?1;", dedup_key, 0, 0, id, cause);
}

int
store_plan_exists(struct store *st, const char *dedup_key, char **cause)
{
	int64_t v = 0;

	return one_int(st, STMT_PLAN_ID, "SELECT id FROM plan_items WHERE"
	    " dedup_key = ?1;", dedup_key, 0, 0, &v, cause);
}

int
store_plan_messages(struct store *st, int64_t customer_id, int32_t from,
    int32_t to, char **cause)
{
	int64_t v = to;

	if (one_int(st, STMT_PLAN_MESSAGES, "SELECT count(*) FROM plan_items"
	    " WHERE customer_id = ?1"
	    " AND day BETWEEN ?2 AND ?3 AND action = 'message';", NULL,
	    customer_id, from, &v, cause) < 0)
		return -1;
	return (int)v;
}

int
store_plan_revisit_done(struct store *st, int64_t customer_id, int32_t day,
    char **cause)
{
	int64_t v = 0;

	return one_int(st, STMT_REVISIT_DONE, "UPDATE customers SET"
	    " revisit_planned = ?2, revisit_next = NULL WHERE id = ?1;", NULL,
	    customer_id, day, &v, cause) < 0 ? -1 : 0;
}

int
store_plan_open_task(struct store *st, int64_t customer_id,
    const char *event, int64_t *id, char **cause)
{
	sqlite3_stmt *s;
	int rc;

	s = store_cached(st, STMT_OPEN_TASK, "SELECT id FROM plan_items WHERE"
	    " customer_id = ?1 AND action = 'task' AND status = 'open' AND"
	    " event = ?2 ORDER BY day, id LIMIT 1;", cause);
	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, customer_id);
	store_bind_text(s, 2, event);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW)
		*id = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_fail(st, "looking up open tasks", cause);
	return rc == SQLITE_ROW;
}

/* Runs a cached statement that returns nothing; -1 on error. */
static int
exec_cached(struct store *st, sqlite3_stmt *s, const char *what,
    char **cause)
{
	int rc = sqlite3_step(s);

	sqlite3_reset(s);
	return rc == SQLITE_DONE ? 0 : store_fail(st, what, cause);
}

int
store_plan_task_merge(struct store *st, const char *dedup_key,
    int64_t customer_id, int32_t day, const char *entry, int64_t now,
    char **cause)
{
	sqlite3_stmt *s;
	int64_t host;
	int rc;

	s = store_cached(st, STMT_MERGE_HOST, "SELECT id FROM plan_items WHERE"
	    " customer_id = ?1 AND action = 'task' AND status = 'open' AND"
	    " day = ?2 AND merged_into IS NULL AND dedup_key <> ?3"
	    " ORDER BY id LIMIT 1;", cause);
	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, customer_id);
	sqlite3_bind_int(s, 2, day);
	store_bind_text(s, 3, dedup_key);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW)
		host = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	if (rc != SQLITE_ROW)
		return rc == SQLITE_DONE ? 0 : store_fail(st, "merging tasks",
		    cause);
	s = store_cached(st, STMT_MERGE_INTO, "UPDATE plan_items SET"
	    " merged_into = ?2 WHERE dedup_key = ?1;", cause);
	if (s == NULL)
		return -1;
	store_bind_text(s, 1, dedup_key);
	sqlite3_bind_int64(s, 2, host);
	if (exec_cached(st, s, "merging tasks", cause) != 0)
		return -1;
	s = store_cached(st, STMT_MERGE_REASON, "UPDATE plan_items SET reason ="
	    " reason || '; ' || ?2, sequence = sequence + 1, modified_at = ?3"
	    " WHERE id = ?1;", cause);
	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, host);
	store_bind_text(s, 2, entry);
	sqlite3_bind_int64(s, 3, now);
	return exec_cached(st, s, "merging tasks", cause) == 0 ? 1 : -1;
}

char *
store_contact_kind(struct store *st, int64_t customer_id, int32_t day)
{
	sqlite3_stmt *s;
	char *kind = NULL;

	s = store_cached(st, STMT_CONTACT_KIND, "SELECT kind FROM contacts"
	    " WHERE customer_id = ?1 AND day = ?2 ORDER BY id DESC LIMIT 1;",
	    NULL);
	if (s == NULL)
		return NULL;
	sqlite3_bind_int64(s, 1, customer_id);
	sqlite3_bind_int(s, 2, day);
	if (sqlite3_step(s) == SQLITE_ROW)
		kind = store_column_text(s, 0);
	sqlite3_reset(s);
	return kind;
}

int
store_state_get(struct store *st, const char *key, char **value, char **cause)
{
	sqlite3_stmt *s;
	int rc;

	*value = NULL;
	s = store_cached(st, STMT_STATE_GET, "SELECT value FROM state"
	    " WHERE key = ?1;", cause);
	if (s == NULL)
		return -1;
	store_bind_text(s, 1, key);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW)
		*value = store_column_text(s, 0);
	sqlite3_reset(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_fail(st, "reading state", cause);
	return rc == SQLITE_ROW;
}

int
store_state_set(struct store *st, const char *key, const char *value,
    char **cause)
{
	sqlite3_stmt *s;
	int rc;

	s = store_prepare(st, "INSERT OR REPLACE INTO state (key, value) "
	    "VALUES (?1, ?2);", cause);
	if (s == NULL)
		return -1;
	store_bind_text(s, 1, key);
	store_bind_text(s, 2, value);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? 0 : store_fail(st, "saving state", cause);
}

/* sleep_days as struct tier_row has it. */
static int
sleep_col(sqlite3_stmt *s, int i)
{
	sqlite3_int64 v;

	if (sqlite3_column_type(s, i) == SQLITE_NULL)
		return 0;
	if (sqlite3_column_type(s, i) != SQLITE_INTEGER)
		return -1;
	v = sqlite3_column_int64(s, i);
	return v > 0 && v <= INT_MAX ? (int)v : -1;
}

/* Adds the purchase p is on to its customer's row. */
static void
tier_row_add(struct tier_row *r, sqlite3_stmt *p, int with_days,
    int32_t **days, size_t *cap)
{
	r->revenue += sqlite3_column_int64(p, 2);
	if (!with_days)
		return;
	if (r->ndays == *cap) {
		*cap = *cap ? *cap * 2 : 64;
		*days = xreallocarray(*days, *cap, sizeof(**days));
	}
	(*days)[r->ndays++] = sqlite3_column_int(p, 1);
}

/*
 * Two cursors walked side by side in customer id order, so nothing is
 * grouped or sorted: with temp_store = MEMORY a GROUP BY over the
 * purchases and an ORDER BY over the customers held ~150 MB at 1M
 * customers.  INDEXED BY holds the purchases to the index order (a plan
 * change would otherwise bring a sorter back); the index holds the amount
 * too (schema 15), so no table row is read.  Updating the current customer during the scan is safe:
 * the scan is by rowid, which an UPDATE does not move.
 */
int
store_tier_rows(struct store *st, int32_t from, int32_t to, int with_days,
    tier_row_cb cb, void *arg, char **cause)
{
	sqlite3_stmt *c, *p;
	struct tier_row r;
	int32_t *days = NULL;
	size_t cap = 0;
	int64_t pid = 0;
	int crc = SQLITE_DONE, prc, stop = 0;
	const char *t;

	c = store_prepare(st, "SELECT id, tier_computed, sleep_days,"
	    " external_id FROM customers ORDER BY id;", cause);
	if (c == NULL)
		return -1;
	p = store_prepare(st, "SELECT customer_id, day, CASE WHEN day BETWEEN"
	    " ?1 AND ?2 THEN amount END FROM purchases INDEXED BY"
	    " purchases_customer ORDER BY customer_id, day;", cause);
	if (p == NULL) {
		sqlite3_finalize(c);
		return -1;
	}
	sqlite3_bind_int(p, 1, from);
	sqlite3_bind_int(p, 2, to);
	if ((prc = sqlite3_step(p)) == SQLITE_ROW)
		pid = sqlite3_column_int64(p, 0);
	while (!stop && (crc = sqlite3_step(c)) == SQLITE_ROW) {
		memset(&r, 0, sizeof(r));
		r.id = sqlite3_column_int64(c, 0);
		t = col(c, 1);
		r.old_tier = t != NULL ? t[0] : 0;
		r.sleep_days = sleep_col(c, 2);
		r.external_id = col(c, 3);
		/* Purchases of a missing customer (pid < id) are passed over,
		 * as the join from customers did. */
		while (prc == SQLITE_ROW && pid <= r.id) {
			if (pid == r.id)
				tier_row_add(&r, p, with_days, &days, &cap);
			if ((prc = sqlite3_step(p)) == SQLITE_ROW)
				pid = sqlite3_column_int64(p, 0);
		}
		if (prc != SQLITE_ROW && prc != SQLITE_DONE)
			break;
		r.days = with_days ? days : NULL;
		stop = cb(arg, &r);
	}
	sqlite3_finalize(c);
	sqlite3_finalize(p);
	free(days);
	if (stop)
		return stop;
	if (prc != SQLITE_ROW && prc != SQLITE_DONE)
		return store_fail(st, "reading purchases", cause);
	return crc == SQLITE_DONE ? 0 : store_fail(st, "reading customers",
	    cause);
}

/* Both statements are cached: when every tier changes this runs once per
 * customer. */
int
store_tier_set(struct store *st, int64_t customer_id, const char *old,
    char tier, int32_t day, char **cause)
{
	sqlite3_stmt *s;
	char t[2] = { tier, '\0' };
	int rc;

	s = store_cached(st, STMT_TIER_SET, "UPDATE customers SET"
	    " tier_computed = ?2 WHERE id = ?1;", cause);
	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, customer_id);
	store_bind_text(s, 2, t);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return store_fail(st, "saving tier", cause);
	s = store_cached(st, STMT_TIER_HISTORY, "INSERT INTO tier_history"
	    " (customer_id, day, old_tier, new_tier) VALUES (?1, ?2, ?3, ?4);",
	    cause);
	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, customer_id);
	sqlite3_bind_int(s, 2, day);
	store_bind_text(s, 3, old);
	store_bind_text(s, 4, t);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? 0 : store_fail(st, "saving tier history",
	    cause);
}

int
store_sleep_days_set(struct store *st, int64_t customer_id, int days,
    char **cause)
{
	sqlite3_stmt *s;
	int rc;

	s = store_cached(st, STMT_SLEEP_DAYS_SET, "UPDATE customers SET sleep_days"
	    " = ?2 WHERE id = ?1 AND sleep_days IS NOT ?2;", cause);
	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, customer_id);
	if (days > 0)
		sqlite3_bind_int(s, 2, days);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? 0 : store_fail(st, "saving sleep days", cause);
}

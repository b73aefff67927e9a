/* store_plan.c - the planner's queries, planned items, tiers and state. */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "store_plan.h"
#include "store_plan_batch.h"
#include "store_plan_write.h"
#include "store_schema.h"
#include "util.h"

#define CAND_SELECT "SELECT " STORE_CAND_COLUMNS \
	" FROM customers c LEFT JOIN reps r ON r.id = c.rep_id WHERE "
#define CAND_SELECT_BY(index) "SELECT " STORE_CAND_COLUMNS \
	" FROM customers c INDEXED BY " index " LEFT JOIN reps r" \
	" ON r.id = c.rep_id WHERE "
/* The planner's revisit queries also bring the kind of the last contact,
 * which a revisit's reason names (store_contact_kind()'s lookup, one
 * index probe per candidate, done by the server inside the query rather
 * than by a statement, or on PostgreSQL a batch, of its own). */
#define CAND_KIND ", (SELECT k.kind FROM contacts k WHERE" \
	" k.customer_id = c.id AND k.day = c.last_contact" \
	" ORDER BY k.id DESC LIMIT 1)"
#define CAND_SELECT_K "SELECT " STORE_CAND_COLUMNS CAND_KIND \
	" FROM customers c LEFT JOIN reps r ON r.id = c.rep_id WHERE "
#define REVISIT_WHERE "c.revisit_from <= ?2 AND c.revisit_next IS NULL" \
	" ORDER BY c.id"

/* Each condition matches an index of migration 1 or 2.  Candidates come
 * in customer id order, the same on both engines (a plan's items are then
 * in the same order whichever store it came from); the sort is of the
 * day's few rows, after the index found them. */
static const char *const plan_sql[PQ_COUNT] = {
	[PQ_BIRTHDAY_MD] = CAND_SELECT "c.bday_md IN (?1, ?2, ?3, ?4)"
	    " ORDER BY c.id",
	[PQ_BIRTHDAY_LUNAR] = CAND_SELECT "c.bday_lunar IN (?1, ?2, ?3, ?4)"
	    " ORDER BY c.id",
	[PQ_ANNIVERSARY_MD] = CAND_SELECT "c.anniv_md IN (?1, ?2, ?3, ?4)"
	    " ORDER BY c.id",
	[PQ_REVISIT] = CAND_SELECT "c.tier_eff = char(?1) AND "
	    "c.revisit_from <= ?2 AND c.revisit_next IS NULL ORDER BY c.id",
	[PQ_LAST_PURCHASE] = CAND_SELECT "c.last_purchase = ?1 AND "
	    "(c.sleep_days IS NULL OR c.sleep_days >= ?2) ORDER BY c.id",
	[PQ_SLEEP_PERSONAL] = CAND_SELECT "c.sleep_days IS NOT NULL AND "
	    "c.last_purchase + c.sleep_days = ?1 AND c.sleep_days < ?2"
	    " ORDER BY c.id",
	[PQ_UPDATED] = CAND_SELECT "c.updated_at BETWEEN ?1 AND ?2"
	    " ORDER BY c.id",
	[PQ_ALL] = CAND_SELECT "1 ORDER BY c.id",
	/* Migration 9's partial indexes: only customers with a date set.
	 * INDEXED BY: without statistics SQLite would rather scan the
	 * table in id order than sort the index's few rows. */
	[PQ_REVISIT_NEXT] = CAND_SELECT_BY("customers_revisit_next")
	    "c.revisit_next <= ?1 ORDER BY c.id",
	[PQ_STALE_FLAGGED] = CAND_SELECT_BY("customers_stale")
	    "c.stale_since <= ?1 ORDER BY c.id",
	/* Migration 15's partial index: the day's visits and meetings. */
	[PQ_VISITED] = CAND_SELECT "c.id IN (SELECT customer_id FROM contacts"
	    " INDEXED BY contacts_visits WHERE day = ?1 AND (kind = 'visit'"
	    " OR kind = 'meeting')) ORDER BY c.id",
};

/* PostgreSQL's text where it differs: chr() for char() (whose argument,
 * bound as BIGINT, must be cast: chr() takes an integer), "true" for a
 * bare 1, and no INDEXED BY (its planner picks the partial indexes by
 * itself, the WHERE implying their predicates). */
static const char *const plan_sql_pg[PQ_COUNT] = {
	[PQ_REVISIT] = CAND_SELECT "c.tier_eff = chr(CAST(?1 AS INTEGER)) AND "
	    "c.revisit_from <= ?2 AND c.revisit_next IS NULL ORDER BY c.id",
	[PQ_ALL] = CAND_SELECT "true ORDER BY c.id",
	[PQ_REVISIT_NEXT] = CAND_SELECT "c.revisit_next <= ?1 ORDER BY c.id",
	[PQ_STALE_FLAGGED] = CAND_SELECT "c.stale_since <= ?1 ORDER BY c.id",
	[PQ_VISITED] = CAND_SELECT "c.id IN (SELECT customer_id FROM contacts"
	    " WHERE day = ?1 AND (kind = 'visit' OR kind = 'meeting'))"
	    " ORDER BY c.id",
};

/* The revisit queries with the last contact's kind (column
 * STORE_CAND_NCOLS), as the planner runs them: SQLite's, PostgreSQL's. */
static const char *const kind_sql[2][2] = {
	{ CAND_SELECT_K "c.tier_eff = char(?1) AND " REVISIT_WHERE,
	  CAND_SELECT_K "c.tier_eff = chr(CAST(?1 AS INTEGER)) AND "
	  REVISIT_WHERE },
	{ "SELECT " STORE_CAND_COLUMNS CAND_KIND " FROM customers c"
	  " INDEXED BY customers_revisit_next LEFT JOIN reps r"
	  " ON r.id = c.rep_id WHERE c.revisit_next <= ?1 ORDER BY c.id",
	  CAND_SELECT_K "c.revisit_next <= ?1 ORDER BY c.id" },
};

/* The highest ?N in sql: how many parameters a query takes (db.h has
 * no sqlite3_bind_parameter_count()). */
static int
nparams(const char *sql)
{
	const char *p;
	long n;
	int max = 0;

	for (p = strchr(sql, '?'); p != NULL; p = strchr(p + 1, '?')) {
		n = strtol(p + 1, NULL, 10);
		if (n > max && n < INT_MAX)
			max = (int)n;
	}
	return max;
}

/* The text the store's engine runs (what EXPLAIN in the tests and the
 * bench reads). */
const char *
store_plan_sql(const struct store *st, enum store_plan_query q)
{
	return plan_sql_pg[q] != NULL ?
	    store_dialect(st, plan_sql[q], plan_sql_pg[q]) : plan_sql[q];
}

/* What the planner runs: the revisit queries with the contact's kind.
 * Other callers (bench/plandrv's bare queries) get store_plan_sql(). */
static const char *
plan_run_sql(const struct store *st, enum store_plan_query q, int *kind)
{
	int pg = db_backend(st->conn) == DB_PG;

	*kind = st->plan_lookahead && (q == PQ_REVISIT ||
	    q == PQ_REVISIT_NEXT);
	if (!*kind)
		return store_plan_sql(st, q);
	return kind_sql[q == PQ_REVISIT_NEXT][pg];
}

/* A candidate's columns (STORE_CAND_COLUMNS); the texts are the
 * statement's. */
void
store_cand_read(struct db_stmt *s, struct plan_cand *c)
{
	const char *tier = db_column_text(s, 10);

	c->id = db_column_int64(s, 0);
	c->external_id = db_column_text(s, 1);
	c->name = db_column_text(s, 2);
	c->rep = db_column_text(s, 3);
	c->email = db_column_text(s, 4);
	c->phone = db_column_text(s, 5);
	c->channel = db_column_text(s, 6);
	c->opt_out = db_column_text(s, 7);
	c->birthday = db_column_text(s, 8);
	c->anniversary = db_column_text(s, 9);
	c->tier = tier ? tier[0] : 'C';
	c->last_contact = store_col_day(s, 11);
	c->last_purchase = store_col_day(s, 12);
	c->first_purchase = store_col_day(s, 13);
	c->revisit_from = store_col_day(s, 14);
	c->updated_day = store_col_day(s, 15);
	c->sleep_days = (int)db_column_int64(s, 16);
	c->created_day = store_col_day(s, 17);
	c->revisit_next = store_col_day(s, 18);
	c->stale_since = store_col_day(s, 19);
}

/* Binds a candidate query's keys: IN lists take four, so the last one
 * repeats to fill them. */
static void
plan_bind(struct db_stmt *s, const char *sql, const int64_t *args,
    size_t nargs)
{
	int i, n = nparams(sql);

	for (i = 0; i < n && nargs > 0; i++)
		db_bind_int64(s, i + 1,
		    args[(size_t)i < nargs ? (size_t)i : nargs - 1]);
}

/* The candidates read by the look-ahead walk, for the real one: their
 * texts are the held result's, so the rows are not read twice. */
struct cand_list {
	struct plan_cand *v;
	size_t n, cap;
};

/* Calls cb for each row of s; -1 on error, else what cb stopped with.
 * kind: the rows have the last contact's kind after the candidate;
 * keep: each candidate is also kept there. */
static int
plan_walk(struct db_stmt *s, int kind, struct cand_list *keep,
    plan_cand_cb cb, void *arg, char **cause)
{
	struct plan_cand c;
	int rc, stop = 0;

	while (!stop && (rc = db_step(s, cause)) == DB_ROW) {
		memset(&c, 0, sizeof(c));
		store_cand_read(s, &c);
		if (kind) {
			c.contact_kind = db_column_text(s, STORE_CAND_NCOLS);
			c.contact_kind_known = 1;
		}
		if (keep != NULL) {
			if (keep->n == keep->cap) {
				keep->cap = keep->cap ? keep->cap * 2 : 256;
				keep->v = xreallocarray(keep->v, keep->cap,
				    sizeof(*keep->v));
			}
			keep->v[keep->n++] = c;
		}
		stop = cb(arg, &c);
	}
	if (stop)
		return stop;
	return rc == DB_DONE ? 0 : -1;
}

/* The real walk over the candidates kept. */
static int
plan_walk_kept(const struct cand_list *l, plan_cand_cb cb, void *arg)
{
	size_t i;
	int stop = 0;

	for (i = 0; !stop && i < l->n; i++)
		stop = cb(arg, &l->v[i]);
	return stop;
}

/*
 * Not cached: SQLite plans a statement once, when it is prepared, and
 * PostgreSQL plans the unnamed one it runs with the values bound, so
 * each query is planned for its own keys (a generic plan may skip the
 * partial indexes, whose predicates PostgreSQL proves from the WHERE:
 * "x IN (...)", "x = ?" and "x <= ?" imply "x IS NOT NULL").
 *
 * On PostgreSQL the candidates are walked twice, the first time noting
 * the lookups the planner will make (store_plan_batch.h): the result is
 * in memory, and a handful of queries replaces a few round trips per
 * candidate.  The second walk goes over the candidates the first one
 * read and kept (their texts stay the result's until db_finalize()).
 * SQLite's lookups cost no round trip: one walk.
 */
int
store_plan_query(struct store *st, enum store_plan_query q,
    const int64_t *args, size_t nargs, plan_cand_cb cb, void *arg,
    char **cause)
{
	struct cand_list kept = { NULL, 0, 0 };
	struct db_stmt *s;
	int rc, kind;
	const char *sql = plan_run_sql(st, q, &kind);

	if ((plan_write_pending(st) && plan_write_flush(st, cause) != 0) ||
	    (s = db_prepare(st->conn, sql, cause)) == NULL)
		return -1;
	plan_bind(s, sql, args, nargs);
	if (db_backend(st->conn) != DB_PG || !st->plan_lookahead ||
	    st->batch != NULL) {
		rc = plan_walk(s, kind, NULL, cb, arg, cause);
		db_finalize(s);
		return rc;
	}
	plan_batch_begin(st);
	if ((rc = plan_walk(s, kind, &kept, cb, arg, cause)) == 0 &&
	    (rc = plan_batch_fetch(st, cause)) == 0)
		rc = plan_walk_kept(&kept, cb, arg);
	plan_batch_end(st);
	free(kept.v);
	db_finalize(s);
	return rc;
}

/*
 * On PostgreSQL the planner's queries run without JIT: the revisit
 * queries' row estimates are a tier's, not the day's (64k against 11k
 * at 1M customers), which with the contact kind's subquery passes
 * jit_above_cost, and compiling then took 1.5 s for a 60 ms query.  A
 * failure here shows at the next statement, which fails the same way.
 */
void
store_plan_lookahead(struct store *st, int on)
{
	st->plan_lookahead = on;
	if (db_backend(st->conn) == DB_PG)
		db_exec(st->conn, on ? "SET jit = off" : "RESET jit", NULL);
}

void
store_plan_hold(struct store *st)
{
	if (db_backend(st->conn) == DB_PG && st->writes == NULL)
		plan_write_begin(st);
}

int
store_plan_release(struct store *st, int send, struct plan_write_counts *n,
    char **cause)
{
	memset(n, 0, sizeof(*n));
	return plan_write_end(st, send, n, cause);
}

/* Before a statement that may read what the planner holds. */
static int
held_flush(struct store *st, char **cause)
{
	return plan_write_pending(st) ? plan_write_flush(st, cause) : 0;
}

int
store_plan_noting(const struct store *st)
{
	return plan_batch_noting(st);
}

int
store_customer_has_attr(struct store *st, int64_t id, const char *name)
{
	struct db_stmt *s;
	int64_t v;
	int rc;

	switch (plan_batch_attr(st, id, name, &v)) {
	case PB_NOTED:
		return 1;	/* so that the rule's other filters are noted */
	case PB_KNOWN:
		return v != 0;
	case PB_ASK:
		break;
	}
	if (held_flush(st, NULL) != 0)
		return 0;	/* the planner's next write says why */
	s = store_stmt(st, STMT_HAS_ATTR, "SELECT 1 FROM customer_attrs WHERE"
	    " customer_id = ?1 AND name = ?2 AND value <> '';", NULL);
	if (s == NULL)
		return 0;
	db_bind_int64(s, 1, id);
	db_bind_text(s, 2, name);
	rc = db_step(s, NULL);
	db_reset(s);
	return rc == DB_ROW;
}

int
store_plan_insert(struct store *st, const struct plan_row *r, int64_t now,
    char **cause)
{
	struct db_stmt *s;
	int rc;

	if (st->writes != NULL) {
		plan_write_item(st, r, now);
		plan_batch_touch(st, r->customer_id, r->dedup_key);
		return 1;
	}
	s = store_stmt(st, STMT_PLAN_INSERT, "INSERT INTO plan_items (dedup_key,"
	    " rule, event,"
	    " customer_id, day, occurrence, action, channel, task_kind, reason,"
	    " created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)"
	    " ON CONFLICT (dedup_key) DO NOTHING;", cause);
	if (s == NULL)
		return -1;
	db_bind_text(s, 1, r->dedup_key);
	db_bind_text(s, 2, r->rule);
	db_bind_text(s, 3, r->event);
	db_bind_int64(s, 4, r->customer_id);
	db_bind_int64(s, 5, r->day);
	db_bind_int64(s, 6, r->occurrence);
	db_bind_text(s, 7, r->action);
	db_bind_text(s, 8, r->channel);
	db_bind_text(s, 9, r->task_kind);
	db_bind_text(s, 10, r->reason);
	db_bind_int64(s, 11, now);
	rc = store_write(st, s, cause);
	plan_batch_touch(st, r->customer_id, r->dedup_key);
	return rc < 0 ? -1 : rc > 0;
}

/* How one_int() binds ?1: as text when text is set, else the integer a. */
struct one_args {
	const char *text;
	int64_t a, b, c;
	int n;		/* parameters: 1 to 3 */
};

/* Runs a one-row integer query (cached: the planner runs these once per
 * item); 1 with *out set, 0 when no row came (*out 0), -1 on error. */
static int
one_int(struct store *st, enum store_stmt id, const char *sql,
    const struct one_args *p, int64_t *out, char **cause)
{
	struct db_stmt *s;
	int rc;

	if (held_flush(st, cause) != 0 ||
	    (s = store_stmt(st, id, sql, cause)) == NULL)
		return -1;
	if (p->text != NULL)
		db_bind_text(s, 1, p->text);
	else
		db_bind_int64(s, 1, p->a);
	if (p->n >= 2)
		db_bind_int64(s, 2, p->b);
	if (p->n >= 3)
		db_bind_int64(s, 3, p->c);
	rc = db_step(s, cause);
	*out = rc == DB_ROW ? db_column_int64(s, 0) : 0;
	db_reset(s);
	if (rc == DB_ERROR)
		return -1;
	return rc == DB_ROW;
}

int
store_plan_item_id(struct store *st, const char *dedup_key, int64_t *id,
    char **cause)
{
	struct one_args p = { dedup_key, 0, 0, 0, 1 };

	return one_int(st, STMT_PLAN_ID, "SELECT id FROM plan_items WHERE"
	    " dedup_key = ?1;", &p, id, cause);
}

int
store_plan_exists(struct store *st, const char *dedup_key, char **cause)
{
	struct one_args p = { dedup_key, 0, 0, 0, 1 };
	int64_t v = 0;

	switch (plan_batch_item(st, dedup_key, &v)) {
	case PB_NOTED:
		return 0;
	case PB_KNOWN:
		return v != 0;
	case PB_ASK:
		break;
	}
	/* bench/explain.py reads the SQL here: keep it a literal. */
	return one_int(st, STMT_PLAN_ID, "SELECT id FROM plan_items WHERE"
	    " dedup_key = ?1;", &p, &v, cause);
}

int
store_plan_messages(struct store *st, int64_t customer_id, int32_t from,
    int32_t to, char **cause)
{
	struct one_args p = { NULL, customer_id, from, to, 3 };
	int64_t v = 0;

	switch (plan_batch_messages(st, customer_id, from, to, &v)) {
	case PB_NOTED:
		return 0;
	case PB_KNOWN:
		return (int)v;
	case PB_ASK:
		break;
	}
	if (one_int(st, STMT_PLAN_MESSAGES, "SELECT count(*) FROM plan_items"
	    " WHERE customer_id = ?1"
	    " AND day BETWEEN ?2 AND ?3 AND action = 'message';", &p, &v,
	    cause) < 0)
		return -1;
	return (int)v;
}

int
store_plan_revisit_done(struct store *st, int64_t customer_id, int32_t day,
    char **cause)
{
	struct db_stmt *s;
	int rc;

	if (st->writes != NULL) {
		plan_write_revisit(st, customer_id, day);
		return 0;
	}
	s = store_stmt(st, STMT_REVISIT_DONE, "UPDATE customers SET"
	    " revisit_planned = ?2, revisit_next = NULL WHERE id = ?1;", cause);
	if (s == NULL)
		return -1;
	db_bind_int64(s, 1, customer_id);
	db_bind_int64(s, 2, day);
	rc = store_run(s, cause);
	db_reset(s);
	return rc;
}

int
store_plan_open_task(struct store *st, int64_t customer_id,
    const char *event, int64_t *id, char **cause)
{
	struct db_stmt *s;
	int64_t v;
	int rc;

	switch (plan_batch_open_task(st, customer_id, event, &v)) {
	case PB_NOTED:
		return 0;
	case PB_KNOWN:
		if (v != 0)
			*id = v;
		return v != 0;
	case PB_ASK:
		break;
	}
	if (held_flush(st, cause) != 0)
		return -1;
	s = store_stmt(st, STMT_OPEN_TASK, "SELECT id FROM plan_items WHERE"
	    " customer_id = ?1 AND action = 'task' AND status = 'open' AND"
	    " event = ?2 ORDER BY day, id LIMIT 1;", cause);
	if (s == NULL)
		return -1;
	db_bind_int64(s, 1, customer_id);
	db_bind_text(s, 2, event);
	if ((rc = db_step(s, cause)) == DB_ROW)
		*id = db_column_int64(s, 0);
	db_reset(s);
	if (rc == DB_ERROR)
		return -1;
	return rc == DB_ROW;
}

/* Runs a cached statement that returns nothing; -1 on error. */
static int
exec_cached(struct db_stmt *s, char **cause)
{
	int rc = store_run(s, cause);

	db_reset(s);
	return rc;
}

int
store_plan_task_merge(struct store *st, const char *dedup_key,
    int64_t customer_id, int32_t day, const char *entry, int64_t now,
    char **cause)
{
	struct db_stmt *s;
	int64_t host = 0;
	int rc;

	if (st->writes != NULL) {	/* counted as it is sent */
		plan_write_merge(st, dedup_key, entry, now);
		return 0;
	}
	s = store_stmt(st, STMT_MERGE_HOST, "SELECT id FROM plan_items WHERE"
	    " customer_id = ?1 AND action = 'task' AND status = 'open' AND"
	    " day = ?2 AND merged_into IS NULL AND dedup_key <> ?3"
	    " ORDER BY id LIMIT 1;", cause);
	if (s == NULL)
		return -1;
	db_bind_int64(s, 1, customer_id);
	db_bind_int64(s, 2, day);
	db_bind_text(s, 3, dedup_key);
	if ((rc = db_step(s, cause)) == DB_ROW)
		host = db_column_int64(s, 0);
	db_reset(s);
	if (rc != DB_ROW)
		return rc == DB_DONE ? 0 : -1;
	s = store_stmt(st, STMT_MERGE_INTO, "UPDATE plan_items SET"
	    " merged_into = ?2 WHERE dedup_key = ?1;", cause);
	if (s == NULL)
		return -1;
	db_bind_text(s, 1, dedup_key);
	db_bind_int64(s, 2, host);
	if (exec_cached(s, cause) != 0)
		return -1;
	s = store_stmt(st, STMT_MERGE_REASON, "UPDATE plan_items SET reason ="
	    " reason || '; ' || ?2, sequence = sequence + 1, modified_at = ?3"
	    " WHERE id = ?1;", cause);
	if (s == NULL)
		return -1;
	db_bind_int64(s, 1, host);
	db_bind_text(s, 2, entry);
	db_bind_int64(s, 3, now);
	return exec_cached(s, cause) == 0 ? 1 : -1;
}

char *
store_contact_kind(struct store *st, int64_t customer_id, int32_t day)
{
	struct db_stmt *s;
	char *kind = NULL;

	if (held_flush(st, NULL) != 0)
		return NULL;
	s = store_stmt(st, STMT_CONTACT_KIND, "SELECT kind FROM contacts"
	    " WHERE customer_id = ?1 AND day = ?2 ORDER BY id DESC LIMIT 1;",
	    NULL);
	if (s == NULL)
		return NULL;
	db_bind_int64(s, 1, customer_id);
	db_bind_int64(s, 2, day);
	if (db_step(s, NULL) == DB_ROW)
		kind = store_col_text(s, 0);
	db_reset(s);
	return kind;
}

int
store_state_get(struct store *st, const char *key, char **value, char **cause)
{
	struct db_stmt *s;
	int rc;

	*value = NULL;
	s = store_stmt(st, STMT_STATE_GET, "SELECT value FROM state"
	    " WHERE key = ?1;", cause);
	if (s == NULL)
		return -1;
	db_bind_text(s, 1, key);
	if ((rc = db_step(s, cause)) == DB_ROW)
		*value = store_col_text(s, 0);
	db_reset(s);
	if (rc == DB_ERROR)
		return -1;
	return rc == DB_ROW;
}

/* state.value is NOT NULL: a NULL value fails as INSERT OR REPLACE did. */
int
store_state_set(struct store *st, const char *key, const char *value,
    char **cause)
{
	struct db_stmt *s;
	int rc;

	s = db_prepare(st->conn, "INSERT INTO state (key, value) VALUES"
	    " (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = excluded.value;",
	    cause);
	if (s == NULL)
		return -1;
	db_bind_text(s, 1, key);
	db_bind_text(s, 2, value);
	rc = store_run(s, cause);
	db_finalize(s);
	return rc;
}

/* sleep_days as struct tier_row has it: 0 for NULL, -1 for anything but
 * a positive integer that fits (SQLite keeps what it was given; its text
 * shows a real's point or a text's letters). */
static int
sleep_col(struct db_stmt *s, int i)
{
	const char *t;
	char *end;
	long long v;

	if (db_column_is_null(s, i))
		return 0;
	if ((t = db_column_text(s, i)) == NULL || *t == '\0')
		return -1;
	errno = 0;
	v = strtoll(t, &end, 10);
	if (errno != 0 || *end != '\0')
		return -1;
	return v > 0 && v <= INT_MAX ? (int)v : -1;
}

/* Adds the purchase p is on to its customer's row. */
static void
tier_row_add(struct tier_row *r, struct db_stmt *p, int with_days,
    int32_t **days, size_t *cap)
{
	r->revenue += db_column_int64(p, 2);
	if (!with_days)
		return;
	if (r->ndays == *cap) {
		*cap = *cap ? *cap * 2 : 64;
		*days = xreallocarray(*days, *cap, sizeof(**days));
	}
	(*days)[r->ndays++] = (int32_t)db_column_int64(p, 1);
}

/*
 * Two cursors walked side by side in customer id order, so nothing is
 * grouped or sorted: with temp_store = MEMORY a GROUP BY over the
 * purchases and an ORDER BY over the customers held ~150 MB at 1M
 * customers.  INDEXED BY holds the purchases to the index order (a plan
 * change would otherwise bring a sorter back); the index holds the amount
 * too (schema 15), so no table row is read.  Updating the current customer
 * during the scan is safe: the scan is by rowid, which an UPDATE does not
 * move.  PostgreSQL has no INDEXED BY (an index-only scan of
 * purchases_customer needs the visibility map VACUUM keeps); both
 * statements are streamed (db_stream(): through cursors inside the
 * caller's transaction, tiers_recompute()'s), not held whole.
 */
int
store_tier_rows(struct store *st, int32_t from, int32_t to, int with_days,
    tier_row_cb cb, void *arg, char **cause)
{
	struct db_stmt *c, *p;
	struct tier_row r;
	int32_t *days = NULL;
	size_t cap = 0;
	int64_t pid = 0;
	int crc = DB_DONE, prc, stop = 0;
	const char *t;

	c = db_prepare(st->conn, "SELECT id, tier_computed, sleep_days,"
	    " external_id FROM customers ORDER BY id;", cause);
	if (c == NULL)
		return -1;
	db_stream(c);
	p = db_prepare(st->conn, store_dialect(st,
	    "SELECT customer_id, day, CASE WHEN day BETWEEN ?1 AND ?2 THEN"
	    " amount END FROM purchases INDEXED BY purchases_customer"
	    " ORDER BY customer_id, day;",
	    "SELECT customer_id, day, CASE WHEN day BETWEEN ?1 AND ?2 THEN"
	    " amount END FROM purchases ORDER BY customer_id, day;"), cause);
	if (p == NULL) {
		db_finalize(c);
		return -1;
	}
	db_stream(p);
	db_bind_int64(p, 1, from);
	db_bind_int64(p, 2, to);
	if ((prc = db_step(p, cause)) == DB_ROW)
		pid = db_column_int64(p, 0);
	while (!stop && prc != DB_ERROR &&
	    (crc = db_step(c, cause)) == DB_ROW) {
		memset(&r, 0, sizeof(r));
		r.id = db_column_int64(c, 0);
		t = db_column_text(c, 1);
		r.old_tier = t != NULL ? t[0] : 0;
		r.sleep_days = sleep_col(c, 2);
		r.external_id = db_column_text(c, 3);
		/* Purchases of a missing customer (pid < id) are passed over,
		 * as the join from customers did. */
		while (prc == DB_ROW && pid <= r.id) {
			if (pid == r.id)
				tier_row_add(&r, p, with_days, &days, &cap);
			if ((prc = db_step(p, cause)) == DB_ROW)
				pid = db_column_int64(p, 0);
		}
		if (prc == DB_ERROR)
			break;
		r.days = with_days ? days : NULL;
		stop = cb(arg, &r);
	}
	db_finalize(c);
	db_finalize(p);
	free(days);
	if (stop)
		return stop;
	return prc == DB_ERROR || crc == DB_ERROR ? -1 : 0;
}

/* Both statements are cached: when every tier changes this runs once per
 * customer. */
int
store_tier_set(struct store *st, int64_t customer_id, const char *old,
    char tier, int32_t day, char **cause)
{
	struct db_stmt *s;
	char t[2] = { tier, '\0' };
	int rc;

	s = store_stmt(st, STMT_TIER_SET, "UPDATE customers SET"
	    " tier_computed = ?2 WHERE id = ?1;", cause);
	if (s == NULL)
		return -1;
	db_bind_int64(s, 1, customer_id);
	db_bind_text(s, 2, t);
	rc = store_run(s, cause);
	db_reset(s);
	if (rc != 0)
		return -1;
	s = store_stmt(st, STMT_TIER_HISTORY, "INSERT INTO tier_history"
	    " (customer_id, day, old_tier, new_tier) VALUES (?1, ?2, ?3, ?4);",
	    cause);
	if (s == NULL)
		return -1;
	db_bind_int64(s, 1, customer_id);
	db_bind_int64(s, 2, day);
	db_bind_text(s, 3, old);
	db_bind_text(s, 4, t);
	rc = store_run(s, cause);
	db_reset(s);
	return rc;
}

/* days <= 0 clears the customer's own threshold. */
int
store_sleep_days_set(struct store *st, int64_t customer_id, int days,
    char **cause)
{
	struct db_stmt *s;
	int rc;

	s = store_stmt(st, STMT_SLEEP_DAYS_SET, "UPDATE customers SET"
	    " sleep_days = ?2 WHERE id = ?1 AND sleep_days IS DISTINCT FROM"
	    " ?2;", cause);
	if (s == NULL)
		return -1;
	db_bind_int64(s, 1, customer_id);
	if (days > 0)
		db_bind_int64(s, 2, days);
	else
		db_bind_null(s, 2);
	rc = store_run(s, cause);
	db_reset(s);
	return rc;
}

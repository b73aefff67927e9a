/* store_task.c - rep tasks and feed tokens. */
#include <stdlib.h>
#include <string.h>

#include "reason.h"
#include "store_schema.h"
#include "store_task.h"
#include "token.h"
#include "util.h"

#define TASK_SELECT \
	"SELECT p.id, p.dedup_key, p.rule, p.event, p.task_kind, p.reason," \
	" p.status, p.note, p.day, p.sequence, p.created_at," \
	" coalesce(p.modified_at, p.created_at), coalesce(p.done_at, 0)," \
	" c.id, c.external_id, c.name, c.phone, c.email, c.notes, c.tier_eff," \
	" c.last_contact, r.key, p.attempts, p.escalated," \
	" coalesce(p.merged_into, 0), r.name, r.timezone, p.channel," \
	" p.message_subject, p.message, p.error FROM plan_items p" \
	" JOIN customers c ON c.id = p.customer_id" \
	" LEFT JOIN reps r ON r.id = c.rep_id WHERE p.action = 'task' "

void
store_task_clear(struct store_task *t)
{
	free(t->dedup_key);
	free(t->rule);
	free(t->event);
	free(t->kind);
	free(t->reason);
	free(t->status);
	free(t->note);
	free(t->external_id);
	free(t->customer);
	free(t->phone);
	free(t->email);
	free(t->notes);
	free(t->rep);
	free(t->rep_name);
	free(t->rep_tz);
	free(t->channel);
	free(t->message_subject);
	free(t->message);
	free(t->message_error);
	memset(t, 0, sizeof(*t));
}

static void
task_read(struct db_stmt *s, struct store_task *t)
{
	const char *tier;

	t->id = db_column_int64(s, 0);
	t->dedup_key = store_col_text(s, 1);
	t->rule = store_col_text(s, 2);
	t->event = store_col_text(s, 3);
	t->kind = store_col_text(s, 4);
	t->reason = store_col_text(s, 5);
	t->status = store_col_text(s, 6);
	t->note = store_col_text(s, 7);
	t->day = (int32_t)db_column_int64(s, 8);
	t->sequence = (int)db_column_int64(s, 9);
	t->created_at = db_column_int64(s, 10);
	t->modified_at = db_column_int64(s, 11);
	t->done_at = db_column_int64(s, 12);
	t->customer_id = db_column_int64(s, 13);
	t->external_id = store_col_text(s, 14);
	t->customer = store_col_text(s, 15);
	t->phone = store_col_text(s, 16);
	t->email = store_col_text(s, 17);
	t->notes = store_col_text(s, 18);
	tier = db_column_text(s, 19);
	t->tier = tier ? tier[0] : 'C';
	t->last_contact = store_col_day(s, 20);
	t->rep = store_col_text(s, 21);
	t->attempts = (int)db_column_int64(s, 22);
	t->escalated = (int)db_column_int64(s, 23);
	t->merged_into = db_column_int64(s, 24);
	t->rep_name = store_col_text(s, 25);
	t->rep_tz = store_col_text(s, 26);
	t->channel = store_col_text(s, 27);
	t->message_subject = store_col_text(s, 28);
	t->message = store_col_text(s, 29);
	t->message_error = store_col_text(s, 30);
}

/* Runs s to the end or until cb stops, then finalizes it (db_finalize()
 * only resets a cached one). */
static int
task_walk(struct db_stmt *s, store_task_cb cb, void *arg, char **cause)
{
	struct store_task t;
	int rc, stop = 0;

	while (!stop && (rc = db_step(s, cause)) == DB_ROW) {
		memset(&t, 0, sizeof(t));
		task_read(s, &t);
		stop = cb(arg, &t);
		store_task_clear(&t);
	}
	db_finalize(s);
	if (stop)
		return stop;
	return rc == DB_DONE ? 0 : -1;
}

int
store_task_each(struct store *st, const char *rep, int64_t closed_since,
    store_task_cb cb, void *arg, char **cause)
{
	struct db_stmt *s;

#define TASK_EACH " p.merged_into IS NULL AND (p.status = 'open' OR" \
	" coalesce(p.modified_at, 0) >= ?2) ORDER BY p.day, p.id;"

	/* One rep's tasks are found from the rep's customers; with an "OR"
	 * on the rep SQLite walked every task of the store by day.  The
	 * CAST gives PostgreSQL the type of a parameter only tested for
	 * NULL. */
	s = db_prepare(st->conn, rep != NULL ?
	    TASK_SELECT "AND r.key = ?1 AND" TASK_EACH :
	    TASK_SELECT "AND CAST(?1 AS TEXT) IS NULL AND" TASK_EACH, cause);
	if (s == NULL)
		return -1;
	db_bind_text(s, 1, rep);
	db_bind_int64(s, 2, closed_since);
	return task_walk(s, cb, arg, cause);
}

int
store_task_due_each(struct store *st, int32_t before, store_task_cb cb,
    void *arg, char **cause)
{
	struct db_stmt *s;

	s = db_prepare(st->conn, TASK_SELECT "AND p.status = 'open' AND"
	    " p.merged_into IS NULL AND (p.day < ?1 OR p.escalated <> 0)"
	    " ORDER BY r.key IS NULL, r.key, c.tier_eff, p.day, p.id;", cause);
	if (s == NULL)
		return -1;
	db_bind_int64(s, 1, before);
	return task_walk(s, cb, arg, cause);
}

static int
task_copy(void *arg, const struct store_task *t)
{
	struct store_task *dst = arg;

	*dst = *t;
	memset((struct store_task *)t, 0, sizeof(*t)); /* ownership moves */
	return 1;
}

int
store_task_get(struct store *st, int64_t id, struct store_task *t,
    char **cause)
{
	struct db_stmt *s;
	int rc;

	memset(t, 0, sizeof(*t));
	if ((s = store_stmt(st, STMT_TASK_GET, TASK_SELECT "AND p.id = ?1;",
	    cause)) == NULL)
		return -1;
	db_bind_int64(s, 1, id);
	rc = task_walk(s, task_copy, t, cause);
	return rc < 0 ? -1 : rc;
}

/* The contact a finished task stands for. */
static const char *
contact_kind(const char *task_kind)
{
	static const char *const same[] = { "call", "visit", "gift", "meeting",
		"email", "message" };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(same); i++) {
		if (strcmp(task_kind, same[i]) == 0)
			return same[i];
	}
	if (strcmp(task_kind, "invite") == 0)
		return "meeting";
	return "call"; /* refresh, winback: the rep was in touch */
}

int
store_task_done(struct store *st, int64_t id, const char *note, int32_t day,
    int64_t now, char **cause)
{
	struct store_task t;
	struct store_rep r = { 0 };
	struct db_stmt *s;
	char *why = NULL;
	int rc;

	if ((rc = store_task_get(st, id, &t, cause)) <= 0)
		return rc;
	if (strcmp(t.status, "open") != 0) {
		store_task_clear(&t);
		return 0;
	}
	if (store_begin(st, cause) != 0)
		goto fail;
	s = db_prepare(st->conn, "UPDATE plan_items SET status = 'done',"
	    " sequence = sequence + 1, modified_at = ?2, done_at = ?2, note = ?3"
	    " WHERE status = 'open' AND (id = ?1 OR merged_into = ?1);", cause);
	if (s == NULL)
		goto fail;
	db_bind_int64(s, 1, id);
	db_bind_int64(s, 2, now);
	db_bind_text(s, 3, note);
	rc = store_run(s, cause);
	db_finalize(s);
	if (rc != 0)
		goto fail;
	if (t.rep != NULL)
		store_rep_get(st, t.rep, &r, NULL);
	if (note == NULL)
		why = reason_text(t.reason, I18N_EN);
	if (store_contact_add(st, t.customer_id, r.id, day, contact_kind(t.kind),
	    note ? note : why, cause) != 0 || store_commit(st, cause) != 0)
		goto fail;
	free(why);
	store_rep_clear(&r);
	store_task_clear(&t);
	return 1;
fail:
	store_rollback(st);
	free(why);
	store_rep_clear(&r);
	store_task_clear(&t);
	return -1;
}

int
store_rep_token_set(struct store *st, const char *rep, const char *hash_hex,
    char **cause)
{
	struct db_stmt *s;
	int rc;

	s = db_prepare(st->conn, "UPDATE reps SET token_hash = ?2 WHERE"
	    " key = ?1;", cause);
	if (s == NULL)
		return -1;
	db_bind_text(s, 1, rep);
	db_bind_text(s, 2, hash_hex);
	rc = store_run(s, cause);
	db_finalize(s);
	if (rc != 0)
		return -1;
	return (int)db_changes(st->conn);
}

int
store_rep_tokens(struct store *st, store_rep_token_cb cb, void *arg,
    char **cause)
{
	struct db_stmt *s;
	struct store_rep r;
	int rc, stop = 0;

	s = store_stmt(st, STMT_REP_TOKENS, "SELECT id, key, name, email,"
	    " phone, token_hash, timezone, digest, locale FROM reps WHERE"
	    " token_hash IS NOT NULL;", cause);
	if (s == NULL)
		return -1;
	memset(&r, 0, sizeof(r));
	while (!stop && (rc = db_step(s, cause)) == DB_ROW) {
		r.id = db_column_int64(s, 0);
		r.key = (char *)db_column_text(s, 1);
		r.name = (char *)db_column_text(s, 2);
		r.email = (char *)db_column_text(s, 3);
		r.phone = (char *)db_column_text(s, 4);
		r.timezone = (char *)db_column_text(s, 6);
		r.digest = (int)db_column_int64(s, 7);
		r.locale = (char *)db_column_text(s, 8);
		stop = cb(arg, &r, db_column_text(s, 5));
	}
	db_reset(s);
	if (stop)
		return stop;
	return rc == DB_DONE ? 0 : -1;
}

/* One row of integers and reals from a statement with ?1 = rep. */
static int
stamp_row(struct store *st, const char *sql, const char *rep,
    struct db_stmt **out, char **cause)
{
	int rc;

	if ((*out = db_prepare(st->conn, sql, cause)) == NULL)
		return -1;
	db_bind_text(*out, 1, rep);
	if ((rc = db_step(*out, cause)) != DB_ROW) {
		db_finalize(*out);
		/* An aggregate gives a row: none is a broken statement. */
		if (rc == DB_DONE)
			set_error(cause, "%s: reading feed stamp: no row",
			    db_target(st->conn));
		return -1;
	}
	return 0;
}

/*
 * A rep's feed stamp: two aggregate queries over index ranges.  SQLite's
 * total() (a real, that never overflows) is coalesce(sum(), 0) in
 * PostgreSQL, whose sum() of BIGINT is NUMERIC, as exact; unicode() is
 * ascii() there (tier_eff is one ASCII letter).
 */
int
store_rep_feed_stamp(struct store *st, const char *rep,
    struct store_feed_stamp *fs, char **cause)
{
	struct db_stmt *s;

	memset(fs, 0, sizeof(*fs));
	if (stamp_row(st, store_dialect(st,
	    "SELECT count(*), coalesce(max(c.updated_at), 0),"
	    " total(c.updated_at), total(c.last_contact),"
	    " total(c.id * unicode(c.tier_eff))"
	    " FROM reps r JOIN customers c ON c.rep_id = r.id"
	    " WHERE r.key = ?1;",
	    "SELECT count(*), coalesce(max(c.updated_at), 0),"
	    " coalesce(sum(c.updated_at), 0), coalesce(sum(c.last_contact), 0),"
	    " coalesce(sum(c.id * ascii(c.tier_eff)), 0)"
	    " FROM reps r JOIN customers c ON c.rep_id = r.id"
	    " WHERE r.key = ?1;"), rep, &s, cause) != 0)
		return -1;
	fs->customers = (int)db_column_int64(s, 0);
	fs->customers_changed = db_column_int64(s, 1);
	fs->updated = db_column_double(s, 2);
	fs->contacts = db_column_double(s, 3);
	fs->tiers = db_column_double(s, 4);
	db_finalize(s);
	if (stamp_row(st, store_dialect(st,
	    "SELECT count(*), coalesce(max(coalesce(p.modified_at,"
	    " p.created_at)), 0), total(p.status = 'open'), total(p.sequence)"
	    " FROM reps r JOIN customers c ON c.rep_id = r.id"
	    " JOIN plan_items p ON p.customer_id = c.id AND p.action = 'task'"
	    " WHERE r.key = ?1;",
	    "SELECT count(*), coalesce(max(coalesce(p.modified_at,"
	    " p.created_at)), 0), coalesce(sum(CASE WHEN p.status = 'open'"
	    " THEN 1 ELSE 0 END), 0), coalesce(sum(p.sequence), 0)"
	    " FROM reps r JOIN customers c ON c.rep_id = r.id"
	    " JOIN plan_items p ON p.customer_id = c.id AND p.action = 'task'"
	    " WHERE r.key = ?1;"), rep, &s, cause) != 0)
		return -1;
	fs->tasks = (int)db_column_int64(s, 0);
	fs->tasks_changed = db_column_int64(s, 1);
	fs->tasks_open = (long)db_column_double(s, 2);
	fs->sequences = db_column_double(s, 3);
	db_finalize(s);
	return 0;
}

/*
 * A number that moves when another connection commits.  SQLite: PRAGMA
 * data_version.  PostgreSQL has none; the snapshot's xmax (the next
 * transaction id) moves whenever any transaction of the server writes,
 * this connection's and other databases' too: more often than needed,
 * which only costs a cache a check.
 */
int64_t
store_data_version(struct store *st)
{
	struct db_stmt *s;
	int64_t v = -1;

	if ((s = store_stmt(st, STMT_DATA_VERSION, store_dialect(st,
	    "PRAGMA data_version;", "SELECT CAST(CAST(pg_snapshot_xmax("
	    "pg_current_snapshot()) AS TEXT) AS BIGINT);"), NULL)) == NULL)
		return -1;
	if (db_step(s, NULL) == DB_ROW)
		v = db_column_int64(s, 0);
	db_reset(s);
	return v;
}

/* Counts tasks with a status. */
int
store_task_count(struct store *st, const char *status, long *n, char **cause)
{
	struct db_stmt *s;

	if (stamp_row(st, "SELECT count(*) FROM plan_items WHERE action ="
	    " 'task' AND status = ?1 AND merged_into IS NULL;", status, &s,
	    cause) != 0)
		return -1;
	*n = (long)db_column_int64(s, 0);
	db_finalize(s);
	return 0;
}

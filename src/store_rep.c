/* store_rep.c - reassigning a rep's customers and counting reps' tasks. */
#include <stdlib.h>
#include <string.h>

#include "store_rep.h"
#include "store_schema.h"
#include "util.h"

/* Runs s (bound) to its end and finalizes it; the rows it changed, or
 * -1. */
static long
run_changes(struct store *st, struct db_stmt *s, char **cause)
{
	int rc = store_run(s, cause);

	db_finalize(s);
	if (rc != 0)
		return -1;
	return (long)db_changes(st->conn);
}

/* The id of the rep called key: 1 found, 0 not, -1 error. */
static int
rep_id(struct store *st, const char *key, int64_t *id, char **cause)
{
	struct db_stmt *s;
	int rc;

	s = db_prepare(st->conn, "SELECT id FROM reps WHERE key = ?1;", cause);
	if (s == NULL)
		return -1;
	db_bind_text(s, 1, key);
	if ((rc = db_step(s, cause)) == DB_ROW)
		*id = db_column_int64(s, 0);
	db_finalize(s);
	return rc == DB_ERROR ? -1 : rc == DB_ROW;
}

/* The moves of store_rep_reassign, inside its transaction. */
static int
reassign_rows(struct store *st, int64_t from, int64_t to, int64_t now,
    struct store_reassign *out, char **cause)
{
	struct db_stmt *s;
	long n;

	s = db_prepare(st->conn, "UPDATE plan_items SET sequence = sequence + 1,"
	    " modified_at = ?2 WHERE action = 'task' AND status = 'open' AND"
	    " merged_into IS NULL AND customer_id IN (SELECT id FROM customers"
	    " WHERE rep_id = ?1);", cause);
	if (s == NULL)
		return -1;
	db_bind_int64(s, 1, from);
	db_bind_int64(s, 2, now);
	if ((n = run_changes(st, s, cause)) < 0)
		return -1;
	out->open_tasks = n;
	s = db_prepare(st->conn, "UPDATE customers SET rep_id = ?2 WHERE"
	    " rep_id = ?1;", cause);
	if (s == NULL)
		return -1;
	db_bind_int64(s, 1, from);
	db_bind_int64(s, 2, to);
	if ((n = run_changes(st, s, cause)) < 0)
		return -1;
	out->customers = n;
	s = db_prepare(st->conn, "UPDATE reps SET token_hash = NULL WHERE id = ?1"
	    " AND token_hash IS NOT NULL;", cause);
	if (s == NULL)
		return -1;
	db_bind_int64(s, 1, from);
	if ((n = run_changes(st, s, cause)) < 0)
		return -1;
	out->token_revoked = n > 0;
	return 0;
}

/* Hands rep from's customers and open tasks to rep to. */
int
store_rep_reassign(struct store *st, const char *from, const char *to,
    int64_t now, struct store_reassign *out, char **cause)
{
	int64_t fid = 0, tid = 0;
	int rc;

	memset(out, 0, sizeof(*out));
	if (store_begin(st, cause) != 0)
		return -1;
	if ((rc = rep_id(st, from, &fid, cause)) == 1)
		rc = rep_id(st, to, &tid, cause);
	if (rc == 1 && (reassign_rows(st, fid, tid, now, out, cause) != 0 ||
	    store_commit(st, cause) != 0))
		rc = -1;
	if (rc != 1)
		store_rollback(st);
	return rc;
}

/* Every rep with its customers and open and overdue tasks. */
int
store_rep_loads(struct store *st, int32_t today, store_rep_load_cb cb,
    void *arg, char **cause)
{
	struct db_stmt *s;
	struct store_rep r;
	struct store_rep_load l;
	int rc, stop = 0;

	s = db_prepare(st->conn, "SELECT r.id, r.key, r.name, r.email, r.phone,"
	    " r.timezone, r.digest, r.locale,"
	    " (SELECT count(*) FROM customers c WHERE c.rep_id = r.id),"
	    " (SELECT count(*) FROM plan_items p JOIN customers c ON"
	    "  c.id = p.customer_id WHERE c.rep_id = r.id AND p.action = 'task'"
	    "  AND p.status = 'open' AND p.merged_into IS NULL),"
	    " (SELECT count(*) FROM plan_items p JOIN customers c ON"
	    "  c.id = p.customer_id WHERE c.rep_id = r.id AND p.action = 'task'"
	    "  AND p.status = 'open' AND p.merged_into IS NULL AND p.day < ?1)"
	    " FROM reps r ORDER BY r.key;", cause);
	if (s == NULL)
		return -1;
	db_bind_int64(s, 1, today);
	while (!stop && (rc = db_step(s, cause)) == DB_ROW) {
		memset(&r, 0, sizeof(r));
		r.id = db_column_int64(s, 0);
		r.key = (char *)db_column_text(s, 1);
		r.name = (char *)db_column_text(s, 2);
		r.email = (char *)db_column_text(s, 3);
		r.phone = (char *)db_column_text(s, 4);
		r.timezone = (char *)db_column_text(s, 5);
		r.digest = (int)db_column_int64(s, 6);
		r.locale = (char *)db_column_text(s, 7);
		l.rep = &r;
		l.customers = db_column_int64(s, 8);
		l.open_tasks = db_column_int64(s, 9);
		l.overdue_tasks = db_column_int64(s, 10);
		stop = cb(arg, &l);
	}
	db_finalize(s);
	if (stop)
		return stop;
	return rc == DB_DONE ? 0 : -1;
}

/* store_outcome.c - task outcomes: their history and what they change in
 * tasks and customers. */
#include <stdlib.h>
#include <string.h>

#include "date.h"
#include "store_outcome.h"
#include "store_schema.h"
#include "util.h"

#define EVENT_SELECT \
	"SELECT e.item_id, e.customer_id, coalesce(e.rep_id, 0), r.key, e.at," \
	" e.day, e.outcome, e.kind, e.date, e.note, e.source, p.task_kind" \
	" FROM task_events e LEFT JOIN reps r ON r.id = e.rep_id" \
	" LEFT JOIN plan_items p ON p.id = e.item_id "

/* Every statement an outcome runs is prepared once per connection
 * (store_stmt()): the outcomes of the web pages are recorded by one
 * thread, and parsing them each time was most of its work. */

/* Binds a day, or NULL for DAY_NONE. */
static void
bind_day(struct db_stmt *s, int i, int32_t day)
{
	if (day != DAY_NONE)
		db_bind_int64(s, i, day);
	else
		db_bind_null(s, i);
}

int
store_task_event_add(struct store *st, const struct store_task_event *e,
    char **cause)
{
	struct db_stmt *s;

	s = store_stmt(st, STMT_EVENT_ADD, "INSERT INTO task_events (item_id,"
	    " customer_id, rep_id, at, day, outcome, kind, date, note, source)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10);", cause);
	if (s == NULL)
		return -1;
	db_bind_int64(s, 1, e->item_id);
	db_bind_int64(s, 2, e->customer_id);
	if (e->rep_id > 0)
		db_bind_int64(s, 3, e->rep_id);
	db_bind_int64(s, 4, e->at);
	db_bind_int64(s, 5, e->day);
	db_bind_text(s, 6, e->outcome);
	db_bind_text(s, 7, e->kind);
	bind_day(s, 8, e->date);
	db_bind_text(s, 9, e->note);
	db_bind_text(s, 10, e->source);
	return store_write(st, s, cause) < 0 ? -1 : 0;
}

/* Fills e from an EVENT_SELECT row; strings borrowed from the row. */
static void
event_read(struct db_stmt *s, struct store_task_event *e)
{
	memset(e, 0, sizeof(*e));
	e->item_id = db_column_int64(s, 0);
	e->customer_id = db_column_int64(s, 1);
	e->rep_id = db_column_int64(s, 2);
	e->rep = db_column_text(s, 3);
	e->at = db_column_int64(s, 4);
	e->day = (int32_t)db_column_int64(s, 5);
	e->outcome = db_column_text(s, 6);
	e->kind = db_column_text(s, 7);
	e->date = store_col_day(s, 8);
	e->note = db_column_text(s, 9);
	e->source = db_column_text(s, 10);
	e->task_kind = db_column_text(s, 11);
}

/* A malloc'd copy of a borrowed string. */
static const char *
dup(const char *s)
{
	return s != NULL ? xstrdup(s) : NULL;
}

int
store_task_event_last(struct store *st, int64_t item_id,
    struct store_task_event *e, char **cause)
{
	struct db_stmt *s;
	int rc;

	memset(e, 0, sizeof(*e));
	s = store_stmt(st, STMT_EVENT_LAST, EVENT_SELECT "WHERE e.item_id ="
	    " ?1 ORDER BY e.id DESC LIMIT 1;", cause);
	if (s == NULL)
		return -1;
	db_bind_int64(s, 1, item_id);
	if ((rc = db_step(s, cause)) == DB_ROW) {
		event_read(s, e);
		e->rep = dup(e->rep);
		e->outcome = dup(e->outcome);
		e->kind = dup(e->kind);
		e->note = dup(e->note);
		e->source = dup(e->source);
		e->task_kind = dup(e->task_kind);
	}
	db_reset(s);
	return rc == DB_ERROR ? -1 : rc == DB_ROW;
}

void
store_task_event_clear(struct store_task_event *e)
{
	free((char *)e->rep);
	free((char *)e->outcome);
	free((char *)e->kind);
	free((char *)e->note);
	free((char *)e->source);
	free((char *)e->task_kind);
	memset(e, 0, sizeof(*e));
}

int
store_task_events_each(struct store *st, int64_t customer_id,
    store_task_event_cb cb, void *arg, char **cause)
{
	struct store_task_event e;
	struct db_stmt *s;
	int rc, stop = 0;

	s = db_prepare(st->conn, EVENT_SELECT "WHERE e.customer_id = ?1"
	    " ORDER BY e.at, e.id;", cause);
	if (s == NULL)
		return -1;
	db_bind_int64(s, 1, customer_id);
	while (!stop && (rc = db_step(s, cause)) == DB_ROW) {
		event_read(s, &e);
		stop = cb(arg, &e);
	}
	db_finalize(s);
	if (stop)
		return stop;
	return rc == DB_DONE ? 0 : -1;
}

int
store_task_close(struct store *st, int64_t id, const char *status,
    const char *note, int64_t now, char **cause)
{
	struct db_stmt *s;

	s = store_stmt(st, STMT_TASK_CLOSE, "UPDATE plan_items SET status ="
	    " ?2, sequence = sequence + 1, modified_at = ?3, done_at = CASE"
	    " WHEN ?2 = 'done' THEN ?3 END, note = coalesce(?4, note) WHERE"
	    " status = 'open' AND action = 'task' AND (id = ?1 OR merged_into"
	    " = ?1);", cause);
	if (s == NULL)
		return -1;
	db_bind_int64(s, 1, id);
	db_bind_text(s, 2, status);
	db_bind_int64(s, 3, now);
	db_bind_text(s, 4, note);
	return store_write(st, s, cause);
}

int
store_task_close_followups(struct store *st, int64_t customer_id,
    int64_t now, char **cause)
{
	struct db_stmt *s;

	s = store_stmt(st, STMT_FOLLOWUPS_CLOSE, "UPDATE plan_items SET"
	    " status = 'done', sequence = sequence + 1, modified_at = ?2,"
	    " done_at = ?2"
	    " WHERE customer_id = ?1 AND action = 'task' AND status = 'open'"
	    " AND (event IN ('revisit', 'lost', 'sleeping') OR merged_into IN"
	    " (SELECT id FROM plan_items WHERE customer_id = ?1 AND action ="
	    " 'task' AND status = 'open' AND merged_into IS NULL AND event IN"
	    " ('revisit', 'lost', 'sleeping')));", cause);
	if (s == NULL)
		return -1;
	db_bind_int64(s, 1, customer_id);
	db_bind_int64(s, 2, now);
	return store_write(st, s, cause);
}

int
store_task_move(struct store *st, int64_t id, int32_t day, int attempt,
    int escalate_at, int64_t now, int *escalated, char **cause)
{
	struct db_stmt *s;
	int rc;

	s = store_stmt(st, STMT_TASK_MOVE, "UPDATE plan_items SET day = ?2,"
	    " attempts = attempts + ?3, escalated = CASE WHEN escalated <> 0 OR"
	    " attempts + ?3 >= ?4 THEN 1 ELSE 0 END,"
	    " sequence = sequence + 1, modified_at = ?5"
	    " WHERE id = ?1 AND status = 'open' RETURNING escalated;", cause);
	if (s == NULL)
		return -1;
	db_bind_int64(s, 1, id);
	db_bind_int64(s, 2, day);
	db_bind_int64(s, 3, attempt ? 1 : 0);
	db_bind_int64(s, 4, attempt ? escalate_at : 0x7fffffff);
	db_bind_int64(s, 5, now);
	if ((rc = db_step(s, cause)) == DB_ROW)
		*escalated = (int)db_column_int64(s, 0);
	if (rc == DB_ROW)
		rc = db_step(s, cause);
	db_reset(s);
	return rc == DB_DONE ? 0 : -1;
}

int
store_customer_revisit_next(struct store *st, int64_t customer_id,
    int32_t day, char **cause)
{
	struct db_stmt *s;

	s = store_stmt(st, STMT_REVISIT_NEXT, "UPDATE customers SET"
	    " revisit_next = ?2 WHERE id = ?1;", cause);
	if (s == NULL)
		return -1;
	db_bind_int64(s, 1, customer_id);
	bind_day(s, 2, day);
	return store_write(st, s, cause) < 0 ? -1 : 0;
}

int
store_customer_stale_flag(struct store *st, int64_t customer_id,
    int32_t day, const char *note, char **cause)
{
	struct db_stmt *s;

	s = store_stmt(st, STMT_STALE_FLAG, "UPDATE customers SET"
	    " stale_since = coalesce(stale_since, ?2), stale_note ="
	    " coalesce(?3, stale_note) WHERE id = ?1;", cause);
	if (s == NULL)
		return -1;
	db_bind_int64(s, 1, customer_id);
	db_bind_int64(s, 2, day);
	db_bind_text(s, 3, note);
	return store_write(st, s, cause) < 0 ? -1 : 0;
}

int
store_customer_verify(struct store *st, int64_t customer_id, int64_t now,
    char **cause)
{
	struct db_stmt *s;
	int rc;

	if ((rc = store_customer_is_stale(st, customer_id, cause)) < 0)
		return -1;
	/* updated_at is NOT NULL: the two maxima agree. */
	s = store_stmt(st, STMT_VERIFY, store_dialect(st, "UPDATE customers"
	    " SET stale_since = NULL, stale_note = NULL, updated_at ="
	    " max(updated_at, ?2) WHERE id = ?1;", "UPDATE customers SET"
	    " stale_since = NULL, stale_note = NULL, updated_at ="
	    " greatest(updated_at, ?2) WHERE id = ?1;"), cause);
	if (s == NULL)
		return -1;
	db_bind_int64(s, 1, customer_id);
	db_bind_int64(s, 2, now);
	return store_write(st, s, cause) < 0 ? -1 : rc;
}

int
store_customer_is_stale(struct store *st, int64_t customer_id, char **cause)
{
	struct db_stmt *s;
	int rc, v = 0;

	s = store_stmt(st, STMT_IS_STALE, "SELECT CASE WHEN stale_since IS"
	    " NOT NULL THEN 1 ELSE 0 END FROM customers WHERE id = ?1;", cause);
	if (s == NULL)
		return -1;
	db_bind_int64(s, 1, customer_id);
	if ((rc = db_step(s, cause)) == DB_ROW)
		v = (int)db_column_int64(s, 0);
	db_reset(s);
	return rc == DB_ERROR ? -1 : v;
}

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

/* Runs a cached statement that returns no row and resets it; the number
 * of rows changed, or -1.  Every statement an outcome runs is prepared
 * once per connection: the outcomes of the web pages are recorded by one
 * thread, and parsing them each time was most of its work. */
static int
run(struct store *st, sqlite3_stmt *s, const char *what, char **cause)
{
	int rc = sqlite3_step(s);

	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return store_fail(st, what, cause);
	return sqlite3_changes(st->db);
}

/* Binds a day, or NULL for DAY_NONE. */
static void
bind_day(sqlite3_stmt *s, int i, int32_t day)
{
	if (day != DAY_NONE)
		sqlite3_bind_int(s, i, day);
}

int
store_task_event_add(struct store *st, const struct store_task_event *e,
    char **cause)
{
	sqlite3_stmt *s;

	s = store_cached(st, STMT_EVENT_ADD, "INSERT INTO task_events (item_id,"
	    " customer_id, rep_id, at, day, outcome, kind, date, note, source)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10);", cause);
	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, e->item_id);
	sqlite3_bind_int64(s, 2, e->customer_id);
	if (e->rep_id > 0)
		sqlite3_bind_int64(s, 3, e->rep_id);
	sqlite3_bind_int64(s, 4, e->at);
	sqlite3_bind_int(s, 5, e->day);
	store_bind_text(s, 6, e->outcome);
	store_bind_text(s, 7, e->kind);
	bind_day(s, 8, e->date);
	store_bind_text(s, 9, e->note);
	store_bind_text(s, 10, e->source);
	return run(st, s, "saving task outcome", cause) < 0 ? -1 : 0;
}

/* Fills e from an EVENT_SELECT row; strings borrowed from the row. */
static void
event_read(sqlite3_stmt *s, struct store_task_event *e)
{
	memset(e, 0, sizeof(*e));
	e->item_id = sqlite3_column_int64(s, 0);
	e->customer_id = sqlite3_column_int64(s, 1);
	e->rep_id = sqlite3_column_int64(s, 2);
	e->rep = (const char *)sqlite3_column_text(s, 3);
	e->at = sqlite3_column_int64(s, 4);
	e->day = sqlite3_column_int(s, 5);
	e->outcome = (const char *)sqlite3_column_text(s, 6);
	e->kind = (const char *)sqlite3_column_text(s, 7);
	e->date = store_column_day(s, 8);
	e->note = (const char *)sqlite3_column_text(s, 9);
	e->source = (const char *)sqlite3_column_text(s, 10);
	e->task_kind = (const char *)sqlite3_column_text(s, 11);
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
	sqlite3_stmt *s;
	int rc;

	memset(e, 0, sizeof(*e));
	s = store_cached(st, STMT_EVENT_LAST, EVENT_SELECT "WHERE e.item_id ="
	    " ?1 ORDER BY e.id DESC LIMIT 1;", cause);
	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, item_id);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		event_read(s, e);
		e->rep = dup(e->rep);
		e->outcome = dup(e->outcome);
		e->kind = dup(e->kind);
		e->note = dup(e->note);
		e->source = dup(e->source);
		e->task_kind = dup(e->task_kind);
	}
	sqlite3_reset(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_fail(st, "reading task outcomes", cause);
	return rc == SQLITE_ROW;
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
	sqlite3_stmt *s;
	int rc, stop = 0;

	s = store_prepare(st, EVENT_SELECT "WHERE e.customer_id = ?1"
	    " ORDER BY e.at, e.id;", cause);
	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, customer_id);
	while (!stop && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		event_read(s, &e);
		stop = cb(arg, &e);
	}
	sqlite3_finalize(s);
	if (stop)
		return stop;
	return rc == SQLITE_DONE ? 0 : store_fail(st, "reading task outcomes",
	    cause);
}

int
store_task_close(struct store *st, int64_t id, const char *status,
    const char *note, int64_t now, char **cause)
{
	sqlite3_stmt *s;

	s = store_cached(st, STMT_TASK_CLOSE, "UPDATE plan_items SET status ="
	    " ?2, sequence = sequence + 1, modified_at = ?3, done_at = CASE"
	    " WHEN ?2 = 'done' THEN ?3 END, note = coalesce(?4, note) WHERE"
	    " status = 'open' AND action = 'task' AND (id = ?1 OR merged_into"
	    " = ?1);", cause);
	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, id);
	store_bind_text(s, 2, status);
	sqlite3_bind_int64(s, 3, now);
	store_bind_text(s, 4, note);
	return run(st, s, "closing task", cause);
}

int
store_task_close_followups(struct store *st, int64_t customer_id,
    int64_t now, char **cause)
{
	sqlite3_stmt *s;

	s = store_cached(st, STMT_FOLLOWUPS_CLOSE, "UPDATE plan_items SET"
	    " status = 'done', sequence = sequence + 1, modified_at = ?2,"
	    " done_at = ?2"
	    " WHERE customer_id = ?1 AND action = 'task' AND status = 'open'"
	    " AND (event IN ('revisit', 'lost', 'sleeping') OR merged_into IN"
	    " (SELECT id FROM plan_items WHERE customer_id = ?1 AND action ="
	    " 'task' AND status = 'open' AND merged_into IS NULL AND event IN"
	    " ('revisit', 'lost', 'sleeping')));", cause);
	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, customer_id);
	sqlite3_bind_int64(s, 2, now);
	return run(st, s, "closing follow-ups", cause);
}

int
store_task_move(struct store *st, int64_t id, int32_t day, int attempt,
    int escalate_at, int64_t now, int *escalated, char **cause)
{
	sqlite3_stmt *s;
	int rc;

	s = store_cached(st, STMT_TASK_MOVE, "UPDATE plan_items SET day = ?2,"
	    " attempts = attempts + ?3, escalated = (escalated OR attempts +"
	    " ?3 >= ?4),"
	    " sequence = sequence + 1, modified_at = ?5"
	    " WHERE id = ?1 AND status = 'open' RETURNING escalated;", cause);
	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_int(s, 2, day);
	sqlite3_bind_int(s, 3, attempt ? 1 : 0);
	sqlite3_bind_int(s, 4, attempt ? escalate_at : 0x7fffffff);
	sqlite3_bind_int64(s, 5, now);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW)
		*escalated = sqlite3_column_int(s, 0);
	if (rc == SQLITE_ROW)
		rc = sqlite3_step(s);
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? 0 : store_fail(st, "moving task", cause);
}

int
store_customer_revisit_next(struct store *st, int64_t customer_id,
    int32_t day, char **cause)
{
	sqlite3_stmt *s;

	s = store_cached(st, STMT_REVISIT_NEXT, "UPDATE customers SET"
	    " revisit_next = ?2 WHERE id = ?1;", cause);
	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, customer_id);
	bind_day(s, 2, day);
	return run(st, s, "saving the next follow-up", cause) < 0 ? -1 : 0;
}

int
store_customer_stale_flag(struct store *st, int64_t customer_id,
    int32_t day, const char *note, char **cause)
{
	sqlite3_stmt *s;

	s = store_cached(st, STMT_STALE_FLAG, "UPDATE customers SET"
	    " stale_since = coalesce(stale_since, ?2), stale_note ="
	    " coalesce(?3, stale_note) WHERE id = ?1;", cause);
	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, customer_id);
	sqlite3_bind_int(s, 2, day);
	store_bind_text(s, 3, note);
	return run(st, s, "flagging customer", cause) < 0 ? -1 : 0;
}

int
store_customer_verify(struct store *st, int64_t customer_id, int64_t now,
    char **cause)
{
	sqlite3_stmt *s;
	int rc;

	if ((rc = store_customer_is_stale(st, customer_id, cause)) < 0)
		return -1;
	s = store_cached(st, STMT_VERIFY, "UPDATE customers SET stale_since ="
	    " NULL, stale_note = NULL, updated_at = max(updated_at, ?2) WHERE"
	    " id = ?1;", cause);
	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, customer_id);
	sqlite3_bind_int64(s, 2, now);
	return run(st, s, "verifying customer", cause) < 0 ? -1 : rc;
}

int
store_customer_is_stale(struct store *st, int64_t customer_id, char **cause)
{
	sqlite3_stmt *s;
	int rc, v = 0;

	s = store_cached(st, STMT_IS_STALE, "SELECT stale_since IS NOT NULL"
	    " FROM customers WHERE id = ?1;", cause);
	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, customer_id);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW)
		v = sqlite3_column_int(s, 0);
	sqlite3_reset(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_fail(st, "reading customer", cause);
	return v;
}

/* store_outbox_ctl.c - what an admin does to the outbox: cancel queued
 * messages, hold and release sending, and the messages whose text must
 * be made again (store_outbox.h). */
#include <stdlib.h>
#include <string.h>

#include "store_outbox.h"
#include "store_outbox_priv.h"
#include "util.h"

/* Steps a write and finalizes it: how many rows it changed, or -1. */
static int
step_changes(struct store *st, sqlite3_stmt *s, const char *what,
    char **cause)
{
	int rc = sqlite3_step(s);

	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return store_fail(st, what, cause);
	return sqlite3_changes(st->db);
}

/* Cancels the queued (or to-retry) rows f selects, keeping why; each one's
 * version moves on, so a delivery pass holding it leaves it alone. */
int
store_outbox_cancel(struct store *st, const struct outbox_select *f,
    const char *reason, int64_t now, char **cause)
{
	sqlite3_stmt *s;

	s = store_prepare(st, "UPDATE outbox SET state = 'cancelled',"
	    " cancel_reason = ?5, version = version + 1, updated_at = ?6"
	    " WHERE state IN ('pending','retry') AND"
	    " (?1 IS NULL OR id = ?1) AND"
	    " (?2 IS NULL OR item_id IN (SELECT id FROM plan_items"
	    "   WHERE rule = ?2)) AND"
	    " (?3 IS NULL OR day = ?3) AND"
	    " (?4 IS NULL OR customer_id = (SELECT id FROM customers"
	    "   WHERE external_id = ?4));", cause);
	if (s == NULL)
		return -1;
	if (f->id > 0)
		sqlite3_bind_int64(s, 1, f->id);
	store_bind_text(s, 2, f->rule);
	if (f->has_day)
		sqlite3_bind_int(s, 3, f->day);
	store_bind_text(s, 4, f->customer);
	store_bind_text(s, 5, reason);
	sqlite3_bind_int64(s, 6, now);
	return step_changes(st, s, "cancelling messages", cause);
}

/* The state table's key of a channel's hold. */
static const char *
hold_key(enum channel ch)
{
	return ch == CHANNEL_SMS ? "hold:sms" : "hold:email";
}

int
store_outbox_hold(struct store *st, enum channel ch, int on, int64_t now,
    char **cause)
{
	sqlite3_stmt *s;

	s = store_prepare(st, on ? "INSERT INTO state (key, value) VALUES"
	    " (?1, ?2) ON CONFLICT (key) DO NOTHING;" :
	    "DELETE FROM state WHERE key = ?1;", cause);
	if (s == NULL)
		return -1;
	store_bind_text(s, 1, hold_key(ch));
	if (on)
		sqlite3_bind_int64(s, 2, now);
	return step_changes(st, s, on ? "holding" : "releasing", cause);
}

int
store_outbox_held(struct store *st, enum channel ch, int64_t *since,
    char **cause)
{
	sqlite3_stmt *s;
	int rc;

	s = store_prepare(st, "SELECT CAST(value AS INTEGER) FROM state"
	    " WHERE key = ?1;", cause);
	if (s == NULL)
		return -1;
	store_bind_text(s, 1, hold_key(ch));
	if ((rc = sqlite3_step(s)) == SQLITE_ROW && since != NULL)
		*since = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	if (rc == SQLITE_ROW)
		return 1;
	return rc == SQLITE_DONE ? 0 : store_fail(st, "reading the hold",
	    cause);
}

int
store_outbox_stale_renders(struct store *st, const char *render_key,
    int limit, outbox_cb cb, void *arg, char **cause)
{
	sqlite3_stmt *s;

	/* Only queued customer messages; the customer's updated_at is in
	 * seconds and so is rendered_at: a change in the second of the
	 * rendering renders once more, never once less. */
	/* The queue only, through its index (the history may be large):
	 * SEARCH o USING INDEX outbox_due, then the customer by its key. */
	s = store_prepare(st, "SELECT " OUTBOX_COLS_O " FROM outbox o"
	    " INDEXED BY outbox_due JOIN customers c ON c.id = o.customer_id"
	    " WHERE o.state IN ('pending','retry') AND o.item_id IS NOT NULL"
	    " AND (o.render_key IS NOT ?1 OR c.updated_at >= o.rendered_at)"
	    " ORDER BY o.id LIMIT ?2;", cause);
	if (s == NULL)
		return -1;
	store_bind_text(s, 1, render_key);
	sqlite3_bind_int(s, 2, limit);
	return store_outbox_walk(st, s, cb, arg, cause);
}

int
store_outbox_rerender(struct store *st, const struct outbox_msg *m,
    int64_t now, char **cause)
{
	sqlite3_stmt *s;

	s = store_prepare(st, "UPDATE outbox SET recipient = ?3,"
	    " recipient_name = ?4, from_name = ?5, reply_to = ?6, subject = ?7,"
	    " body = ?8, html = ?9, timezone = ?10, expires_at = ?11,"
	    " render_key = ?12, rendered_at = ?13, updated_at = ?13,"
	    " sms_request = ?14, version = version + 1"
	    " WHERE id = ?1 AND version = ?2 AND state IN ('pending','retry');",
	    cause);
	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, m->id);
	sqlite3_bind_int64(s, 2, m->version);
	store_bind_text(s, 3, m->recipient);
	store_bind_text(s, 4, m->recipient_name);
	store_bind_text(s, 5, m->from_name);
	store_bind_text(s, 6, m->reply_to);
	store_bind_text(s, 7, m->subject);
	store_bind_text(s, 8, m->body);
	store_bind_text(s, 9, m->html);
	store_bind_text(s, 10, m->timezone);
	if (m->expires_at > 0)
		sqlite3_bind_int64(s, 11, m->expires_at);
	store_bind_text(s, 12, m->render_key);
	sqlite3_bind_int64(s, 13, now);
	store_bind_text(s, 14, m->sms_request);
	return step_changes(st, s, "rendering a message again", cause);
}

int
store_outbox_give_up(struct store *st, const struct outbox_msg *m,
    enum outbox_state state, const char *why, int64_t now, char **cause)
{
	sqlite3_stmt *s;

	s = store_prepare(st, "UPDATE outbox SET state = ?3, last_error = ?4,"
	    " updated_at = ?5, version = version + 1"
	    " WHERE id = ?1 AND version = ?2 AND state IN ('pending','retry');",
	    cause);
	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, m->id);
	sqlite3_bind_int64(s, 2, m->version);
	store_bind_text(s, 3, outbox_state_name(state));
	store_bind_text(s, 4, why);
	sqlite3_bind_int64(s, 5, now);
	return step_changes(st, s, "updating outbox", cause);
}

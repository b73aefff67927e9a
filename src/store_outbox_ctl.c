/* store_outbox_ctl.c - what an admin does to the outbox: cancel queued
 * messages, hold and release sending, and the messages whose text must
 * be made again (store_outbox.h). */
#include <stdlib.h>
#include <string.h>

#include "store_outbox.h"
#include "store_outbox_priv.h"
#include "util.h"

/* Cancels the queued (or to-retry) rows f selects, keeping why; each one's
 * version moves on, so a delivery pass holding it leaves it alone. */
int
store_outbox_cancel(struct store *st, const struct outbox_select *f,
    const char *reason, int64_t now, char **cause)
{
	struct db_stmt *s;

	/* An unset condition is a NULL parameter, CAST so that PostgreSQL
	 * knows its type at "IS NULL". */
	s = db_prepare(st->conn, "UPDATE outbox SET state = 'cancelled',"
	    " cancel_reason = ?5, version = version + 1, updated_at = ?6"
	    " WHERE state IN ('pending','retry') AND"
	    " (CAST(?1 AS BIGINT) IS NULL OR id = ?1) AND"
	    " (CAST(?2 AS TEXT) IS NULL OR item_id IN (SELECT id FROM"
	    "   plan_items WHERE rule = ?2)) AND"
	    " (CAST(?3 AS BIGINT) IS NULL OR day = ?3) AND"
	    " (CAST(?4 AS TEXT) IS NULL OR customer_id = (SELECT id FROM"
	    "   customers"
	    "   WHERE external_id = ?4));", cause);
	if (s == NULL)
		return -1;
	if (f->id > 0)
		db_bind_int64(s, 1, f->id);
	db_bind_text(s, 2, f->rule);
	if (f->has_day)
		db_bind_int64(s, 3, f->day);
	db_bind_text(s, 4, f->customer);
	db_bind_text(s, 5, reason);
	db_bind_int64(s, 6, now);
	return store_write(st, s, cause);
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
	struct db_stmt *s;

	s = db_prepare(st->conn, on ? "INSERT INTO state (key, value) VALUES"
	    " (?1, ?2) ON CONFLICT (key) DO NOTHING;" :
	    "DELETE FROM state WHERE key = ?1;", cause);
	if (s == NULL)
		return -1;
	db_bind_text(s, 1, hold_key(ch));
	if (on)
		db_bind_int64(s, 2, now);
	return store_write(st, s, cause);
}

int
store_outbox_held(struct store *st, enum channel ch, int64_t *since,
    char **cause)
{
	struct db_stmt *s;
	int rc;

	/* BIGINT: PostgreSQL's INTEGER is 32 bits. */
	s = db_prepare(st->conn, "SELECT CAST(value AS BIGINT) FROM state"
	    " WHERE key = ?1;", cause);
	if (s == NULL)
		return -1;
	db_bind_text(s, 1, hold_key(ch));
	if ((rc = db_step(s, cause)) == DB_ROW && since != NULL)
		*since = db_column_int64(s, 0);
	db_finalize(s);
	if (rc == DB_ROW)
		return 1;
	return rc == DB_DONE ? 0 : -1;
}

int
store_outbox_stale_renders(struct store *st, const char *render_key,
    int limit, outbox_cb cb, void *arg, char **cause)
{
	struct db_stmt *s;

	/* Only queued customer messages; the customer's updated_at is in
	 * seconds and so is rendered_at: a change in the second of the
	 * rendering renders once more, never once less. */
	/* The queue only, through its index (the history may be large):
	 * SEARCH o USING INDEX outbox_due, then the customer by its key.
	 * PostgreSQL takes no hint. */
	s = db_prepare(st->conn, store_dialect(st,
	    "SELECT " OUTBOX_COLS_O " FROM outbox o"
	    " INDEXED BY outbox_due JOIN customers c ON c.id = o.customer_id"
	    " WHERE o.state IN ('pending','retry') AND o.item_id IS NOT NULL"
	    " AND (o.render_key IS DISTINCT FROM ?1 OR"
	    " c.updated_at >= o.rendered_at) ORDER BY o.id LIMIT ?2;",
	    "SELECT " OUTBOX_COLS_O " FROM outbox o"
	    " JOIN customers c ON c.id = o.customer_id"
	    " WHERE o.state IN ('pending','retry') AND o.item_id IS NOT NULL"
	    " AND (o.render_key IS DISTINCT FROM ?1 OR"
	    " c.updated_at >= o.rendered_at) ORDER BY o.id LIMIT ?2;"), cause);
	if (s == NULL)
		return -1;
	db_bind_text(s, 1, render_key);
	db_bind_int64(s, 2, limit);
	return store_outbox_walk(s, cb, arg, cause);
}

int
store_outbox_rerender(struct store *st, const struct outbox_msg *m,
    int64_t now, char **cause)
{
	struct db_stmt *s;

	s = store_stmt(st, STMT_OUTBOX_RERENDER, "UPDATE outbox SET"
	    " recipient = ?3, recipient_name = ?4, from_name = ?5,"
	    " reply_to = ?6, subject = ?7, body = ?8, html = ?9,"
	    " timezone = ?10, expires_at = ?11, render_key = ?12,"
	    " rendered_at = ?13, updated_at = ?13, sms_request = ?14,"
	    " version = version + 1"
	    " WHERE id = ?1 AND version = ?2 AND state IN ('pending','retry');",
	    cause);
	if (s == NULL)
		return -1;
	db_bind_int64(s, 1, m->id);
	db_bind_int64(s, 2, m->version);
	db_bind_text(s, 3, m->recipient);
	db_bind_text(s, 4, m->recipient_name);
	db_bind_text(s, 5, m->from_name);
	db_bind_text(s, 6, m->reply_to);
	db_bind_text(s, 7, m->subject);
	db_bind_text(s, 8, m->body);
	db_bind_text(s, 9, m->html);
	db_bind_text(s, 10, m->timezone);
	if (m->expires_at > 0)
		db_bind_int64(s, 11, m->expires_at);
	db_bind_text(s, 12, m->render_key);
	db_bind_int64(s, 13, now);
	db_bind_text(s, 14, m->sms_request);
	return store_write(st, s, cause);
}

int
store_outbox_give_up(struct store *st, const struct outbox_msg *m,
    enum outbox_state state, const char *why, int64_t now, char **cause)
{
	struct db_stmt *s;

	s = store_stmt(st, STMT_OUTBOX_GIVE_UP, "UPDATE outbox SET state = ?3,"
	    " last_error = ?4, updated_at = ?5, version = version + 1"
	    " WHERE id = ?1 AND version = ?2 AND state IN ('pending','retry');",
	    cause);
	if (s == NULL)
		return -1;
	db_bind_int64(s, 1, m->id);
	db_bind_int64(s, 2, m->version);
	db_bind_text(s, 3, outbox_state_name(state));
	db_bind_text(s, 4, why);
	db_bind_int64(s, 5, now);
	return store_write(st, s, cause);
}

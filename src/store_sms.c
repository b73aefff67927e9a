/* store_sms.c - status queries and reports of provider SMS rows. */
#include "store_sms.h"

#include "store_outbox_priv.h"
#include "store_schema.h"
#include "util.h"

int
store_sms_status_due(struct store *st, int64_t now, int limit,
    outbox_cb cb, void *arg, char **cause)
{
	sqlite3_stmt *s;

	s = store_prepare(st, "SELECT " OUTBOX_COLS " FROM outbox INDEXED BY"
	    " outbox_status WHERE status_at IS NOT NULL AND status_at <= ?1"
	    " AND channel = 'sms' ORDER BY status_at, id LIMIT ?2;", cause);
	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, now);
	sqlite3_bind_int(s, 2, limit);
	return store_outbox_walk(st, s, cb, arg, cause);
}

/* Steps and finalizes s: the rows it changed, or -1. */
static int
changes(struct store *st, sqlite3_stmt *s, const char *what, char **cause)
{
	int rc = sqlite3_step(s);

	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return store_fail(st, what, cause);
	return sqlite3_changes(st->db);
}

int
store_sms_status_next(struct store *st, int64_t id, int64_t at, int checks,
    char **cause)
{
	sqlite3_stmt *s;

	s = store_prepare(st, "UPDATE outbox SET status_at = ?2,"
	    " status_checks = ?3 WHERE id = ?1;", cause);
	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, id);
	if (at > 0)
		sqlite3_bind_int64(s, 2, at);
	sqlite3_bind_int(s, 3, checks);
	return changes(st, s, "scheduling a status query", cause) < 0 ? -1 : 0;
}

int
store_sms_report(struct store *st, int64_t id, int delivered,
    const char *detail, const char *provider_id, int64_t now, char **cause)
{
	sqlite3_stmt *s;

	if (delivered < 0)
		s = store_prepare(st, "UPDATE outbox SET state = 'sent',"
		    " sent_at = coalesce(sent_at, ?3), last_error = NULL,"
		    " provider_id = coalesce(provider_id, ?2), updated_at = ?3"
		    " WHERE id = ?1 AND channel = 'sms' AND state IN"
		    " ('sent','unknown');", cause);
	else
		s = store_prepare(st, "UPDATE outbox SET state = ?4,"
		    " last_error = ?5, provider_id = coalesce(provider_id, ?2),"
		    " sent_at = coalesce(sent_at, ?3), updated_at = ?3,"
		    " status_at = NULL WHERE id = ?1 AND channel = 'sms' AND"
		    " state IN ('sent','unknown','delivered','undelivered');",
		    cause);
	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, id);
	store_bind_text(s, 2, provider_id);
	sqlite3_bind_int64(s, 3, now);
	if (delivered >= 0) {
		store_bind_text(s, 4, delivered ? "delivered" : "undelivered");
		store_bind_text(s, 5, delivered ? NULL : detail);
	}
	return changes(st, s, "saving a delivery report", cause);
}

int
store_sms_resend(struct store *st, int64_t id, const char *why, int64_t now,
    char **cause)
{
	sqlite3_stmt *s;

	s = store_prepare(st, "UPDATE outbox SET state = 'retry',"
	    " not_before = ?2, updated_at = ?2, last_error = ?3,"
	    " status_at = NULL WHERE id = ?1 AND state = 'unknown';", cause);
	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_int64(s, 2, now);
	store_bind_text(s, 3, why);
	return changes(st, s, "sending an unknown message again", cause);
}

int
store_sms_by_provider_id(struct store *st, const char *pid, int64_t *id,
    char **cause)
{
	sqlite3_stmt *s;
	int rc;

	s = store_prepare(st, "SELECT id FROM outbox WHERE provider_id = ?1"
	    " AND channel = 'sms' ORDER BY id DESC LIMIT 1;", cause);
	if (s == NULL)
		return -1;
	store_bind_text(s, 1, pid);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*id = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	if (rc == SQLITE_ROW)
		return 1;
	return rc == SQLITE_DONE ? 0 : store_fail(st, "finding a message by "
	    "its provider id", cause);
}

int
store_sms_sending(struct store *st, int64_t id, char **cause)
{
	sqlite3_stmt *s;
	int rc;

	s = store_prepare(st, "SELECT 1 FROM outbox WHERE id = ?1 AND"
	    " channel = 'sms' AND state = 'sending';", cause);
	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, id);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc == SQLITE_ROW)
		return 1;
	return rc == SQLITE_DONE ? 0 : store_fail(st, "reading a message's "
	    "state", cause);
}

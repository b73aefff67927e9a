/* store_sms.c - status queries and reports of provider SMS rows. */
#include "store_sms.h"

#include "store_outbox_priv.h"
#include "store_schema.h"
#include "util.h"

int
store_sms_status_due(struct store *st, int64_t now, int limit,
    outbox_cb cb, void *arg, char **cause)
{
	struct db_stmt *s;

	/* INDEXED BY is SQLite's; PostgreSQL takes no hint. */
	s = db_prepare(st->conn, store_dialect(st,
	    "SELECT " OUTBOX_COLS " FROM outbox INDEXED BY outbox_status"
	    " WHERE status_at IS NOT NULL AND status_at <= ?1"
	    " AND channel = 'sms' ORDER BY status_at, id LIMIT ?2;",
	    "SELECT " OUTBOX_COLS " FROM outbox"
	    " WHERE status_at IS NOT NULL AND status_at <= ?1"
	    " AND channel = 'sms' ORDER BY status_at, id LIMIT ?2;"), cause);
	if (s == NULL)
		return -1;
	db_bind_int64(s, 1, now);
	db_bind_int64(s, 2, limit);
	return store_outbox_walk(s, cb, arg, cause);
}

int
store_sms_status_next(struct store *st, int64_t id, int64_t at, int checks,
    char **cause)
{
	struct db_stmt *s;

	s = store_stmt(st, STMT_SMS_STATUS_NEXT, "UPDATE outbox SET"
	    " status_at = ?2, status_checks = ?3 WHERE id = ?1;", cause);
	if (s == NULL)
		return -1;
	db_bind_int64(s, 1, id);
	if (at > 0)
		db_bind_int64(s, 2, at);
	else
		db_bind_null(s, 2);
	db_bind_int64(s, 3, checks);
	return store_write(st, s, cause) < 0 ? -1 : 0;
}

int
store_sms_report(struct store *st, int64_t id, int delivered,
    const char *detail, const char *provider_id, int64_t now, char **cause)
{
	struct db_stmt *s;

	if (delivered < 0)
		s = store_stmt(st, STMT_SMS_REPORT_SENT, "UPDATE outbox SET"
		    " state = 'sent', sent_at = coalesce(sent_at, ?3),"
		    " last_error = NULL,"
		    " provider_id = coalesce(provider_id, ?2), updated_at = ?3"
		    " WHERE id = ?1 AND channel = 'sms' AND state IN"
		    " ('sent','unknown');", cause);
	else
		s = store_stmt(st, STMT_SMS_REPORT, "UPDATE outbox SET"
		    " state = ?4, last_error = ?5,"
		    " provider_id = coalesce(provider_id, ?2),"
		    " sent_at = coalesce(sent_at, ?3), updated_at = ?3,"
		    " status_at = NULL WHERE id = ?1 AND channel = 'sms' AND"
		    " state IN ('sent','unknown','delivered','undelivered');",
		    cause);
	if (s == NULL)
		return -1;
	db_bind_int64(s, 1, id);
	db_bind_text(s, 2, provider_id);
	db_bind_int64(s, 3, now);
	if (delivered >= 0) {
		db_bind_text(s, 4, delivered ? "delivered" : "undelivered");
		db_bind_text(s, 5, delivered ? NULL : detail);
	}
	return store_write(st, s, cause);
}

int
store_sms_resend(struct store *st, int64_t id, const char *why, int64_t now,
    char **cause)
{
	struct db_stmt *s;

	s = store_stmt(st, STMT_SMS_RESEND, "UPDATE outbox SET state = 'retry',"
	    " not_before = ?2, updated_at = ?2, last_error = ?3,"
	    " status_at = NULL WHERE id = ?1 AND state = 'unknown';", cause);
	if (s == NULL)
		return -1;
	db_bind_int64(s, 1, id);
	db_bind_int64(s, 2, now);
	db_bind_text(s, 3, why);
	return store_write(st, s, cause);
}

int
store_sms_by_provider_id(struct store *st, const char *pid, int64_t *id,
    char **cause)
{
	struct db_stmt *s;
	int rc;

	s = store_stmt(st, STMT_SMS_BY_PROVIDER_ID, "SELECT id FROM outbox"
	    " WHERE provider_id = ?1 AND channel = 'sms' ORDER BY id DESC"
	    " LIMIT 1;", cause);
	if (s == NULL)
		return -1;
	db_bind_text(s, 1, pid);
	if ((rc = db_step(s, cause)) == DB_ROW)
		*id = db_column_int64(s, 0);
	db_reset(s);
	if (rc == DB_ROW)
		return 1;
	return rc == DB_DONE ? 0 : -1;
}

int
store_sms_sending(struct store *st, int64_t id, char **cause)
{
	struct db_stmt *s;
	int rc;

	s = store_stmt(st, STMT_SMS_SENDING, "SELECT 1 FROM outbox WHERE"
	    " id = ?1 AND channel = 'sms' AND state = 'sending';", cause);
	if (s == NULL)
		return -1;
	db_bind_int64(s, 1, id);
	rc = db_step(s, cause);
	db_reset(s);
	if (rc == DB_ROW)
		return 1;
	return rc == DB_DONE ? 0 : -1;
}

/* store_outbox.c - the durable outbox. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store_outbox.h"
#include "store_outbox_priv.h"
#include "store_schema.h"
#include "util.h"


void
outbox_msg_clear(struct outbox_msg *m)
{
	free(m->dedup_key);
	free(m->recipient);
	free(m->recipient_name);
	free(m->from_name);
	free(m->reply_to);
	free(m->subject);
	free(m->body);
	free(m->html);
	free(m->timezone);
	free(m->last_error);
	free(m->provider_id);
	free(m->cancel_reason);
	free(m->render_key);
	free(m->sms_request);
	memset(m, 0, sizeof(*m));
}

static const char *const state_names[OUTBOX_NSTATES] = { "pending",
	"sending", "sent", "retry", "failed", "suppressed", "delivered",
	"undelivered", "unknown", "cancelled", "expired" };

const char *
outbox_state_name(enum outbox_state st)
{
	return (unsigned)st < OUTBOX_NSTATES ? state_names[st] : "?";
}

int
outbox_state_parse(const char *name, enum outbox_state *st)
{
	unsigned i;

	for (i = 0; name != NULL && i < OUTBOX_NSTATES; i++) {
		if (strcmp(name, state_names[i]) == 0) {
			*st = (enum outbox_state)i;
			return 0;
		}
	}
	return -1;
}

/* A channel column: e-mail unless it says "sms" (the planner writes only
 * these two). */
static enum channel
column_channel(struct db_stmt *s, int col)
{
	enum channel ch;

	if (channel_parse(db_column_text(s, col), &ch) != 0)
		ch = CHANNEL_EMAIL;
	return ch;
}

static void
outbox_read(struct db_stmt *s, struct outbox_msg *m)
{
	m->id = db_column_int64(s, 0);
	m->dedup_key = store_col_text(s, 1);
	m->item_id = db_column_int64(s, 2);
	m->customer_id = db_column_int64(s, 3);
	m->channel = column_channel(s, 4);
	m->recipient = store_col_text(s, 5);
	m->recipient_name = store_col_text(s, 6);
	m->from_name = store_col_text(s, 7);
	m->reply_to = store_col_text(s, 8);
	m->subject = store_col_text(s, 9);
	m->body = store_col_text(s, 10);
	m->html = store_col_text(s, 11);
	m->day = (int32_t)db_column_int64(s, 12);
	m->timezone = store_col_text(s, 13);
	if (outbox_state_parse(db_column_text(s, 14), &m->state) != 0)
		m->state = OUTBOX_FAILED;	/* not written by this program */
	m->attempts = (int)db_column_int64(s, 15);
	m->not_before = db_column_int64(s, 16);
	m->last_error = store_col_text(s, 17);
	m->provider_id = store_col_text(s, 18);
	m->created_at = db_column_int64(s, 19);
	m->updated_at = db_column_int64(s, 20);
	m->sent_at = db_column_int64(s, 21);
	m->rep_id = db_column_int64(s, 22);
	m->version = db_column_int64(s, 23);
	m->cancel_reason = store_col_text(s, 24);
	m->expires_at = db_column_int64(s, 25);
	m->render_key = store_col_text(s, 26);
	m->rendered_at = db_column_int64(s, 27);
	m->sms_request = store_col_text(s, 28);
	m->status_at = db_column_int64(s, 29);
	m->status_checks = (int)db_column_int64(s, 30);
	m->fence = db_column_int64(s, 31);
}

/* Steps s to the end, calling cb per row; finalizes s. */
int
store_outbox_walk(struct db_stmt *s, outbox_cb cb, void *arg, char **cause)
{
	struct outbox_msg m;
	int rc, stop = 0;

	while (!stop && (rc = db_step(s, cause)) == DB_ROW) {
		memset(&m, 0, sizeof(m));
		outbox_read(s, &m);
		stop = cb(arg, &m);
		outbox_msg_clear(&m);
	}
	db_finalize(s);
	if (stop)
		return stop;
	return rc == DB_DONE ? 0 : -1;
}


/* Walks planned items selected by sql (?1 = v: a limit or an id) into
 * cb. */
static int
items_walk(struct store *st, const char *sql, int64_t v, int rep_message,
    queued_item_cb cb, void *arg, char **cause)
{
	struct db_stmt *s;
	struct queued_item it;
	int rc, stop = 0;

	if ((s = db_prepare(st->conn, sql, cause)) == NULL)
		return -1;
	db_bind_int64(s, 1, v);
	while (!stop && (rc = db_step(s, cause)) == DB_ROW) {
		it.item_id = db_column_int64(s, 0);
		it.dedup_key = db_column_text(s, 1);
		it.rule = db_column_text(s, 2);
		it.customer_id = db_column_int64(s, 3);
		it.external_id = db_column_text(s, 4);
		it.day = (int32_t)db_column_int64(s, 5);
		it.occurrence = (int32_t)db_column_int64(s, 6);
		it.channel = column_channel(s, 7);
		it.rep_message = rep_message;
		stop = cb(arg, &it);
	}
	db_finalize(s);
	if (stop)
		return stop;
	return rc == DB_DONE ? 0 : -1;
}

#define ITEM_SELECT \
	"SELECT p.id, p.dedup_key, p.rule, p.customer_id, c.external_id," \
	" p.day, p.occurrence, p.channel FROM plan_items p" \
	" JOIN customers c ON c.id = p.customer_id WHERE "

int
store_items_unqueued(struct store *st, int limit, queued_item_cb cb,
    void *arg, char **cause)
{
	return items_walk(st, ITEM_SELECT "p.action = 'message' AND"
	    " p.queued = 0 ORDER BY p.id LIMIT ?1;", limit, 0, cb, arg, cause);
}

int
store_item_get(struct store *st, int64_t item_id, queued_item_cb cb,
    void *arg, char **cause)
{
	return items_walk(st, ITEM_SELECT "p.id = ?1;", item_id, 0, cb, arg,
	    cause);
}

int
store_rep_messages_unqueued(struct store *st, int limit, queued_item_cb cb,
    void *arg, char **cause)
{
	return items_walk(st, ITEM_SELECT "p.action = 'task' AND"
	    " p.task_kind = 'message' AND p.queued = 0 ORDER BY p.id"
	    " LIMIT ?1;", limit, 1, cb, arg, cause);
}

int
store_item_mark_queued(struct store *st, int64_t item_id, const char *error,
    char **cause)
{
	struct db_stmt *s;

	s = store_stmt(st, STMT_ITEM_QUEUED, "UPDATE plan_items SET queued = 1,"
	    " error = ?2 WHERE id = ?1;", cause);
	if (s == NULL)
		return -1;
	db_bind_int64(s, 1, item_id);
	db_bind_text(s, 2, error);
	return store_write(st, s, cause) < 0 ? -1 : 0;
}

int
store_rep_message_set(struct store *st, int64_t item_id, const char *subject,
    const char *body, const char *error, char **cause)
{
	struct db_stmt *s;

	s = store_stmt(st, STMT_REP_MESSAGE_SET, "UPDATE plan_items SET"
	    " queued = 1, error = ?2, message_subject = ?3, message = ?4"
	    " WHERE id = ?1;", cause);
	if (s == NULL)
		return -1;
	db_bind_int64(s, 1, item_id);
	db_bind_text(s, 2, error);
	db_bind_text(s, 3, subject);
	db_bind_text(s, 4, body);
	return store_write(st, s, cause) < 0 ? -1 : 0;
}

int
store_outbox_has(struct store *st, const char *dedup_key, char **cause)
{
	struct db_stmt *s;
	int rc;

	s = store_stmt(st, STMT_OUTBOX_HAS, "SELECT 1 FROM outbox WHERE"
	    " dedup_key = ?1;", cause);
	if (s == NULL)
		return -1;
	db_bind_text(s, 1, dedup_key);
	rc = db_step(s, cause);
	db_reset(s);
	if (rc == DB_ROW)
		return 1;
	return rc == DB_DONE ? 0 : -1;
}

/* Binds m's values to the insert below (?16, now, is bound by the
 * caller). */
static void
insert_bind(struct db_stmt *s, const struct outbox_msg *m)
{
	db_bind_text(s, 1, m->dedup_key);
	if (m->item_id > 0)
		db_bind_int64(s, 2, m->item_id);
	if (m->customer_id > 0)
		db_bind_int64(s, 3, m->customer_id);
	db_bind_text(s, 4, channel_name(m->channel));
	db_bind_text(s, 5, m->recipient);
	db_bind_text(s, 6, m->recipient_name);
	db_bind_text(s, 7, m->from_name);
	db_bind_text(s, 8, m->reply_to);
	db_bind_text(s, 9, m->subject);
	db_bind_text(s, 10, m->body);
	db_bind_text(s, 11, m->html);
	db_bind_int64(s, 12, m->day);
	db_bind_text(s, 13, m->timezone);
	db_bind_text(s, 14, outbox_state_name(m->state));
	db_bind_int64(s, 15, m->not_before);
	if (m->rep_id > 0)
		db_bind_int64(s, 17, m->rep_id);
	if (m->expires_at > 0)
		db_bind_int64(s, 18, m->expires_at);
	db_bind_text(s, 19, m->render_key);
	db_bind_text(s, 20, m->sms_request);
}

int
store_outbox_insert(struct store *st, const struct outbox_msg *m,
    int64_t now, int64_t *id, char **cause)
{
	struct db_stmt *s;
	int rc;

	/* ON CONFLICT rather than a constraint failure taken as "queued
	 * already": on PostgreSQL a failed statement spoils the
	 * transaction. */
	s = store_stmt(st, STMT_OUTBOX_INSERT, "INSERT INTO outbox (dedup_key,"
	    " item_id, customer_id, channel, recipient, recipient_name,"
	    " from_name, reply_to, subject, body, html, day, timezone, state,"
	    " not_before, created_at, updated_at, rep_id, expires_at,"
	    " render_key, rendered_at, sms_request) VALUES (?1, ?2, ?3, ?4,"
	    " ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?16, ?17,"
	    " ?18, ?19, ?16, ?20)"
	    " ON CONFLICT (dedup_key) DO NOTHING RETURNING id;", cause);
	if (s == NULL)
		return -1;
	insert_bind(s, m);
	db_bind_int64(s, 16, now);
	rc = db_step(s, cause);
	if (rc == DB_ROW && id != NULL)
		*id = db_column_int64(s, 0);
	db_reset(s);
	if (rc == DB_ROW)
		return 1;
	return rc == DB_DONE ? 0 : -1;
}

int
store_outbox_due(struct store *st, const enum channel *only, int64_t now,
    int64_t after_nb, int64_t after_id, int limit, outbox_cb cb, void *arg,
    char **cause)
{
	struct db_stmt *s;

	/* Keyset paging: each page starts after the last row of the one
	 * before, so rows left as they were (over budget, dry run) are not
	 * read twice.  Without the hint, SQLite picks outbox_state and sorts
	 * every due row, bodies and all, for each page; PostgreSQL takes no
	 * hints (INDEXED BY is SQLite's) and starts its index on
	 * (not_before, id) at the row comparison. */
	s = store_stmt(st, STMT_OUTBOX_DUE, store_dialect(st,
	    "SELECT " OUTBOX_COLS " FROM outbox INDEXED BY outbox_due"
	    " WHERE state IN ('pending','retry') AND not_before <= ?1"
	    " AND not_before >= ?3 AND (not_before > ?3 OR id > ?4)"
	    " AND (CAST(?5 AS TEXT) IS NULL OR channel = ?5)"
	    " ORDER BY not_before, id LIMIT ?2;",
	    "SELECT " OUTBOX_COLS " FROM outbox"
	    " WHERE state IN ('pending','retry') AND not_before <= ?1"
	    " AND (not_before, id) > (?3, ?4)"
	    " AND (CAST(?5 AS TEXT) IS NULL OR channel = ?5)"
	    " ORDER BY not_before, id LIMIT ?2;"), cause);
	if (s == NULL)
		return -1;
	db_bind_text(s, 5, only ? channel_name(*only) : NULL);
	db_bind_int64(s, 1, now);
	db_bind_int64(s, 2, limit);
	db_bind_int64(s, 3, after_nb);
	db_bind_int64(s, 4, after_id);
	return store_outbox_walk(s, cb, arg, cause);
}

int
store_outbox_update(struct store *st, const struct outbox_ref *ref,
    enum outbox_state state, int attempts, int64_t not_before,
    const char *error, const char *provider_id, int64_t sent_at, int64_t now,
    char **cause)
{
	struct db_stmt *s;
	int n;

	/* version = ?9: a row an admin cancelled, held or rendered again
	 * since the pass read it is left as the admin made it; fence = ?10:
	 * a row claimed anew since (this sender's lease ran out) is the new
	 * claimer's. */
	s = store_stmt(st, STMT_OUTBOX_UPDATE, "UPDATE outbox SET state = ?2,"
	    " attempts = ?3,"
	    " not_before = ?4, last_error = ?5, provider_id = coalesce(?6,"
	    " provider_id), sent_at = coalesce(?7, sent_at), updated_at = ?8,"
	    " status_checks = 0, status_at = CASE WHEN sms_request IS NOT NULL"
	    " AND ?2 IN ('sent','unknown') THEN ?8 END,"
	    " claimed_by = CASE WHEN ?2 = 'sending' THEN claimed_by END,"
	    " lease_until = CASE WHEN ?2 = 'sending' THEN lease_until END"
	    " WHERE id = ?1 AND version = ?9 AND fence = ?10;", cause);
	if (s == NULL)
		return -1;
	db_bind_int64(s, 1, ref->id);
	db_bind_text(s, 2, outbox_state_name(state));
	db_bind_int64(s, 3, attempts);
	db_bind_int64(s, 4, not_before);
	db_bind_text(s, 5, error);
	db_bind_text(s, 6, provider_id);
	if (sent_at > 0)
		db_bind_int64(s, 7, sent_at);
	db_bind_int64(s, 8, now);
	db_bind_int64(s, 9, ref->version);
	db_bind_int64(s, 10, ref->fence);
	if ((n = store_write(st, s, cause)) < 0)
		return -1;
	return n > 0;
}

/* A one-number query: ?1 is text when text is not NULL, then integer
 * arguments. */
static int64_t
count(struct store *st, const char *sql, const char *text, const int64_t *a,
    int na, char **cause)
{
	struct db_stmt *s;
	int64_t v = -1;
	int i;

	if ((s = db_prepare(st->conn, sql, cause)) == NULL)
		return -1;
	if (text != NULL)
		db_bind_text(s, 1, text);
	for (i = 0; i < na; i++)
		db_bind_int64(s, i + 2, a[i]);
	if (db_step(s, cause) == DB_ROW)
		v = db_column_int64(s, 0);
	db_finalize(s);
	return v;
}

int
store_outbox_sent_since(struct store *st, enum channel ch, int64_t since,
    char **cause)
{
	return (int)count(st, "SELECT count(*) FROM outbox WHERE channel = ?1"
	    " AND sent_at > ?2;", channel_name(ch), &since, 1, cause);
}

int
store_outbox_customer_count(struct store *st, int64_t customer_id,
    int32_t from, int32_t to, int64_t except, char **cause)
{
	struct db_stmt *s;
	int rc, n = -1;

	/* Once per message sent: prepared once per connection, and the
	 * states spelled out, as an IN list of more than two values costs a
	 * temporary B-tree per execution. */
	s = store_stmt(st, STMT_OUTBOX_CUSTOMER_COUNT, "SELECT count(*) FROM"
	    " outbox WHERE customer_id = ?1 AND day BETWEEN ?2 AND ?3 AND"
	    " id <> ?4 AND (state = 'sent' OR state = 'sending' OR"
	    " state = 'delivered' OR state = 'undelivered');", cause);
	if (s == NULL)
		return -1;
	db_bind_int64(s, 1, customer_id);
	db_bind_int64(s, 2, from);
	db_bind_int64(s, 3, to);
	db_bind_int64(s, 4, except);
	if ((rc = db_step(s, cause)) == DB_ROW)
		n = (int)db_column_int64(s, 0);
	db_reset(s);
	return rc == DB_ROW ? n : -1;
}

int64_t
store_outbox_next_due(struct store *st, const enum channel *only,
    char **cause)
{
	/* The partial index makes this one step (for one channel, a walk in
	 * not_before order to its first row); outbox_state would walk every
	 * waiting row.  The hints are SQLite's: PostgreSQL has none. */
	int64_t due, status = 0;

	/* PostgreSQL: rows under a lease are another sender's (or this
	 * one's, in a pass): not due for us until it runs out, when a pass
	 * comes anyway (the senders' sleep is at most a lease). */
	static const char pg[] = "SELECT coalesce((SELECT not_before FROM"
	    " outbox WHERE state IN ('pending','retry') AND (CAST(?1 AS TEXT)"
	    " IS NULL OR channel = ?1) AND (lease_until IS NULL OR"
	    " lease_until <= ?2) ORDER BY not_before LIMIT 1), 0);";
	int64_t now = (int64_t)time(NULL);

	if (only == NULL)
		due = count(st, store_dialect(st, "SELECT coalesce(min("
		    "not_before), 0) FROM outbox INDEXED BY outbox_due WHERE"
		    " state IN ('pending','retry');", pg), NULL, &now, 1,
		    cause);
	else
		due = count(st, store_dialect(st, "SELECT coalesce((SELECT"
		    " not_before FROM outbox INDEXED BY outbox_due WHERE state"
		    " IN ('pending','retry') AND channel = ?1 ORDER BY"
		    " not_before LIMIT 1), 0);", pg), channel_name(*only), &now,
		    1, cause);
	/* A provider SMS's status query wakes the sender too. */
	if (due >= 0 && (only == NULL || *only == CHANNEL_SMS))
		status = count(st, store_dialect(st, "SELECT coalesce(min("
		    "status_at), 0) FROM outbox INDEXED BY outbox_status WHERE"
		    " status_at IS NOT NULL;", "SELECT coalesce(min(status_at),"
		    " 0) FROM outbox WHERE status_at IS NOT NULL;"), NULL, NULL,
		    0, cause);
	if (status < 0)
		return -1;
	return due > 0 && (status == 0 || due < status) ? due : status > 0 ?
	    status : due;
}

int
store_outbox_each(struct store *st, const enum outbox_state *state,
    long limit, outbox_cb cb, void *arg, char **cause)
{
	struct db_stmt *s;

	/* No limit is the largest one: PostgreSQL refuses SQLite's
	 * LIMIT -1.  The CASTs here and below give PostgreSQL the type of a
	 * parameter it would otherwise meet first in "?1 IS NULL", where it
	 * cannot tell (SQLSTATE 42P08). */
	s = db_prepare(st->conn, "SELECT " OUTBOX_COLS " FROM outbox WHERE"
	    " (CAST(?1 AS TEXT) IS NULL OR state = ?1) ORDER BY id LIMIT ?2;",
	    cause);
	if (s == NULL)
		return -1;
	db_bind_text(s, 1, state ? outbox_state_name(*state) : NULL);
	db_bind_int64(s, 2, limit > 0 ? limit : INT64_MAX);
	return store_outbox_walk(s, cb, arg, cause);
}

int
store_outbox_retry(struct store *st, int64_t id, int64_t now, char **cause)
{
	struct db_stmt *s;

	s = db_prepare(st->conn, "UPDATE outbox SET state = 'retry',"
	    " attempts = 0, not_before = ?2, updated_at = ?2 WHERE"
	    " state <> 'sent' AND ((state = 'failed' AND ?1 = 0) OR (id = ?1"
	    " AND (state = 'failed' OR state = 'unknown')));", cause);
	if (s == NULL)
		return -1;
	db_bind_int64(s, 1, id);
	db_bind_int64(s, 2, now);
	return store_write(st, s, cause);
}

/* Adds the rows of states other than 'sent' to counts, and to with_sent
 * those of them that were sent once (delivered, undelivered).  EXPLAIN
 * QUERY PLAN: SCAN outbox USING COVERING INDEX outbox_state, so no row
 * (bodies and all) is read; 'sent' rows, the history, are not in it. */
static int
counts_not_sent(struct store *st, long counts[OUTBOX_NSTATES][CHANNEL_COUNT],
    long with_sent[CHANNEL_COUNT], char **cause)
{
	struct db_stmt *s;
	enum outbox_state k;
	enum channel ch;
	int rc;

	s = db_prepare(st->conn, "SELECT state, channel, count(*), count(sent_at)"
	    " FROM outbox WHERE state <> 'sent' GROUP BY state, channel;",
	    cause);
	if (s == NULL)
		return -1;
	while ((rc = db_step(s, cause)) == DB_ROW) {
		if (outbox_state_parse(db_column_text(s, 0), &k) != 0)
			k = OUTBOX_FAILED;
		if (channel_parse(db_column_text(s, 1), &ch) != 0)
			continue;	/* the CHECK admits none */
		counts[k][ch] += (long)db_column_int64(s, 2);
		with_sent[ch] += (long)db_column_int64(s, 3);
	}
	db_finalize(s);
	return rc == DB_DONE ? 0 : -1;
}

int
store_outbox_counts_by(struct store *st,
    long counts[OUTBOX_NSTATES][CHANNEL_COUNT], char **cause)
{
	long with_sent[CHANNEL_COUNT] = { 0 };
	int64_t n;
	int ch;

	memset(counts, 0, OUTBOX_NSTATES * sizeof(*counts));
	if (counts_not_sent(st, counts, with_sent, cause) != 0)
		return -1;
	/* A row has sent_at from the moment it is 'sent' on; those still
	 * 'sent' are the channel's outbox_sent entries less the ones that
	 * moved on.  EXPLAIN QUERY PLAN: SEARCH outbox USING COVERING INDEX
	 * outbox_sent (channel=?), a count of index entries, no row read. */
	for (ch = 0; ch < CHANNEL_COUNT; ch++) {
		if ((n = count(st, "SELECT count(*) FROM outbox WHERE"
		    " channel = ?1 AND sent_at IS NOT NULL;",
		    channel_name((enum channel)ch), NULL, 0, cause)) < 0)
			return -1;
		counts[OUTBOX_SENT][ch] = (long)n - with_sent[ch];
	}
	return 0;
}

int
store_outbox_counts(struct store *st, long counts[OUTBOX_NSTATES],
    char **cause)
{
	long by[OUTBOX_NSTATES][CHANNEL_COUNT];
	int k, ch;

	if (store_outbox_counts_by(st, by, cause) != 0)
		return -1;
	for (k = 0; k < OUTBOX_NSTATES; k++)
		for (counts[k] = 0, ch = 0; ch < CHANNEL_COUNT; ch++)
			counts[k] += by[k][ch];
	return 0;
}

int64_t
store_outbox_last_sent(struct store *st, enum channel ch, char **cause)
{
	/* EXPLAIN QUERY PLAN: SEARCH outbox USING COVERING INDEX outbox_sent
	 * (channel=?): max() of an index range is its last entry, one
	 * descent whatever the history. */
	return count(st, "SELECT coalesce(max(sent_at), 0) FROM outbox WHERE"
	    " channel = ?1 AND sent_at IS NOT NULL;", channel_name(ch), NULL,
	    0, cause);
}

int
store_outbox_report(struct store *st, int64_t id, int delivered,
    const char *detail, int64_t now, char **cause)
{
	struct db_stmt *s;

	s = store_stmt(st, STMT_OUTBOX_REPORT, "UPDATE outbox SET state = ?2,"
	    " last_error = ?3, updated_at = ?4 WHERE id = ?1 AND"
	    " channel = 'sms' AND state IN ('sent','delivered','undelivered');",
	    cause);
	if (s == NULL)
		return -1;
	db_bind_int64(s, 1, id);
	db_bind_text(s, 2, delivered ? "delivered" : "undelivered");
	db_bind_text(s, 3, delivered ? NULL : detail);
	db_bind_int64(s, 4, now);
	return store_write(st, s, cause);
}

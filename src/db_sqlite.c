/* db_sqlite.c - the SQLite backend of db.h: a thin layer over the sqlite3
 * API.  The store's policies (WAL, synchronous, secure_delete, a private
 * file mode) stay with the store; here only what every connection needs. */
#include <sqlite3.h>
#include <stdlib.h>

#include "db_priv.h"
#include "util.h"

struct sq {
	sqlite3 *h;
	sqlite3_stmt *txn[DB_TXN_MAX];	/* BEGIN, COMMIT...: parsed once */
};

struct sq_stmt {
	struct db_stmt base;
	sqlite3_stmt *s;
};

static const char *sq_txn_sql[DB_TXN_MAX] = {
	[DB_TXN_BEGIN] = "BEGIN IMMEDIATE;",
	[DB_TXN_BEGIN_READ] = "BEGIN;",
	[DB_TXN_COMMIT] = "COMMIT;",
	[DB_TXN_ROLLBACK] = "ROLLBACK;",
	[DB_TXN_SAVEPOINT] = "SAVEPOINT unit;",
	[DB_TXN_RELEASE] = "RELEASE unit;",
	[DB_TXN_ROLLBACK_TO] = "ROLLBACK TO unit;",
	[DB_TXN_BEGIN_ROWS] = "BEGIN IMMEDIATE;",
};

static const char *sq_txn_what[DB_TXN_MAX] = {
	[DB_TXN_BEGIN] = "beginning a transaction",
	[DB_TXN_BEGIN_READ] = "beginning a read",
	[DB_TXN_COMMIT] = "committing",
	[DB_TXN_ROLLBACK] = "rolling back",
	[DB_TXN_SAVEPOINT] = "starting a unit",
	[DB_TXN_RELEASE] = "keeping a unit",
	[DB_TXN_ROLLBACK_TO] = "undoing a unit",
	[DB_TXN_BEGIN_ROWS] = "beginning a transaction",
};

static sqlite3 *
sq_handle(struct db *db)
{
	return ((struct sq *)db->impl)->h;
}

/* Busy and locked: another connection holds what we need. */
static int
sq_transient(int rc)
{
	return (rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED;
}

static int
sq_fail(struct db *db, int rc, const char *what, char **cause)
{
	return db_fail(db, sq_transient(rc), what, sqlite3_errmsg(sq_handle(db)),
	    cause);
}

static int
sq_open(struct db *db, const char *target, const char *password,
    char **cause)
{
	struct sq *sq = xcalloc(1, sizeof(*sq));
	int rc;

	db->impl = sq;
	rc = sqlite3_open_v2(target, &sq->h, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK)
		return db_fail(db, 0, "cannot open", sq->h != NULL ?
		    sqlite3_errmsg(sq->h) : "out of memory", cause);
	sqlite3_extended_result_codes(sq->h, 1);
	sqlite3_busy_timeout(sq->h, DB_BUSY_MS);
	return 0;
}

struct db *
db_adopt_sqlite(sqlite3 *h, const char *path)
{
	struct db *db = xcalloc(1, sizeof(*db));
	struct sq *sq = xcalloc(1, sizeof(*sq));

	sq->h = h;
	db->ops = &db_sqlite_ops;
	db->backend = DB_SQLITE;
	db->target = xstrdup(path);
	db->impl = sq;
	return db;
}

static void
sq_close(struct db *db)
{
	struct sq *sq = db->impl;
	size_t i;

	for (i = 0; i < DB_TXN_MAX; i++)
		sqlite3_finalize(sq->txn[i]);
	sqlite3_close(sq->h);
	free(sq);
	db->impl = NULL;
}

static struct db_stmt *
sq_prepare(struct db *db, const char *sql, char **cause)
{
	sqlite3_stmt *h = NULL;
	struct sq_stmt *s;
	char *dollar, *why = NULL;
	int rc, n;

	/* SQLite takes a bare "?" too; PostgreSQL would not. */
	if (db_sql_dollar(sql, &dollar, &n, &why) != 0) {
		db_fail(db, 0, "prepare", why, cause);
		free(why);
		return NULL;
	}
	free(dollar);
	if ((rc = sqlite3_prepare_v2(sq_handle(db), sql, -1, &h,
	    NULL)) != SQLITE_OK) {
		sq_fail(db, rc, "prepare", cause);
		sqlite3_finalize(h);
		return NULL;
	}
	s = xcalloc(1, sizeof(*s));
	s->s = h;
	return &s->base;
}

static sqlite3_stmt *
sq_h(struct db_stmt *s)
{
	return ((struct sq_stmt *)s)->s;
}

static int
sq_bind(struct db_stmt *s, int idx, const struct db_value *v)
{
	sqlite3_stmt *h = sq_h(s);
	int rc;

	switch (v->type) {
	case DB_T_INT64:
		rc = sqlite3_bind_int64(h, idx, v->i);
		break;
	case DB_T_DOUBLE:
		rc = sqlite3_bind_double(h, idx, v->d);
		break;
	case DB_T_TEXT:
		rc = sqlite3_bind_text(h, idx, v->t, -1, v->ref ?
		    SQLITE_STATIC : SQLITE_TRANSIENT);
		break;
	default:
		rc = sqlite3_bind_null(h, idx);
		break;
	}
	return rc == SQLITE_OK ? 0 : -1;
}

static int
sq_step(struct db_stmt *s, char **cause)
{
	char what[DB_WHAT_MAX];
	int rc = sqlite3_step(sq_h(s));

	if (rc == SQLITE_ROW)
		return DB_ROW;
	if (rc == SQLITE_DONE)
		return DB_DONE;
	sq_fail(s->db, rc, db_stmt_what(s, what, sizeof(what)), cause);
	return DB_ERROR;
}

static int
sq_column_count(struct db_stmt *s)
{
	return sqlite3_column_count(sq_h(s));
}

/* sqlite3 reads a column out of range as NULL itself. */
static int
sq_column_is_null(struct db_stmt *s, int col)
{
	return sqlite3_column_type(sq_h(s), col) == SQLITE_NULL;
}

static int64_t
sq_column_int64(struct db_stmt *s, int col)
{
	return sqlite3_column_int64(sq_h(s), col);
}

static double
sq_column_double(struct db_stmt *s, int col)
{
	return sqlite3_column_double(sq_h(s), col);
}

static const char *
sq_column_text(struct db_stmt *s, int col)
{
	return (const char *)sqlite3_column_text(sq_h(s), col);
}

static void
sq_reset(struct db_stmt *s)
{
	sqlite3_reset(sq_h(s));
	sqlite3_clear_bindings(sq_h(s));
}

static void
sq_rewind(struct db_stmt *s)
{
	sqlite3_reset(sq_h(s));
}

static void
sq_finalize(struct db_stmt *s)
{
	sqlite3_finalize(sq_h(s));
	free(s);
}

static int64_t
sq_changes(struct db *db)
{
	return sqlite3_changes(sq_handle(db));
}

static int64_t
sq_last_id(struct db *db)
{
	return sqlite3_last_insert_rowid(sq_handle(db));
}

static int
sq_exec(struct db *db, const char *sql, char **cause)
{
	char *msg = NULL;
	int rc;

	if ((rc = sqlite3_exec(sq_handle(db), sql, NULL, NULL,
	    &msg)) == SQLITE_OK)
		return 0;
	db_fail(db, sq_transient(rc), "exec", msg != NULL ? msg :
	    sqlite3_errmsg(sq_handle(db)), cause);
	sqlite3_free(msg);
	return -1;
}

/* BEGIN and COMMIT run once per message delivered: parsing them each
 * time cost more than the row update between them. */
static int
sq_txn(struct db *db, enum db_txn op, char **cause)
{
	struct sq *sq = db->impl;
	int rc;

	if (sq->txn[op] == NULL && (rc = sqlite3_prepare_v2(sq->h,
	    sq_txn_sql[op], -1, &sq->txn[op], NULL)) != SQLITE_OK)
		return sq_fail(db, rc, sq_txn_what[op], cause);
	rc = sqlite3_step(sq->txn[op]);
	sqlite3_reset(sq->txn[op]);
	return rc == SQLITE_DONE ? 0 : sq_fail(db, rc, sq_txn_what[op], cause);
}

static int
sq_in_txn(struct db *db)
{
	return !sqlite3_get_autocommit(sq_handle(db));
}

/* One process's connections share a file, not a server: nothing to
 * listen to. */
static int
sq_listen(struct db *db, const char *channel, int notify, char **cause)
{
	return 0;
}

static int
sq_fd(struct db *db)
{
	return -1;
}

static int
sq_notifications(struct db *db)
{
	return 0;
}

const struct db_ops db_sqlite_ops = {
	.open = sq_open,
	.close = sq_close,
	.prepare = sq_prepare,
	.bind = sq_bind,
	.step = sq_step,
	.column_count = sq_column_count,
	.column_is_null = sq_column_is_null,
	.column_int64 = sq_column_int64,
	.column_double = sq_column_double,
	.column_text = sq_column_text,
	.reset = sq_reset,
	.rewind = sq_rewind,
	.finalize = sq_finalize,
	.changes = sq_changes,
	.last_id = sq_last_id,
	.exec = sq_exec,
	.txn = sq_txn,
	.in_txn = sq_in_txn,
	.listen = sq_listen,
	.fd = sq_fd,
	.notifications = sq_notifications,
};

/* db.h - a small SQL database interface with two backends: SQLite (a file
 * path) and PostgreSQL (libpq conninfo), so that several daemons can share
 * one database.  The store_*.c files are meant to move onto it; until they
 * do, nothing else uses it.
 *
 * SQL is written once, with SQLite's numbered parameters ?1 ?2 ...; the
 * PostgreSQL backend rewrites them to $1 $2 ... (a bare "?" is refused).
 * The SQL itself must be what both understand: ON CONFLICT, RETURNING,
 * BIGINT columns (INTEGER is 32 bits in PostgreSQL), no PRAGMA.
 *
 * Ownership: db_open() gives a struct db the caller frees with db_close().
 * db_prepare() gives a statement the caller frees with db_finalize(),
 * before db_close(); db_cached() gives one the db owns (db_finalize() on
 * it only resets it).  Texts bound are copied.  A text a column returns is
 * the statement's, valid until the next db_step(), db_reset() or
 * db_finalize() of that statement.
 *
 * Errors: every function that can fail returns -1 (or NULL, or DB_ERROR)
 * with "TARGET: what: why" in *cause, the target with any password shown
 * as ***; db_error_transient() then says whether trying the transaction
 * again can succeed.
 *
 * Transactions differ where the engines do.  SQLite runs one writer at a
 * time, so a write transaction waits for the lock (up to DB_BUSY_MS) and
 * never conflicts.  PostgreSQL's db_begin() does the same across every
 * connection and instance: READ COMMITTED, and an advisory lock that one
 * write transaction holds at a time (waited for up to DB_BUSY_MS, then a
 * transient failure), so the store's transactions read, decide and write
 * as if alone and never fail to serialize.  Statements outside
 * db_begin() are atomic each but do not take that lock.  In PostgreSQL
 * a failed statement also spoils the rest of its transaction until
 * db_rollback() or db_rollback_to(). */
#ifndef OUTREACHD_DB_H
#define OUTREACHD_DB_H

#include <stdint.h>

struct db;
struct db_stmt;

enum db_backend {
	DB_SQLITE,
	DB_PG,
};

/* What db_step() returns. */
#define DB_ERROR (-1)
#define DB_DONE 0
#define DB_ROW 1

/* How long an SQLite connection waits for another's lock. */
#define DB_BUSY_MS 5000

/* Opens target: libpq conninfo when it starts "postgresql://" or
 * "postgres://" or holds "host=", "hostaddr=" or "dbname=", else an
 * SQLite file (created if missing).  password_file, when not NULL, is
 * a file whose first line is the PostgreSQL password, or "%d/NAME", a
 * systemd credential (see conf_cred.c); so the password need not be in the
 * target, where it could reach a log (libpq's passfile= works too). */
int db_open(const char *target, const char *password_file, struct db **out,
    char **cause);
void db_close(struct db *db);
/* A struct db over an SQLite connection the caller opened (the store
 * opens its file with flags and settings of its own).  The connection
 * becomes db's: db_close() closes it. */
struct sqlite3;
struct db *db_adopt_sqlite(struct sqlite3 *h, const char *path);
enum db_backend db_backend(const struct db *db);
/* The target as error messages show it (password as ***). */
const char *db_target(const struct db *db);
/* 1 when target names a PostgreSQL database (see db_open()). */
int db_is_conninfo(const char *target);
/* target with every password replaced by ***: the one in a URI's
 * user:password@, a password= query parameter or a password= keyword
 * (sslpassword= too).  A path comes back unchanged.  malloc'd. */
char *db_redact(const char *target);

/* Statements.  db_step() runs the statement at its first call and
 * returns DB_ROW for each row, then DB_DONE; DB_ERROR with *cause.
 * PostgreSQL sends a statement to the server at its first db_step(), so
 * an error in its SQL shows there, not in db_prepare(). */
struct db_stmt *db_prepare(struct db *db, const char *sql, char **cause);
/* The statement the caller numbers id (small integers: an enum), prepared
 * at its first use and kept until db_close(); reset, bindings cleared. */
struct db_stmt *db_cached(struct db *db, unsigned id, const char *sql,
    char **cause);
/* Parameters count from 1.  -1 when idx is out of range. */
int db_bind_int64(struct db_stmt *s, int idx, int64_t v);
int db_bind_double(struct db_stmt *s, int idx, double v);
int db_bind_text(struct db_stmt *s, int idx, const char *v); /* NULL: NULL */
/* The same without a copy where the backend can do without (SQLite): v
 * must stay as it is until the statement is reset or finalized.  For
 * statements run per row of a bulk load, where the copies were a tenth
 * of the work. */
int db_bind_text_ref(struct db_stmt *s, int idx, const char *v);
int db_bind_null(struct db_stmt *s, int idx);
int db_step(struct db_stmt *s, char **cause);
/* Columns count from 0.  A NULL reads as 0, 0.0 and NULL. */
int db_column_count(struct db_stmt *s);
int db_column_is_null(struct db_stmt *s, int col);
int64_t db_column_int64(struct db_stmt *s, int col);
double db_column_double(struct db_stmt *s, int col);
const char *db_column_text(struct db_stmt *s, int col);
/* Ready to run again: the result is dropped, bindings cleared. */
void db_reset(struct db_stmt *s);
/* The rows again from the first, bindings kept: PostgreSQL walks the
 * result it fetched again, without asking the server; SQLite runs the
 * statement again, as PostgreSQL does for a streamed one (db_stream()).
 * For a caller that reads a result twice (the planner looks ahead at its
 * candidates, store_plan.c). */
void db_rewind(struct db_stmt *s);
/* Rows in bounded memory: PostgreSQL fetches the whole result of a
 * statement at its first db_step(), so that statements interleave freely
 * and each db_step() costs no round trip.  For a walk over a large table
 * call db_stream() before the first step: inside a transaction
 * (db_begin_read() or db_begin()) PostgreSQL then reads the rows through
 * a cursor, a thousand at a time, several streamed statements
 * interleaving as before; one round trip per thousand rows.  Outside a
 * transaction the result is fetched whole, as without it.  SQLite steps
 * row by row anyway: nothing changes there. */
void db_stream(struct db_stmt *s);
void db_finalize(struct db_stmt *s);
/* Rows the last INSERT, UPDATE or DELETE changed. */
int64_t db_changes(struct db *db);
/* SQLite: the id (rowid) of the row the last INSERT added; PostgreSQL:
 * -1, INSERT ... RETURNING id gives it there.  For SQLite statements run
 * per row: RETURNING makes SQLite keep a statement journal (a copy of
 * every page the statement changes), which cost more than the insert. */
int64_t db_last_insert_id(struct db *db);

/* Bulk loads: rows into a table, many at a time.  PostgreSQL runs COPY
 * ... FROM STDIN and sends the rows in large messages, with no round
 * trip per row; nothing else may run on the connection until
 * db_copy_end().  SQLite runs a prepared INSERT per row, as fast as it
 * takes rows, so that store code has one path.  A row is ncols texts
 * (NULL: NULL), which the database converts to the columns' types.
 * Texts are sent or copied by db_copy_row().  db_copy_end() returns the
 * rows loaded, or -1 with *cause, and frees c either way; after a
 * failure nothing of the load is in the table on PostgreSQL (COPY is one
 * statement), and SQLite keeps the rows before it: run a load in a
 * transaction that a failure rolls back. */
struct db_copy;
struct db_copy *db_copy_begin(struct db *db, const char *table,
    const char *const *cols, int ncols, char **cause);
int db_copy_row(struct db_copy *c, const char *const *values, char **cause);
int64_t db_copy_end(struct db_copy *c, char **cause);

/* Runs SQL that returns no rows, several statements allowed (DDL). */
int db_exec(struct db *db, const char *sql, char **cause);

/* A write transaction: SQLite BEGIN IMMEDIATE (waits for the write
 * lock), PostgreSQL READ COMMITTED holding the writers' advisory lock
 * (waits for it the same way).  A PostgreSQL
 * connection found broken here is reset and BEGIN tried once more:
 * nothing was lost, no transaction being open. */
int db_begin(struct db *db, char **cause);
/* A write transaction of statements each safe alone under READ
 * COMMITTED (a conditional update of one row, a claim that skips rows
 * another transaction holds), which need not exclude other writers:
 * SQLite BEGIN IMMEDIATE as db_begin(), PostgreSQL READ COMMITTED
 * without the writers' advisory lock, so instances sending from one
 * store do not take turns. */
int db_begin_rows(struct db *db, char **cause);
/* A read transaction, one snapshot for several queries: SQLite BEGIN
 * (deferred), PostgreSQL REPEATABLE READ READ ONLY, which never fails to
 * serialize and refuses writes. */
int db_begin_read(struct db *db, char **cause);
/* A commit PostgreSQL turned into a rollback (the transaction had failed)
 * is an error. */
int db_commit(struct db *db, char **cause);
/* Harmless when no transaction is open, and after a failed commit. */
void db_rollback(struct db *db);
/* 1 while a transaction is open. */
int db_in_transaction(struct db *db);
/* One savepoint level inside a transaction (a "unit"): db_release()
 * keeps its changes, db_rollback_to() undoes them and closes it.
 * db_rollback_to() returns -1 when the transaction itself is gone
 * (SQLite rolls it all back after some errors). */
int db_savepoint(struct db *db, char **cause);
int db_release(struct db *db, char **cause);
int db_rollback_to(struct db *db, char **cause);

/* 1 when the last failure was one that trying again may cure: SQLite
 * busy or locked; PostgreSQL a lost connection (SQLSTATE class 08, the
 * server shutting down or starting), a serialization failure, a deadlock
 * or a lock timeout.  The transaction is gone: roll back, begin again. */
int db_error_transient(struct db *db);

/* LISTEN/NOTIFY, for daemons sharing a PostgreSQL database to wake each
 * other; channel is an identifier ([a-z_][a-z0-9_]*).  Channels listened
 * to are listened to again after a reconnection.  A NOTIFY inside a
 * transaction is sent at its commit.  With SQLite these do nothing,
 * db_fd() is -1 and db_notifications() 0. */
int db_listen(struct db *db, const char *channel, char **cause);
int db_notify(struct db *db, const char *channel, char **cause);
/* The connection's generation: it changes when the connection was made
 * again (PostgreSQL, after the server went away), which drops what the
 * session held (advisory locks, LISTEN).  SQLite: always 1. */
unsigned db_generation(struct db *db);
/* The socket to poll for input (notifications); changes after a reset. */
int db_fd(struct db *db);
/* Reads what the server sent and returns how many notifications from
 * other sessions arrived (all are consumed; this session's own NOTIFY is
 * not counted), or -1 when the connection is lost. */
int db_notifications(struct db *db);

#endif

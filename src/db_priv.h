/* db_priv.h - private to db.c, db_sqlite.c and db_pg.c: what a backend
 * provides (struct db_ops) and the state every backend shares. */
#ifndef OUTREACHD_DB_PRIV_H
#define OUTREACHD_DB_PRIV_H

#include <stddef.h>
#include <stdint.h>

#include "db.h"

/* A bound value; text is the caller's until the backend copies it, or
 * with ref set (db_bind_text_ref()) until the statement's next reset. */
enum db_type {
	DB_T_NULL,
	DB_T_INT64,
	DB_T_DOUBLE,
	DB_T_TEXT,
};

struct db_value {
	enum db_type type;
	int64_t i;
	double d;
	const char *t;
	int ref;
};

/* Transaction control, each one fixed statement. */
enum db_txn {
	DB_TXN_BEGIN,
	DB_TXN_BEGIN_READ,
	DB_TXN_COMMIT,
	DB_TXN_ROLLBACK,
	DB_TXN_SAVEPOINT,
	DB_TXN_RELEASE,
	DB_TXN_ROLLBACK_TO,
	DB_TXN_BEGIN_ROWS,
	DB_TXN_MAX
};

struct db_ops {
	/* password may be NULL; the SQLite backend ignores it. */
	int (*open)(struct db *db, const char *target, const char *password,
	    char **cause);
	void (*close)(struct db *db);
	/* A statement whose struct begins with struct db_stmt. */
	struct db_stmt *(*prepare)(struct db *db, const char *sql,
	    char **cause);
	int (*bind)(struct db_stmt *s, int idx, const struct db_value *v);
	int (*step)(struct db_stmt *s, char **cause);
	int (*column_count)(struct db_stmt *s);
	int (*column_is_null)(struct db_stmt *s, int col);
	int64_t (*column_int64)(struct db_stmt *s, int col);
	double (*column_double)(struct db_stmt *s, int col);
	const char *(*column_text)(struct db_stmt *s, int col);
	void (*reset)(struct db_stmt *s);
	void (*rewind)(struct db_stmt *s);	/* bindings kept */
	void (*finalize)(struct db_stmt *s);
	int64_t (*changes)(struct db *db);
	int64_t (*last_id)(struct db *db);	/* NULL: -1 */
	int (*exec)(struct db *db, const char *sql, char **cause);
	int (*txn)(struct db *db, enum db_txn op, char **cause);
	int (*in_txn)(struct db *db);
	/* notify: 0 LISTEN, 1 NOTIFY; channel already checked. */
	int (*listen)(struct db *db, const char *channel, int notify,
	    char **cause);
	int (*fd)(struct db *db);
	int (*notifications)(struct db *db);
	unsigned (*generation)(struct db *db);	/* NULL: always 1 */
};

extern const struct db_ops db_sqlite_ops;
#ifdef HAVE_POSTGRESQL
extern const struct db_ops db_pg_ops;
/* libpq's PGconn and PGresult, for db_copy.c.  db_pg_conn() checks the
 * connection first, as every statement does (NULL with *cause);
 * db_pg_fail() reports a failed command as the backend does. */
struct pg_conn;
struct pg_result;
struct pg_conn *db_pg_conn(struct db *db, const char *what, char **cause);
int db_pg_fail(struct db *db, struct pg_result *res, const char *what,
    char **cause);
#endif

struct db {
	const struct db_ops *ops;
	enum db_backend backend;
	char *target;		/* redacted, for messages */
	int transient;		/* the last failure's kind */
	struct db_stmt **cache;	/* db_cached(), by the caller's id */
	size_t ncache;
	void *impl;		/* the backend's connection state */
};

struct db_stmt {
	struct db *db;
	char *sql;		/* as the caller wrote it, for messages */
	int cached;		/* owned by db->cache */
	int stream;		/* db_stream() */
};

/* Sets db->transient and *cause to "TARGET: what: why"; returns -1. */
int db_fail(struct db *db, int transient, const char *what, const char *why,
    char **cause);
/* What a failing statement is called in a message: the start of its SQL
 * on one line, in buf. */
#define DB_WHAT_MAX 64
const char *db_stmt_what(const struct db_stmt *s, char *buf, size_t len);
/* sql with ?N rewritten to $N, outside string literals, quoted
 * identifiers, comments and dollar quotes; *nparams gets the largest N.
 * -1 with *cause for a bare "?" or ?0. */
int db_sql_dollar(const char *sql, char **out, int *nparams, char **cause);

#endif

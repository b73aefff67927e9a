/* db_pg_priv.h - private to db_pg.c, db_pg_cursor.c and db_pg_notify.c:
 * the PostgreSQL backend's connection and statement. */
#ifndef OUTREACHD_DB_PG_PRIV_H
#define OUTREACHD_DB_PG_PRIV_H

#include <libpq-fe.h>

#include "db_priv.h"

/* Type OIDs, from the server's pg_type.h (not installed with libpq). */
#define PG_INT8OID 20
#define PG_FLOAT8OID 701

struct pg_stmt;

struct pg {
	PGconn *conn;
	unsigned gen;		/* the connection: +1 at each reset */
	unsigned names;		/* named statements made so far */
	struct pg_stmt *unnamed; /* whose SQL the unnamed statement holds */
	int txn;		/* a transaction was open at the last look */
	int broken;		/* it was lost with the connection */
	int reset;		/* made again in this call: once is enough */
	int64_t changes;
	unsigned txns;		/* transactions begun: a cursor's lives in one */
	unsigned cursors;	/* cursors declared so far */
	char **channels;
	size_t nchannels;
};

struct pg_stmt {
	struct db_stmt base;
	char *sql;		/* with $N */
	int nparams;
	char **values;		/* each parameter as text; NULL: NULL */
	enum db_type *kinds;	/* what was bound */
	Oid *ptypes;		/* what the server's statement declares */
	char name[24];		/* "": the unnamed statement */
	unsigned gen;		/* the connection it was prepared on; 0 none */
	PGresult *res;
	int row;		/* the current row; -1 before the first */
	int done;
	char cursor[24];	/* db_stream(): the cursor open; "" none */
	unsigned cursor_txn;	/* the transaction it lives in */
	int cursor_end;		/* its last FETCH came short: no more rows */
};

/* Rows a streamed statement's cursor fetches at a time: a few hundred
 * KB of text, one round trip per thousand rows. */
#define DB_PG_FETCH_ROWS 1000

static inline struct pg_stmt *
pg_stmt(struct db_stmt *s)
{
	return (struct pg_stmt *)s;
}

/* db_pg.c */
int pg_fail(struct db *db, PGresult *res, const char *what, char **cause);
int pg_ready(struct db *db, const char *what, int begin, char **cause);
Oid pg_type_of(enum db_type kind);
void pg_track(struct pg *pg);
/* Makes the connection again; listens again on its channels. */
void pg_reset(struct db *db);
int pg_exec(struct db *db, const char *sql, char **cause);

/* db_pg_notify.c: db_ops' listen, fd and notifications. */
int pg_listen(struct db *db, const char *channel, int notify, char **cause);
int pg_fd(struct db *db);
int pg_notifications(struct db *db);

/* db_pg_cursor.c: a streamed statement inside a transaction.  open
 * declares s's cursor and fetches its first rows into s->res; fetch the
 * next ones (an empty result at the end); close forgets the cursor,
 * closing it when its transaction is still open. */
int pg_cursor_open(struct db *db, struct pg_stmt *s, char **cause);
int pg_cursor_fetch(struct db *db, struct pg_stmt *s, char **cause);
void pg_cursor_close(struct db *db, struct pg_stmt *s);

#endif

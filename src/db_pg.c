/* db_pg.c - the PostgreSQL backend of db.h, over libpq's synchronous API.
 *
 * Parameters and results travel as text.  Binary would save parsing an
 * int8 but needs a decoder per result type (int2/4/8, numeric, float,
 * bool...) keyed on type OIDs; the parse costs nothing next to the round
 * trip.  What text loses is the parameter's type, so a statement is
 * prepared at its first run with the types of its bindings: int8 for
 * db_bind_int64() and float8 for db_bind_double(), which keeps "?1 + 1"
 * from being guessed int4 and a unix time after 2038 from overflowing it;
 * texts and NULLs leave the type to the server.  A later run that binds
 * another type prepares again.
 *
 * The whole result of a statement is fetched by its first db_step() and
 * walked row by row, so statements interleave freely; a statement marked
 * with db_stream() inside a transaction goes through a cursor instead
 * (db_pg_cursor.c), a thousand rows at a time, so that a walk over a
 * large table does not hold it all in memory.
 *
 * The server may go away (a restart, a failover) and come back.  Before
 * sending anything, input the server sent meanwhile is read: a closed
 * connection is made again (PQreset) at once when no transaction was
 * open, nothing being lost; inside a transaction the caller is told,
 * transiently, and every statement fails until it rolls back.  A
 * connection that breaks while a statement runs is made again after the
 * failure is reported: whether it ran is unknown.  BEGIN is the
 * exception, tried once more, being harmless.  Every reconnection
 * bumps a generation, so statements prepared on the old connection are
 * prepared again, and the channels listened to are listened to again. */
#include "config.h"

#include <inttypes.h>
#include <libpq-fe.h>
#include <math.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db_pg_priv.h"
#include "log.h"
#include "util.h"

/* The advisory lock every write transaction takes (any number, the same
 * in every instance). */
#define DB_PG_WRITE_LOCK 7310450
#define DB_PG_STR_(x) #x
#define DB_PG_STR(x) DB_PG_STR_(x)

static const char *pg_txn_sql[DB_TXN_MAX] = {
	/* One writer at a time, as on SQLite: the store's transactions
	 * read, decide and write as if alone, and nothing retries a
	 * serialization failure.  The lock waits as SQLite's busy timeout
	 * does (the session's lock_timeout, PG_SESSION_SQL), then fails
	 * transiently (55P03). */
	[DB_TXN_BEGIN] = "BEGIN ISOLATION LEVEL READ COMMITTED;"
	    " SELECT pg_advisory_xact_lock(" DB_PG_STR(DB_PG_WRITE_LOCK) ")",
	[DB_TXN_BEGIN_READ] = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
	[DB_TXN_COMMIT] = "COMMIT",
	[DB_TXN_ROLLBACK] = "ROLLBACK",
	[DB_TXN_SAVEPOINT] = "SAVEPOINT unit",
	[DB_TXN_RELEASE] = "RELEASE SAVEPOINT unit",
	[DB_TXN_ROLLBACK_TO] = "ROLLBACK TO SAVEPOINT unit",
	/* Without the writers' lock: each statement is safe alone under
	 * READ COMMITTED (db_begin_rows()). */
	[DB_TXN_BEGIN_ROWS] = "BEGIN ISOLATION LEVEL READ COMMITTED",
};

/* Set once per connection, not with every BEGIN (a second statement
 * parsed and a setting undone at every commit, for each turn of a
 * delivery): a lock is waited for as long as SQLite's busy timeout
 * lets a statement wait, in a transaction or not. */
#define PG_SESSION_SQL "SET lock_timeout = " DB_PG_STR(DB_BUSY_MS)

static const char *pg_txn_what[DB_TXN_MAX] = {
	[DB_TXN_BEGIN] = "beginning a transaction",
	[DB_TXN_BEGIN_READ] = "beginning a read",
	[DB_TXN_COMMIT] = "committing",
	[DB_TXN_ROLLBACK] = "rolling back",
	[DB_TXN_SAVEPOINT] = "starting a unit",
	[DB_TXN_RELEASE] = "keeping a unit",
	[DB_TXN_ROLLBACK_TO] = "undoing a unit",
	[DB_TXN_BEGIN_ROWS] = "beginning a transaction",
};

/* A libpq message on one line, its lines joined by "; ".  malloc'd. */
static char *
pg_oneline(const char *m)
{
	struct buf b;
	size_t n;

	buf_init(&b);
	buf_puts(&b, "");
	while (*m != '\0') {
		while (*m == ' ' || *m == '\t')
			m++;
		n = strcspn(m, "\n");
		while (n > 0 && (m[n - 1] == ' ' || m[n - 1] == '\t'))
			n--;
		if (n > 0) {
			if (b.len > 0)
				buf_puts(&b, "; ");
			buf_add(&b, m, n);
		}
		m += strcspn(m, "\n");
		if (*m == '\n')
			m++;
	}
	return buf_detach(&b);
}

/* SQLSTATEs that trying again may cure: connection exceptions (08),
 * serialization failure, deadlock, lock not available, the server
 * shutting down, crashed or starting, too many connections. */
static int
pg_transient_state(const char *state)
{
	static const char *const states[] = { "40001", "40P01", "55P03",
	    "57P01", "57P02", "57P03", "53300" };
	size_t i;

	if (state == NULL)
		return 0;
	if (strncmp(state, "08", 2) == 0)
		return 1;
	for (i = 0; i < ARRAY_SIZE(states); i++)
		if (strcmp(state, states[i]) == 0)
			return 1;
	return 0;
}

/* Notes whether a transaction is open, after each command. */
void
pg_track(struct pg *pg)
{
	PGTransactionStatusType t = PQtransactionStatus(pg->conn);

	pg->txn = t == PQTRANS_INTRANS || t == PQTRANS_INERROR;
}

/* Makes the connection again: the server forgot our prepared statements
 * (the generation tells), our transaction and what we listened to. */
void
pg_reset(struct db *db)
{
	struct pg *pg = db->impl;
	char *sql, *why;
	size_t i;

	PQreset(pg->conn);
	pg->reset = 1;
	pg->gen++;
	pg->unnamed = NULL;
	pg->txn = 0;
	if (PQstatus(pg->conn) != CONNECTION_OK) {
		why = pg_oneline(PQerrorMessage(pg->conn));
		log_warn("%s: connection lost, not made again: %s", db->target,
		    why);
		free(why);
		return;
	}
	log_notice("%s: connection lost and made again", db->target);
	PQclear(PQexec(pg->conn, PG_SESSION_SQL));
	for (i = 0; i < pg->nchannels; i++) {
		sql = xasprintf("LISTEN %s", pg->channels[i]);
		PQclear(PQexec(pg->conn, sql));
		free(sql);
	}
}

/* Reports a failed command (res may be NULL) as "what: message (SQLSTATE
 * xxxxx)"; a connection lost with it is made again, after the message is
 * taken, and a transaction open is marked lost. */
int
pg_fail(struct db *db, PGresult *res, const char *what, char **cause)
{
	struct pg *pg = db->impl;
	const char *state = NULL, *primary = NULL;
	int lost = PQstatus(pg->conn) == CONNECTION_BAD;
	char *why, *msg;

	if (res != NULL) {
		state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
		primary = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
	}
	why = pg_oneline(primary != NULL ? primary : PQerrorMessage(pg->conn));
	msg = state != NULL ? xasprintf("%s (SQLSTATE %s)", why, state) :
	    xstrdup(why);
	db_fail(db, lost || pg_transient_state(state), what, msg, cause);
	free(msg);
	free(why);
	if (lost && !pg->reset) {
		pg->broken = pg->txn;
		pg_reset(db);
	} else if (!lost)
		pg_track(pg);
	return -1;
}

/* 1 unless the server closed the connection.  A server shutting down
 * sends an error, then closes: each needs a read, and the socket stays
 * readable until both are done.  A healthy idle connection costs one
 * poll(). */
static int
pg_alive(struct pg *pg)
{
	struct pollfd pfd;
	int i;

	if (PQstatus(pg->conn) != CONNECTION_OK)
		return 0;
	pfd.fd = PQsocket(pg->conn);
	pfd.events = POLLIN;
	for (i = 0; i < 8 && poll(&pfd, 1, 0) > 0; i++)
		if (PQconsumeInput(pg->conn) == 0)
			return 0;
	return 1;
}

/* Before sending: reads what the server sent meanwhile, so a connection
 * it closed (a restart) shows now, while nothing is lost.  Outside a
 * transaction, or when one begins, the connection is made again; inside
 * one, the transaction is gone: the caller is told and must roll back. */
int
pg_ready(struct db *db, const char *what, int begin, char **cause)
{
	struct pg *pg = db->impl;
	int in_txn = pg->txn;
	char *why, *msg;

	pg->reset = 0;
	if (pg->broken && !begin)
		return db_fail(db, 1, what, "the transaction was lost with the "
		    "connection: roll back and begin again", cause);
	pg->broken = 0;
	if (pg_alive(pg))
		return 0;
	why = pg_oneline(PQerrorMessage(pg->conn));
	pg_reset(db);
	if (in_txn && !begin) {
		pg->broken = 1;
		msg = xasprintf("the transaction was lost with the connection: "
		    "%s", why);
		db_fail(db, 1, what, msg, cause);
		free(msg);
		free(why);
		return -1;
	}
	if (PQstatus(pg->conn) != CONNECTION_OK) {
		free(why);
		why = pg_oneline(PQerrorMessage(pg->conn));
		db_fail(db, 1, what, why, cause);
		free(why);
		return -1;
	}
	free(why);
	return 0;
}

static void
pg_notice(void *arg, const char *message)
{
	struct db *db = arg;
	char *m = pg_oneline(message);

	log_debug("%s: %s", db->target, m);
	free(m);
}

/* The password comes apart from the target, which may be logged;
 * parameters after "dbname" override the target's, those before are its
 * defaults. */
static int
pg_open(struct db *db, const char *target, const char *password,
    char **cause)
{
	struct pg *pg = xcalloc(1, sizeof(*pg));
	const char *keys[6], *values[6];
	PGresult *res;
	char *why;
	int n = 0, rc;

	db->impl = pg;
	pg->gen = 1;
	keys[n] = "connect_timeout", values[n++] = "10";
	keys[n] = "dbname", values[n++] = target;
	if (password != NULL)
		keys[n] = "password", values[n++] = password;
	keys[n] = "client_encoding", values[n++] = "UTF8";
	keys[n] = "fallback_application_name", values[n++] = "outreachd";
	keys[n] = NULL, values[n] = NULL;
	if ((pg->conn = PQconnectdbParams(keys, values, 1)) == NULL)
		return db_fail(db, 0, "cannot connect", "out of memory", cause);
	if (PQstatus(pg->conn) != CONNECTION_OK) {
		why = pg_oneline(PQerrorMessage(pg->conn));
		rc = db_fail(db, 1, "cannot connect", why, cause);
		free(why);
		return rc;
	}
	PQsetNoticeProcessor(pg->conn, pg_notice, db);
	res = PQexec(pg->conn, PG_SESSION_SQL);
	rc = PQresultStatus(res) == PGRES_COMMAND_OK ? 0 :
	    pg_fail(db, res, "setting the lock timeout", cause);
	PQclear(res);
	return rc;
}

static void
pg_close(struct db *db)
{
	struct pg *pg = db->impl;
	size_t i;

	PQfinish(pg->conn);
	for (i = 0; i < pg->nchannels; i++)
		free(pg->channels[i]);
	free(pg->channels);
	free(pg);
	db->impl = NULL;
}

static struct db_stmt *
pg_prepare(struct db *db, const char *sql, char **cause)
{
	struct pg_stmt *s;
	char *dollar, *why = NULL;
	int n;

	if (db_sql_dollar(sql, &dollar, &n, &why) != 0) {
		db_fail(db, 0, "prepare", why, cause);
		free(why);
		return NULL;
	}
	s = xcalloc(1, sizeof(*s));
	s->sql = dollar;
	s->nparams = n;
	s->values = xcalloc((size_t)n + 1, sizeof(*s->values));
	s->kinds = xcalloc((size_t)n + 1, sizeof(*s->kinds));
	s->ptypes = xcalloc((size_t)n + 1, sizeof(*s->ptypes));
	s->row = -1;
	return &s->base;
}

Oid
pg_type_of(enum db_type kind)
{
	switch (kind) {
	case DB_T_INT64:
		return PG_INT8OID;
	case DB_T_DOUBLE:
		return PG_FLOAT8OID;
	default:
		return 0;	/* the server decides, as for a literal */
	}
}

/* 1 when the server holds s, prepared for the types bound now (a NULL
 * fits any). */
static int
pg_prepared(struct pg *pg, struct pg_stmt *s)
{
	int i;

	if (s->gen != pg->gen || (s->name[0] == '\0' && pg->unnamed != s))
		return 0;
	for (i = 0; i < s->nparams; i++)
		if (s->kinds[i] != DB_T_NULL &&
		    pg_type_of(s->kinds[i]) != s->ptypes[i])
			return 0;
	return 1;
}

/* Cached statements get a name of their own; the others share the
 * unnamed one, which needs no DEALLOCATE. */
static int
pg_server_prepare(struct db *db, struct pg_stmt *s, char **cause)
{
	struct pg *pg = db->impl;
	char what[DB_WHAT_MAX];
	PGresult *res;
	int i;

	if (pg_prepared(pg, s))
		return 0;
	if (s->base.cached)	/* a new name: the old one may still exist */
		snprintf(s->name, sizeof(s->name), "od_%u", ++pg->names);
	for (i = 0; i < s->nparams; i++)
		s->ptypes[i] = pg_type_of(s->kinds[i]);
	res = PQprepare(pg->conn, s->name, s->sql, s->nparams, s->ptypes);
	if (PQresultStatus(res) != PGRES_COMMAND_OK) {
		pg_fail(db, res, db_stmt_what(&s->base, what, sizeof(what)),
		    cause);
		PQclear(res);
		return -1;
	}
	PQclear(res);
	s->gen = pg->gen;
	if (s->name[0] == '\0')
		pg->unnamed = s;
	return 0;
}

/* Rows changed, as sqlite3_changes() counts them: by the commands that
 * change rows, not by a SELECT. */
static void
pg_count_changes(struct pg *pg, PGresult *res)
{
	const char *cmd = PQcmdStatus(res);

	if (strncmp(cmd, "INSERT ", 7) == 0 ||
	    strncmp(cmd, "UPDATE ", 7) == 0 ||
	    strncmp(cmd, "DELETE ", 7) == 0 ||
	    strncmp(cmd, "MERGE ", 6) == 0)
		pg->changes = strtoll(PQcmdTuples(res), NULL, 10);
}

static int
pg_run(struct db *db, struct pg_stmt *s, char **cause)
{
	struct pg *pg = db->impl;
	char what[DB_WHAT_MAX];
	ExecStatusType st;
	PGresult *res;

	db_stmt_what(&s->base, what, sizeof(what));
	if (pg_ready(db, what, 0, cause) != 0)
		return -1;
	if (s->base.stream && pg->txn && !pg->broken)
		return pg_cursor_open(db, s, cause);
	if (pg_server_prepare(db, s, cause) != 0)
		return -1;
	res = PQexecPrepared(pg->conn, s->name, s->nparams,
	    (const char *const *)s->values, NULL, NULL, 0);
	st = PQresultStatus(res);
	if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK) {
		pg_fail(db, res, what, cause);
		PQclear(res);
		return -1;
	}
	pg_count_changes(pg, res);
	pg_track(pg);
	s->res = res;
	s->row = -1;
	return 0;
}

static void
pg_clear_result(struct pg_stmt *s)
{
	pg_cursor_close(s->base.db, s);
	PQclear(s->res);
	s->res = NULL;
	s->row = -1;
	s->done = 0;
}

/* A statement stepped past its end runs again, as SQLite's does. */
static int
pg_step(struct db_stmt *base, char **cause)
{
	struct pg_stmt *s = pg_stmt(base);

	if (s->done)
		pg_clear_result(s);
	if (s->res == NULL && pg_run(base->db, s, cause) != 0)
		return DB_ERROR;
	if (++s->row < PQntuples(s->res))
		return DB_ROW;
	if (s->cursor[0] != '\0' && !s->cursor_end) {
		if (pg_cursor_fetch(base->db, s, cause) != 0)
			return DB_ERROR;
		if (++s->row < PQntuples(s->res))
			return DB_ROW;
	}
	s->done = 1;
	return DB_DONE;
}

/* Text the server understands for a float8, exactly. */
static char *
pg_double_text(double v)
{
	if (isnan(v))
		return xstrdup("NaN");
	if (isinf(v))
		return xstrdup(v > 0 ? "Infinity" : "-Infinity");
	return xasprintf("%.17g", v);
}

static int
pg_bind(struct db_stmt *base, int idx, const struct db_value *v)
{
	struct pg_stmt *s = pg_stmt(base);
	int i = idx - 1;

	if (idx > s->nparams)
		return -1;
	free(s->values[i]);
	s->values[i] = NULL;
	s->kinds[i] = v->type;
	switch (v->type) {
	case DB_T_INT64:
		s->values[i] = xasprintf("%" PRId64, v->i);
		break;
	case DB_T_DOUBLE:
		s->values[i] = pg_double_text(v->d);
		break;
	case DB_T_TEXT:
		s->values[i] = xstrdup(v->t);
		break;
	case DB_T_NULL:
		break;
	}
	return 0;
}

/* Known before the first step in SQLite, after it here. */
static int
pg_column_count(struct db_stmt *base)
{
	struct pg_stmt *s = pg_stmt(base);

	return s->res != NULL ? PQnfields(s->res) : 0;
}

/* The text of a column of the current row; NULL for a NULL or outside
 * the result. */
static const char *
pg_value(struct db_stmt *base, int col)
{
	struct pg_stmt *s = pg_stmt(base);

	if (s->res == NULL || s->row < 0 || s->row >= PQntuples(s->res) ||
	    col < 0 || col >= PQnfields(s->res) ||
	    PQgetisnull(s->res, s->row, col))
		return NULL;
	return PQgetvalue(s->res, s->row, col);
}

static int
pg_column_is_null(struct db_stmt *s, int col)
{
	return pg_value(s, col) == NULL;
}

/* Booleans read as 1 and 0, as SQLite stores them. */
static int64_t
pg_column_int64(struct db_stmt *s, int col)
{
	const char *v = pg_value(s, col), *p;
	int64_t n = 0;

	if (v == NULL)
		return 0;
	if (v[0] == 't' && v[1] == '\0')
		return 1;
	/* Short plain integers by hand (the planner reads a dozen per
	 * candidate); anything else as strtoll() reads it. */
	for (p = v + (v[0] == '-'); *p >= '0' && *p <= '9' && p - v < 18; p++)
		n = n * 10 + (*p - '0');
	if (*p == '\0' && p > v + (v[0] == '-'))
		return v[0] == '-' ? -n : n;
	return strtoll(v, NULL, 10);
}

static double
pg_column_double(struct db_stmt *s, int col)
{
	const char *v = pg_value(s, col);

	return v != NULL ? strtod(v, NULL) : 0.0;
}

static void
pg_reset_stmt(struct db_stmt *base)
{
	struct pg_stmt *s = pg_stmt(base);
	int i;

	pg_clear_result(s);
	for (i = 0; i < s->nparams; i++) {
		free(s->values[i]);
		s->values[i] = NULL;
		s->kinds[i] = DB_T_NULL;
	}
}

/* The result held is walked again; without one, or with a cursor (which
 * has passed its rows), the next step runs the statement. */
static void
pg_rewind(struct db_stmt *base)
{
	struct pg_stmt *s = pg_stmt(base);

	if (s->cursor[0] != '\0')
		pg_clear_result(s);
	s->row = -1;
	s->done = 0;
}

/* Named statements belong to cached ones, finalized as the connection
 * closes: the server drops them with it. */
static void
pg_finalize(struct db_stmt *base)
{
	struct pg_stmt *s = pg_stmt(base);
	struct pg *pg = base->db->impl;

	pg_reset_stmt(base);
	if (pg->unnamed == s)
		pg->unnamed = NULL;
	free(s->values);
	free(s->kinds);
	free(s->ptypes);
	free(s->sql);
	free(s);
}

static int64_t
pg_changes(struct db *db)
{
	return ((struct pg *)db->impl)->changes;
}

int
pg_exec(struct db *db, const char *sql, char **cause)
{
	struct pg *pg = db->impl;
	ExecStatusType st;
	PGresult *res;

	if (pg_ready(db, "exec", 0, cause) != 0)
		return -1;
	res = PQexec(pg->conn, sql);
	st = PQresultStatus(res);
	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK &&
	    st != PGRES_EMPTY_QUERY) {
		pg_fail(db, res, "exec", cause);
		PQclear(res);
		return -1;
	}
	pg_count_changes(pg, res);
	PQclear(res);
	pg_track(pg);
	return 0;
}

/* A rollback forgets a transaction lost with the connection. */
static void
pg_rollback(struct pg *pg)
{
	pg->broken = 0;
	if (PQstatus(pg->conn) == CONNECTION_OK) {
		PQclear(PQexec(pg->conn, "ROLLBACK"));
		pg_track(pg);
	}
}

/* A transaction statement's result: BEGIN's last statement returns the
 * advisory lock's row. */
static int
pg_txn_ok(const PGresult *res)
{
	ExecStatusType st = PQresultStatus(res);

	return st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK;
}

static int
pg_txn(struct db *db, enum db_txn op, char **cause)
{
	struct pg *pg = db->impl;
	int begin = op == DB_TXN_BEGIN || op == DB_TXN_BEGIN_READ ||
	    op == DB_TXN_BEGIN_ROWS;
	PGresult *res;

	if (op == DB_TXN_ROLLBACK) {
		pg_rollback(pg);
		return 0;
	}
	if (pg_ready(db, pg_txn_what[op], begin, cause) != 0)
		return -1;
	res = PQexec(pg->conn, pg_txn_sql[op]);
	if (begin && !pg_txn_ok(res) &&
	    PQstatus(pg->conn) == CONNECTION_BAD) {
		PQclear(res);	/* the socket was dead: nothing lost */
		pg_reset(db);
		res = PQstatus(pg->conn) == CONNECTION_OK ?
		    PQexec(pg->conn, pg_txn_sql[op]) : NULL;
	}
	if (!pg_txn_ok(res)) {
		pg_fail(db, res, pg_txn_what[op], cause);
		PQclear(res);
		pg_track(pg);
		/* A BEGIN whose lock timed out left its transaction open and
		 * failed: nobody else would end it. */
		if (begin && pg->txn)
			pg_rollback(pg);
		return -1;
	}
	if (begin)
		pg->txns++;
	if (op == DB_TXN_COMMIT && strcmp(PQcmdStatus(res), "ROLLBACK") == 0) {
		PQclear(res);
		pg_track(pg);
		return db_fail(db, 0, "committing", "a statement had failed: "
		    "the transaction was rolled back", cause);
	}
	PQclear(res);
	pg_track(pg);
	return 0;
}

static int
pg_in_txn(struct db *db)
{
	struct pg *pg = db->impl;

	return pg->txn || pg->broken;
}

static unsigned
pg_generation(struct db *db)
{
	return ((struct pg *)db->impl)->gen;
}

/* For db_copy.c: the connection, checked before sending; a failure. */
struct pg_conn *
db_pg_conn(struct db *db, const char *what, char **cause)
{
	if (pg_ready(db, what, 0, cause) != 0)
		return NULL;
	return ((struct pg *)db->impl)->conn;
}

int
db_pg_fail(struct db *db, struct pg_result *res, const char *what,
    char **cause)
{
	return pg_fail(db, res, what, cause);
}

const struct db_ops db_pg_ops = {
	.open = pg_open,
	.close = pg_close,
	.prepare = pg_prepare,
	.bind = pg_bind,
	.step = pg_step,
	.column_count = pg_column_count,
	.column_is_null = pg_column_is_null,
	.column_int64 = pg_column_int64,
	.column_double = pg_column_double,
	.column_text = pg_value,
	.reset = pg_reset_stmt,
	.rewind = pg_rewind,
	.finalize = pg_finalize,
	.changes = pg_changes,
	.exec = pg_exec,
	.txn = pg_txn,
	.in_txn = pg_in_txn,
	.listen = pg_listen,
	.fd = pg_fd,
	.notifications = pg_notifications,
	.generation = pg_generation,
};

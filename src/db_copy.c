/* db_copy.c - bulk loads (db.h db_copy_*): COPY FROM STDIN on
 * PostgreSQL, a prepared INSERT per row on SQLite.
 *
 * The table and column names are the store code's own, never input: they
 * go into the SQL as they are. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#ifdef HAVE_POSTGRESQL
#include <libpq-fe.h>
#endif

#include "db_priv.h"
#include "util.h"

/* Rows are sent to the server when this many bytes are waiting. */
#define DB_COPY_CHUNK (256 * 1024)

struct db_copy {
	struct db *db;
	int ncols;
	char what[DB_WHAT_MAX];	/* "copying into TABLE", for messages */
	int failed;		/* a row failed: db_copy_end() aborts */
	int64_t rows;
	struct db_stmt *insert;	/* SQLite */
	struct buf out;		/* PostgreSQL: rows not sent yet */
};

/* "INSERT INTO table (cols) VALUES (?1, ...)" or "COPY table (cols) FROM
 * STDIN".  malloc'd. */
static char *
copy_sql(int copy, const char *table, const char *const *cols, int ncols)
{
	struct buf b;
	int i;

	buf_init(&b);
	buf_printf(&b, "%s %s (", copy ? "COPY" : "INSERT INTO", table);
	for (i = 0; i < ncols; i++)
		buf_printf(&b, "%s%s", i ? ", " : "", cols[i]);
	if (copy)
		buf_puts(&b, ") FROM STDIN");
	else {
		buf_puts(&b, ") VALUES (");
		for (i = 0; i < ncols; i++)
			buf_printf(&b, "%s?%d", i ? ", " : "", i + 1);
		buf_puts(&b, ");");
	}
	return buf_detach(&b);
}

#ifdef HAVE_POSTGRESQL
/* Starts the COPY: the connection is the COPY's until its end. */
static int
pg_copy_begin(struct db_copy *c, const char *sql, char **cause)
{
	PGconn *conn;
	PGresult *res;
	int rc = 0;

	if ((conn = db_pg_conn(c->db, c->what, cause)) == NULL)
		return -1;
	res = PQexec(conn, sql);
	if (PQresultStatus(res) != PGRES_COPY_IN)
		rc = db_pg_fail(c->db, res, c->what, cause);
	PQclear(res);
	return rc;
}

/* A value in COPY's text format: \N for NULL; backslash, tab, newline
 * and carriage return escaped. */
static void
pg_copy_value(struct buf *b, const char *v)
{
	const char *p;

	if (v == NULL) {
		buf_add(b, "\\N", 2);
		return;
	}
	for (p = v; *p != '\0'; p++) {
		switch (*p) {
		case '\\':
			buf_add(b, "\\\\", 2);
			break;
		case '\t':
			buf_add(b, "\\t", 2);
			break;
		case '\n':
			buf_add(b, "\\n", 2);
			break;
		case '\r':
			buf_add(b, "\\r", 2);
			break;
		default:
			buf_addc(b, *p);
		}
	}
}

/* Sends what is waiting. */
static int
pg_copy_flush(struct db_copy *c, char **cause)
{
	PGconn *conn = NULL;

	if (c->out.len == 0)
		return 0;
	if ((conn = db_pg_conn(c->db, c->what, cause)) == NULL ||
	    PQputCopyData(conn, c->out.data, (int)c->out.len) != 1)
		return conn == NULL ? -1 : db_pg_fail(c->db, NULL, c->what,
		    cause);
	buf_reset(&c->out);
	return 0;
}

static int
pg_copy_row(struct db_copy *c, const char *const *values, char **cause)
{
	int i;

	for (i = 0; i < c->ncols; i++) {
		if (i > 0)
			buf_addc(&c->out, '\t');
		pg_copy_value(&c->out, values[i]);
	}
	buf_addc(&c->out, '\n');
	return c->out.len >= DB_COPY_CHUNK ? pg_copy_flush(c, cause) : 0;
}

/* Ends the COPY (aborts it after a failure) and reads its result. */
static int64_t
pg_copy_end(struct db_copy *c, char **cause)
{
	PGconn *conn;
	PGresult *res;
	int64_t n = -1;

	if (!c->failed && pg_copy_flush(c, cause) != 0)
		c->failed = 1;
	if ((conn = db_pg_conn(c->db, c->what, c->failed ? NULL : cause)) ==
	    NULL)
		return -1;
	if (PQputCopyEnd(conn, c->failed ? "load abandoned" : NULL) != 1) {
		if (!c->failed)
			db_pg_fail(c->db, NULL, c->what, cause);
		c->failed = 1;
	}
	while ((res = PQgetResult(conn)) != NULL) {
		if (PQresultStatus(res) == PGRES_COMMAND_OK)
			n = strtoll(PQcmdTuples(res), NULL, 10);
		else if (!c->failed) {
			db_pg_fail(c->db, res, c->what, cause);
			c->failed = 1;
		}
		PQclear(res);
	}
	return c->failed ? -1 : n;
}
#endif

struct db_copy *
db_copy_begin(struct db *db, const char *table, const char *const *cols,
    int ncols, char **cause)
{
	struct db_copy *c = xcalloc(1, sizeof(*c));
	char *sql;
	int rc = 0;

	c->db = db;
	c->ncols = ncols;
	snprintf(c->what, sizeof(c->what), "copying into %s", table);
	buf_init(&c->out);
	sql = copy_sql(db->backend == DB_PG, table, cols, ncols);
#ifdef HAVE_POSTGRESQL
	if (db->backend == DB_PG)
		rc = pg_copy_begin(c, sql, cause);
	else
#endif
		rc = (c->insert = db_prepare(db, sql, cause)) != NULL ? 0 : -1;
	free(sql);
	if (rc != 0) {
		buf_free(&c->out);
		free(c);
		return NULL;
	}
	return c;
}

int
db_copy_row(struct db_copy *c, const char *const *values, char **cause)
{
	int i, rc;

	if (c->failed)
		return set_error(cause, "%s: %s: an earlier row failed",
		    c->db->target, c->what);
#ifdef HAVE_POSTGRESQL
	if (c->db->backend == DB_PG)
		rc = pg_copy_row(c, values, cause);
	else
#endif
	{
		for (i = 0; i < c->ncols; i++)
			db_bind_text_ref(c->insert, i + 1, values[i]);
		rc = db_step(c->insert, cause) == DB_DONE ? 0 : -1;
		db_reset(c->insert);
	}
	if (rc != 0)
		c->failed = 1;
	else
		c->rows++;
	return rc;
}

int64_t
db_copy_end(struct db_copy *c, char **cause)
{
	int64_t n;

#ifdef HAVE_POSTGRESQL
	if (c->db->backend == DB_PG)
		n = pg_copy_end(c, cause);
	else
#endif
	{
		db_finalize(c->insert);
		n = c->failed ? set_error(cause, "%s: %s: a row failed",
		    c->db->target, c->what) : c->rows;
	}
	buf_free(&c->out);
	free(c);
	return n;
}

/* db_pg_cursor.c - a streamed statement (db_stream()) on PostgreSQL: a
 * cursor declared inside the transaction, its rows fetched
 * DB_PG_FETCH_ROWS at a time, so that a walk over a large table holds a
 * thousand rows rather than the table.
 *
 * A cursor, not single-row mode: single-row mode keeps the connection
 * busy until the last row is read, and the store's walks step several
 * statements side by side (customers, purchases, contacts), which
 * cursors allow.  Each cursor has a name of its own and dies with its
 * transaction; CLOSE is sent only while that transaction is open and
 * healthy, as a failed CLOSE would spoil it. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db_pg_priv.h"
#include "util.h"

int
pg_cursor_open(struct db *db, struct pg_stmt *s, char **cause)
{
	struct pg *pg = db->impl;
	char what[DB_WHAT_MAX];
	PGresult *res;
	Oid *types;
	char *sql;
	int i;

	db_stmt_what(&s->base, what, sizeof(what));
	types = xcalloc((size_t)s->nparams + 1, sizeof(*types));
	for (i = 0; i < s->nparams; i++)
		types[i] = pg_type_of(s->kinds[i]);
	snprintf(s->cursor, sizeof(s->cursor), "od_cursor_%u", ++pg->cursors);
	sql = xasprintf("DECLARE %s NO SCROLL CURSOR FOR %s", s->cursor,
	    s->sql);
	res = PQexecParams(pg->conn, sql, s->nparams, types,
	    (const char *const *)s->values, NULL, NULL, 0);
	free(sql);
	free(types);
	if (PQresultStatus(res) != PGRES_COMMAND_OK) {
		s->cursor[0] = '\0';
		pg_fail(db, res, what, cause);
		PQclear(res);
		return -1;
	}
	PQclear(res);
	pg_track(pg);
	s->cursor_txn = pg->txns;
	s->cursor_end = 0;
	return pg_cursor_fetch(db, s, cause);
}

int
pg_cursor_fetch(struct db *db, struct pg_stmt *s, char **cause)
{
	struct pg *pg = db->impl;
	char what[DB_WHAT_MAX], sql[64];
	PGresult *res;

	db_stmt_what(&s->base, what, sizeof(what));
	PQclear(s->res);
	s->res = NULL;
	s->row = -1;
	if (pg_ready(db, what, 0, cause) != 0)
		return -1;
	snprintf(sql, sizeof(sql), "FETCH %d FROM %s", DB_PG_FETCH_ROWS,
	    s->cursor);
	res = PQexec(pg->conn, sql);
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		pg_fail(db, res, what, cause);
		PQclear(res);
		return -1;
	}
	s->res = res;
	s->cursor_end = PQntuples(res) < DB_PG_FETCH_ROWS;
	return 0;
}

void
pg_cursor_close(struct db *db, struct pg_stmt *s)
{
	struct pg *pg = db->impl;
	char sql[64];

	if (s->cursor[0] == '\0')
		return;
	if (pg->txn && !pg->broken && pg->txns == s->cursor_txn &&
	    PQtransactionStatus(pg->conn) == PQTRANS_INTRANS) {
		snprintf(sql, sizeof(sql), "CLOSE %s", s->cursor);
		PQclear(PQexec(pg->conn, sql));
	}
	s->cursor[0] = '\0';
}

/* store_pg.c - a store on PostgreSQL: opening it, and making its schema
 * the first time (store_schema_pg.c).  Several daemons and commands may
 * open one database at the same moment: the first to take the schema's
 * advisory lock makes the tables, the others wait for it and find them.
 * The version is the state row 'schema_version'. */
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "store.h"
#include "store_schema.h"
#include "util.h"

/* Any number, the same in every instance: the lock making the schema. */
#define STORE_PG_SCHEMA_LOCK 7310451

static char *store_pg_password_file;

void
store_set_password_file(const char *path)
{
	free(store_pg_password_file);
	store_pg_password_file = path != NULL ? xstrdup(path) : NULL;
}

/* Runs sql, whose one row has one integer column, into *v; 0 when there
 * is no row. */
static int
pg_int(struct store *st, const char *sql, int64_t *v, char **cause)
{
	struct db_stmt *s;
	int rc;

	if ((s = db_prepare(st->conn, sql, cause)) == NULL)
		return -1;
	if ((rc = db_step(s, cause)) == DB_ROW)
		*v = db_column_int64(s, 0);
	db_finalize(s);
	return rc == DB_ERROR ? -1 : rc == DB_ROW;
}

int
store_pg_schema_version(struct store *st, char **cause)
{
	int64_t v = 0;
	int rc;

	rc = pg_int(st, "SELECT count(*) FROM information_schema.tables"
	    " WHERE table_schema = current_schema() AND table_name = 'state';",
	    &v, cause);
	if (rc < 0)
		return -1;
	if (v == 0)
		return 0;
	rc = pg_int(st, "SELECT CAST(value AS BIGINT) FROM state WHERE key ="
	    " 'schema_version';", &v, cause);
	return rc < 0 ? -1 : rc == 0 ? 0 : (int)v;
}

/* Makes the schema unless another instance made it meanwhile. */
static int
pg_create_schema(struct store *st, char **cause)
{
	char *sql;
	int v;

	if (store_begin(st, cause) != 0)
		return -1;
	sql = xasprintf("SELECT pg_advisory_xact_lock(%d);",
	    STORE_PG_SCHEMA_LOCK);
	if (db_exec(st->conn, sql, cause) != 0 ||
	    (v = store_pg_schema_version(st, cause)) < 0)
		goto fail;
	free(sql);
	sql = NULL;
	if (v == 0) {
		sql = xasprintf("%s INSERT INTO state (key, value) VALUES"
		    " ('schema_version', '%d');", store_schema_pg,
		    STORE_PG_BASE_VERSION);
		if (db_exec(st->conn, sql, cause) != 0)
			goto fail;
	}
	free(sql);
	return store_commit(st, cause);
fail:
	free(sql);
	store_rollback(st);
	return -1;
}

int
store_pg_open(const char *target, int create, struct store **out,
    char **cause)
{
	struct store *st = xcalloc(1, sizeof(*st));
	int v;

	*out = NULL;
	if (db_open(target, store_pg_password_file, &st->conn, cause) != 0) {
		free(st);
		return -1;
	}
	st->path = xstrdup(db_target(st->conn));
	if ((v = store_pg_schema_version(st, cause)) < 0)
		goto fail;
	if (v == 0 && !create) {
		set_error(cause, "%s: no store here (`outreachctl init` creates "
		    "one)", st->path);
		goto fail;
	}
	if (v == 0 && (pg_create_schema(st, cause) != 0 ||
	    (v = store_pg_schema_version(st, cause)) < 0))
		goto fail;
	if (v > STORE_SCHEMA_VERSION) {
		set_error(cause, "%s: schema version %d is newer than this "
		    "program (%d): upgrade outreachd", st->path, v,
		    STORE_SCHEMA_VERSION);
		goto fail;
	}
	if (v < STORE_SCHEMA_VERSION) {
		/* Later migrations come in pairs: SQLite's and this. */
		set_error(cause, "%s: schema version %d: no PostgreSQL "
		    "migration to %d", st->path, v, STORE_SCHEMA_VERSION);
		goto fail;
	}
	*out = st;
	return 0;
fail:
	store_close(st);
	return -1;
}

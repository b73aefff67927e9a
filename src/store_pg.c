/* store_pg.c - a store on PostgreSQL: opening it, making its schema the
 * first time and migrating it after (store_schema_pg.c).  Several daemons
 * and commands may open one database at the same moment: the first to
 * take the schema's advisory lock makes or migrates the tables, the others
 * wait for it and find them done.  The version is the state row
 * 'schema_version'. */
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "store.h"
#include "store_schema.h"
#include "util.h"

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

/* Brings the schema from *v to version inside the open transaction:
 * the base script on an empty database, then each migration after it. */
static int
pg_apply(struct store *st, int *v, int version, char **cause)
{
	char *sql;
	int rc;

	for (; *v < version; *v = *v == 0 ? STORE_PG_BASE_VERSION : *v + 1) {
		if (*v == 0)
			sql = xasprintf("%s INSERT INTO state (key, value)"
			    " VALUES ('schema_version', '%d');",
			    store_schema_pg, STORE_PG_BASE_VERSION);
		else
			sql = xasprintf("%s UPDATE state SET value = '%d'"
			    " WHERE key = 'schema_version';",
			    store_pg_migrations[*v - STORE_PG_BASE_VERSION],
			    *v + 1);
		rc = db_exec(st->conn, sql, cause);
		free(sql);
		if (rc != 0)
			return -1;
	}
	return 0;
}

/* A store another program has migrated past this one's schema. */
static int
pg_newer(struct store *st, int v, char **cause)
{
	return set_error(cause, "%s: schema version %d is newer than this "
	    "program (%d): upgrade outreachd", st->path, v,
	    STORE_SCHEMA_VERSION);
}

/* Takes the schema to version in one transaction, under the advisory
 * lock: of several instances opening the store at once, the first
 * migrates and the others wait for its commit, then find the version
 * reached and have nothing to do.  DDL is transactional here, so a
 * failure leaves the store as it was. */
int
store_pg_migrate(struct store *st, int version, char **cause)
{
	char *sql;
	int v, rc;

	if ((v = store_pg_schema_version(st, cause)) < 0)
		return -1;
	if (v > STORE_SCHEMA_VERSION)
		return pg_newer(st, v, cause);
	if (v >= version)
		return 0;
	if (version < STORE_PG_BASE_VERSION || version > STORE_SCHEMA_VERSION)
		return set_error(cause, "%s: no PostgreSQL schema version %d "
		    "(%d to %d)", st->path, version, STORE_PG_BASE_VERSION,
		    STORE_SCHEMA_VERSION);
	if (store_begin(st, cause) != 0)
		return -1;
	sql = xasprintf("SELECT pg_advisory_xact_lock(%d);",
	    STORE_PG_SCHEMA_LOCK);
	rc = db_exec(st->conn, sql, cause);
	free(sql);
	if (rc != 0 || (v = store_pg_schema_version(st, cause)) < 0)
		goto fail;
	if (v > STORE_SCHEMA_VERSION) {
		pg_newer(st, v, cause);
		goto fail;
	}
	if (pg_apply(st, &v, version, cause) != 0)
		goto fail;
	return store_commit(st, cause);
fail:
	store_rollback(st);
	return -1;
}

/* Connects; the schema is made and migrated by store_migrate(). */
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
	*out = st;
	return 0;
fail:
	store_close(st);
	return -1;
}

/* tstore.h - a throw-away store for the unit tests (header only: each
 * test is one source file).  Include after cmocka.h.
 *
 * A store is an SQLite file under /tmp, or, when TSTORE_PG_URI names a
 * PostgreSQL server (postgresql://USER@HOST:PORT/DB, as
 * tests/peers/postgres.sh gives), a new database of its own there: the
 * tests that use tstore_path() then run against PostgreSQL. */
#ifndef OUTREACHD_TSTORE_H
#define OUTREACHD_TSTORE_H

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "customer.h"
#include "db.h"
#include "store.h"
#include "util.h"

/* Runs sql on the server's own database of TSTORE_PG_URI. */
static inline void
tstore_pg_admin(const char *sql)
{
	struct db *db;
	char *cause = NULL;

	if (db_open(getenv("TSTORE_PG_URI"), NULL, &db, &cause) != 0 ||
	    db_exec(db, sql, &cause) != 0)
		fail_msg("tstore: %s", cause);
	db_close(db);
}

/* TSTORE_PG_URI with its database name replaced by db; malloc'd. */
static inline char *
tstore_pg_uri(const char *db)
{
	const char *uri = getenv("TSTORE_PG_URI"), *slash = strrchr(uri, '/');

	return xasprintf("%.*s/%s", (int)(slash - uri), uri, db);
}

/* A new store that does not exist yet; malloc'd. */
static inline char *
tstore_path(void)
{
	static unsigned n;
	const char *pg = getenv("TSTORE_PG_URI");
	char tmpl[] = "/tmp/outreachd-test-XXXXXX", *name, *sql, *uri;
	int fd;

	if (pg != NULL && *pg != '\0') {
		name = xasprintf("t_%ld_%u", (long)getpid(), n++);
		sql = xasprintf("CREATE DATABASE %s;", name);
		tstore_pg_admin(sql);
		uri = tstore_pg_uri(name);
		free(sql);
		free(name);
		return uri;
	}
	fd = mkstemp(tmpl);

	assert_true(fd >= 0);
	close(fd);
	unlink(tmpl);
	return xasprintf("%s.db", tmpl);
}

/* A new file under /tmp for a test's configuration (never beside the
 * store, which may be a database on a server); malloc'd. */
static inline char *
tstore_conf_path(void)
{
	char tmpl[] = "/tmp/outreachd-conf-XXXXXX";
	int fd = mkstemp(tmpl);

	assert_true(fd >= 0);
	close(fd);
	return xstrdup(tmpl);
}

/* Runs sql (no rows wanted; several statements allowed) on a
 * connection of its own to the store at path, SQLite or PostgreSQL. */
static inline void
tstore_exec(const char *path, const char *sql)
{
	struct db *db;
	char *cause = NULL;

	if (db_open(path, NULL, &db, &cause) != 0 ||
	    db_exec(db, sql, &cause) != 0)
		fail_msg("%s: %s", sql, cause);
	db_close(db);
}

/* The first column of sql's first row, as a number; -1 without a row. */
static inline long long
tstore_long(const char *path, const char *sql)
{
	struct db_stmt *s;
	struct db *db;
	char *cause = NULL;
	long long v = -1;
	int rc;

	if (db_open(path, NULL, &db, &cause) != 0 ||
	    (s = db_prepare(db, sql, &cause)) == NULL)
		fail_msg("%s: %s", sql, cause);
	if ((rc = db_step(s, &cause)) == DB_ROW)
		v = (long long)db_column_int64(s, 0);
	else if (rc == DB_ERROR)
		fail_msg("%s: %s", sql, cause);
	db_finalize(s);
	db_close(db);
	return v;
}

/* Removes the store's files (with its WAL and shared memory) and frees
 * path. */
static inline void
tstore_remove(char *path)
{
	char *p;

	if (db_is_conninfo(path)) {
		p = xasprintf("DROP DATABASE IF EXISTS %s WITH (FORCE);",
		    strrchr(path, '/') + 1);
		tstore_pg_admin(p);
		free(p);
		free(path);
		return;
	}
	unlink(path);
	p = xasprintf("%s-wal", path);
	unlink(p);
	free(p);
	p = xasprintf("%s-shm", path);
	unlink(p);
	free(p);
	free(path);
}

/* An outbox row as a verdict names it, never claimed (fence 0):
 * store_outbox_update(st, ROW(id, version), ...). */
#define ROW(id, version) (&(struct outbox_ref){ (id), (version), 0 })

/* Customer ext of st into c (initialised here, cleared by the caller);
 * the test fails when there is none. */
static inline void
tstore_customer(struct store *st, const char *ext, struct customer *c)
{
	char *cause = NULL;

	customer_init(c);
	if (store_customer_get(st, ext, c, &cause) != 1)
		fail_msg("customer %s: %s", ext, cause ? cause : "missing");
}

/* A fresh store (its path in *path, malloc'd) with reps li and wang. */
static inline struct store *
tstore_open_reps(char **path)
{
	struct store *st;
	char *cause = NULL;

	*path = tstore_path();
	if (store_open(*path, &st, &cause) != 0)
		fail_msg("store_open: %s", cause);
	tstore_exec(*path, "INSERT INTO reps (key, name, created_at)"
	    " VALUES ('li', 'Li', 1), ('wang', 'Wang', 1);");
	return st;
}

#endif

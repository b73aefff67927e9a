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

#include "db.h"
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

#endif

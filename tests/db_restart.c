/* db_restart.c - one PostgreSQL connection kept across server restarts,
 * for tests/cli/db_pg.sh.
 *
 *     db_restart URI SYNCDIR
 *
 * At each point where the server must change, it creates SYNCDIR/NAME
 * (restart1, restart2, stop3, start3) and waits for SYNCDIR/NAME.done,
 * which the script creates once it restarted, stopped or started the
 * server.  Each check prints "ok - what" or "not ok - what: why"; the
 * exit status is 1 when one failed. */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "db.h"
#include "util.h"

enum { ST_INSERT, ST_COUNT };

static int failed;
static const char *syncdir;

static void PRINTFLIKE(2, 3)
check(int ok, const char *fmt, ...)
{
	va_list ap;

	printf("%s - ", ok ? "ok" : "not ok");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
	failed |= !ok;
}

/* Asks the script for a change of the server and waits until it is made. */
static void
await(const char *name)
{
	char *ask = xasprintf("%s/%s", syncdir, name);
	char *done = xasprintf("%s/%s.done", syncdir, name);
	FILE *f;
	int i;

	if ((f = fopen(ask, "w")) != NULL)
		fclose(f);
	for (i = 0; i < 1200 && access(done, F_OK) != 0; i++)
		usleep(50000);
	if (access(done, F_OK) != 0) {
		printf("Bail out! no %s after 60 s\n", done);
		exit(1);
	}
	free(ask);
	free(done);
}

static int
insert(struct db *db, int64_t id, char **cause)
{
	struct db_stmt *s = db_cached(db, ST_INSERT,
	    "INSERT INTO rs (id, note) VALUES (?1, ?2)", cause);

	if (s == NULL)
		return -1;
	db_bind_int64(s, 1, id);
	db_bind_text(s, 2, "重启");
	return db_step(s, cause) == DB_DONE ? 0 : -1;
}

/* count(*) of rs, or -1. */
static int64_t
count(struct db *db, char **cause)
{
	struct db_stmt *s = db_cached(db, ST_COUNT, "SELECT count(*) FROM rs",
	    cause);

	if (s == NULL || db_step(s, cause) != DB_ROW)
		return -1;
	return db_column_int64(s, 0);
}

/* One transaction inserting id: 0, or -1 with *cause. */
static int
txn_insert(struct db *db, int64_t id, char **cause)
{
	if (db_begin(db, cause) != 0)
		return -1;
	if (insert(db, id, cause) != 0 || db_commit(db, cause) != 0) {
		db_rollback(db);
		return -1;
	}
	return 0;
}

#define WHY(c) ((c) != NULL ? (c) : "")

/* A transaction open across a restart is lost, and said to be
 * transiently; after a rollback the connection works again. */
static void
lost_in_transaction(struct db *db)
{
	char *cause = NULL;
	int rc;

	check(db_begin(db, &cause) == 0 && insert(db, 2, &cause) == 0,
	    "a transaction is open before the restart %s", WHY(cause));
	await("restart1");
	rc = insert(db, 3, &cause);
	check(rc == -1 && db_error_transient(db), "the next statement fails, "
	    "transiently: %s", WHY(cause));
	free(cause);
	cause = NULL;
	rc = insert(db, 4, &cause);
	check(rc == -1 && db_error_transient(db) && cause != NULL &&
	    strstr(cause, "roll back") != NULL, "and every one after it until "
	    "a rollback: %s", WHY(cause));
	free(cause);
	cause = NULL;
	check(db_in_transaction(db), "the lost transaction counts as open");
	db_rollback(db);
	check(!db_in_transaction(db), "db_rollback() forgets it");
	rc = txn_insert(db, 5, &cause);
	check(rc == 0, "the next transaction works %s", WHY(cause));
	free(cause);
	cause = NULL;
	check(count(db, &cause) == 2, "rows 1 and 5 are there, 2 is not %s",
	    WHY(cause));
	free(cause);
}

/* An idle connection across a restart: made again before the next
 * statement, which runs, prepared again. */
static void
idle_across_restart(struct db *db)
{
	char *cause = NULL;
	int64_t n;

	await("restart2");
	n = count(db, &cause);
	check(n == 2, "a cached statement runs after the restart (count %lld) "
	    "%s", (long long)n, WHY(cause));
	free(cause);
	cause = NULL;
	check(txn_insert(db, 6, &cause) == 0, "so does a transaction %s",
	    WHY(cause));
	free(cause);
}

/* The server down: begin fails transiently; back up: begin works. */
static void
server_down(struct db *db)
{
	char *cause = NULL;
	int rc;

	await("stop3");
	rc = db_begin(db, &cause);
	check(rc == -1 && db_error_transient(db), "begin with the server "
	    "down fails, transiently: %s", WHY(cause));
	free(cause);
	cause = NULL;
	rc = db_begin(db, &cause);
	check(rc == -1 && db_error_transient(db), "and again %s", WHY(cause));
	free(cause);
	cause = NULL;
	await("start3");
	check(txn_insert(db, 7, &cause) == 0, "the server back, a "
	    "transaction works %s", WHY(cause));
	free(cause);
	cause = NULL;
	check(count(db, &cause) == 4, "4 rows in the end %s", WHY(cause));
	free(cause);
}

int
main(int argc, char **argv)
{
	struct db *db = NULL;
	char *cause = NULL;

	if (argc != 3) {
		fprintf(stderr, "usage: db_restart URI SYNCDIR\n");
		return 2;
	}
	syncdir = argv[2];
	if (db_open(argv[1], NULL, &db, &cause) != 0) {
		printf("Bail out! %s\n", cause);
		return 1;
	}
	if (db_exec(db, "DROP TABLE IF EXISTS rs; CREATE TABLE rs (id BIGINT "
	    "PRIMARY KEY, note TEXT)", &cause) != 0 ||
	    txn_insert(db, 1, &cause) != 0) {
		printf("Bail out! %s\n", cause);
		return 1;
	}
	check(count(db, &cause) == 1, "a row before the restarts");
	lost_in_transaction(db);
	idle_across_restart(db);
	server_down(db);
	db_close(db);
	return failed;
}

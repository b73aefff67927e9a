/* store_erase.c - finishing an erase.
 *
 * Deleting a customer's rows (store_customer_forget) does not take their
 * bytes out of the files: secure_delete zeroes the cells and pages the
 * delete frees, but a B-tree rebalance can leave an old copy of a cell in
 * the unused middle of a page, and in WAL mode the old versions of every
 * page stay in the -wal file and, until a checkpoint, in the database
 * file.  So an erase is finished in two steps: VACUUM writes the database
 * anew, without any free space, and a TRUNCATE checkpoint copies that into
 * the database file and empties the write-ahead log.  The checkpoint
 * cannot finish while another connection reads an older snapshot; the
 * state row "erase_pending" then says what is left ("vacuum" or
 * "checkpoint"), so a later call finishes it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "db.h"
#include "store.h"
#include "store_plan.h"
#include "store_schema.h"
#include "util.h"

#define ERASE_KEY "erase_pending"

/* The bytes of the -shm file SQLite locks for readers (WAL_READ_LOCK(0)
 * to WAL_READ_LOCK(4), after the 120-byte header): a process holding one
 * reads a snapshot the checkpoint must not overwrite. */
#define ERASE_READ_FIRST 123
#define ERASE_READ_LAST	 127

int
store_erase_mark(struct store *st, const char *stage, char **cause)
{
	return store_state_set(st, ERASE_KEY, stage, cause);
}

int
store_erase_pending(struct store *st, char **cause)
{
	char *v = NULL;
	int rc;

	rc = store_state_get(st, ERASE_KEY, &v, cause);
	free(v);
	return rc;
}

/* Forgets the pending mark. */
static int
erase_unmark(struct store *st, char **cause)
{
	struct db_stmt *s;
	int rc;

	if ((s = db_prepare(st->conn, "DELETE FROM state WHERE key = ?1;",
	    cause)) == NULL)
		return -1;
	db_bind_text(s, 1, ERASE_KEY);
	rc = store_run(s, cause);
	db_finalize(s);
	return rc;
}

/* PostgreSQL: VACUUM takes the deleted rows out of the tables (their
 * space is then reused; PostgreSQL does not zero it), outside any
 * transaction and without locking writers out, as VACUUM FULL would. */
static int
erase_finish_pg(struct store *st, char **cause)
{
	if (db_exec(st->conn, "VACUUM customers, customer_attrs, purchases,"
	    " contacts, plan_items, outbox, task_events, keydates,"
	    " optout_events, holdouts, survey_answers, tier_history;",
	    cause) != 0)
		return -1;
	return erase_unmark(st, cause);
}

/* VACUUM builds its copy in a temporary database: on disk, not in memory
 * as temp_store = MEMORY would (a copy of the whole store). */
static int
erase_vacuum(struct store *st, char **cause)
{
	int rc;

	if (sqlite3_exec(st->db, "PRAGMA temp_store = FILE;", NULL, NULL,
	    NULL) != SQLITE_OK)
		return store_fail(st, "setting temp_store", cause);
	rc = sqlite3_exec(st->db, "VACUUM;", NULL, NULL, NULL);
	if (rc != SQLITE_OK)
		store_fail(st, "rewriting the store (VACUUM)", cause);
	sqlite3_exec(st->db, "PRAGMA temp_store = MEMORY;", NULL, NULL, NULL);
	return rc == SQLITE_OK ? 0 : -1;
}

/* A TRUNCATE checkpoint, waiting up to wait_ms for readers and writers:
 * 0 when the log was copied and emptied, 1 when another connection kept
 * it (the first column of the pragma's row), -1 on error. */
static int
erase_checkpoint(struct store *st, int wait_ms, char **cause)
{
	sqlite3_stmt *s;
	int rc, busy = 1;

	s = store_prepare(st, "PRAGMA wal_checkpoint(TRUNCATE);", cause);
	if (s == NULL)
		return -1;
	store_busy_timeout(st, wait_ms);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		busy = sqlite3_column_int(s, 0) != 0;
	sqlite3_finalize(s);
	store_busy_timeout(st, STORE_BUSY_MS);
	if (rc == SQLITE_ROW)
		return busy;
	if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
		return 1;
	return store_fail(st, "checkpointing the write-ahead log", cause);
}

/* Appends ", NAME (pid N)" to b for one process. */
static void
erase_add_pid(struct buf *b, long pid)
{
	char *path, name[64] = "";
	FILE *fp;

	path = xasprintf("/proc/%ld/comm", pid);
	if ((fp = fopen(path, "r")) != NULL) {
		if (fgets(name, sizeof name, fp) == NULL)
			name[0] = '\0';
		name[strcspn(name, "\n")] = '\0';
		fclose(fp);
	}
	free(path);
	buf_printf(b, "%s%s%spid %ld%s", b->len > 0 ? ", " : "", name,
	    *name != '\0' ? " (" : "", pid, *name != '\0' ? ")" : "");
}

/* The processes holding a reader's lock on the store's -shm file, from
 * Linux's /proc/locks ("1: POSIX ADVISORY READ PID MAJ:MIN:INODE START
 * END"), as "NAME (pid N), ..."; malloc'd, NULL when none is known. */
static char *
erase_readers(struct store *st)
{
	struct stat sb;
	struct buf b;
	FILE *fp;
	char *shm, *line = NULL, kind[16], end[24];
	size_t cap = 0;
	unsigned int maj, min;
	unsigned long long ino, first, last;
	long pid, seen[16];
	size_t nseen = 0, i;

	shm = xasprintf("%s-shm", st->path);
	if (stat(shm, &sb) != 0 || (fp = fopen("/proc/locks", "r")) == NULL) {
		free(shm);
		return NULL;
	}
	free(shm);
	buf_init(&b);
	while (getline(&line, &cap, fp) > 0) {
		if (sscanf(line, "%*d: %15s %*s %*s %ld %x:%x:%llu %llu %23s",
		    kind, &pid, &maj, &min, &ino, &first, end) != 7 ||
		    strcmp(kind, "POSIX") != 0 || pid <= 0 || pid == getpid())
			continue;
		last = strcmp(end, "EOF") == 0 ? ~0ULL : strtoull(end, NULL,
		    10);
		if (ino != (unsigned long long)sb.st_ino ||
		    maj != major(sb.st_dev) || min != minor(sb.st_dev) ||
		    first > ERASE_READ_LAST || last < ERASE_READ_FIRST)
			continue;
		for (i = 0; i < nseen && seen[i] != pid; i++)
			;
		if (i < nseen || nseen == ARRAY_SIZE(seen))
			continue;
		seen[nseen++] = pid;
		erase_add_pid(&b, pid);
	}
	free(line);
	fclose(fp);
	if (b.len == 0) {
		buf_free(&b);
		return NULL;
	}
	return buf_detach(&b);
}

int
store_erase_finish(struct store *st, int wait_ms, char **cause)
{
	char *stage = NULL, *who;
	int rc;

	if ((rc = store_state_get(st, ERASE_KEY, &stage, cause)) <= 0)
		return rc;
	if (db_backend(st->conn) == DB_PG) {
		free(stage);
		return erase_finish_pg(st, cause);
	}
	rc = strcmp(stage, "vacuum") == 0 ? erase_vacuum(st, cause) : 0;
	free(stage);
	if (rc != 0 || store_erase_mark(st, "checkpoint", cause) != 0)
		return -1;
	if ((rc = erase_checkpoint(st, wait_ms, cause)) != 1) {
		if (rc != 0 || erase_unmark(st, cause) != 0)
			return -1;
		/* The mark's own change: nothing personal, best effort. */
		erase_checkpoint(st, 0, NULL);
		return 0;
	}
	who = erase_readers(st);
	set_error(cause, "%s and its write-ahead log still hold copies: "
	    "another process is reading the store%s%s", st->path,
	    who != NULL ? ": " : "", who != NULL ? who : "");
	free(who);
	return 1;
}

/* store.c - opening the SQLite store, migrations, transactions, reps and
 * statistics.  Customer rows and history live in store_customer.c. */
#include "store.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "db.h"
#include "store_schema.h"
#include "util.h"

/* Prepares sql or explains which statement failed on which store. */
sqlite3_stmt *
store_prepare(struct store *st, const char *sql, char **cause)
{
	sqlite3_stmt *s = NULL;

	if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK) {
		store_fail(st, "prepare", cause);
		return NULL;
	}
	return s;
}

struct db_stmt *
store_stmt(struct store *st, enum store_stmt id, const char *sql,
    char **cause)
{
	return db_cached(st->conn, (unsigned)id, sql, cause);
}

sqlite3_stmt *
store_cached(struct store *st, enum store_stmt id, const char *sql,
    char **cause)
{
	sqlite3_stmt *s = st->cache[id];

	if (s == NULL)
		return st->cache[id] = store_prepare(st, sql, cause);
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	return s;
}

int
store_fail(struct store *st, const char *what, char **cause)
{
	return set_error(cause, "%s: %s: %s", st->path, what,
	    sqlite3_errmsg(st->db));
}

int
store_bind_text(sqlite3_stmt *s, int i, const char *v)
{
	if (v == NULL)
		return sqlite3_bind_null(s, i);
	return sqlite3_bind_text(s, i, v, -1, SQLITE_STATIC);
}

char *
store_column_text(sqlite3_stmt *s, int i)
{
	const unsigned char *t = sqlite3_column_text(s, i);

	return t == NULL ? NULL : xstrdup((const char *)t);
}

char *
store_col_text(struct db_stmt *s, int i)
{
	const char *t = db_column_text(s, i);

	return t == NULL ? NULL : xstrdup(t);
}

int32_t
store_col_day(struct db_stmt *s, int i)
{
	return db_column_is_null(s, i) ? DAY_NONE :
	    (int32_t)db_column_int64(s, i);
}

int
store_run(struct db_stmt *s, char **cause)
{
	return db_step(s, cause) == DB_DONE ? 0 : -1;
}

int
store_write(struct store *st, struct db_stmt *s, char **cause)
{
	int rc = store_run(s, cause);
	int64_t n = db_changes(st->conn);

	db_finalize(s);
	return rc != 0 ? -1 : (int)n;
}

const char *
store_dialect(const struct store *st, const char *sqlite, const char *pg)
{
	return db_backend(st->conn) == DB_PG ? pg : sqlite;
}

int32_t
store_column_day(sqlite3_stmt *s, int i)
{
	if (sqlite3_column_type(s, i) == SQLITE_NULL)
		return DAY_NONE;
	return (int32_t)sqlite3_column_int(s, i);
}

/* Runs statements that return no rows. */
static int
store_exec(struct store *st, const char *sql, char **cause)
{
	char *msg = NULL;

	if (sqlite3_exec(st->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		set_error(cause, "%s: %s", st->path, msg ? msg : "error");
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

/* Waits for a lock another connection holds, up to the connection's
 * busy_ms.  SQLite's own handler (sqlite3_busy_timeout) sleeps 1, 2, 5,
 * 10, 15, 20, 25 ms..., the pace of a lock held by another program, while
 * the daemon's connections take turns on write transactions shorter than
 * a millisecond (a rep's outcome: 0.9 ms for the whole POST): a writer that
 * found the lock taken slept 1 ms or more, found it taken again, and slept
 * longer.  Here the sleeps grow from 50 us to 1 ms, and stay there. */
static int
store_busy(void *arg, int n)
{
	const struct store *st = arg;
	struct timespec ts = { 0, 0 };
	long us, slept;

	us = n < 5 ? 50L << n : 1000;
	slept = n < 5 ? 50L * ((1L << n) - 1) : 1550 + 1000L * (n - 5);
	if (slept >= st->busy_ms * 1000L)
		return 0;
	ts.tv_nsec = us * 1000;
	nanosleep(&ts, NULL);
	return 1;
}

void
store_busy_timeout(struct store *st, int ms)
{
	st->busy_ms = ms;
	sqlite3_busy_handler(st->db, store_busy, st);
}

/* Connection settings every open needs: WAL lets the CLI read while the
 * daemon writes; the busy timeout turns short lock waits into waits rather
 * than errors; foreign keys are off by default in SQLite.  secure_delete
 * zeroes what a change frees (old values, deleted rows, freed pages) so
 * personal data does not linger in free space; some builds have it on by
 * default, others not.  synchronous = FULL syncs the WAL at every commit:
 * what a commit acknowledges (a message marked sent, an opt-out, an
 * import) survives a power cut, not only a crash of the process (NORMAL
 * syncs only at checkpoints: a power cut after 25 s of sending lost 152
 * sent marks, each a duplicate). */
static int
store_configure(struct store *st, char **cause)
{
	store_busy_timeout(st, STORE_BUSY_MS);
	if (store_exec(st, "PRAGMA foreign_keys = ON;", cause) != 0)
		return -1;
	if (store_exec(st, "PRAGMA secure_delete = ON;", cause) != 0)
		return -1;
	/* Statement journals (every upsert has one) stay in memory instead of
	 * costing a temporary file write per row.  So do sorters and temporary
	 * B-trees, without bound: a query over every customer walks an index
	 * in the order it needs instead (store_tier_rows). */
	if (store_exec(st, "PRAGMA temp_store = MEMORY;", cause) != 0)
		return -1;
	if (store_exec(st, "PRAGMA journal_mode = WAL;", cause) != 0)
		return -1;
	return store_exec(st, "PRAGMA synchronous = FULL;", cause);
}

/* A new store holds customers' personal data: its directory is made 0700
 * if missing and the file 0600, whoever runs the command and whatever
 * the umask; SQLite gives the WAL and shared-memory files the database
 * file's mode.  (An empty file is an empty database to SQLite.) */
static int
store_create_private(const char *path, char **cause)
{
	char *dir, *slash;
	int fd, rc;

	if (access(path, F_OK) == 0)
		return 0;
	dir = xstrdup(path);
	rc = 0;
	if ((slash = strrchr(dir, '/')) != NULL && slash != dir) {
		*slash = '\0';
		rc = dir_make_private("store directory", dir, cause);
	}
	free(dir);
	if (rc != 0)
		return -1;
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW,
	    0600);
	if (fd < 0)	/* EEXIST: another process made it meanwhile */
		return errno == EEXIST ? 0 : set_error(cause, "%s: cannot "
		    "create store: %m", path);
	rc = fchmod(fd, 0600);
	close(fd);
	return rc == 0 ? 0 : set_error(cause, "%s: %m", path);
}

/* SQLite's process-wide settings, before its first use: no memory
 * statistics, which nothing reads and which cost a global mutex around
 * every allocation of every connection. */
static void
store_init_once(void)
{
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

/* Opens path, creating the file only when create is set. */
static int
store_open_mode(const char *path, int create, struct store **out,
    char **cause)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	struct store *st = xcalloc(1, sizeof(*st));
	int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX |
	    (create ? SQLITE_OPEN_CREATE : 0);
	int rc;

	if (db_is_conninfo(path)) {
		free(st);
		return store_pg_open(path, create, out, cause);
	}
	pthread_once(&once, store_init_once);
	st->path = xstrdup(path);
	if (create && store_create_private(path, cause) != 0) {
		store_close(st);
		return -1;
	}
	if ((rc = sqlite3_open_v2(path, &st->db, flags, NULL)) != SQLITE_OK) {
		if (!create && (rc & 0xff) == SQLITE_CANTOPEN &&
		    access(path, F_OK) != 0)
			set_error(cause, "%s: no store here (`outreachctl init` "
			    "creates one)", path);
		else
			set_error(cause, "%s: cannot open store: %s", path,
			    st->db ? sqlite3_errmsg(st->db) : "out of memory");
		store_close(st);
		return -1;
	}
	sqlite3_extended_result_codes(st->db, 1);
	st->conn = db_adopt_sqlite(st->db, path);
	if (store_configure(st, cause) != 0) {
		store_close(st);
		return -1;
	}
	*out = st;
	return 0;
}

int
store_open_raw(const char *path, struct store **out, char **cause)
{
	return store_open_mode(path, 1, out, cause);
}

int
store_schema_version(struct store *st)
{
	sqlite3_stmt *s;
	int v = -1;

	if (st->db == NULL)
		return store_pg_schema_version(st, NULL);

	if ((s = store_prepare(st, "PRAGMA user_version;", NULL)) == NULL)
		return -1;
	if (sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	return v;
}

/* Fails when a migration left a row whose foreign key points nowhere. */
static int
store_fk_check(struct store *st, int version, char **cause)
{
	sqlite3_stmt *s;
	char *table = NULL;
	int rc;

	if ((s = store_prepare(st, "PRAGMA foreign_key_check;", cause)) == NULL)
		return -1;
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		table = store_column_text(s, 0);
	sqlite3_finalize(s);
	if (rc == SQLITE_DONE)
		return 0;
	if (rc != SQLITE_ROW)
		return store_fail(st, "checking foreign keys", cause);
	rc = set_error(cause, "%s: migrating to schema version %d leaves a "
	    "row of %s pointing nowhere", st->path, version,
	    table ? table : "a table");
	free(table);
	return rc;
}

/* Applies migrations one transaction each, so a failure leaves the store at
 * the last good version (PostgreSQL: store_pg_migrate()).  Foreign keys are off meanwhile (they cannot be
 * switched inside a transaction): a migration that rebuilds a table drops
 * the old one, which would otherwise delete every row referring to it.
 * They are checked before each commit instead. */
int
store_migrate(struct store *st, int version, char **cause)
{
	int v, done;
	char *sql;

	if (st->db == NULL)
		return store_pg_migrate(st, version, cause);
	if ((v = store_schema_version(st)) < 0)
		return store_fail(st, "reading schema version", cause);
	if (v > store_nmigrations)
		return set_error(cause, "%s: schema version %d is newer than "
		    "this program (%d): upgrade outreachd", st->path, v,
		    store_nmigrations);
	if (v >= version)
		return 0;
	if (store_exec(st, "PRAGMA foreign_keys = OFF;", cause) != 0)
		return -1;
	for (; v < version; v++) {
		if (store_begin(st, cause) != 0)
			break;
		sql = xasprintf("%s PRAGMA user_version = %d;",
		    store_migrations[v], v + 1);
		if (store_exec(st, sql, cause) != 0 ||
		    store_fk_check(st, v + 1, cause) != 0 ||
		    store_commit(st, cause) != 0) {
			free(sql);
			store_rollback(st);
			break;
		}
		free(sql);
	}
	done = v >= version;
	if (store_exec(st, "PRAGMA foreign_keys = ON;", done ? cause :
	    NULL) != 0)
		return -1;
	return done ? 0 : -1;
}

/* Opens (creating when create is set) and migrates to this version. */
static int
store_open_migrated(const char *path, int create, struct store **out,
    char **cause)
{
	if (store_open_mode(path, create, out, cause) != 0)
		return -1;
	if (store_migrate(*out, store_nmigrations, cause) != 0) {
		store_close(*out);
		*out = NULL;
		return -1;
	}
	return 0;
}

int
store_open(const char *path, struct store **out, char **cause)
{
	return store_open_migrated(path, 1, out, cause);
}

int
store_open_existing(const char *path, struct store **out, char **cause)
{
	return store_open_migrated(path, 0, out, cause);
}

void
store_close(struct store *st)
{
	size_t i;

	if (st == NULL)
		return;
	for (i = 0; i < STMT_MAX; i++)
		sqlite3_finalize(st->cache[i]);
	db_finalize(st->upsert);
	for (i = 0; i < st->ndeferred; i++)
		free(st->deferred[i]);
	free(st->deferred);
	/* The db owns the connection once it has adopted it. */
	if (st->conn != NULL)
		db_close(st->conn);
	else
		sqlite3_close(st->db);
	free(st->path);
	free(st);
}

/* Transactions go through db.h, so that they are the same on both
 * backends.  On SQLite a write transaction is BEGIN IMMEDIATE: it takes
 * the write lock at once, so a concurrent writer waits on the busy
 * timeout here rather than failing half-way through an import. */
int
store_begin(struct store *st, char **cause)
{
	if (db_begin(st->conn, cause) != 0)
		return -1;
	st->in_txn = 1;
	return 0;
}

int
store_begin_rows(struct store *st, char **cause)
{
	if (db_begin_rows(st->conn, cause) != 0)
		return -1;
	st->in_txn = 1;
	return 0;
}

int
store_commit(struct store *st, char **cause)
{
	if (db_commit(st->conn, cause) != 0)
		return -1;
	st->in_txn = 0;
	return 0;
}

/* SQLite: DEFERRED, a read transaction until something writes.  One
 * snapshot for a page's reads, and one lock taken instead of one per
 * query. */
int
store_read_begin(struct store *st, char **cause)
{
	if (db_begin_read(st->conn, cause) != 0)
		return -1;
	st->in_txn = 1;
	return 0;
}

void
store_read_end(struct store *st)
{
	if (st->in_txn && store_commit(st, NULL) != 0)
		store_rollback(st);
}

void
store_rollback(struct store *st)
{
	if (st->in_txn)
		db_rollback(st->conn);
	st->in_txn = 0;
}

/* A savepoint, always the same name: units do not nest. */
int
store_unit_begin(struct store *st, char **cause)
{
	return db_savepoint(st->conn, cause);
}

int
store_unit_keep(struct store *st, char **cause)
{
	return db_release(st->conn, cause);
}

int
store_unit_undo(struct store *st)
{
	return db_rollback_to(st->conn, NULL);
}

void
store_rep_clear(struct store_rep *r)
{
	free(r->key);
	free(r->name);
	free(r->email);
	free(r->phone);
	free(r->timezone);
	free(r->locale);
	memset(r, 0, sizeof(*r));
}

/* A copy of s, or NULL. */
static char *
copy_or_null(const char *s)
{
	return s != NULL ? xstrdup(s) : NULL;
}

void
store_rep_copy(struct store_rep *dst, const struct store_rep *src)
{
	*dst = *src;
	dst->key = copy_or_null(src->key);
	dst->name = copy_or_null(src->name);
	dst->email = copy_or_null(src->email);
	dst->phone = copy_or_null(src->phone);
	dst->timezone = copy_or_null(src->timezone);
	dst->locale = copy_or_null(src->locale);
}

int
store_rep_upsert(struct store *st, const struct store_rep *r, char **cause)
{
	struct db_stmt *s;
	int rc;

	s = db_prepare(st->conn, "INSERT INTO reps (key, name, email, phone,"
	    " timezone, digest, locale, created_at) VALUES (?1, ?2, ?3, ?4, ?5,"
	    " ?6, ?7, ?8) ON CONFLICT (key) DO UPDATE SET"
	    " name = excluded.name, email = excluded.email,"
	    " phone = excluded.phone, timezone = excluded.timezone,"
	    " digest = excluded.digest, locale = excluded.locale;", cause);
	if (s == NULL)
		return -1;
	db_bind_text(s, 1, r->key);
	db_bind_text(s, 2, r->name);
	db_bind_text(s, 3, r->email);
	db_bind_text(s, 4, r->phone);
	db_bind_text(s, 5, r->timezone);
	db_bind_int64(s, 6, r->digest != 0);
	db_bind_text(s, 7, r->locale);
	db_bind_int64(s, 8, (int64_t)time(NULL));
	rc = store_run(s, cause);
	db_finalize(s);
	return rc;
}

#define REP_COLUMNS "id, key, name, email, phone, timezone, digest, locale"

static void
store_rep_read(struct db_stmt *s, struct store_rep *r)
{
	r->id = db_column_int64(s, 0);
	r->key = store_col_text(s, 1);
	r->name = store_col_text(s, 2);
	r->email = store_col_text(s, 3);
	r->phone = store_col_text(s, 4);
	r->timezone = store_col_text(s, 5);
	r->digest = (int)db_column_int64(s, 6);
	r->locale = store_col_text(s, 7);
}

int
store_rep_get(struct store *st, const char *key, struct store_rep *r,
    char **cause)
{
	struct db_stmt *s;
	int rc;

	s = store_stmt(st, STMT_REP_GET, "SELECT " REP_COLUMNS " FROM reps"
	    " WHERE key = ?1;", cause);
	if (s == NULL)
		return -1;
	db_bind_text(s, 1, key);
	if ((rc = db_step(s, cause)) == DB_ROW)
		store_rep_read(s, r);
	db_reset(s);
	return rc == DB_ROW ? 1 : rc == DB_DONE ? 0 : -1;
}

int
store_rep_each(struct store *st, store_rep_cb cb, void *arg, char **cause)
{
	struct db_stmt *s;
	struct store_rep r;
	int rc, stop = 0;

	s = db_prepare(st->conn, "SELECT " REP_COLUMNS " FROM reps ORDER BY"
	    " key;", cause);
	if (s == NULL)
		return -1;
	while (!stop && (rc = db_step(s, cause)) == DB_ROW) {
		memset(&r, 0, sizeof(r));
		store_rep_read(s, &r);
		stop = cb(arg, &r);
		store_rep_clear(&r);
	}
	db_finalize(s);
	if (stop)
		return stop;
	return rc == DB_DONE ? 0 : -1;
}

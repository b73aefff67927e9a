/* db.c - the database interface: picks the backend for a target, keeps
 * the statement cache and the transaction rules both backends share, and
 * passes the rest through struct db_ops (db_sqlite.c, db_pg.c). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "db_priv.h"
#include "util.h"

int
db_fail(struct db *db, int transient, const char *what, const char *why,
    char **cause)
{
	db->transient = transient;
	return set_error(cause, "%s: %s: %s", db->target, what,
	    why != NULL && *why != '\0' ? why : "unknown error");
}

const char *
db_stmt_what(const struct db_stmt *s, char *buf, size_t len)
{
	const char *sql = s->sql, *tail;
	size_t i, n;

	while (*sql == ' ' || *sql == '\t' || *sql == '\n')
		sql++;
	n = strlen(sql);
	if (len < 8)
		return "statement";
	if (n > len - 6)	/* room for the quotes, "..." and the NUL */
		n = len - 6;
	buf[0] = '"';
	for (i = 0; i < n; i++)
		buf[i + 1] = (sql[i] == '\n' || sql[i] == '\t') ? ' ' : sql[i];
	tail = n < strlen(sql) ? "...\"" : "\"";
	memcpy(buf + n + 1, tail, strlen(tail) + 1);
	return buf;
}

/* The password in password_file ("%d/NAME": a systemd credential). */
static int
db_password(const char *password_file, char **out, char **cause)
{
	const char *name = conf_credential_name(password_file), *dir;
	char *path;
	int rc;

	*out = NULL;
	if (name != NULL) {
		dir = getenv("CREDENTIALS_DIRECTORY");
		if (dir == NULL || *dir == '\0')
			return set_error(cause, "password file \"%s\": %%d is "
			    "the credentials directory systemd passes in "
			    "$CREDENTIALS_DIRECTORY, which is not set",
			    password_file);
		path = xasprintf("%s/%s", dir, name);
	} else
		path = xstrdup(password_file);
	rc = file_first_line("password file", path, out, cause);
	if (rc == 1)
		set_error(cause, "password file %s: no such file", path);
	free(path);
	return rc == 0 ? 0 : -1;
}

/* Which backend serves target, or NULL with the reason. */
static const struct db_ops *
db_pick(const char *target, const char *shown, enum db_backend *backend,
    char **cause)
{
	if (!db_is_conninfo(target)) {
		*backend = DB_SQLITE;
		return &db_sqlite_ops;
	}
	*backend = DB_PG;
#ifdef HAVE_POSTGRESQL
	return &db_pg_ops;
#else
	set_error(cause, "%s: outreachd was built without PostgreSQL support "
	    "(install libpq-dev and run configure again)", shown);
	return NULL;
#endif
}

int
db_open(const char *target, const char *password_file, struct db **out,
    char **cause)
{
	struct db *db = xcalloc(1, sizeof(*db));
	char *password = NULL;
	int rc;

	*out = NULL;
	db->target = db_redact(target);
	if ((db->ops = db_pick(target, db->target, &db->backend,
	    cause)) == NULL) {
		db_close(db);
		return -1;
	}
	if (db->backend == DB_PG && password_file != NULL &&
	    db_password(password_file, &password, cause) != 0) {
		db_close(db);
		return -1;
	}
	rc = db->ops->open(db, target, password, cause);
	if (password != NULL) {
		explicit_bzero(password, strlen(password));
		free(password);
	}
	if (rc != 0) {
		db_close(db);
		return -1;
	}
	*out = db;
	return 0;
}

void
db_close(struct db *db)
{
	size_t i;

	if (db == NULL)
		return;
	for (i = 0; i < db->ncache; i++) {
		if (db->cache[i] == NULL)
			continue;
		free(db->cache[i]->sql);
		db->ops->finalize(db->cache[i]);
	}
	free(db->cache);
	if (db->impl != NULL)
		db->ops->close(db);
	free(db->target);
	free(db);
}

enum db_backend
db_backend(const struct db *db)
{
	return db->backend;
}

const char *
db_target(const struct db *db)
{
	return db->target;
}

struct db_stmt *
db_prepare(struct db *db, const char *sql, char **cause)
{
	struct db_stmt *s = db->ops->prepare(db, sql, cause);

	if (s != NULL) {
		s->db = db;
		s->sql = xstrdup(sql);
	}
	return s;
}

struct db_stmt *
db_cached(struct db *db, unsigned id, const char *sql, char **cause)
{
	struct db_stmt *s;
	size_t n;

	if (id >= db->ncache) {
		n = (size_t)id + 16;
		db->cache = xreallocarray(db->cache, n, sizeof(*db->cache));
		memset(db->cache + db->ncache, 0,
		    (n - db->ncache) * sizeof(*db->cache));
		db->ncache = n;
	}
	if ((s = db->cache[id]) != NULL) {
		db->ops->reset(s);
		return s;
	}
	if ((s = db_prepare(db, sql, cause)) != NULL) {
		s->cached = 1;
		db->cache[id] = s;
	}
	return s;
}

/* The value of a binding, checked against the statement's parameters
 * by the backend. */
static int
db_bind(struct db_stmt *s, int idx, enum db_type type, int64_t i, double d,
    const char *t)
{
	struct db_value v = { type, i, d, t, 0 };

	if (idx < 1)
		return -1;
	return s->db->ops->bind(s, idx, &v);
}

int
db_bind_int64(struct db_stmt *s, int idx, int64_t v)
{
	return db_bind(s, idx, DB_T_INT64, v, 0, NULL);
}

int
db_bind_double(struct db_stmt *s, int idx, double v)
{
	return db_bind(s, idx, DB_T_DOUBLE, 0, v, NULL);
}

int
db_bind_text(struct db_stmt *s, int idx, const char *v)
{
	return db_bind(s, idx, v == NULL ? DB_T_NULL : DB_T_TEXT, 0, 0, v);
}

int
db_bind_text_ref(struct db_stmt *s, int idx, const char *v)
{
	struct db_value val = { v == NULL ? DB_T_NULL : DB_T_TEXT, 0, 0, v, 1 };

	if (idx < 1)
		return -1;
	return s->db->ops->bind(s, idx, &val);
}

int
db_bind_null(struct db_stmt *s, int idx)
{
	return db_bind(s, idx, DB_T_NULL, 0, 0, NULL);
}

int
db_step(struct db_stmt *s, char **cause)
{
	return s->db->ops->step(s, cause);
}

/* Column reads outside the result (a bad index, no current row) read
 * as NULL: the backends check. */
int
db_column_count(struct db_stmt *s)
{
	return s->db->ops->column_count(s);
}

int
db_column_is_null(struct db_stmt *s, int col)
{
	return s->db->ops->column_is_null(s, col);
}

int64_t
db_column_int64(struct db_stmt *s, int col)
{
	return s->db->ops->column_int64(s, col);
}

double
db_column_double(struct db_stmt *s, int col)
{
	return s->db->ops->column_double(s, col);
}

const char *
db_column_text(struct db_stmt *s, int col)
{
	return s->db->ops->column_text(s, col);
}

void
db_reset(struct db_stmt *s)
{
	s->db->ops->reset(s);
}

void
db_stream(struct db_stmt *s)
{
	s->stream = 1;
}

void
db_rewind(struct db_stmt *s)
{
	s->db->ops->rewind(s);
}

void
db_finalize(struct db_stmt *s)
{
	if (s == NULL)
		return;
	if (s->cached) {	/* the cache's: kept until db_close() */
		s->db->ops->reset(s);
		return;
	}
	free(s->sql);
	s->db->ops->finalize(s);
}

int64_t
db_changes(struct db *db)
{
	return db->ops->changes(db);
}

int64_t
db_last_insert_id(struct db *db)
{
	return db->ops->last_id != NULL ? db->ops->last_id(db) : -1;
}

int
db_exec(struct db *db, const char *sql, char **cause)
{
	return db->ops->exec(db, sql, cause);
}

int
db_begin(struct db *db, char **cause)
{
	return db->ops->txn(db, DB_TXN_BEGIN, cause);
}

int
db_begin_rows(struct db *db, char **cause)
{
	return db->ops->txn(db, DB_TXN_BEGIN_ROWS, cause);
}

int
db_begin_read(struct db *db, char **cause)
{
	return db->ops->txn(db, DB_TXN_BEGIN_READ, cause);
}

int
db_commit(struct db *db, char **cause)
{
	return db->ops->txn(db, DB_TXN_COMMIT, cause);
}

void
db_rollback(struct db *db)
{
	if (db->ops->in_txn(db))
		db->ops->txn(db, DB_TXN_ROLLBACK, NULL);
}

int
db_in_transaction(struct db *db)
{
	return db->ops->in_txn(db);
}

/* One name, always: units do not nest. */
int
db_savepoint(struct db *db, char **cause)
{
	return db->ops->txn(db, DB_TXN_SAVEPOINT, cause);
}

int
db_release(struct db *db, char **cause)
{
	return db->ops->txn(db, DB_TXN_RELEASE, cause);
}

/* ROLLBACK TO keeps the savepoint open: RELEASE closes it. */
int
db_rollback_to(struct db *db, char **cause)
{
	if (!db->ops->in_txn(db))
		return set_error(cause, "%s: undoing a unit: the transaction "
		    "is gone", db->target);
	if (db->ops->txn(db, DB_TXN_ROLLBACK_TO, cause) != 0 ||
	    db->ops->txn(db, DB_TXN_RELEASE, cause) != 0)
		return -1;
	if (!db->ops->in_txn(db))
		return set_error(cause, "%s: undoing a unit: the transaction "
		    "is gone", db->target);
	return 0;
}

int
db_error_transient(struct db *db)
{
	return db->transient;
}

/* A channel is spliced into LISTEN and NOTIFY, which take no parameter:
 * only plain lower-case identifiers pass. */
static int
db_channel_check(struct db *db, const char *channel, char **cause)
{
	const char *p;

	if (*channel == '\0' || strlen(channel) > 63 ||
	    !(*channel == '_' || (*channel >= 'a' && *channel <= 'z')))
		goto bad;
	for (p = channel; *p != '\0'; p++)
		if (!(*p == '_' || (*p >= 'a' && *p <= 'z') ||
		    (*p >= '0' && *p <= '9')))
			goto bad;
	return 0;
bad:
	db->transient = 0;
	return set_error(cause, "%s: channel \"%s\": a channel is a lower-case "
	    "identifier", db->target, channel);
}

int
db_listen(struct db *db, const char *channel, char **cause)
{
	if (db_channel_check(db, channel, cause) != 0)
		return -1;
	return db->ops->listen(db, channel, 0, cause);
}

int
db_notify(struct db *db, const char *channel, char **cause)
{
	if (db_channel_check(db, channel, cause) != 0)
		return -1;
	return db->ops->listen(db, channel, 1, cause);
}

int
db_fd(struct db *db)
{
	return db->ops->fd(db);
}

unsigned
db_generation(struct db *db)
{
	return db->ops->generation != NULL ? db->ops->generation(db) : 1;
}

int
db_notifications(struct db *db)
{
	return db->ops->notifications(db);
}

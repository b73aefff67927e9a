/* store_backup.c - a consistent copy of the store while the daemon runs.
 *
 * The copy is made with VACUUM INTO rather than the online backup API
 * (sqlite3_backup_step):
 * - It reads one snapshot in one read transaction.  The backup API, when
 *   stepped in chunks with pauses, starts again from the first page
 *   whenever another process commits between two steps, and the daemon
 *   commits after every message it sends: during a delivery pass, the
 *   very time a backup must not miss, a chunked backup of a large store
 *   may never finish.  Pausing would not help the daemon anyway: the
 *   store is in WAL mode, where a reader never blocks a writer; a long
 *   read only holds back checkpoints, so the -wal file grows meanwhile.
 *   (One unchunked step would take one snapshot too.)
 * - It writes the live rows only, packed into new pages.  The backup API
 *   copies pages as they are, with their free space: bytes of deleted
 *   rows that secure_delete cannot reach (see store_erase.c), those of a
 *   customer forgotten before the backup among them, would live on in
 *   every backup.
 * The price is CPU: the tables and indexes are rebuilt rather than
 * copied, which for a store of this kind is seconds at most. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store_backup.h"
#include "store_schema.h"
#include "util.h"

/* Fails when path is the store itself or one of its -wal and -shm files:
 * replacing those under a running daemon would destroy the store. */
static int
backup_not_store(struct store *st, const char *path, char **cause)
{
	static const char *const suffixes[] = { "", "-wal", "-shm" };
	struct stat a, b;
	char *p;
	size_t i;
	int same;

	if (stat(path, &a) != 0)
		return 0;
	for (i = 0; i < ARRAY_SIZE(suffixes); i++) {
		p = xasprintf("%s%s", st->path, suffixes[i]);
		same = stat(p, &b) == 0 && a.st_dev == b.st_dev &&
		    a.st_ino == b.st_ino;
		free(p);
		if (same)
			return set_error(cause, "%s: is a file of the store %s "
			    "itself, not a place for its backup", path,
			    st->path);
	}
	return 0;
}

/* Creates tmp empty, mode 0600 whatever the umask (VACUUM INTO keeps the
 * mode of an empty file it writes into).  A tmp left by an interrupted
 * backup, and its journal, are removed only when replacing. */
static int
backup_create(const char *tmp, int replace, char **cause)
{
	char *journal;
	int fd;

	if (replace) {
		journal = xasprintf("%s-journal", tmp);
		unlink(journal);
		free(journal);
		unlink(tmp);
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0 && errno == EEXIST)
		return set_error(cause, "%s: exists: another backup is being "
		    "written, or one was interrupted (remove it)", tmp);
	if (fd < 0)
		return set_error(cause, "%s: cannot create: %m", tmp);
	if (fchmod(fd, 0600) != 0) {
		set_error(cause, "%s: cannot set its mode: %m", tmp);
		close(fd);
		unlink(tmp);
		return -1;
	}
	close(fd);
	return 0;
}

/* VACUUM INTO tmp.  The name is bound, never spliced into the SQL; a
 * relative one that looks like a URI is made plainly relative. */
static int
backup_copy(struct store *st, const char *tmp, char **cause)
{
	sqlite3_stmt *s;
	char *name;
	int rc;

	name = strncmp(tmp, "file:", 5) == 0 ? xasprintf("./%s", tmp) :
	    xstrdup(tmp);
	s = store_prepare(st, "VACUUM INTO ?1;", cause);
	if (s == NULL) {
		free(name);
		return -1;
	}
	store_bind_text(s, 1, name);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	free(name);
	if (rc != SQLITE_DONE)
		return set_error(cause, "%s: copying into %s: %s", st->path, tmp,
		    sqlite3_errmsg(st->db));
	return 0;
}

/* fsync(2) on the file or directory at path, and its size. */
static int
backup_sync(const char *path, long long *size, char **cause)
{
	struct stat sb;
	int fd, ok;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return set_error(cause, "%s: cannot open: %m", path);
	ok = fsync(fd) == 0 && fstat(fd, &sb) == 0;
	if (!ok)
		set_error(cause, "%s: cannot sync: %m", path);
	else if (size != NULL)
		*size = (long long)sb.st_size;
	close(fd);
	return ok ? 0 : -1;
}

/* Gives tmp its final name.  Without replace, link(2) fails rather than
 * replace a path that appeared meanwhile; a file system without hard
 * links gets a last check and rename(2).  1 when path exists. */
static int
backup_publish(const char *tmp, const char *path, int replace,
    char **cause)
{
	struct stat sb;

	if (!replace) {
		if (link(tmp, path) == 0) {
			unlink(tmp);
			return 0;
		}
		if (errno == EEXIST)
			return 1;
		if (errno != EPERM && errno != EOPNOTSUPP && errno != EMLINK)
			return set_error(cause, "%s: cannot link %s: %m", path,
			    tmp);
		if (lstat(path, &sb) == 0)
			return 1;
	}
	if (rename(tmp, path) != 0)
		return set_error(cause, "%s: cannot rename %s: %m", path, tmp);
	return 0;
}

/* The directory path is in, to sync the new name into it. */
static char *
backup_dir(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (slash == NULL)
		return xstrdup(".");
	return slash == path ? xstrdup("/") :
	    xstrndup(path, (size_t)(slash - path));
}

int
store_backup(struct store *st, const char *path, int flags,
    long long *bytes, char **cause)
{
	int replace = (flags & STORE_BACKUP_REPLACE) != 0, rc;
	char *tmp, *dir;
	struct stat sb;

	/* The database's own tool copies it consistently, with its roles
	 * and settings; a file here would be an SQLite store. */
	if (db_backend(st->conn) == DB_PG)
		return set_error(cause, "%s: a PostgreSQL store is backed up with"
		    " pg_dump (see BACKUP AND RESTORE in outreachctl(1))",
		    st->path);
	if (!replace && lstat(path, &sb) == 0)
		return 1;
	if (backup_not_store(st, path, cause) != 0)
		return -1;
	tmp = xasprintf("%s.tmp", path);
	if (backup_create(tmp, replace, cause) != 0) {
		free(tmp);
		return -1;
	}
	rc = backup_copy(st, tmp, cause);
	if (rc == 0)
		rc = backup_sync(tmp, bytes, cause);
	if (rc == 0)
		rc = backup_publish(tmp, path, replace, cause);
	if (rc != 0)
		unlink(tmp);
	if (rc == 0) {
		dir = backup_dir(path);
		rc = backup_sync(dir, NULL, cause);
		free(dir);
	}
	free(tmp);
	return rc;
}

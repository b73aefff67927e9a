/* cycle.c - the sender lock, waking its holder, and a send cycle. */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "db.h"
#include "store_lease.h"

#include "cycle.h"
#include "log.h"
#include "util.h"

/* The lock file of a store: STORE.lock in the store's real directory
 * (symbolic links and "./" resolved), so every spelling of one store
 * names one lock.  NULL with *cause when the directory is missing. */
static char *
lock_path(const char *store, char **cause)
{
	char *copy = xstrdup(store), *dir, *real, *path;
	const char *base = strrchr(store, '/') ? strrchr(store, '/') + 1 :
	    store;

	dir = dirname(copy);
	if ((real = realpath(dir, NULL)) == NULL) {
		set_error(cause, "%s: %m", dir);
		free(copy);
		return NULL;
	}
	path = xasprintf("%s/%s.lock", strcmp(real, "/") ? real : "", base);
	free(real);
	free(copy);
	return path;
}

/* The pid written in an open lock file, 0 when none can be read. */
static long
lock_pid(int fd)
{
	char buf[32];
	ssize_t n;

	n = pread(fd, buf, sizeof(buf) - 1, 0);
	buf[n > 0 ? n : 0] = '\0';
	return strtol(buf, NULL, 10);
}

int
cycle_leader_lock(struct store *st, char **cause)
{
	int rc = store_leader_lock(st, cause);

	if (rc == 0)
		set_error(cause, "another outreachd plans and queues from this "
		    "store (the leader's lock in the database is held)");
	return rc == 1 ? 0 : -1;
}

int
cycle_lock(const char *store_path, int *fd, char **cause)
{
	char *path, pid[32];
	struct sigaction sa;
	long holder;
	int n;

	*fd = -1;
	/* A PostgreSQL store is locked in the database, once open
	 * (store_leader_lock()): instances on other machines share it. */
	if (db_is_conninfo(store_path))
		return 0;
	if ((path = lock_path(store_path, cause)) == NULL)
		return -1;
	*fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0640);
	if (*fd < 0) {
		set_error(cause, "%s: %m", path);
		free(path);
		return -1;
	}
	if (flock(*fd, LOCK_EX | LOCK_NB) != 0) {
		holder = lock_pid(*fd);
		if (holder > 0)
			snprintf(pid, sizeof(pid), "%ld", holder);
		set_error(cause, "another outreachd (pid %s) is sending from "
		    "this store (%s is locked)", holder > 0 ? pid : "?", path);
		close(*fd);
		*fd = -1;
		free(path);
		return -1;
	}
	if (sigaction(SIGUSR1, NULL, &sa) == 0 && sa.sa_handler == SIG_DFL)
		signal(SIGUSR1, SIG_IGN);
	n = snprintf(pid, sizeof(pid), "%ld\n", (long)getpid());
	if (ftruncate(*fd, 0) != 0 || pwrite(*fd, pid, (size_t)n, 0) != n)
		log_warn("%s: cannot write pid: %m", path);
	free(path);
	return 0;
}

int
cycle_wake(const char *store_path, char **cause)
{
	char *path;
	long pid;
	int fd, rc = 0;

	if ((path = lock_path(store_path, NULL)) == NULL)
		return 0;	/* no directory, so no store and no daemon */
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		rc = errno == ENOENT ? 0 : set_error(cause, "%s: %m", path);
		free(path);
		return rc;
	}
	/* A shared lock we can take means nobody holds the sender lock. */
	if (flock(fd, LOCK_SH | LOCK_NB) != 0 && errno == EWOULDBLOCK &&
	    (pid = lock_pid(fd)) > 0) {
		if (kill((pid_t)pid, SIGUSR1) == 0)
			rc = 1;
		else if (errno != ESRCH)
			rc = set_error(cause, "waking outreachd (pid %ld): %m",
			    pid);
	}
	close(fd);
	free(path);
	return rc;
}

int
cycle_send(struct deliver *d, const struct tmpl_set *ts, int64_t now,
    int dry_run, const atomic_int *stop, struct send_stats *s,
    char **cause)
{
	char *why = NULL;
	int queued = 0;

	/* A queueing error does not hold back what is already queued. */
	if (ts != NULL && (queued = deliver_queue(d, ts, now, s, &why)) != 0) {
		log_err("queueing failed: %s", why);
		free(why);
	}
	if (deliver_pass(d, now, dry_run, stop, s, cause) != 0)
		return -1;
	return queued != 0 ? set_error(cause, "queueing failed") : 0;
}

/* powercut.c - an LD_PRELOAD shim that records what a power cut would
 * leave of a store: at every fsync() or fdatasync() of a file whose name
 * ends in ".db" or ".db-wal", the file's whole content (all a sync makes
 * durable) is copied to NAME.synced.  After the process is killed, the
 * test puts each NAME.synced in place of NAME: the disk as it would be
 * after the power came back.  Bytes written but never synced are lost,
 * as on a real disk cache; directory syncs are not modelled.
 *
 *   cc -shared -fPIC -o powercut.so powercut.c -ldl
 *   LD_PRELOAD=./powercut.so outreachd ... */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static pthread_mutex_t powercut_lock = PTHREAD_MUTEX_INITIALIZER;

/* 1 when path names a store file worth keeping. */
static int
watched(const char *path)
{
	size_t n = strlen(path);

	return (n > 3 && strcmp(path + n - 3, ".db") == 0) ||
	    (n > 7 && strcmp(path + n - 7, ".db-wal") == 0);
}

/* Copies the content of fd (from offset 0) to PATH.synced, atomically. */
static void
keep(int fd)
{
	char link[64], path[PATH_MAX], tmp[PATH_MAX + 16], dst[PATH_MAX + 16];
	char buf[65536];
	ssize_t n, len;
	off_t off = 0;
	int out;

	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	if ((len = readlink(link, path, sizeof(path) - 1)) <= 0)
		return;
	path[len] = '\0';
	if (!watched(path))
		return;
	snprintf(tmp, sizeof(tmp), "%s.synced.tmp", path);
	snprintf(dst, sizeof(dst), "%s.synced", path);
	pthread_mutex_lock(&powercut_lock);
	if ((out = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    0600)) >= 0) {
		while ((n = pread(fd, buf, sizeof(buf), off)) > 0) {
			if (write(out, buf, (size_t)n) != n)
				break;
			off += n;
		}
		close(out);
		rename(tmp, dst);
	}
	pthread_mutex_unlock(&powercut_lock);
}

int
fsync(int fd)
{
	static int (*real)(int);
	int rc;

	if (real == NULL)
		real = (int (*)(int))dlsym(RTLD_NEXT, "fsync");
	if ((rc = real(fd)) == 0)
		keep(fd);
	return rc;
}

int
fdatasync(int fd)
{
	static int (*real)(int);
	int rc;

	if (real == NULL)
		real = (int (*)(int))dlsym(RTLD_NEXT, "fdatasync");
	if ((rc = real(fd)) == 0)
		keep(fd);
	return rc;
}

/* tstore.h - a throw-away store file for the unit tests (header only:
 * each test is one source file).  Include after cmocka.h. */
#ifndef OUTREACHD_TSTORE_H
#define OUTREACHD_TSTORE_H

#include <stdlib.h>
#include <unistd.h>

#include "util.h"

/* A new path under /tmp for a store that does not exist yet; malloc'd. */
static inline char *
tstore_path(void)
{
	char tmpl[] = "/tmp/outreachd-test-XXXXXX";
	int fd = mkstemp(tmpl);

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

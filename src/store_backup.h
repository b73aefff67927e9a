/* store_backup.h - a consistent copy of the store, taken while the daemon
 * runs; restoring it is a file copy with the daemon stopped (README.md,
 * outreachctl(1)). */
#ifndef OUTREACHD_STORE_BACKUP_H
#define OUTREACHD_STORE_BACKUP_H

#include "store.h"

#define STORE_BACKUP_REPLACE 0x1	/* an existing file is replaced */

/* Writes a copy of the store as it was at one instant to path, mode 0600:
 * first to path.tmp, synced, then renamed, so path is either absent or a
 * whole copy.  Returns 0 with the copy's size in *bytes (when not NULL),
 * 1 when path exists and flags lack STORE_BACKUP_REPLACE (nothing is
 * written), -1 with a reason in *cause. */
int store_backup(struct store *st, const char *path, int flags,
    long long *bytes, char **cause);

#endif

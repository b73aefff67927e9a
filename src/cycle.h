/* cycle.h - the work both programs do on a store on the daemon's behalf:
 * hold the sender lock, plan (a scan) and run a queue and delivery pass;
 * and wake a running daemon so that what an admin just changed is acted
 * on at once, not at the next scan_interval.  outreachd loops over these;
 * outreachctl's scan and send run them once. */
#ifndef OUTREACHD_CYCLE_H
#define OUTREACHD_CYCLE_H

#include <stdatomic.h>
#include <stdint.h>

#include "conf.h"
#include "deliver.h"
#include "metrics.h"
#include "store.h"
#include "tmpl_set.h"

/* Takes the sender lock of the store at store_path: an flock on
 * STORE.lock beside the store's real path, holding the owner's pid, so
 * two processes with different configurations, state directories or
 * spellings of the path still cannot send from one store at once.  *fd
 * stays open while it is held.  -1 with the holder's pid in *cause when
 * another process has it.  The holder is woken with SIGUSR1
 * (cycle_wake): a process without a handler for it ignores it from here
 * on, so a wake never kills a one-off send.  A PostgreSQL store (libpq
 * conninfo) takes no file: its lock is the database's, taken once it is
 * open (store_leader_lock(), cycle_leader_lock()). */
int cycle_lock(const char *store_path, int *fd, char **cause);
/* The database's leader lock of an open store (store_lease.h), or its
 * holder's error: 0, or -1 with *cause. */
int cycle_leader_lock(struct store *st, char **cause);
/* Wakes the process holding the sender lock of the store (SIGUSR1): 1
 * when one was woken, 0 when none runs, -1 on error (*cause). */
int cycle_wake(const char *store_path, char **cause);

/* One scan: tiers when due, then planning from the last planned day (or
 * the grace window) through tomorrow. */
int cycle_scan(const struct conf *cf, struct store *st, int64_t now,
    char **cause);
/* Queues the planned messages with the templates ts (NULL: queues
 * nothing), then one delivery pass (dry_run: sends and writes nothing);
 * *stop (may be NULL) ends the pass early.  Adds to *s. */
int cycle_send(struct deliver *d, const struct tmpl_set *ts, int64_t now,
    int dry_run, const atomic_int *stop, struct send_stats *s,
    char **cause);

#endif

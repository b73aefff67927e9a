/* store_lease.h - duties held by one instance at a time among the daemons
 * sharing a store (planning, tier recompute, digests), with a lease that
 * the holder renews and another instance takes over once it has run out.
 * The fence rises with every new holder, so work stamped with an older
 * fence is known to be a former leader's. */
#ifndef OUTREACHD_STORE_LEASE_H
#define OUTREACHD_STORE_LEASE_H

#include <stdint.h>

#include "store.h"

/* Takes or renews the lease `name` for holder until now + ttl seconds:
 * 1 when holder holds it (*fence, may be NULL, gets its fence), 0 when
 * another instance holds an unexpired lease, -1 with *cause. */
int store_lease_take(struct store *st, const char *name, const char *holder,
    int64_t now, int ttl, int64_t *fence, char **cause);
/* Gives the lease up at once, if holder holds it (a clean stop): 0, or
 * -1 with *cause. */
int store_lease_drop(struct store *st, const char *name, const char *holder,
    char **cause);

/* The leader's lock: one instance at a time plans, recomputes tiers,
 * sends digests and queues messages from a store (every instance sends
 * what is queued: store_outbox_claim()).  On SQLite the daemon's lock
 * file (cycle.c) is that lock, one process does everything, and this
 * holds nothing.  On PostgreSQL it is a session advisory lock on
 * st's connection, which a connection made anew has lost: each call
 * checks that it still holds it and takes it again if need be.  1 held,
 * 0 another instance holds it, -1 with *cause. */
int store_leader_lock(struct store *st, char **cause);

/* Wake-ups between the instances of a PostgreSQL store (LISTEN/NOTIFY on
 * one channel); with SQLite a daemon is woken with a signal instead
 * (cycle_wake()) and these do nothing.  store_wake_send() wakes every
 * instance listening (at the commit, inside a transaction);
 * store_wake_listen() listens on st's connection, whose socket
 * store_wake_fd() gives (-1: none) to poll; store_wake_pending() reads
 * what came and says whether a wake-up did (or may have: the connection
 * was lost meanwhile).  0, or -1 with *cause. */
int store_wake_send(struct store *st, char **cause);
int store_wake_listen(struct store *st, char **cause);
int store_wake_fd(struct store *st);
int store_wake_pending(struct store *st);

#endif

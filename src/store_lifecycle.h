/* store_lifecycle.h - the daemon's daily lifecycle counts (lifecycle.h's
 * states by day, tier and rep, table lifecycle_days). */
#ifndef OUTREACHD_STORE_LIFECYCLE_H
#define OUTREACHD_STORE_LIFECYCLE_H

#include <stdint.h>

#include "store.h"

/* One count: customers of a tier and rep ("" for none) in a state. */
struct lifecycle_count {
	int32_t day;
	char tier;
	const char *rep;
	const char *state;
	long customers;
	int reconstructed;	/* made from the purchases, not counted then */
};
/* Writes (replaces) a count. */
int store_lifecycle_put(struct store *st, const struct lifecycle_count *c,
    char **cause);
/* 1 when any count was ever recorded, 0 when none, -1 on error. */
int store_lifecycle_recorded(struct store *st, char **cause);
typedef int (*lifecycle_count_cb)(void *arg, const struct lifecycle_count *c);
/* The latest day counted by the daemon (not reconstructed), summed over
 * the reps (rep NULL), by tier and state. */
int store_lifecycle_latest(struct store *st, lifecycle_count_cb cb,
    void *arg, char **cause);
/* 1 and *day: the earliest purchase's day; 0 when there is none. */
int store_purchase_first_day(struct store *st, int32_t *day, char **cause);

#endif

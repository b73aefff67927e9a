/* tiers.h - A/B/C tiers from purchases over a trailing window, and each
 * customer's own sleeping threshold (k x median interval between
 * purchases).  Run daily by the daemon and by `outreachctl tiers
 * recompute`. */
#ifndef OUTREACHD_TIERS_H
#define OUTREACHD_TIERS_H

#include <stdint.h>

#include "conf.h"
#include "store.h"

struct tiers_result {
	unsigned long customers;
	unsigned long count[3]; /* A, B, C */
	unsigned long changed;
	unsigned long personal_sleep; /* customers with their own threshold */
};

/* Recomputes every customer's computed tier as of `today` in one
 * transaction; changes are recorded with that day. */
int tiers_recompute(struct store *st, const struct conf *cf, int32_t today,
    struct tiers_result *res, char **cause);

#endif

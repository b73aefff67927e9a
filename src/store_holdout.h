/* store_holdout.h - the customers a message rule held out (holdout.h),
 * one row per planned message not sent, under the message's dedup key. */
#ifndef OUTREACHD_STORE_HOLDOUT_H
#define OUTREACHD_STORE_HOLDOUT_H

#include <stdint.h>

#include "store.h"

/* Records that the rule held the customer out on day: 1 recorded, 0 when
 * the dedup key was recorded already, -1 on error. */
int store_holdout_add(struct store *st, const char *dedup_key,
    const char *rule, int64_t customer_id, int32_t day, int64_t now,
    char **cause);

#endif

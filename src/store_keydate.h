/* store_keydate.h - customers' key dates in the store: written by
 * `import dates`, read with the customer (customer.h), found by the
 * planner through the index of their day, and listed for a rep's birthday
 * calendar. */
#ifndef OUTREACHD_STORE_KEYDATE_H
#define OUTREACHD_STORE_KEYDATE_H

#include <stddef.h>
#include <stdint.h>

#include "keydate.h"
#include "store.h"
#include "store_plan.h"

/* What store_keydate_set() did. */
enum store_keydate_change {
	KEYDATE_UNCHANGED,
	KEYDATE_ADDED,
	KEYDATE_UPDATED,
};

/* Sets the customer's key date k->label to k->date and k->yearly,
 * replacing one of the same label; the customer's update time moves only
 * when something changed.  Returns an enum store_keydate_change, or -1. */
int store_keydate_set(struct store *st, int64_t customer_id,
    const struct keydate *k, int64_t now, char **cause);
/* Removes the customer's key date `label`: 1 removed, 0 none, -1. */
int store_keydate_delete(struct store *st, int64_t customer_id,
    const char *label, int64_t now, char **cause);
/* The customer's key dates, by label, into c->keydates. */
int store_keydates_read(struct store *st, struct customer *c, char **cause);

/* Which index the planner asks (keydate.h's keys). */
enum store_keydate_query {
	KQ_MD,		/* args: up to 4 month*100+day keys */
	KQ_LUNAR,	/* args: up to 4 lunar keys */
	KQ_DAY,		/* args: the day of a once-only key date */
	KQ_COUNT
};

/* Calls cb for each customer with a key date `label` at one of the keys,
 * with kd_label, kd_date and kd_yearly set (in customer id order). */
int store_keydate_due(struct store *st, enum store_keydate_query q,
    const char *label, const int64_t *keys, size_t nkeys, plan_cand_cb cb,
    void *arg, char **cause);

/* A key date of one of a rep's customers, for the birthday calendar.
 * Strings are the store's, valid during the callback. */
struct store_keydate_row {
	int64_t id;		/* the key date's */
	const char *label;
	const char *date;
	int yearly;
	const char *customer;	/* name */
	const char *phone;
	char tier;
	int64_t modified;	/* the newer of customer and key date */
};
typedef int (*store_keydate_cb)(void *arg, const struct store_keydate_row *r);
/* Each key date of the rep's customers, by customer and label. */
int store_keydate_each_rep(struct store *st, const char *rep,
    store_keydate_cb cb, void *arg, char **cause);

#endif

/* store_rep.h - what the rep's loop asks of the store beyond store.h's
 * reps: handing a leaving rep's customers to another, and counting each
 * rep's open and overdue tasks. */
#ifndef OUTREACHD_STORE_REP_H
#define OUTREACHD_STORE_REP_H

#include <stdint.h>

#include "store.h"

/* What rep reassign moved. */
struct store_reassign {
	long customers;
	long open_tasks;
	int token_revoked;	/* old had a feed token */
};

/* In one transaction: every customer of rep `from` goes to rep `to`
 * with their open tasks (which are the customer's), those tasks marked
 * changed at now (counted without the ones merged into another), and
 * from's feed token is revoked.  1 done, 0 when
 * either rep is unknown, -1 on error. */
int store_rep_reassign(struct store *st, const char *from, const char *to,
    int64_t now, struct store_reassign *out, char **cause);

/* A rep with its task counts: open tasks and those due before today. */
struct store_rep_load {
	const struct store_rep *rep;
	long open_tasks;
	long overdue_tasks;
	long customers;
};
typedef int (*store_rep_load_cb)(void *arg, const struct store_rep_load *l);
/* Every rep, by key, with its counts on `today`. */
int store_rep_loads(struct store *st, int32_t today, store_rep_load_cb cb,
    void *arg, char **cause);

#endif

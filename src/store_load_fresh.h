/* store_load_fresh.h - the first load into an empty customers table on
 * PostgreSQL: constraints and indexes set aside, then rebuilt. */
#ifndef STORE_LOAD_FRESH_H
#define STORE_LOAD_FRESH_H

#include <stdint.h>

struct store;
struct store_fresh;

/* When customers has no row, drops the foreign keys of customers and
 * customer_attrs and customers' plain indexes, keeping their definitions:
 * *out is then set, else NULL.  Inside the caller's transaction, which
 * holds customers, customer_attrs and reps exclusively from here to its
 * end.  0, or -1. */
int store_fresh_begin(struct store *st, struct store_fresh **out,
    char **cause);
/* Reserves n (> 0) customer ids, base + 1 to base + n, from the identity
 * sequence: while customers is locked no other insert takes one. */
int store_fresh_ids(struct store_fresh *f, int64_t n, int64_t *base,
    char **cause);
/* Builds the indexes and adds the constraints again (each foreign key
 * checked by one query over the table), then frees f.  0, or -1. */
int store_fresh_end(struct store_fresh *f, char **cause);
/* Frees f without rebuilding (the transaction is rolled back). */
void store_fresh_free(struct store_fresh *f);

#endif

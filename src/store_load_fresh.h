/* store_load_fresh.h - the first load into an empty customers table on
 * PostgreSQL: the rows straight into the tables by COPY, constraints and
 * indexes set aside, then rebuilt. */
#ifndef STORE_LOAD_FRESH_H
#define STORE_LOAD_FRESH_H

#include <stdint.h>

#include "store.h"

struct customer;
struct customer_keys;
struct store_fresh;

/* When customers has no row: locks customers, customer_attrs and reps
 * until the caller's transaction ends, drops the foreign keys of the
 * first two and customers' plain indexes (keeping their definitions),
 * and starts the COPY into customers; *out is then set, else NULL (a
 * role that does not own the tables, or another transaction holding
 * them past the lock timeout: the caller stages and merges).  attrs
 * (nattrs names) stays the caller's and must outlive *out; now stamps
 * the rows.  Until store_fresh_check() the connection runs the COPY and
 * nothing else.  0, or -1. */
int store_fresh_begin(struct store *st, const char *const *attrs,
    size_t nattrs, int64_t now, struct store_fresh **out, char **cause);
/* One valid row, given the file's row number (increasing); attrs: its
 * value of each attribute, NULL for none.  1 when its rep is not in the
 * store (the row is not loaded), 0, or -1. */
int store_fresh_add(struct store_fresh *f, unsigned long row,
    const struct customer *c, const struct customer_keys *keys,
    const char *const *attrs, char **cause);
/* Ends the COPY, loads the attributes and adds the key of external_id
 * again: when rows share a key, calls cb for each but the first, in row
 * order.  How many, or -1. */
int store_fresh_check(struct store_fresh *f, store_load_dup_fn cb,
    void *arg, char **cause);
/* After a check that found none: builds the indexes and adds the
 * constraints again (each foreign key checked by one query over the
 * table), the identity sequence past the new ids; *added: the rows.
 * 0, or -1. */
int store_fresh_end(struct store_fresh *f, unsigned long *added,
    char **cause);
/* Frees f (NULL is fine); a rebuild not done is left to the rollback. */
void store_fresh_free(struct store_fresh *f);

#endif

/* store.h - the customer store.  The store_*.c files are the only code that
 * speaks SQL, so another backend can replace them behind this header.
 *
 * Dates cross this interface as day numbers (days since 1970-01-01) and
 * instants as unix seconds; the caller decides what "today" is.  Strings
 * returned inside structs are owned by those structs (see customer.h). */
#ifndef OUTREACHD_STORE_H
#define OUTREACHD_STORE_H

#include <stdint.h>

#include "customer.h"

struct store;

#define STORE_SCHEMA_VERSION 22

/* Opens (creating if needed) the store at path and applies every pending
 * migration.  Returns -1 with a reason in *cause. */
int store_open(const char *path, struct store **out, char **cause);
/* The file holding the password of PostgreSQL stores ("%d/NAME": a
 * systemd credential; NULL: none), for every store_open() after; copied.
 * Set once, from the configuration, before the first open. */
void store_set_password_file(const char *path);
/* The same for a store that must exist already: a missing file is an
 * error ("no store here"), never a new empty store. */
int store_open_existing(const char *path, struct store **out,
    char **cause);
void store_close(struct store *st);
int store_schema_version(struct store *st);
/* For tests: open without migrating, then migrate to `version` only. */
int store_open_raw(const char *path, struct store **out, char **cause);
int store_migrate(struct store *st, int version, char **cause);

/* One write transaction; store_rollback() is safe after a failed commit. */
int store_begin(struct store *st, char **cause);
int store_commit(struct store *st, char **cause);
/* A write transaction of row-level statements that other writers may
 * run beside (db_begin_rows()): delivery's claims and verdicts. */
int store_begin_rows(struct store *st, char **cause);
void store_rollback(struct store *st);
/* A read transaction: the queries between see one snapshot and share
 * its lock.  store_read_end() ends it (and is harmless when none runs). */
int store_read_begin(struct store *st, char **cause);
void store_read_end(struct store *st);
/* A unit inside the open transaction (one level): after
 * store_unit_begin() its changes are kept with store_unit_keep() or
 * undone alone with store_unit_undo(), the rest of the transaction
 * untouched.  store_unit_undo() returns 0, or -1 when the transaction
 * itself is gone: SQLite rolls the whole of it back after some errors
 * (I/O, a full disk), and units kept before are lost with it. */
int store_unit_begin(struct store *st, char **cause);
int store_unit_keep(struct store *st, char **cause);
int store_unit_undo(struct store *st);
/* A bulk load of values checked by the caller, inside a transaction: a
 * page cache of STORE_BULK_CACHE_KB, whatever the size of the load, the
 * schema's CHECK constraints off and foreign keys checked at the commit;
 * off returns to the defaults. */
#define STORE_BULK_CACHE_KB 32768
void store_bulk(struct store *st, int on);
/* In a bulk load into an empty customers table (a new store's first
 * import), the indexes whose entries arrive in no order (the phone's)
 * are dropped, inside the transaction, and built again by
 * store_bulk_finish() from one sorted pass over the table.  SQLite only
 * (elsewhere nothing is deferred); 1 deferred, 0 not (the table has rows),
 * -1 on error.  A rollback brings the indexes back with the rest. */
int store_bulk_defer(struct store *st, char **cause);
/* Before the transaction of a bulk load into an empty customers table:
 * turns the connection's foreign keys off (SQLite only; they cannot be
 * changed inside a transaction); store_bulk_finish() checks them over
 * customers and customer_attrs, store_bulk(st, 0) turns them on again.
 * 0, or -1. */
int store_bulk_unchecked(struct store *st, char **cause);
/* Checks what store_bulk_unchecked() did not and builds what
 * store_bulk_defer() dropped, before the commit. */
int store_bulk_finish(struct store *st, char **cause);

/* Reps. */
struct store_rep {
	int64_t id;
	char *key;
	char *name;
	char *email;
	char *phone;
	char *timezone;	/* NULL: the configured one */
	char *locale;	/* "zh_CN", "en"...; NULL: the configured one */
	int digest;	/* opted in to the morning digest */
};
void store_rep_clear(struct store_rep *r);
/* Makes *dst a deep copy of *src (every field; the caller clears it). */
void store_rep_copy(struct store_rep *dst, const struct store_rep *src);
int store_rep_upsert(struct store *st, const struct store_rep *r, char **cause);
/* 1 and *r filled when found, 0 when not, -1 on error. */
int store_rep_get(struct store *st, const char *key, struct store_rep *r,
    char **cause);
typedef int (*store_rep_cb)(void *arg, const struct store_rep *r);
int store_rep_each(struct store *st, store_rep_cb cb, void *arg, char **cause);

/* What writing a record imported again did. */
enum store_change {
	STORE_SAME,	/* the store had it as it is: nothing written */
	STORE_ADDED,
	STORE_UPDATED,
};

/* Customers.  `present` is a bit mask (1 << enum cust_field) of the fields
 * to write; the others keep their stored value (a new customer gets NULL).
 * Attributes in c->attrs are written (an empty or NULL value deletes one);
 * other attributes are kept.  *id receives the customer's id. */
int store_customer_upsert(struct store *st, const struct customer *c,
    const struct customer_keys *keys, unsigned present, int64_t now,
    int64_t *id, char **cause);
/* The same, saying in *what whether the customer was added, updated, or
 * already held every value given (then nothing is written: updated_at,
 * which starts the stale clock, moves only when something changed). */
int store_customer_merge(struct store *st, const struct customer *c,
    const struct customer_keys *keys, unsigned present, int64_t now,
    int64_t *id, enum store_change *what, char **cause);

/* 1 found, 0 not found, -1 error. */
/* Customers merged in bulk (store_customer_load.c), the import on
 * PostgreSQL: store_customer_merge()'s outcome for every row, in a few
 * statements over a temporary table filled by COPY, with no round trip
 * per row; a first import into an empty table straight into the tables
 * (store_load_fresh.c: they are locked from store_load_begin() on).
 * Inside the caller's transaction.  present: the fields the file has;
 * attrs: its attribute columns (names copied); now: the rows' time.  On
 * SQLite *out is NULL: the row-by-row merge is the fast way there (a
 * temporary table would be written, then read, for nothing).  Between
 * store_load_begin() and store_load_duplicates() the connection runs the
 * COPY and nothing else. */
struct store_load;
int store_load_begin(struct store *st, unsigned present,
    const char *const *attrs, size_t nattrs, int64_t now,
    struct store_load **out, char **cause);
/* One valid row (rows in increasing order); its attributes by name, an
 * empty one deleted.  0; 1 when its rep is not in the store (a first
 * import reads them under its lock: the row is not loaded); or -1. */
int store_load_add(struct store_load *l, unsigned long row,
    const struct customer *c, const struct customer_keys *keys,
    char **cause);
/* Calls cb for each row whose external_id an earlier row has, in row
 * order; returns how many, or -1. */
typedef void (*store_load_dup_fn)(void *arg, unsigned long row,
    const char *external_id);
int store_load_duplicates(struct store_load *l, store_load_dup_fn cb,
    void *arg, char **cause);
/* Then calls cb for each row whose rep the store does not have, in row
 * order; the others are kept until the commit.  Returns how many, or
 * -1. */
int store_load_reps(struct store_load *l, store_load_dup_fn cb, void *arg,
    char **cause);
/* Then merges the rows (keys unique) and counts what it did. */
int store_load_merge(struct store_load *l, int64_t now, unsigned long *added,
    unsigned long *updated, unsigned long *same, char **cause);
void store_load_free(struct store_load *l);
int store_customer_get(struct store *st, const char *external_id,
    struct customer *c, char **cause);
struct store_customer_filter {
	const char *tier; /* effective tier, NULL = any */
	const char *rep;  /* rep key, NULL = any */
	long limit;	  /* 0 = no limit */
	int stale;	  /* only records flagged for refresh */
};
typedef int (*store_customer_cb)(void *arg, const struct customer *c);
/* Calls cb for each matching customer in external_id order; a non-zero
 * return from cb stops the walk and is returned. */
int store_customer_each(struct store *st, const struct store_customer_filter *f,
    store_customer_cb cb, void *arg, char **cause);
/* Deletes the customer and its whole history (privacy requests) and marks
 * the erase pending: copies remain in the files until store_erase_finish()
 * succeeds.  1 deleted, 0 no such customer, -1 error. */
int store_customer_forget(struct store *st, const char *external_id,
    char **cause);
/* 1 when an erase is pending (copies of deleted rows may still be in the
 * store's free space or write-ahead log), 0 when not, -1 on error. */
int store_erase_pending(struct store *st, char **cause);
/* Finishes a pending erase: VACUUM rewrites the store without free space,
 * then a TRUNCATE checkpoint waits up to wait_ms for other connections to
 * stop reading older snapshots, copies the log into the store and empties
 * it.  0 done (or nothing pending); 1 when another process still reads
 * (the erase stays pending; *cause says so and names its pid when Linux
 * tells); -1 on error. */
int store_erase_finish(struct store *st, int wait_ms, char **cause);
/* 1 and *id when found, 0 when not. */
int store_customer_id(struct store *st, const char *external_id, int64_t *id,
    char **cause);

/* The opt_out value of a customer by id: 1 found, 0 gone, -1 error. */
int store_customer_optout(struct store *st, int64_t id, char **optout,
    char **cause);
/* Replaces a customer's opt_out value (NULL clears it) and updated_at. */
int store_customer_optout_set(struct store *st, int64_t id,
    const char *optout, int64_t now, char **cause);
/* The ids of every customer whose phone is `phone` (E.164); *ids is
 * malloc'd (NULL when none). */
int store_customer_ids_by_phone(struct store *st, const char *phone,
    int64_t **ids, size_t *n, char **cause);

/* History.  Inserting keeps each customer's last contact and first/last
 * purchase up to date (the store derives them). */
int store_purchase_add(struct store *st, int64_t customer_id,
    int64_t amount_minor, int32_t day, char **cause);
int store_contact_add(struct store *st, int64_t customer_id, int64_t rep_id,
    int32_t day, const char *kind, const char *note, char **cause);

/* A purchase imported, once: with an order id, the customer's purchase
 * of that order is updated when its amount or day differ (or, when there
 * is none, a purchase without an order id of the same day and amount
 * takes the id); without one, a purchase of the same day and amount is
 * the same purchase.  Otherwise it is added.  Returns a store_change, or
 * -1 on error. */
int store_purchase_merge(struct store *st, int64_t customer_id,
    const char *order_id, int64_t amount_minor, int32_t day, char **cause);
/* A contact imported, once: one the same in customer, day, kind, rep and
 * note is there already.  rep_id 0 is none; note NULL is none.  Returns a
 * store_change, or -1. */
int store_contact_merge(struct store *st, int64_t customer_id, int64_t rep_id,
    int32_t day, const char *kind, const char *note, char **cause);

struct store_count {
	char *key; /* group name, "" for none */
	long count;
};
struct store_stats {
	long customers;
	long with_birthday;
	long without_birthday;
	long opted_out_email;
	long opted_out_sms;
	long opted_out_all;
	long purchases;
	long contacts;
	struct store_count *by_tier;
	size_t nby_tier;
	struct store_count *by_rep;
	size_t nby_rep;
};
int store_stats(struct store *st, struct store_stats *s, char **cause);
void store_stats_clear(struct store_stats *s);

#endif

/* store_history.c - purchases and contacts: added by the rep's hand, or
 * imported, where the same history may come twice and must count once. */
#include <stdlib.h>
#include <string.h>

#include "store.h"
#include "store_schema.h"
#include "util.h"

int
store_purchase_add(struct store *st, int64_t customer_id,
    int64_t amount_minor, int32_t day, char **cause)
{
	sqlite3_stmt *s;

	s = store_cached(st, STMT_PURCHASE_ADD, "INSERT INTO purchases "
	    "(customer_id, amount, day) VALUES (?1, ?2, ?3);", cause);
	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, customer_id);
	sqlite3_bind_int64(s, 2, amount_minor);
	sqlite3_bind_int(s, 3, day);
	if (sqlite3_step(s) != SQLITE_DONE)
		return store_fail(st, "saving purchase", cause);
	return 0;
}

int
store_contact_add(struct store *st, int64_t customer_id, int64_t rep_id,
    int32_t day, const char *kind, const char *note, char **cause)
{
	sqlite3_stmt *s;

	s = store_cached(st, STMT_CONTACT_ADD, "INSERT INTO contacts "
	    "(customer_id, rep_id, day, kind, note) VALUES (?1, ?2, ?3, ?4, ?5);",
	    cause);
	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, customer_id);
	if (rep_id > 0)
		sqlite3_bind_int64(s, 2, rep_id);
	sqlite3_bind_int(s, 3, day);
	store_bind_text(s, 4, kind);
	store_bind_text(s, 5, note);
	if (sqlite3_step(s) != SQLITE_DONE)
		return store_fail(st, "saving contact", cause);
	return 0;
}

/* Runs a cached lookup bound by the caller: 1 and the first two columns
 * of its first row, 0 when it has none, -1 on error. */
static int
lookup(struct store *st, sqlite3_stmt *s, int64_t *a, int64_t *b,
    char **cause)
{
	int rc = sqlite3_step(s);

	if (rc == SQLITE_ROW) {
		*a = sqlite3_column_int64(s, 0);
		*b = sqlite3_column_int64(s, 1);
	}
	sqlite3_reset(s);
	if (rc == SQLITE_ROW || rc == SQLITE_DONE)
		return rc == SQLITE_ROW;
	return store_fail(st, "reading history", cause);
}

/* The customer's purchase of order_id: 1 and its id, amount and day. */
static int
purchase_by_order(struct store *st, int64_t customer_id,
    const char *order_id, int64_t *id, int64_t *amount, int32_t *day,
    char **cause)
{
	sqlite3_stmt *s;
	int rc;

	s = store_cached(st, STMT_PURCHASE_BY_ORDER, "SELECT id, amount, day"
	    " FROM purchases WHERE customer_id = ?1 AND order_id = ?2;", cause);
	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, customer_id);
	store_bind_text(s, 2, order_id);
	if ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		*id = sqlite3_column_int64(s, 0);
		*amount = sqlite3_column_int64(s, 1);
		*day = sqlite3_column_int(s, 2);
	}
	sqlite3_reset(s);
	if (rc == SQLITE_ROW || rc == SQLITE_DONE)
		return rc == SQLITE_ROW;
	return store_fail(st, "reading purchases", cause);
}

/* Rewrites purchase id (the trigger purchases_rederive follows a day). */
static int
purchase_set(struct store *st, int64_t id, const char *order_id,
    int64_t amount, int32_t day, char **cause)
{
	sqlite3_stmt *s;

	s = store_cached(st, STMT_PURCHASE_SET, "UPDATE purchases SET"
	    " order_id = ?2, amount = ?3, day = ?4 WHERE id = ?1;", cause);
	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, id);
	store_bind_text(s, 2, order_id);
	sqlite3_bind_int64(s, 3, amount);
	sqlite3_bind_int(s, 4, day);
	if (sqlite3_step(s) != SQLITE_DONE)
		return store_fail(st, "saving purchase", cause);
	return STORE_UPDATED;
}

int
store_purchase_merge(struct store *st, int64_t customer_id,
    const char *order_id, int64_t amount, int32_t day, char **cause)
{
	sqlite3_stmt *s;
	int64_t id = 0, a = 0, no_order;
	int32_t d = 0;
	int rc;

	if (order_id != NULL) {
		rc = purchase_by_order(st, customer_id, order_id, &id, &a, &d,
		    cause);
		if (rc != 0)
			return rc < 0 ? -1 : a == amount && d == day ?
			    STORE_SAME : purchase_set(st, id, order_id, amount,
			    day, cause);
	}
	/* With an order id only a purchase without one can be the same. */
	s = store_cached(st, STMT_PURCHASE_SAME, "SELECT id, order_id IS NULL"
	    " FROM purchases WHERE customer_id = ?1 AND day = ?2 AND amount ="
	    " ?3 AND (?4 IS NULL OR order_id IS NULL) LIMIT 1;", cause);
	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, customer_id);
	sqlite3_bind_int(s, 2, day);
	sqlite3_bind_int64(s, 3, amount);
	store_bind_text(s, 4, order_id);
	if ((rc = lookup(st, s, &id, &no_order, cause)) < 0)
		return -1;
	if (rc == 1)
		return order_id == NULL ? STORE_SAME : purchase_set(st, id,
		    order_id, amount, day, cause);
	s = store_cached(st, STMT_PURCHASE_ORDER_ADD, "INSERT INTO purchases"
	    " (customer_id, amount, day, order_id) VALUES (?1, ?2, ?3, ?4);",
	    cause);
	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, customer_id);
	sqlite3_bind_int64(s, 2, amount);
	sqlite3_bind_int(s, 3, day);
	store_bind_text(s, 4, order_id);
	if (sqlite3_step(s) != SQLITE_DONE)
		return store_fail(st, "saving purchase", cause);
	return STORE_ADDED;
}

int
store_contact_merge(struct store *st, int64_t customer_id, int64_t rep_id,
    int32_t day, const char *kind, const char *note, char **cause)
{
	sqlite3_stmt *s;
	int64_t a, b;
	int rc;

	s = store_cached(st, STMT_CONTACT_SAME, "SELECT id, 0 FROM contacts"
	    " WHERE customer_id = ?1 AND day = ?2 AND kind = ?3 AND rep_id IS"
	    " ?4 AND note IS ?5 LIMIT 1;", cause);
	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, customer_id);
	sqlite3_bind_int(s, 2, day);
	store_bind_text(s, 3, kind);
	if (rep_id > 0)
		sqlite3_bind_int64(s, 4, rep_id);
	store_bind_text(s, 5, note);
	if ((rc = lookup(st, s, &a, &b, cause)) != 0)
		return rc < 0 ? -1 : STORE_SAME;
	if (store_contact_add(st, customer_id, rep_id, day, kind, note,
	    cause) != 0)
		return -1;
	return STORE_ADDED;
}

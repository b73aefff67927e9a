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
	struct db_stmt *s;

	s = store_stmt(st, STMT_PURCHASE_ADD, "INSERT INTO purchases "
	    "(customer_id, amount, day) VALUES (?1, ?2, ?3);", cause);
	if (s == NULL)
		return -1;
	db_bind_int64(s, 1, customer_id);
	db_bind_int64(s, 2, amount_minor);
	db_bind_int64(s, 3, day);
	return store_run(s, cause);
}

int
store_contact_add(struct store *st, int64_t customer_id, int64_t rep_id,
    int32_t day, const char *kind, const char *note, char **cause)
{
	struct db_stmt *s;

	s = store_stmt(st, STMT_CONTACT_ADD, "INSERT INTO contacts "
	    "(customer_id, rep_id, day, kind, note) VALUES (?1, ?2, ?3, ?4, ?5);",
	    cause);
	if (s == NULL)
		return -1;
	db_bind_int64(s, 1, customer_id);
	if (rep_id > 0)
		db_bind_int64(s, 2, rep_id);
	db_bind_int64(s, 3, day);
	db_bind_text(s, 4, kind);
	db_bind_text(s, 5, note);
	return store_run(s, cause);
}

/* Runs a cached lookup bound by the caller: 1 and the first two columns
 * of its first row, 0 when it has none, -1 on error. */
static int
lookup(struct db_stmt *s, int64_t *a, int64_t *b, char **cause)
{
	int rc = db_step(s, cause);

	if (rc == DB_ROW) {
		*a = db_column_int64(s, 0);
		*b = db_column_int64(s, 1);
	}
	db_reset(s);
	return rc == DB_ERROR ? -1 : rc == DB_ROW;
}

/* The customer's purchase of order_id: 1 and its id, amount and day. */
static int
purchase_by_order(struct store *st, int64_t customer_id,
    const char *order_id, int64_t *id, int64_t *amount, int32_t *day,
    char **cause)
{
	struct db_stmt *s;
	int rc;

	s = store_stmt(st, STMT_PURCHASE_BY_ORDER, "SELECT id, amount, day"
	    " FROM purchases WHERE customer_id = ?1 AND order_id = ?2;", cause);
	if (s == NULL)
		return -1;
	db_bind_int64(s, 1, customer_id);
	db_bind_text(s, 2, order_id);
	if ((rc = db_step(s, cause)) == DB_ROW) {
		*id = db_column_int64(s, 0);
		*amount = db_column_int64(s, 1);
		*day = (int32_t)db_column_int64(s, 2);
	}
	db_reset(s);
	return rc == DB_ERROR ? -1 : rc == DB_ROW;
}

/* Rewrites purchase id (the trigger purchases_rederive follows a day). */
static int
purchase_set(struct store *st, int64_t id, const char *order_id,
    int64_t amount, int32_t day, char **cause)
{
	struct db_stmt *s;

	s = store_stmt(st, STMT_PURCHASE_SET, "UPDATE purchases SET"
	    " order_id = ?2, amount = ?3, day = ?4 WHERE id = ?1;", cause);
	if (s == NULL)
		return -1;
	db_bind_int64(s, 1, id);
	db_bind_text(s, 2, order_id);
	db_bind_int64(s, 3, amount);
	db_bind_int64(s, 4, day);
	return store_run(s, cause) == 0 ? STORE_UPDATED : -1;
}

int
store_purchase_merge(struct store *st, int64_t customer_id,
    const char *order_id, int64_t amount, int32_t day, char **cause)
{
	struct db_stmt *s;
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
	s = store_stmt(st, STMT_PURCHASE_SAME, "SELECT id, CASE WHEN order_id"
	    " IS NULL THEN 1 ELSE 0 END FROM purchases WHERE customer_id = ?1"
	    " AND day = ?2 AND amount = ?3 AND (CAST(?4 AS TEXT) IS NULL OR"
	    " order_id IS NULL) LIMIT 1;", cause);
	if (s == NULL)
		return -1;
	db_bind_int64(s, 1, customer_id);
	db_bind_int64(s, 2, day);
	db_bind_int64(s, 3, amount);
	db_bind_text(s, 4, order_id);
	if ((rc = lookup(s, &id, &no_order, cause)) < 0)
		return -1;
	if (rc == 1)
		return order_id == NULL ? STORE_SAME : purchase_set(st, id,
		    order_id, amount, day, cause);
	s = store_stmt(st, STMT_PURCHASE_ORDER_ADD, "INSERT INTO purchases"
	    " (customer_id, amount, day, order_id) VALUES (?1, ?2, ?3, ?4);",
	    cause);
	if (s == NULL)
		return -1;
	db_bind_int64(s, 1, customer_id);
	db_bind_int64(s, 2, amount);
	db_bind_int64(s, 3, day);
	db_bind_text(s, 4, order_id);
	return store_run(s, cause) == 0 ? STORE_ADDED : -1;
}

int
store_contact_merge(struct store *st, int64_t customer_id, int64_t rep_id,
    int32_t day, const char *kind, const char *note, char **cause)
{
	struct db_stmt *s;
	int64_t a, b;
	int rc;

	s = store_stmt(st, STMT_CONTACT_SAME, "SELECT id, 0 FROM contacts"
	    " WHERE customer_id = ?1 AND day = ?2 AND kind = ?3 AND rep_id IS"
	    " NOT DISTINCT FROM ?4 AND note IS NOT DISTINCT FROM ?5 LIMIT 1;",
	    cause);
	if (s == NULL)
		return -1;
	db_bind_int64(s, 1, customer_id);
	db_bind_int64(s, 2, day);
	db_bind_text(s, 3, kind);
	if (rep_id > 0)
		db_bind_int64(s, 4, rep_id);
	db_bind_text(s, 5, note);
	if ((rc = lookup(s, &a, &b, cause)) != 0)
		return rc < 0 ? -1 : STORE_SAME;
	if (store_contact_add(st, customer_id, rep_id, day, kind, note,
	    cause) != 0)
		return -1;
	return STORE_ADDED;
}

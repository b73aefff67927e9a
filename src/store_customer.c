/* store_customer.c - reading customers, forgetting them, their opt-outs.
 * Writing them is store_customer_write.c. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "store.h"
#include "store_keydate.h"
#include "store_schema.h"
#include "util.h"

#define CUST_SELECT \
	"SELECT c.id, c.external_id, c.name, c.salutation, c.email, c.phone," \
	" c.birthday, c.anniversary, c.tier, r.key, c.locale, c.timezone," \
	" c.channel, c.opt_out, c.notes, c.tier_computed, c.last_contact," \
	" c.last_purchase, c.first_purchase, c.created_at, c.updated_at," \
	" c.stale_since, c.stale_note" \
	" FROM customers c LEFT JOIN reps r ON r.id = c.rep_id "

/* Fills c from a CUST_SELECT row. */
static void
customer_read(struct db_stmt *s, struct customer *c)
{
	int f;

	c->id = db_column_int64(s, 0);
	for (f = 0; f < CUST_NFIELDS; f++)
		c->field[f] = store_col_text(s, f + 1);
	c->tier_computed = store_col_text(s, 15);
	c->last_contact = store_col_day(s, 16);
	c->last_purchase = store_col_day(s, 17);
	c->first_purchase = store_col_day(s, 18);
	c->created_at = db_column_int64(s, 19);
	c->updated_at = db_column_int64(s, 20);
	c->stale_since = store_col_day(s, 21);
	c->stale_note = store_col_text(s, 22);
}

static int
customer_read_attrs(struct store *st, struct customer *c, char **cause)
{
	struct db_stmt *s;
	int rc;

	s = store_stmt(st, STMT_CUSTOMER_ATTRS, "SELECT name, value FROM"
	    " customer_attrs WHERE customer_id = ?1 ORDER BY name;", cause);
	if (s == NULL)
		return -1;
	db_bind_int64(s, 1, c->id);
	while ((rc = db_step(s, cause)) == DB_ROW)
		customer_attr_set(c, db_column_text(s, 0),
		    db_column_text(s, 1));
	db_reset(s);
	return rc == DB_DONE ? 0 : -1;
}

int
store_customer_get(struct store *st, const char *external_id,
    struct customer *c, char **cause)
{
	struct db_stmt *s;
	int rc;

	s = store_stmt(st, STMT_CUSTOMER_GET, CUST_SELECT
	    "WHERE c.external_id = ?1;", cause);
	if (s == NULL)
		return -1;
	db_bind_text(s, 1, external_id);
	rc = db_step(s, cause);
	if (rc == DB_ROW)
		customer_read(s, c);
	db_reset(s);
	if (rc != DB_ROW)
		return rc == DB_DONE ? 0 : -1;
	if (customer_read_attrs(st, c, cause) != 0)
		return -1;
	return store_keydates_read(st, c, cause) == 0 ? 1 : -1;
}

int
store_customer_each(struct store *st, const struct store_customer_filter *f,
    store_customer_cb cb, void *arg, char **cause)
{
	struct db_stmt *s;
	struct customer c;
	int rc = DB_DONE, stop = 0;

	s = db_prepare(st->conn, CUST_SELECT "WHERE (CAST(?1 AS TEXT) IS NULL"
	    " OR c.tier_eff = ?1) AND (CAST(?2 AS TEXT) IS NULL OR r.key = ?2)"
	    " AND (?4 = 0 OR c.stale_since IS NOT NULL)"
	    " ORDER BY c.external_id LIMIT ?3;", cause);
	if (s == NULL)
		return -1;
	db_bind_text(s, 1, f ? f->tier : NULL);
	db_bind_text(s, 2, f ? f->rep : NULL);
	/* No limit is the largest: PostgreSQL refuses SQLite's -1. */
	db_bind_int64(s, 3, f && f->limit > 0 ? f->limit : INT64_MAX);
	db_bind_int64(s, 4, f ? f->stale : 0);
	while (!stop && (rc = db_step(s, cause)) == DB_ROW) {
		customer_init(&c);
		customer_read(s, &c);
		if (customer_read_attrs(st, &c, cause) != 0)
			stop = -1;
		else
			stop = cb(arg, &c);
		customer_clear(&c);
	}
	db_finalize(s);
	if (stop)
		return stop;
	return rc == DB_DONE ? 0 : -1;
}

int
store_customer_id(struct store *st, const char *external_id, int64_t *id,
    char **cause)
{
	struct db_stmt *s;
	int rc;

	s = store_stmt(st, STMT_CUSTOMER_ID, "SELECT id FROM customers "
	    "WHERE external_id = ?1;", cause);
	if (s == NULL)
		return -1;
	db_bind_text(s, 1, external_id);
	rc = db_step(s, cause);
	if (rc == DB_ROW)
		*id = db_column_int64(s, 0);
	db_reset(s);
	return rc == DB_ERROR ? -1 : rc == DB_ROW;
}

/* One transaction deletes the customer (the cascades take its attributes
 * and history) and marks the erase pending for store_erase_finish(): with
 * secure_delete on (store_configure) the freed cells are zeroed, but the
 * files can hold other copies until then. */
int
store_customer_forget(struct store *st, const char *external_id,
    char **cause)
{
	struct db_stmt *s;
	int rc;
	int64_t n;

	if (store_begin(st, cause) != 0)
		return -1;
	s = db_prepare(st->conn, "DELETE FROM customers WHERE external_id ="
	    " ?1;", cause);
	if (s == NULL)
		goto fail;
	db_bind_text(s, 1, external_id);
	rc = store_run(s, cause);
	db_finalize(s);
	if (rc != 0)
		goto fail;
	n = db_changes(st->conn);
	if ((n > 0 && store_erase_mark(st, "vacuum", cause) != 0) ||
	    store_commit(st, cause) != 0)
		goto fail;
	return n > 0;
fail:
	store_rollback(st);
	return -1;
}

int
store_customer_optout(struct store *st, int64_t id, char **optout,
    char **cause)
{
	struct db_stmt *s;
	int rc;

	*optout = NULL;
	s = store_stmt(st, STMT_CUSTOMER_OPTOUT, "SELECT opt_out FROM customers"
	    " WHERE id = ?1;", cause);
	if (s == NULL)
		return -1;
	db_bind_int64(s, 1, id);
	rc = db_step(s, cause);
	if (rc == DB_ROW)
		*optout = store_col_text(s, 0);
	db_reset(s);
	return rc == DB_ERROR ? -1 : rc == DB_ROW;
}

int
store_customer_optout_set(struct store *st, int64_t id, const char *optout,
    int64_t now, char **cause)
{
	struct db_stmt *s;
	int rc;

	s = db_prepare(st->conn, "UPDATE customers SET opt_out = ?2,"
	    " updated_at = ?3 WHERE id = ?1;", cause);
	if (s == NULL)
		return -1;
	db_bind_int64(s, 1, id);
	db_bind_text(s, 2, optout);
	db_bind_int64(s, 3, now);
	rc = store_run(s, cause);
	db_finalize(s);
	return rc;
}

int
store_customer_ids_by_phone(struct store *st, const char *phone,
    int64_t **ids, size_t *n, char **cause)
{
	struct db_stmt *s;
	int rc;

	*ids = NULL;
	*n = 0;
	s = db_prepare(st->conn, "SELECT id FROM customers WHERE phone = ?1;",
	    cause);
	if (s == NULL)
		return -1;
	db_bind_text(s, 1, phone);
	while ((rc = db_step(s, cause)) == DB_ROW) {
		*ids = xreallocarray(*ids, *n + 1, sizeof(**ids));
		(*ids)[(*n)++] = db_column_int64(s, 0);
	}
	db_finalize(s);
	if (rc == DB_DONE)
		return 0;
	free(*ids);
	*ids = NULL;
	*n = 0;
	return -1;
}

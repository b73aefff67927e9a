/* store_customer.c - reading customers, forgetting them, their opt-outs.
 * Writing them is store_customer_write.c. */
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
customer_read(sqlite3_stmt *s, struct customer *c)
{
	int f;

	c->id = sqlite3_column_int64(s, 0);
	for (f = 0; f < CUST_NFIELDS; f++)
		c->field[f] = store_column_text(s, f + 1);
	c->tier_computed = store_column_text(s, 15);
	c->last_contact = store_column_day(s, 16);
	c->last_purchase = store_column_day(s, 17);
	c->first_purchase = store_column_day(s, 18);
	c->created_at = sqlite3_column_int64(s, 19);
	c->updated_at = sqlite3_column_int64(s, 20);
	c->stale_since = store_column_day(s, 21);
	c->stale_note = store_column_text(s, 22);
}

static int
customer_read_attrs(struct store *st, struct customer *c, char **cause)
{
	sqlite3_stmt *s;
	int rc;

	s = store_cached(st, STMT_CUSTOMER_ATTRS, "SELECT name, value FROM"
	    " customer_attrs WHERE customer_id = ?1 ORDER BY name;", cause);
	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, c->id);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		customer_attr_set(c, (const char *)sqlite3_column_text(s, 0),
		    (const char *)sqlite3_column_text(s, 1));
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return store_fail(st, "reading attributes", cause);
	return 0;
}

int
store_customer_get(struct store *st, const char *external_id,
    struct customer *c, char **cause)
{
	sqlite3_stmt *s;
	int rc;

	s = store_cached(st, STMT_CUSTOMER_GET, CUST_SELECT
	    "WHERE c.external_id = ?1;", cause);
	if (s == NULL)
		return -1;
	store_bind_text(s, 1, external_id);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		customer_read(s, c);
	sqlite3_reset(s);
	if (rc == SQLITE_DONE)
		return 0;
	if (rc != SQLITE_ROW)
		return store_fail(st, "reading customer", cause);
	if (customer_read_attrs(st, c, cause) != 0)
		return -1;
	return store_keydates_read(st, c, cause) == 0 ? 1 : -1;
}

int
store_customer_each(struct store *st, const struct store_customer_filter *f,
    store_customer_cb cb, void *arg, char **cause)
{
	sqlite3_stmt *s;
	struct customer c;
	int rc = SQLITE_DONE, stop = 0;

	s = store_prepare(st, CUST_SELECT "WHERE (?1 IS NULL OR c.tier_eff = ?1)"
	    " AND (?2 IS NULL OR r.key = ?2) AND (?4 = 0 OR c.stale_since IS"
	    " NOT NULL) ORDER BY c.external_id LIMIT ?3;", cause);
	if (s == NULL)
		return -1;
	store_bind_text(s, 1, f ? f->tier : NULL);
	store_bind_text(s, 2, f ? f->rep : NULL);
	sqlite3_bind_int64(s, 3, f && f->limit > 0 ? f->limit : -1);
	sqlite3_bind_int(s, 4, f ? f->stale : 0);
	while (!stop && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		customer_init(&c);
		customer_read(s, &c);
		if (customer_read_attrs(st, &c, cause) != 0)
			stop = -1;
		else
			stop = cb(arg, &c);
		customer_clear(&c);
	}
	sqlite3_finalize(s);
	if (stop)
		return stop;
	if (rc != SQLITE_DONE)
		return store_fail(st, "listing customers", cause);
	return 0;
}

int
store_customer_id(struct store *st, const char *external_id, int64_t *id,
    char **cause)
{
	sqlite3_stmt *s;
	int rc;

	s = store_cached(st, STMT_CUSTOMER_ID, "SELECT id FROM customers "
	    "WHERE external_id = ?1;", cause);
	if (s == NULL)
		return -1;
	store_bind_text(s, 1, external_id);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*id = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	if (rc == SQLITE_ROW)
		return 1;
	if (rc == SQLITE_DONE)
		return 0;
	return store_fail(st, "looking up customer", cause);
}

/* One transaction deletes the customer (the cascades take its attributes
 * and history) and marks the erase pending for store_erase_finish(): with
 * secure_delete on (store_configure) the freed cells are zeroed, but the
 * files can hold other copies until then. */
int
store_customer_forget(struct store *st, const char *external_id,
    char **cause)
{
	sqlite3_stmt *s;
	int rc, n;

	if (store_begin(st, cause) != 0)
		return -1;
	s = store_prepare(st, "DELETE FROM customers WHERE external_id = ?1;",
	    cause);
	if (s == NULL)
		goto fail;
	store_bind_text(s, 1, external_id);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		store_fail(st, "erasing customer", cause);
		goto fail;
	}
	n = sqlite3_changes(st->db);
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
	sqlite3_stmt *s;
	int rc;

	*optout = NULL;
	s = store_cached(st, STMT_CUSTOMER_OPTOUT, "SELECT opt_out FROM customers"
	    " WHERE id = ?1;", cause);
	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, id);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*optout = store_column_text(s, 0);
	sqlite3_reset(s);
	if (rc == SQLITE_ROW)
		return 1;
	return rc == SQLITE_DONE ? 0 : store_fail(st, "reading opt-out", cause);
}

int
store_customer_optout_set(struct store *st, int64_t id, const char *optout,
    int64_t now, char **cause)
{
	sqlite3_stmt *s;
	int rc;

	s = store_prepare(st, "UPDATE customers SET opt_out = ?2, updated_at ="
	    " ?3 WHERE id = ?1;", cause);
	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, id);
	store_bind_text(s, 2, optout);
	sqlite3_bind_int64(s, 3, now);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? 0 : store_fail(st, "saving opt-out", cause);
}

int
store_customer_ids_by_phone(struct store *st, const char *phone,
    int64_t **ids, size_t *n, char **cause)
{
	sqlite3_stmt *s;
	int rc;

	*ids = NULL;
	*n = 0;
	s = store_prepare(st, "SELECT id FROM customers WHERE phone = ?1;",
	    cause);
	if (s == NULL)
		return -1;
	store_bind_text(s, 1, phone);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		*ids = xreallocarray(*ids, *n + 1, sizeof(**ids));
		(*ids)[(*n)++] = sqlite3_column_int64(s, 0);
	}
	sqlite3_finalize(s);
	if (rc == SQLITE_DONE)
		return 0;
	free(*ids);
	*ids = NULL;
	*n = 0;
	return store_fail(st, "finding customers by phone", cause);
}

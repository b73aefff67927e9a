/* store_customer.c - customer rows, their custom attributes and history. */
#include <stdlib.h>
#include <string.h>

#include "store.h"
#include "store_schema.h"
#include "util.h"

/* SQL column of each enum cust_field; rep is stored as rep_id. */
static const char *const cust_columns[CUST_NFIELDS] = {
	"external_id", "name", "salutation", "email", "phone", "birthday",
	"anniversary", "tier", "rep_id", "locale", "timezone", "channel",
	"opt_out", "notes",
};

#define CUST_SELECT \
	"SELECT c.id, c.external_id, c.name, c.salutation, c.email, c.phone," \
	" c.birthday, c.anniversary, c.tier, r.key, c.locale, c.timezone," \
	" c.channel, c.opt_out, c.notes, c.tier_computed, c.last_contact," \
	" c.last_purchase, c.first_purchase, c.created_at, c.updated_at," \
	" c.stale_since, c.stale_note" \
	" FROM customers c LEFT JOIN reps r ON r.id = c.rep_id "

/* A new customer: every field, those absent from the input NULL. */
#define CUST_INSERT \
	"INSERT INTO customers (external_id, name, salutation, email, phone," \
	" birthday, anniversary, tier, rep_id, locale, timezone, channel," \
	" opt_out, notes, bday_md, bday_lunar, anniv_md, created_at," \
	" updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8," \
	" (SELECT id FROM reps WHERE key = ?9), ?10, ?11, ?12, ?13, ?14, ?15," \
	" ?16, ?17, ?18, ?18);"

/* The value a parameter gives column f: the rep by its key. */
static void
set_value(struct buf *b, int f)
{
	if (f == CUST_REP)
		buf_printf(b, "(SELECT id FROM reps WHERE key = ?%d)", f + 1);
	else
		buf_printf(b, "?%d", f + 1);
}

/* The update of an existing customer for one set of present fields.  Its
 * WHERE leaves a row that already holds every value alone: the stale
 * clock (updated_at) is about the record's content, and an unchanged row
 * costs a lookup and no write.  A new phone or e-mail clears a stale
 * flag: trigger customers_refreshed. */
static char *
update_sql(unsigned present)
{
	struct buf b;
	int f;

	buf_init(&b);
	buf_puts(&b, "UPDATE customers SET ");
	for (f = 1; f < CUST_NFIELDS; f++) {
		if (!(present & (1u << f)))
			continue;
		buf_printf(&b, "%s = ", cust_columns[f]);
		set_value(&b, f);
		buf_puts(&b, ", ");
	}
	if (present & (1u << CUST_BIRTHDAY))
		buf_puts(&b, "bday_md = ?15, bday_lunar = ?16, ");
	if (present & (1u << CUST_ANNIVERSARY))
		buf_puts(&b, "anniv_md = ?17, ");
	buf_puts(&b, "updated_at = ?18 WHERE id = ?19 AND (0");
	for (f = 1; f < CUST_NFIELDS; f++) {
		if (!(present & (1u << f)))
			continue;
		buf_printf(&b, " OR %s IS NOT ", cust_columns[f]);
		set_value(&b, f);
	}
	buf_puts(&b, ");");
	return buf_detach(&b);
}

static void
bind_key(sqlite3_stmt *s, int i, int v)
{
	if (v == 0)
		sqlite3_bind_null(s, i);
	else
		sqlite3_bind_int(s, i, v);
}

/* Binds the fields (?1..?14), keys (?15..?17) and now (?18). */
static void
bind_customer(sqlite3_stmt *s, const struct customer *c,
    const struct customer_keys *keys, int64_t now)
{
	int f;

	for (f = 0; f < CUST_NFIELDS; f++)
		store_bind_text(s, f + 1, c->field[f]);
	bind_key(s, 15, keys->bday_md);
	bind_key(s, 16, keys->bday_lunar);
	bind_key(s, 17, keys->anniv_md);
	sqlite3_bind_int64(s, 18, now);
}

/* The attributes of a new customer: only those with a value. */
static int
store_attrs_add(struct store *st, int64_t id, const struct customer *c,
    char **cause)
{
	sqlite3_stmt *s;
	size_t i;

	for (i = 0; i < c->nattrs; i++) {
		if (str_empty(c->attrs[i].value))
			continue;
		s = store_cached(st, STMT_ATTR_ADD, "INSERT INTO customer_attrs"
		    " (customer_id, name, value) VALUES (?1, ?2, ?3);", cause);
		if (s == NULL)
			return -1;
		sqlite3_bind_int64(s, 1, id);
		store_bind_text(s, 2, c->attrs[i].name);
		store_bind_text(s, 3, c->attrs[i].value);
		if (sqlite3_step(s) != SQLITE_DONE)
			return store_fail(st, "saving attribute", cause);
	}
	return 0;
}

/* Writes the attributes c carries to an existing customer (an empty one
 * is deleted); returns how many changed, or -1. */
static int
store_attrs_write(struct store *st, int64_t id, const struct customer *c,
    char **cause)
{
	sqlite3_stmt *s;
	size_t i;
	int del, changed = 0;

	for (i = 0; i < c->nattrs; i++) {
		del = str_empty(c->attrs[i].value);
		s = del ? store_cached(st, STMT_ATTR_DEL, "DELETE FROM "
		    "customer_attrs WHERE customer_id = ?1 AND name = ?2;",
		    cause) : store_cached(st, STMT_ATTR_SET, "INSERT INTO"
		    " customer_attrs (customer_id, name, value) VALUES (?1, ?2,"
		    " ?3) ON CONFLICT (customer_id, name) DO UPDATE SET value ="
		    " excluded.value WHERE value IS NOT excluded.value;", cause);
		if (s == NULL)
			return -1;
		sqlite3_bind_int64(s, 1, id);
		store_bind_text(s, 2, c->attrs[i].name);
		if (!del)
			store_bind_text(s, 3, c->attrs[i].value);
		if (sqlite3_step(s) != SQLITE_DONE)
			return store_fail(st, "saving attribute", cause);
		changed += sqlite3_changes(st->db) > 0;
	}
	return changed;
}

/* An attribute changed and no field did: the record is updated now. */
static int
store_customer_touch(struct store *st, int64_t id, int64_t now, char **cause)
{
	sqlite3_stmt *s;

	s = store_cached(st, STMT_ATTR_TOUCH, "UPDATE customers SET updated_at"
	    " = max(updated_at, ?2) WHERE id = ?1;", cause);
	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, id);
	sqlite3_bind_int64(s, 2, now);
	return sqlite3_step(s) == SQLITE_DONE ? 0 : store_fail(st,
	    "saving attribute", cause);
}

/* A customer the store does not have yet. */
static int
store_customer_insert(struct store *st, const struct customer *c,
    const struct customer_keys *keys, int64_t now, int64_t *id,
    char **cause)
{
	sqlite3_stmt *s;

	if ((s = store_cached(st, STMT_CUSTOMER_INSERT, CUST_INSERT,
	    cause)) == NULL)
		return -1;
	bind_customer(s, c, keys, now);
	if (sqlite3_step(s) != SQLITE_DONE)
		return store_fail(st, "saving customer", cause);
	*id = sqlite3_last_insert_rowid(st->db);
	return store_attrs_add(st, *id, c, cause);
}

/* The present fields of customer id; 1 when a value changed. */
static int
store_customer_update(struct store *st, const struct customer *c,
    const struct customer_keys *keys, unsigned present, int64_t now,
    int64_t id, char **cause)
{
	sqlite3_stmt *s;
	char *sql;

	if (st->upsert == NULL || st->upsert_mask != present) {
		sqlite3_finalize(st->upsert);
		st->upsert = NULL;
		sql = update_sql(present);
		st->upsert = store_prepare(st, sql, cause);
		free(sql);
		if (st->upsert == NULL)
			return -1;
		st->upsert_mask = present;
	}
	s = st->upsert;
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	bind_customer(s, c, keys, now);
	sqlite3_bind_int64(s, 19, id);
	if (sqlite3_step(s) != SQLITE_DONE) {
		store_fail(st, "saving customer", cause);
		sqlite3_reset(s);
		return -1;
	}
	sqlite3_reset(s);
	return sqlite3_changes(st->db) > 0;
}

int
store_customer_merge(struct store *st, const struct customer *c,
    const struct customer_keys *keys, unsigned present, int64_t now,
    int64_t *id, enum store_change *what, char **cause)
{
	int rc, attrs;

	if ((rc = store_customer_id(st, c->field[CUST_EXTERNAL_ID], id,
	    cause)) < 0)
		return -1;
	if (rc == 0) {
		*what = STORE_ADDED;
		return store_customer_insert(st, c, keys, now, id, cause);
	}
	if ((rc = store_customer_update(st, c, keys, present, now, *id,
	    cause)) < 0)
		return -1;
	if ((attrs = store_attrs_write(st, *id, c, cause)) < 0)
		return -1;
	if (attrs > 0 && rc == 0 && store_customer_touch(st, *id, now,
	    cause) != 0)
		return -1;
	*what = rc > 0 || attrs > 0 ? STORE_UPDATED : STORE_SAME;
	return 0;
}

int
store_customer_upsert(struct store *st, const struct customer *c,
    const struct customer_keys *keys, unsigned present, int64_t now,
    int64_t *id, char **cause)
{
	enum store_change what;

	return store_customer_merge(st, c, keys, present, now, id, &what,
	    cause);
}

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

	s = store_prepare(st, "SELECT name, value FROM customer_attrs "
	    "WHERE customer_id = ?1 ORDER BY name;", cause);
	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, c->id);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		customer_attr_set(c, (const char *)sqlite3_column_text(s, 0),
		    (const char *)sqlite3_column_text(s, 1));
	sqlite3_finalize(s);
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

	s = store_prepare(st, CUST_SELECT "WHERE c.external_id = ?1;", cause);
	if (s == NULL)
		return -1;
	store_bind_text(s, 1, external_id);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		customer_read(s, c);
	sqlite3_finalize(s);
	if (rc == SQLITE_DONE)
		return 0;
	if (rc != SQLITE_ROW)
		return store_fail(st, "reading customer", cause);
	return customer_read_attrs(st, c, cause) == 0 ? 1 : -1;
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

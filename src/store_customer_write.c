/* store_customer_write.c - writing customers, for customer add and set
 * and for the import.
 *
 * A customer the store does not have is inserted; one it has is updated
 * only where a value differs, so a record imported again unchanged is not
 * written and its updated_at, the start of the stale clock, stays.
 *
 * Tried for the import and left out: several new customers in one
 * statement.  The statement then keeps a journal of the pages it changes
 * (it could fail half way), and copying them cost more than the
 * statements saved.  So does a RETURNING clause on SQLite (below). */
#include <stdlib.h>
#include <string.h>

#include "store.h"
#include "store_schema.h"
#include "strmap.h"
#include "util.h"

const char *const store_customer_columns[CUST_NFIELDS] = {
	"external_id", "name", "salutation", "email", "phone", "birthday",
	"anniversary", "tier", "rep_id", "locale", "timezone", "channel",
	"opt_out", "notes",
};

/* The value parameter n gives column f: the rep by its key. */
static void
set_value(struct buf *b, int f, int n)
{
	if (f == CUST_REP)
		buf_printf(b, "(SELECT id FROM reps WHERE key = ?%d)", n);
	else
		buf_printf(b, "?%d", n);
}

/* The parameter of present field f in the update: the present fields
 * are numbered in order from 1, with no gap (PostgreSQL cannot prepare a
 * statement with a parameter it neither sees nor has a type for). */
static int
update_param(unsigned present, int f)
{
	int i, n = 0;

	for (i = 1; i <= f; i++)
		n += (present & (1u << i)) != 0;
	return n;
}

/* The update of an existing customer for one set of present fields.  Its
 * WHERE leaves a row that already holds every value alone: the stale
 * clock (updated_at) is about the record's content, and an unchanged row
 * costs a lookup and no write.  A new phone or e-mail clears a stale
 * flag: trigger customers_refreshed.  Parameters: update_param(), then
 * the keys of the dates present, updated_at and the id (bind_update()). */
static char *
update_sql(unsigned present)
{
	struct buf b;
	int f, n = update_param(present, CUST_NFIELDS - 1);

	buf_init(&b);
	buf_puts(&b, "UPDATE customers SET ");
	for (f = 1; f < CUST_NFIELDS; f++) {
		if (!(present & (1u << f)))
			continue;
		buf_printf(&b, "%s = ", store_customer_columns[f]);
		set_value(&b, f, update_param(present, f));
		buf_puts(&b, ", ");
	}
	if (present & (1u << CUST_BIRTHDAY)) {
		buf_printf(&b, "bday_md = ?%d, bday_lunar = ?%d, ", n + 1,
		    n + 2);
		n += 2;
	}
	if (present & (1u << CUST_ANNIVERSARY))
		buf_printf(&b, "anniv_md = ?%d, ", ++n);
	buf_printf(&b, "updated_at = ?%d WHERE id = ?%d AND (0 = 1", n + 1,
	    n + 2);
	for (f = 1; f < CUST_NFIELDS; f++) {
		if (!(present & (1u << f)))
			continue;
		buf_printf(&b, " OR %s IS DISTINCT FROM ", store_customer_columns[f]);
		set_value(&b, f, update_param(present, f));
	}
	buf_puts(&b, ");");
	return buf_detach(&b);
}

static void
bind_key(struct db_stmt *s, int i, int v)
{
	if (v == 0)
		db_bind_null(s, i);
	else
		db_bind_int64(s, i, v);
}

/* Binds a new customer's fields (?1..?14), then bday_md, bday_lunar and
 * anniv_md (?15..?17). */
static void
bind_customer(struct db_stmt *s, const struct customer *c,
    const struct customer_keys *keys)
{
	int f;

	for (f = 0; f < CUST_NFIELDS; f++)
		db_bind_text_ref(s, f + 1, c->field[f]);
	bind_key(s, 15, keys->bday_md);
	bind_key(s, 16, keys->bday_lunar);
	bind_key(s, 17, keys->anniv_md);
}

/* Binds update_sql(present)'s parameters. */
static void
bind_update(struct db_stmt *s, const struct customer *c,
    const struct customer_keys *keys, unsigned present, int64_t now,
    int64_t id)
{
	int f, n = 0;

	for (f = 1; f < CUST_NFIELDS; f++)
		if (present & (1u << f))
			db_bind_text_ref(s, ++n, c->field[f]);
	if (present & (1u << CUST_BIRTHDAY)) {
		bind_key(s, ++n, keys->bday_md);
		bind_key(s, ++n, keys->bday_lunar);
	}
	if (present & (1u << CUST_ANNIVERSARY))
		bind_key(s, ++n, keys->anniv_md);
	db_bind_int64(s, ++n, now);
	db_bind_int64(s, ++n, id);
}

/* A new customer: every field, those absent from the input NULL.  Tried
 * first: for a new key the insert's own uniqueness check is the lookup,
 * and a key the store has changes nothing.  SQLite gives the new id by
 * db_last_insert_id(): with RETURNING it kept a statement journal for
 * every row, a copy of each page of the table and its indexes the row
 * changed (a quarter of the import's time); PostgreSQL returns it. */
#define CUST_INSERT_SQL(returning) \
	"INSERT INTO customers (external_id, name, salutation, email, phone," \
	" birthday, anniversary, tier, rep_id, locale, timezone, channel," \
	" opt_out, notes, bday_md, bday_lunar, anniv_md, created_at," \
	" updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, coalesce(?19," \
	" (SELECT id FROM reps WHERE key = ?9)), ?10, ?11, ?12, ?13, ?14, ?15," \
	" ?16, ?17, ?18, ?18) ON CONFLICT (external_id) DO NOTHING" \
	returning ";"

/* The attributes of a new customer, those with a value, a statement
 * each.  Several rows in one INSERT were tried: such a statement keeps a
 * statement journal (it could fail half way), which cost more than the
 * statements it saved. */
static int
store_attrs_add(struct store *st, int64_t id, const struct customer *c,
    char **cause)
{
	struct db_stmt *s;
	size_t i;

	for (i = 0; i < c->nattrs; i++) {
		if (str_empty(c->attrs[i].value))
			continue;
		if ((s = store_stmt(st, STMT_ATTR_ADD, "INSERT INTO"
		    " customer_attrs (customer_id, name, value) VALUES (?1, ?2,"
		    " ?3);", cause)) == NULL)
			return -1;
		db_bind_int64(s, 1, id);
		db_bind_text_ref(s, 2, c->attrs[i].name);
		db_bind_text_ref(s, 3, c->attrs[i].value);
		if (store_run(s, cause) != 0)
			return -1;
		db_reset(s);
	}
	return 0;
}

/* Writes the attributes c carries to an existing customer (an empty one
 * is deleted); returns how many changed, or -1. */
static int
store_attrs_write(struct store *st, int64_t id, const struct customer *c,
    char **cause)
{
	struct db_stmt *s;
	size_t i;
	int del, changed = 0;

	for (i = 0; i < c->nattrs; i++) {
		del = str_empty(c->attrs[i].value);
		s = del ? store_stmt(st, STMT_ATTR_DEL, "DELETE FROM "
		    "customer_attrs WHERE customer_id = ?1 AND name = ?2;",
		    cause) : store_stmt(st, STMT_ATTR_SET, "INSERT INTO"
		    " customer_attrs (customer_id, name, value) VALUES (?1, ?2,"
		    " ?3) ON CONFLICT (customer_id, name) DO UPDATE SET value ="
		    " excluded.value WHERE customer_attrs.value IS DISTINCT FROM"
		    " excluded.value;", cause);
		if (s == NULL)
			return -1;
		db_bind_int64(s, 1, id);
		db_bind_text(s, 2, c->attrs[i].name);
		if (!del)
			db_bind_text(s, 3, c->attrs[i].value);
		if (store_run(s, cause) != 0)
			return -1;
		changed += db_changes(st->conn) > 0;
	}
	return changed;
}

/* SQLite's two-argument max() is PostgreSQL's greatest(). */
#define TOUCH_SQL(max) "UPDATE customers SET updated_at =" \
	" " max "(updated_at, ?2) WHERE id = ?1;"

/* An attribute changed and no field did: the record is updated now. */
static int
store_customer_touch(struct store *st, int64_t id, int64_t now, char **cause)
{
	struct db_stmt *s;

	s = store_stmt(st, STMT_ATTR_TOUCH, store_dialect(st,
	    TOUCH_SQL("max"), TOUCH_SQL("greatest")), cause);
	if (s == NULL)
		return -1;
	db_bind_int64(s, 1, id);
	db_bind_int64(s, 2, now);
	return store_run(s, cause);
}

/* The id of rep key in a bulk load (the reps it read, kept until its
 * transaction ends: store_bulk()), 0 when the statement looks it up (a
 * subquery per row: 2% of a first import's instructions), -1 on error. */
static int64_t
customer_rep_id(struct store *st, const char *key, char **cause)
{
	struct db_stmt *s;
	int64_t id = -1;
	int rc;

	if (key == NULL || st->bulk_reps == NULL)
		return 0;
	if (strmap_get(st->bulk_reps, key, &id))
		return id > 0 ? id : 0;
	if ((s = store_stmt(st, STMT_REP_ID, "SELECT id FROM reps WHERE key ="
	    " ?1;", cause)) == NULL)
		return -1;
	db_bind_text(s, 1, key);
	if ((rc = db_step(s, cause)) == DB_ROW)
		id = db_column_int64(s, 0);
	db_reset(s);
	if (rc == DB_ERROR)
		return -1;
	strmap_put(st->bulk_reps, key, id);
	return id > 0 ? id : 0;
}

/* Adds the customer when the store does not have its key: 1 added (and
 * *id), 0 the key is there, -1 on error. */
static int
store_customer_insert(struct store *st, const struct customer *c,
    const struct customer_keys *keys, int64_t now, int64_t *id,
    char **cause)
{
	struct db_stmt *s;
	int64_t rep;
	int rc;

	if ((rep = customer_rep_id(st, c->field[CUST_REP], cause)) < 0 ||
	    (s = store_stmt(st, STMT_CUSTOMER_INSERT, store_dialect(st,
	    CUST_INSERT_SQL(""), CUST_INSERT_SQL(" RETURNING id")),
	    cause)) == NULL)
		return -1;
	bind_customer(s, c, keys);
	db_bind_int64(s, 18, now);
	if (rep > 0)
		db_bind_int64(s, 19, rep);
	else
		db_bind_null(s, 19);
	rc = db_step(s, cause);
	if (rc == DB_ROW)
		*id = db_column_int64(s, 0);
	else if (rc == DB_DONE && db_backend(st->conn) == DB_SQLITE &&
	    db_changes(st->conn) > 0) {
		*id = db_last_insert_id(st->conn);
		rc = DB_ROW;
	}
	db_reset(s);
	if (rc != DB_ROW)
		return rc == DB_DONE ? 0 : -1;
	return store_attrs_add(st, *id, c, cause) == 0 ? 1 : -1;
}

/* The present fields of customer id; 1 when a value changed. */
static int
store_customer_update(struct store *st, const struct customer *c,
    const struct customer_keys *keys, unsigned present, int64_t now,
    int64_t id, char **cause)
{
	struct db_stmt *s;
	char *sql;
	int rc;

	if (st->upsert == NULL || st->upsert_mask != present) {
		db_finalize(st->upsert);
		st->upsert = NULL;
		sql = update_sql(present);
		st->upsert = db_prepare(st->conn, sql, cause);
		free(sql);
		if (st->upsert == NULL)
			return -1;
		st->upsert_mask = present;
	}
	s = st->upsert;
	db_reset(s);
	bind_update(s, c, keys, present, now, id);
	rc = store_run(s, cause);
	db_reset(s);
	return rc != 0 ? -1 : db_changes(st->conn) > 0;
}

int
store_customer_merge(struct store *st, const struct customer *c,
    const struct customer_keys *keys, unsigned present, int64_t now,
    int64_t *id, enum store_change *what, char **cause)
{
	int rc, attrs;

	if ((rc = store_customer_insert(st, c, keys, now, id, cause)) != 0) {
		*what = STORE_ADDED;
		return rc < 0 ? -1 : 0;
	}
	if ((rc = store_customer_id(st, c->field[CUST_EXTERNAL_ID], id,
	    cause)) != 1)
		return rc < 0 ? -1 : set_error(cause, "saving customer %s: "
		    "neither added nor found", c->field[CUST_EXTERNAL_ID]);
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

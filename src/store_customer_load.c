/* store_customer_load.c - customers merged in bulk: the import into a
 * PostgreSQL store.
 *
 * Row by row (store_customer_write.c) each customer is several round
 * trips to the server: 2,000 rows/s.  Here the rows go to a temporary
 * table by COPY (db_copy_*), then a few set-based statements merge them
 * by external_id, with the outcome store_customer_merge() has for each
 * row: a new key is added with every field; a key the store has gets
 * the fields the file has, only where a value differs, and updated_at
 * with them; an attribute column sets a value or, empty, deletes it, and
 * a changed attribute alone moves updated_at too.  The temporary table
 * goes with the transaction (ON COMMIT DROP, or the rollback).
 *
 * A first load into an empty table skips the staging table and goes
 * straight into the tables (store_load_fresh.c).
 *
 * Staging columns: row (the file's), the 14 fields as text (the rep by
 * its key), the derived keys, one column per attribute (a1, a2...), and
 * what the merge found: id, added, changed (a field), attrs (an
 * attribute). */
#include <stdlib.h>
#include <string.h>

#include "store.h"
#include "store_load_fresh.h"
#include "store_schema.h"
#include "util.h"

struct store_load {
	struct store *st;
	unsigned present;
	char **attrs;		/* attribute names, the columns a1... */
	size_t nattrs;
	struct db_copy *copy;	/* while rows are added */
	const char **values;	/* one staging row */
	char **numbers;		/* its numeric texts */
	struct store_fresh *fresh; /* a first load: no staging */
};

/* Staging names of the customer fields, in enum cust_field order (the
 * customers columns they go to: store_customer_columns). */
static const char *const load_fields[CUST_NFIELDS] = {
	"external_id", "name", "salutation", "email", "phone", "birthday",
	"anniversary", "tier", "rep", "locale", "timezone", "channel",
	"opt_out", "notes",
};
/* Derived keys after the fields. */
#define LOAD_NKEYS 3
static const char *const load_keys[LOAD_NKEYS] = { "bday_md", "bday_lunar",
	"anniv_md" };
/* Staging columns the COPY fills: row, fields, keys, attributes. */
#define LOAD_NCOLS(l) (1 + CUST_NFIELDS + LOAD_NKEYS + (int)(l)->nattrs)

/* The value field f takes in the merge: the rep's id by its key, from
 * reps r joined to the rows (a subquery per row was planned as a scan
 * of reps per row, reps having no statistics yet). */
static void
load_value(struct buf *b, int f)
{
	if (f == CUST_REP)
		buf_puts(b, "r.id");
	else
		buf_printf(b, "s.%s", load_fields[f]);
}

/* The rows with their rep. */
#define LOAD_ROWS "import_customers s LEFT JOIN reps r ON r.key = s.rep"

/* CREATE TEMP TABLE of the staging rows.  malloc'd. */
static char *
load_create_sql(const struct store_load *l)
{
	struct buf b;
	size_t i;
	int f;

	buf_init(&b);
	buf_puts(&b, "CREATE TEMP TABLE import_customers (row BIGINT NOT"
	    " NULL");
	for (f = 0; f < CUST_NFIELDS; f++)
		buf_printf(&b, ", %s TEXT%s", load_fields[f], f == 0 ?
		    " COLLATE \"C\" NOT NULL" : "");
	for (f = 0; f < LOAD_NKEYS; f++)
		buf_printf(&b, ", %s INTEGER", load_keys[f]);
	for (i = 0; i < l->nattrs; i++)
		buf_printf(&b, ", a%zu TEXT", i + 1);
	buf_puts(&b, ", id BIGINT, added INTEGER NOT NULL DEFAULT 0,"
	    " changed INTEGER NOT NULL DEFAULT 0,"
	    " attrs INTEGER NOT NULL DEFAULT 0) ON COMMIT DROP;");
	return buf_detach(&b);
}

/* Starts the COPY into the staging table. */
static int
load_copy_begin(struct store_load *l, char **cause)
{
	const char **cols = xcalloc((size_t)LOAD_NCOLS(l), sizeof(*cols));
	char **anames = xcalloc(l->nattrs + 1, sizeof(*anames));
	size_t i;
	int n = 0, f;

	cols[n++] = "row";
	for (f = 0; f < CUST_NFIELDS; f++)
		cols[n++] = load_fields[f];
	for (f = 0; f < LOAD_NKEYS; f++)
		cols[n++] = load_keys[f];
	for (i = 0; i < l->nattrs; i++)
		cols[n++] = anames[i] = xasprintf("a%zu", i + 1);
	l->copy = db_copy_begin(l->st->conn, "import_customers", cols, n,
	    cause);
	for (i = 0; i < l->nattrs; i++)
		free(anames[i]);
	free(anames);
	free(cols);
	return l->copy != NULL ? 0 : -1;
}

int
store_load_begin(struct store *st, unsigned present,
    const char *const *attrs, size_t nattrs, int64_t now,
    struct store_load **out, char **cause)
{
	struct store_load *l;
	char *sql;
	size_t i;
	int rc;

	*out = NULL;
	if (db_backend(st->conn) != DB_PG)
		return 0;
	l = xcalloc(1, sizeof(*l));
	l->st = st;
	l->present = present;
	l->nattrs = nattrs;
	l->attrs = xcalloc(nattrs + 1, sizeof(*l->attrs));
	for (i = 0; i < nattrs; i++)
		l->attrs[i] = xstrdup(attrs[i]);
	l->values = xcalloc((size_t)LOAD_NCOLS(l), sizeof(*l->values));
	l->numbers = xcalloc(1 + LOAD_NKEYS, sizeof(*l->numbers));
	if (store_fresh_begin(st, (const char *const *)l->attrs, nattrs, now,
	    &l->fresh, cause) != 0) {
		store_load_free(l);
		return -1;
	}
	if (l->fresh != NULL) {
		*out = l;
		return 0;
	}
	sql = load_create_sql(l);
	rc = db_exec(st->conn, sql, cause);
	free(sql);
	if (rc != 0 || load_copy_begin(l, cause) != 0) {
		store_load_free(l);
		return -1;
	}
	*out = l;
	return 0;
}

/* The text of a key, NULL for none (0). */
static char *
load_key(int v)
{
	return v != 0 ? xasprintf("%d", v) : NULL;
}

/* The value of each attribute column in v[0...], NULL for empty. */
static void
load_attr_values(const struct store_load *l, const struct customer *c,
    const char **v)
{
	size_t i, j;

	for (i = 0; i < l->nattrs; i++) {
		v[i] = NULL;
		for (j = 0; j < c->nattrs; j++) {
			if (strcmp(c->attrs[j].name, l->attrs[i]) == 0 &&
			    !str_empty(c->attrs[j].value))
				v[i] = c->attrs[j].value;
		}
	}
}

int
store_load_add(struct store_load *l, unsigned long row,
    const struct customer *c, const struct customer_keys *keys,
    char **cause)
{
	size_t i;
	int n = 0, f, rc;

	load_attr_values(l, c, l->values + 1 + CUST_NFIELDS + LOAD_NKEYS);
	if (l->fresh != NULL)
		return store_fresh_add(l->fresh, row, c, keys,
		    l->values + 1 + CUST_NFIELDS + LOAD_NKEYS, cause);
	l->numbers[0] = xasprintf("%lu", row);
	l->numbers[1] = load_key(keys->bday_md);
	l->numbers[2] = load_key(keys->bday_lunar);
	l->numbers[3] = load_key(keys->anniv_md);
	l->values[n++] = l->numbers[0];
	for (f = 0; f < CUST_NFIELDS; f++)
		l->values[n++] = c->field[f];
	for (f = 0; f < LOAD_NKEYS; f++)
		l->values[n++] = l->numbers[f + 1];
	rc = db_copy_row(l->copy, l->values, cause);
	for (i = 0; i < 1 + LOAD_NKEYS; i++) {
		free(l->numbers[i]);
		l->numbers[i] = NULL;
	}
	return rc;
}

/* Ends the COPY: the rows are in the staging table. */
static int
load_copy_end(struct store_load *l, char **cause)
{
	int64_t n;

	if (l->copy == NULL)
		return 0;
	n = db_copy_end(l->copy, cause);
	l->copy = NULL;
	if (n < 0)
		return -1;
	/* Statistics, so the merge's joins with customers are planned for
	 * the rows (a first load has none to join: 0.3 s saved at 1M); the
	 * sorts and hashes of a million rows in memory, not in files. */
	return db_exec(l->st->conn, "DO $$BEGIN IF EXISTS (SELECT 1 FROM"
	    " customers) THEN ANALYZE import_customers; END IF; END$$;"
	    " SET LOCAL work_mem = '64MB';", cause);
}

/* Each (row, text) sql returns goes to cb: how many, or -1. */
static int
load_report(struct store_load *l, const char *sql, store_load_dup_fn cb,
    void *arg, char **cause)
{
	struct db_stmt *s;
	int rc, n = 0;

	if ((s = db_prepare(l->st->conn, sql, cause)) == NULL)
		return -1;
	while ((rc = db_step(s, cause)) == DB_ROW) {
		cb(arg, (unsigned long)db_column_int64(s, 0),
		    db_column_text(s, 1));
		n++;
	}
	db_finalize(s);
	return rc == DB_DONE ? n : -1;
}

int
store_load_duplicates(struct store_load *l, store_load_dup_fn cb, void *arg,
    char **cause)
{

	if (l->fresh != NULL)
		return store_fresh_check(l->fresh, cb, arg, cause);
	if (load_copy_end(l, cause) != 0)
		return -1;
	return load_report(l, "SELECT row, external_id FROM (SELECT"
	    " row, external_id, row_number() OVER (PARTITION BY external_id"
	    " ORDER BY row) AS n FROM import_customers) d WHERE n > 1"
	    " ORDER BY row;", cb, arg, cause);
}

/* The reps the rows name are locked as the foreign key's check would
 * lock them row by row (FOR KEY SHARE: they stay until the commit, so
 * the merge finds each); a rep the store does not have (removed since
 * the import read them) fails its row. */
int
store_load_reps(struct store_load *l, store_load_dup_fn cb, void *arg,
    char **cause)
{
	struct db_stmt *s;
	int rc;

	if (l->fresh != NULL)	/* its reps were read under its lock */
		return 0;
	if (load_copy_end(l, cause) != 0)
		return -1;
	s = db_prepare(l->st->conn, "SELECT r.id FROM reps r WHERE r.key IN"
	    " (SELECT rep FROM import_customers) FOR KEY SHARE OF r;", cause);
	if (s == NULL)
		return -1;
	while ((rc = db_step(s, cause)) == DB_ROW)
		;
	db_finalize(s);
	if (rc != DB_DONE)
		return -1;
	return load_report(l, "SELECT s.row, s.rep FROM import_customers s"
	    " WHERE s.rep IS NOT NULL AND NOT EXISTS (SELECT 1 FROM reps r"
	    " WHERE r.key = s.rep) ORDER BY s.row;", cb, arg, cause);
}

/* Runs sql with ?1 = now, then frees it. */
static int
load_run(struct store_load *l, char *sql, int64_t now, char **cause)
{
	struct db_stmt *s = db_prepare(l->st->conn, sql, cause);
	int rc;

	free(sql);
	if (s == NULL)
		return -1;
	db_bind_int64(s, 1, now);
	rc = store_run(s, cause);
	db_finalize(s);
	return rc;
}

/* The customers the store has get the fields the file has, where a value
 * differs (store_customer_write.c's update_sql(), for every row at once);
 * changed marks them. */
static char *
load_update_sql(const struct store_load *l)
{
	struct buf b;
	int f;

	buf_init(&b);
	buf_puts(&b, "WITH u AS (UPDATE customers c SET ");
	for (f = 1; f < CUST_NFIELDS; f++) {
		if (!(l->present & (1u << f)))
			continue;
		buf_printf(&b, "%s = ", store_customer_columns[f]);
		load_value(&b, f);
		buf_puts(&b, ", ");
	}
	if (l->present & (1u << CUST_BIRTHDAY))
		buf_puts(&b, "bday_md = s.bday_md, bday_lunar = s.bday_lunar, ");
	if (l->present & (1u << CUST_ANNIVERSARY))
		buf_puts(&b, "anniv_md = s.anniv_md, ");
	buf_puts(&b, "updated_at = ?1 FROM " LOAD_ROWS " WHERE c.id = s.id"
	    " AND (0 = 1");
	for (f = 1; f < CUST_NFIELDS; f++) {
		if (!(l->present & (1u << f)))
			continue;
		buf_printf(&b, " OR c.%s IS DISTINCT FROM ", store_customer_columns[f]);
		load_value(&b, f);
	}
	buf_puts(&b, ") RETURNING c.id) UPDATE import_customers s SET changed"
	    " = 1 FROM u WHERE s.id = u.id;");
	return buf_detach(&b);
}

/* "INSERT INTO customers (...) SELECT ... FROM" the staging rows, every
 * field; id, when given, is the column list's first and its value. */
static void
load_insert_head(struct buf *b, const char *id)
{
	int f;

	buf_printf(b, "INSERT INTO customers (%s", id != NULL ? "id, " : "");
	for (f = 0; f < CUST_NFIELDS; f++)
		buf_printf(b, "%s, ", store_customer_columns[f]);
	buf_printf(b, "bday_md, bday_lunar, anniv_md, created_at, updated_at)"
	    " SELECT %s%s", id != NULL ? id : "", id != NULL ? ", " : "");
	for (f = 0; f < CUST_NFIELDS; f++) {
		load_value(b, f);
		buf_puts(b, ", ");
	}
	buf_puts(b, "s.bday_md, s.bday_lunar, s.anniv_md, ?1, ?1 FROM "
	    LOAD_ROWS);
}

/* New keys: every field, in the file's order (ids follow it). */
static char *
load_insert_sql(void)
{
	struct buf b;

	buf_init(&b);
	buf_puts(&b, "WITH i AS (");
	load_insert_head(&b, NULL);
	buf_puts(&b, " WHERE s.id IS NULL ORDER BY s.row"
	    " RETURNING id, external_id) UPDATE import_customers s SET id ="
	    " i.id, added = 1 FROM i WHERE s.external_id = i.external_id;");
	return buf_detach(&b);
}

/* "import_customers s CROSS JOIN LATERAL (VALUES (?1, s.a1), ...)
 * t(name, value)": each row's attributes as rows, the names bound as
 * ?1... */
static void
load_attr_rows(struct buf *b, const struct store_load *l)
{
	size_t i;

	buf_puts(b, " import_customers s CROSS JOIN LATERAL (VALUES ");
	for (i = 0; i < l->nattrs; i++)
		buf_printf(b, "%s(CAST(?%zu AS TEXT), s.a%zu)", i ? ", " : "",
		    i + 1, i + 1);
	buf_puts(b, ") AS t(name, value)");
}

/* Runs an attribute statement, the names bound as ?1... */
static int
load_attr_run(struct store_load *l, char *sql, char **cause)
{
	struct db_stmt *s = db_prepare(l->st->conn, sql, cause);
	size_t i;
	int rc;

	free(sql);
	if (s == NULL)
		return -1;
	for (i = 0; i < l->nattrs; i++)
		db_bind_text(s, (int)i + 1, l->attrs[i]);
	rc = store_run(s, cause);
	db_finalize(s);
	return rc;
}

/* Attributes: empty ones deleted from the customers the store had, the
 * others written where they differ; attrs marks a customer they changed.
 * A new customer's go in by a plain INSERT: ON CONFLICT costs PostgreSQL
 * a speculative insertion per row (6.4 s against 1.2 s at 100k rows). */
static int
load_attrs(struct store_load *l, char **cause)
{
	struct buf b;

	if (l->nattrs == 0)
		return 0;
	buf_init(&b);
	buf_puts(&b, "WITH d AS (DELETE FROM customer_attrs a USING");
	load_attr_rows(&b, l);
	buf_puts(&b, " WHERE s.added = 0 AND t.value IS NULL AND"
	    " a.customer_id = s.id AND a.name = t.name RETURNING"
	    " a.customer_id) UPDATE import_customers s SET attrs = 1 WHERE"
	    " s.id IN (SELECT customer_id FROM d);");
	if (load_attr_run(l, buf_detach(&b), cause) != 0)
		return -1;
	buf_puts(&b, "INSERT INTO customer_attrs (customer_id, name, value)"
	    " SELECT s.id, t.name, t.value FROM");
	load_attr_rows(&b, l);
	buf_puts(&b, " WHERE s.added = 1 AND t.value IS NOT NULL;");
	if (load_attr_run(l, buf_detach(&b), cause) != 0)
		return -1;
	buf_puts(&b, "WITH w AS (INSERT INTO customer_attrs (customer_id, name,"
	    " value) SELECT s.id, t.name, t.value FROM");
	load_attr_rows(&b, l);
	buf_puts(&b, " WHERE s.added = 0 AND t.value IS NOT NULL ON CONFLICT"
	    " (customer_id, name) DO UPDATE SET value = excluded.value WHERE"
	    " customer_attrs.value IS DISTINCT FROM excluded.value RETURNING"
	    " customer_id) UPDATE import_customers s SET attrs = 1 WHERE"
	    " s.id IN (SELECT customer_id FROM w);");
	return load_attr_run(l, buf_detach(&b), cause);
}

/* A changed attribute alone moves updated_at too. */
#define LOAD_TOUCH_SQL \
	"UPDATE customers c SET updated_at = greatest(c.updated_at, ?1) FROM" \
	" import_customers s WHERE c.id = s.id AND s.added = 0 AND" \
	" s.changed = 0 AND s.attrs = 1;"

/* What the merge did: added, updated (a field or an attribute), the
 * same. */
static int
load_counts(struct store_load *l, unsigned long *added,
    unsigned long *updated, unsigned long *same, char **cause)
{
	struct db_stmt *s;
	int64_t total = 0;
	int rc;

	s = db_prepare(l->st->conn, "SELECT count(*), coalesce(sum(added), 0),"
	    " coalesce(sum(CASE WHEN added = 0 AND (changed = 1 OR attrs = 1)"
	    " THEN 1 ELSE 0 END), 0) FROM import_customers;", cause);
	if (s == NULL)
		return -1;
	if ((rc = db_step(s, cause)) == DB_ROW) {
		total = db_column_int64(s, 0);
		*added = (unsigned long)db_column_int64(s, 1);
		*updated = (unsigned long)db_column_int64(s, 2);
		*same = (unsigned long)total - *added - *updated;
	}
	db_finalize(s);
	return rc == DB_ROW ? 0 : -1;
}

int
store_load_merge(struct store_load *l, int64_t now, unsigned long *added,
    unsigned long *updated, unsigned long *same, char **cause)
{
	struct db_stmt *s;

	*added = *updated = *same = 0;
	if (l->fresh != NULL)
		return store_fresh_end(l->fresh, added, cause);
	if (load_copy_end(l, cause) != 0)
		return -1;
	/* The customers the store has already. */
	if ((s = db_prepare(l->st->conn, "UPDATE import_customers s SET id ="
	    " c.id FROM customers c WHERE c.external_id = s.external_id;",
	    cause)) == NULL || store_write(l->st, s, cause) < 0)
		return -1;
	if (load_run(l, load_update_sql(l), now, cause) != 0 ||
	    load_run(l, load_insert_sql(), now, cause) != 0 ||
	    load_attrs(l, cause) != 0 ||
	    load_run(l, xstrdup(LOAD_TOUCH_SQL), now, cause) != 0)
		return -1;
	return load_counts(l, added, updated, same, cause);
}

void
store_load_free(struct store_load *l)
{
	size_t i;

	if (l == NULL)
		return;
	if (l->copy != NULL)	/* abandoned: the transaction goes too */
		db_copy_end(l->copy, NULL);
	store_fresh_free(l->fresh);
	for (i = 0; i < l->nattrs; i++)
		free(l->attrs[i]);
	free(l->attrs);
	free(l->values);
	free(l->numbers);
	free(l);
}

/* store_load_fresh.c - the first load into an empty customers table on
 * PostgreSQL: the rows straight into the tables by COPY, constraints and
 * indexes set aside, then rebuilt.
 *
 * Nothing is there to merge with, so the rows skip the staging table the
 * merge needs (store_customer_load.c): COPY writes a page of rows at a
 * time (one WAL record a page) where INSERT ... SELECT writes one a row.
 * At 1M rows: staging COPY and INSERT 4.2 s, COPY into customers 2.2 s;
 * 1.3 s against 0.4 s for the 1.7M attributes.  A connection runs one
 * COPY at a time, so the attributes wait in a spool file (memory stays
 * flat) until the customers are in.  Ids: while customers is locked
 * nobody else draws from its identity sequence, so a row's id is the
 * sequence's next value plus the row's distance from the first row, in
 * the file's order; rows the file skips (blank, a record's second line)
 * leave gaps.  So the duplicate keys, found when the UNIQUE constraint
 * is built again (no query over the rows before), name their rows.
 *
 * PostgreSQL checks a foreign key by a trigger and a query per row
 * inserted (SELECT ... FOR KEY SHARE on the referenced row): at 100k
 * customers 0.7 s of the 1.65 s of server CPU their INSERT took, and as
 * much again for their attributes, each of which locks its customer's
 * row.  No setting a table's owner may use turns those checks off
 * (session_replication_role and disabling the constraint triggers take a
 * superuser); dropping the constraint and adding it again after the rows
 * checks every row by one join instead (0.02 s).  Likewise most of
 * customers' indexes are cheaper built after the rows than maintained
 * row by row (below).
 *
 * Dropping a foreign key locks both of its tables exclusively until the
 * commit, so readers of customers, customer_attrs and reps wait for the
 * import to end: this is done only for a first import, when customers is
 * empty (SQLite's store_bulk.c defers an index on the same condition),
 * and from the first row on: the client parses the file under the lock.
 * The definitions are read from the catalog (pg_get_constraintdef(),
 * pg_get_indexdef()), so what is rebuilt is what was there, under the
 * same names; a failure rolls the whole transaction back, the drops with
 * it.  A role that does not own the tables keeps the row-by-row checks,
 * and so does an import that cannot have the tables within the store's
 * lock timeout (an instance reading them in a long transaction): the
 * import goes on the checked way rather than fail. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "customer.h"
#include "store.h"
#include "store_load_fresh.h"
#include "store_schema.h"
#include "strmap.h"
#include "util.h"

/* The COPY's columns: id, the fields, the derived keys, two times. */
#define FRESH_NCOLS (1 + CUST_NFIELDS + 3 + 2)

struct store_fresh {
	struct store *st;
	char **rebuild;		/* statements that restore, in drop order */
	size_t n;
	size_t key;		/* rebuild[key] adds UNIQUE (external_id); n: none */
	const char *const *attrs; /* attribute names, the load's */
	size_t nattrs;
	struct strmap *reps;	/* rep key -> id, read under the lock */
	struct db_copy *copy;	/* into customers, while rows come */
	FILE *spool;		/* (id, attribute, value) until then */
	int64_t next;		/* the sequence's next id */
	int64_t off;		/* a row's id: off + row */
	int64_t last;		/* the last id given, 0: none */
	int64_t added;		/* rows in customers */
	char now[24];
};

/* 1 when customers is empty and this role owns the tables to change. */
#define FRESH_ELIGIBLE_SQL \
	"SELECT CASE WHEN NOT EXISTS (SELECT 1 FROM customers) AND (SELECT" \
	" bool_and(pg_has_role(relowner, 'MEMBER')) FROM pg_class WHERE oid" \
	" IN ('customers'::regclass, 'customer_attrs'::regclass," \
	" 'reps'::regclass)) THEN 1 ELSE 0 END;"

/* What is set aside: the foreign keys of customers and customer_attrs
 * and their unique and primary keys no foreign key uses (customers'
 * external_id: 0.8 s of server CPU at 1M rows kept, 0.5 s built;
 * customer_attrs' key 0.9 s against 0.3 s at 1.7M attributes), then the
 * indexes below;
 * each with the statement that drops it and the one that makes it
 * again, and 1 for the key of external_id.  Server CPU at 1M rows, kept
 * during the INSERT against built after it: phone 3.1 s against 0.9 s,
 * bday and anniv 1.2 against 0.5, rep 0.6 against 0.3, updated 0.5
 * against 0.2, revisit 0.4 against 0.3.  The other indexes are partial
 * on columns an import leaves empty (or nearly, bday_lunar): kept, they
 * cost nothing, while each build would scan the whole table. */
#define FRESH_LIST_SQL \
	"SELECT d, r, u FROM (SELECT 0 AS k, conname AS n, format('ALTER" \
	" TABLE %s DROP CONSTRAINT %I;', conrelid::regclass, conname) AS d," \
	" format('ALTER TABLE %s ADD CONSTRAINT %I %s;', conrelid::regclass," \
	" conname, pg_get_constraintdef(oid)) AS r, CASE WHEN conrelid =" \
	" 'customers'::regclass AND pg_get_constraintdef(oid) = 'UNIQUE" \
	" (external_id)' THEN 1 ELSE 0 END AS u FROM pg_constraint c WHERE" \
	" conrelid IN ('customers'::regclass, 'customer_attrs'::regclass) AND" \
	" (contype = 'f' OR (contype IN ('u', 'p') AND NOT EXISTS (SELECT 1" \
	" FROM pg_constraint f WHERE f.contype = 'f' AND f.conindid =" \
	" c.conindid))) UNION ALL" \
	" SELECT 1, x.relname, format('DROP INDEX %s;', i.indexrelid::regclass)," \
	" pg_get_indexdef(i.indexrelid) || ';', 0 FROM pg_index i JOIN" \
	" pg_class x ON x.oid = i.indexrelid WHERE i.indrelid =" \
	" 'customers'::regclass AND x.relname IN ('customers_phone'," \
	" 'customers_bday', 'customers_anniv', 'customers_rep'," \
	" 'customers_updated', 'customers_revisit') AND NOT EXISTS (SELECT 1" \
	" FROM pg_constraint o WHERE o.conindid = i.indexrelid)) t" \
	" ORDER BY k, n;"

/* 1 when the load may set things aside, 0 when not, -1 on error. */
static int
fresh_eligible(struct store *st, char **cause)
{
	struct db_stmt *s;
	int rc, yes = 0;

	if ((s = db_prepare(st->conn, FRESH_ELIGIBLE_SQL, cause)) == NULL)
		return -1;
	if ((rc = db_step(s, cause)) == DB_ROW)
		yes = db_column_int64(s, 0) == 1;
	db_finalize(s);
	return rc == DB_ROW ? yes : -1;
}

/* 1 when the tables are this transaction's alone, 0 when another holds
 * them past the lock timeout (undone: the transaction goes on), -1 on
 * error. */
static int
fresh_lock(struct store *st, char **cause)
{
	char *err = NULL;

	if (store_unit_begin(st, cause) != 0)
		return -1;
	if (db_exec(st->conn, "LOCK TABLE customers, customer_attrs, reps IN"
	    " ACCESS EXCLUSIVE MODE;", &err) == 0)
		return store_unit_keep(st, cause) == 0 ? 1 : -1;
	free(err);
	if (store_unit_undo(st) != 0)
		return set_error(cause, "%s: the transaction is lost after a"
		    " lock timeout", st->path);
	return 0;
}

/* Drops what is set aside, keeping the statements that rebuild it. */
static int
fresh_drop(struct store_fresh *f, char **cause)
{
	struct db_stmt *s;
	char **drops = NULL;
	size_t i;
	int rc;

	if ((s = db_prepare(f->st->conn, FRESH_LIST_SQL, cause)) == NULL)
		return -1;
	while ((rc = db_step(s, cause)) == DB_ROW) {
		drops = xreallocarray(drops, f->n + 1, sizeof(*drops));
		f->rebuild = xreallocarray(f->rebuild, f->n + 1,
		    sizeof(*f->rebuild));
		drops[f->n] = store_col_text(s, 0);
		f->rebuild[f->n] = store_col_text(s, 1);
		if (db_column_int64(s, 2) == 1)
			f->key = f->n;
		f->n++;
	}
	db_finalize(s);
	if (f->key == (size_t)-1)
		f->key = f->n;
	for (i = 0; i < f->n; i++) {
		if (rc == DB_DONE && db_exec(f->st->conn, drops[i], cause) != 0)
			rc = -1;
		free(drops[i]);
	}
	free(drops);
	return rc == DB_DONE ? 0 : -1;
}

/* The reps by key, and the identity sequence's next value (read, not
 * drawn: a failed import leaves it as it was).  Its increment is 1. */
static int
fresh_read(struct store_fresh *f, char **cause)
{
	struct db_stmt *s;
	char *seq = NULL, *sql;
	int rc;

	if ((s = db_prepare(f->st->conn, "SELECT key, id FROM reps;",
	    cause)) == NULL)
		return -1;
	while ((rc = db_step(s, cause)) == DB_ROW)
		strmap_put(f->reps, db_column_text(s, 0),
		    db_column_int64(s, 1));
	db_finalize(s);
	if (rc != DB_DONE || (s = db_prepare(f->st->conn, "SELECT"
	    " pg_get_serial_sequence('customers', 'id');", cause)) == NULL)
		return -1;
	if ((rc = db_step(s, cause)) == DB_ROW)
		seq = store_col_text(s, 0);
	db_finalize(s);
	if (seq == NULL)
		return rc == DB_ROW ? set_error(cause, "%s: customers.id has no"
		    " sequence", f->st->path) : -1;
	/* A name the catalog gave, quoted by it. */
	sql = xasprintf("SELECT CASE WHEN is_called THEN last_value + 1 ELSE"
	    " last_value END FROM %s;", seq);
	free(seq);
	s = db_prepare(f->st->conn, sql, cause);
	free(sql);
	if (s == NULL)
		return -1;
	if ((rc = db_step(s, cause)) == DB_ROW)
		f->next = db_column_int64(s, 0);
	db_finalize(s);
	return rc == DB_ROW ? 0 : -1;
}

/* COPY into customers: the id, every field, the keys, the times. */
static int
fresh_copy_begin(struct store_fresh *f, char **cause)
{
	const char *cols[FRESH_NCOLS];
	int n = 0, i;

	cols[n++] = "id";
	for (i = 0; i < CUST_NFIELDS; i++)
		cols[n++] = store_customer_columns[i];
	cols[n++] = "bday_md";
	cols[n++] = "bday_lunar";
	cols[n++] = "anniv_md";
	cols[n++] = "created_at";
	cols[n++] = "updated_at";
	f->copy = db_copy_begin(f->st->conn, "customers", cols, n, cause);
	return f->copy != NULL ? 0 : -1;
}

int
store_fresh_begin(struct store *st, const char *const *attrs,
    size_t nattrs, int64_t now, struct store_fresh **out, char **cause)
{
	struct store_fresh *f;
	int rc;

	*out = NULL;
	if ((rc = fresh_eligible(st, cause)) <= 0 ||
	    (rc = fresh_lock(st, cause)) <= 0)
		return rc;
	f = xcalloc(1, sizeof(*f));
	f->st = st;
	f->key = (size_t)-1;
	f->attrs = attrs;
	f->nattrs = nattrs;
	f->reps = strmap_new();
	snprintf(f->now, sizeof(f->now), "%" PRId64, now);
	if (fresh_drop(f, cause) != 0 || fresh_read(f, cause) != 0 ||
	    (nattrs > 0 && (f->spool = tmpfile()) == NULL &&
	    set_error(cause, "a spool file for the attributes: %s",
	    strerror(errno)) != 0) || fresh_copy_begin(f, cause) != 0) {
		store_fresh_free(f);
		return -1;
	}
	*out = f;
	return 0;
}

/* An attribute into the spool: id, attribute number, length, text. */
static int
fresh_spool(struct store_fresh *f, int64_t id, size_t attr, const char *v,
    char **cause)
{
	uint32_t head[2] = { (uint32_t)attr, (uint32_t)strlen(v) };

	if (fwrite(&id, sizeof(id), 1, f->spool) != 1 ||
	    fwrite(head, sizeof(head), 1, f->spool) != 1 ||
	    fwrite(v, 1, head[1], f->spool) != head[1])
		return set_error(cause, "the attributes' spool file: %s",
		    strerror(errno));
	return 0;
}

/* A key's text, NULL for none (0). */
static const char *
fresh_key(char *buf, size_t len, int v)
{
	if (v == 0)
		return NULL;
	snprintf(buf, len, "%d", v);
	return buf;
}

int
store_fresh_add(struct store_fresh *f, unsigned long row,
    const struct customer *c, const struct customer_keys *keys,
    const char *const *attrs, char **cause)
{
	const char *v[FRESH_NCOLS];
	char num[5][24];
	int64_t id, rep;
	size_t i;
	int n = 0, k;

	if (c->field[CUST_REP] != NULL &&
	    !strmap_get(f->reps, c->field[CUST_REP], &rep))
		return 1;
	if (f->last == 0)
		f->off = f->next - (int64_t)row;
	id = f->off + (int64_t)row;
	snprintf(num[0], sizeof(num[0]), "%" PRId64, id);
	v[n++] = num[0];
	for (k = 0; k < CUST_NFIELDS; k++)
		v[n++] = c->field[k];
	if (c->field[CUST_REP] != NULL) {
		snprintf(num[1], sizeof(num[1]), "%" PRId64, rep);
		v[1 + CUST_REP] = num[1];
	}
	v[n++] = fresh_key(num[2], sizeof(num[2]), keys->bday_md);
	v[n++] = fresh_key(num[3], sizeof(num[3]), keys->bday_lunar);
	v[n++] = fresh_key(num[4], sizeof(num[4]), keys->anniv_md);
	v[n++] = f->now;
	v[n++] = f->now;
	if (db_copy_row(f->copy, v, cause) != 0)
		return -1;
	f->last = id;
	for (i = 0; i < f->nattrs; i++) {
		if (attrs[i] != NULL &&
		    fresh_spool(f, id, i, attrs[i], cause) != 0)
			return -1;
	}
	return 0;
}

/* The spooled attributes by COPY into customer_attrs. */
static int
fresh_attrs(struct store_fresh *f, char **cause)
{
	static const char *const cols[] = { "customer_id", "name", "value" };
	const char *v[3];
	struct db_copy *c;
	char id[24], *text = NULL;
	uint32_t head[2];
	int64_t cid;
	size_t cap = 0;
	int rc = 0;

	if (f->spool == NULL || fflush(f->spool) != 0 ||
	    fseeko(f->spool, 0, SEEK_SET) != 0)
		return f->spool == NULL ? 0 : set_error(cause, "the"
		    " attributes' spool file: %s", strerror(errno));
	if ((c = db_copy_begin(f->st->conn, "customer_attrs", cols, 3,
	    cause)) == NULL)
		return -1;
	while (rc == 0 && fread(&cid, sizeof(cid), 1, f->spool) == 1) {
		if (fread(head, sizeof(head), 1, f->spool) != 1 ||
		    head[0] >= f->nattrs)
			break;
		if (head[1] + 1 > cap)
			text = xreallocarray(text, cap = head[1] + 1, 1);
		if (fread(text, 1, head[1], f->spool) != head[1])
			break;
		text[head[1]] = '\0';
		snprintf(id, sizeof(id), "%" PRId64, cid);
		v[0] = id;
		v[1] = f->attrs[head[0]];
		v[2] = text;
		rc = db_copy_row(c, v, cause);
	}
	if (rc == 0 && (ferror(f->spool) || !feof(f->spool)))
		rc = set_error(cause, "the attributes' spool file: %s",
		    ferror(f->spool) ? strerror(errno) : "short record");
	free(text);
	if (rc != 0) {
		db_copy_end(c, NULL);
		return -1;
	}
	return db_copy_end(c, cause) < 0 ? -1 : 0;
}

/* Ends the customers' COPY, then loads their attributes. */
static int
fresh_copy_end(struct store_fresh *f, char **cause)
{
	int64_t n;

	if (f->copy == NULL)
		return 0;
	n = db_copy_end(f->copy, cause);
	f->copy = NULL;
	if (n < 0 || fresh_attrs(f, cause) != 0)
		return -1;
	f->added = n;
	if (f->spool != NULL)
		fclose(f->spool);
	f->spool = NULL;
	return 0;
}

/* Each row whose key an earlier row has, by its id. */
static int
fresh_duplicates(struct store_fresh *f, store_load_dup_fn cb, void *arg,
    char **cause)
{
	struct db_stmt *s;
	int rc, n = 0;

	if ((s = db_prepare(f->st->conn, "SELECT id - ?1, external_id FROM"
	    " (SELECT id, external_id, row_number() OVER (PARTITION BY"
	    " external_id ORDER BY id) AS n FROM customers) d WHERE n > 1"
	    " ORDER BY id;", cause)) == NULL)
		return -1;
	db_bind_int64(s, 1, f->off);
	while ((rc = db_step(s, cause)) == DB_ROW) {
		cb(arg, (unsigned long)db_column_int64(s, 0),
		    db_column_text(s, 1));
		n++;
	}
	db_finalize(s);
	return rc == DB_DONE ? n : -1;
}

/* The key of external_id built again in a savepoint: a duplicate fails
 * it, and only then are the rows looked for. */
int
store_fresh_check(struct store_fresh *f, store_load_dup_fn cb, void *arg,
    char **cause)
{
	char *err = NULL;
	int n;

	if (fresh_copy_end(f, cause) != 0)
		return -1;
	if (f->key < f->n) {
		if (store_unit_begin(f->st, cause) != 0)
			return -1;
		if (db_exec(f->st->conn, f->rebuild[f->key], &err) == 0) {
			free(f->rebuild[f->key]);
			f->rebuild[f->key] = NULL;
			return store_unit_keep(f->st, cause) == 0 ? 0 : -1;
		}
		if (store_unit_undo(f->st) != 0) {
			free(err);
			return set_error(cause, "%s: the transaction is lost",
			    f->st->path);
		}
	}
	n = fresh_duplicates(f, cb, arg, cause);
	if (n == 0 && err != NULL) {	/* it failed for another reason */
		*cause = err;
		return -1;
	}
	free(err);
	return n;
}

/* The sequence moves past the ids given; the indexes are built before
 * the foreign keys are checked: the reverse of the drops. */
int
store_fresh_end(struct store_fresh *f, unsigned long *added, char **cause)
{
	struct db_stmt *s;
	size_t i;
	int rc;

	if ((rc = fresh_copy_end(f, cause)) == 0 && f->last > 0) {
		if ((s = db_prepare(f->st->conn, "SELECT setval("
		    "pg_get_serial_sequence('customers', 'id'), ?1);",
		    cause)) == NULL)
			return -1;
		db_bind_int64(s, 1, f->last);
		rc = db_step(s, cause) == DB_ROW ? 0 : -1;
		db_finalize(s);
	}
	for (i = f->n; rc == 0 && i > 0; i--) {
		if (f->rebuild[i - 1] != NULL)
			rc = db_exec(f->st->conn, f->rebuild[i - 1], cause);
	}
	*added = (unsigned long)f->added;
	return rc;
}

void
store_fresh_free(struct store_fresh *f)
{
	size_t i;

	if (f == NULL)
		return;
	if (f->copy != NULL)	/* abandoned: the transaction goes too */
		db_copy_end(f->copy, NULL);
	if (f->spool != NULL)
		fclose(f->spool);
	for (i = 0; i < f->n; i++)
		free(f->rebuild[i]);
	free(f->rebuild);
	strmap_free(f->reps);
	free(f);
}

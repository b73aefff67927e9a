/* store_load_fresh.c - the first load into an empty customers table on
 * PostgreSQL: constraints and indexes set aside, then rebuilt.
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
 * empty (SQLite's store_bulk.c defers an index on the same condition).
 * The definitions are read from the catalog (pg_get_constraintdef(),
 * pg_get_indexdef()), so what is rebuilt is what was there, under the
 * same names; a failure rolls the whole transaction back, the drops with
 * it.  A role that does not own the tables keeps the row-by-row checks,
 * and so does an import that cannot have the tables within the store's
 * lock timeout (an instance reading them in a long transaction): the
 * import goes on the checked way rather than fail. */
#include <stdlib.h>

#include "store.h"
#include "store_load_fresh.h"
#include "store_schema.h"
#include "util.h"

struct store_fresh {
	struct store *st;
	char **rebuild;		/* statements that restore, in drop order */
	size_t n;
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
 * again.  Server CPU at 1M rows, kept during the INSERT against built
 * after it: phone 3.1 s against 0.9 s, bday and anniv 1.2 against 0.5,
 * rep 0.6 against 0.3, updated 0.5 against 0.2, revisit 0.4 against
 * 0.3.  The other indexes are partial on columns an import leaves empty
 * (or nearly, bday_lunar): kept, they cost nothing, while each build
 * would scan the whole table. */
#define FRESH_LIST_SQL \
	"SELECT d, r FROM (SELECT 0 AS k, conname AS n, format('ALTER TABLE" \
	" %s DROP CONSTRAINT %I;', conrelid::regclass, conname) AS d," \
	" format('ALTER TABLE %s ADD CONSTRAINT %I %s;', conrelid::regclass," \
	" conname, pg_get_constraintdef(oid)) AS r FROM pg_constraint c WHERE" \
	" conrelid IN ('customers'::regclass, 'customer_attrs'::regclass) AND" \
	" (contype = 'f' OR (contype IN ('u', 'p') AND NOT EXISTS (SELECT 1" \
	" FROM pg_constraint f WHERE f.contype = 'f' AND f.conindid =" \
	" c.conindid))) UNION ALL" \
	" SELECT 1, x.relname, format('DROP INDEX %s;', i.indexrelid::regclass)," \
	" pg_get_indexdef(i.indexrelid) || ';' FROM pg_index i JOIN pg_class x" \
	" ON x.oid = i.indexrelid WHERE i.indrelid = 'customers'::regclass" \
	" AND x.relname IN ('customers_phone', 'customers_bday'," \
	" 'customers_anniv', 'customers_rep', 'customers_updated'," \
	" 'customers_revisit') AND NOT EXISTS (SELECT 1 FROM pg_constraint o" \
	" WHERE o.conindid = i.indexrelid)) t ORDER BY k, n;"

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

/* Reads what to drop (drops[]) and the statements that rebuild it. */
static int
fresh_list(struct store_fresh *f, char ***drops, char **cause)
{
	struct db_stmt *s;
	int rc;

	if ((s = db_prepare(f->st->conn, FRESH_LIST_SQL, cause)) == NULL)
		return -1;
	while ((rc = db_step(s, cause)) == DB_ROW) {
		*drops = xreallocarray(*drops, f->n + 1, sizeof(**drops));
		f->rebuild = xreallocarray(f->rebuild, f->n + 1,
		    sizeof(*f->rebuild));
		(*drops)[f->n] = store_col_text(s, 0);
		f->rebuild[f->n++] = store_col_text(s, 1);
	}
	db_finalize(s);
	return rc == DB_DONE ? 0 : -1;
}

int
store_fresh_begin(struct store *st, struct store_fresh **out, char **cause)
{
	struct store_fresh *f;
	char **drops = NULL;
	size_t i;
	int rc;

	*out = NULL;
	if ((rc = fresh_eligible(st, cause)) <= 0 ||
	    (rc = fresh_lock(st, cause)) <= 0)
		return rc;
	f = xcalloc(1, sizeof(*f));
	f->st = st;
	rc = fresh_list(f, &drops, cause);
	for (i = 0; i < f->n; i++) {
		if (rc == 0)
			rc = db_exec(st->conn, drops[i], cause);
		free(drops[i]);
	}
	free(drops);
	if (rc != 0) {
		store_fresh_free(f);
		return -1;
	}
	*out = f;
	return 0;
}

int
store_fresh_ids(struct store_fresh *f, int64_t n, int64_t *base,
    char **cause)
{
	struct db_stmt *s;
	int rc;

	if ((s = db_prepare(f->st->conn, "SELECT setval(pg_get_serial_sequence("
	    "'customers', 'id'), nextval(pg_get_serial_sequence('customers',"
	    " 'id')) + ?1 - 1);", cause)) == NULL)
		return -1;
	db_bind_int64(s, 1, n);
	if ((rc = db_step(s, cause)) == DB_ROW)
		*base = db_column_int64(s, 0) - n;
	db_finalize(s);
	return rc == DB_ROW ? 0 : -1;
}

/* The indexes are built before the foreign keys are checked: the
 * reverse of the drops. */
int
store_fresh_end(struct store_fresh *f, char **cause)
{
	size_t i;
	int rc = 0;

	if (f == NULL)
		return 0;
	for (i = f->n; rc == 0 && i > 0; i--)
		rc = db_exec(f->st->conn, f->rebuild[i - 1], cause);
	store_fresh_free(f);
	return rc;
}

void
store_fresh_free(struct store_fresh *f)
{
	size_t i;

	if (f == NULL)
		return;
	for (i = 0; i < f->n; i++)
		free(f->rebuild[i]);
	free(f->rebuild);
	free(f);
}

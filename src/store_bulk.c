/* store_bulk.c - settings and index work for bulk loads (the import).
 *
 * A new store's first import is the largest write it ever takes, and one
 * transaction.  An index whose entries arrive anywhere (phone) or at a
 * few hundred places at once (a birthday's month-day, a rep) keeps its
 * leaves dirty all through the load: at a million rows they do not stay
 * in the 32 MB cache beside the table's, so SQLite spills and rereads
 * them, and each insert is a descent through a tree the cache lost.
 * Built after the rows instead, an index is one pass over the table and
 * a sort: a first import of a million customers took a quarter less
 * CPU.  So are updated_at and the revisit key, though their entries
 * arrive in order (the same time, three tiers): 6% less wall clock at 1M
 * rows, their sorts beside the others' on a helper thread (below).  The
 * unique key of external_id stays (the upsert needs it), and so do the
 * partial indexes on history a first import has none of: building them
 * would cost a pass each for nothing.  No statement of the import reads
 * the deferred ones.
 *
 * Such a load also runs with the connection's foreign keys off, and
 * checks them once over both tables it wrote before the commit, as a
 * migration does (store.c): row by row each customer's rep and each
 * attribute's customer were looked up again as it was written, 7% of the
 * import's instructions, while the check over the tables costs two
 * passes.  SQLite changes the setting only outside a transaction, so it
 * is decided before the import's begins. */
#include <stdlib.h>
#include <string.h>

#include "store.h"
#include "store_schema.h"
#include "strmap.h"
#include "util.h"

/* The page cache while a deferred index is built (see below). */
#define STORE_BULK_SORT_KB 2048

/* The indexes a load into an empty table builds at the end. */
static const char *const bulk_deferred[] = {
	"customers_phone", "customers_bday", "customers_anniv",
	"customers_bday_lunar", "customers_rep", "customers_revisit",
	"customers_updated"
};

/* The cache is what a bulk load's memory is: a 256 MB one held 360 MB at
 * a million customers.  Past STORE_BULK_CACHE_KB dirty pages spill to the
 * WAL (still inside the transaction), which costs little, as rows are
 * mostly appended.  The CHECK constraints test values the importer has
 * validated already (customer.c), and an IN list in a CHECK is evaluated
 * through a temporary B-tree built for every row written.  Foreign keys
 * are checked at the commit: a statement that could fail on one half way
 * would keep a statement journal, a copy of every page it changes. */
void
store_bulk(struct store *st, int on)
{
	char *sql;
	size_t i;

	if (st->db == NULL)
		return;
	sql = xasprintf("PRAGMA cache_size = -%d; PRAGMA "
	    "ignore_check_constraints = %d; PRAGMA defer_foreign_keys = %d;",
	    on ? STORE_BULK_CACHE_KB : 2000, on, on);
	sqlite3_exec(st->db, sql, NULL, NULL, NULL);
	free(sql);
	strmap_free(st->bulk_reps);
	st->bulk_reps = on ? strmap_new() : NULL;
	if (!on && st->bulk_unchecked) {	/* outside the transaction now */
		sqlite3_exec(st->db, "PRAGMA foreign_keys = ON;", NULL, NULL,
		    NULL);
		st->bulk_unchecked = 0;
	}
	for (i = 0; i < st->ndeferred; i++)
		free(st->deferred[i]);
	free(st->deferred);
	st->deferred = NULL;
	st->ndeferred = 0;
}

/* 1 when customers has no row, 0 when it has, -1 on error. */
static int
bulk_customers_empty(struct store *st, char **cause)
{
	struct db_stmt *s;
	int rc;

	if ((s = db_prepare(st->conn, "SELECT 1 FROM customers LIMIT 1;",
	    cause)) == NULL)
		return -1;
	rc = db_step(s, cause);
	db_finalize(s);
	return rc == DB_ERROR ? -1 : rc == DB_DONE;
}

int
store_bulk_unchecked(struct store *st, char **cause)
{
	int rc;

	if (st->db == NULL || (rc = bulk_customers_empty(st, cause)) == 0)
		return 0;
	if (rc < 0 || db_exec(st->conn, "PRAGMA foreign_keys = OFF;",
	    cause) != 0)
		return -1;
	st->bulk_unchecked = 1;
	return 0;
}

/* The foreign keys of the tables a load wrote with them off: a row that
 * points nowhere fails the load. */
static int
bulk_fk_check(struct store *st, char **cause)
{
	static const char *const tables[] = { "customers", "customer_attrs" };
	struct db_stmt *s;
	char *sql;
	size_t i;
	int rc = DB_DONE;

	for (i = 0; rc == DB_DONE && i < ARRAY_SIZE(tables); i++) {
		sql = xasprintf("PRAGMA foreign_key_check(%s);", tables[i]);
		s = db_prepare(st->conn, sql, cause);
		free(sql);
		if (s == NULL)
			return -1;
		if ((rc = db_step(s, cause)) == DB_ROW)
			set_error(cause, "%s: the load leaves row %lld of %s"
			    " pointing nowhere (%s)", st->path,
			    (long long)db_column_int64(s, 1), tables[i],
			    db_column_text(s, 2));
		db_finalize(s);
	}
	return rc == DB_DONE ? 0 : -1;
}

/* Keeps index name's CREATE INDEX text and drops it: 0, or -1. */
static int
bulk_drop_index(struct store *st, const char *name, char **cause)
{
	struct db_stmt *s;
	char *sql = NULL, *drop;
	int rc;

	if ((s = db_prepare(st->conn, "SELECT sql FROM sqlite_schema WHERE"
	    " type = 'index' AND name = ?1;", cause)) == NULL)
		return -1;
	db_bind_text(s, 1, name);
	if ((rc = db_step(s, cause)) == DB_ROW)
		sql = store_col_text(s, 0);
	db_finalize(s);
	if (rc == DB_ERROR)
		return -1;
	if (sql == NULL)	/* not in this schema: nothing to defer */
		return 0;
	drop = xasprintf("DROP INDEX %s;", name);
	rc = db_exec(st->conn, drop, cause);
	free(drop);
	if (rc != 0) {
		free(sql);
		return -1;
	}
	st->deferred = xreallocarray(st->deferred, st->ndeferred + 1,
	    sizeof(*st->deferred));
	st->deferred[st->ndeferred++] = sql;
	return 0;
}

int
store_bulk_defer(struct store *st, char **cause)
{
	size_t i;
	int rc;

	if (st->db == NULL)
		return 0;
	if ((rc = bulk_customers_empty(st, cause)) <= 0)
		return rc;
	for (i = 0; i < ARRAY_SIZE(bulk_deferred); i++) {
		if (bulk_drop_index(st, bulk_deferred[i], cause) != 0)
			return -1;
	}
	return 1;
}

/* CREATE INDEX sorts the rows.  With temp_store = MEMORY (the store's
 * setting, store_configure()) SQLite keeps the whole sort in memory, 75
 * MB more at a million rows; in temporary files it keeps up to the page
 * cache's size, which shrinks to STORE_BULK_SORT_KB meanwhile (dirty
 * pages spill to the WAL).  SQLite refuses to change temp_store while a
 * temporary table is open: then the sort stays in memory.  A helper
 * thread sorts beside the main one (PRAGMA threads): 2.5% less wall
 * clock at 1M rows, 3-4 MB more at the peak. */
int
store_bulk_finish(struct store *st, char **cause)
{
	char *sql;
	size_t i;
	int rc = 0;

	if (st->bulk_unchecked && bulk_fk_check(st, cause) != 0)
		return -1;
	if (st->ndeferred == 0)
		return 0;
	sql = xasprintf("PRAGMA cache_size = -%d;", STORE_BULK_SORT_KB);
	rc = db_exec(st->conn, sql, cause);
	free(sql);
	sqlite3_exec(st->db, "PRAGMA temp_store = FILE; PRAGMA threads = 2;",
	    NULL, NULL, NULL);
	for (i = 0; rc == 0 && i < st->ndeferred; i++)
		rc = db_exec(st->conn, st->deferred[i], cause);
	sqlite3_exec(st->db, "PRAGMA temp_store = MEMORY; PRAGMA threads = 0;",
	    NULL, NULL, NULL);
	return rc;
}

/* store_keydate.c - customers' key dates: written once per label, read
 * with the customer, found by the planner through migration 15's
 * indexes. */
#include <stdlib.h>
#include <string.h>

#include "customer.h"
#include "store_keydate.h"
#include "store_schema.h"
#include "util.h"

/* Binds a key as an integer, or NULL for none. */
static void
bind_key(struct db_stmt *s, int i, int64_t v, int64_t none)
{
	if (v == none)
		db_bind_null(s, i);
	else
		db_bind_int64(s, i, v);
}

/* Runs a cached statement that returns nothing. */
static int
step_done(struct db_stmt *s, char **cause)
{
	int rc = store_run(s, cause);

	db_reset(s);
	return rc;
}

#define TOUCH_SQL(max) "UPDATE customers SET updated_at =" \
	" " max "(updated_at, ?2) WHERE id = ?1;"

/* A change of a key date is a change of the customer's record (the feeds
 * and the stale clock follow its update time). */
static int
touch_customer(struct store *st, int64_t customer_id, int64_t now,
    char **cause)
{
	struct db_stmt *s;

	s = store_stmt(st, STMT_KEYDATE_TOUCH, store_dialect(st,
	    TOUCH_SQL("max"), TOUCH_SQL("greatest")), cause);
	if (s == NULL)
		return -1;
	db_bind_int64(s, 1, customer_id);
	db_bind_int64(s, 2, now);
	return step_done(s, cause);
}

/* The stored date and yearly of the customer's label: 1, 0 none, -1. */
static int
keydate_stored(struct store *st, int64_t customer_id, const char *label,
    char **date, int *yearly, char **cause)
{
	struct db_stmt *s;
	int rc;

	s = store_stmt(st, STMT_KEYDATE_GET, "SELECT date, yearly FROM"
	    " keydates WHERE customer_id = ?1 AND label = ?2;", cause);
	if (s == NULL)
		return -1;
	db_bind_int64(s, 1, customer_id);
	db_bind_text(s, 2, label);
	if ((rc = db_step(s, cause)) == DB_ROW) {
		*date = store_col_text(s, 0);
		*yearly = (int)db_column_int64(s, 1);
	}
	db_reset(s);
	return rc == DB_ERROR ? -1 : rc == DB_ROW;
}

int
store_keydate_set(struct store *st, int64_t customer_id,
    const struct keydate *k, int64_t now, char **cause)
{
	struct keydate_keys keys;
	struct db_stmt *s;
	char *old = NULL;
	int yearly = 0, rc;

	if ((rc = keydate_stored(st, customer_id, k->label, &old, &yearly,
	    cause)) < 0)
		return -1;
	if (rc == 1 && strcmp(old, k->date) == 0 && yearly == !!k->yearly) {
		free(old);
		return KEYDATE_UNCHANGED;
	}
	free(old);
	s = rc == 1 ? store_stmt(st, STMT_KEYDATE_UPDATE, "UPDATE keydates"
	    " SET date = ?3, yearly = ?4, md = ?5, lunar = ?6, day = ?7,"
	    " updated_at = ?8 WHERE customer_id = ?1 AND label = ?2;", cause) :
	    store_stmt(st, STMT_KEYDATE_INSERT, "INSERT INTO keydates"
	    " (customer_id, label, date, yearly, md, lunar, day, created_at,"
	    " updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8);",
	    cause);
	if (s == NULL)
		return -1;
	keydate_keys(k->date, k->yearly, &keys);
	db_bind_int64(s, 1, customer_id);
	db_bind_text(s, 2, k->label);
	db_bind_text(s, 3, k->date);
	db_bind_int64(s, 4, !!k->yearly);
	bind_key(s, 5, keys.md, 0);
	bind_key(s, 6, keys.lunar, 0);
	bind_key(s, 7, keys.day, DAY_NONE);
	db_bind_int64(s, 8, now);
	if (step_done(s, cause) != 0 ||
	    touch_customer(st, customer_id, now, cause) != 0)
		return -1;
	return rc == 1 ? KEYDATE_UPDATED : KEYDATE_ADDED;
}

int
store_keydate_delete(struct store *st, int64_t customer_id,
    const char *label, int64_t now, char **cause)
{
	struct db_stmt *s;

	s = store_stmt(st, STMT_KEYDATE_DELETE, "DELETE FROM keydates WHERE"
	    " customer_id = ?1 AND label = ?2;", cause);
	if (s == NULL)
		return -1;
	db_bind_int64(s, 1, customer_id);
	db_bind_text(s, 2, label);
	if (step_done(s, cause) != 0)
		return -1;
	if (db_changes(st->conn) == 0)
		return 0;
	return touch_customer(st, customer_id, now, cause) == 0 ? 1 : -1;
}

int
store_keydates_read(struct store *st, struct customer *c, char **cause)
{
	struct db_stmt *s;
	struct keydate *k;
	int rc;

	/* Kept prepared: every task page reads them, and planning this
	 * query costs more than running it. */
	s = store_stmt(st, STMT_KEYDATES_READ, "SELECT id, label, date,"
	    " yearly, updated_at FROM keydates WHERE customer_id = ?1"
	    " ORDER BY label;", cause);
	if (s == NULL)
		return -1;
	db_bind_int64(s, 1, c->id);
	while ((rc = db_step(s, cause)) == DB_ROW) {
		c->keydates = xreallocarray(c->keydates, c->nkeydates + 1,
		    sizeof(*c->keydates));
		k = &c->keydates[c->nkeydates++];
		k->id = db_column_int64(s, 0);
		k->label = store_col_text(s, 1);
		k->date = store_col_text(s, 2);
		k->yearly = (int)db_column_int64(s, 3);
		k->updated_at = db_column_int64(s, 4);
	}
	db_reset(s);
	return rc == DB_DONE ? 0 : -1;
}

#define KD_SELECT "SELECT " STORE_CAND_COLUMNS ", k.label, k.date, k.yearly" \
	" FROM keydates k JOIN customers c ON c.id = k.customer_id" \
	" LEFT JOIN reps r ON r.id = c.rep_id WHERE k.label = ?5 AND "

/* Each matches one of migration 15's indexes, label first. */
static const char *const keydate_sql[KQ_COUNT] = {
	[KQ_MD] = KD_SELECT "k.md IN (?1, ?2, ?3, ?4) ORDER BY c.id",
	[KQ_LUNAR] = KD_SELECT "k.lunar IN (?1, ?2, ?3, ?4) ORDER BY c.id",
	[KQ_DAY] = KD_SELECT "k.day = ?1 ORDER BY c.id",
};

int
store_keydate_due(struct store *st, enum store_keydate_query q,
    const char *label, const int64_t *keys, size_t nkeys, plan_cand_cb cb,
    void *arg, char **cause)
{
	struct db_stmt *s;
	struct plan_cand c;
	size_t i;
	int rc, stop = 0;

	if (nkeys == 0)
		return 0;
	if ((s = db_prepare(st->conn, keydate_sql[q], cause)) == NULL)
		return -1;
	/* Four keys in the IN lists (?2..?4 unused by KQ_DAY, bound as
	 * int64, a type PostgreSQL can declare): the last one repeats. */
	for (i = 0; i < 4; i++)
		db_bind_int64(s, (int)i + 1, keys[i < nkeys ? i : nkeys - 1]);
	db_bind_text(s, 5, label);
	while (!stop && (rc = db_step(s, cause)) == DB_ROW) {
		memset(&c, 0, sizeof(c));
		store_cand_read(s, &c);
		c.kd_label = db_column_text(s, STORE_CAND_NCOLS);
		c.kd_date = db_column_text(s, STORE_CAND_NCOLS + 1);
		c.kd_yearly = (int)db_column_int64(s, STORE_CAND_NCOLS + 2);
		stop = cb(arg, &c);
	}
	db_finalize(s);
	if (stop)
		return stop;
	return rc == DB_DONE ? 0 : -1;
}

/* A rep's key dates; the row changed when the customer or the date did
 * (SQLite's two-argument max() is PostgreSQL's greatest()). */
#define KD_REP_SQL(max) "SELECT k.id, k.label, k.date, k.yearly," \
	" coalesce(c.name, c.external_id), c.phone, c.tier_eff," \
	" " max "(c.updated_at, k.updated_at)" \
	" FROM reps p JOIN customers c ON c.rep_id = p.id" \
	" JOIN keydates k ON k.customer_id = c.id WHERE p.key = ?1" \
	" ORDER BY c.external_id, k.label;"

int
store_keydate_each_rep(struct store *st, const char *rep,
    store_keydate_cb cb, void *arg, char **cause)
{
	struct store_keydate_row r;
	struct db_stmt *s;
	const char *tier;
	int rc, stop = 0;

	s = db_prepare(st->conn, store_dialect(st, KD_REP_SQL("max"),
	    KD_REP_SQL("greatest")), cause);
	if (s == NULL)
		return -1;
	db_bind_text(s, 1, rep);
	while (!stop && (rc = db_step(s, cause)) == DB_ROW) {
		memset(&r, 0, sizeof(r));
		r.id = db_column_int64(s, 0);
		r.label = db_column_text(s, 1);
		r.date = db_column_text(s, 2);
		r.yearly = (int)db_column_int64(s, 3);
		r.customer = db_column_text(s, 4);
		r.phone = db_column_text(s, 5);
		tier = db_column_text(s, 6);
		r.tier = tier != NULL ? tier[0] : 'C';
		r.modified = db_column_int64(s, 7);
		stop = cb(arg, &r);
	}
	db_finalize(s);
	if (stop)
		return stop;
	return rc == DB_DONE ? 0 : -1;
}

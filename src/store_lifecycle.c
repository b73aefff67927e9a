/* store_lifecycle.c - the lifecycle_days table (store_lifecycle.h). */
#include <string.h>

#include "customer.h"
#include "store_lifecycle.h"
#include "store_schema.h"

int
store_lifecycle_put(struct store *st, const struct lifecycle_count *c,
    char **cause)
{
	char tier[2] = { c->tier, '\0' };
	struct db_stmt *s;
	int rc;

	/* The primary key is the only unique constraint: replacing on it is
	 * what INSERT OR REPLACE did. */
	s = store_stmt(st, STMT_LIFECYCLE_PUT, "INSERT INTO lifecycle_days"
	    " (day, tier, rep, state, customers, reconstructed) VALUES (?1, ?2,"
	    " ?3, ?4, ?5, ?6) ON CONFLICT (day, tier, rep, state) DO UPDATE SET"
	    " customers = excluded.customers, reconstructed ="
	    " excluded.reconstructed;", cause);
	if (s == NULL)
		return -1;
	db_bind_int64(s, 1, c->day);
	db_bind_text(s, 2, tier);
	db_bind_text(s, 3, c->rep ? c->rep : "");
	db_bind_text(s, 4, c->state);
	db_bind_int64(s, 5, c->customers);
	db_bind_int64(s, 6, c->reconstructed);
	rc = store_run(s, cause);
	db_reset(s);
	return rc;
}

int
store_lifecycle_recorded(struct store *st, char **cause)
{
	struct db_stmt *s;
	int rc;

	if ((s = db_prepare(st->conn, "SELECT 1 FROM lifecycle_days LIMIT 1;",
	    cause)) == NULL)
		return -1;
	rc = db_step(s, cause);
	db_finalize(s);
	return rc == DB_ERROR ? -1 : rc == DB_ROW;
}

int
store_lifecycle_latest(struct store *st, lifecycle_count_cb cb, void *arg,
    char **cause)
{
	struct lifecycle_count c;
	const char *t;
	struct db_stmt *s;
	int rc, stop = 0;

	/* One day only, so grouping by it too changes nothing (PostgreSQL
	 * wants every column grouped). */
	s = db_prepare(st->conn, "SELECT day, tier, state, sum(customers) FROM"
	    " lifecycle_days WHERE day = (SELECT max(day) FROM lifecycle_days"
	    " WHERE reconstructed = 0) GROUP BY day, tier, state ORDER BY tier,"
	    " state;", cause);
	if (s == NULL)
		return -1;
	while (!stop && (rc = db_step(s, cause)) == DB_ROW) {
		memset(&c, 0, sizeof(c));
		c.day = (int32_t)db_column_int64(s, 0);
		t = db_column_text(s, 1);
		c.tier = t != NULL ? t[0] : 'C';
		c.state = db_column_text(s, 2);
		c.customers = (long)db_column_int64(s, 3);
		stop = cb(arg, &c);
	}
	db_finalize(s);
	if (stop)
		return stop;
	return rc == DB_DONE ? 0 : -1;
}

int
store_purchase_first_day(struct store *st, int32_t *day, char **cause)
{
	struct db_stmt *s;
	int rc;

	if ((s = db_prepare(st->conn, "SELECT min(day) FROM purchases;",
	    cause)) == NULL)
		return -1;
	if ((rc = db_step(s, cause)) == DB_ROW)
		*day = store_col_day(s, 0);
	db_finalize(s);
	if (rc == DB_ERROR)
		return -1;
	/* An aggregate always gives a row. */
	return rc == DB_ROW && *day != DAY_NONE;
}

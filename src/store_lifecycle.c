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
	sqlite3_stmt *s;
	int rc;

	s = store_cached(st, STMT_LIFECYCLE_PUT, "INSERT OR REPLACE INTO"
	    " lifecycle_days (day, tier, rep, state, customers, reconstructed)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6);", cause);
	if (s == NULL)
		return -1;
	sqlite3_bind_int(s, 1, c->day);
	store_bind_text(s, 2, tier);
	store_bind_text(s, 3, c->rep ? c->rep : "");
	store_bind_text(s, 4, c->state);
	sqlite3_bind_int64(s, 5, c->customers);
	sqlite3_bind_int(s, 6, c->reconstructed);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	return rc == SQLITE_DONE ? 0 : store_fail(st, "saving lifecycle counts",
	    cause);
}

int
store_lifecycle_recorded(struct store *st, char **cause)
{
	sqlite3_stmt *s;
	int rc;

	if ((s = store_prepare(st, "SELECT 1 FROM lifecycle_days LIMIT 1;",
	    cause)) == NULL)
		return -1;
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_fail(st, "reading lifecycle counts", cause);
	return rc == SQLITE_ROW;
}

int
store_lifecycle_latest(struct store *st, lifecycle_count_cb cb, void *arg,
    char **cause)
{
	struct lifecycle_count c;
	const unsigned char *t;
	sqlite3_stmt *s;
	int rc, stop = 0;

	s = store_prepare(st, "SELECT day, tier, state, sum(customers) FROM"
	    " lifecycle_days WHERE day = (SELECT max(day) FROM lifecycle_days"
	    " WHERE reconstructed = 0) GROUP BY tier, state ORDER BY tier,"
	    " state;", cause);
	if (s == NULL)
		return -1;
	while (!stop && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		memset(&c, 0, sizeof(c));
		c.day = sqlite3_column_int(s, 0);
		t = sqlite3_column_text(s, 1);
		c.tier = t != NULL ? (char)t[0] : 'C';
		c.state = (const char *)sqlite3_column_text(s, 2);
		c.customers = (long)sqlite3_column_int64(s, 3);
		stop = cb(arg, &c);
	}
	sqlite3_finalize(s);
	if (stop)
		return stop;
	return rc == SQLITE_DONE ? 0 : store_fail(st,
	    "reading lifecycle counts", cause);
}

int
store_purchase_first_day(struct store *st, int32_t *day, char **cause)
{
	sqlite3_stmt *s;
	int rc;

	if ((s = store_prepare(st, "SELECT min(day) FROM purchases;",
	    cause)) == NULL)
		return -1;
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW)
		*day = store_column_day(s, 0);
	sqlite3_finalize(s);
	if (rc != SQLITE_ROW)
		return store_fail(st, "reading purchases", cause);
	return *day != DAY_NONE;
}

/* store_stats.c - counts for `outreachctl stats` and, later, /metrics. */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "store.h"
#include "store_schema.h"
#include "util.h"

/* Runs a one-row count into *out. */
static int
count_one(struct store *st, const char *sql, long *out, char **cause)
{
	struct db_stmt *s;
	int rc;

	if ((s = db_prepare(st->conn, sql, cause)) == NULL)
		return -1;
	if ((rc = db_step(s, cause)) == DB_ROW)
		*out = (long)db_column_int64(s, 0);
	db_finalize(s);
	return rc == DB_ROW ? 0 : -1;
}

/* Appends each (key, count) row to *out; a NULL key reads as "". */
static int
count_groups(struct store *st, const char *sql, struct store_count **out,
    size_t *n, char **cause)
{
	struct db_stmt *s;
	const char *k;
	int rc;

	if ((s = db_prepare(st->conn, sql, cause)) == NULL)
		return -1;
	while ((rc = db_step(s, cause)) == DB_ROW) {
		*out = xreallocarray(*out, *n + 1, sizeof(**out));
		k = db_column_text(s, 0);
		(*out)[*n].key = xstrdup(k ? k : "");
		(*out)[*n].count = (long)db_column_int64(s, 1);
		(*n)++;
	}
	db_finalize(s);
	return rc == DB_DONE ? 0 : -1;
}

int
store_stats(struct store *st, struct store_stats *s, char **cause)
{
	static const struct {
		const char *sql;
		size_t off;
	} singles[] = {
		/* lower(): SQLite's LIKE ignores case, PostgreSQL's not. */
		{ "SELECT count(*) FROM customers;",
		  offsetof(struct store_stats, customers) },
		{ "SELECT count(*) FROM customers WHERE birthday IS NOT NULL;",
		  offsetof(struct store_stats, with_birthday) },
		{ "SELECT count(*) FROM customers WHERE"
		  " lower(opt_out) LIKE '%email%';",
		  offsetof(struct store_stats, opted_out_email) },
		{ "SELECT count(*) FROM customers WHERE"
		  " lower(opt_out) LIKE '%sms%';",
		  offsetof(struct store_stats, opted_out_sms) },
		{ "SELECT count(*) FROM customers WHERE"
		  " lower(opt_out) LIKE '%all%';",
		  offsetof(struct store_stats, opted_out_all) },
		{ "SELECT count(*) FROM purchases;",
		  offsetof(struct store_stats, purchases) },
		{ "SELECT count(*) FROM contacts;",
		  offsetof(struct store_stats, contacts) },
	};
	size_t i;

	memset(s, 0, sizeof(*s));
	for (i = 0; i < ARRAY_SIZE(singles); i++) {
		if (count_one(st, singles[i].sql,
		    (long *)((char *)s + singles[i].off), cause) != 0)
			return -1;
	}
	s->without_birthday = s->customers - s->with_birthday;
	/* NULLS FIRST is SQLite's order; PostgreSQL's default is the
	 * other. */
	if (count_groups(st, "SELECT tier_eff, count(*) FROM customers"
	    " GROUP BY tier_eff ORDER BY tier_eff NULLS FIRST;", &s->by_tier,
	    &s->nby_tier, cause) != 0)
		return -1;
	return count_groups(st, "SELECT r.key, count(*) FROM customers c"
	    " LEFT JOIN reps r ON r.id = c.rep_id GROUP BY r.key ORDER BY r.key"
	    " NULLS FIRST;", &s->by_rep, &s->nby_rep, cause);
}

void
store_stats_clear(struct store_stats *s)
{
	size_t i;

	for (i = 0; i < s->nby_tier; i++)
		free(s->by_tier[i].key);
	for (i = 0; i < s->nby_rep; i++)
		free(s->by_rep[i].key);
	free(s->by_tier);
	free(s->by_rep);
	memset(s, 0, sizeof(*s));
}

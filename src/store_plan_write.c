/* store_plan_write.c - the planner's writes on PostgreSQL, held and sent
 * in three statements (store_plan_write.h). */
#include <stdlib.h>
#include <string.h>

#include "store_plan_batch.h"
#include "store_plan_write.h"
#include "store_schema.h"
#include "strmap.h"
#include "util.h"

/* The item columns, in the order of the INSERT's arrays. */
enum { W_KEY, W_RULE, W_EVENT, W_CUSTOMER, W_DAY, W_OCCURRENCE, W_ACTION,
	W_CHANNEL, W_TASK_KIND, W_REASON, W_CREATED, W_NCOLS };

struct plan_writes {
	struct buf item[W_NCOLS];
	size_t nitems;
	char **merge_keys, **merge_entries;	/* in the order noted */
	size_t nmerges;
	int64_t merge_now;
	struct buf revisit_ids, revisit_days;
	size_t nrevisits;
	struct plan_write_counts counts;
	char *error;		/* the first flush failure */
};

/* Items in the order noted (WITH ORDINALITY), so their ids are. */
static const char insert_sql[] = "INSERT INTO plan_items (dedup_key, rule,"
    " event, customer_id, day, occurrence, action, channel, task_kind,"
    " reason, created_at) SELECT k, r, e, c, d, o, a, ch, tk, re, ca FROM"
    " unnest(CAST(?1 AS text[]), CAST(?2 AS text[]), CAST(?3 AS text[]),"
    " CAST(?4 AS bigint[]), CAST(?5 AS integer[]), CAST(?6 AS integer[]),"
    " CAST(?7 AS text[]), CAST(?8 AS text[]), CAST(?9 AS text[]),"
    " CAST(?10 AS text[]), CAST(?11 AS bigint[])) WITH ORDINALITY"
    " AS u(k, r, e, c, d, o, a, ch, tk, re, ca, n) ORDER BY n"
    " ON CONFLICT (dedup_key) DO NOTHING RETURNING dedup_key";

/*
 * store_plan_task_merge() one task after the other merges each into the
 * open, unmerged task of the customer's day with the lowest id other
 * than itself.  The tasks here were inserted in that order, after every
 * older one, and a task only merges as it is inserted, so that host is
 * the lowest id of the day's open unmerged tasks now, whatever the
 * order: every other task of the list merges into it, its reason gets
 * their entries in id order.  The hosts are found by a join grouped by
 * day: as a subquery per task, min(id) walked the primary key through
 * every item of the table (54 s for 27k tasks at 1M customers).
 */
static const char merge_sql[] = "WITH m AS (SELECT p.id, p.customer_id,"
    " p.day, u.e FROM unnest(CAST(?1 AS text[]), CAST(?2 AS text[]))"
    " AS u(k, e) JOIN plan_items p ON p.dedup_key = u.k),"
    " h AS (SELECT q.customer_id, q.day, min(q.id) AS host"
    " FROM plan_items q JOIN (SELECT DISTINCT customer_id, day FROM m) d"
    " ON q.customer_id = d.customer_id AND q.day = d.day"
    " WHERE q.action = 'task' AND q.status = 'open'"
    " AND q.merged_into IS NULL GROUP BY q.customer_id, q.day),"
    " j AS (SELECT m.id, m.e, h.host FROM m JOIN h"
    " ON h.customer_id = m.customer_id AND h.day = m.day),"
    " x AS (UPDATE plan_items p SET merged_into = j.host FROM j"
    " WHERE p.id = j.id AND j.host <> j.id)"
    " UPDATE plan_items p SET reason = p.reason || g.add,"
    " sequence = p.sequence + g.n, modified_at = ?3"
    " FROM (SELECT host, string_agg('; ' || e, '' ORDER BY id) AS add,"
    " count(*) AS n FROM j WHERE host <> id GROUP BY host) g"
    " WHERE p.id = g.host RETURNING g.n";

static const char revisit_sql[] = "UPDATE customers SET revisit_planned ="
    " u.d, revisit_next = NULL FROM unnest(CAST(?1 AS bigint[]),"
    " CAST(?2 AS integer[])) AS u(id, d) WHERE customers.id = u.id";

void
plan_write_begin(struct store *st)
{
	struct plan_writes *w = xcalloc(1, sizeof(*w));
	int i;

	for (i = 0; i < W_NCOLS; i++)
		buf_init(&w->item[i]);
	buf_init(&w->revisit_ids);
	buf_init(&w->revisit_days);
	st->writes = w;
}

int
plan_write_pending(const struct store *st)
{
	const struct plan_writes *w = st->writes;

	return w != NULL && (w->nitems > 0 || w->nmerges > 0 ||
	    w->nrevisits > 0);
}

void
plan_write_item(struct store *st, const struct plan_row *r, int64_t now)
{
	struct buf *b = st->writes->item;

	plan_array_text(&b[W_KEY], r->dedup_key);
	plan_array_text(&b[W_RULE], r->rule);
	plan_array_text(&b[W_EVENT], r->event);
	plan_array_int(&b[W_CUSTOMER], r->customer_id);
	plan_array_int(&b[W_DAY], r->day);
	plan_array_int(&b[W_OCCURRENCE], r->occurrence);
	plan_array_text(&b[W_ACTION], r->action);
	plan_array_text(&b[W_CHANNEL], r->channel);
	plan_array_text(&b[W_TASK_KIND], r->task_kind);
	plan_array_text(&b[W_REASON], r->reason);
	plan_array_int(&b[W_CREATED], now);
	st->writes->nitems++;
}

void
plan_write_merge(struct store *st, const char *dedup_key, const char *entry,
    int64_t now)
{
	struct plan_writes *w = st->writes;

	w->merge_keys = xreallocarray(w->merge_keys, w->nmerges + 1,
	    sizeof(*w->merge_keys));
	w->merge_entries = xreallocarray(w->merge_entries, w->nmerges + 1,
	    sizeof(*w->merge_entries));
	w->merge_keys[w->nmerges] = xstrdup(dedup_key);
	w->merge_entries[w->nmerges++] = xstrdup(entry);
	w->merge_now = now;
}

void
plan_write_revisit(struct store *st, int64_t customer_id, int32_t day)
{
	struct plan_writes *w = st->writes;

	plan_array_int(&w->revisit_ids, customer_id);
	plan_array_int(&w->revisit_days, day);
	w->nrevisits++;
}

/* The items; the keys inserted go into ins (the others existed). */
static int
flush_items(struct store *st, struct strmap *ins, char **cause)
{
	struct plan_writes *w = st->writes;
	struct db_stmt *s;
	size_t n = 0;
	int i, rc;

	if ((s = db_prepare(st->conn, insert_sql, cause)) == NULL)
		return -1;
	for (i = 0; i < W_NCOLS; i++)
		plan_array_bind(s, i + 1, &w->item[i]);
	while ((rc = db_step(s, cause)) == DB_ROW) {
		strmap_put(ins, db_column_text(s, 0), 1);
		n++;
	}
	db_finalize(s);
	if (rc != DB_DONE)
		return -1;
	w->counts.existed += w->nitems - n;
	for (i = 0; i < W_NCOLS; i++)
		buf_reset(&w->item[i]);
	w->nitems = 0;
	return 0;
}

/* The merges of the tasks inserted (as store_plan_task_merge() merges
 * only an item just inserted). */
static int
flush_merges(struct store *st, const struct strmap *ins, char **cause)
{
	struct plan_writes *w = st->writes;
	struct buf keys, entries;
	struct db_stmt *s = NULL;
	size_t i, n = 0;
	int rc = DB_DONE;

	buf_init(&keys);
	buf_init(&entries);
	for (i = 0; i < w->nmerges; i++) {
		if (strmap_get(ins, w->merge_keys[i], NULL)) {
			plan_array_text(&keys, w->merge_keys[i]);
			plan_array_text(&entries, w->merge_entries[i]);
			n++;
		}
		free(w->merge_keys[i]);
		free(w->merge_entries[i]);
	}
	w->nmerges = 0;
	if (n > 0 && (s = db_prepare(st->conn, merge_sql, cause)) == NULL)
		rc = DB_ERROR;
	if (s != NULL) {
		plan_array_bind(s, 1, &keys);
		plan_array_bind(s, 2, &entries);
		db_bind_int64(s, 3, w->merge_now);
		while ((rc = db_step(s, cause)) == DB_ROW)
			w->counts.merged += (unsigned long)db_column_int64(s, 0);
		db_finalize(s);
	}
	buf_free(&keys);
	buf_free(&entries);
	return rc == DB_DONE ? 0 : -1;
}

static int
flush_revisits(struct store *st, char **cause)
{
	struct plan_writes *w = st->writes;
	struct db_stmt *s;

	if ((s = db_prepare(st->conn, revisit_sql, cause)) == NULL)
		return -1;
	plan_array_bind(s, 1, &w->revisit_ids);
	plan_array_bind(s, 2, &w->revisit_days);
	buf_reset(&w->revisit_ids);
	buf_reset(&w->revisit_days);
	w->nrevisits = 0;
	return store_write(st, s, cause) < 0 ? -1 : 0;
}

int
plan_write_flush(struct store *st, char **cause)
{
	struct plan_writes *w = st->writes;
	struct strmap *ins;
	char *why = NULL;
	int rc = 0;

	if (w == NULL)
		return 0;
	if (w->error != NULL) {
		set_error(cause, "%s", w->error);
		return -1;
	}
	ins = strmap_new();
	if ((w->nitems > 0 && flush_items(st, ins, &why) != 0) ||
	    (w->nmerges > 0 && flush_merges(st, ins, &why) != 0) ||
	    (w->nrevisits > 0 && flush_revisits(st, &why) != 0)) {
		w->error = why;
		set_error(cause, "%s", why);
		rc = -1;
	}
	strmap_free(ins);
	return rc;
}

int
plan_write_end(struct store *st, int send, struct plan_write_counts *n,
    char **cause)
{
	struct plan_writes *w = st->writes;
	size_t i;
	int rc = 0;

	if (w == NULL)
		return 0;
	if (send)
		rc = plan_write_flush(st, cause);
	n->existed += w->counts.existed;
	n->merged += w->counts.merged;
	for (i = 0; i < W_NCOLS; i++)
		buf_free(&w->item[i]);
	for (i = 0; i < w->nmerges; i++) {
		free(w->merge_keys[i]);
		free(w->merge_entries[i]);
	}
	free(w->merge_keys);
	free(w->merge_entries);
	buf_free(&w->revisit_ids);
	buf_free(&w->revisit_days);
	free(w->error);
	free(w);
	st->writes = NULL;
	return rc;
}

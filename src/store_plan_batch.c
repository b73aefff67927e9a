/* store_plan_batch.c - the planner's lookups, noted while it looks ahead
 * and fetched in one query per kind (store_plan_batch.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_plan_batch.h"
#include "store_schema.h"
#include "strmap.h"
#include "util.h"

/* An answer noted but not found by the fetch: the default (0, none). */
#define PB_PENDING (-1)

/* One kind of lookup: its answers by key and the keys noted, as the body
 * of the PostgreSQL array the fetch binds; param (the event, the
 * attribute) and from/to (the cap's window) are the first lookup's, and
 * a lookup with others is not batched. */
struct pb_kind {
	struct strmap *ans;
	struct buf keys;
	size_t n;
	char *param;
	int32_t from, to;
};

struct plan_batch {
	int noting;
	struct pb_kind item, open, msgs, attr;
	struct strmap *dirty;	/* customers written since the fetch */
};

static void
kind_init(struct pb_kind *k)
{
	memset(k, 0, sizeof(*k));
	k->ans = strmap_new();
	buf_init(&k->keys);
}

static void
kind_free(struct pb_kind *k)
{
	strmap_free(k->ans);
	buf_free(&k->keys);
	free(k->param);
}

void
plan_batch_begin(struct store *st)
{
	struct plan_batch *b = xcalloc(1, sizeof(*b));

	b->noting = 1;
	kind_init(&b->item);
	kind_init(&b->open);
	kind_init(&b->msgs);
	kind_init(&b->attr);
	b->dirty = strmap_new();
	st->batch = b;
}

void
plan_batch_end(struct store *st)
{
	struct plan_batch *b = st->batch;

	if (b == NULL)
		return;
	kind_free(&b->item);
	kind_free(&b->open);
	kind_free(&b->msgs);
	kind_free(&b->attr);
	strmap_free(b->dirty);
	free(b);
	st->batch = NULL;
}

int
plan_batch_noting(const struct store *st)
{
	return st->batch != NULL && st->batch->noting;
}

static void
id_key(int64_t id, char out[24])
{
	util_int_text(id, out);
}

void
plan_batch_touch(struct store *st, int64_t customer_id, const char *key)
{
	char k[24];

	if (st->batch == NULL || st->batch->noting)
		return;
	id_key(customer_id, k);
	strmap_put(st->batch->dirty, k, 1);
	strmap_put(st->batch->item.ans, key, 1);
}

void
plan_array_int(struct buf *b, int64_t v)
{
	if (b->len > 0)
		buf_addc(b, ',');
	buf_add_int(b, v);
}

/* Without printf: the body can be a megabyte. */
void
plan_array_bind(struct db_stmt *s, int i, const struct buf *b)
{
	struct buf a;

	buf_init(&a);
	buf_grow(&a, b->len + 2);
	buf_addc(&a, '{');
	buf_add(&a, b->data != NULL ? b->data : "", b->len);
	buf_addc(&a, '}');
	db_bind_text(s, i, a.data);
	buf_free(&a);
}

/* Quoted: "..." with \" and \\. */
void
plan_array_text(struct buf *b, const char *text)
{
	const char *p;

	if (b->len > 0)
		buf_addc(b, ',');
	if (text == NULL) {
		buf_puts(b, "NULL");
		return;
	}
	buf_addc(b, '"');
	for (p = text; *p != '\0'; p++) {
		if (*p == '"' || *p == '\\')
			buf_addc(b, '\\');
		buf_addc(b, *p);
	}
	buf_addc(b, '"');
}

/*
 * The common part of every lookup: noting, the key is noted (its array
 * element added once); after the fetch, its answer is read, the default
 * for one noted but not found.  id is the customer's, 0 for a dedup key,
 * whose item store_plan_insert() marks itself.
 */
static enum plan_batch_answer
lookup(struct plan_batch *b, struct pb_kind *k, const char *key,
    const char *elem, int64_t id, int64_t *v)
{
	char d[24];

	if (b->noting) {
		if (!strmap_get(k->ans, key, NULL)) {
			strmap_put(k->ans, key, PB_PENDING);
			if (elem != NULL)
				plan_array_text(&k->keys, elem);
			else
				plan_array_int(&k->keys, id);
			k->n++;
		}
		return PB_NOTED;
	}
	if (id != 0) {
		id_key(id, d);
		if (strmap_get(b->dirty, d, NULL))
			return PB_ASK;
	}
	if (!strmap_get(k->ans, key, v))
		return PB_ASK;
	if (*v == PB_PENDING)
		*v = 0;
	return PB_KNOWN;
}

/* Whether a lookup with param (and window) can join its kind's batch:
 * the first one sets them. */
static int
same_param(struct plan_batch *b, struct pb_kind *k, const char *param,
    int32_t from, int32_t to)
{
	if (k->param == NULL && b->noting && k->n == 0) {
		k->param = xstrdup(param);
		k->from = from;
		k->to = to;
	}
	return k->param != NULL && strcmp(k->param, param) == 0 &&
	    k->from == from && k->to == to;
}

enum plan_batch_answer
plan_batch_item(struct store *st, const char *key, int64_t *v)
{
	struct plan_batch *b = st->batch;

	if (b == NULL)
		return PB_ASK;
	return lookup(b, &b->item, key, key, 0, v);
}

enum plan_batch_answer
plan_batch_open_task(struct store *st, int64_t id, const char *event,
    int64_t *v)
{
	struct plan_batch *b = st->batch;
	char k[24];

	if (b == NULL)
		return PB_ASK;
	if (!same_param(b, &b->open, event, 0, 0))
		return b->noting ? PB_NOTED : PB_ASK;
	id_key(id, k);
	return lookup(b, &b->open, k, NULL, id, v);
}

enum plan_batch_answer
plan_batch_messages(struct store *st, int64_t id, int32_t from, int32_t to,
    int64_t *v)
{
	struct plan_batch *b = st->batch;
	char k[24];

	if (b == NULL)
		return PB_ASK;
	if (!same_param(b, &b->msgs, "", from, to))
		return b->noting ? PB_NOTED : PB_ASK;
	id_key(id, k);
	return lookup(b, &b->msgs, k, NULL, id, v);
}

enum plan_batch_answer
plan_batch_attr(struct store *st, int64_t id, const char *name, int64_t *v)
{
	struct plan_batch *b = st->batch;
	char k[24];

	if (b == NULL)
		return PB_ASK;
	if (!same_param(b, &b->attr, name, 0, 0))
		return b->noting ? PB_NOTED : PB_ASK;
	id_key(id, k);
	return lookup(b, &b->attr, k, NULL, id, v);
}

/* The fetches, one statement per kind; ?1 is the array of keys noted,
 * ?2 the kind's param or with ?3 the window.  (The last contact's kind
 * comes with the revisit candidates: store_plan.c's CAND_KIND.) */
static const char *const fetch_sql[] = {
	"SELECT dedup_key, 1 FROM plan_items"
	" WHERE dedup_key = ANY(CAST(?1 AS text[]))",
	/* store_plan_open_task()'s first task: by day, then id. */
	"SELECT DISTINCT ON (customer_id) customer_id, id FROM plan_items"
	" WHERE customer_id = ANY(CAST(?1 AS bigint[])) AND action = 'task'"
	" AND status = 'open' AND event = ?2 ORDER BY customer_id, day, id",
	"SELECT customer_id, count(*) FROM plan_items"
	" WHERE customer_id = ANY(CAST(?1 AS bigint[]))"
	" AND day BETWEEN ?2 AND ?3 AND action = 'message'"
	" GROUP BY customer_id",
	"SELECT customer_id, 1 FROM customer_attrs"
	" WHERE customer_id = ANY(CAST(?1 AS bigint[])) AND name = ?2"
	" AND value <> ''",
};

/* Runs one fetch and files its rows' answers. */
static int
fetch_kind(struct store *st, struct pb_kind *k, int which, char **cause)
{
	struct db_stmt *s;
	char key[24];
	int rc;

	if (k->n == 0)
		return 0;
	if ((s = db_prepare(st->conn, fetch_sql[which], cause)) == NULL)
		return -1;
	plan_array_bind(s, 1, &k->keys);
	if (which == 1 || which == 3)
		db_bind_text(s, 2, k->param);
	else if (which == 2) {
		db_bind_int64(s, 2, k->from);
		db_bind_int64(s, 3, k->to);
	}
	while ((rc = db_step(s, cause)) == DB_ROW) {
		if (which == 0) {
			strmap_put(k->ans, db_column_text(s, 0), 1);
			continue;
		}
		id_key(db_column_int64(s, 0), key);
		strmap_put(k->ans, key, db_column_int64(s, 1));
	}
	db_finalize(s);
	return rc == DB_DONE ? 0 : -1;
}

int
plan_batch_fetch(struct store *st, char **cause)
{
	struct plan_batch *b = st->batch;

	b->noting = 0;
	if (fetch_kind(st, &b->item, 0, cause) != 0 ||
	    fetch_kind(st, &b->open, 1, cause) != 0 ||
	    fetch_kind(st, &b->msgs, 2, cause) != 0 ||
	    fetch_kind(st, &b->attr, 3, cause) != 0)
		return -1;
	return 0;
}

/* store_plan_batch.h - the planner's per-candidate lookups answered in a
 * few set-based queries (PostgreSQL), private to store_plan.c.
 *
 * On PostgreSQL each statement is a round trip to the server, and the
 * planner asks up to three things of each candidate (its item's dedup
 * key, an open task, the messages under the cap; the kind of the last
 * contact comes with the revisit candidates).  So store_plan_query()
 * walks the candidates twice: first "noting" (store_plan_noting()), when the planner makes its lookups with
 * no side effect and the lookups only note what is asked, answering
 * neutrally; then one query per kind of lookup fetches every answer; then
 * the real walk, whose lookups are answered from here.  A lookup not
 * noted, or of a customer written since (store_plan_insert()), goes to
 * the server as before, so the answers are the same as without a batch.
 *
 * Ownership: the batch is st->batch's, made by plan_batch_begin() and
 * freed by plan_batch_end(). */
#ifndef OUTREACHD_STORE_PLAN_BATCH_H
#define OUTREACHD_STORE_PLAN_BATCH_H

#include <stdint.h>

#include "db.h"
#include "store.h"
#include "util.h"

/* What a lookup gets from the batch. */
enum plan_batch_answer {
	PB_ASK,		/* not in the batch: ask the server */
	PB_NOTED,	/* noting: noted, answer neutrally */
	PB_KNOWN,	/* the answer is in *v (or *text) */
};

/* Elements of a PostgreSQL array literal's body, for binding as text:
 * an integer; a text quoted (NULL: a NULL element). */
void plan_array_int(struct buf *b, int64_t v);
void plan_array_text(struct buf *b, const char *text);
/* Binds ?i of s to the array whose body b holds. */
void plan_array_bind(struct db_stmt *s, int i, const struct buf *b);

void plan_batch_begin(struct store *st);
/* 1 while the planner looks ahead (store_plan_noting()). */
int plan_batch_noting(const struct store *st);
/* Fetches the answers of everything noted: 0, or -1 with *cause. */
int plan_batch_fetch(struct store *st, char **cause);
void plan_batch_end(struct store *st);
/* A plan item of the customer was written with key: the key exists now,
 * and the customer's other lookups go to the server again. */
void plan_batch_touch(struct store *st, int64_t customer_id,
    const char *key);

/* Each: whether a plan item has the key (*v 1 or 0). */
enum plan_batch_answer plan_batch_item(struct store *st, const char *key,
    int64_t *v);
/* The customer's first open task of event (*v its id, 0 none). */
enum plan_batch_answer plan_batch_open_task(struct store *st, int64_t id,
    const char *event, int64_t *v);
/* Messages planned for the customer from day `from` to `to`. */
enum plan_batch_answer plan_batch_messages(struct store *st, int64_t id,
    int32_t from, int32_t to, int64_t *v);
/* Whether the customer has a non-empty attribute name (*v 1 or 0). */
enum plan_batch_answer plan_batch_attr(struct store *st, int64_t id,
    const char *name, int64_t *v);

#endif

/* store_plan_write.h - the planner's writes on PostgreSQL, held and sent
 * together, private to store_plan.c.
 *
 * A committing plan writes each new item, merges a second task of a
 * customer's day into the first and restarts revisit clocks: one
 * statement each, which on PostgreSQL is a round trip each (109 s for
 * the scan of a day at 1M customers, against 2.9 s on SQLite).  While
 * the planner holds its writes (store_plan_hold()), those three only
 * note their rows here, and plan_write_flush() sends them in three
 * statements over arrays, with the same outcome as one by one: items by
 * INSERT ... ON CONFLICT DO NOTHING in the order noted (so ids keep that
 * order), then the merges of the tasks actually inserted, then the
 * revisit clocks.  The store flushes before any statement that could
 * read what is held (a candidate query, a lookup sent to the server), so
 * nothing reads around it.  SQLite never holds: its statements cost no
 * round trip.
 *
 * Ownership: st->writes, made by plan_write_begin(), freed by
 * plan_write_end(). */
#ifndef OUTREACHD_STORE_PLAN_WRITE_H
#define OUTREACHD_STORE_PLAN_WRITE_H

#include <stdint.h>

#include "store_plan.h"

void plan_write_begin(struct store *st);
/* 1 when rows are held. */
int plan_write_pending(const struct store *st);
/* Each notes its row; the callers return as if it had been written
 * (an insert inserted, a merge not merged: plan_write_flush() counts). */
void plan_write_item(struct store *st, const struct plan_row *r,
    int64_t now);
void plan_write_merge(struct store *st, const char *dedup_key,
    const char *entry, int64_t now);
void plan_write_revisit(struct store *st, int64_t customer_id, int32_t day);
/* Sends what is held: 0, or -1 with *cause (also kept for
 * plan_write_end(): a lookup without a cause may flush). */
int plan_write_flush(struct store *st, char **cause);
/* Flushes (send) or drops what is held, adds the counts and frees. */
int plan_write_end(struct store *st, int send, struct plan_write_counts *n,
    char **cause);

#endif

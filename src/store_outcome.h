/* store_outcome.h - what recording a task's outcome asks of the store:
 * the task's history (task_events), closing and moving tasks, the
 * customer's "next follow-up on" date and stale flag.  Each call is one
 * statement or two; outcome.c puts them in one transaction. */
#ifndef OUTREACHD_STORE_OUTCOME_H
#define OUTREACHD_STORE_OUTCOME_H

#include <stdint.h>

#include "store.h"

/* One recorded outcome.  Strings are borrowed when writing; when reading
 * (store_task_event_last, store_task_events_each) they are owned by the
 * store and valid only during the call or until store_task_event_clear. */
struct store_task_event {
	int64_t item_id;
	int64_t customer_id;
	int64_t rep_id;	     /* 0 = none */
	const char *rep;     /* rep key, when reading */
	int64_t at;	     /* unix seconds */
	int32_t day;	     /* the day it was recorded for */
	const char *outcome; /* reached, not-reached, snooze, next, ... */
	const char *kind;    /* reached, next: the contact's kind */
	int32_t date;	     /* snooze, next: the date asked; DAY_NONE */
	const char *note;
	const char *source;  /* "cli", "web", ... */
	const char *task_kind; /* when reading: the task's kind */
};

int store_task_event_add(struct store *st, const struct store_task_event *e,
    char **cause);
/* The latest outcome of a task: 1 found (e's strings malloc'd, free them
 * with store_task_event_clear), 0 none, -1 error. */
int store_task_event_last(struct store *st, int64_t item_id,
    struct store_task_event *e, char **cause);
void store_task_event_clear(struct store_task_event *e);
typedef int (*store_task_event_cb)(void *arg,
    const struct store_task_event *e);
/* A customer's outcomes, oldest first. */
int store_task_events_each(struct store *st, int64_t customer_id,
    store_task_event_cb cb, void *arg, char **cause);

/* Closes an open task and those merged into it: status "done" or
 * "cancelled", the note kept, sequence raised.  Returns how many rows. */
int store_task_close(struct store *st, int64_t id, const char *status,
    const char *note, int64_t now, char **cause);
/* Closes (done) every open revisit, lost and win-back task of the
 * customer, and the rows merged into them: a contact satisfies them.
 * Returns how many rows. */
int store_task_close_followups(struct store *st, int64_t customer_id,
    int64_t now, char **cause);
/* Moves an open task to `day` (sequence raised); with `attempt`, counts
 * one more attempt and sets escalated once attempts reach escalate_at.
 * *escalated gets the flag after the change. */
int store_task_move(struct store *st, int64_t id, int32_t day, int attempt,
    int escalate_at, int64_t now, int *escalated, char **cause);
/* The customer's "next follow-up on" date for the planner. */
int store_customer_revisit_next(struct store *st, int64_t customer_id,
    int32_t day, char **cause);
/* Flags the customer's record for refresh on `day` (kept when flagged
 * already) with a note. */
int store_customer_stale_flag(struct store *st, int64_t customer_id,
    int32_t day, const char *note, char **cause);
/* The record is verified: the flag goes and updated_at becomes now, so
 * the stale clock restarts.  Returns 1 when the flag was set. */
int store_customer_verify(struct store *st, int64_t customer_id,
    int64_t now, char **cause);
/* 1 when the customer is flagged, 0 when not, -1 error. */
int store_customer_is_stale(struct store *st, int64_t customer_id,
    char **cause);

#endif

/* outcome.h - what happened when a rep worked a task, recorded in one
 * transaction: the rep reached the customer (the task and every
 * follow-up the contact satisfies close, the contact is logged), did not
 * reach them (an attempt; the task moves to a retry day and escalates
 * after N attempts), snoozed it, closed it with the next follow-up on a
 * date, found the number wrong (the record is flagged for refresh), or
 * cancelled it.  Every outcome is kept as history (task_events).
 *
 * Plain values in and a result out, so the command line and the web
 * pages share it.  Recording the same outcome again changes nothing and
 * answers OUTCOME_ALREADY. */
#ifndef OUTREACHD_OUTCOME_H
#define OUTREACHD_OUTCOME_H

#include <stdint.h>

#include "i18n.h"
#include "store.h"

#define OUTCOME_NOTE_MAX 2000	/* characters of a note */

enum outcome {
	OUTCOME_REACHED,
	OUTCOME_NOT_REACHED,
	OUTCOME_SNOOZE,
	OUTCOME_NEXT,
	OUTCOME_WRONG_NUMBER,
	OUTCOME_CANCEL,
	OUTCOME_COUNT
};

enum outcome_result {
	OUTCOME_RECORDED,
	OUTCOME_ALREADY,	/* the same outcome was recorded already */
	OUTCOME_NOT_OPEN,	/* the task is closed (by another outcome) */
	OUTCOME_NOT_FOUND,	/* no such task */
	OUTCOME_INVALID,	/* a bad request: *cause says why */
	OUTCOME_ERROR		/* the store failed: *cause says why */
};

struct outcome_req {
	int64_t task_id;
	enum outcome outcome;
	const char *kind;	/* reached, next: call, visit, meeting, gift,
				   message; NULL = from the task's kind */
	int32_t date;		/* snooze, next: required; reached: the
				   contact's day (DAY_NONE = today) */
	const char *note;	/* cleaned: see outcome_note */
	const char *rep;	/* rep key; NULL = the customer's rep */
	const char *source;	/* where it came from: "cli", "web" */
	int64_t now;		/* unix seconds */
	int32_t today;		/* day number */
	int retry_days;		/* tasks.retry_days */
	int escalate_attempts;	/* tasks.escalate_attempts */
	enum i18n_lang lang;	/* of a reached contact's note when there
				   is none: the task's reasons (0: en) */
};

/* What the outcome did, for the caller to say. */
struct outcome_info {
	int64_t task_id;	/* the task recorded on (a merged task's
				   host when asked for a merged one) */
	int closed;		/* tasks closed, with the merged ones */
	int32_t day;		/* not reached, snooze: the new due day;
				   reached, next: the contact's day */
	int attempts;
	int escalated;
	int verified;		/* a stale flag was cleared */
};

const char *outcome_name(enum outcome o);
/* "reached", "not-reached", ...: 0 and *o, or -1. */
int outcome_parse(const char *s, enum outcome *o);
/* 1 when kind is a contact kind a reached outcome takes. */
int outcome_kind_valid(const char *kind);
/* The note as stored: control characters removed, at most
 * OUTCOME_NOTE_MAX characters (invalid UTF-8 bytes dropped); NULL for
 * NULL or an empty result.  malloc'd. */
char *outcome_note(const char *note);
/* Records r in a transaction of its own; fills *info (may be NULL). */
enum outcome_result outcome_record(struct store *st,
    const struct outcome_req *r, struct outcome_info *info, char **cause);

/* Several outcomes recorded together (the web pages' concurrent POSTs):
 * one transaction, one synced commit, each outcome a unit of its own
 * (a savepoint), so one that is refused or fails changes nothing and the
 * others stay.  If the transaction fails as a whole, each is recorded
 * again alone.  When it returns, every item's res (and cause, malloc'd,
 * for OUTCOME_INVALID and OUTCOME_ERROR) says what became of it:
 * OUTCOME_RECORDED only once committed.  The items are recorded in
 * order, so the second of two same outcomes is OUTCOME_ALREADY. */
struct outcome_item {
	const struct outcome_req *req;
	struct outcome_info info;
	enum outcome_result res;
	char *cause;
};
void outcome_record_batch(struct store *st, struct outcome_item *v,
    size_t n);

#endif

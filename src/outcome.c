/* outcome.c - recording what happened when a rep worked a task: the
 * rules of outcome.h over the store calls of store_outcome.h. */
#include <stdlib.h>
#include <string.h>

#include "date.h"
#include "outcome.h"
#include "reason.h"
#include "store_outcome.h"
#include "store_task.h"
#include "utf8.h"
#include "util.h"

static const char *const names[OUTCOME_COUNT] = {
	[OUTCOME_REACHED] = "reached",
	[OUTCOME_NOT_REACHED] = "not-reached",
	[OUTCOME_SNOOZE] = "snooze",
	[OUTCOME_NEXT] = "next",
	[OUTCOME_WRONG_NUMBER] = "wrong-number",
	[OUTCOME_CANCEL] = "cancel",
};

/* The name of an outcome, as stored and typed. */
const char *
outcome_name(enum outcome o)
{
	return o < OUTCOME_COUNT ? names[o] : "?";
}

/* An outcome by name. */
int
outcome_parse(const char *s, enum outcome *o)
{
	int i;

	for (i = 0; i < OUTCOME_COUNT; i++) {
		if (strcmp(s, names[i]) == 0) {
			*o = (enum outcome)i;
			return 0;
		}
	}
	return -1;
}

/* The contact kinds a rep may report. */
int
outcome_kind_valid(const char *kind)
{
	static const char *const kinds[] = { "call", "visit", "meeting",
		"gift", "message" };
	size_t i;

	for (i = 0; kind != NULL && i < ARRAY_SIZE(kinds); i++) {
		if (strcmp(kind, kinds[i]) == 0)
			return 1;
	}
	return 0;
}

/* Whether a code point is a control character (C0, DEL, C1). */
static int
is_control(uint32_t cp)
{
	return cp < 0x20 || (cp >= 0x7f && cp < 0xa0);
}

/* The note cleaned for storing. */
char *
outcome_note(const char *note)
{
	const unsigned char *p = (const unsigned char *)note;
	size_t left, len, n = 0;
	struct buf b;
	uint32_t cp;

	if (note == NULL)
		return NULL;
	buf_init(&b);
	for (left = strlen(note); left > 0 && n < OUTCOME_NOTE_MAX;
	    p += len, left -= len) {
		if ((len = utf8_decode(p, left, &cp)) == 0) {
			len = 1;	/* an invalid byte: dropped */
			continue;
		}
		if (is_control(cp))
			continue;
		utf8_append(&b, cp);
		n++;
	}
	if (b.len == 0) {
		buf_free(&b);
		return NULL;
	}
	return buf_detach(&b);
}

/* The contact a task stands for when the rep did not say. */
static const char *
default_kind(const char *task_kind)
{
	static const char *const same[] = { "call", "visit", "gift",
		"meeting", "message" };
	size_t i;

	for (i = 0; task_kind != NULL && i < ARRAY_SIZE(same); i++) {
		if (strcmp(task_kind, same[i]) == 0)
			return same[i];
	}
	if (task_kind != NULL && strcmp(task_kind, "invite") == 0)
		return "meeting";
	if (task_kind != NULL && strcmp(task_kind, "email") == 0)
		return "message";
	return "call"; /* refresh, winback: the rep was in touch */
}

/* The request's own values; OUTCOME_RECORDED when they are fine. */
static enum outcome_result
check_req(const struct outcome_req *r, char **cause)
{
	int dated = r->outcome == OUTCOME_SNOOZE || r->outcome == OUTCOME_NEXT;

	if (r->outcome >= OUTCOME_COUNT)
		*cause = xstrdup("unknown outcome");
	else if (dated && r->date == DAY_NONE)
		*cause = xasprintf("%s needs a date", names[r->outcome]);
	else if (dated && r->date <= r->today)
		*cause = xasprintf("%s needs a date after today",
		    names[r->outcome]);
	else if (r->outcome == OUTCOME_REACHED && r->date != DAY_NONE &&
	    r->date > r->today)
		*cause = xstrdup("a contact cannot be in the future");
	else if (r->kind != NULL && r->outcome != OUTCOME_REACHED &&
	    r->outcome != OUTCOME_NEXT)
		*cause = xasprintf("%s takes no kind", names[r->outcome]);
	else if (r->kind != NULL && !outcome_kind_valid(r->kind))
		*cause = xasprintf("\"%s\": kind must be call, visit, "
		    "meeting, gift or message", r->kind);
	else if (r->outcome == OUTCOME_NOT_REACHED && r->retry_days < 1)
		*cause = xstrdup("tasks.retry_days must be at least 1");
	else
		return OUTCOME_RECORDED;
	return OUTCOME_INVALID;
}

/* Whether the task's latest outcome makes this one a repetition. */
static int
is_repeat(const struct store_task *t, const struct store_task_event *ev,
    const struct outcome_req *r)
{
	int open = strcmp(t->status, "open") == 0;

	if (ev->outcome == NULL || strcmp(ev->outcome, names[r->outcome]) != 0)
		return 0;
	switch (r->outcome) {
	case OUTCOME_REACHED:
	case OUTCOME_CANCEL:
		return !open;
	case OUTCOME_NEXT:
		return !open && ev->date == r->date;
	case OUTCOME_NOT_REACHED:
	case OUTCOME_WRONG_NUMBER:
		return open && ev->day == r->today;
	case OUTCOME_SNOOZE:
		return open && ev->date == r->date && t->day == r->date;
	default:
		return 0;
	}
}

/* Reached (and next): the task and the follow-ups the contact satisfies
 * close, the contact is logged, the record counts as verified. */
static int
apply_reached(struct store *st, const struct store_task *t,
    const struct outcome_req *r, int64_t rep_id, const char *note,
    struct outcome_info *info, char **cause)
{
	const char *kind = r->kind ? r->kind : default_kind(t->kind);
	char *why = NULL;
	int n, m, rc;

	info->day = r->outcome == OUTCOME_REACHED && r->date != DAY_NONE ?
	    r->date : r->today;
	if ((n = store_task_close(st, t->id, "done", note, r->now,
	    cause)) < 0 || (m = store_task_close_followups(st, t->customer_id,
	    r->now, cause)) < 0)
		return -1;
	info->closed = n + m;
	/* Without a note of the rep's, the contact says why it was made, in
	 * the words the rep read. */
	if (note == NULL)
		why = reason_text(t->reason, r->lang);
	rc = store_contact_add(st, t->customer_id, rep_id, info->day, kind,
	    note ? note : why, cause);
	free(why);
	if (rc != 0)
		return -1;
	if ((info->verified = store_customer_verify(st, t->customer_id,
	    r->now, cause)) < 0)
		return -1;
	if (r->outcome == OUTCOME_NEXT)
		return store_customer_revisit_next(st, t->customer_id, r->date,
		    cause);
	return 0;
}

/* What the outcome changes besides its own history row. */
static int
apply(struct store *st, const struct store_task *t,
    const struct outcome_req *r, int64_t rep_id, const char *note,
    struct outcome_info *info, char **cause)
{
	int n, esc = 0;

	switch (r->outcome) {
	case OUTCOME_REACHED:
	case OUTCOME_NEXT:
		return apply_reached(st, t, r, rep_id, note, info, cause);
	case OUTCOME_NOT_REACHED:
	case OUTCOME_SNOOZE:
		info->day = r->outcome == OUTCOME_SNOOZE ? r->date :
		    r->today + r->retry_days;
		if (store_task_move(st, t->id, info->day, r->outcome ==
		    OUTCOME_NOT_REACHED, r->escalate_attempts, r->now, &esc,
		    cause) != 0)
			return -1;
		info->attempts = t->attempts + (r->outcome ==
		    OUTCOME_NOT_REACHED);
		info->escalated = esc;
		return 0;
	case OUTCOME_WRONG_NUMBER:
		return store_customer_stale_flag(st, t->customer_id, r->today,
		    note ? note : "wrong number or moved", cause);
	case OUTCOME_CANCEL:
		if ((n = store_task_close(st, t->id, "cancelled", note, r->now,
		    cause)) < 0)
			return -1;
		info->closed = n;
		return 0;
	default:
		return -1;
	}
}

/* The task, or the one it was merged into. */
static int
load_task(struct store *st, int64_t id, struct store_task *t, char **cause)
{
	int rc;

	if ((rc = store_task_get(st, id, t, cause)) <= 0 ||
	    t->merged_into == 0)
		return rc;
	id = t->merged_into;
	store_task_clear(t);
	return store_task_get(st, id, t, cause);
}

/* The rep who records: the one named, else the customer's. */
static enum outcome_result
find_rep(struct store *st, const struct outcome_req *r,
    const struct store_task *t, int64_t *rep_id, char **cause)
{
	struct store_rep rep = { 0 };
	const char *key = r->rep ? r->rep : t->rep;
	int rc;

	*rep_id = 0;
	if (key == NULL)
		return OUTCOME_RECORDED;
	if ((rc = store_rep_get(st, key, &rep, cause)) < 0)
		return OUTCOME_ERROR;
	if (rc == 0) {
		*cause = xasprintf("unknown rep \"%s\"", key);
		return OUTCOME_INVALID;
	}
	*rep_id = rep.id;
	store_rep_clear(&rep);
	return OUTCOME_RECORDED;
}

/* The transaction's body: every check and change. */
static enum outcome_result
record(struct store *st, const struct outcome_req *r, const char *note,
    struct store_task *t, struct outcome_info *info, char **cause)
{
	struct store_task_event ev = { 0 }, add = { 0 };
	enum outcome_result res;
	int64_t rep_id;
	int rc;

	if ((rc = load_task(st, r->task_id, t, cause)) <= 0)
		return rc < 0 ? OUTCOME_ERROR : OUTCOME_NOT_FOUND;
	info->task_id = t->id;
	if ((res = find_rep(st, r, t, &rep_id, cause)) != OUTCOME_RECORDED)
		return res;
	if ((rc = store_task_event_last(st, t->id, &ev, cause)) < 0)
		return OUTCOME_ERROR;
	if (is_repeat(t, &ev, r))
		res = OUTCOME_ALREADY;
	else if (strcmp(t->status, "open") != 0)
		res = OUTCOME_NOT_OPEN;
	store_task_event_clear(&ev);
	if (res != OUTCOME_RECORDED)
		return res;
	if (apply(st, t, r, rep_id, note, info, cause) != 0)
		return OUTCOME_ERROR;
	add.item_id = t->id;
	add.customer_id = t->customer_id;
	add.rep_id = rep_id;
	add.at = r->now;
	add.day = r->today;
	add.outcome = names[r->outcome];
	add.kind = r->outcome == OUTCOME_REACHED || r->outcome == OUTCOME_NEXT ?
	    (r->kind ? r->kind : default_kind(t->kind)) : NULL;
	add.date = r->outcome == OUTCOME_REACHED ? info->day : r->date;
	add.note = note;
	add.source = r->source ? r->source : "unknown";
	return store_task_event_add(st, &add, cause) == 0 ? OUTCOME_RECORDED :
	    OUTCOME_ERROR;
}

/* One outcome as a unit of the open transaction: undone alone unless
 * recorded.  OUTCOME_ERROR with *lost set when the transaction itself
 * went with it. */
static enum outcome_result
record_unit(struct store *st, const struct outcome_req *r,
    struct outcome_info *info, int *lost, char **cause)
{
	struct store_task t = { 0 };
	enum outcome_result res;
	char *note;

	*lost = 0;
	memset(info, 0, sizeof(*info));
	if ((res = check_req(r, cause)) != OUTCOME_RECORDED)
		return res;
	if (store_unit_begin(st, cause) != 0) {
		*lost = 1;
		return OUTCOME_ERROR;
	}
	note = outcome_note(r->note);
	res = record(st, r, note, &t, info, cause);
	if (res == OUTCOME_RECORDED && store_unit_keep(st, cause) != 0)
		res = OUTCOME_ERROR;
	if (res != OUTCOME_RECORDED && store_unit_undo(st) != 0) {
		*lost = 1;
		res = OUTCOME_ERROR;
	}
	if (res == OUTCOME_RECORDED)
		info->escalated = info->escalated || (t.escalated &&
		    r->outcome == OUTCOME_NOT_REACHED);
	free(note);
	store_task_clear(&t);
	return res;
}

/* Records an outcome in one transaction. */
enum outcome_result
outcome_record(struct store *st, const struct outcome_req *r,
    struct outcome_info *info, char **cause)
{
	struct outcome_info dummy;
	enum outcome_result res;
	int lost;

	if (info == NULL)
		info = &dummy;
	memset(info, 0, sizeof(*info));
	if ((res = check_req(r, cause)) != OUTCOME_RECORDED)
		return res;
	if (store_begin(st, cause) != 0)
		return OUTCOME_ERROR;
	res = record_unit(st, r, info, &lost, cause);
	if (res == OUTCOME_RECORDED && store_commit(st, cause) != 0)
		res = OUTCOME_ERROR;
	store_rollback(st);
	return res;
}

/* Records each item alone, in its own transaction. */
static void
record_alone(struct store *st, struct outcome_item *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(v[i].cause);
		v[i].cause = NULL;
		v[i].res = outcome_record(st, v[i].req, &v[i].info,
		    &v[i].cause);
	}
}

/* Records the items in one transaction with one commit, each a unit of
 * its own: an outcome refused or failed is undone alone and the others
 * stay.  When the transaction cannot begin, is lost or does not commit,
 * nothing of it is kept and every item is recorded again alone, so an
 * item's result always says what its own commit did. */
void
outcome_record_batch(struct store *st, struct outcome_item *v, size_t n)
{
	char *why = NULL;
	size_t i;
	int lost = 0;

	for (i = 0; i < n; i++) {
		v[i].res = OUTCOME_ERROR;
		v[i].cause = NULL;
	}
	if (n < 2 || store_begin(st, &why) != 0) {
		free(why);
		record_alone(st, v, n);
		return;
	}
	for (i = 0; i < n && !lost; i++)
		v[i].res = record_unit(st, v[i].req, &v[i].info, &lost,
		    &v[i].cause);
	if (!lost && store_commit(st, &why) == 0)
		return;
	free(why);
	store_rollback(st);
	record_alone(st, v, n);
}

/* reason.h - why a task or a message is due, stored without a language
 * and said in the reader's.
 *
 * The planner stores a reason as a small record, e.g.
 *	{birthday in=14 on=2026-12-07 years=40}
 * and the task page, the feeds and outreachctl say it when they show it:
 * "birthday in 14 days, on 2026-12-07 (turns 40)", or
 * "生日还有14天（2026-12-07），满40岁".  Storing the sentence instead would
 * freeze it in the language of the rep who had the customer when it was
 * planned: after `rep reassign`, or a rep changing their locale, the
 * reader is someone else.  Saying a record costs a parse of a few dozen
 * bytes per task, nothing beside the page or feed around it.
 *
 * A stored reason is a list of items joined by "; " (a task merged into
 * another adds its reason to that one's, see store_plan_task_merge).  An
 * item that is not a record (text of an older version) is shown as it
 * is, so old stores keep their English reasons. */
#ifndef OUTREACHD_REASON_H
#define OUTREACHD_REASON_H

#include <stdint.h>

#include "i18n.h"
#include "util.h"

enum reason_kind {
	REASON_BIRTHDAY,	/* in, on, years, lunar */
	REASON_ANNIVERSARY,	/* in, on, years */
	REASON_HOLIDAY,		/* text (its title), in, on */
	REASON_REVISIT,		/* the last contact (ago, via, since), tier,
				   cadence */
	REASON_REVISIT_NEXT,	/* on (the day the rep set), the last contact */
	REASON_SLEEPING,	/* ago, since (last purchase), step of steps
				   (a win-back message) or unanswered */
	REASON_LOST,		/* ago, since (last purchase) */
	REASON_REFRESH,		/* on: flagged (wrong number or moved) */
	REASON_STALE,		/* ago, since: not updated */
	REASON_UNSENT,		/* text: why a greeting was not sent */
	REASON_KEYDATE,		/* text (its title), in, on, years */
	REASON_VISITED,		/* on: the visit a survey asks about */
	REASON_UNHAPPY,		/* on: the visit, score, text: the comment */
	REASON_NKINDS
};

/* One item.  reason_init() sets the defaults, which are not stored. */
struct reason {
	enum reason_kind kind;
	int in;			/* days until the event, 0 = today */
	int32_t on;		/* the event's day, the day set or flagged */
	int years;		/* turns, years since; 0 = unknown */
	int lunar;		/* a lunar birthday */
	int ago;		/* days since `since`; revisits: -1 = no
				   contact yet, since = customer since */
	int32_t since;		/* last contact, purchase or update */
	const char *via;	/* the last contact's kind; NULL = unknown */
	char tier;
	int cadence;		/* days */
	int step, steps;	/* win-back message step of steps, 0 = none */
	int unanswered;		/* the win-back messages went unanswered */
	const char *text;	/* a holiday's or key date's title, a
				   delivery error */
	const char *task;	/* merged into another task: its own kind */
	int score;		/* a survey's answer, 1 to 5; 0 = none */
};

void reason_init(struct reason *r, enum reason_kind kind);
/* The stored form.  malloc'd. */
char *reason_encode(const struct reason *r);
/* A stored reason with the task kind added, for the checklist of the
 * task it is merged into ("anniversary in 7 days ... — gift").
 * malloc'd. */
char *reason_with_task(const char *stored, const char *task);
/* Appends the items of a stored reason (NULL: none) in language l, each
 * followed by '\n'. */
void reason_lines(struct buf *b, const char *stored, enum i18n_lang l);
/* Lines ("a\nb\n") as one: "a; b" in English, "a；b" in Chinese.
 * malloc'd. */
char *reason_join(const char *lines, enum i18n_lang l);
/* A stored reason on one line in language l.  malloc'd. */
char *reason_text(const char *stored, enum i18n_lang l);

#endif

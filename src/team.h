/* team.h - what a manager sees of the team: under each rep, the rep's
 * escalated tasks (escalate.h's rules, the same as `outreachctl task list
 * --escalated`, in the rep's time zone) and how many of their open tasks
 * are past due.  Managers are the reps the `managers` setting names.
 *
 * Read with one query over the open tasks that are due or flagged
 * (store_task_due_each), however many reps there are, so a manager's page
 * costs what is due, not what the customer base is. */
#ifndef OUTREACHD_TEAM_H
#define OUTREACHD_TEAM_H

#include <stddef.h>
#include <stdint.h>

#include "conf.h"
#include "store.h"
#include "store_task.h"

/* One rep's part. */
struct team_rep {
	char *key;		/* NULL: customers without a rep */
	char *name;
	int32_t today;		/* in the rep's zone */
	long overdue;		/* open tasks past due */
	struct store_task *tasks; /* escalated: tier A first, then oldest */
	size_t ntasks;
};

/* The reps with an escalated or overdue task, by key (no rep last). */
struct team {
	struct team_rep *reps;
	size_t n;
};

/* 1 when the rep is one of the configured managers. */
int team_is_manager(const struct conf *cf, const char *key);
/* The team at unix time now: 0, or -1 with *cause. */
int team_load(struct store *st, const struct conf *cf, int64_t now,
    struct team *out, char **cause);
void team_clear(struct team *t);

#endif

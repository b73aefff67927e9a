/* team.c - the managers' view of the team (team.h). */
#include <stdlib.h>
#include <string.h>

#include "date.h"
#include "date_zone.h"
#include "escalate.h"
#include "team.h"
#include "util.h"

/* Filling a team from the due tasks, which come grouped by rep. */
struct team_fill {
	struct team *t;
	const struct conf *cf;
	int64_t now;
	char *cause;	/* a zone neither the rep's nor the configured */
};

/* 1 when the rep is one of the configured managers. */
int
team_is_manager(const struct conf *cf, const char *key)
{
	size_t i;

	for (i = 0; key != NULL && i < cf->nmanagers; i++) {
		if (strcmp(cf->managers[i], key) == 0)
			return 1;
	}
	return 0;
}

/* The task's rep is the last one added: the rows come ordered by rep. */
static int
same_rep(const struct team_rep *g, const struct store_task *t)
{
	if (g->key == NULL || t->rep == NULL)
		return g->key == t->rep;
	return strcmp(g->key, t->rep) == 0;
}

/* Starts the part of the task's rep: NULL when their day is unknown. */
static struct team_rep *
rep_start(struct team_fill *f, const struct store_task *t)
{
	struct team_rep *g;
	int32_t today;

	if (escalate_today(f->now, t->rep_tz, f->cf->timezone, &today,
	    &f->cause) != 0)
		return NULL;
	f->t->reps = xreallocarray(f->t->reps, f->t->n + 1, sizeof(*g));
	g = &f->t->reps[f->t->n++];
	memset(g, 0, sizeof(*g));
	g->key = t->rep ? xstrdup(t->rep) : NULL;
	g->name = t->rep_name ? xstrdup(t->rep_name) : NULL;
	g->today = today;
	return g;
}

/* Counts an overdue task and keeps an escalated one (its strings move). */
static int
team_take(void *arg, const struct store_task *t)
{
	struct team_fill *f = arg;
	struct team_rep *g = f->t->n ? &f->t->reps[f->t->n - 1] : NULL;
	unsigned mask;
	int late;

	if ((g == NULL || !same_rep(g, t)) && (g = rep_start(f, t)) == NULL)
		return -1;
	mask = escalate_task(t, g->today, f->cf->plan.task_escalate_days,
	    &late);
	if (late > 0)
		g->overdue++;
	if (mask == 0)
		return 0;
	g->tasks = xreallocarray(g->tasks, g->ntasks + 1, sizeof(*g->tasks));
	g->tasks[g->ntasks++] = *t;
	memset((struct store_task *)t, 0, sizeof(*t));
	return 0;
}

/* Frees one rep's part. */
static void
rep_clear(struct team_rep *g)
{
	size_t i;

	for (i = 0; i < g->ntasks; i++)
		store_task_clear(&g->tasks[i]);
	free(g->tasks);
	free(g->key);
	free(g->name);
	memset(g, 0, sizeof(*g));
}

/* Drops the reps with nothing to show: due only later in their zone. */
static void
team_prune(struct team *t)
{
	size_t i, n = 0;

	for (i = 0; i < t->n; i++) {
		if (t->reps[i].overdue == 0 && t->reps[i].ntasks == 0)
			rep_clear(&t->reps[i]);
		else
			t->reps[n++] = t->reps[i];
	}
	t->n = n;
}

/* The team now. */
int
team_load(struct store *st, const struct conf *cf, int64_t now,
    struct team *out, char **cause)
{
	struct team_fill f = { out, cf, now, NULL };
	int32_t utc;
	int rc;

	memset(out, 0, sizeof(*out));
	/* No zone is a day ahead of UTC (UTC+14 at most), so a task past due
	 * anywhere is due on UTC's today or before; the exact test is
	 * escalate's, in the rep's zone. */
	if (date_today((time_t)now, "UTC", &utc, cause) != 0)
		return -1;
	rc = store_task_due_each(st, utc + 1, team_take, &f, cause);
	if (rc == 0) {
		team_prune(out);
		return 0;
	}
	team_clear(out);
	if (f.cause != NULL) {
		if (cause != NULL)
			*cause = f.cause;
		else
			free(f.cause);
	}
	return -1;
}

/* Frees a team. */
void
team_clear(struct team *t)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		rep_clear(&t->reps[i]);
	free(t->reps);
	memset(t, 0, sizeof(*t));
}

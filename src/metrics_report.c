/* metrics_report.c - lifecycle, task and satisfaction gauges
 * (metrics_report.h). */
#include "metrics_report.h"

#include <string.h>

#include "lifecycle.h"
#include "store_lifecycle.h"
#include "store_rep.h"
#include "store_survey.h"

/* The last count by tier and state: every pair, 0 when not counted. */
struct latest {
	long n[3][LC_COUNT];
};

static int
take_count(void *arg, const struct lifecycle_count *c)
{
	struct latest *l = arg;
	int s;

	for (s = 0; s < LC_COUNT; s++) {
		if (c->tier >= 'A' && c->tier <= 'C' && c->state != NULL &&
		    strcmp(c->state, lifecycle_name((enum lifecycle_state)s)) == 0)
			l->n[c->tier - 'A'][s] = c->customers;
	}
	return 0;
}

/* A label value: backslash, quote and newline escaped. */
static void
label(struct buf *b, const char *s)
{
	for (; *s != '\0'; s++) {
		if (*s == '\\' || *s == '"')
			buf_addc(b, '\\');
		if (*s == '\n')
			buf_puts(b, "\\n");
		else
			buf_addc(b, *s);
	}
}

/* Each family's lines stay together: overdue ones wait in their own
 * buffer. */
struct rep_lines {
	struct buf *open;
	struct buf overdue;
};

static int
rep_tasks(void *arg, const struct store_rep_load *l)
{
	struct rep_lines *r = arg;

	buf_puts(r->open, "outreachd_rep_tasks_open{rep=\"");
	label(r->open, l->rep->key);
	buf_printf(r->open, "\"} %ld\n", l->open_tasks);
	buf_puts(&r->overdue, "outreachd_rep_tasks_overdue{rep=\"");
	label(&r->overdue, l->rep->key);
	buf_printf(&r->overdue, "\"} %ld\n", l->overdue_tasks);
	return 0;
}

/* Survey answers by score, every score listed. */
static int
csat_render(struct store *st, struct buf *b, char **cause)
{
	long n[5];
	int k;

	if (store_survey_scores(st, n, cause) != 0)
		return -1;
	buf_puts(b, "# HELP outreachd_csat_answers Satisfaction survey answers "
	    "by score.\n# TYPE outreachd_csat_answers gauge\n");
	for (k = 0; k < 5; k++)
		buf_printf(b, "outreachd_csat_answers{score=\"%d\"} %ld\n", k + 1,
		    n[k]);
	return 0;
}

int
metrics_report_render(struct store *st, int32_t today, struct buf *b,
    char **cause)
{
	struct rep_lines r = { b, { 0 } };
	struct latest l;
	int t, s, rc;

	memset(&l, 0, sizeof(l));
	if (store_lifecycle_latest(st, take_count, &l, cause) != 0)
		return -1;
	buf_puts(b, "# HELP outreachd_customers_lifecycle Customers by "
	    "lifecycle state and tier, as the daemon last counted them.\n"
	    "# TYPE outreachd_customers_lifecycle gauge\n");
	for (t = 0; t < 3; t++)
		for (s = 0; s < LC_COUNT; s++)
			buf_printf(b, "outreachd_customers_lifecycle{state=\"%s\","
			    "tier=\"%c\"} %ld\n",
			    lifecycle_name((enum lifecycle_state)s), 'A' + t,
			    l.n[t][s]);
	buf_init(&r.overdue);
	buf_puts(b, "# HELP outreachd_rep_tasks_open Open tasks of each rep's "
	    "customers.\n# TYPE outreachd_rep_tasks_open gauge\n");
	buf_puts(&r.overdue, "# HELP outreachd_rep_tasks_overdue Open tasks "
	    "due before today.\n# TYPE outreachd_rep_tasks_overdue gauge\n");
	if ((rc = store_rep_loads(st, today, rep_tasks, &r, cause)) == 0)
		buf_puts(b, r.overdue.data);
	buf_free(&r.overdue);
	return rc == 0 ? csat_render(st, b, cause) : rc;
}

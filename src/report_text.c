/* report_text.c - outreachctl report: the figures as compact tables, one
 * screen wide: lifecycle and retention by month, value and repeat buying
 * by tier, each rep's cadence by tier, and each message rule's effect. */
#include <string.h>

#include "date.h"
#include "report_print.h"

/* A rate as a percentage, "-" when undefined (rc != 0).  Callers set v
 * before the call: the order in which arguments are evaluated is not
 * defined. */
static void
pct(FILE *fp, int width, int rc, double v)
{
	if (rc != 0)
		fprintf(fp, " %*s", width, "-");
	else
		fprintf(fp, " %*.1f%%", width - 1, v * 100);
}

/* An amount in major units, "-" when undefined. */
static void
money(FILE *fp, int width, int rc, double v)
{
	if (rc != 0)
		fprintf(fp, " %*s", width, "-");
	else
		fprintf(fp, " %*.2f", width, v);
}

static void
state_counts(FILE *fp, const struct report_sum *s, int b)
{
	int st;

	for (st = 0; st < LC_COUNT; st++)
		fprintf(fp, " %9ld", s->states[b * LC_COUNT + st]);
}

static void
text_lifecycle(const struct report *r, FILE *fp)
{
	struct report_sum s;
	char m[8], d[11];
	double v = 0;
	int i, st, rc;

	report_sum_get(r, -1, 0, &s);
	fprintf(fp, "%-10s", "month");
	for (st = 0; st < LC_COUNT; st++)
		fprintf(fp, " %9s", lifecycle_name((enum lifecycle_state)st));
	fprintf(fp, " %9s\n", "retention");
	for (i = 0; i < report_nmonths(r); i++) {
		report_month_format(report_opts(r)->from + i, m);
		fprintf(fp, "%-10s", m);
		state_counts(fp, &s, REPORT_B_END(i));
		rc = report_crr_month(&s, i, &v);
		pct(fp, 9, rc, v);
		fputc('\n', fp);
	}
	date_format(report_opts(r)->day, d);
	fprintf(fp, "%-10s", d);
	state_counts(fp, &s, report_b_day(r));
	rc = report_crr12(r, &s, &v);
	pct(fp, 9, rc, v);
	fputs("  (last 12 months)\n\n", fp);
	report_sum_clear(&s);
}

/* One line of value figures for a group. */
static void
value_line(const struct report *r, FILE *fp, const char *name, char tier)
{
	struct report_sum s;
	double v = 0;
	int rc;

	report_sum_get(r, -1, tier, &s);
	fprintf(fp, "%-6s %8ld", name, s.buyers);
	rc = report_repeat_rate(&s, &v);
	pct(fp, 8, rc, v);
	rc = report_crr12(r, &s, &v);
	pct(fp, 9, rc, v);
	rc = report_clv_historical(&s, &v);
	money(fp, 12, rc, v);
	rc = report_clv_predicted(r, &s, &v);
	money(fp, 12, rc, v);
	fputc('\n', fp);
	report_sum_clear(&s);
}

static void
text_value(const struct report *r, FILE *fp)
{
	fprintf(fp, "%-6s %8s %8s %9s %12s %12s\n", "tier", "buyers",
	    "repeat", "retention", "clv", "clv_pred");
	value_line(r, fp, "A", 'A');
	value_line(r, fp, "B", 'B');
	value_line(r, fp, "C", 'C');
	value_line(r, fp, "all", 0);
	fputc('\n', fp);
}

/* A rep's (or everyone's) cadence line: the rate per tier, then tasks. */
static void
compliance_line(const struct report *r, FILE *fp, const char *name, int rep)
{
	struct report_sum s;
	double v = 0, med;
	char t;
	int rc;

	fprintf(fp, "%-12.12s", name);
	for (t = 'A'; t <= 'C'; t++) {
		report_sum_get(r, rep, t, &s);
		rc = report_compliance(&s, &v);
		pct(fp, 7, rc, v);
		report_sum_clear(&s);
	}
	report_sum_get(r, rep, 0, &s);
	rc = report_compliance(&s, &v);
	pct(fp, 7, rc, v);
	fprintf(fp, " %6ld %7ld", s.open_tasks, s.overdue_tasks);
	med = report_median_overdue(r, rep, 0);
	if (med < 0)
		fprintf(fp, " %7s\n", "-");
	else
		fprintf(fp, " %7.1f\n", med);
	report_sum_clear(&s);
}

static void
text_compliance(const struct report *r, FILE *fp)
{
	size_t i;

	fprintf(fp, "%-12s %7s %7s %7s %7s %6s %7s %7s\n", "cadence", "A",
	    "B", "C", "all", "open", "overdue", "median");
	for (i = 0; i < report_nreps(r); i++)
		compliance_line(r, fp, report_rep(r, i)->key, (int)i);
	compliance_line(r, fp, "all", -1);
	fputc('\n', fp);
}

/* Under a rule with a holdout: its control group and the lift. */
static void
holdout_line(FILE *fp, const struct report_outreach *o)
{
	double v = 0;
	int rc;

	fprintf(fp, "  held out %ld, %ld bought:", o->held_out,
	    o->held_out_converted);
	rc = report_held_out_conversion(o, &v);
	pct(fp, 6, rc, v);
	fputs("; lift", fp);
	rc = report_lift(o, &v);
	if (rc != 0)
		fputs(" -\n", fp);
	else
		fprintf(fp, " %+.1f points\n", v * 100);
}

static void
text_outreach(const struct report *r, FILE *fp)
{
	const struct report_outreach *o;
	double v = 0;
	size_t i;
	int rc;

	if (report_noutreach(r) == 0) {
		fputs("no messages in the period\n", fp);
		return;
	}
	fprintf(fp, "%-16s %7s %9s %6s %7s %7s %7s %10s\n", "rule", "sent",
	    "delivered", "failed", "expired", "opt-out", "bought",
	    "conversion");
	for (i = 0; i < report_noutreach(r); i++) {
		o = report_outreach(r, i);
		fprintf(fp, "%-16.16s %7ld %9ld %6ld %7ld %7ld %7ld", o->rule,
		    o->sent, o->delivered, o->failed, o->expired, o->opted_out,
		    o->converted);
		rc = report_conversion(o, &v);
		pct(fp, 10, rc, v);
		fputc('\n', fp);
		if (o->held_out > 0)
			holdout_line(fp, o);
	}
}

/* Satisfaction: the answers of the period and CSAT, per tier and all. */
static void
text_csat(const struct report *r, FILE *fp)
{
	struct report_sum s;
	double v = 0;
	char t;
	int rc;

	fprintf(fp, "\n%-12s", "satisfaction");
	for (t = 'A'; t <= 'D'; t++) {
		report_sum_get(r, -1, t < 'D' ? t : 0, &s);
		rc = report_csat(&s, &v);
		fprintf(fp, "  %s", t < 'D' ? (char[]){ t, 0 } : "all");
		pct(fp, 7, rc, v);
		fprintf(fp, " of %ld", s.answers);
		report_sum_clear(&s);
	}
	fputc('\n', fp);
}

void
report_print_text(const struct report *r, FILE *fp)
{
	const struct report_opts *o = report_opts(r);
	char d[11], f[8], t[8];

	date_format(o->day, d);
	report_month_format(o->from, f);
	report_month_format(o->to, t);
	fprintf(fp, "report on %s, months %s to %s%s%s\n\n", d, f, t,
	    o->rep ? ", rep " : "", o->rep ? o->rep : "");
	text_lifecycle(r, fp);
	text_value(r, fp);
	text_compliance(r, fp);
	text_outreach(r, fp);
	text_csat(r, fp);
}

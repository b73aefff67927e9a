/* report_html.c - the report as one self-contained HTML page: the headline
 * figures, then SVG charts (chart.h) of the lifecycle over the months,
 * retention by month, each rep's cadence by tier and what each message
 * rule achieved, with their tables.  No script, no external URL: it opens
 * offline, in a mail client and under the daemon's page policy. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "chart.h"
#include "date.h"
#include "report_print.h"
#include "tmpl.h"

static const char html_style[] =
    "*{box-sizing:border-box}"
    "body{font-family:sans-serif;margin:0 auto;padding:.75em;"
    "max-width:60em;line-height:1.4;color:#222}"
    "h1{font-size:1.4em;margin:.2em 0}h2{font-size:1.1em;margin:1.4em 0 .4em;"
    "border-bottom:1px solid #ccc}"
    ".sub{color:#555;margin:0 0 .8em}"
    ".cards{display:flex;flex-wrap:wrap;gap:.5em}"
    ".card{border:1px solid #ccc;border-radius:.4em;padding:.4em .7em;"
    "min-width:9em}.card b{display:block;font-size:1.4em}"
    ".card span{color:#555;font-size:.85em}"
    "svg.chart{width:100%;height:auto;display:block;margin:.4em 0}"
    "table{border-collapse:collapse;margin:.4em 0;font-size:.9em}"
    "th,td{padding:.2em .6em;text-align:right;border-bottom:1px solid #eee}"
    "th:first-child,td:first-child{text-align:left}"
    ".note{color:#555;font-size:.85em}";

static const char *const tiers[] = { "A", "B", "C" };

static void
esc(struct buf *b, const char *s)
{
	tmpl_escape_html(b, s ? s : "");
}

static void
pct(struct buf *b, int rc, double v)
{
	if (rc != 0)
		buf_puts(b, "-");
	else
		buf_printf(b, "%.1f%%", v * 100);
}

static void
money(struct buf *b, int rc, double v)
{
	if (rc != 0)
		buf_puts(b, "-");
	else
		buf_printf(b, "%.2f", v);
}

/* A headline figure: its value already in text. */
static void
card_begin(struct buf *b)
{
	buf_puts(b, "<div class=\"card\"><b>");
}

static void
card_end(struct buf *b, const char *what)
{
	buf_printf(b, "</b><span>%s</span></div>\n", what);
}

static void
html_cards(struct buf *b, const struct report *r)
{
	struct report_sum s;
	double v = 0;
	int d = report_b_day(r), rc;

	report_sum_get(r, -1, 0, &s);
	card_begin(b);
	buf_printf(b, "%ld", report_retained(&s, d));
	card_end(b, "new or active");
	card_begin(b);
	buf_printf(b, "%ld / %ld", s.states[d * LC_COUNT + LC_SLEEPING],
	    s.states[d * LC_COUNT + LC_LOST]);
	card_end(b, "sleeping / lost");
	rc = report_crr12(r, &s, &v);
	card_begin(b);
	pct(b, rc, v);
	card_end(b, "retention, last 12 months");
	rc = report_repeat_rate(&s, &v);
	card_begin(b);
	pct(b, rc, v);
	card_end(b, "repeat buyers");
	rc = report_clv_historical(&s, &v);
	card_begin(b);
	money(b, rc, v);
	card_end(b, "lifetime value so far");
	rc = report_clv_predicted(r, &s, &v);
	card_begin(b);
	money(b, rc, v);
	card_end(b, "predicted lifetime value");
	rc = report_compliance(&s, &v);
	card_begin(b);
	pct(b, rc, v);
	card_end(b, "within cadence");
	card_begin(b);
	buf_printf(b, "%ld", s.overdue_tasks);
	card_end(b, "overdue tasks");
	rc = report_csat(&s, &v);
	card_begin(b);
	pct(b, rc, v);
	card_end(b, "satisfied (CSAT)");
	report_sum_clear(&s);
}

/* Month labels ("2026-05") for the charts; freed by labels_free. */
static char **
month_labels(const struct report *r)
{
	int n = report_nmonths(r), i;
	char **l = xcalloc((size_t)n, sizeof(*l));

	for (i = 0; i < n; i++) {
		l[i] = xmalloc(8);
		report_month_format(report_opts(r)->from + i, l[i]);
	}
	return l;
}

static void
labels_free(char **l, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(l[i]);
	free(l);
}

/* Lifecycle states at each month's end, and retention by month. */
static void
html_months(struct buf *b, const struct report *r)
{
	static const char *const states[] = { "new", "active", "sleeping",
		"lost" };
	size_t n = (size_t)report_nmonths(r), i, s;
	char **labels = month_labels(r);
	double *v = xcalloc(4 * n, sizeof(*v)), *rate = xcalloc(n, sizeof(*v));
	struct chart c = { "customers by state at each month's end",
		(const char *const *)labels, n, states, 4, v, 0 };
	struct report_sum sum;

	report_sum_get(r, -1, 0, &sum);
	for (i = 0; i < n; i++) {
		for (s = 0; s < 4; s++)
			v[s * n + i] = (double)sum.states[REPORT_B_END((int)i) *
			    LC_COUNT + LC_NEW + s];
		if (report_crr_month(&sum, (int)i, &rate[i]) != 0)
			rate[i] = NAN;
	}
	buf_puts(b, "<h2>Customers over the months</h2>\n");
	chart_columns(b, &c, 1);
	buf_printf(b, "<p class=\"note\">Prospects (no purchase yet) at the "
	    "last month's end: %ld.</p>\n",
	    sum.states[REPORT_B_END((int)n - 1) * LC_COUNT + LC_PROSPECT]);
	buf_puts(b, "<h2>Retention by month</h2>\n");
	c = (struct chart){ "retention rate by month",
		(const char *const *)labels, n,
		(const char *const[]){ "retention" }, 1, rate, 1 };
	chart_columns(b, &c, 0);
	report_sum_clear(&sum);
	labels_free(labels, n);
	free(v);
	free(rate);
}

/* Value and repeat buying by tier. */
static void
html_value(struct buf *b, const struct report *r)
{
	struct report_sum s;
	double v = 0;
	int t, rc;

	buf_puts(b, "<h2>Value by tier</h2>\n<table><tr><th>tier</th>"
	    "<th>buyers</th><th>repeat</th><th>retention</th>"
	    "<th>lifetime value</th><th>predicted</th></tr>\n");
	for (t = 0; t <= 3; t++) {
		report_sum_get(r, -1, t < 3 ? tiers[t][0] : 0, &s);
		buf_printf(b, "<tr><td>%s</td><td>%ld</td><td>",
		    t < 3 ? tiers[t] : "all", s.buyers);
		rc = report_repeat_rate(&s, &v);
		pct(b, rc, v);
		buf_puts(b, "</td><td>");
		rc = report_crr12(r, &s, &v);
		pct(b, rc, v);
		buf_puts(b, "</td><td>");
		rc = report_clv_historical(&s, &v);
		money(b, rc, v);
		buf_puts(b, "</td><td>");
		rc = report_clv_predicted(r, &s, &v);
		money(b, rc, v);
		buf_puts(b, "</td></tr>\n");
		report_sum_clear(&s);
	}
	buf_puts(b, "</table>\n");
}

/* A group's compliance rate, NaN when it has no customers. */
static double
compliance_of(const struct report *r, int rep, char tier)
{
	struct report_sum s;
	double v = 0;

	report_sum_get(r, rep, tier, &s);
	if (report_compliance(&s, &v) != 0)
		v = NAN;
	report_sum_clear(&s);
	return v;
}

/* Each rep's tasks: a table line. */
static void
tasks_row(struct buf *b, const struct report *r, int rep, const char *name)
{
	struct report_sum s;
	double med = report_median_overdue(r, rep, 0);

	report_sum_get(r, rep, 0, &s);
	buf_puts(b, "<tr><td>");
	esc(b, name);
	buf_printf(b, "</td><td>%ld</td><td>%ld</td><td>%ld</td><td>",
	    s.customers, s.open_tasks, s.overdue_tasks);
	if (med < 0)
		buf_puts(b, "-");
	else
		buf_printf(b, "%.1f", med);
	buf_puts(b, "</td></tr>\n");
	report_sum_clear(&s);
}

static void
html_compliance(struct buf *b, const struct report *r)
{
	size_t n = report_nreps(r) + 1, i, t;
	const char **labels = xcalloc(n, sizeof(*labels));
	double *v = xcalloc(3 * n, sizeof(*v));
	struct chart c = { "customers within their tier's cadence, by rep",
		labels, n, tiers, 3, v, 1 };

	for (i = 0; i < n; i++) {
		labels[i] = i + 1 < n ? report_rep(r, i)->name : "everyone";
		for (t = 0; t < 3; t++)
			v[t * n + i] = compliance_of(r, i + 1 < n ? (int)i : -1,
			    tiers[t][0]);
	}
	buf_puts(b, "<h2>Cadence kept, by rep and tier</h2>\n");
	chart_rows(b, &c);
	buf_puts(b, "<table><tr><th>rep</th><th>customers</th><th>open "
	    "tasks</th><th>overdue</th><th>median days overdue</th></tr>\n");
	for (i = 0; i < n; i++)
		tasks_row(b, r, i + 1 < n ? (int)i : -1, labels[i]);
	buf_puts(b, "</table>\n");
	free(labels);
	free(v);
}

/* A rule's line of the outreach table. */
static void
outreach_row(struct buf *b, const struct report_outreach *o)
{
	double v = 0;
	int rc;

	buf_puts(b, "<tr><td>");
	esc(b, o->rule);
	buf_printf(b, "</td><td>%ld</td><td>%ld</td><td>%ld</td><td>%ld</td>"
	    "<td>%ld</td><td>%ld</td><td>%ld</td><td>%ld</td><td>", o->sent,
	    o->delivered, o->failed, o->expired, o->recipients, o->opted_out,
	    o->converted, o->held_out);
	rc = report_lift(o, &v);
	if (rc != 0)
		buf_puts(b, "-");
	else
		buf_printf(b, "%+.1f", v * 100);
	buf_puts(b, "</td></tr>\n");
}

/* Conversion by rule, of the recipients and of those held out. */
static void
html_outreach(struct buf *b, const struct report *r)
{
	size_t n = report_noutreach(r), i;
	const char **labels = xcalloc(n + 1, sizeof(*labels));
	double *v = xcalloc(2 * n + 1, sizeof(*v));
	const struct report_outreach *o;
	struct chart c = { "purchases after a message, by rule, and without "
		"it", labels, n, (const char *const[]){ "sent",
		"held out (no message)" }, 2, v, 1 };

	buf_puts(b, "<h2>What the messages achieved</h2>\n");
	if (n == 0) {
		buf_puts(b, "<p>No messages in the period.</p>\n");
		goto out;
	}
	for (i = 0; i < n; i++) {
		o = report_outreach(r, i);
		labels[i] = o->rule;
		if (report_conversion(o, &v[i]) != 0)
			v[i] = NAN;
		if (report_held_out_conversion(o, &v[n + i]) != 0)
			v[n + i] = NAN;
	}
	chart_rows(b, &c);
	buf_puts(b, "<table><tr><th>rule</th><th>sent</th><th>delivered</th>"
	    "<th>failed</th><th>expired</th><th>recipients</th>"
	    "<th>opted out</th><th>bought</th><th>held out</th>"
	    "<th>lift (points)</th></tr>\n");
	for (i = 0; i < n; i++)
		outreach_row(b, report_outreach(r, i));
	buf_puts(b, "</table>\n");
out:
	free(labels);
	free(v);
}

/* CSAT by rep, and the answers behind it. */
static void
html_csat(struct buf *b, const struct report *r)
{
	size_t n = report_nreps(r) + 1, i;
	const char **labels = xcalloc(n, sizeof(*labels));
	double *v = xcalloc(n, sizeof(*v));
	struct chart c = { "share of survey answers of 4 or 5, by rep", labels,
		n, (const char *const[]){ "CSAT" }, 1, v, 1 };
	struct report_sum s;

	buf_puts(b, "<h2>Satisfaction</h2>\n");
	report_sum_get(r, -1, 0, &s);
	if (s.answers == 0) {
		buf_puts(b, "<p>No survey answers in the period.</p>\n");
		goto out;
	}
	for (i = 0; i < n; i++) {
		labels[i] = i + 1 < n ? report_rep(r, i)->name : "everyone";
		report_sum_clear(&s);
		report_sum_get(r, i + 1 < n ? (int)i : -1, 0, &s);
		if (report_csat(&s, &v[i]) != 0)
			v[i] = NAN;
	}
	chart_rows(b, &c);
	buf_printf(b, "<p class=\"note\">%ld answers, %ld of them 4 or 5 "
	    "(CSAT).</p>\n", s.answers, s.satisfied);
out:
	report_sum_clear(&s);
	free(labels);
	free(v);
}

char *
report_html(const struct report *r)
{
	const struct report_opts *o = report_opts(r);
	struct buf b;
	char d[11], f[8], t[8];

	date_format(o->day, d);
	report_month_format(o->from, f);
	report_month_format(o->to, t);
	buf_init(&b);
	buf_printf(&b, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
	    "<meta charset=\"utf-8\">\n<meta name=\"viewport\" "
	    "content=\"width=device-width, initial-scale=1\">\n"
	    "<title>Retention report %s</title>\n<style>%s</style>\n"
	    "</head>\n<body>\n<h1>Retention report, %s</h1>\n"
	    "<p class=\"sub\">Months %s to %s", d, html_style, d, f, t);
	if (o->rep != NULL) {
		buf_puts(&b, ", customers of ");
		esc(&b, o->rep);
	}
	buf_puts(&b, "</p>\n<div class=\"cards\">\n");
	html_cards(&b, r);
	buf_puts(&b, "</div>\n");
	html_months(&b, r);
	html_value(&b, r);
	html_compliance(&b, r);
	html_outreach(&b, r);
	html_csat(&b, r);
	buf_puts(&b, "<p class=\"note\">Definitions: outreachctl(1), REPORT "
	    "DEFINITIONS.</p>\n</body>\n</html>\n");
	return buf_detach(&b);
}

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
#include "i18n.h"
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

/* The page's words, in English and Chinese (i18n.h's languages). */
enum report_word {
	W_NEW_ACTIVE,
	W_SLEEPING_LOST,
	W_CRR12,
	W_REPEAT_BUYERS,
	W_CLV,
	W_CLV_PREDICTED,
	W_WITHIN_CADENCE,
	W_OVERDUE_TASKS,
	W_CSAT_CARD,
	W_NEW,
	W_ACTIVE,
	W_SLEEPING,
	W_LOST,
	W_STATES_CHART,
	W_MONTHS_HEADING,
	W_PROSPECTS,
	W_RETENTION_HEADING,
	W_RETENTION_CHART,
	W_RETENTION,
	W_VALUE_HEADING,
	W_TIER,
	W_BUYERS,
	W_REPEAT,
	W_LIFETIME_VALUE,
	W_PREDICTED,
	W_ALL,
	W_CADENCE_CHART,
	W_EVERYONE,
	W_CADENCE_HEADING,
	W_REP,
	W_CUSTOMERS,
	W_OPEN_TASKS,
	W_OVERDUE,
	W_MEDIAN_OVERDUE,
	W_OUTREACH_HEADING,
	W_NO_MESSAGES,
	W_OUTREACH_CHART,
	W_SENT,
	W_HELD_OUT_SERIES,
	W_RULE,
	W_DELIVERED,
	W_FAILED,
	W_EXPIRED,
	W_RECIPIENTS,
	W_OPTED_OUT,
	W_BOUGHT,
	W_HELD_OUT,
	W_LIFT,
	W_CSAT_HEADING,
	W_NO_ANSWERS,
	W_CSAT_CHART,
	W_ANSWERS_1,
	W_ANSWERS_2,
	W_ANSWERS_3,
	W_TITLE,
	W_HEADING,
	W_MONTHS,
	W_MONTHS_TO,
	W_CUSTOMERS_OF,
	W_DEFINITIONS,
	W_COUNT
};

static const char *const report_words[W_COUNT][2] = {
	[W_NEW_ACTIVE] = { "new or active", "新客户或活跃客户" },
	[W_SLEEPING_LOST] = { "sleeping / lost", "沉睡 / 流失" },
	[W_CRR12] = { "retention, last 12 months", "近 12 个月留存率" },
	[W_REPEAT_BUYERS] = { "repeat buyers", "复购率" },
	[W_CLV] = { "lifetime value so far", "历史客户终身价值" },
	[W_CLV_PREDICTED] = { "predicted lifetime value", "预测客户终身价值" },
	[W_WITHIN_CADENCE] = { "within cadence", "按节奏跟进" },
	[W_OVERDUE_TASKS] = { "overdue tasks", "逾期任务" },
	[W_CSAT_CARD] = { "satisfied (CSAT)", "满意（CSAT）" },
	[W_NEW] = { "new", "新客户" },
	[W_ACTIVE] = { "active", "活跃" },
	[W_SLEEPING] = { "sleeping", "沉睡" },
	[W_LOST] = { "lost", "流失" },
	[W_STATES_CHART] = { "customers by state at each month's end", "各月末各状态的客户数" },
	[W_MONTHS_HEADING] = { "Customers over the months", "客户逐月变化" },
	[W_PROSPECTS] = { "Prospects (no purchase yet) at the last month's end: ", "末月月底的潜在客户（尚未购买）：" },
	[W_RETENTION_HEADING] = { "Retention by month", "逐月留存率" },
	[W_RETENTION_CHART] = { "retention rate by month", "逐月留存率" },
	[W_RETENTION] = { "retention", "留存率" },
	[W_VALUE_HEADING] = { "Value by tier", "各等级客户价值" },
	[W_TIER] = { "tier", "等级" },
	[W_BUYERS] = { "buyers", "购买客户" },
	[W_REPEAT] = { "repeat", "复购率" },
	[W_LIFETIME_VALUE] = { "lifetime value", "终身价值" },
	[W_PREDICTED] = { "predicted", "预测终身价值" },
	[W_ALL] = { "all", "全部" },
	[W_CADENCE_CHART] = { "customers within their tier's cadence, by rep", "在等级节奏内跟进的客户比例（按销售代表）" },
	[W_EVERYONE] = { "everyone", "全体" },
	[W_CADENCE_HEADING] = { "Cadence kept, by rep and tier", "跟进节奏（按销售代表和等级）" },
	[W_REP] = { "rep", "销售代表" },
	[W_CUSTOMERS] = { "customers", "客户" },
	[W_OPEN_TASKS] = { "open tasks", "未完成任务" },
	[W_OVERDUE] = { "overdue", "逾期" },
	[W_MEDIAN_OVERDUE] = { "median days overdue", "逾期天数中位数" },
	[W_OUTREACH_HEADING] = { "What the messages achieved", "消息的成效" },
	[W_NO_MESSAGES] = { "No messages in the period.", "本期间没有发送消息。" },
	[W_OUTREACH_CHART] = { "purchases after a message, by rule, and without it", "收到消息后购买的比例（按规则），及未收到消息的对照" },
	[W_SENT] = { "sent", "已发送" },
	[W_HELD_OUT_SERIES] = { "held out (no message)", "对照组（未发送）" },
	[W_RULE] = { "rule", "规则" },
	[W_DELIVERED] = { "delivered", "已送达" },
	[W_FAILED] = { "failed", "失败" },
	[W_EXPIRED] = { "expired", "过期" },
	[W_RECIPIENTS] = { "recipients", "收件客户" },
	[W_OPTED_OUT] = { "opted out", "退订" },
	[W_BOUGHT] = { "bought", "购买" },
	[W_HELD_OUT] = { "held out", "对照组" },
	[W_LIFT] = { "lift (points)", "提升（百分点）" },
	[W_CSAT_HEADING] = { "Satisfaction", "满意度" },
	[W_NO_ANSWERS] = { "No survey answers in the period.", "本期间没有问卷回复。" },
	[W_CSAT_CHART] = { "share of survey answers of 4 or 5, by rep", "问卷回复中 4 分或 5 分的比例（按销售代表）" },
	[W_ANSWERS_1] = { "", "共 " },
	[W_ANSWERS_2] = { " answers, ", " 份回复，其中 " },
	[W_ANSWERS_3] = { " of them 4 or 5 (CSAT).", " 份为 4 分或 5 分（CSAT）。" },
	[W_TITLE] = { "Retention report", "客户维系报告" },
	[W_HEADING] = { "Retention report, ", "客户维系报告，" },
	[W_MONTHS] = { "Months ", "统计月份：" },
	[W_MONTHS_TO] = { " to ", " 至 " },
	[W_CUSTOMERS_OF] = { ", customers of ", "，客户归属：" },
	[W_DEFINITIONS] = { "Definitions: outreachctl(1), REPORT DEFINITIONS.", "指标定义见 outreachctl(1) 的 REPORT DEFINITIONS 一节。" },
};

/* The word w in the page's language. */
#define W(w) (report_words[(w)][lang == I18N_ZH])


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
html_cards(struct buf *b, const struct report *r, enum i18n_lang lang)
{
	struct report_sum s;
	double v = 0;
	int d = report_b_day(r), rc;

	report_sum_get(r, -1, 0, &s);
	card_begin(b);
	buf_printf(b, "%ld", report_retained(&s, d));
	card_end(b, W(W_NEW_ACTIVE));
	card_begin(b);
	buf_printf(b, "%ld / %ld", s.states[d * LC_COUNT + LC_SLEEPING],
	    s.states[d * LC_COUNT + LC_LOST]);
	card_end(b, W(W_SLEEPING_LOST));
	rc = report_crr12(r, &s, &v);
	card_begin(b);
	pct(b, rc, v);
	card_end(b, W(W_CRR12));
	rc = report_repeat_rate(&s, &v);
	card_begin(b);
	pct(b, rc, v);
	card_end(b, W(W_REPEAT_BUYERS));
	rc = report_clv_historical(&s, &v);
	card_begin(b);
	money(b, rc, v);
	card_end(b, W(W_CLV));
	rc = report_clv_predicted(r, &s, &v);
	card_begin(b);
	money(b, rc, v);
	card_end(b, W(W_CLV_PREDICTED));
	rc = report_compliance(&s, &v);
	card_begin(b);
	pct(b, rc, v);
	card_end(b, W(W_WITHIN_CADENCE));
	card_begin(b);
	buf_printf(b, "%ld", s.overdue_tasks);
	card_end(b, W(W_OVERDUE_TASKS));
	rc = report_csat(&s, &v);
	card_begin(b);
	pct(b, rc, v);
	card_end(b, W(W_CSAT_CARD));
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
html_months(struct buf *b, const struct report *r, enum i18n_lang lang)
{
	const char *const states[] = { W(W_NEW), W(W_ACTIVE), W(W_SLEEPING),
		W(W_LOST) };
	size_t n = (size_t)report_nmonths(r), i, s;
	char **labels = month_labels(r);
	double *v = xcalloc(4 * n, sizeof(*v)), *rate = xcalloc(n, sizeof(*v));
	struct chart c = { W(W_STATES_CHART),
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
	buf_printf(b, "<h2>%s</h2>\n", W(W_MONTHS_HEADING));
	chart_columns(b, &c, 1);
	buf_printf(b, "<p class=\"note\">%s%ld</p>\n", W(W_PROSPECTS),
	    sum.states[REPORT_B_END((int)n - 1) * LC_COUNT + LC_PROSPECT]);
	buf_printf(b, "<h2>%s</h2>\n", W(W_RETENTION_HEADING));
	c = (struct chart){ W(W_RETENTION_CHART),
		(const char *const *)labels, n,
		(const char *const[]){ W(W_RETENTION) }, 1, rate, 1 };
	chart_columns(b, &c, 0);
	report_sum_clear(&sum);
	labels_free(labels, n);
	free(v);
	free(rate);
}

/* Value and repeat buying by tier. */
static void
html_value(struct buf *b, const struct report *r, enum i18n_lang lang)
{
	struct report_sum s;
	double v = 0;
	int t, rc;

	buf_printf(b, "<h2>%s</h2>\n<table><tr><th>%s</th><th>%s</th><th>%s"
	    "</th><th>%s</th><th>%s</th><th>%s</th></tr>\n",
	    W(W_VALUE_HEADING), W(W_TIER), W(W_BUYERS), W(W_REPEAT),
	    W(W_RETENTION), W(W_LIFETIME_VALUE), W(W_PREDICTED));
	for (t = 0; t <= 3; t++) {
		report_sum_get(r, -1, t < 3 ? tiers[t][0] : 0, &s);
		buf_printf(b, "<tr><td>%s</td><td>%ld</td><td>",
		    t < 3 ? tiers[t] : W(W_ALL), s.buyers);
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
html_compliance(struct buf *b, const struct report *r,
    enum i18n_lang lang)
{
	size_t n = report_nreps(r) + 1, i, t;
	const char **labels = xcalloc(n, sizeof(*labels));
	double *v = xcalloc(3 * n, sizeof(*v));
	struct chart c = { W(W_CADENCE_CHART),
		labels, n, tiers, 3, v, 1 };

	for (i = 0; i < n; i++) {
		labels[i] = i + 1 < n ? report_rep(r, i)->name : W(W_EVERYONE);
		for (t = 0; t < 3; t++)
			v[t * n + i] = compliance_of(r, i + 1 < n ? (int)i : -1,
			    tiers[t][0]);
	}
	buf_printf(b, "<h2>%s</h2>\n", W(W_CADENCE_HEADING));
	chart_rows(b, &c);
	buf_printf(b, "<table><tr><th>%s</th><th>%s</th><th>%s</th><th>%s"
	    "</th><th>%s</th></tr>\n", W(W_REP), W(W_CUSTOMERS),
	    W(W_OPEN_TASKS), W(W_OVERDUE), W(W_MEDIAN_OVERDUE));
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
html_outreach(struct buf *b, const struct report *r, enum i18n_lang lang)
{
	size_t n = report_noutreach(r), i;
	const char **labels = xcalloc(n + 1, sizeof(*labels));
	double *v = xcalloc(2 * n + 1, sizeof(*v));
	const struct report_outreach *o;
	struct chart c = { W(W_OUTREACH_CHART), labels, n,
		(const char *const[]){ W(W_SENT), W(W_HELD_OUT_SERIES) }, 2,
		v, 1 };

	buf_printf(b, "<h2>%s</h2>\n", W(W_OUTREACH_HEADING));
	if (n == 0) {
		buf_printf(b, "<p>%s</p>\n", W(W_NO_MESSAGES));
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
	buf_printf(b, "<table><tr><th>%s</th><th>%s</th><th>%s</th><th>%s</th>"
	    "<th>%s</th><th>%s</th><th>%s</th><th>%s</th><th>%s</th>"
	    "<th>%s</th></tr>\n", W(W_RULE), W(W_SENT), W(W_DELIVERED),
	    W(W_FAILED), W(W_EXPIRED), W(W_RECIPIENTS), W(W_OPTED_OUT),
	    W(W_BOUGHT), W(W_HELD_OUT), W(W_LIFT));
	for (i = 0; i < n; i++)
		outreach_row(b, report_outreach(r, i));
	buf_puts(b, "</table>\n");
out:
	free(labels);
	free(v);
}

/* CSAT by rep, and the answers behind it. */
static void
html_csat(struct buf *b, const struct report *r, enum i18n_lang lang)
{
	size_t n = report_nreps(r) + 1, i;
	const char **labels = xcalloc(n, sizeof(*labels));
	double *v = xcalloc(n, sizeof(*v));
	struct chart c = { W(W_CSAT_CHART), labels,
		n, (const char *const[]){ "CSAT" }, 1, v, 1 };
	struct report_sum s;

	buf_printf(b, "<h2>%s</h2>\n", W(W_CSAT_HEADING));
	report_sum_get(r, -1, 0, &s);
	if (s.answers == 0) {
		buf_printf(b, "<p>%s</p>\n", W(W_NO_ANSWERS));
		goto out;
	}
	for (i = 0; i < n; i++) {
		labels[i] = i + 1 < n ? report_rep(r, i)->name : W(W_EVERYONE);
		report_sum_clear(&s);
		report_sum_get(r, i + 1 < n ? (int)i : -1, 0, &s);
		if (report_csat(&s, &v[i]) != 0)
			v[i] = NAN;
	}
	chart_rows(b, &c);
	buf_printf(b, "<p class=\"note\">%s%ld%s%ld%s</p>\n", W(W_ANSWERS_1),
	    s.answers, W(W_ANSWERS_2), s.satisfied, W(W_ANSWERS_3));
out:
	report_sum_clear(&s);
	free(labels);
	free(v);
}

char *
report_html(const struct report *r, enum i18n_lang lang)
{
	const struct report_opts *o = report_opts(r);
	struct buf b;
	char d[11], f[8], t[8];

	date_format(o->day, d);
	report_month_format(o->from, f);
	report_month_format(o->to, t);
	buf_init(&b);
	buf_printf(&b, "<!DOCTYPE html>\n<html lang=\"%s\">\n<head>\n"
	    "<meta charset=\"utf-8\">\n<meta name=\"viewport\" "
	    "content=\"width=device-width, initial-scale=1\">\n"
	    "<title>%s %s</title>\n<style>%s</style>\n"
	    "</head>\n<body>\n<h1>%s%s</h1>\n"
	    "<p class=\"sub\">%s%s%s%s", i18n_tag(lang), W(W_TITLE), d,
	    html_style, W(W_HEADING), d, W(W_MONTHS), f, W(W_MONTHS_TO), t);
	if (o->rep != NULL) {
		buf_puts(&b, W(W_CUSTOMERS_OF));
		esc(&b, o->rep);
	}
	buf_puts(&b, "</p>\n<div class=\"cards\">\n");
	html_cards(&b, r, lang);
	buf_puts(&b, "</div>\n");
	html_months(&b, r, lang);
	html_value(&b, r, lang);
	html_compliance(&b, r, lang);
	html_outreach(&b, r, lang);
	html_csat(&b, r, lang);
	buf_printf(&b, "<p class=\"note\">%s</p>\n</body>\n</html>\n",
	    W(W_DEFINITIONS));
	return buf_detach(&b);
}

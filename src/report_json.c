/* report_json.c - outreachctl report --json: every figure of report.h under
 * the names of its definition (lifecycle, retention_rate, repeat_rate,
 * clv_historical, clv_predicted, compliance, outreach, csat), each for
 * everyone ("total"), per tier and per rep.  Amounts are in major units;
 * a rate whose denominator is zero is null. */
#include "report_print.h"

#include "date.h"
#include "json.h"

/* Prints one group's figure: s is its sums. */
typedef void figure_fn(struct json *j, const struct report *r,
    const struct report_sum *s, const void *arg);

/* A rate or value, null when undefined. */
static void
kv_figure(struct json *j, const char *key, int rc, double v)
{
	json_key(j, key);
	if (rc != 0)
		json_null(j);
	else
		json_double(j, v);
}

static void
kv_day(struct json *j, const char *key, int32_t day)
{
	char d[11];

	date_format(day, d);
	json_kv_string(j, key, d);
}

/* The figure of one group, as the value of key. */
static void
group(struct json *j, const char *key, const struct report *r, int rep,
    char tier, figure_fn *fn, const void *arg)
{
	struct report_sum s;

	report_sum_get(r, rep, tier, &s);
	json_key(j, key);
	fn(j, r, &s, arg);
	report_sum_clear(&s);
}

/* "total", "by_tier" and "by_rep", each the figure fn prints. */
static void
groups(struct json *j, const struct report *r, figure_fn *fn,
    const void *arg)
{
	static const char tiers[] = "ABC";
	size_t i;

	group(j, "total", r, -1, 0, fn, arg);
	json_key(j, "by_tier");
	json_begin_object(j);
	for (i = 0; i < 3; i++)
		group(j, (char[]){ tiers[i], 0 }, r, -1, tiers[i], fn, arg);
	json_end_object(j);
	json_key(j, "by_rep");
	json_begin_object(j);
	for (i = 0; i < report_nreps(r); i++)
		group(j, report_rep(r, i)->key, r, (int)i, 0, fn, arg);
	json_end_object(j);
}

/* The count of each state at boundary *arg. */
static void
fig_states(struct json *j, const struct report *r, const struct report_sum *s,
    const void *arg)
{
	int b = *(const int *)arg, st;

	(void)r;
	json_begin_object(j);
	for (st = 0; st < LC_COUNT; st++)
		json_kv_int(j, lifecycle_name((enum lifecycle_state)st),
		    s->states[b * LC_COUNT + st]);
	json_end_object(j);
}

static void
print_lifecycle(struct json *j, const struct report *r)
{
	char m[8];
	int b = report_b_day(r), i;

	json_key(j, "lifecycle");
	json_begin_object(j);
	kv_day(j, "date", report_opts(r)->day);
	groups(j, r, fig_states, &b);
	json_key(j, "months");
	json_begin_array(j);
	for (i = 0; i < report_nmonths(r); i++) {
		b = REPORT_B_END(i);
		report_month_format(report_opts(r)->from + i, m);
		json_begin_object(j);
		json_kv_string(j, "month", m);
		kv_day(j, "date", report_boundary(r, b));
		groups(j, r, fig_states, &b);
		json_end_object(j);
	}
	json_end_array(j);
	json_end_object(j);
}

/* S, E, N and the rate of month *arg, or of the last 12 months (-1). */
static void
fig_crr(struct json *j, const struct report *r, const struct report_sum *s,
    const void *arg)
{
	int m = *(const int *)arg, bs, be, rc;
	long n;
	double v = 0;

	bs = m < 0 ? report_b_year_ago(r) : REPORT_B_START(m);
	be = m < 0 ? report_b_day(r) : REPORT_B_END(m);
	n = m < 0 ? s->new12 : s->first_in[m];
	rc = report_crr(s, bs, be, n, &v);
	json_begin_object(j);
	json_kv_int(j, "start", report_retained(s, bs));
	json_kv_int(j, "end", report_retained(s, be));
	json_kv_int(j, "new", n);
	kv_figure(j, "rate", rc, v);
	json_end_object(j);
}

static void
print_retention(struct json *j, const struct report *r)
{
	char mo[8];
	int m;

	json_key(j, "retention_rate");
	json_begin_object(j);
	json_key(j, "months");
	json_begin_array(j);
	for (m = 0; m < report_nmonths(r); m++) {
		report_month_format(report_opts(r)->from + m, mo);
		json_begin_object(j);
		json_kv_string(j, "month", mo);
		kv_day(j, "start", report_boundary(r, REPORT_B_START(m)));
		kv_day(j, "end", report_boundary(r, REPORT_B_END(m)));
		groups(j, r, fig_crr, &m);
		json_end_object(j);
	}
	json_end_array(j);
	m = -1;
	json_key(j, "last_12_months");
	json_begin_object(j);
	kv_day(j, "start", report_boundary(r, report_b_year_ago(r)));
	kv_day(j, "end", report_opts(r)->day);
	groups(j, r, fig_crr, &m);
	json_end_object(j);
	json_end_object(j);
}

static void
fig_repeat(struct json *j, const struct report *r, const struct report_sum *s,
    const void *arg)
{
	double v = 0;
	int rc = report_repeat_rate(s, &v);

	(void)r, (void)arg;
	json_begin_object(j);
	json_kv_int(j, "buyers", s->buyers);
	json_kv_int(j, "repeat_buyers", s->repeaters);
	kv_figure(j, "rate", rc, v);
	json_end_object(j);
}

static void
fig_clv_hist(struct json *j, const struct report *r,
    const struct report_sum *s, const void *arg)
{
	double v = 0;
	int rc = report_clv_historical(s, &v);

	(void)r, (void)arg;
	json_begin_object(j);
	json_kv_int(j, "buyers", s->buyers);
	json_key(j, "revenue");
	json_double(j, (double)s->revenue / 100);
	kv_figure(j, "value", rc, v);
	json_end_object(j);
}

static void
fig_clv_pred(struct json *j, const struct report *r,
    const struct report_sum *s, const void *arg)
{
	double v = 0, life = 0;
	int rc;

	(void)arg;
	json_begin_object(j);
	json_kv_int(j, "orders", s->orders365);
	json_kv_int(j, "buyers", s->buyers365);
	json_key(j, "revenue");
	json_double(j, (double)s->revenue365 / 100);
	rc = s->orders365 ? 0 : -1;
	kv_figure(j, "average_order_value", rc, rc ? 0 :
	    (double)s->revenue365 / (double)s->orders365 / 100);
	rc = s->buyers365 ? 0 : -1;
	kv_figure(j, "orders_per_year", rc, rc ? 0 :
	    (double)s->orders365 / (double)s->buyers365);
	rc = report_lifetime(r, s, &life);
	kv_figure(j, "lifetime_years", rc, life);
	rc = report_clv_predicted(r, s, &v);
	kv_figure(j, "value", rc, v);
	json_end_object(j);
}

/* Survey answers of the period, and the share of 4 and 5. */
static void
fig_csat(struct json *j, const struct report *r, const struct report_sum *s,
    const void *arg)
{
	double v = 0;
	int rc = report_csat(s, &v);

	(void)r, (void)arg;
	json_begin_object(j);
	json_kv_int(j, "answers", s->answers);
	json_kv_int(j, "satisfied", s->satisfied);
	kv_figure(j, "rate", rc, v);
	json_end_object(j);
}

/* The compliance figures of a group: rep (-1 all) and tier (0 all). */
static void
compliance_fields(struct json *j, const struct report *r, int rep,
    char tier)
{
	struct report_sum s;
	double v = 0, med;
	int rc;

	report_sum_get(r, rep, tier, &s);
	rc = report_compliance(&s, &v);
	json_kv_int(j, "customers", s.customers);
	json_kv_int(j, "in_cadence", s.in_cadence);
	kv_figure(j, "rate", rc, v);
	json_kv_int(j, "open_tasks", s.open_tasks);
	json_kv_int(j, "overdue_tasks", s.overdue_tasks);
	med = report_median_overdue(r, rep, tier);
	kv_figure(j, "median_days_overdue", med < 0 ? -1 : 0, med);
	report_sum_clear(&s);
}

/* A group's compliance with its tiers inside. */
static void
compliance_group(struct json *j, const char *key, const struct report *r,
    int rep)
{
	static const char tiers[] = "ABC";
	int t;

	json_key(j, key);
	json_begin_object(j);
	compliance_fields(j, r, rep, 0);
	json_key(j, "by_tier");
	json_begin_object(j);
	for (t = 0; t < 3; t++) {
		json_key(j, (char[]){ tiers[t], 0 });
		json_begin_object(j);
		compliance_fields(j, r, rep, tiers[t]);
		json_end_object(j);
	}
	json_end_object(j);
	json_end_object(j);
}

static void
print_compliance(struct json *j, const struct report *r)
{
	size_t i;

	json_key(j, "compliance");
	json_begin_object(j);
	compliance_group(j, "total", r, -1);
	json_key(j, "by_rep");
	json_begin_object(j);
	for (i = 0; i < report_nreps(r); i++)
		compliance_group(j, report_rep(r, i)->key, r, (int)i);
	json_end_object(j);
	json_end_object(j);
}

static void
print_outreach(struct json *j, const struct report *r)
{
	const struct report_outreach *o;
	double v = 0;
	size_t i;
	int rc;

	json_key(j, "outreach");
	json_begin_array(j);
	for (i = 0; i < report_noutreach(r); i++) {
		o = report_outreach(r, i);
		json_begin_object(j);
		json_kv_string(j, "rule", o->rule);
		json_kv_int(j, "sent", o->sent);
		json_kv_int(j, "delivered", o->delivered);
		json_kv_int(j, "failed", o->failed);
		json_kv_int(j, "expired", o->expired);
		json_kv_int(j, "recipients", o->recipients);
		json_kv_int(j, "opted_out", o->opted_out);
		json_kv_int(j, "converted", o->converted);
		rc = report_conversion(o, &v);
		kv_figure(j, "conversion", rc, v);
		json_kv_int(j, "held_out", o->held_out);
		json_kv_int(j, "held_out_converted", o->held_out_converted);
		rc = report_held_out_conversion(o, &v);
		kv_figure(j, "held_out_conversion", rc, v);
		rc = report_lift(o, &v);
		kv_figure(j, "lift", rc, v);
		json_end_object(j);
	}
	json_end_array(j);
}

/* The settings the figures depend on, so a reader can check them. */
static void
print_settings(struct json *j, const struct report *r)
{
	const struct conf *cf = report_conf(r);
	char m[8];

	kv_day(j, "date", report_opts(r)->day);
	report_month_format(report_opts(r)->from, m);
	json_kv_string(j, "from", m);
	report_month_format(report_opts(r)->to, m);
	json_kv_string(j, "to", m);
	json_kv_string(j, "rep", report_opts(r)->rep);
	json_key(j, "settings");
	json_begin_object(j);
	json_kv_int(j, "new_days", cf->plan.lifecycle_new_days);
	json_kv_int(j, "sleeping_after_days", cf->plan.sleeping_after_days);
	json_kv_int(j, "lost_after_days", cf->plan.lost_after_days);
	json_kv_int(j, "attribution_days", cf->report.attribution_days);
	json_key(j, "cadence");
	json_begin_object(j);
	json_kv_int(j, "A", cf->plan.cadence[0]);
	json_kv_int(j, "B", cf->plan.cadence[1]);
	json_kv_int(j, "C", cf->plan.cadence[2]);
	json_end_object(j);
	json_end_object(j);
}

void
report_print_json(const struct report *r, FILE *fp)
{
	struct json j;
	int b = 0;

	json_init(&j, fp, 1);
	json_begin_object(&j);
	print_settings(&j, r);
	print_lifecycle(&j, r);
	print_retention(&j, r);
	json_key(&j, "repeat_rate");
	json_begin_object(&j);
	groups(&j, r, fig_repeat, &b);
	json_end_object(&j);
	json_key(&j, "clv_historical");
	json_begin_object(&j);
	groups(&j, r, fig_clv_hist, &b);
	json_end_object(&j);
	json_key(&j, "clv_predicted");
	json_begin_object(&j);
	groups(&j, r, fig_clv_pred, &b);
	json_end_object(&j);
	print_compliance(&j, r);
	print_outreach(&j, r);
	json_key(&j, "csat");
	json_begin_object(&j);
	groups(&j, r, fig_csat, &b);
	json_end_object(&j);
	json_end_object(&j);
}

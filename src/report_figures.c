/* report_figures.c - the rates and values of report.h, derived from a
 * group's sums exactly as outreachctl(1) defines them.  The order of the
 * operations is part of the definition: tests/report_oracle.py repeats it
 * and compares the doubles exactly. */
#include "report.h"

/* num / den, or -1 for a zero denominator. */
static int
ratio(double num, double den, double *v)
{
	if (den == 0)
		return -1;
	*v = num / den;
	return 0;
}

long
report_retained(const struct report_sum *s, int b)
{
	return s->states[b * LC_COUNT + LC_NEW] +
	    s->states[b * LC_COUNT + LC_ACTIVE];
}

/* CRR = (E - N) / S. */
int
report_crr(const struct report_sum *s, int b_start, int b_end, long new_in,
    double *v)
{
	return ratio((double)(report_retained(s, b_end) - new_in),
	    (double)report_retained(s, b_start), v);
}

int
report_crr_month(const struct report_sum *s, int m, double *v)
{
	return report_crr(s, REPORT_B_START(m), REPORT_B_END(m),
	    s->first_in[m], v);
}

int
report_crr12(const struct report *r, const struct report_sum *s, double *v)
{
	return report_crr(s, report_b_year_ago(r), report_b_day(r), s->new12,
	    v);
}

int
report_repeat_rate(const struct report_sum *s, double *v)
{
	return ratio((double)s->repeaters, (double)s->buyers, v);
}

/* In major units: the minor units divided by 100 last. */
int
report_clv_historical(const struct report_sum *s, double *v)
{
	if (ratio((double)s->revenue, (double)s->buyers, v) != 0)
		return -1;
	*v /= 100;
	return 0;
}

int
report_lifetime(const struct report *r, const struct report_sum *s,
    double *v)
{
	double crr;

	if (report_crr12(r, s, &crr) != 0)
		return -1;
	*v = crr >= 0.9 ? 10.0 : 1.0 / (1.0 - crr);
	return 0;
}

/* Average order value x orders per buying customer, both over the last
 * 365 days, x the expected lifetime. */
int
report_clv_predicted(const struct report *r, const struct report_sum *s,
    double *v)
{
	double aov, freq, life;

	if (ratio((double)s->revenue365, (double)s->orders365, &aov) != 0 ||
	    ratio((double)s->orders365, (double)s->buyers365, &freq) != 0 ||
	    report_lifetime(r, s, &life) != 0)
		return -1;
	*v = aov * freq * life / 100;
	return 0;
}

int
report_compliance(const struct report_sum *s, double *v)
{
	return ratio((double)s->in_cadence, (double)s->customers, v);
}

int
report_csat(const struct report_sum *s, double *v)
{
	return ratio((double)s->satisfied, (double)s->answers, v);
}

int
report_conversion(const struct report_outreach *o, double *v)
{
	return ratio((double)o->converted, (double)o->recipients, v);
}

int
report_held_out_conversion(const struct report_outreach *o, double *v)
{
	return ratio((double)o->held_out_converted, (double)o->held_out, v);
}

int
report_lift(const struct report_outreach *o, double *v)
{
	double with, without;

	if (report_conversion(o, &with) != 0 ||
	    report_held_out_conversion(o, &without) != 0)
		return -1;
	*v = with - without;
	return 0;
}

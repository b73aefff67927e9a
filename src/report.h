/* report.h - the manager's report: where customers stand and how they
 * moved, month by month; what they are worth; whether each rep keeps the
 * cadence; what each message rule achieved.  The definitions are pinned in
 * outreachctl(1), REPORT DEFINITIONS; tests/report_oracle.py recomputes
 * every figure from the same CSVs.
 *
 * report_build() reads the store once per part (store_report.h) and keeps
 * counts per rep and tier only, never per customer, so its memory does
 * not grow with the customer base.  The figures of a group (everyone, a
 * tier, a rep, a rep's tier) are sums of those cells (report_sum); the
 * rates are derived from the sums (report_crr...).  report_json.c,
 * report_text.c and report_html.c print a built report. */
#ifndef OUTREACHD_REPORT_H
#define OUTREACHD_REPORT_H

#include <stddef.h>
#include <stdint.h>

#include "conf.h"
#include "lifecycle.h"
#include "store.h"

#define REPORT_MONTHS_MAX 120

/* What to report: a day and a period of whole months. */
struct report_opts {
	int32_t day;		/* D: figures are as of this day */
	int from, to;		/* months (year * 12 + month - 1), from <= to;
				   to no later than D's month */
	const char *rep;	/* only this rep's customers; NULL: all */
};

/* The months of the period before D's month by default; -1 with *cause
 * when from or to (YYYY-MM, NULL: the default) are wrong. */
int report_period(int32_t day, const char *from, const char *to,
    struct report_opts *o, char **cause);
/* "YYYY-MM" of a month. */
void report_month_format(int month, char out[8]);

/* Everything counted of one group of customers.  Boundaries are days:
 * [0] the day before the period, [1..nmonths] each month's last (D for
 * D's own month), then D - 365 and D. */
struct report_sum {
	long *states;		/* [boundary * LC_COUNT + state] */
	long *first_in;		/* [month]: first purchase in that month */
	long new12;		/* first purchase in [D - 364, D] */
	long buyers, repeaters;	/* one or more, two or more purchases */
	int64_t revenue;	/* minor units, every purchase up to D */
	long orders365, buyers365; /* in [D - 364, D] */
	int64_t revenue365;
	long customers, in_cadence; /* compliance on D */
	long open_tasks, overdue_tasks;
	long answers, satisfied;  /* survey answers in the period, 4 or 5 */
};

/* A message rule's outcome (store_report.h's, owned), with its control
 * group when it has a holdout. */
struct report_outreach {
	char *rule;
	long sent, delivered, failed, expired;
	long recipients, opted_out, converted;
	long held_out, held_out_converted;
};

struct report_rep {
	int64_t id;
	char *key;
	char *name;
};

struct report;

/* Builds the report of o from the store; NULL with *cause on error. */
struct report *report_build(struct store *st, const struct conf *cf,
    const struct report_opts *o, char **cause);
void report_free(struct report *r);

const struct report_opts *report_opts(const struct report *r);
const struct conf *report_conf(const struct report *r);
int report_nmonths(const struct report *r);
/* The boundary days: report_nboundaries() of them. */
int report_nboundaries(const struct report *r);
int32_t report_boundary(const struct report *r, int b);
/* The boundaries of month m's start and end, and of the last 12 months'. */
#define REPORT_B_START(m) (m)
#define REPORT_B_END(m) ((m) + 1)
int report_b_year_ago(const struct report *r);
int report_b_day(const struct report *r);
/* The reps reported (by key); customers without a rep are in no rep's
 * figures, only in the totals and tiers. */
size_t report_nreps(const struct report *r);
const struct report_rep *report_rep(const struct report *r, size_t i);
size_t report_noutreach(const struct report *r);
const struct report_outreach *report_outreach(const struct report *r,
    size_t i);

/* The sums of a group: rep (an index of report_rep, or -1 for all) and
 * tier ('A'..'C', or 0 for all).  *s is filled with arrays the report
 * owns; valid until the next call for the same s... see report_sum_get. */
void report_sum_get(const struct report *r, int rep, char tier,
    struct report_sum *s);
void report_sum_clear(struct report_sum *s);
/* Median days overdue of the group's overdue tasks; -1 when none. */
double report_median_overdue(const struct report *r, int rep, char tier);

/* Derived figures; each returns 0 and sets *v, or -1 when undefined
 * (a zero denominator). */
int report_crr(const struct report_sum *s, int b_start, int b_end,
    long new_in, double *v);
int report_crr_month(const struct report_sum *s, int m, double *v);
int report_crr12(const struct report *r, const struct report_sum *s,
    double *v);
int report_repeat_rate(const struct report_sum *s, double *v);
int report_clv_historical(const struct report_sum *s, double *v);
/* The expected lifetime in years (1 / (1 - CRR), at most 10). */
int report_lifetime(const struct report *r, const struct report_sum *s,
    double *v);
int report_clv_predicted(const struct report *r, const struct report_sum *s,
    double *v);
int report_compliance(const struct report_sum *s, double *v);
/* CSAT: the share of the survey answers that scored 4 or 5. */
int report_csat(const struct report_sum *s, double *v);
/* A rule's conversion: of its recipients, of those it held out, and the
 * lift (the first less the second). */
int report_conversion(const struct report_outreach *o, double *v);
int report_held_out_conversion(const struct report_outreach *o, double *v);
int report_lift(const struct report_outreach *o, double *v);
/* Customers new or active at boundary b. */
long report_retained(const struct report_sum *s, int b);

#endif

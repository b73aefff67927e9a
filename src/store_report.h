/* store_report.h - what the manager's report (report.h) reads: every
 * customer once with its purchase history, streamed in id order; the open
 * tasks, latest first; the messages of a period, summed by rule; and the
 * daemon's daily lifecycle counts.  Nothing is grouped or sorted by
 * customer inside SQLite and nothing is kept per customer here: the
 * caller aggregates as the rows go by. */
#ifndef OUTREACHD_STORE_REPORT_H
#define OUTREACHD_STORE_REPORT_H

#include <stddef.h>
#include <stdint.h>

#include "store.h"

/* One customer as of a day.  The arrays belong to the walk and are valid
 * only during the callback. */
struct report_cust {
	int64_t id;
	int64_t rep_id;		/* 0: no rep */
	char tier;		/* effective: 'A', 'B' or 'C' */
	int sleep_days;		/* personal sleeping threshold, 0 = none */
	int32_t last_contact;	/* latest on or before the day, DAY_NONE */
	const int32_t *days;	/* purchases on or before the day, ascending */
	const int64_t *amounts;	/* their amounts, minor units */
	size_t n;
};
typedef int (*report_cust_cb)(void *arg, const struct report_cust *c);
/* Calls cb for every customer (only rep_id's when it is > 0) with the
 * purchases and contacts on or before day. */
int store_report_customers(struct store *st, int32_t day, int64_t rep_id,
    report_cust_cb cb, void *arg, char **cause);

/* An open task (not merged into another) by its customer's rep and tier. */
struct report_task {
	int64_t rep_id;		/* 0: no rep */
	char tier;
	int32_t day;		/* due */
};
typedef int (*report_task_cb)(void *arg, const struct report_task *t);
/* Every open task, the latest due first (only rep_id's when > 0). */
int store_report_tasks(struct store *st, int64_t rep_id, report_task_cb cb,
    void *arg, char **cause);

/* The messages of one rule whose day falls in a period.  Recipients are
 * the customers sent at least one; of them, opted_out opted out on the
 * day of such a message or within 7 days after it, converted bought
 * within attribution days after it (on or before the report's day). */
struct report_rule {
	const char *rule;	/* valid during the callback */
	long sent, delivered, failed, expired;
	long recipients, opted_out, converted;
};
typedef int (*report_rule_cb)(void *arg, const struct report_rule *r);
/* By rule name, the messages with day in [from, to] (only to rep_id's
 * customers when > 0). */
int store_report_outreach(struct store *st, int32_t from, int32_t to,
    int32_t day, int attribution_days, int64_t rep_id, report_rule_cb cb,
    void *arg, char **cause);

/* The customers a rule held out (holdout.h) on a day in a period: of
 * them, converted bought within attribution days after it. */
struct report_holdout {
	const char *rule;	/* valid during the callback */
	long held_out, converted;
};
typedef int (*report_holdout_cb)(void *arg, const struct report_holdout *h);
/* By rule name, as store_report_outreach() counts recipients. */
int store_report_holdouts(struct store *st, int32_t from, int32_t to,
    int32_t day, int attribution_days, int64_t rep_id, report_holdout_cb cb,
    void *arg, char **cause);

/* Survey answers given on a day in a period, by the customer's rep and
 * tier: how many, and how many scored 4 or 5. */
struct report_csat {
	int64_t rep_id;		/* 0: no rep */
	char tier;
	long answers, satisfied;
};
typedef int (*report_csat_cb)(void *arg, const struct report_csat *c);
int store_report_csat(struct store *st, int32_t from, int32_t to,
    int64_t rep_id, report_csat_cb cb, void *arg, char **cause);

#endif

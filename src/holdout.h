/* holdout.h - who a message rule keeps back as its control group.
 *
 * A rule with `holdout = S` sends nothing to the share S of the customers
 * it finds due; the planner records them instead (store_holdout.h), and
 * the report compares their purchases with the recipients'.  The choice
 * is a hash of the rule's name and the customer's external id: stable
 * across runs, restarts and stores, independent between rules, and
 * nothing a customer's other data can bias. */
#ifndef OUTREACHD_HOLDOUT_H
#define OUTREACHD_HOLDOUT_H

/* 1 when the customer is in the rule's holdout of the given share. */
int holdout_pick(const char *rule, const char *external_id, double share);

#endif

/* planner.h - decides who is due for what on which day.
 *
 * A pure function of (store rows, configuration, days): for each day and
 * rule it finds the customers whose event falls due through indexed store
 * lookups, applies the rule's filters, picks a channel, enforces the
 * frequency cap and gives every item a dedup key (rule:customer:occurrence)
 * so planning the same day twice never yields a second item.
 *
 * Days are civil dates (day numbers).  A customer's birthday is planned for
 * that date; delivery sends it on that date in the customer's time zone. */
#ifndef OUTREACHD_PLANNER_H
#define OUTREACHD_PLANNER_H

#include <stddef.h>
#include <stdint.h>

#include "conf.h"
#include "store.h"

struct plan_item {
	int32_t day;	    /* the day the item is for */
	int32_t occurrence; /* the event's day (dedup key) */
	const struct conf_rule *rule; /* borrowed from the conf */
	enum conf_action action; /* the rule's, but a rep_message for a
				    customer without a rep is a message */
	int64_t customer_id;
	char *external_id;
	char *name;
	char tier;
	const char *channel; /* "email"/"sms" for messages, else NULL */
	char *reason;	     /* why, stored form: reason_text() says it */
	char *dedup_key;
	int years;	     /* age or anniversary count, -1 = unknown */
	int existed;	     /* already planned before this run */
};

/* Owns its items and their strings. */
struct plan_list {
	struct plan_item *items;
	size_t n;
	size_t cap;
};

struct plan_stats {
	unsigned long items;	     /* items for the days asked */
	unsigned long inserted;	     /* newly stored (commit only) */
	unsigned long capped;	     /* messages dropped by the cap */
	unsigned long unreachable;   /* messages without a usable channel */
	unsigned long lost;	     /* messages not sent to lost customers */
	unsigned long kept_open;     /* follow-ups not added: one is open */
	unsigned long merged;	     /* tasks merged into one of the same day */
	unsigned long held_out;	     /* messages not sent: the rule's holdout */
};

/* Plans days [from, from + ndays).  With commit, items are stored (those
 * already stored are left alone) and revisit clocks restart; without, the
 * store is only read.  out may be NULL (only stats wanted). */
int planner_run(struct store *st, const struct conf *cf, int32_t from,
    int ndays, int commit, int64_t now, struct plan_list *out,
    struct plan_stats *stats, char **cause);
void plan_list_free(struct plan_list *l);
/* The birthday/anniversary index keys whose event falls on `day`
 * (month * 100 + day, with 29 February per the policy), and the lunar
 * birthday keys (lunar month * 100 + day, + 10000 for a leap month, with
 * the fallbacks for missing day 30 and missing leap months).  Returns how
 * many of the 4 slots were filled. */
size_t planner_md_keys(int32_t day, enum date_feb29 policy, int64_t keys[4]);
size_t planner_lunar_keys(int32_t day, int64_t keys[4]);
/* Age on a birthday (Gregorian or lunar, when the birth year is known) or
 * the anniversary count on event_day; -1 when unknown. */
/* The dedup key of a rule's item for a customer and an event day
 * ("RULE:CUSTOMER-ID:YYYY-MM-DD"); malloc'd. */
char *planner_item_key(const struct conf_rule *r, int64_t customer_id,
    int32_t occurrence);
int planner_event_years(enum conf_event ev, const char *birthday,
    const char *anniversary, int32_t event_day);

#endif

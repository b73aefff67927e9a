/* store_plan.h - what the planner asks of the store: customers by indexed
 * event keys, the planned items (unique by dedup key), tiers and state.
 * Every lookup is an index range, so its cost follows what is due. */
#ifndef OUTREACHD_STORE_PLAN_H
#define OUTREACHD_STORE_PLAN_H

#include <stddef.h>
#include <stdint.h>

#include "store.h"

/* A customer as the planner sees it.  Strings are owned by the store and
 * valid only during the callback. */
struct plan_cand {
	int64_t id;
	const char *external_id;
	const char *name;
	const char *rep;
	const char *email;
	const char *phone;
	const char *channel;
	const char *opt_out;
	const char *birthday;
	const char *anniversary;
	char tier; /* effective: 'A', 'B' or 'C' */
	int32_t last_contact;
	int32_t last_purchase;
	int32_t first_purchase;
	int32_t revisit_from;
	int32_t updated_day;
	int sleep_days; /* personal sleeping threshold, 0 = none */
	int32_t created_day;
	int32_t revisit_next; /* a rep's "next follow-up on", DAY_NONE = none */
	int32_t stale_since;  /* flagged for refresh since, DAY_NONE = not */
	/* The planner's revisit queries only: the kind of the last contact
	 * (NULL for none), as store_contact_kind() gives it. */
	const char *contact_kind;
	int contact_kind_known;
	/* Key date lookups only (store_keydate.h): the key date due. */
	const char *kd_label;
	const char *kd_date;
	int kd_yearly;
};

typedef int (*plan_cand_cb)(void *arg, const struct plan_cand *c);

enum store_plan_query {
	PQ_BIRTHDAY_MD,	   /* args: up to 4 month*100+day keys */
	PQ_BIRTHDAY_LUNAR, /* args: up to 4 lunar keys */
	PQ_ANNIVERSARY_MD, /* args: up to 4 month*100+day keys */
	PQ_REVISIT,	   /* args: tier ('A'..'C'), latest revisit_from */
	PQ_LAST_PURCHASE,  /* args: last purchase day, min personal threshold */
	PQ_SLEEP_PERSONAL, /* args: last purchase + threshold, max threshold */
	PQ_UPDATED,	   /* args: first, last unix second */
	PQ_ALL,		   /* no args */
	PQ_REVISIT_NEXT,   /* args: latest revisit_next */
	PQ_STALE_FLAGGED,  /* args: latest stale_since */
	PQ_VISITED,	   /* args: the day of a visit or meeting */
	PQ_COUNT
};

/* The SQL of a planner query on st's engine (for EXPLAIN in the tests). */
const char *store_plan_sql(const struct store *st, enum store_plan_query q);
/* Calls cb for each customer the query finds (in id order). */
int store_plan_query(struct store *st, enum store_plan_query q,
    const int64_t *args, size_t nargs, plan_cand_cb cb, void *arg,
    char **cause);
/* With lookahead on (the planner, for its run), store_plan_query() on
 * PostgreSQL calls cb twice per candidate: first while store_plan_noting()
 * is 1, when cb must only make the lookups it would make (has_attr,
 * plan_exists, plan_open_task, plan_messages), which answer 0 (has_attr
 * 1) and are then fetched together, then as usual.  SQLite, and
 * lookahead off: once.  With lookahead on, on both engines, the revisit
 * queries bring each candidate's last contact kind (contact_kind). */
void store_plan_lookahead(struct store *st, int on);
int store_plan_noting(const struct store *st);
/* 1 when the customer has a non-empty attribute `name`. */
int store_customer_has_attr(struct store *st, int64_t id, const char *name);

struct plan_row {
	const char *dedup_key;
	const char *rule;
	const char *event;
	int64_t customer_id;
	int32_t day;
	int32_t occurrence;
	const char *action;
	const char *channel;   /* NULL for tasks */
	const char *task_kind; /* NULL for messages */
	const char *reason;
};

/* What held writes came to (store_plan_release()). */
struct plan_write_counts {
	unsigned long existed;	/* items held as inserted whose key existed */
	unsigned long merged;	/* tasks merged into another of their day */
};
/* A committing planner holds its writes inside its transaction: on
 * PostgreSQL store_plan_insert() (then 1), store_plan_task_merge() (then
 * 0) and store_plan_revisit_done() are sent together, before anything
 * reads them and at the latest at store_plan_release(), which sends
 * (send) or drops them and says what they came to.  SQLite: nothing is
 * held, n stays 0. */
void store_plan_hold(struct store *st);
int store_plan_release(struct store *st, int send,
    struct plan_write_counts *n, char **cause);

/* Inserts unless the dedup key exists: 1 inserted, 0 existed, -1 error. */
int store_plan_insert(struct store *st, const struct plan_row *r, int64_t now,
    char **cause);
/* 1 and *id when an item with this dedup key exists, 0 when not. */
int store_plan_item_id(struct store *st, const char *dedup_key, int64_t *id,
    char **cause);
/* 1 when an item with this dedup key exists. */
int store_plan_exists(struct store *st, const char *dedup_key, char **cause);
/* Messages planned for a customer on days [from, to]. */
int store_plan_messages(struct store *st, int64_t customer_id, int32_t from,
    int32_t to, char **cause);
/* Restarts the revisit clock of a customer at `day` (and forgets a
 * rep's "next follow-up on" date, which the revisit planned now met). */
int store_plan_revisit_done(struct store *st, int64_t customer_id,
    int32_t day, char **cause);
/* 1 and *id when the customer has an open task planned for `event`
 * ("revisit", "lost"...), 0 when not, -1 on error. */
int store_plan_open_task(struct store *st, int64_t customer_id,
    const char *event, int64_t *id, char **cause);
/* Merges the task stored under dedup_key into the customer's other open
 * task of the same day, if there is one: the row stays (its dedup key
 * keeps planning idempotent) but points to that task, whose reason gets
 * `entry` added to its checklist.  1 merged, 0 nothing to merge with. */
int store_plan_task_merge(struct store *st, const char *dedup_key,
    int64_t customer_id, int32_t day, const char *entry, int64_t now,
    char **cause);
/* The kind of the customer's contact on `day` (the latest logged), as a
 * malloc'd string; NULL when none or on error. */
char *store_contact_kind(struct store *st, int64_t customer_id, int32_t day);

/* Small persistent values (last planned day, last tier recompute...). */
int store_state_get(struct store *st, const char *key, char **value,
    char **cause);
int store_state_set(struct store *st, const char *key, const char *value,
    char **cause);

/* Tiers: every customer in id order with what the recompute needs from
 * the customer and its purchases.  days is valid only during the callback
 * and NULL unless asked for. */
struct tier_row {
	int64_t id;
	const char *external_id; /* valid during the callback */
	char old_tier;	     /* tier_computed, 0 = none */
	int sleep_days;	     /* 0 = none, -1 = one the recompute never writes */
	int64_t revenue;     /* sum of amounts on days [from, to] */
	const int32_t *days; /* every purchase day, ascending */
	size_t ndays;
};
typedef int (*tier_row_cb)(void *arg, const struct tier_row *r);
/* Calls cb for every customer; cb may update that customer's row.  With
 * with_days == 0, days is NULL and only purchases in [from, to] are read. */
int store_tier_rows(struct store *st, int32_t from, int32_t to, int with_days,
    tier_row_cb cb, void *arg, char **cause);
/* Sets the computed tier and records the change (day) in tier_history. */
int store_tier_set(struct store *st, int64_t customer_id, const char *old,
    char tier, int32_t day, char **cause);
/* A personal sleeping threshold, 0 for none (the configured one). */
int store_sleep_days_set(struct store *st, int64_t customer_id, int days,
    char **cause);

#endif

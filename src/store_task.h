/* store_task.h - tasks for reps (planned items whose action is a task):
 * listing for feeds and the CLI, and marking them done, which logs the
 * rep's contact and so restarts the customer's revisit clock. */
#ifndef OUTREACHD_STORE_TASK_H
#define OUTREACHD_STORE_TASK_H

#include <stdint.h>

#include "store.h"

/* Strings are owned by the struct (store_task_clear). */
struct store_task {
	int64_t id;
	char *dedup_key;
	char *rule;
	char *event;
	char *kind;
	char *reason;
	char *status;	 /* open, done, cancelled */
	char *note;
	int32_t day;
	int sequence;
	int64_t created_at;
	int64_t modified_at;
	int64_t done_at;
	int64_t customer_id;
	char *external_id;
	char *customer;	 /* name */
	char *phone;
	char *email;
	char *notes;
	char tier;
	int32_t last_contact;
	char *rep;	 /* rep key, NULL when none */
	int attempts;	 /* "not reached" outcomes so far */
	int escalated;	 /* attempts reached tasks.escalate_attempts */
	int64_t merged_into; /* the task this one joined, 0 = none */
	char *rep_name;	 /* the rep's name, NULL when none */
	char *rep_tz;	 /* the rep's time zone, NULL = the configured one */
	/* Kind "message" (a rule's rep_message): the greeting for the rep
	 * to send, once the outbox pass rendered it. */
	char *channel;	 /* email or sms */
	char *message_subject;
	char *message;	 /* NULL until rendered, or when it could not be */
	char *message_error; /* why there is no text */
};

void store_task_clear(struct store_task *t);
typedef int (*store_task_cb)(void *arg, const struct store_task *t);
/* Tasks of a rep (NULL = all), open ones and those done or cancelled
 * since `closed_since` (unix seconds), by due day.  Tasks merged into
 * another one are left out: that one lists their reasons. */
int store_task_each(struct store *st, const char *rep, int64_t closed_since,
    store_task_cb cb, void *arg, char **cause);
/* The open tasks of every rep due before day `before` or flagged
 * escalated by their attempts, by rep key (tasks without a rep last),
 * tier and due day: what the managers' view of the team reads
 * (team.h), so its cost grows with the open tasks, not with customers. */
int store_task_due_each(struct store *st, int32_t before, store_task_cb cb,
    void *arg, char **cause);
/* 1 found, 0 not, -1 error. */
int store_task_get(struct store *st, int64_t id, struct store_task *t,
    char **cause);
/* Marks an open task (and those merged into it) done, sequence raised,
 * and logs the contact on `day`:
 * 1 done, 0 not open (or no such task), -1 error. */
int store_task_done(struct store *st, int64_t id, const char *note,
    int32_t day, int64_t now, char **cause);

/* Feed tokens: only the SHA-256 of a rep's token is stored. */
int store_rep_token_set(struct store *st, const char *rep,
    const char *hash_hex, char **cause);
/* Every rep that has a feed token, with the token's hash (hex).  The
 * callback's strings are borrowed for the call; it returns non-zero to
 * stop. */
typedef int (*store_rep_token_cb)(void *arg, const struct store_rep *r,
    const char *hash_hex);
int store_rep_tokens(struct store *st, store_rep_token_cb cb, void *arg,
    char **cause);

/* What a rep's feeds depend on, read with a few index lookups, so the
 * HTTP service can tell whether a cached feed is still current without
 * rebuilding it. */
struct store_feed_stamp {
	int64_t tasks_changed;	   /* newest task creation or change */
	long tasks;		   /* tasks (a forgotten customer drops some) */
	long tasks_open;
	double sequences;	   /* sum of task sequences: every change */
	int64_t customers_changed; /* newest updated_at of the rep's customers */
	long customers;
	double updated;		   /* sum of updated_at: every change, even
				      if the clock went back */
	double contacts;	   /* sum of last contact days */
	double tiers;		   /* checksum of the customers' tiers */
};
int store_rep_feed_stamp(struct store *st, const char *rep,
    struct store_feed_stamp *s, char **cause);
/* A number that changes whenever another connection commits to the
 * store (PRAGMA data_version): a cheap "may anything have changed?" for
 * caches.  Writes through st itself do not change it.  -1 on error. */
int64_t store_data_version(struct store *st);
/* Tasks with a status ("open", ...), for metrics. */
int store_task_count(struct store *st, const char *status, long *n,
    char **cause);

#endif

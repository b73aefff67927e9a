/* store_outbox.h - the durable outbox and the planned items waiting for
 * it.  A message's state changes only after the peer's answer is known;
 * a crash leaves it 'sending', and store_outbox_recover() turns those back
 * into retries (at most one duplicate per in-flight message, never a
 * loss). */
#ifndef OUTREACHD_STORE_OUTBOX_H
#define OUTREACHD_STORE_OUTBOX_H

#include <stdint.h>

#include "channel.h"
#include "store.h"

/* A message's state.  The text ("pending"...) is the store's and what is
 * printed; code uses the enum (outbox_state_name/parse at the edges). */
enum outbox_state {
	OUTBOX_PENDING,		/* queued, not tried yet */
	OUTBOX_SENDING,		/* handed to the peer, answer not known */
	OUTBOX_SENT,		/* the peer accepted it */
	OUTBOX_RETRY,		/* failed for now, tried again at not_before */
	OUTBOX_FAILED,		/* failed for good */
	OUTBOX_SUPPRESSED,	/* not sent: opt-out, frequency cap, erased */
	OUTBOX_DELIVERED,	/* an SMS delivery report said so */
	OUTBOX_UNDELIVERED,
	OUTBOX_UNKNOWN,		/* no answer to the whole message: it may
				   have arrived, so it is not sent again
				   unless the admin says so (retry ID) */
	OUTBOX_CANCELLED,	/* by the admin (outbox cancel), with why */
	OUTBOX_EXPIRED,		/* could not go out by its rule's
				   max_delay_days: never sent late */
};
#define OUTBOX_NSTATES 11

const char *outbox_state_name(enum outbox_state s);
/* 0 and *s for a state's name, -1 for anything else. */
int outbox_state_parse(const char *name, enum outbox_state *s);

/* One outbox row.  Strings are owned by the struct (outbox_msg_clear). */
struct outbox_msg {
	int64_t id;
	char *dedup_key;
	int64_t item_id;
	int64_t customer_id;
	enum channel channel;
	char *recipient;
	char *recipient_name;
	char *from_name;
	char *reply_to;
	char *subject;
	char *body;
	char *html;
	int32_t day;
	char *timezone;
	enum outbox_state state;
	int attempts;
	int64_t not_before;
	char *last_error;
	char *provider_id;
	int64_t created_at;
	int64_t updated_at;
	int64_t sent_at;
	int64_t rep_id;		/* a message to a rep (a digest): customer_id
				   is 0 and nothing of a customer's applies */
	int64_t version;	/* the admin's changes to the queued row */
	char *cancel_reason;
	int64_t expires_at;	/* not sent from then on; 0 = never */
	char *render_key;	/* the templates and configuration rendered
				   with (compose_render_key), NULL = none */
	int64_t rendered_at;
	char *sms_request;	/* SMS to a provider of approved templates:
				   template id and values (tmpl_provider.h) */
	int64_t status_at;	/* next status query, 0 = none */
	int status_checks;	/* status queries asked */
	int64_t fence;		/* raised by every claim (store_outbox_claim) */
};

/* Which row a verdict is for, as its claim read it: an admin's change
 * moves the version, another instance's claim the fence; either way the
 * verdict is too late and is not written. */
struct outbox_ref {
	int64_t id;
	int64_t version;
	int64_t fence;
};

/* A delivery's claim of due messages: those store_outbox_due() would
 * list, at most limit, that no other sender holds. */
struct outbox_claim {
	const char *holder;	/* who claims: "host:pid" */
	const enum channel *only; /* NULL: any channel */
	int64_t now;
	int64_t lease_until;	/* the rows are the holder's until then */
	int64_t after_nb, after_id; /* keyset, as store_outbox_due() */
	int limit;
};

void outbox_msg_clear(struct outbox_msg *m);

/* A planned message not yet in the outbox.  Borrowed strings. */
struct queued_item {
	int64_t item_id;
	const char *dedup_key;
	const char *rule;
	int64_t customer_id;
	const char *external_id;
	int32_t day;
	int32_t occurrence;
	enum channel channel;
	int rep_message;	/* a task of kind message: keep the text */
};

typedef int (*queued_item_cb)(void *arg, const struct queued_item *it);
typedef int (*outbox_cb)(void *arg, const struct outbox_msg *m);

/* Planned message items not yet queued (oldest first, at most limit);
 * the callback must not write to the store (collect first). */
int store_items_unqueued(struct store *st, int limit, queued_item_cb cb,
    void *arg, char **cause);
/* The planned item item_id, as queueing sees it: cb once, or not. */
int store_item_get(struct store *st, int64_t item_id, queued_item_cb cb,
    void *arg, char **cause);
/* The same for rep messages: tasks of kind message not yet rendered. */
int store_rep_messages_unqueued(struct store *st, int limit,
    queued_item_cb cb, void *arg, char **cause);
/* Keeps the rendered text with a rep message task and marks it queued;
 * with error (subject and body NULL) says why there is no text. */
int store_rep_message_set(struct store *st, int64_t item_id,
    const char *subject, const char *body, const char *error, char **cause);
/* Marks an item queued; error (may be NULL) says why no message came. */
int store_item_mark_queued(struct store *st, int64_t item_id,
    const char *error, char **cause);
/* 1 when a row with this dedup key exists, 0 not, -1 error. */
int store_outbox_has(struct store *st, const char *dedup_key, char **cause);
/* 1 inserted, 0 the dedup key existed, -1 error. */
int store_outbox_insert(struct store *st, const struct outbox_msg *m,
    int64_t now, int64_t *id, char **cause);
/* Messages due (pending or retry, not_before <= now) on channel only (NULL:
 * any), oldest first, at most limit of them, starting after (after_nb,
 * after_id) in (not_before, id) order: INT64_MIN, 0 for the first page. */
int store_outbox_due(struct store *st, const enum channel *only,
    int64_t now, int64_t after_nb, int64_t after_id, int limit,
    outbox_cb cb, void *arg, char **cause);
/* The due messages of c, claimed (several instances may send from one
 * PostgreSQL store): each row leased to c->holder until c->lease_until,
 * its fence raised, in one statement that skips rows another transaction
 * has locked and rows under another holder's unexpired lease.  Inside a
 * store_begin_rows() transaction.  cb gets the rows in any order, with
 * their new fence.  SQLite has one sender at a time (the lock file): the
 * claim is store_outbox_due()'s read, and nothing is leased. */
int store_outbox_claim(struct store *st, const struct outbox_claim *c,
    outbox_cb cb, void *arg, char **cause);
/* 1 when claims lease their rows (several senders: PostgreSQL), 0 when
 * one sender holds the whole store (SQLite). */
int store_outbox_leased(const struct store *st);
/* The lease of a claimed row: renewed until `until`, or with until 0
 * given up if the row is still due (not sent, not 'sending').  Only while
 * ref's fence is the row's.  1 done, 0 the row was claimed anew since
 * (or is gone), -1 error.  SQLite: 1, nothing to do. */
int store_outbox_lease(struct store *st, const struct outbox_ref *ref,
    int64_t until, char **cause);
/* Sets state and the fields that go with it, if the row is still at
 * ref's version and fence (neither the admin nor another sender changed
 * it since it was claimed); a state other than 'sending' ends the lease.
 * NULL strings are stored as NULL, sent_at 0 leaves it unchanged.
 * 1 updated, 0 the row changed meanwhile (or is gone), -1 error. */
int store_outbox_update(struct store *st, const struct outbox_ref *ref,
    enum outbox_state state, int attempts, int64_t not_before,
    const char *error, const char *provider_id, int64_t sent_at, int64_t now,
    char **cause);
/* One row of store_outbox_updates(): store_outbox_update()'s arguments
 * (the strings the caller's, not freed here); done is set to 1 when the
 * row was at ref's version and fence and was updated, else 0. */
struct outbox_write {
	struct outbox_ref ref;
	enum outbox_state state;
	int attempts;
	int64_t not_before;
	char *error;
	char *provider_id;
	int64_t sent_at;
	int64_t now;
	int done;
};
/* store_outbox_update() for n rows of distinct ids, each at its own
 * version and fence: on PostgreSQL one statement, on SQLite one each.
 * Each row's w->done says whether it was written: 0, or -1 on error
 * (rows before the failing one may be written, on SQLite). */
int store_outbox_updates(struct store *st, struct outbox_write *w, size_t n,
    char **cause);
/* What delivery checks of a customer's message just before sending it.
 * In: id, customer_id, day.  Out: found (the customer still exists),
 * opt_out (malloc'd, NULL for none) and count, the messages sent or in
 * flight to the customer for days [day - cap_days + 1, day] but this one
 * (store_outbox_customer_count()). */
struct outbox_gate {
	int64_t id;
	int64_t customer_id;
	int32_t day;
	int found;
	char *opt_out;
	int count;
};
/* Fills n gates: on PostgreSQL in one statement, on SQLite a lookup each.
 * 0, or -1 with *cause. */
int store_outbox_gates(struct store *st, struct outbox_gate *g, size_t n,
    int cap_days, char **cause);
/* Crash recovery: 'sending' rows become 'retry', or 'unknown' with
 * their status query due now when they went to a provider of approved
 * templates (SendSms is not idempotent); *n how many.  expired_only: only
 * rows whose sender's lease ran out by now (instances sharing a store
 * rescue a dead one's rows); else every one (the only sender, starting). */
int store_outbox_recover(struct store *st, int64_t now, int expired_only,
    int *n, char **cause);
/* Messages of a channel accepted since `since` (rate limits). */
int store_outbox_sent_since(struct store *st, enum channel ch,
    int64_t since, char **cause);
/* Messages sent or in flight to a customer for days [from, to], not
 * counting `except` (the frequency cap, checked again at send time). */
int store_outbox_customer_count(struct store *st, int64_t customer_id,
    int32_t from, int32_t to, int64_t except, char **cause);
/* Earliest not_before among due-able rows, 0 when none: the daemon sleeps
 * until then. */
int64_t store_outbox_next_due(struct store *st, const enum channel *only,
    char **cause);
/* Listing for outreachctl outbox; state NULL = all. */
int store_outbox_each(struct store *st, const enum outbox_state *state,
    long limit, outbox_cb cb, void *arg, char **cause);
/* failed -> retry with attempts reset; id 0 = every failed message.  An
 * 'unknown' message is retried only by its id.  Returns how many. */
int store_outbox_retry(struct store *st, int64_t id, int64_t now,
    char **cause);
/* What `outbox cancel` selects: every condition given (id > 0, rule and
 * customer not NULL, has_day) must hold.  Borrowed strings. */
struct outbox_select {
	int64_t id;
	const char *rule;
	const char *customer;	/* external id */
	int has_day;
	int32_t day;
};
/* Cancels the queued and to-retry messages f selects, with why (sent ones
 * are history): how many, or -1. */
int store_outbox_cancel(struct store *st, const struct outbox_select *f,
    const char *reason, int64_t now, char **cause);
/* Holds (on) or releases sending on a channel, kept in the store so it
 * outlives restarts and reloads: 1 changed, 0 it already was, -1. */
int store_outbox_hold(struct store *st, enum channel ch, int on, int64_t now,
    char **cause);
/* 1 and *since (may be NULL) when the channel is held, 0 not, -1. */
int store_outbox_held(struct store *st, enum channel ch, int64_t *since,
    char **cause);
/* Queued customer messages whose text is out of date: rendered with
 * other templates or configuration than render_key, or before their
 * customer last changed; at most limit, by id. */
int store_outbox_stale_renders(struct store *st, const char *render_key,
    int limit, outbox_cb cb, void *arg, char **cause);
/* Keeps a new rendering of a queued row read at m->version (recipient,
 * names, subject, bodies, zone, expiry, render key): 1, 0 when the row
 * changed or left the queue meanwhile, -1. */
int store_outbox_rerender(struct store *st, const struct outbox_msg *m,
    int64_t now, char **cause);
/* A queued row read at m->version that can no longer go out: state
 * (failed, suppressed, expired) with why: 1, 0 changed meanwhile, -1. */
int store_outbox_give_up(struct store *st, const struct outbox_msg *m,
    enum outbox_state state, const char *why, int64_t now, char **cause);
/* Counts by state and channel, for metrics: counts[state][channel].
 * Index entries are counted, never rows. */
int store_outbox_counts_by(struct store *st,
    long counts[OUTBOX_NSTATES][CHANNEL_COUNT], char **cause);
/* Counts by state, for stats and the status line: counts[state]. */
int store_outbox_counts(struct store *st, long counts[OUTBOX_NSTATES],
    char **cause);
/* When a message of the channel was last accepted by its peer (unix
 * time), 0 never, -1 error. */
int64_t store_outbox_last_sent(struct store *st, enum channel ch,
    char **cause);
/* SMS delivery reports: 'sent' -> 'delivered'/'undelivered'; 0 when id
 * is not a sent SMS. */
int store_outbox_report(struct store *st, int64_t id, int delivered,
    const char *detail, int64_t now, char **cause);

#endif

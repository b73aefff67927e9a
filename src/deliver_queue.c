/* deliver_queue.c - planned message items become rendered outbox rows. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compose.h"
#include "deliver.h"
#include "deliver_priv.h"
#include "digest.h"
#include "log.h"
#include "reason.h"
#include "report_digest.h"
#include "store_outbox.h"
#include "store_plan.h"
#include "util.h"

/* Items are copied out of the query first: the store is written after. */
struct pending {
	struct queued_item *v;
	size_t n, cap;
};

static int
collect_item(void *arg, const struct queued_item *it)
{
	struct pending *p = arg;
	struct queued_item *c;

	if (p->n == p->cap) {
		p->cap = p->cap ? p->cap * 2 : 64;
		p->v = xreallocarray(p->v, p->cap, sizeof(*p->v));
	}
	c = &p->v[p->n++];
	*c = *it;
	c->dedup_key = xstrdup(it->dedup_key);
	c->rule = xstrdup(it->rule);
	c->external_id = xstrdup(it->external_id);
	return 0;
}

/* Outbox rows copied out of a query. */
struct rows {
	struct outbox_msg *v;
	size_t n, cap;
};

static void
pending_free(struct pending *p)
{
	size_t i;

	for (i = 0; i < p->n; i++) {
		free((char *)p->v[i].dedup_key);
		free((char *)p->v[i].rule);
		free((char *)p->v[i].external_id);
	}
	free(p->v);
}

/* The rep gets the job a message could not do. */
static int
fallback_task(struct deliver *d, const struct queued_item *it,
    const char *why, int64_t now, char **cause)
{
	char *key = xasprintf("%s:task", it->dedup_key);
	struct reason r;
	char *reason;
	struct plan_row row = {
		.dedup_key = key, .rule = it->rule, .event = "message",
		.customer_id = it->customer_id, .day = it->day,
		.occurrence = it->occurrence, .action = "task",
		.task_kind = "call",
	};
	int rc;

	reason_init(&r, REASON_UNSENT);
	r.text = why;
	row.reason = reason = reason_encode(&r);
	rc = store_plan_insert(d->st, &row, now, cause);
	free(key);
	free(reason);
	return rc < 0 ? -1 : 0;
}

/* A rep message: the text stays with the task, nothing is sent. */
static int
keep_rep_message(struct deliver *d, const struct queued_item *it,
    const struct compose_msg *cm, const char *why, struct send_stats *s,
    char **cause)
{
	if (why != NULL) {
		log_info("%s: %s: no text for the rep: %s", it->dedup_key,
		    it->external_id, why);
		s->unrenderable++;
		return store_rep_message_set(d->st, it->item_id, NULL, NULL,
		    why, cause);
	}
	return store_rep_message_set(d->st, it->item_id, cm->m.subject,
	    cm->m.body, NULL, cause);
}

/* The customer an item is for, as they are now, and their rep (rep->key
 * NULL when none): 1, 0 when the customer is gone, -1. */
static int
load_customer(struct deliver *d, const char *external_id,
    struct customer *c, struct store_rep *rep, char **cause)
{
	int rc;

	customer_init(c);
	memset(rep, 0, sizeof(*rep));
	if ((rc = store_customer_get(d->st, external_id, c, cause)) <= 0)
		return rc;
	if (c->field[CUST_REP] != NULL)
		store_rep_get(d->st, c->field[CUST_REP], rep, NULL);
	return 1;
}

/* Composes a queued row old again, with what is current: 0 kept (or the
 * row changed meanwhile), 1 when no message can come of it any more
 * (*why), -1 on error.  Its key, Message-ID and schedule stay. */
static int
compose_again(struct deliver *d, const struct tmpl_set *ts,
    const struct queued_item *it, const struct outbox_msg *old, int64_t now,
    char **why, char **cause)
{
	struct compose_ctx x = { d->cf, ts, d->secret, d->render_key };
	struct compose_item ci = { it->dedup_key, it->item_id, it->rule,
		it->channel, it->day, it->occurrence };
	struct compose_msg cm;
	struct customer c;
	struct store_rep rep;
	int rc;

	if ((rc = load_customer(d, it->external_id, &c, &rep, cause)) <= 0) {
		customer_clear(&c);
		return rc;
	}
	if (compose_message(&x, &ci, &c, rep.key ? &rep : NULL, now, &cm,
	    why) != 0)
		rc = 1;
	else {
		cm.m.id = old->id;
		cm.m.version = old->version;
		rc = store_outbox_rerender(d->st, &cm.m, now, cause) < 0 ? -1 : 0;
		compose_msg_free(&cm);
	}
	store_rep_clear(&rep);
	customer_clear(&c);
	return rc;
}

static int
queue_one(struct deliver *d, const struct tmpl_set *ts,
    const struct queued_item *it, int64_t now, struct send_stats *s,
    char **cause)
{
	struct compose_ctx x = { d->cf, ts, d->secret, d->render_key };
	struct compose_item ci = { it->dedup_key, it->item_id, it->rule,
		it->channel, it->day, it->occurrence };
	struct compose_msg cm;
	struct customer c;
	struct store_rep rep;
	char *why = NULL;
	int rc;

	if ((rc = load_customer(d, it->external_id, &c, &rep, cause)) < 0)
		return -1;
	if (it->rep_message) {
		rc = compose_message(&x, &ci, &c, rep.key ? &rep : NULL, now,
		    &cm, &why);
		rc = keep_rep_message(d, it, &cm, rc == 0 ? NULL : why, s,
		    cause);
		compose_msg_free(&cm);
		free(why);
		store_rep_clear(&rep);
		customer_clear(&c);
		return rc;
	}
	if (compose_message(&x, &ci, &c, rep.key ? &rep : NULL,
	    now, &cm, &why) == 0) {
		rc = store_outbox_insert(d->st, &cm.m, now, NULL, cause);
		s->queued += rc == 1;
		compose_msg_free(&cm);
		rc = rc < 0 ? -1 : 0;
	} else {
		log_info("%s: %s: not sent: %s", it->dedup_key, it->external_id,
		    why);
		s->unrenderable++;
		rc = fallback_task(d, it, why, now, cause);
	}
	if (rc == 0)
		rc = store_item_mark_queued(d->st, it->item_id, why, cause);
	free(why);
	store_rep_clear(&rep);
	customer_clear(&c);
	return rc;
}

/* Queues the items `unqueued` finds, 500 a transaction. */
static int
queue_items(struct deliver *d, const struct tmpl_set *ts, int64_t now,
    struct send_stats *s, int (*unqueued)(struct store *, int,
    queued_item_cb, void *, char **), char **cause)
{
	struct pending p = { 0 };
	size_t i;
	int rc = 0;

	do {
		pending_free(&p);
		memset(&p, 0, sizeof(p));
		if (unqueued(d->st, 500, collect_item, &p, cause) != 0)
			return -1;
		if (p.n == 0)
			break;
		if (store_begin(d->st, cause) != 0) {
			rc = -1;
			break;
		}
		for (i = 0; rc == 0 && i < p.n; i++)
			rc = queue_one(d, ts, &p.v[i], now, s, cause);
		if (rc == 0)
			rc = store_commit(d->st, cause);
		store_rollback(d->st);
	} while (rc == 0 && p.n == 500);
	pending_free(&p);
	return rc;
}

/* outbox_cb: copies the rows out, the store is written after. */
static int
collect_row(void *arg, const struct outbox_msg *m)
{
	struct rows *p = arg;
	struct outbox_msg *c;

	if (p->n == p->cap) {
		p->cap = p->cap ? p->cap * 2 : 64;
		p->v = xreallocarray(p->v, p->cap, sizeof(*p->v));
	}
	c = &p->v[p->n++];
	*c = *m;
	c->dedup_key = xstrdup(m->dedup_key);
	/* Only the key, id and version are used: the rest is made anew. */
	c->recipient = c->recipient_name = c->from_name = c->reply_to = NULL;
	c->subject = c->body = c->html = c->timezone = NULL;
	c->last_error = c->provider_id = c->cancel_reason = NULL;
	c->render_key = c->sms_request = NULL;
	return 0;
}

static void
rows_free(struct rows *p)
{
	size_t i;

	for (i = 0; i < p->n; i++)
		outbox_msg_clear(&p->v[i]);
	free(p->v);
	memset(p, 0, sizeof(*p));
}

/* Renders a queued message again from its planned item, the customer as
 * they are now and the current templates; one that cannot be rendered
 * any more (no address, the rule gone) fails with why. */
static int
rerender_one(struct deliver *d, const struct tmpl_set *ts,
    const struct outbox_msg *old, int64_t now, struct send_stats *s,
    char **cause)
{
	struct pending p = { 0 };
	struct queued_item it;
	char *why = NULL;
	int rc;

	if (store_item_get(d->st, old->item_id, collect_item, &p, cause) < 0)
		return -1;
	if (p.n == 0)	/* the item is gone: so is its row (cascade) */
		return 0;
	it = p.v[0];
	it.channel = old->channel;
	rc = compose_again(d, ts, &it, old, now, &why, cause);
	if (rc == 0) {
		s->rerendered++;
		log_info("%s: rendered again", old->dedup_key);
	} else if (rc == 1) {
		log_notice("%s: cannot be sent any more: %s", old->dedup_key,
		    why);
		rc = store_outbox_give_up(d->st, old, OUTBOX_FAILED, why, now,
		    cause) < 0 ? -1 : 0;
		s->failed++;
	}
	free(why);
	pending_free(&p);
	return rc;
}

/* Queued messages whose text is out of date, 500 a transaction. */
static int
rerender_queued(struct deliver *d, const struct tmpl_set *ts, int64_t now,
    struct send_stats *s, char **cause)
{
	struct rows p = { 0 };
	size_t i;
	int rc = 0;

	do {
		rows_free(&p);
		if (store_outbox_stale_renders(d->st, d->render_key, 500,
		    collect_row, &p, cause) != 0)
			return -1;
		if (p.n == 0 || store_begin(d->st, cause) != 0)
			break;
		for (i = 0; rc == 0 && i < p.n; i++)
			rc = rerender_one(d, ts, &p.v[i], now, s, cause);
		if (rc == 0)
			rc = store_commit(d->st, cause);
		store_rollback(d->st);
	} while (rc == 0 && p.n == 500);
	rows_free(&p);
	return rc;
}

/* One planned item as a preview: what would be queued, or why not. */
static void
preview_one(struct deliver *d, const struct tmpl_set *ts,
    const struct queued_item *it, int64_t now, struct send_stats *s)
{
	struct compose_ctx x = { d->cf, ts, d->secret, NULL };
	struct compose_item ci = { it->dedup_key, it->item_id, it->rule,
		it->channel, it->day, it->occurrence };
	struct compose_msg cm;
	struct customer c;
	struct store_rep rep;
	char *why = NULL;

	if (load_customer(d, it->external_id, &c, &rep, &why) < 0 ||
	    compose_message(&x, &ci, &c, rep.key ? &rep : NULL, now, &cm,
	    &why) != 0) {
		log_notice("dry run: would not queue %s (%s): %s",
		    it->dedup_key, it->external_id, why);
	} else {
		s->would_queue++;
		log_notice("dry run: would queue %s to %s (%s)",
		    cm.m.dedup_key, cm.m.recipient, channel_name(cm.m.channel));
		compose_msg_free(&cm);
	}
	free(why);
	store_rep_clear(&rep);
	customer_clear(&c);
}

int
deliver_queue_preview(struct deliver *d, const struct tmpl_set *ts,
    int64_t now, struct send_stats *s, char **cause)
{
	struct pending p = { 0 };
	size_t i;

	/* The whole backlog at once: nothing is marked, so paging would
	 * see the same items again. */
	if (store_items_unqueued(d->st, INT_MAX, collect_item, &p,
	    cause) != 0) {
		pending_free(&p);
		return -1;
	}
	for (i = 0; i < p.n; i++)
		preview_one(d, ts, &p.v[i], now, s);
	pending_free(&p);
	return 0;
}

int
deliver_queue(struct deliver *d, const struct tmpl_set *ts, int64_t now,
    struct send_stats *s, char **cause)
{
	uint64_t h = util_fnv1a(d->cf->digest, &(uint64_t){
	    tmpl_set_digest(ts) }, sizeof(uint64_t));

	/* What renders a message: the configuration and the templates as
	 * loaded.  A queued message made with others is made again. */
	snprintf(d->render_key, sizeof(d->render_key), "%016llx",
	    (unsigned long long)h);
	unsigned long digests, reports;

	if (rerender_queued(d, ts, now, s, cause) != 0 ||
	    queue_items(d, ts, now, s, store_items_unqueued, cause) != 0 ||
	    queue_items(d, ts, now, s, store_rep_messages_unqueued,
	    cause) != 0 ||
	    digest_queue(d->cf, ts, d->st, now, &digests, cause) != 0 ||
	    report_digest_queue(d->cf, ts, d->st, now, &reports, cause) != 0)
		return -1;
	s->queued += digests + reports;
	return 0;
}

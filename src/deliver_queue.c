/* deliver_queue.c - planned message items become rendered outbox rows. */
#include <stdlib.h>
#include <string.h>

#include "compose.h"
#include "deliver.h"
#include "deliver_priv.h"
#include "digest.h"
#include "log.h"
#include "reason.h"
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

static int
queue_one(struct deliver *d, const struct tmpl_set *ts,
    const struct queued_item *it, int64_t now, struct send_stats *s,
    char **cause)
{
	struct compose_ctx x = { d->cf, ts, d->secret };
	struct compose_item ci = { it->dedup_key, it->item_id, it->rule,
		it->channel, it->day, it->occurrence };
	struct compose_msg cm;
	struct customer c;
	struct store_rep rep = { 0 };
	char *why = NULL;
	int rc;

	customer_init(&c);
	if ((rc = store_customer_get(d->st, it->external_id, &c, cause)) < 0)
		return -1;
	if (c.field[CUST_REP] != NULL)
		store_rep_get(d->st, c.field[CUST_REP], &rep, NULL);
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

int
deliver_queue(struct deliver *d, const struct tmpl_set *ts, int64_t now,
    struct send_stats *s, char **cause)
{
	unsigned long digests;

	if (queue_items(d, ts, now, s, store_items_unqueued, cause) != 0 ||
	    queue_items(d, ts, now, s, store_rep_messages_unqueued,
	    cause) != 0 ||
	    digest_queue(d->cf, ts, d->st, now, &digests, cause) != 0)
		return -1;
	s->queued += digests;
	return 0;
}

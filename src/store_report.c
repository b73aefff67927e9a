/* store_report.c - the report's reads (store_report.h). */
#include <stdlib.h>
#include <string.h>

#include "customer.h"
#include "store_report.h"
#include "store_schema.h"
#include "util.h"

/* A customer's purchases as the walk gathers them. */
struct walk_hist {
	int32_t *days;
	int64_t *amounts;
	size_t n, cap;
};

static void
hist_add(struct walk_hist *h, int32_t day, int64_t amount)
{
	if (h->n == h->cap) {
		h->cap = h->cap ? h->cap * 2 : 64;
		h->days = xreallocarray(h->days, h->cap, sizeof(*h->days));
		h->amounts = xreallocarray(h->amounts, h->cap,
		    sizeof(*h->amounts));
	}
	h->days[h->n] = day;
	h->amounts[h->n++] = amount;
}

/* The three statements of the walk, each in customer id order. */
struct walk {
	sqlite3_stmt *c, *p, *k;
	int prc, krc;		/* the last step of p and k */
	int64_t pid, kid;	/* the customer of their current row */
};

static void
walk_finalize(struct walk *w)
{
	sqlite3_finalize(w->c);
	sqlite3_finalize(w->p);
	sqlite3_finalize(w->k);
}

/* Steps s and reads its customer id into *id. */
static int
walk_step(sqlite3_stmt *s, int64_t *id)
{
	int rc = sqlite3_step(s);

	if (rc == SQLITE_ROW)
		*id = sqlite3_column_int64(s, 0);
	return rc;
}

/*
 * Customers by rowid; purchases held to purchases_customer's order (as
 * store_tier_rows does: a plan change would bring a sorter back, and a
 * GROUP BY over them held ~150 MB at 1M customers); the last contact per
 * customer straight from contacts_customer, which covers it.
 */
static int
walk_prepare(struct store *st, struct walk *w, int32_t day, int64_t rep_id,
    char **cause)
{
	w->c = store_prepare(st, rep_id > 0 ? "SELECT id, rep_id, tier_eff,"
	    " sleep_days FROM customers WHERE rep_id = ?1 ORDER BY id;" :
	    "SELECT id, rep_id, tier_eff, sleep_days FROM customers"
	    " ORDER BY id;", cause);
	if (w->c == NULL)
		return -1;
	if (rep_id > 0)
		sqlite3_bind_int64(w->c, 1, rep_id);
	w->p = store_prepare(st, "SELECT customer_id, day, amount FROM"
	    " purchases INDEXED BY purchases_customer ORDER BY customer_id,"
	    " day;", cause);
	if (w->p == NULL)
		return -1;
	w->k = store_prepare(st, "SELECT customer_id, max(day) FROM contacts"
	    " INDEXED BY contacts_customer WHERE day <= ?1"
	    " GROUP BY customer_id ORDER BY customer_id;", cause);
	if (w->k == NULL)
		return -1;
	sqlite3_bind_int(w->k, 1, day);
	w->prc = walk_step(w->p, &w->pid);
	w->krc = walk_step(w->k, &w->kid);
	return 0;
}

/* Gathers customer id's purchases on or before day and last contact,
 * passing over those of customers the walk does not visit. */
static void
walk_gather(struct walk *w, int64_t id, int32_t day, struct walk_hist *h,
    int32_t *last_contact)
{
	int32_t d;

	h->n = 0;
	while (w->prc == SQLITE_ROW && w->pid <= id) {
		d = sqlite3_column_int(w->p, 1);
		if (w->pid == id && d <= day)
			hist_add(h, d, sqlite3_column_int64(w->p, 2));
		w->prc = walk_step(w->p, &w->pid);
	}
	*last_contact = DAY_NONE;
	while (w->krc == SQLITE_ROW && w->kid <= id) {
		if (w->kid == id)
			*last_contact = sqlite3_column_int(w->k, 1);
		w->krc = walk_step(w->k, &w->kid);
	}
}

int
store_report_customers(struct store *st, int32_t day, int64_t rep_id,
    report_cust_cb cb, void *arg, char **cause)
{
	struct walk w = { 0 };
	struct walk_hist h = { 0 };
	struct report_cust c;
	const unsigned char *t;
	int crc = SQLITE_DONE, stop = 0;

	if (walk_prepare(st, &w, day, rep_id, cause) != 0) {
		walk_finalize(&w);
		return -1;
	}
	while (!stop && (crc = sqlite3_step(w.c)) == SQLITE_ROW) {
		memset(&c, 0, sizeof(c));
		c.id = sqlite3_column_int64(w.c, 0);
		c.rep_id = sqlite3_column_int64(w.c, 1);
		t = sqlite3_column_text(w.c, 2);
		c.tier = t != NULL && t[0] >= 'A' && t[0] <= 'C' ? (char)t[0] :
		    'C';
		c.sleep_days = sqlite3_column_int(w.c, 3);
		walk_gather(&w, c.id, day, &h, &c.last_contact);
		if ((w.prc != SQLITE_ROW && w.prc != SQLITE_DONE) ||
		    (w.krc != SQLITE_ROW && w.krc != SQLITE_DONE))
			break;
		c.days = h.days;
		c.amounts = h.amounts;
		c.n = h.n;
		stop = cb(arg, &c);
	}
	walk_finalize(&w);
	free(h.days);
	free(h.amounts);
	if (stop)
		return stop;
	if (w.prc != SQLITE_ROW && w.prc != SQLITE_DONE)
		return store_fail(st, "reading purchases", cause);
	if (w.krc != SQLITE_ROW && w.krc != SQLITE_DONE)
		return store_fail(st, "reading contacts", cause);
	return crc == SQLITE_DONE ? 0 : store_fail(st, "reading customers",
	    cause);
}

int
store_report_tasks(struct store *st, int64_t rep_id, report_task_cb cb,
    void *arg, char **cause)
{
	struct report_task t;
	sqlite3_stmt *s;
	const unsigned char *tier;
	int rc, stop = 0;

	/* plan_items_open_day gives the order: no sorter. */
	s = store_prepare(st, "SELECT c.rep_id, c.tier_eff, p.day FROM"
	    " plan_items p INDEXED BY plan_items_open_day JOIN customers c ON"
	    " c.id = p.customer_id WHERE p.action = 'task' AND p.status ="
	    " 'open' AND p.merged_into IS NULL AND (?1 <= 0 OR c.rep_id = ?1)"
	    " ORDER BY p.day DESC;", cause);
	if (s == NULL)
		return -1;
	sqlite3_bind_int64(s, 1, rep_id);
	while (!stop && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		t.rep_id = sqlite3_column_int64(s, 0);
		tier = sqlite3_column_text(s, 1);
		t.tier = tier != NULL && tier[0] >= 'A' && tier[0] <= 'C' ?
		    (char)tier[0] : 'C';
		t.day = sqlite3_column_int(s, 2);
		stop = cb(arg, &t);
	}
	sqlite3_finalize(s);
	if (stop)
		return stop;
	return rc == SQLITE_DONE ? 0 : store_fail(st, "reading tasks", cause);
}

/* Each sent message's recipient, counted once per rule, with whether an
 * opt-out or a purchase followed one of their messages of the rule. */
#define OUTREACH_SQL \
	"SELECT p.rule," \
	" sum(o.sent_at IS NOT NULL)," \
	" sum(o.state = 'delivered')," \
	" sum(o.state = 'failed' OR o.state = 'undelivered')," \
	" sum(o.state = 'expired')," \
	" count(DISTINCT CASE WHEN o.sent_at IS NOT NULL THEN o.customer_id" \
	"  END)," \
	" count(DISTINCT CASE WHEN o.sent_at IS NOT NULL AND EXISTS (SELECT 1" \
	"  FROM optout_events e WHERE e.customer_id = o.customer_id AND" \
	"  e.day BETWEEN o.day AND o.day + 7) THEN o.customer_id END)," \
	" count(DISTINCT CASE WHEN o.sent_at IS NOT NULL AND EXISTS (SELECT 1" \
	"  FROM purchases q WHERE q.customer_id = o.customer_id AND" \
	"  q.day > o.day AND q.day <= min(o.day + ?3, ?4)) THEN" \
	"  o.customer_id END)" \
	" FROM outbox o INDEXED BY outbox_day" \
	" JOIN plan_items p ON p.id = o.item_id" \
	" JOIN customers c ON c.id = o.customer_id" \
	" WHERE o.customer_id IS NOT NULL AND o.day BETWEEN ?1 AND ?2" \
	" AND (?5 <= 0 OR c.rep_id = ?5)" \
	" GROUP BY p.rule ORDER BY p.rule;"

int
store_report_outreach(struct store *st, int32_t from, int32_t to,
    int32_t day, int attribution_days, int64_t rep_id, report_rule_cb cb,
    void *arg, char **cause)
{
	struct report_rule r;
	sqlite3_stmt *s;
	int rc, stop = 0;

	if ((s = store_prepare(st, OUTREACH_SQL, cause)) == NULL)
		return -1;
	sqlite3_bind_int(s, 1, from);
	sqlite3_bind_int(s, 2, to);
	sqlite3_bind_int(s, 3, attribution_days);
	sqlite3_bind_int(s, 4, day);
	sqlite3_bind_int64(s, 5, rep_id);
	while (!stop && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		r.rule = (const char *)sqlite3_column_text(s, 0);
		r.sent = sqlite3_column_int64(s, 1);
		r.delivered = sqlite3_column_int64(s, 2);
		r.failed = sqlite3_column_int64(s, 3);
		r.expired = sqlite3_column_int64(s, 4);
		r.recipients = sqlite3_column_int64(s, 5);
		r.opted_out = sqlite3_column_int64(s, 6);
		r.converted = sqlite3_column_int64(s, 7);
		stop = cb(arg, &r);
	}
	sqlite3_finalize(s);
	if (stop)
		return stop;
	return rc == SQLITE_DONE ? 0 : store_fail(st, "reading messages",
	    cause);
}

int
store_report_holdouts(struct store *st, int32_t from, int32_t to,
    int32_t day, int attribution_days, int64_t rep_id, report_holdout_cb cb,
    void *arg, char **cause)
{
	struct report_holdout h;
	sqlite3_stmt *s;
	int rc, stop = 0;

	s = store_prepare(st, "SELECT h.rule, count(DISTINCT h.customer_id),"
	    " count(DISTINCT CASE WHEN EXISTS (SELECT 1 FROM purchases q WHERE"
	    " q.customer_id = h.customer_id AND q.day > h.day AND"
	    " q.day <= min(h.day + ?3, ?4)) THEN h.customer_id END)"
	    " FROM holdouts h INDEXED BY holdouts_day"
	    " JOIN customers c ON c.id = h.customer_id"
	    " WHERE h.day BETWEEN ?1 AND ?2 AND (?5 <= 0 OR c.rep_id = ?5)"
	    " GROUP BY h.rule ORDER BY h.rule;", cause);
	if (s == NULL)
		return -1;
	sqlite3_bind_int(s, 1, from);
	sqlite3_bind_int(s, 2, to);
	sqlite3_bind_int(s, 3, attribution_days);
	sqlite3_bind_int(s, 4, day);
	sqlite3_bind_int64(s, 5, rep_id);
	while (!stop && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		h.rule = (const char *)sqlite3_column_text(s, 0);
		h.held_out = sqlite3_column_int64(s, 1);
		h.converted = sqlite3_column_int64(s, 2);
		stop = cb(arg, &h);
	}
	sqlite3_finalize(s);
	if (stop)
		return stop;
	return rc == SQLITE_DONE ? 0 : store_fail(st, "reading holdouts",
	    cause);
}

int
store_report_csat(struct store *st, int32_t from, int32_t to, int64_t rep_id,
    report_csat_cb cb, void *arg, char **cause)
{
	struct report_csat x;
	const unsigned char *t;
	sqlite3_stmt *s;
	int rc, stop = 0;

	s = store_prepare(st, "SELECT c.rep_id, c.tier_eff, count(*),"
	    " sum(a.score >= 4) FROM survey_answers a INDEXED BY"
	    " survey_answers_day JOIN customers c ON c.id = a.customer_id"
	    " WHERE a.day BETWEEN ?1 AND ?2 AND (?3 <= 0 OR c.rep_id = ?3)"
	    " GROUP BY c.rep_id, c.tier_eff;", cause);
	if (s == NULL)
		return -1;
	sqlite3_bind_int(s, 1, from);
	sqlite3_bind_int(s, 2, to);
	sqlite3_bind_int64(s, 3, rep_id);
	while (!stop && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		x.rep_id = sqlite3_column_int64(s, 0);
		t = sqlite3_column_text(s, 1);
		x.tier = t != NULL && t[0] >= 'A' && t[0] <= 'C' ? (char)t[0] :
		    'C';
		x.answers = sqlite3_column_int64(s, 2);
		x.satisfied = sqlite3_column_int64(s, 3);
		stop = cb(arg, &x);
	}
	sqlite3_finalize(s);
	if (stop)
		return stop;
	return rc == SQLITE_DONE ? 0 : store_fail(st, "reading answers",
	    cause);
}

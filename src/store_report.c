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
	struct db_stmt *c, *p, *k;
	int prc, krc;		/* the last step of p and k */
	int64_t pid, kid;	/* the customer of their current row */
};

static void
walk_finalize(struct walk *w)
{
	if (w->c != NULL)
		db_finalize(w->c);
	if (w->p != NULL)
		db_finalize(w->p);
	if (w->k != NULL)
		db_finalize(w->k);
}

/* Steps s and reads its customer id into *id. */
static int
walk_step(struct db_stmt *s, int64_t *id, char **cause)
{
	int rc = db_step(s, cause);

	if (rc == DB_ROW)
		*id = db_column_int64(s, 0);
	return rc;
}

/*
 * SQLite's INDEXED BY hints below keep its plans; PostgreSQL has no such
 * clause, hence a second text of each statement (store_dialect()).
 *
 * Customers by id; purchases held to purchases_customer's order (as
 * store_tier_rows does: a plan change would bring a sorter back, and a
 * GROUP BY over them held ~150 MB at 1M customers); the last contact per
 * customer straight from contacts_last, which covers it.
 *
 * Each is streamed (db_stream()): on PostgreSQL, where db.h otherwise
 * fetches a result whole (3M purchases: ~380 MB at 1M customers), each
 * walks through a cursor a thousand rows at a time, inside the read
 * transaction store_report_customers() opens, so memory stays flat as
 * on SQLite.
 */
static int
walk_prepare(struct store *st, struct walk *w, int32_t day, int64_t rep_id,
    char **cause)
{
	w->c = db_prepare(st->conn, rep_id > 0 ? "SELECT id, rep_id,"
	    " tier_eff, sleep_days FROM customers WHERE rep_id = ?1 ORDER BY"
	    " id;" : "SELECT id, rep_id, tier_eff, sleep_days FROM customers"
	    " ORDER BY id;", cause);
	if (w->c == NULL)
		return -1;
	db_stream(w->c);
	if (rep_id > 0)
		db_bind_int64(w->c, 1, rep_id);
	w->p = db_prepare(st->conn, store_dialect(st, "SELECT customer_id,"
	    " day, amount FROM purchases INDEXED BY purchases_customer ORDER BY"
	    " customer_id, day;", "SELECT customer_id, day, amount FROM"
	    " purchases ORDER BY customer_id, day;"), cause);
	if (w->p == NULL)
		return -1;
	db_stream(w->p);
	w->k = db_prepare(st->conn, store_dialect(st, "SELECT customer_id,"
	    " max(day) FROM contacts INDEXED BY contacts_last WHERE day <="
	    " ?1 GROUP BY customer_id ORDER BY customer_id;", "SELECT"
	    " customer_id, max(day) FROM contacts WHERE day <= ?1 GROUP BY"
	    " customer_id ORDER BY customer_id;"), cause);
	if (w->k == NULL)
		return -1;
	db_stream(w->k);
	db_bind_int64(w->k, 1, day);
	if ((w->prc = walk_step(w->p, &w->pid, cause)) == DB_ERROR ||
	    (w->krc = walk_step(w->k, &w->kid, cause)) == DB_ERROR)
		return -1;
	return 0;
}

/* Gathers customer id's purchases on or before day and last contact,
 * passing over those of customers the walk does not visit. */
static void
walk_gather(struct walk *w, int64_t id, int32_t day, struct walk_hist *h,
    int32_t *last_contact, char **cause)
{
	int32_t d;

	h->n = 0;
	while (w->prc == DB_ROW && w->pid <= id) {
		d = (int32_t)db_column_int64(w->p, 1);
		if (w->pid == id && d <= day)
			hist_add(h, d, db_column_int64(w->p, 2));
		w->prc = walk_step(w->p, &w->pid, cause);
	}
	*last_contact = DAY_NONE;
	while (w->prc != DB_ERROR && w->krc == DB_ROW && w->kid <= id) {
		if (w->kid == id)
			*last_contact = (int32_t)db_column_int64(w->k, 1);
		w->krc = walk_step(w->k, &w->kid, cause);
	}
}

/* The walk proper, its statements prepared. */
static int
walk_customers(struct walk *w, int32_t day, report_cust_cb cb, void *arg,
    char **cause)
{
	struct walk_hist h = { 0 };
	struct report_cust c;
	const char *t;
	int crc = DB_DONE, stop = 0;

	while (!stop && (crc = db_step(w->c, cause)) == DB_ROW) {
		memset(&c, 0, sizeof(c));
		c.id = db_column_int64(w->c, 0);
		c.rep_id = db_column_int64(w->c, 1);
		t = db_column_text(w->c, 2);
		c.tier = t != NULL && t[0] >= 'A' && t[0] <= 'C' ? t[0] : 'C';
		c.sleep_days = (int)db_column_int64(w->c, 3);
		walk_gather(w, c.id, day, &h, &c.last_contact, cause);
		if (w->prc == DB_ERROR || w->krc == DB_ERROR)
			break;
		c.days = h.days;
		c.amounts = h.amounts;
		c.n = h.n;
		stop = cb(arg, &c);
	}
	free(h.days);
	free(h.amounts);
	if (stop)
		return stop;
	if (w->prc == DB_ERROR || w->krc == DB_ERROR)
		return -1;
	return crc == DB_DONE ? 0 : -1;
}

/* In one read transaction (unless the caller's is open): one snapshot
 * for the three statements, and the one PostgreSQL's cursors need. */
int
store_report_customers(struct store *st, int32_t day, int64_t rep_id,
    report_cust_cb cb, void *arg, char **cause)
{
	struct walk w = { 0 };
	int own = !st->in_txn, rc = -1;

	if (own && store_read_begin(st, cause) != 0)
		return -1;
	if (walk_prepare(st, &w, day, rep_id, cause) == 0)
		rc = walk_customers(&w, day, cb, arg, cause);
	walk_finalize(&w);
	if (own)
		store_read_end(st);
	return rc;
}

#define TASKS_SQL_(hint) \
	"SELECT c.rep_id, c.tier_eff, p.day FROM plan_items p " hint \
	" JOIN customers c ON c.id = p.customer_id WHERE p.action = 'task'" \
	" AND p.status = 'open' AND p.merged_into IS NULL" \
	" AND (?1 <= 0 OR c.rep_id = ?1) ORDER BY p.day DESC;"
#define TASKS_SQL(st) store_dialect(st, \
	TASKS_SQL_("INDEXED BY plan_items_open_day"), TASKS_SQL_(""))

int
store_report_tasks(struct store *st, int64_t rep_id, report_task_cb cb,
    void *arg, char **cause)
{
	struct report_task t;
	struct db_stmt *s;
	const char *tier;
	int rc, stop = 0;

	/* plan_items_open_day gives the order: no sorter. */
	s = db_prepare(st->conn, TASKS_SQL(st), cause);
	if (s == NULL)
		return -1;
	db_bind_int64(s, 1, rep_id);
	while (!stop && (rc = db_step(s, cause)) == DB_ROW) {
		t.rep_id = db_column_int64(s, 0);
		tier = db_column_text(s, 1);
		t.tier = tier != NULL && tier[0] >= 'A' && tier[0] <= 'C' ?
		    tier[0] : 'C';
		t.day = (int32_t)db_column_int64(s, 2);
		stop = cb(arg, &t);
	}
	db_finalize(s);
	if (stop)
		return stop;
	return rc == DB_DONE ? 0 : -1;
}

/* Each sent message's recipient, counted once per rule, with whether an
 * opt-out or a purchase followed one of their messages of the rule.  A
 * purchase counts up to the smaller of o.day + ?3 and ?4 (both bounds
 * written out: SQLite's min(a, b) is PostgreSQL's least()); sum() counts
 * CASE ones, PostgreSQL having no sum of a boolean. */
#define OUTREACH_SQL_(hint) \
	"SELECT p.rule," \
	" sum(CASE WHEN o.sent_at IS NOT NULL THEN 1 ELSE 0 END)," \
	" sum(CASE WHEN o.state = 'delivered' THEN 1 ELSE 0 END)," \
	" sum(CASE WHEN o.state = 'failed' OR o.state = 'undelivered'" \
	"  THEN 1 ELSE 0 END)," \
	" sum(CASE WHEN o.state = 'expired' THEN 1 ELSE 0 END)," \
	" count(DISTINCT CASE WHEN o.sent_at IS NOT NULL THEN o.customer_id" \
	"  END)," \
	" count(DISTINCT CASE WHEN o.sent_at IS NOT NULL AND EXISTS (SELECT 1" \
	"  FROM optout_events e WHERE e.customer_id = o.customer_id AND" \
	"  e.day BETWEEN o.day AND o.day + 7) THEN o.customer_id END)," \
	" count(DISTINCT CASE WHEN o.sent_at IS NOT NULL AND EXISTS (SELECT 1" \
	"  FROM purchases q WHERE q.customer_id = o.customer_id AND" \
	"  q.day > o.day AND q.day <= o.day + ?3 AND q.day <= ?4) THEN" \
	"  o.customer_id END)" \
	" FROM outbox o " hint \
	" JOIN plan_items p ON p.id = o.item_id" \
	" JOIN customers c ON c.id = o.customer_id" \
	" WHERE o.customer_id IS NOT NULL AND o.day BETWEEN ?1 AND ?2" \
	" AND (?5 <= 0 OR c.rep_id = ?5)" \
	" GROUP BY p.rule ORDER BY p.rule;"
#define OUTREACH_SQL(st) store_dialect(st, \
	OUTREACH_SQL_("INDEXED BY outbox_day"), OUTREACH_SQL_(""))

/* A per-rule query of the period [from, to] (?1, ?2) counting purchases
 * within attribution_days (?3) up to day (?4), for rep_id's customers
 * (?5; 0 everyone): prepared and bound, NULL with *cause. */
static struct db_stmt *
rule_query(struct store *st, const char *sql, int32_t from, int32_t to,
    int32_t day, int attribution_days, int64_t rep_id, char **cause)
{
	struct db_stmt *s;

	if ((s = db_prepare(st->conn, sql, cause)) == NULL)
		return NULL;
	db_bind_int64(s, 1, from);
	db_bind_int64(s, 2, to);
	db_bind_int64(s, 3, attribution_days);
	db_bind_int64(s, 4, day);
	db_bind_int64(s, 5, rep_id);
	return s;
}

int
store_report_outreach(struct store *st, int32_t from, int32_t to,
    int32_t day, int attribution_days, int64_t rep_id, report_rule_cb cb,
    void *arg, char **cause)
{
	struct report_rule r;
	struct db_stmt *s;
	int rc, stop = 0;

	if ((s = rule_query(st, OUTREACH_SQL(st), from, to, day,
	    attribution_days, rep_id, cause)) == NULL)
		return -1;
	while (!stop && (rc = db_step(s, cause)) == DB_ROW) {
		r.rule = db_column_text(s, 0);
		r.sent = db_column_int64(s, 1);
		r.delivered = db_column_int64(s, 2);
		r.failed = db_column_int64(s, 3);
		r.expired = db_column_int64(s, 4);
		r.recipients = db_column_int64(s, 5);
		r.opted_out = db_column_int64(s, 6);
		r.converted = db_column_int64(s, 7);
		stop = cb(arg, &r);
	}
	db_finalize(s);
	if (stop)
		return stop;
	return rc == DB_DONE ? 0 : -1;
}

/* As OUTREACH_SQL counts conversions. */
#define HOLDOUTS_SQL_(hint) \
	"SELECT h.rule, count(DISTINCT h.customer_id)," \
	" count(DISTINCT CASE WHEN EXISTS (SELECT 1 FROM purchases q WHERE" \
	" q.customer_id = h.customer_id AND q.day > h.day AND" \
	" q.day <= h.day + ?3 AND q.day <= ?4) THEN h.customer_id END)" \
	" FROM holdouts h " hint \
	" JOIN customers c ON c.id = h.customer_id" \
	" WHERE h.day BETWEEN ?1 AND ?2 AND (?5 <= 0 OR c.rep_id = ?5)" \
	" GROUP BY h.rule ORDER BY h.rule;"
#define HOLDOUTS_SQL(st) store_dialect(st, \
	HOLDOUTS_SQL_("INDEXED BY holdouts_day"), HOLDOUTS_SQL_(""))

int
store_report_holdouts(struct store *st, int32_t from, int32_t to,
    int32_t day, int attribution_days, int64_t rep_id, report_holdout_cb cb,
    void *arg, char **cause)
{
	struct report_holdout h;
	struct db_stmt *s;
	int rc, stop = 0;

	if ((s = rule_query(st, HOLDOUTS_SQL(st), from, to, day,
	    attribution_days, rep_id, cause)) == NULL)
		return -1;
	while (!stop && (rc = db_step(s, cause)) == DB_ROW) {
		h.rule = db_column_text(s, 0);
		h.held_out = db_column_int64(s, 1);
		h.converted = db_column_int64(s, 2);
		stop = cb(arg, &h);
	}
	db_finalize(s);
	if (stop)
		return stop;
	return rc == DB_DONE ? 0 : -1;
}

#define CSAT_SQL_(hint) \
	"SELECT c.rep_id, c.tier_eff, count(*)," \
	" sum(CASE WHEN a.score >= 4 THEN 1 ELSE 0 END)" \
	" FROM survey_answers a " hint \
	" JOIN customers c ON c.id = a.customer_id" \
	" WHERE a.day BETWEEN ?1 AND ?2 AND (?3 <= 0 OR c.rep_id = ?3)" \
	" GROUP BY c.rep_id, c.tier_eff;"
#define CSAT_SQL(st) store_dialect(st, \
	CSAT_SQL_("INDEXED BY survey_answers_day"), CSAT_SQL_(""))

int
store_report_csat(struct store *st, int32_t from, int32_t to, int64_t rep_id,
    report_csat_cb cb, void *arg, char **cause)
{
	struct report_csat x;
	const char *t;
	struct db_stmt *s;
	int rc, stop = 0;

	s = db_prepare(st->conn, CSAT_SQL(st), cause);
	if (s == NULL)
		return -1;
	db_bind_int64(s, 1, from);
	db_bind_int64(s, 2, to);
	db_bind_int64(s, 3, rep_id);
	while (!stop && (rc = db_step(s, cause)) == DB_ROW) {
		x.rep_id = db_column_int64(s, 0);
		t = db_column_text(s, 1);
		x.tier = t != NULL && t[0] >= 'A' && t[0] <= 'C' ? t[0] : 'C';
		x.answers = db_column_int64(s, 2);
		x.satisfied = db_column_int64(s, 3);
		stop = cb(arg, &x);
	}
	db_finalize(s);
	if (stop)
		return stop;
	return rc == DB_DONE ? 0 : -1;
}

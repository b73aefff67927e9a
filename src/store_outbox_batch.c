/* store_outbox_batch.c - the writes and reads a delivery makes for many
 * rows at once (store_outbox.h).
 *
 * On PostgreSQL each statement is a round trip and a parse, plan and
 * executor start-up in the server: per message that was most of the
 * CPU a delivery costs (opt-outs, the cap, the mark, the verdict: four
 * statements).  The rows of a turn, or of a page, travel instead as
 * arrays (text literals, as store_plan_batch.c binds them) that unnest()
 * spreads into a join; each row keeps its own conditions (version and
 * fence), so the outcome is the one of the statements one by one.  On
 * SQLite a statement costs a function call: the rows go one by one,
 * through the single-row functions. */
#include <stdlib.h>
#include <string.h>

#include "store_outbox.h"
#include "store_plan_batch.h"
#include "store_schema.h"
#include "util.h"

/* The single-row UPDATE of store_outbox_update(), over arrays: v holds
 * each row's arguments, in the order of the binds below.  RETURNING
 * names the rows written (version and fence matched). */
static const char updates_pg[] =
	"UPDATE outbox o SET state = v.state, attempts = v.attempts,"
	" not_before = v.not_before, last_error = v.error,"
	" provider_id = coalesce(v.provider_id, o.provider_id),"
	" sent_at = coalesce(v.sent_at, o.sent_at), updated_at = v.now,"
	" status_checks = 0, status_at = CASE WHEN o.sms_request IS NOT NULL"
	" AND v.state IN ('sent','unknown') THEN v.now END,"
	" claimed_by = CASE WHEN v.state = 'sending' THEN o.claimed_by END,"
	" lease_until = CASE WHEN v.state = 'sending' THEN o.lease_until END"
	" FROM unnest(CAST(?1 AS bigint[]), CAST(?2 AS bigint[]),"
	" CAST(?3 AS bigint[]), CAST(?4 AS text[]), CAST(?5 AS integer[]),"
	" CAST(?6 AS bigint[]), CAST(?7 AS text[]), CAST(?8 AS text[]),"
	" CAST(?9 AS bigint[]), CAST(?10 AS bigint[])) AS v(id, version,"
	" fence, state, attempts, not_before, error, provider_id, sent_at,"
	" now) WHERE o.id = v.id AND o.version = v.version"
	" AND o.fence = v.fence RETURNING o.id;";

#define UPD_NARR 10

static void
array_int_or_null(struct buf *b, int64_t v)
{
	if (v != 0) {
		plan_array_int(b, v);
		return;
	}
	if (b->len > 0)
		buf_addc(b, ',');
	buf_puts(b, "NULL");
}

static int
updates_pg_run(struct store *st, struct outbox_write *w, size_t n,
    char **cause)
{
	struct buf a[UPD_NARR];
	struct db_stmt *s;
	int64_t id;
	size_t i, k;
	int rc;

	if ((s = store_stmt(st, STMT_OUTBOX_UPDATES, updates_pg, cause)) ==
	    NULL)
		return -1;
	for (k = 0; k < UPD_NARR; k++)
		buf_init(&a[k]);
	for (i = 0; i < n; i++) {
		plan_array_int(&a[0], w[i].ref.id);
		plan_array_int(&a[1], w[i].ref.version);
		plan_array_int(&a[2], w[i].ref.fence);
		plan_array_text(&a[3], outbox_state_name(w[i].state));
		plan_array_int(&a[4], w[i].attempts);
		plan_array_int(&a[5], w[i].not_before);
		plan_array_text(&a[6], w[i].error);
		plan_array_text(&a[7], w[i].provider_id);
		array_int_or_null(&a[8], w[i].sent_at);
		plan_array_int(&a[9], w[i].now);
		w[i].done = 0;
	}
	for (k = 0; k < UPD_NARR; k++) {
		plan_array_bind(s, (int)k + 1, &a[k]);
		buf_free(&a[k]);
	}
	/* Ids are distinct and few (a turn's): a scan finds each. */
	while ((rc = db_step(s, cause)) == DB_ROW) {
		id = db_column_int64(s, 0);
		for (i = 0; i < n && w[i].ref.id != id; i++)
			;
		if (i < n)
			w[i].done = 1;
	}
	db_reset(s);
	if (rc != DB_DONE) {
		for (i = 0; i < n; i++)
			w[i].done = 0;
		return -1;
	}
	return 0;
}

int
store_outbox_updates(struct store *st, struct outbox_write *w, size_t n,
    char **cause)
{
	size_t i;
	int rc;

	if (n == 0)
		return 0;
	if (db_backend(st->conn) == DB_PG)
		return updates_pg_run(st, w, n, cause);
	for (i = 0; i < n; i++)
		w[i].done = 0;
	for (i = 0; i < n; i++) {
		rc = store_outbox_update(st, &w[i].ref, w[i].state,
		    w[i].attempts, w[i].not_before, w[i].error,
		    w[i].provider_id, w[i].sent_at, w[i].now, cause);
		if (rc < 0)
			return -1;
		w[i].done = rc;
	}
	return 0;
}

/* store_customer_optout() and store_outbox_customer_count() for every
 * message at once; ord is the message's place in the arrays. */
static const char gates_pg[] =
	"SELECT m.ord, CASE WHEN c.id IS NULL THEN 0 ELSE 1 END, c.opt_out,"
	" (SELECT count(*) FROM outbox o WHERE o.customer_id = m.cid"
	" AND o.day BETWEEN m.day - ?4 + 1 AND m.day AND o.id <> m.id"
	" AND (o.state = 'sent' OR o.state = 'sending'"
	" OR o.state = 'delivered' OR o.state = 'undelivered'))"
	" FROM unnest(CAST(?1 AS bigint[]), CAST(?2 AS bigint[]),"
	" CAST(?3 AS integer[])) WITH ORDINALITY AS m(id, cid, day, ord)"
	" LEFT JOIN customers c ON c.id = m.cid;";

static int
gates_pg_run(struct store *st, struct outbox_gate *g, size_t n,
    int cap_days, char **cause)
{
	struct buf ids, cids, days;
	struct db_stmt *s;
	int64_t ord;
	size_t i;
	int rc;

	if ((s = store_stmt(st, STMT_OUTBOX_GATES, gates_pg, cause)) == NULL)
		return -1;
	buf_init(&ids);
	buf_init(&cids);
	buf_init(&days);
	for (i = 0; i < n; i++) {
		plan_array_int(&ids, g[i].id);
		plan_array_int(&cids, g[i].customer_id);
		plan_array_int(&days, g[i].day);
	}
	plan_array_bind(s, 1, &ids);
	plan_array_bind(s, 2, &cids);
	plan_array_bind(s, 3, &days);
	db_bind_int64(s, 4, cap_days);
	buf_free(&ids);
	buf_free(&cids);
	buf_free(&days);
	while ((rc = db_step(s, cause)) == DB_ROW) {
		ord = db_column_int64(s, 0);
		if (ord < 1 || ord > (int64_t)n)
			continue;
		i = (size_t)ord - 1;
		g[i].found = db_column_int64(s, 1) != 0;
		g[i].opt_out = store_col_text(s, 2);
		g[i].count = (int)db_column_int64(s, 3);
	}
	db_reset(s);
	return rc == DB_DONE ? 0 : -1;
}

int
store_outbox_gates(struct store *st, struct outbox_gate *g, size_t n,
    int cap_days, char **cause)
{
	size_t i;
	int rc;

	for (i = 0; i < n; i++) {
		g[i].found = 0;
		g[i].opt_out = NULL;
		g[i].count = 0;
	}
	if (n == 0)
		return 0;
	if (db_backend(st->conn) == DB_PG)
		return gates_pg_run(st, g, n, cap_days, cause);
	for (i = 0; i < n; i++) {
		if ((rc = store_customer_optout(st, g[i].customer_id,
		    &g[i].opt_out, cause)) < 0)
			return -1;
		g[i].found = rc;
		if ((g[i].count = store_outbox_customer_count(st,
		    g[i].customer_id, g[i].day - cap_days + 1, g[i].day,
		    g[i].id, cause)) < 0)
			return -1;
	}
	return 0;
}

/* store_outbox_claim.c - how senders share the outbox (store_outbox.h):
 * claims with leases and a fence, and the recovery of rows whose sender
 * died.
 *
 * On PostgreSQL any number of instances send from one store.  A claim
 * takes a page of due rows in one statement that skips rows another
 * transaction has locked (FOR UPDATE SKIP LOCKED, materialized so that no
 * more rows are taken than the limit) and rows under another holder's
 * unexpired lease, and stamps each with the holder, the lease and a
 * raised fence.  Every verdict is written only at the fence it was
 * claimed with, so a sender whose lease ran out (stalled, cut off) cannot
 * overwrite what the rescuer did since; the rescuer takes back only rows
 * whose lease ran out, and a live sender renews its leases while its
 * transfers last.  A message is thus sent twice only when its sender
 * died (or stalled past its lease) while it was on the wire: the
 * guarantee of one instance.
 *
 * On SQLite one process sends (the lock file): the claim is the plain
 * read it always was, leases are not kept, and a restart takes back every
 * 'sending' row. */
#include <stdlib.h>

#include "store_outbox.h"
#include "store_outbox_priv.h"
#include "store_schema.h"

/* PostgreSQL's claim.  Its keyset is a row comparison, which its index
 * on (not_before, id) starts at, so a claim reads its page and the rows
 * other senders hold, not the whole backlog; the CTE is MATERIALIZED so
 * that the LIMIT applies once, and RETURNING names the columns of
 * "outbox o" as the join has an id of its own.  SQLite's claim is
 * store_outbox_due()'s read (see above). */
static const char claim_pg[] =
	"WITH c AS MATERIALIZED (SELECT id FROM outbox"
	" WHERE state IN ('pending','retry') AND not_before <= ?1"
	" AND (not_before, id) > (?3, ?4)"
	" AND (CAST(?5 AS TEXT) IS NULL OR channel = ?5)"
	" AND (lease_until IS NULL OR lease_until <= ?1 OR claimed_by = ?6)"
	" ORDER BY not_before, id LIMIT ?2 FOR UPDATE SKIP LOCKED)"
	" UPDATE outbox o SET claimed_by = ?6, lease_until = ?7,"
	" fence = o.fence + 1 FROM c WHERE o.id = c.id"
	" RETURNING " OUTBOX_COLS_O ";";

int
store_outbox_claim(struct store *st, const struct outbox_claim *c,
    outbox_cb cb, void *arg, char **cause)
{
	struct db_stmt *s;

	if (!store_outbox_leased(st))
		return store_outbox_due(st, c->only, c->now, c->after_nb,
		    c->after_id, c->limit, cb, arg, cause);
	if ((s = store_stmt(st, STMT_OUTBOX_CLAIM, claim_pg, cause)) == NULL)
		return -1;
	db_bind_int64(s, 1, c->now);
	db_bind_int64(s, 2, c->limit);
	db_bind_int64(s, 3, c->after_nb);
	db_bind_int64(s, 4, c->after_id);
	db_bind_text(s, 5, c->only ? channel_name(*c->only) : NULL);
	db_bind_text(s, 6, c->holder);
	db_bind_int64(s, 7, c->lease_until);
	return store_outbox_walk(s, cb, arg, cause);
}

int
store_outbox_leased(const struct store *st)
{
	return db_backend(st->conn) == DB_PG;
}

int
store_outbox_lease(struct store *st, const struct outbox_ref *ref,
    int64_t until, char **cause)
{
	struct db_stmt *s;
	int n;

	if (db_backend(st->conn) != DB_PG)
		return 1;
	if (until > 0)
		s = store_stmt(st, STMT_OUTBOX_LEASE_RENEW, "UPDATE outbox SET"
		    " lease_until = ?3 WHERE id = ?1 AND fence = ?2;", cause);
	else
		s = store_stmt(st, STMT_OUTBOX_LEASE_DROP, "UPDATE outbox SET"
		    " claimed_by = NULL, lease_until = NULL WHERE id = ?1 AND"
		    " fence = ?2 AND state IN ('pending','retry');", cause);
	if (s == NULL)
		return -1;
	db_bind_int64(s, 1, ref->id);
	db_bind_int64(s, 2, ref->fence);
	if (until > 0)
		db_bind_int64(s, 3, until);
	if ((n = store_write(st, s, cause)) < 0)
		return -1;
	return n > 0 || until == 0;
}

int
store_outbox_recover(struct store *st, int64_t now, int expired_only,
    int *n, char **cause)
{
	struct db_stmt *s;
	int k;

	/* "state <> 'sent'" lets SQLite use the partial outbox_state (it
	 * does not infer it from the equality), where the few 'sending'
	 * rows are found on both.  A row from before leases has none:
	 * expired. */
	s = db_prepare(st->conn, "UPDATE outbox SET state = CASE WHEN"
	    " sms_request IS NULL THEN 'retry' ELSE 'unknown' END,"
	    " status_at = CASE WHEN sms_request IS NOT NULL THEN ?1 END,"
	    " status_checks = 0, updated_at = ?1, last_error = CASE WHEN"
	    " ?2 = 0 THEN 'interrupted while sending (recovered after a"
	    " restart)' ELSE 'interrupted while sending (its sender''s lease"
	    " ran out)' END, claimed_by = NULL, lease_until = NULL"
	    " WHERE state <> 'sent' AND state = 'sending' AND (?2 = 0 OR"
	    " lease_until IS NULL OR lease_until <= ?1);", cause);
	if (s == NULL)
		return -1;
	db_bind_int64(s, 1, now);
	db_bind_int64(s, 2, expired_only != 0);
	if ((k = store_write(st, s, cause)) < 0)
		return -1;
	*n = k;
	return 0;
}

/* deliver_rows.c - what a delivery pass reads and writes of its rows
 * besides the claim (deliver_run.h): the turn's transaction, the writes
 * in it, and the customers' opt-outs and caps.
 *
 * Every write of a turn but the 'sending' marks waits for the turn's
 * commit and goes with the others in one statement (on PostgreSQL a
 * statement is a round trip and most of a message's CPU): nobody reads
 * those writes before the commit, which makes them durable as before,
 * and each keeps its own version and fence, so a late verdict is refused
 * row by row.  The marks are written at once, together and with the
 * writes waiting, as the pass must know which rows it still holds before
 * their transfers start. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "deliver_run.h"
#include "log.h"
#include "optout.h"

/* Keeps the first error of the pass. */
void
drun_fail(struct deliver_run *r, char *err)
{
	if (r->error == NULL)
		r->error = err != NULL ? err : xstrdup("delivery failed");
	else
		free(err);
}

/* Opens the turn's transaction before its first write. */
int
drun_write(struct deliver_run *r)
{
	char *err = NULL;

	if (r->in_txn) {
		r->txn_writes++;
		return 0;
	}
	/* Rows only, each claimed by this pass: instances sending from one
	 * PostgreSQL store need not take turns for these. */
	if (store_begin_rows(r->d->st, &err) != 0) {
		drun_fail(r, err);
		return -1;
	}
	r->in_txn = 1;
	r->txn_writes = 1;
	return 0;
}

/* Rows a commit has just made durable: the transfer threads resume the
 * transfers waiting for it. */
static void
run_open_gates(struct deliver_run *r)
{
	int k;

	for (k = 0; k < r->d->nxfer; k++)
		deliver_xfer_wake(&r->d->xfer[k]);
}

/* A commit failed: transfers still waiting for it have sent no message
 * and must not; their threads hand them back cancelled, and their rows
 * stay as the store has them. */
static void
run_drop_gated(struct deliver_run *r)
{
	struct deliver *d = r->d;
	struct deliver_job *job;
	size_t i;

	for (i = 0; i < d->ninflight; i++) {
		job = d->inflight[i];
		if (job->gate > d->commits) {
			atomic_store(&job->cancel, 1);
			deliver_xfer_wake(job->xfer);
		}
	}
}

static void
writes_clear(struct deliver_run *r)
{
	size_t i;

	for (i = 0; i < r->nwrites; i++) {
		free(r->writes[i].error);
		free(r->writes[i].provider_id);
	}
	r->nwrites = 0;
}

/* Writes the turn's waiting row writes, in its transaction. */
int
drun_flush(struct deliver_run *r)
{
	char *err = NULL;
	int rc;

	if (r->nwrites == 0)
		return 0;
	rc = store_outbox_updates(r->d->st, r->writes, r->nwrites, &err);
	writes_clear(r);
	if (rc != 0) {
		drun_fail(r, err);
		return -1;
	}
	return 0;
}

int
drun_commit(struct deliver_run *r)
{
	char *err = NULL;

	if (!r->in_txn) {
		writes_clear(r);	/* none without a transaction */
		return 0;
	}
	r->in_txn = 0;
	if (drun_flush(r) != 0 || store_commit(r->d->st, &err) != 0) {
		store_rollback(r->d->st);
		drun_fail(r, err);
		run_drop_gated(r);
		return -1;
	}
	r->d->commits++;
	run_open_gates(r);
	return 0;
}

/* Adds a row write to the turn's; its strings are copied. */
static struct outbox_write *
writes_push(struct deliver_run *r, const struct outbox_msg *m,
    enum outbox_state state, int attempts, int64_t not_before,
    const char *error, const char *provider_id, int64_t sent_at,
    int64_t now)
{
	struct outbox_write *w;

	if (r->nwrites == r->writes_cap) {
		r->writes_cap = r->writes_cap ? r->writes_cap * 2 : 64;
		r->writes = xreallocarray(r->writes, r->writes_cap,
		    sizeof(*r->writes));
	}
	w = &r->writes[r->nwrites++];
	w->ref = (struct outbox_ref){ m->id, m->version, m->fence };
	w->state = state;
	w->attempts = attempts;
	w->not_before = not_before;
	w->error = error != NULL ? xstrdup(error) : NULL;
	w->provider_id = provider_id != NULL ? xstrdup(provider_id) : NULL;
	w->sent_at = sent_at;
	w->now = now;
	w->done = 0;
	return w;
}

/* One row update in the turn's transaction, written with the others of
 * the turn before its commit (or with its marks); a row the admin
 * changed since it was read (cancelled, rendered again) is left as they
 * made it.  0, or -1 on error. */
int
drun_update(struct deliver_run *r, const struct outbox_msg *m,
    enum outbox_state state, int64_t not_before, const char *error,
    const char *provider_id, int64_t sent_at, int64_t now)
{
	if (drun_write(r) != 0)
		return -1;
	writes_push(r, m, state, m->attempts, not_before, error, provider_id,
	    sent_at, now);
	return 0;
}

/* Marks jobs 'sending', at once: each attempt is counted before the
 * peer is asked.  The turn's waiting writes go in the same statement
 * (other rows: their jobs are done), so that a turn that reaps a verdict
 * and starts the next message writes once.  A job whose row the admin
 * changed since it was read (cancelled, rendered again) or another
 * sender claimed is stale, and not sent.  0, or -1 on error. */
int
drun_mark(struct deliver_run *r, struct deliver_job **jobs, size_t n)
{
	struct deliver_job *job;
	int64_t now = (int64_t)time(NULL);
	char *err = NULL;
	size_t i, at;
	int rc;

	if (n == 0)
		return 0;
	if (drun_write(r) != 0)
		return -1;
	r->txn_writes += (int)n - 1;
	at = r->nwrites;
	for (i = 0; i < n; i++) {
		job = jobs[i];
		writes_push(r, &job->m, OUTBOX_SENDING, job->m.attempts + 1,
		    job->m.not_before, job->m.last_error, NULL, 0, now);
	}
	/* After a failure, the rows written before it are marked too: the
	 * pass's end gives them back. */
	rc = store_outbox_updates(r->d->st, r->writes, r->nwrites, &err);
	for (i = 0; i < n; i++) {
		job = jobs[i];
		if (r->writes[at + i].done) {
			job->m.attempts++;
			job->marked = 1;
		} else if (rc == 0) {
			log_info("%s: changed while queued for sending: left as "
			    "the admin made it", job->m.dedup_key);
			job->stale = 1;
		}
	}
	writes_clear(r);
	if (rc != 0) {
		drun_fail(r, err);
		return -1;
	}
	return 0;
}

void
drun_gates_clear(struct deliver_run *r)
{
	size_t i;

	if (r->gate_at != 0)
		for (i = r->gate_from; i < r->npage; i++) {
			free(r->gates[i].opt_out);
			r->gates[i].opt_out = NULL;
		}
	r->gate_at = 0;
	r->npassed = 0;
}

/* Reads the customers of page[at..] in one query.  The page's later
 * messages are triaged within seconds, ahead of the transfers by at most
 * DELIVER_READY messages, as when each was read at its own triage; older
 * than DELIVER_GATE_AGE, what was read is read again, so an opt-out
 * recorded meanwhile is honoured as late as it was then.  A cap counts
 * the messages sent or in flight at the read, and those of the page let
 * through since (drun_passed()). */
static int
run_gates_read(struct deliver_run *r, size_t at)
{
	struct outbox_gate *g;
	char *err = NULL;
	size_t i;

	/* The turn's writes first: a verdict of 'retry' waiting for the
	 * commit leaves its row 'sending', which a cap counts. */
	if (drun_flush(r) != 0)
		return -1;
	drun_gates_clear(r);
	for (i = at; i < r->npage; i++) {
		g = &r->gates[i];
		g->id = r->page[i]->m.id;
		g->customer_id = r->page[i]->m.customer_id;
		g->day = r->page[i]->m.day;
	}
	r->gate_from = at;
	r->gate_at = clock_seconds();
	if (store_outbox_gates(r->d->st, &r->gates[at], r->npage - at,
	    r->d->cf->plan.cap_days, &err) != 0) {
		drun_fail(r, err);
		return -1;
	}
	return 0;
}

/* A message of the page goes to a connection: the caps of the page's
 * later messages count it, until it turns out not sent (drun_unpass()),
 * as they would count its row. */
void
drun_passed(struct deliver_run *r, const struct outbox_msg *m)
{
	if (m->customer_id == 0 || r->gate_at == 0 ||
	    r->npassed == DELIVER_PAGE)
		return;
	r->passed[r->npassed].id = m->id;
	r->passed[r->npassed].customer_id = m->customer_id;
	r->passed[r->npassed].day = m->day;
	r->npassed++;
}

void
drun_unpass(struct deliver_run *r, const struct outbox_msg *m)
{
	size_t i;

	for (i = 0; i < r->npassed; i++)
		if (r->passed[i].id == m->id) {
			r->passed[i] = r->passed[--r->npassed];
			return;
		}
}

/* Why page[at], a customer's message, must not go out at all any more,
 * or NULL: an opt-out or a frequency cap that came after it was planned,
 * or the customer erased.  NULL too when the store failed (r->error). */
const char *
drun_suppressed(struct deliver_run *r, size_t at)
{
	const struct conf_plan *cp = &r->d->cf->plan;
	const struct outbox_msg *m = &r->page[at]->m;
	const struct outbox_gate *g;
	const char *why;
	int n;
	size_t i;

	if ((r->gate_at == 0 || at < r->gate_from ||
	    clock_seconds() - r->gate_at > DELIVER_GATE_AGE) &&
	    run_gates_read(r, at) != 0)
		return NULL;
	g = &r->gates[at];
	if (!g->found)
		return "customer erased";
	if ((why = optout_suppresses(g->opt_out, m->channel)) != NULL)
		return why;
	n = g->count;
	for (i = 0; i < r->npassed; i++)
		if (r->passed[i].customer_id == m->customer_id &&
		    r->passed[i].day <= m->day &&
		    r->passed[i].day > m->day - cp->cap_days)
			n++;
	return n >= cp->cap_messages ? "frequency cap reached" : NULL;
}

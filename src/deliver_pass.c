/* deliver_pass.c - one delivery pass, as a pipeline.
 *
 * Due rows are read a page at a time, triaged (suppression, quiet hours,
 * rate) and prepared (MIME, gateway request) while earlier messages are on
 * the wire.  A message's row is 'sending', durably, before the peer can
 * accept it, and its verdict is written once the peer has answered.  A
 * connection's next message cannot be accepted before the verdict of its
 * last one is durable either: transfers start after the commit, or, for
 * gated transports (SMTP), start at once and hold the message back until
 * the commit.  So a kill loses nothing and duplicates at most one message
 * per connection.  The state writes of one turn of the loop share one
 * transaction, and no transaction is held open while the loop waits for
 * the network.  SMTP transfers run on transfer threads (deliver_xfer.c),
 * HTTP ones on this thread's own multi handle; this thread keeps the
 * store, the triage and the MIME work, and takes the finished transfers
 * back to record them. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "compose.h"
#include "deliver_priv.h"
#include "log.h"
#include "optout.h"

#define DELIVER_PAGE	256	/* due rows read at a time */
#define DELIVER_CLAIM_PER_CONN 32 /* rows claimed per connection, leased */
#define DELIVER_READY	64	/* messages prepared ahead of the connections */
#define DELIVER_TXN_MAX	256	/* row writes per transaction at most */

struct deliver_run {
	struct deliver *d;
	int64_t now;
	int dry_run;
	const atomic_int *stop;
	struct send_stats *s;
	char *error;			/* the first error */
	int in_txn;
	int txn_writes;
	/* the page of due rows being triaged */
	struct deliver_job **page;
	size_t npage, pos;
	int64_t after_nb, after_id;	/* where the next page starts */
	int nread;			/* rows read: delivery.batch bounds it */
	int claim;			/* rows read at a time, <= DELIVER_PAGE */
	int exhausted;
	/* prepared, waiting for a connection, in due order */
	struct deliver_job *ready[DELIVER_READY];
	size_t nready;
	double deadline;		/* shutdown grace (clock_seconds) */
	struct deliver_job **back;	/* taken back from transfer threads */
	size_t back_cap;
	time_t holds_at;		/* when the holds were last read */
	double renew_at;		/* the next renewal of the leases */
};

/* Keeps the first error of the pass. */
static void
run_fail(struct deliver_run *r, char *err)
{
	if (r->error == NULL)
		r->error = err != NULL ? err : xstrdup("delivery failed");
	else
		free(err);
}

static int
run_stopping(const struct deliver_run *r)
{
	return r->error != NULL || (r->stop != NULL && *r->stop);
}

/* Opens the turn's transaction before its first write. */
static int
run_write(struct deliver_run *r)
{
	char *err = NULL;

	if (r->in_txn) {
		r->txn_writes++;
		return 0;
	}
	/* Rows only, each claimed by this pass: instances sending from one
	 * PostgreSQL store need not take turns for these. */
	if (store_begin_rows(r->d->st, &err) != 0) {
		run_fail(r, err);
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

static int
run_commit(struct deliver_run *r)
{
	char *err = NULL;

	if (!r->in_txn)
		return 0;
	r->in_txn = 0;
	if (store_commit(r->d->st, &err) != 0) {
		store_rollback(r->d->st);
		run_fail(r, err);
		run_drop_gated(r);
		return -1;
	}
	r->d->commits++;
	run_open_gates(r);
	return 0;
}

/* One row update inside the turn's transaction: 1, 0 when the admin
 * changed the row since it was read (cancelled, rendered again: theirs
 * wins), -1 on error. */
static int
run_update(struct deliver_run *r, const struct outbox_msg *m,
    enum outbox_state state, int64_t not_before, const char *error,
    const char *provider_id, int64_t sent_at, int64_t now)
{
	struct outbox_ref ref = { m->id, m->version, m->fence };
	char *err = NULL;
	int rc;

	if (run_write(r) != 0)
		return -1;
	if ((rc = store_outbox_update(r->d->st, &ref, state,
	    m->attempts, not_before, error, provider_id, sent_at, now,
	    &err)) < 0) {
		run_fail(r, err);
		return -1;
	}
	return rc;
}

/* Gives up the lease of a claimed row this pass leaves due (held, over
 * the rate, not reached), so that another sender need not wait for it to
 * run out.  A row marked 'sending' keeps it (store_outbox_lease()). */
static void
run_release(struct deliver_run *r, struct deliver_job *job)
{
	struct outbox_ref ref = { job->m.id, job->m.version, job->m.fence };
	char *err = NULL;

	if (r->dry_run || job->stale || !store_outbox_leased(r->d->st) ||
	    r->error != NULL || run_write(r) != 0)
		return;
	if (store_outbox_lease(r->d->st, &ref, 0, &err) < 0)
		run_fail(r, err);
}

/* Renews a job's lease.  Another sender that claimed the row meanwhile
 * (this one's lease ran out: the database was out of reach, the process
 * stalled) has it: a job not started is dropped, and the verdict of one
 * on the wire will not be written (its fence is old). */
static void
run_renew_job(struct deliver_run *r, struct deliver_job *job, int64_t until,
    int inflight)
{
	struct outbox_ref ref = { job->m.id, job->m.version, job->m.fence };
	char *err = NULL;
	int rc;

	if (job->stale || r->error != NULL)
		return;
	if ((rc = store_outbox_lease(r->d->st, &ref, until, &err)) < 0) {
		run_fail(r, err);
		return;
	}
	if (rc == 1)
		return;
	log_warn("%s: claimed by another sender, this one's lease having run "
	    "out: %s", job->m.dedup_key, inflight ? "its outcome is theirs to "
	    "record" : "left to it");
	if (!inflight)
		job->stale = 1;
}

/* A third of the lease after the last renewal, the rows this pass holds
 * (read, ready, on the wire) are renewed: however long a transfer takes,
 * a live sender keeps them and a dead one's run out. */
static void
run_renew(struct deliver_run *r)
{
	struct deliver *d = r->d;
	int lease = d->cf->delivery.claim_lease;
	int64_t until;
	size_t i;

	if (r->dry_run || !store_outbox_leased(d->st) ||
	    clock_seconds() < r->renew_at || run_write(r) != 0)
		return;
	r->renew_at = clock_seconds() + lease / 3.0;
	until = (int64_t)time(NULL) + lease;
	for (i = r->pos; i < r->npage; i++)
		run_renew_job(r, r->page[i], until, 0);
	for (i = 0; i < r->nready; i++)
		run_renew_job(r, r->ready[i], until, 0);
	for (i = 0; i < d->ninflight; i++)
		run_renew_job(r, d->inflight[i], until, 1);
}

/* Why a due message must not go out at all any more, or NULL: an opt-out
 * or a frequency cap that came after it was planned. */
static const char *
run_suppressed(struct deliver_run *r, const struct outbox_msg *m)
{
	const struct conf_plan *cp = &r->d->cf->plan;
	char *optout = NULL, *err = NULL;
	const char *why;
	int rc, n;

	if ((rc = store_customer_optout(r->d->st, m->customer_id, &optout,
	    &err)) < 0) {
		run_fail(r, err);
		return NULL;
	}
	why = optout_suppresses(optout, m->channel);
	free(optout);
	if (rc == 0)
		return "customer erased";
	if (why != NULL)
		return why;
	n = store_outbox_customer_count(r->d->st, m->customer_id,
	    m->day - cp->cap_days + 1, m->day, m->id, &err);
	if (n < 0) {
		run_fail(r, err);
		return NULL;
	}
	return n >= cp->cap_messages ? "frequency cap reached" : NULL;
}

/* Records a verdict: the only place a transfer's outcome reaches a row. */
static void
run_record(struct deliver_run *r, struct deliver_job *job, int64_t now)
{
	const struct conf_delivery *c = &r->d->cf->delivery;
	struct outbox_msg *m = &job->m;
	struct send_stats *s = r->s;
	int delay, ch = job->ch->id;

	deliver_host_verdict(job);
	if (job->verdict == DV_SENT) {
		s->sent++;
		s->sent_by[ch]++;
		log_info("sent %s to %s via %s", m->dedup_key,
		    channel_name(m->channel), job->ch->be->name);
		run_update(r, m, OUTBOX_SENT, now, NULL, job->provider_id, now,
		    now);
	} else if (job->verdict == DV_RETRY && m->attempts < c->max_attempts) {
		s->retried++;
		s->retried_by[ch]++;
		delay = deliver_backoff(c, m->attempts);
		if (job->retry_after_secs > delay)
			delay = job->retry_after_secs;
		log_warn("%s: attempt %d failed, retry in %ds: %s",
		    m->dedup_key, m->attempts, delay, job->error);
		run_update(r, m, OUTBOX_RETRY, now + delay, job->error, NULL, 0, now);
	} else if (job->verdict == DV_UNKNOWN) {
		s->failed++;
		s->failed_by[ch]++;
		log_err("%s: outcome unknown, %s (`outreachctl retry %lld` "
		    "sends it anyway): %s", m->dedup_key, job->ch->provider ?
		    "the provider's status query decides" : "not sent again",
		    (long long)m->id, job->error);
		run_update(r, m, OUTBOX_UNKNOWN, now, job->error, NULL, 0, now);
	} else {
		s->failed++;
		s->failed_by[ch]++;
		log_err("%s: failed after %d attempt%s: %s", m->dedup_key,
		    m->attempts, m->attempts == 1 ? "" : "s", job->error);
		run_update(r, m, OUTBOX_FAILED, now, job->error, NULL, 0, now);
	}
}

static int
collect_due(void *arg, const struct outbox_msg *m)
{
	struct deliver_run *r = arg;
	struct deliver_job *job = xcalloc(1, sizeof(*job));

	job->m = *m;
	memset((struct outbox_msg *)m, 0, sizeof(*m)); /* ownership moves */
	job->retry_after_secs = -1;
	r->page[r->npage++] = job;
	return 0;
}

/* Which channels the admin holds (outbox hold): 0, or -1. */
static int
deliver_read_holds(struct deliver *d, char **cause)
{
	int c;

	for (c = 0; c < CHANNEL_COUNT; c++) {
		if ((d->held[c] = store_outbox_held(d->st, (enum channel)c,
		    NULL, cause)) < 0)
			return -1;
	}
	return 0;
}

/* Due order, (not_before, id): a claim returns its rows in any. */
static int
job_due_cmp(const void *a, const void *b)
{
	const struct outbox_msg *x = &(*(struct deliver_job *const *)a)->m;
	const struct outbox_msg *y = &(*(struct deliver_job *const *)b)->m;

	if (x->not_before != y->not_before)
		return x->not_before < y->not_before ? -1 : 1;
	return x->id < y->id ? -1 : x->id > y->id;
}

/* Reads the next page of due rows: claimed, unless a dry run (which
 * changes nothing). */
static int
run_read_page(struct deliver_run *r, int want, char **err)
{
	const struct deliver *d = r->d;
	struct outbox_claim c = {
		.holder = d->holder,
		.only = d->only ? &d->only_ch : NULL,
		.now = r->now,
		.lease_until = (int64_t)time(NULL) + d->cf->delivery.claim_lease,
		.after_nb = r->after_nb,
		.after_id = r->after_id,
		.limit = want,
	};

	if (r->dry_run)
		return store_outbox_due(d->st, c.only, c.now, c.after_nb,
		    c.after_id, want, collect_due, r, err);
	if (run_write(r) != 0)
		return -1;
	if (store_outbox_claim(d->st, &c, collect_due, r, err) != 0)
		return -1;
	qsort(r->page, r->npage, sizeof(*r->page), job_due_cmp);
	return 0;
}

/* The next due row, reading a page when the last one is used up. */
static struct deliver_job *
run_next_due(struct deliver_run *r)
{
	const struct deliver *d = r->d;
	struct deliver_job *last;
	char *err = NULL;
	int want;

	if (r->pos == r->npage) {
		want = d->cf->delivery.batch - r->nread;
		if (want > r->claim)
			want = r->claim;
		if (r->exhausted || want <= 0) {
			r->exhausted = 1;
			return NULL;
		}
		r->npage = r->pos = 0;
		if (run_read_page(r, want, &err) != 0) {
			run_fail(r, err);
			r->exhausted = 1;
			return NULL;
		}
		r->nread += (int)r->npage;
		if ((int)r->npage < want)
			r->exhausted = 1;
		if (r->npage == 0)
			return NULL;
		last = r->page[r->npage - 1];
		r->after_nb = last->m.not_before;
		r->after_id = last->m.id;
	}
	return r->page[r->pos++];
}

/* What concerns the customer a message is for: an opt-out or cap since
 * it was queued, quiet hours, the customer's day.  1 when it may go now,
 * 0 when it was suppressed or deferred (or the store failed). */
static int
run_customer_gate(struct deliver_run *r, struct outbox_msg *m)
{
	const char *why;
	int64_t when;

	if ((why = run_suppressed(r, m)) != NULL) {
		r->s->suppressed++;
		log_info("%s: suppressed: %s", m->dedup_key, why);
		if (!r->dry_run)
			run_update(r, m, OUTBOX_SUPPRESSED, m->not_before, why, NULL,
			    0, r->now);
		return 0;
	}
	if (r->error != NULL)
		return 0;
	if ((when = compose_defer(r->d->cf, r->now, m->day, m->timezone ?
	    m->timezone : r->d->cf->timezone)) > r->now) {
		r->s->deferred++;
		if (!r->dry_run)
			run_update(r, m, m->state, when, m->last_error, NULL, 0,
			    r->now);
		return 0;
	}
	return 1;
}

/* Reads the holds again once a second: a hold takes effect within a
 * second, not at the next pass.  0, or -1 (the pass fails). */
static int
run_holds(struct deliver_run *r)
{
	char *err = NULL;

	if (time(NULL) == r->holds_at)
		return 0;
	r->holds_at = time(NULL);
	if (deliver_read_holds(r->d, &err) != 0) {
		run_fail(r, err);
		return -1;
	}
	return 0;
}

/* Decides the fate of one due message before any transfer; 1 when it
 * should be sent now.  A dry run reports and changes nothing. */
static int
run_triage(struct deliver_run *r, struct deliver_job *job)
{
	struct outbox_msg *m = &job->m;
	struct send_stats *s = r->s;

	job->ch = &r->d->ch[m->channel];
	if (run_holds(r) != 0)
		return 0;
	/* Held by the admin: it waits, unchanged, for the release. */
	if (r->d->held[m->channel]) {
		s->held++;
		run_release(r, job);
		return 0;
	}
	/* A greeting later than its rule allows is not sent at all. */
	if (m->expires_at > 0 && r->now >= m->expires_at) {
		s->expired++;
		log_notice("%s: expired: not sent by its rule's max_delay_days",
		    m->dedup_key);
		if (!r->dry_run)
			run_update(r, m, OUTBOX_EXPIRED, m->not_before,
			    "not sent in time (max_delay_days)", NULL, 0, r->now);
		return 0;
	}
	/* A message to a rep (a digest) is no customer's: it was queued at
	 * the hour the rep chose, and opt-outs and caps are not theirs. */
	if (m->customer_id != 0 && !run_customer_gate(r, m))
		return 0;
	if (job->ch->budget <= 0) {
		s->deferred++;
		run_release(r, job);
		return 0;
	}
	if (!r->dry_run && job->ch->host_failures >= DELIVER_HOST_TRIP &&
	    r->now < job->ch->host_closed_until) {
		s->deferred++;
		run_update(r, m, m->state, job->ch->host_closed_until,
		    m->last_error, NULL, 0, r->now);
		return 0;
	}
	if (r->dry_run) {
		s->dry_run++;
		log_notice("dry run: would send %s to %s (%s)", m->dedup_key,
		    m->recipient, channel_name(m->channel));
		return 0;
	}
	job->ch->budget--;
	return 1;
}

/* Triages and prepares the next due message; 0 when there is none. */
static int
run_prepare_one(struct deliver_run *r)
{
	struct deliver_job *job;

	if (run_stopping(r) || r->nready == DELIVER_READY ||
	    (job = run_next_due(r)) == NULL)
		return 0;
	if (!job->stale && run_triage(r, job) == 1) {
		job->ch->be->prepare(r->d, job);
		if (!job->decided) {
			r->ready[r->nready++] = job;
			return 1;
		}
		job->m.attempts++; /* refused before any transfer */
		run_record(r, job, r->now);
	}
	deliver_job_free(job);
	return 1;
}

static void
inflight_remove(struct deliver *d, struct deliver_job *job)
{
	size_t i;

	for (i = 0; i < d->ninflight; i++) {
		if (d->inflight[i] == job) {
			d->inflight[i] = d->inflight[--d->ninflight];
			return;
		}
	}
}

/* Hands a job to the transfer thread with the most room for its
 * channel. */
static int
run_transfer(struct deliver_run *r, struct deliver_job *job)
{
	struct deliver *d = r->d;
	struct deliver_xfer *x, *best = NULL;
	int c = job->ch->id, k;

	/* With a transaction open, the next commit makes the row durable. */
	job->commits = &d->commits;
	job->gate = d->commits + (r->in_txn ? 1 : 0);
	for (k = 0; k < d->nxfer; k++) {
		x = &d->xfer[k];
		if (x->active[c] < x->conns[c] && (best == NULL ||
		    x->conns[c] - x->active[c] >
		    best->conns[c] - best->active[c]))
			best = x;
	}
	if (best == NULL) {	/* cannot be: the shares add up */
		run_fail(r, xstrdup("no transfer thread has room"));
		return -1;
	}
	best->active[c]++;
	deliver_jobs_push(&d->inflight, &d->ninflight, &d->inflight_cap, job);
	deliver_xfer_submit(best, job);
	return 0;
}

/* Marks a ready message 'sending': the attempt is counted before the
 * peer is asked. */
static int
run_mark(struct deliver_run *r, struct deliver_job *job)
{
	int rc;

	if (job->marked || job->stale)
		return 0;
	job->m.attempts++;
	if ((rc = run_update(r, &job->m, OUTBOX_SENDING, job->m.not_before,
	    job->m.last_error, NULL, 0, (int64_t)time(NULL))) != 1) {
		job->m.attempts--;
		if (rc < 0)
			return -1;
		/* Cancelled or rendered again since it was read. */
		log_info("%s: changed while queued for sending: left as the "
		    "admin made it", job->m.dedup_key);
		job->stale = 1;
		return 0;
	}
	job->marked = 1;
	return 0;
}

/* Marks ready[from] and every later ready message of an asynchronous
 * transport. */
static int
run_mark_ready(struct deliver_run *r, size_t from)
{
	size_t i;

	for (i = from; i < r->nready; i++) {
		if (r->ready[i]->ch->be->send == NULL &&
		    run_mark(r, r->ready[i]) != 0)
			return i == from ? -1 : 0;
	}
	return 0;
}

/* A ready message that will not start now: a row taken ahead goes back
 * to what it was (its attempt given back). */
static void
run_unready(struct deliver_run *r, struct deliver_job *job)
{
	if (!job->stale)
		r->s->held++;
	if (job->marked) {
		job->m.attempts--;
		run_update(r, &job->m, job->m.state, job->m.not_before,
		    job->m.last_error, NULL, 0, (int64_t)time(NULL));
	}
	deliver_job_free(job);
}

/* A ready message whose host the breaker keeps closed waits until when,
 * its attempt (counted ahead when it was marked) given back. */
static void
run_host_hold(struct deliver_run *r, struct deliver_job *job, int64_t when)
{
	if (job->marked)
		job->m.attempts--;
	run_update(r, &job->m, job->m.state, when, job->m.last_error, NULL, 0,
	    (int64_t)time(NULL));
	r->s->deferred++;
	deliver_job_free(job);
}

/* Gives free connections the oldest ready messages and starts them,
 * committing first unless every one is gated.  When the first of them is
 * not yet 'sending', every ready message is marked with it: one commit
 * per page of rows rather than one per message, and a kill leaves those
 * rows to the recovery as retries (not sent, so not duplicated).  A
 * synchronous transport takes one message per turn, so a kill can
 * duplicate at most one.  Returns how many started. */
static int
run_launch(struct deliver_run *r)
{
	struct deliver_job *go[DELIVER_READY], *job;
	size_t i, k = 0, n = 0, ngo;
	int sync_taken = 0, started = 0;
	int64_t when;

	run_holds(r);
	for (i = 0; i < r->nready; i++) {
		job = r->ready[i];
		/* Changed by the admin, or held since it was prepared (even
		 * if taken ahead): not started, it stays or goes back. */
		if (job->stale || r->d->held[job->m.channel]) {
			run_unready(r, job);
			continue;
		}
		if (run_stopping(r) || (job->ch->be->send != NULL ? sync_taken :
		    job->ch->active >= job->ch->cc->connections)) {
			r->ready[k++] = job;
			continue;
		}
		if ((when = deliver_host_defer(job->ch)) > 0) {
			run_host_hold(r, job, when);
			continue;
		}
		if (!job->marked && (job->ch->be->send != NULL ?
		    run_mark(r, job) : run_mark_ready(r, i)) != 0) {
			r->ready[k++] = job;
			continue;
		}
		if (job->stale) {
			deliver_job_free(job);
			continue;
		}
		if (job->ch->be->send != NULL)
			sync_taken = 1;
		else
			job->ch->active++;
		go[n++] = job;
	}
	r->nready = k;
	ngo = n;
	for (i = 0; i < n && go[i]->ch->be->gated; i++)
		;
	if (i < n && run_commit(r) != 0)
		ngo = 0;	/* not marked: they must not start */
	for (i = 0; i < n; i++) {
		job = go[i];
		if (i >= ngo || (job->ch->be->send == NULL &&
		    run_transfer(r, job) != 0)) {
			if (job->ch->be->send == NULL)
				job->ch->active--;
			deliver_job_free(job);
			continue;
		}
		started++;
		if (job->ch->be->send != NULL) {
			job->ch->be->send(r->d, job);
			run_record(r, job, (int64_t)time(NULL));
			deliver_job_free(job);
		}
	}
	deliver_xfer_run(&r->d->xfer[0]);	/* its requests go out now */
	return started;
}

/* Jobs the transfer threads handed back: finished ones get their
 * verdict; cancelled ones (a failed commit) sent nothing and their rows
 * stay as the store has them; abandoned ones (the shutdown deadline) stay
 * 'sending' and go again at the next start. */
static void
run_reap(struct deliver_run *r)
{
	struct deliver *d = r->d;
	struct deliver_job *job;
	size_t n = 0, i;
	int k;

	deliver_xfer_run(&d->xfer[0]);
	for (k = 0; k < d->nxfer; k++)
		n = deliver_xfer_take(&d->xfer[k], &r->back, n, &r->back_cap);
	for (i = 0; i < n; i++) {
		job = r->back[i];
		inflight_remove(d, job);
		job->xfer->active[job->ch->id]--;
		job->ch->active--;
		if (job->abandoned)
			log_warn("%s: still sending at shutdown; it will be "
			    "sent again at the next start", job->m.dedup_key);
		else if (!job->cancelled)
			run_record(r, job, (int64_t)time(NULL));
		deliver_job_free(job);
	}
}

/* Messages not started stay due for the next pass: rows marked
 * 'sending' ahead go back to what they were. */
static void
run_drop_ready(struct deliver_run *r)
{
	struct deliver_job *job;

	while (r->nready > 0) {
		job = r->ready[--r->nready];
		if (job->marked) {
			job->m.attempts--;
			run_update(r, &job->m, job->m.state, job->m.not_before,
			    job->m.last_error, NULL, 0, (int64_t)time(NULL));
		} else
			run_release(r, job);
		deliver_job_free(job);
	}
	run_commit(r);
}

/* Once stopping, transfers still running when the shutdown grace is over
 * are abandoned: their rows stay 'sending' and the next start sends them
 * again.  Returns 1 when the pass should end now. */
static int
run_wind_down(struct deliver_run *r)
{
	struct deliver *d = r->d;
	int k;

	run_drop_ready(r);
	if (r->stop == NULL || !*r->stop)
		return 0;
	if (r->deadline == 0)
		r->deadline = clock_seconds() + d->cf->daemon.shutdown_grace;
	if (clock_seconds() < r->deadline)
		return 0;
	for (k = 0; k < d->nxfer; k++)
		deliver_xfer_abandon(&d->xfer[k]);
	while (d->ninflight > 0) {
		curl_multi_poll(d->xfer[0].multi, NULL, 0, 100, NULL);
		run_reap(r);
	}
	return 1;
}

static void
run_loop(struct deliver_run *r)
{
	struct deliver *d = r->d;
	int worked;

	for (;;) {
		if (run_stopping(r) && run_wind_down(r))
			break;
		run_renew(r);
		if (d->ninflight > 0)
			run_reap(r);
		if (r->nready > 0 && run_launch(r) > 0) {
			/* Their first commands go out and the next message is
			 * prepared while the server answers them (its reads
			 * share the open transaction's locks); the commit waits
			 * for the next turn, the next round trip, so neither
			 * holds up the other's answer. */
			run_prepare_one(r);
			continue;
		}
		worked = run_prepare_one(r);
		if (worked && r->txn_writes < DELIVER_TXN_MAX)
			continue;
		run_commit(r);	/* never across a wait */
		if (worked)
			continue;
		if (d->ninflight == 0 && (r->nready == 0 || run_stopping(r)))
			break;
		if (d->ninflight > 0)	/* its transfers, or a thread, wake it */
			curl_multi_poll(d->xfer[0].multi, NULL, 0, 200, NULL);
	}
	run_drop_ready(r);	/* a stop that came during the last turn */
}

/* Instances sharing a PostgreSQL store: what a dead one was sending
 * when its lease ran out goes back to the queue. */
static int
deliver_rescue(struct deliver *d, int64_t now, char **cause)
{
	int n = 0;

	if (!store_outbox_leased(d->st))
		return 0;
	if (store_outbox_recover(d->st, now, 1, &n, cause) != 0)
		return -1;
	if (n > 0)
		log_warn("%d messages were being sent by a sender whose lease ran "
		    "out (it died or lost the database): they will be sent "
		    "again (a duplicate is possible)", n);
	return 0;
}

/* Rows a page claims.  Senders sharing a store lease what they claim: a
 * page in proportion to the connections that send it, so that one
 * sender's page does not keep the others idle while it works through
 * it (the last page of a batch, above all). */
static int
run_claim_size(const struct deliver *d)
{
	int conns = 0, c, n;

	if (!store_outbox_leased(d->st))
		return DELIVER_PAGE;
	for (c = 0; c < CHANNEL_COUNT; c++)
		if (d->ch[c].cc != NULL && (!d->only ||
		    d->only_ch == (enum channel)c))
			conns += d->ch[c].cc->connections;
	n = DELIVER_CLAIM_PER_CONN * (conns > 0 ? conns : 1);
	return n < DELIVER_PAGE ? n : DELIVER_PAGE;
}

/* Sends allowed per channel this pass: the rate window counts what was
 * accepted in the last rate_seconds, across passes and restarts. */
static int
channel_budget(struct deliver *d, struct deliver_channel *ch, int64_t now,
    char **cause)
{
	int n = store_outbox_sent_since(d->st, ch->id,
	    now - ch->cc->rate_seconds, cause);

	if (n < 0)
		return -1;
	ch->budget = ch->cc->rate_messages - n;
	return 0;
}

int
deliver_pass(struct deliver *d, int64_t now, int dry_run,
    const atomic_int *stop, struct send_stats *s, char **cause)
{
	struct deliver_run r = { 0 };
	size_t i;

	if (channel_budget(d, &d->ch[CHANNEL_EMAIL], now, cause) != 0 ||
	    channel_budget(d, &d->ch[CHANNEL_SMS], now, cause) != 0)
		return -1;
	r.d = d;
	r.now = now;
	r.dry_run = dry_run;
	r.stop = stop;
	r.s = s;
	r.after_nb = INT64_MIN;
	r.claim = run_claim_size(d);
	if (!dry_run && deliver_rescue(d, now, cause) != 0)
		return -1;
	if (deliver_xfer_begin(d, cause) != 0)
		return -1;
	r.page = xreallocarray(NULL, DELIVER_PAGE, sizeof(*r.page));
	r.renew_at = clock_seconds() + d->cf->delivery.claim_lease / 3.0;
	run_loop(&r);
	deliver_xfer_end(d);	/* every job is back: the loop ended idle */
	for (i = r.pos; i < r.npage; i++) /* read but not reached: left due */
		run_release(&r, r.page[i]);
	run_commit(&r);
	while (r.pos < r.npage)
		deliver_job_free(r.page[r.pos++]);
	if (!dry_run && r.error == NULL)
		deliver_status_pass(d, (int64_t)time(NULL));
	free(r.page);
	free(r.back);
	if (r.error != NULL) {
		if (cause != NULL)
			*cause = r.error;
		else
			free(r.error);
		return -1;
	}
	return 0;
}

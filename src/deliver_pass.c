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
 * back to record them.  The rows it reads and writes are deliver_rows.c's
 * and deliver_lease.c's. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "compose.h"
#include "deliver_run.h"
#include "log.h"

static int
run_stopping(const struct deliver_run *r)
{
	return r->error != NULL || (r->stop != NULL && *r->stop);
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
	if (job->verdict != DV_SENT)
		drun_unpass(r, m);
	if (job->verdict == DV_SENT) {
		s->sent++;
		s->sent_by[ch]++;
		log_info("sent %s to %s via %s", m->dedup_key,
		    channel_name(m->channel), job->ch->be->name);
		drun_update(r, m, OUTBOX_SENT, now, NULL, job->provider_id, now,
		    now);
	} else if (job->verdict == DV_RETRY && m->attempts < c->max_attempts) {
		s->retried++;
		s->retried_by[ch]++;
		delay = deliver_backoff(c, m->attempts);
		if (job->retry_after_secs > delay)
			delay = job->retry_after_secs;
		log_warn("%s: attempt %d failed, retry in %ds: %s",
		    m->dedup_key, m->attempts, delay, job->error);
		drun_update(r, m, OUTBOX_RETRY, now + delay, job->error, NULL, 0, now);
	} else if (job->verdict == DV_UNKNOWN) {
		s->failed++;
		s->failed_by[ch]++;
		log_err("%s: outcome unknown, %s (`outreachctl retry %lld` "
		    "sends it anyway): %s", m->dedup_key, job->ch->provider ?
		    "the provider's status query decides" : "not sent again",
		    (long long)m->id, job->error);
		drun_update(r, m, OUTBOX_UNKNOWN, now, job->error, NULL, 0, now);
	} else {
		s->failed++;
		s->failed_by[ch]++;
		log_err("%s: failed after %d attempt%s: %s", m->dedup_key,
		    m->attempts, m->attempts == 1 ? "" : "s", job->error);
		drun_update(r, m, OUTBOX_FAILED, now, job->error, NULL, 0, now);
	}
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

/* What concerns the customer a message is for: an opt-out or cap since
 * it was queued, quiet hours, the customer's day.  1 when it may go now,
 * 0 when it was suppressed or deferred (or the store failed). */
static int
run_customer_gate(struct deliver_run *r, struct outbox_msg *m)
{
	const char *why;
	int64_t when;

	if ((why = drun_suppressed(r, r->pos - 1)) != NULL) {
		r->s->suppressed++;
		log_info("%s: suppressed: %s", m->dedup_key, why);
		if (!r->dry_run)
			drun_update(r, m, OUTBOX_SUPPRESSED, m->not_before, why, NULL,
			    0, r->now);
		return 0;
	}
	if (r->error != NULL)
		return 0;
	if ((when = compose_defer(r->d->cf, r->now, m->day, m->timezone ?
	    m->timezone : r->d->cf->timezone)) > r->now) {
		r->s->deferred++;
		if (!r->dry_run)
			drun_update(r, m, m->state, when, m->last_error, NULL, 0,
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
		drun_fail(r, err);
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
		drun_release(r, job);
		return 0;
	}
	/* A greeting later than its rule allows is not sent at all. */
	if (m->expires_at > 0 && r->now >= m->expires_at) {
		s->expired++;
		log_notice("%s: expired: not sent by its rule's max_delay_days",
		    m->dedup_key);
		if (!r->dry_run)
			drun_update(r, m, OUTBOX_EXPIRED, m->not_before,
			    "not sent in time (max_delay_days)", NULL, 0, r->now);
		return 0;
	}
	/* A message to a rep (a digest) is no customer's: it was queued at
	 * the hour the rep chose, and opt-outs and caps are not theirs. */
	if (m->customer_id != 0 && !run_customer_gate(r, m))
		return 0;
	if (job->ch->budget <= 0) {
		s->deferred++;
		drun_release(r, job);
		return 0;
	}
	if (!r->dry_run && job->ch->host_failures >= DELIVER_HOST_TRIP &&
	    r->now < job->ch->host_closed_until) {
		s->deferred++;
		drun_update(r, m, m->state, job->ch->host_closed_until,
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
	    (job = drun_next_due(r)) == NULL)
		return 0;
	if (!job->stale && run_triage(r, job) == 1) {
		job->ch->be->prepare(r->d, job);
		if (!job->decided) {
			drun_passed(r, &job->m);
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
		drun_fail(r, xstrdup("no transfer thread has room"));
		return -1;
	}
	best->active[c]++;
	deliver_jobs_push(&d->inflight, &d->ninflight, &d->inflight_cap, job);
	deliver_xfer_submit(best, job);
	return 0;
}

/* Marks ready[from] and every later ready message of an asynchronous
 * transport not marked yet, in one statement. */
static int
run_mark_ready(struct deliver_run *r, size_t from)
{
	struct deliver_job *jobs[DELIVER_READY], *job;
	size_t i, n = 0;

	for (i = from; i < r->nready; i++) {
		job = r->ready[i];
		if (i == from || (job->ch->be->send == NULL && !job->marked &&
		    !job->stale))
			jobs[n++] = job;
	}
	return drun_mark(r, jobs, n);
}

/* A job that will not be sent: the caps of its page stop counting it. */
static void
run_drop(struct deliver_run *r, struct deliver_job *job)
{
	drun_unpass(r, &job->m);
	deliver_job_free(job);
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
		drun_update(r, &job->m, job->m.state, job->m.not_before,
		    job->m.last_error, NULL, 0, (int64_t)time(NULL));
	}
	run_drop(r, job);
}

/* A ready message whose host the breaker keeps closed waits until when,
 * its attempt (counted ahead when it was marked) given back. */
static void
run_host_hold(struct deliver_run *r, struct deliver_job *job, int64_t when)
{
	if (job->marked)
		job->m.attempts--;
	drun_update(r, &job->m, job->m.state, when, job->m.last_error, NULL, 0,
	    (int64_t)time(NULL));
	r->s->deferred++;
	run_drop(r, job);
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
		    drun_mark(r, &job, 1) : run_mark_ready(r, i)) != 0) {
			r->ready[k++] = job;
			continue;
		}
		if (job->stale) {
			run_drop(r, job);
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
	if (i < n && drun_commit(r) != 0)
		ngo = 0;	/* not marked: they must not start */
	for (i = 0; i < n; i++) {
		job = go[i];
		if (i >= ngo || (job->ch->be->send == NULL &&
		    run_transfer(r, job) != 0)) {
			if (job->ch->be->send == NULL)
				job->ch->active--;
			run_drop(r, job);
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
		run_drop(r, job);
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
			drun_update(r, &job->m, job->m.state, job->m.not_before,
			    job->m.last_error, NULL, 0, (int64_t)time(NULL));
		} else
			drun_release(r, job);
		run_drop(r, job);
	}
	drun_commit(r);
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
		drun_renew(r);
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
		drun_commit(r);	/* never across a wait */
		if (worked)
			continue;
		if (d->ninflight == 0 && (r->nready == 0 || run_stopping(r)))
			break;
		if (d->ninflight > 0)	/* its transfers, or a thread, wake it */
			curl_multi_poll(d->xfer[0].multi, NULL, 0, 200, NULL);
	}
	run_drop_ready(r);	/* a stop that came during the last turn */
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
	r.claim = drun_claim_size(d);
	if (!dry_run && deliver_rescue(d, now, cause) != 0)
		return -1;
	if (deliver_xfer_begin(d, cause) != 0)
		return -1;
	r.page = xreallocarray(NULL, DELIVER_PAGE, sizeof(*r.page));
	r.renew_at = clock_seconds() + d->cf->delivery.claim_lease / 3.0;
	run_loop(&r);
	deliver_xfer_end(d);	/* every job is back: the loop ended idle */
	for (i = r.pos; i < r.npage; i++) /* read but not reached: left due */
		drun_release(&r, r.page[i]);
	drun_commit(&r);
	while (r.pos < r.npage)
		deliver_job_free(r.page[r.pos++]);
	if (!dry_run && r.error == NULL)
		deliver_status_pass(d, (int64_t)time(NULL));
	drun_gates_clear(&r);
	free(r.page);
	free(r.back);
	free(r.writes);
	if (r.error != NULL) {
		if (cause != NULL)
			*cause = r.error;
		else
			free(r.error);
		return -1;
	}
	return 0;
}

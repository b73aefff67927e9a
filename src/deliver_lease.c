/* deliver_lease.c - the due rows of a delivery pass (deliver_run.h):
 * read a page at a time, claimed and leased when senders share a
 * PostgreSQL store (store_outbox_claim.c), their leases renewed while
 * the pass holds them and given up when it leaves them due, and the rows
 * of a sender that died taken back. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "deliver_run.h"
#include "log.h"

/* Gives up the lease of a claimed row this pass leaves due (held, over
 * the rate, not reached), so that another sender need not wait for it to
 * run out.  A row marked 'sending' keeps it (store_outbox_lease()). */
void
drun_release(struct deliver_run *r, struct deliver_job *job)
{
	struct outbox_ref ref = { job->m.id, job->m.version, job->m.fence };
	char *err = NULL;

	if (r->dry_run || job->stale || !store_outbox_leased(r->d->st) ||
	    r->error != NULL || drun_write(r) != 0)
		return;
	if (store_outbox_lease(r->d->st, &ref, 0, &err) < 0)
		drun_fail(r, err);
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
		drun_fail(r, err);
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
void
drun_renew(struct deliver_run *r)
{
	struct deliver *d = r->d;
	int lease = d->cf->delivery.claim_lease;
	int64_t until;
	size_t i;

	if (r->dry_run || !store_outbox_leased(d->st) ||
	    clock_seconds() < r->renew_at || drun_write(r) != 0)
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
 * changes nothing).  The turn's writes go first: the claim must not take
 * again a row of ours whose new state waits for the commit. */
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
	if (drun_write(r) != 0 || drun_flush(r) != 0)
		return -1;
	if (store_outbox_claim(d->st, &c, collect_due, r, err) != 0)
		return -1;
	qsort(r->page, r->npage, sizeof(*r->page), job_due_cmp);
	return 0;
}

/* The next due row, reading a page when the last one is used up. */
struct deliver_job *
drun_next_due(struct deliver_run *r)
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
		drun_gates_clear(r);
		r->npage = r->pos = 0;
		if (run_read_page(r, want, &err) != 0) {
			drun_fail(r, err);
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

/* Instances sharing a PostgreSQL store: what a dead one was sending
 * when its lease ran out goes back to the queue. */
int
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
int
drun_claim_size(const struct deliver *d)
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

/* deliver_xfer.c - transfer threads.
 *
 * libcurl waits for some SMTP replies inside curl_multi_perform() (the
 * reply to the end of DATA, once per message), and the whole multi handle
 * stalls meanwhile.  The pass therefore hands gated (SMTP) transfers to a
 * few threads, each with its own multi handle and share of the
 * connections, and keeps the store, the triage and the MIME work in its
 * own thread: one store connection, whose page cache a second one would
 * empty on every commit.  HTTP transfers never block in libcurl: they run
 * on the pass thread itself, in xfer[0], which has no thread of its own,
 * and so cost no cross-thread wake-ups (two per message, 15% of the SMS
 * rate at one connection).
 *
 * A job belongs to the pass thread until deliver_xfer_submit(), to the
 * transfer thread until it is on the done list, and to the pass thread
 * again once taken.  Gated jobs wait, paused, until the pass thread's
 * commit count reaches their gate; the pass thread wakes the transfer
 * threads after each commit. */
#include <stdlib.h>
#include <string.h>

#include "deliver_priv.h"

void
deliver_jobs_push(struct deliver_job ***v, size_t *n, size_t *cap,
    struct deliver_job *job)
{
	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 8;
		*v = xreallocarray(*v, *cap, sizeof(**v));
	}
	(*v)[(*n)++] = job;
}

static void
idle_push(struct deliver_xfer *x, CURL *easy)
{
	if (x->nidle == x->idle_cap) {
		x->idle_cap = x->idle_cap ? x->idle_cap * 2 : 8;
		x->idle = xreallocarray(x->idle, x->idle_cap,
		    sizeof(*x->idle));
	}
	x->idle[x->nidle++] = easy;
}

/* Hands job back to the pass thread and wakes it. */
static void
xfer_hand_back(struct deliver_xfer *x, struct deliver_job *job)
{
	pthread_mutex_lock(&x->lock);
	deliver_jobs_push(&x->done, &x->ndone, &x->done_cap, job);
	pthread_mutex_unlock(&x->lock);
	if (!x->local)
		curl_multi_wakeup(x->d->xfer[0].multi);
}

/* Takes job off the multi handle and out of this thread's list.  Its easy
 * handle goes back to the pool: curl_easy_reset() keeps its caches (DNS,
 * TLS session), and an easy_init per message is measurable at thousands
 * of messages a second. */
static void
xfer_release(struct deliver_xfer *x, size_t i)
{
	struct deliver_job *job = x->jobs[i];

	if (job->easy != NULL) {
		curl_multi_remove_handle(x->multi, job->easy);
		curl_easy_reset(job->easy);
		idle_push(x, job->easy);
		job->easy = NULL;
	}
	x->jobs[i] = x->jobs[--x->njobs];
}

static void
xfer_start(struct deliver_xfer *x, struct deliver_job *job)
{
	if (x->nidle > 0)
		job->easy = x->idle[--x->nidle];
	else if ((job->easy = curl_easy_init()) == NULL) {
		deliver_job_verdict(job, DV_RETRY, "curl_easy_init failed");
		xfer_hand_back(x, job);
		return;
	}
	job->fresh = &x->fresh[job->ch->id];
	deliver_job_setup(x->d, job);
	curl_multi_add_handle(x->multi, job->easy);
	deliver_jobs_push(&x->jobs, &x->njobs, &x->jobs_cap, job);
}

/* Jobs a failed commit cancelled go back unsent; paused ones whose
 * commit has come go on. */
static void
xfer_gates(struct deliver_xfer *x)
{
	struct deliver_job *job;
	size_t i = 0;
	/* Before the cancel flags: a failed commit's flags are set before
	 * the count moves again. */
	uint64_t commits = atomic_load(&x->d->commits);

	while (i < x->njobs) {
		job = x->jobs[i];
		if (atomic_load(&job->cancel)) {
			job->cancelled = 1;
			xfer_release(x, i);
			xfer_hand_back(x, job);
			continue;
		}
		if (job->paused && job->gate <= commits) {
			job->paused = 0;
			curl_easy_pause(job->easy, CURLPAUSE_CONT);
		}
		i++;
	}
}

/* Finished transfers: classified here (the easy handle is ours), then
 * handed back for the pass thread to record. */
/* 1 when a transfer ended before it reached the transfer proper: no
 * connection, no greeting, no TLS or no login. */
static int
xfer_never_connected(CURL *easy)
{
	curl_off_t us = 0;

	return curl_easy_getinfo(easy, CURLINFO_PRETRANSFER_TIME_T, &us) ==
	    CURLE_OK && us == 0;
}

static void
xfer_reap(struct deliver_xfer *x)
{
	struct deliver_job *job;
	CURLMsg *msg;
	size_t i;
	int left;

	while ((msg = curl_multi_info_read(x->multi, &left)) != NULL) {
		if (msg->msg != CURLMSG_DONE)
			continue;
		curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE,
		    (char **)&job);
		job->ch->be->finish(x->d, job, msg->data.result);
		job->unconnected = msg->data.result != CURLE_OK &&
		    xfer_never_connected(msg->easy_handle);
		for (i = 0; i < x->njobs && x->jobs[i] != job; i++)
			;
		xfer_release(x, i);
		xfer_hand_back(x, job);
	}
}

/* One turn: starts what was handed over, hands everything back when
 * abandoning, resumes or cancels gated jobs, drives the transfers. */
int
deliver_xfer_run(struct deliver_xfer *x)
{
	size_t nin, i;
	int quit, abandon, running;

	pthread_mutex_lock(&x->lock);
	nin = x->ninbox;
	if (nin > x->in_cap) {
		x->in_cap = nin;
		x->in = xreallocarray(x->in, nin, sizeof(*x->in));
	}
	if (nin > 0)
		memcpy(x->in, x->inbox, nin * sizeof(*x->in));
	x->ninbox = 0;
	quit = x->quit;
	abandon = x->abandon;
	pthread_mutex_unlock(&x->lock);
	for (i = 0; i < nin; i++)
		xfer_start(x, x->in[i]);
	if (abandon) {
		while (x->njobs > 0) {
			struct deliver_job *job = x->jobs[0];

			job->abandoned = 1;
			xfer_release(x, 0);
			xfer_hand_back(x, job);
		}
	}
	xfer_gates(x);
	if (x->njobs > 0) {
		curl_multi_perform(x->multi, &running);
		xfer_reap(x);
	}
	return quit && x->njobs == 0;
}

static void *
xfer_main(void *arg)
{
	struct deliver_xfer *x = arg;

	while (!deliver_xfer_run(x))
		curl_multi_poll(x->multi, NULL, 0, 1000, NULL);
	return NULL;
}

void
deliver_xfer_submit(struct deliver_xfer *x, struct deliver_job *job)
{
	job->xfer = x;
	pthread_mutex_lock(&x->lock);
	deliver_jobs_push(&x->inbox, &x->ninbox, &x->inbox_cap, job);
	pthread_mutex_unlock(&x->lock);
	deliver_xfer_wake(x);
}

size_t
deliver_xfer_take(struct deliver_xfer *x, struct deliver_job ***out,
    size_t n, size_t *cap)
{
	size_t i;

	pthread_mutex_lock(&x->lock);
	for (i = 0; i < x->ndone; i++)
		deliver_jobs_push(out, &n, cap, x->done[i]);
	x->ndone = 0;
	pthread_mutex_unlock(&x->lock);
	return n;
}

void
deliver_xfer_wake(struct deliver_xfer *x)
{
	if (!x->local)
		curl_multi_wakeup(x->multi);
}

void
deliver_xfer_abandon(struct deliver_xfer *x)
{
	pthread_mutex_lock(&x->lock);
	x->abandon = 1;
	pthread_mutex_unlock(&x->lock);
	deliver_xfer_wake(x);
}

/* Connections of a gated transport are shared among the threads, the
 * first ones one more, so every connection is some thread's; those of an
 * HTTP transport are xfer[0]'s, the pass thread's.  A synchronous
 * transport (maildir) has none: send() does its work. */
static int
xfer_conns(const struct deliver *d, const struct deliver_channel *ch, int k,
    int nthreads)
{
	int n = ch->cc->connections;

	if (ch->be->send != NULL || (d->only && ch->id != d->only_ch))
		return 0;
	if (!ch->be->gated)
		return k == 0 ? n : 0;
	if (k == 0)
		return 0;
	k--;
	return n / nthreads + (k < n % nthreads ? 1 : 0);
}

/* One thread per connection of a gated transport: each spends most of
 * its time blocked in libcurl's waits for a reply (4 SMTP connections on
 * 2 cores: 1 thread 6.0k msg/s, 2 threads 6.0k, 4 threads 7.1k; the pass
 * thread driving the transfers itself, 5.2k). */
static int
xfer_threads(const struct deliver *d)
{
	const struct deliver_channel *ch[CHANNEL_COUNT] = {
		&d->ch[CHANNEL_EMAIL], &d->ch[CHANNEL_SMS] };
	int c, n = 0;

	for (c = 0; c < 2; c++)
		if (ch[c]->be->gated && ch[c]->cc->connections > n &&
		    (!d->only || ch[c]->id == d->only_ch))
			n = ch[c]->cc->connections;
	return n;
}

int
deliver_xfer_open(struct deliver *d, char **cause)
{
	const struct deliver_channel *ch[CHANNEL_COUNT] = {
		&d->ch[CHANNEL_EMAIL], &d->ch[CHANNEL_SMS] };
	struct deliver_xfer *x;
	int k, c, nthreads = xfer_threads(d);

	d->nxfer = 1 + nthreads;
	d->xfer = xcalloc((size_t)d->nxfer, sizeof(*d->xfer));
	for (k = 0; k < d->nxfer; k++) {
		x = &d->xfer[k];
		x->d = d;
		x->local = k == 0;
		pthread_mutex_init(&x->lock, NULL);
		for (c = 0; c < 2; c++)
			x->conns[c] = xfer_conns(d, ch[c], k, nthreads);
		if ((x->multi = curl_multi_init()) == NULL)
			return set_error(cause, "curl_multi_init failed");
	}
	return 0;
}

/* Closing a multi handle says QUIT on each of its connections and waits
 * for the reply (up to timeout_seconds), so the threads' handles are
 * closed at once, each in a thread of its own. */
static void *
xfer_cleanup(void *arg)
{
	struct deliver_xfer *x = arg;

	while (x->nidle > 0)
		curl_easy_cleanup(x->idle[--x->nidle]);
	if (x->multi != NULL)
		curl_multi_cleanup(x->multi);
	x->multi = NULL;
	return NULL;
}

void
deliver_xfer_close(struct deliver *d)
{
	struct deliver_xfer *x;
	int k;

	deliver_xfer_end(d);
	for (k = 0; k < d->nxfer; k++) {
		x = &d->xfer[k];
		x->started = pthread_create(&x->thread, NULL, xfer_cleanup,
		    x) == 0;
		if (!x->started)
			xfer_cleanup(x);
	}
	for (k = 0; k < d->nxfer; k++) {
		x = &d->xfer[k];
		if (x->started)
			pthread_join(x->thread, NULL);
		x->started = 0;
		free(x->idle);
		free(x->inbox);
		free(x->done);
		free(x->jobs);
		free(x->in);
		pthread_mutex_destroy(&x->lock);
	}
	free(d->xfer);
	d->xfer = NULL;
	d->nxfer = 0;
}

int
deliver_xfer_begin(struct deliver *d, char **cause)
{
	struct deliver_xfer *x;
	int k, rc;

	for (k = 0; k < d->nxfer; k++) {
		x = &d->xfer[k];
		x->quit = x->abandon = 0;
		x->active[0] = x->active[1] = 0;
		if (x->local)
			continue;
		if ((rc = pthread_create(&x->thread, NULL, xfer_main, x)) != 0) {
			deliver_xfer_end(d);
			return set_error(cause, "starting a transfer thread: %s",
			    strerror(rc));
		}
		x->started = 1;
	}
	return 0;
}

/* Only once the pass has taken every job back: a thread returns when it
 * has none left. */
void
deliver_xfer_end(struct deliver *d)
{
	struct deliver_xfer *x;
	int k;

	for (k = 0; k < d->nxfer; k++) {
		x = &d->xfer[k];
		if (!x->started)
			continue;
		pthread_mutex_lock(&x->lock);
		x->quit = 1;
		pthread_mutex_unlock(&x->lock);
		curl_multi_wakeup(x->multi);
		pthread_join(x->thread, NULL);
		x->started = 0;
	}
}

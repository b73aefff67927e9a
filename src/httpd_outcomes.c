/* httpd_outcomes.c - the outcomes reps POST on their task pages,
 * committed together (group commit).
 *
 * Writes to the store go one at a time, and each commit is synced
 * (synchronous = FULL): recorded one by one, fifty phones posting at once
 * waited for fifty syncs in turn.  A POST is checked on its worker thread
 * (the link, the form token, the fields: httpd_pages.c).  If no outcome
 * is being recorded and none waits, the worker records it at once, alone,
 * on its own store connection, as a lone POST always was (no hand-over to
 * pay for).  Otherwise it is queued and its connection suspended, so that
 * the worker goes on with other connections, and a thread of our own,
 * with a store connection of its own, takes every outcome waiting (at
 * most HTTPD_OUTCOME_BATCH) as soon as the store is ours again and
 * records them with outcome_record_batch(): one transaction, one synced
 * commit, each outcome a unit of its own.  Only after that commit is each
 * connection resumed and answered, so "Recorded." still means on disk.
 * Nothing waits for a batch to fill: a batch is what came in while the
 * previous commit ran.  One writer at a time, the thread or a worker.
 *
 * On shutdown (httpd_outcomes_stop) the outcomes waiting are recorded and
 * their connections resumed before libmicrohttpd stops (it must not stop
 * with a suspended connection); a POST that comes later is recorded on
 * its worker, alone, as before, and the rest is freed once libmicrohttpd
 * has stopped (httpd_outcomes_free). */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "httpd_priv.h"
#include "log.h"
#include "store_lease.h"
#include "util.h"

struct httpd_outcomes {
	struct httpd *h;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	pthread_t thread;
	int quit;			/* take no more; finish what waits */
	int joined;
	int busy;			/* the thread records a batch */
	unsigned alone;			/* workers recording one of their own */
	struct httpd_outcome *head, **tail;
	struct store *st;		/* the thread's own */
	unsigned long batches, posts;	/* for the log at the end */
};

/* PostgreSQL: the instance that plans learns of the outcomes now (the
 * next follow-up is planned from them), wherever it runs.  A lost
 * wake-up costs only time: it is not an error. */
void
httpd_outcomes_wake(struct store *st)
{
	char *cause = NULL;

	if (store_wake_send(st, &cause) != 0) {
		log_warn("waking the other instances: %s", cause);
		free(cause);
	}
}

/* Records one batch and resumes its connections.  After the resume a
 * request's outcome belongs to its worker again. */
static void
outcomes_record(struct httpd_outcomes *oc, struct httpd_outcome **batch,
    size_t n)
{
	struct outcome_item items[HTTPD_OUTCOME_BATCH];
	char *cause = NULL;
	size_t i;

	if (oc->st == NULL && store_open_existing(oc->h->store_path, &oc->st,
	    &cause) != 0) {
		for (i = 0; i < n; i++) {
			batch[i]->res = OUTCOME_ERROR;
			batch[i]->cause = xstrdup(cause);
		}
		free(cause);
	} else {
		for (i = 0; i < n; i++) {
			memset(&items[i], 0, sizeof(items[i]));
			items[i].req = &batch[i]->req;
		}
		outcome_record_batch(oc->st, items, n);
		for (i = 0; i < n; i++) {
			batch[i]->res = items[i].res;
			batch[i]->cause = items[i].cause;
		}
		/* Before any answer: the rep's next GET sees the change. */
		atomic_fetch_add(&oc->h->db_gen, 1);
		httpd_outcomes_wake(oc->st);
	}
	oc->batches++;
	oc->posts += n;
	for (i = 0; i < n; i++)
		MHD_resume_connection(batch[i]->conn);
}

/* The thread: a batch of what waits whenever no worker records alone,
 * until told to quit and nothing waits. */
static void *
outcomes_main(void *arg)
{
	struct httpd_outcomes *oc = arg;
	struct httpd_outcome *batch[HTTPD_OUTCOME_BATCH];
	size_t n;

	pthread_mutex_lock(&oc->lock);
	for (;;) {
		while ((oc->head == NULL || oc->alone > 0) &&
		    !(oc->quit && oc->head == NULL))
			pthread_cond_wait(&oc->wake, &oc->lock);
		if (oc->head == NULL)
			break;
		for (n = 0; n < HTTPD_OUTCOME_BATCH && oc->head != NULL; n++) {
			batch[n] = oc->head;
			oc->head = oc->head->next;
		}
		if (oc->head == NULL)
			oc->tail = &oc->head;
		oc->busy = 1;
		pthread_mutex_unlock(&oc->lock);
		outcomes_record(oc, batch, n);
		pthread_mutex_lock(&oc->lock);
		oc->busy = 0;
	}
	pthread_mutex_unlock(&oc->lock);
	return NULL;
}

/* Starts the thread; NULL with *cause when it cannot. */
struct httpd_outcomes *
httpd_outcomes_start(struct httpd *h, char **cause)
{
	struct httpd_outcomes *oc = xcalloc(1, sizeof(*oc));
	int rc;

	oc->h = h;
	oc->tail = &oc->head;
	pthread_mutex_init(&oc->lock, NULL);
	pthread_cond_init(&oc->wake, NULL);
	if ((rc = thread_start(&oc->thread, outcomes_main, oc)) != 0) {
		pthread_cond_destroy(&oc->wake);
		pthread_mutex_destroy(&oc->lock);
		free(oc);
		set_error(cause, "cannot start the outcome thread: %s",
		    strerror(rc));
		return NULL;
	}
	pthread_setname_np(oc->thread, "http-outcomes");
	return oc;
}

/* Records what waits, resumes its connections and stops the thread;
 * the POSTs that come later are recorded by their workers. */
void
httpd_outcomes_stop(struct httpd_outcomes *oc)
{
	if (oc == NULL || oc->joined)
		return;
	pthread_mutex_lock(&oc->lock);
	oc->quit = 1;
	pthread_cond_signal(&oc->wake);
	pthread_mutex_unlock(&oc->lock);
	pthread_join(oc->thread, NULL);
	oc->joined = 1;
	if (oc->posts > 0)
		log_debug("http: %lu outcomes in %lu commits", oc->posts,
		    oc->batches);
}

/* Stops the thread if need be and frees it all, once no worker runs. */
void
httpd_outcomes_free(struct httpd_outcomes *oc)
{
	if (oc == NULL)
		return;
	httpd_outcomes_stop(oc);
	store_close(oc->st);
	pthread_cond_destroy(&oc->wake);
	pthread_mutex_destroy(&oc->lock);
	free(oc);
}

/* Where o is recorded: 1, queued (the connection is suspended before o
 * can be recorded and its connection resumed); 0, by the caller, alone
 * and at once, when nothing else is being recorded or waits, or when the
 * service stops; it calls httpd_outcomes_alone_end() after. */
int
httpd_outcomes_submit(struct httpd_req *r, struct httpd_outcome *o)
{
	struct httpd_outcomes *oc = r->h->outcomes;

	pthread_mutex_lock(&oc->lock);
	if (oc->quit || (!oc->busy && oc->alone == 0 && oc->head == NULL)) {
		oc->alone++;
		pthread_mutex_unlock(&oc->lock);
		return 0;
	}
	o->conn = r->conn;
	o->next = NULL;
	MHD_suspend_connection(r->conn);
	*oc->tail = o;
	oc->tail = &o->next;
	if (!oc->busy && oc->alone == 0)
		pthread_cond_signal(&oc->wake);
	pthread_mutex_unlock(&oc->lock);
	/* The request is in: no deadline while it is recorded. */
	httpd_guard_answering(r->conn_rec);
	return 1;
}

/* A worker recorded its outcome alone: the queue's turn. */
void
httpd_outcomes_alone_end(struct httpd *h)
{
	struct httpd_outcomes *oc = h->outcomes;

	pthread_mutex_lock(&oc->lock);
	if (--oc->alone == 0 && oc->head != NULL)
		pthread_cond_signal(&oc->wake);
	pthread_mutex_unlock(&oc->lock);
}

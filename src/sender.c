/* sender.c - a channel's delivery passes on a thread of their own. */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>

#include "deliver.h"
#include "log.h"
#include "sender.h"
#include "store.h"
#include "store_outbox.h"
#include "util.h"

#define SENDER_MAX_SLEEP_MS	3600000	/* a pass at least hourly */
#define SENDER_MIN_SLEEP_MS	100	/* rate-limited rows stay due */

struct sender {
	enum channel ch;
	struct metrics *metrics;
	pthread_t thread;
	int started;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	/* lock: what the daemon tells it */
	int kicked;
	const struct conf *next_cf;	/* a reload to take, or NULL */
	unsigned next_gen;
	_Atomic unsigned gen;		/* the generation in use */
	/* read by the pass as its stop flag; set under lock */
	atomic_int stop;
	/* the thread's own */
	const struct conf *cf;
	struct store *st;
	struct deliver *dl;
};

/* Opens the store and the deliverer for cf: -1 (logged) on failure, and
 * the thread goes on trying at each wake-up. */
static int
sender_open(struct sender *s)
{
	char *cause = NULL;

	if (s->st == NULL && store_open_existing(s->cf->store, &s->st,
	    &cause) != 0) {
		log_err("%s sender: %s", channel_name(s->ch), cause);
		free(cause);
		return -1;
	}
	if (s->dl == NULL && deliver_open(s->cf, s->st, &s->ch, &s->dl,
	    &cause) != 0) {
		log_err("%s sender: %s", channel_name(s->ch), cause);
		free(cause);
		return -1;
	}
	return 0;
}

/* One pass of the channel, logged and counted. */
static void
sender_pass(struct sender *s)
{
	struct send_stats st = { 0 };
	char *cause = NULL;

	if (deliver_pass(s->dl, time(NULL), s->cf->delivery.dry_run, &s->stop,
	    &st, &cause) != 0) {
		log_err("%s delivery failed: %s", channel_name(s->ch), cause);
		free(cause);
	}
	if (st.sent + st.failed + st.suppressed + st.retried > 0)
		log_info("%s: %lu sent, %lu to retry, %lu failed, %lu "
		    "suppressed, %lu deferred", channel_name(s->ch), st.sent,
		    st.retried, st.failed, st.suppressed, st.deferred);
	metrics_add_sends(s->metrics, &st);
}

/* How long to sleep: until the channel's next due message, at most an
 * hour; a dry run changes no row, so it waits for a kick. */
static int64_t
sender_sleep_ms(struct sender *s)
{
	int64_t due, ms = SENDER_MAX_SLEEP_MS;

	if (s->st == NULL || s->dl == NULL)
		return 5000;	/* try to open again soon */
	/* Held: nothing goes until `outbox release` wakes the daemon. */
	if (store_outbox_held(s->st, s->ch, NULL, NULL) == 1)
		return SENDER_MAX_SLEEP_MS;
	due = store_outbox_next_due(s->st, &s->ch, NULL);
	if (due > 0 && !s->cf->delivery.dry_run)
		ms = (due - (int64_t)time(NULL)) * 1000;
	/* Senders sharing a store: a pass at least once a lease, which
	 * rescues the rows of one that died. */
	if (store_outbox_leased(s->st) &&
	    ms > s->cf->delivery.claim_lease * 1000)
		ms = s->cf->delivery.claim_lease * 1000;
	if (ms < SENDER_MIN_SLEEP_MS)
		ms = SENDER_MIN_SLEEP_MS;
	return ms > SENDER_MAX_SLEEP_MS ? SENDER_MAX_SLEEP_MS : ms;
}

/* Sleeps until kicked, stopped or ms passed; takes a new configuration
 * handed over meanwhile.  Returns 0 when told to stop. */
static int
sender_wait(struct sender *s, int64_t ms)
{
	struct timespec ts;
	int go;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	ts.tv_sec += (time_t)(ms / 1000);
	ts.tv_nsec += (long)(ms % 1000) * 1000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&s->lock);
	while (!s->kicked && !s->stop && s->next_cf == NULL &&
	    pthread_cond_timedwait(&s->cond, &s->lock, &ts) != ETIMEDOUT)
		;
	s->kicked = 0;
	if (s->next_cf != NULL) {
		deliver_close(s->dl);	/* it holds the old configuration */
		s->dl = NULL;
		s->cf = s->next_cf;
		s->gen = s->next_gen;
		s->next_cf = NULL;
	}
	go = !s->stop;
	pthread_mutex_unlock(&s->lock);
	return go;
}

static void *
sender_main(void *arg)
{
	struct sender *s = arg;

	do {
		if (sender_open(s) == 0)
			sender_pass(s);
	} while (!s->stop && sender_wait(s, sender_sleep_ms(s)));
	deliver_close(s->dl);
	store_close(s->st);
	return NULL;
}

int
sender_start(const struct conf *cf, enum channel ch, struct metrics *metrics,
    struct sender **out, char **cause)
{
	struct sender *s = xcalloc(1, sizeof(*s));
	pthread_condattr_t ca;
	int rc;

	s->ch = ch;
	s->cf = cf;
	s->metrics = metrics;
	pthread_mutex_init(&s->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&s->cond, &ca);
	pthread_condattr_destroy(&ca);
	if ((rc = thread_start(&s->thread, sender_main, s)) != 0) {
		sender_free(s);
		return set_error(cause, "%s sender: cannot start a thread",
		    channel_name(ch));
	}
	s->started = 1;
	*out = s;
	return 0;
}

void
sender_kick(struct sender *s)
{
	pthread_mutex_lock(&s->lock);
	s->kicked = 1;
	pthread_cond_signal(&s->cond);
	pthread_mutex_unlock(&s->lock);
}

void
sender_set_conf(struct sender *s, const struct conf *cf, unsigned gen)
{
	pthread_mutex_lock(&s->lock);
	s->next_cf = cf;
	s->next_gen = gen;
	pthread_cond_signal(&s->cond);
	pthread_mutex_unlock(&s->lock);
}

unsigned
sender_conf_gen(struct sender *s)
{
	return s->gen;
}

void
sender_stop(struct sender *s)
{
	if (s == NULL)
		return;
	pthread_mutex_lock(&s->lock);
	s->stop = 1;
	pthread_cond_signal(&s->cond);
	pthread_mutex_unlock(&s->lock);
}

void
sender_free(struct sender *s)
{
	if (s == NULL)
		return;
	if (s->started)
		pthread_join(s->thread, NULL);
	pthread_cond_destroy(&s->cond);
	pthread_mutex_destroy(&s->lock);
	free(s);
}

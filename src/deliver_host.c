/* deliver_host.c - the circuit breaker of a channel's host.
 *
 * A host that refuses connections or times out before the server answers
 * would otherwise take every due message's attempt, and their retries,
 * in turn: after DELIVER_HOST_TRIP such failures in a row it is left
 * alone for a backoff that doubles at each trip, then one message probes
 * it while the others wait. */
#include <time.h>

#include "deliver_priv.h"
#include "log.h"

/* The circuit breaker learns from each verdict: a transfer that got
 * through closes it, DELIVER_HOST_TRIP failures in a row before reaching
 * the server open it for a backoff that doubles at each trip. */
void
deliver_host_verdict(struct deliver_job *job)
{
	struct deliver_channel *ch = job->ch;

	ch->host_probing = 0;
	if (!job->unconnected) {
		ch->host_failures = 0;
		ch->host_backoff = 0;
		return;
	}
	if (++ch->host_failures < DELIVER_HOST_TRIP)
		return;
	ch->host_backoff = ch->host_backoff == 0 ? DELIVER_HOST_BACKOFF_MIN :
	    ch->host_backoff * 2 > DELIVER_HOST_BACKOFF_MAX ?
	    DELIVER_HOST_BACKOFF_MAX : ch->host_backoff * 2;
	ch->host_closed_until = (int64_t)time(NULL) + ch->host_backoff;
	log_warn("%s: %d transfers in a row failed before reaching the server "
	    "(%s): leaving it alone for %d s", channel_name(ch->id),
	    ch->host_failures, job->error ? job->error : "?",
	    ch->host_backoff);
}

/* When a message may go given the breaker: 0 now, else a time.  After
 * the backoff one message probes the host; the others wait for it. */
int64_t
deliver_host_defer(struct deliver_channel *ch)
{
	int64_t now = (int64_t)time(NULL);

	if (ch->host_failures < DELIVER_HOST_TRIP)
		return 0;
	if (now < ch->host_closed_until)
		return ch->host_closed_until;
	if (ch->host_probing)
		return now + 1;
	ch->host_probing = 1;
	return 0;
}

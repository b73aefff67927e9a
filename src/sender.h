/* sender.h - one thread per channel that sends what is due on it, so a
 * slow SMS gateway holds back neither e-mail nor the daemon's scans.
 * Each sender has its own store connection and deliverer and runs
 * delivery passes of its channel alone: after each one it sleeps until its
 * next message is due, until kicked (new messages queued, outreachctl's
 * wake-up), or until told to stop.  outreachd starts one per channel;
 * outreachctl and `outreachd --once` run passes themselves. */
#ifndef OUTREACHD_SENDER_H
#define OUTREACHD_SENDER_H

#include "channel.h"
#include "conf.h"
#include "metrics.h"

struct sender;

/* Opens its own connection to the store of cf and starts the thread.
 * cf must stay valid until the sender has taken a newer one (see
 * sender_set_conf) or is freed; metrics (may be NULL) must outlive it. */
int sender_start(const struct conf *cf, enum channel ch,
    struct metrics *metrics, struct sender **out, char **cause);
/* Something may be due now: the sender runs a pass at once. */
void sender_kick(struct sender *s);
/* Hands a reloaded configuration over, with its generation: the sender
 * takes it between passes (an in-flight pass finishes with the old one). */
void sender_set_conf(struct sender *s, const struct conf *cf,
    unsigned gen);
/* The generation of the configuration the sender uses now: the daemon
 * frees an older one only when every sender has moved past it. */
unsigned sender_conf_gen(struct sender *s);
/* Tells it to stop: no new message is taken; those in flight finish
 * within daemon.shutdown_grace or are left 'sending' for the next start. */
void sender_stop(struct sender *s);
/* Waits for the thread (after sender_stop) and frees; NULL is fine. */
void sender_free(struct sender *s);

#endif

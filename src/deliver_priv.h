/* deliver_priv.h - shared by the deliver_*.c files only. */
#ifndef OUTREACHD_DELIVER_PRIV_H
#define OUTREACHD_DELIVER_PRIV_H

#include <pthread.h>
#include <stdatomic.h>

#include <curl/curl.h>

#include "deliver.h"
#include "sms_gw.h"
#include "sms_provider.h"
#include "smtp_reply.h"
#include "store_outbox.h"
#include "token.h"
#include "util.h"

/* UNKNOWN: the whole message went out and no answer came back, so the
 * server may have it: neither sent nor to be retried blindly. */
enum deliver_verdict { DV_SENT, DV_RETRY, DV_FAILED, DV_UNKNOWN };

/* One message on its way: the row, the transfer's buffers, the answer. */
struct deliver_job {
	struct outbox_msg m;
	struct deliver_channel *ch;
	CURL *easy;
	char *payload;		/* what is uploaded (SMTP) or written */
	size_t len, off;
	char *url;		/* where it goes (SMS gateway) */
	char *from;		/* envelope sender (SMTP) */
	int post;		/* SMS gateway: POST payload */
	struct curl_slist *rcpt;
	struct curl_slist *headers;
	struct buf reply;	/* response body (HTTP) */
	struct smtp_reply smtp;	/* the server's answer (SMTP) */
	int unconnected;	/* failed before the transfer proper (connect,
				   greeting, TLS, login): the host's fault */
	int eod;		/* the whole message was handed over */
	char *retry_after;	/* Retry-After header (HTTP) */
	char errbuf[CURL_ERROR_SIZE];
	int marked;		/* its row is 'sending' */
	int stale;		/* the admin changed its row: not sent */
	/* Gated transports: the payload waits until the store's commit count
	 * reaches gate (its row and the verdicts before it are durable). */
	const _Atomic uint64_t *commits;
	uint64_t gate;
	int paused;
	int *fresh;		/* next transfer on a new connection (after 421) */
	/* The transfer thread it was handed to. */
	struct deliver_xfer *xfer;
	atomic_int cancel;	/* a commit failed: must not start sending */
	int cancelled;		/* handed back unsent (cancel) */
	int abandoned;		/* handed back at the shutdown deadline */
	/* the verdict */
	int decided;		/* a verdict was given */
	enum deliver_verdict verdict;
	char *error;
	char *provider_id;
	int retry_after_secs;	/* -1 = none */
	int written;		/* the request went out (SMS providers) */
};

struct deliver_channel;

/* A transport.  prepare() builds what will be sent, without I/O, while
 * other transfers are in flight; a verdict set there ends the job.  Then
 * either send() does the whole job at once (maildir), or start()
 * configures job->easy for the multi interface and finish() classifies
 * the finished transfer.  A gated transport's transfer may start before
 * its row is committed: it holds the message itself back until then
 * (SMTP: the envelope commands go out, the DATA waits), so the commit
 * overlaps the round trips. */
struct deliver_backend {
	const char *name;
	int gated;	/* pulls its payload through a callback that can wait */
	void (*prepare)(struct deliver *d, struct deliver_job *job);
	void (*send)(struct deliver *d, struct deliver_job *job);
	void (*start)(struct deliver *d, struct deliver_job *job);
	void (*finish)(struct deliver *d, struct deliver_job *job,
	    CURLcode rc);
};

struct deliver_channel {
	enum channel id;
	const struct conf_channel *cc;
	const struct deliver_backend *be;
	char *password;			 /* read from password_file */
	struct sms_gw gw;		 /* SMS gateways */
	char **gw_owned;		 /* what a gateway preset made */
	int provider;			 /* SMS: a provider of approved
					    templates (prov), not gw */
	struct sms_provider prov;
	char *dlr_url;
	int budget;			 /* sends left this pass (rate) */
	/* The circuit breaker: after DELIVER_HOST_TRIP transfers in a row
	 * failed before reaching the server proper, the host is left alone
	 * until closed_until, then one message probes it. */
	int host_failures;
	int host_backoff;		 /* seconds, doubled at each trip */
	int64_t host_closed_until;
	int host_probing;		 /* the probe is in flight */
	int active;			 /* transfers in flight */
};

/* A transfer thread (deliver_xfer.c): its own multi handle, easy handles
 * and share of each channel's connections.  The pass thread hands it jobs
 * through inbox and takes them back, finished, from done; only the
 * transfer thread touches the job's easy handle in between.  With several
 * connections, libcurl's blocking waits (the reply to the end of DATA)
 * then stall one thread's transfers, not every one.  xfer[0] is local:
 * the pass thread runs its transfers (HTTP, which never blocks) itself,
 * with deliver_xfer_run(), and waits on its multi handle, which the other
 * threads wake when they hand a job back. */
struct deliver_xfer {
	struct deliver *d;
	CURLM *multi;
	int local;			/* xfer[0]: no thread of its own */
	pthread_t thread;
	int started;
	pthread_mutex_t lock;
	struct deliver_job **inbox;	/* lock: jobs to start */
	size_t ninbox, inbox_cap;
	struct deliver_job **done;	/* lock: finished or handed back */
	size_t ndone, done_cap;
	int quit;			/* lock: return once idle */
	int abandon;			/* lock: hand every job back now */
	/* the transfer thread's own */
	struct deliver_job **jobs;
	size_t njobs, jobs_cap;
	struct deliver_job **in;	/* the inbox, taken */
	size_t in_cap;
	CURL **idle;
	size_t nidle, idle_cap;
	int fresh[CHANNEL_COUNT];	/* after a 421 (smtp) */
	/* the pass thread's own */
	int conns[CHANNEL_COUNT];	/* share of each channel's connections */
	int active[CHANNEL_COUNT];
};

struct deliver {
	const struct conf *cf;
	struct store *st;
	unsigned char secret[TOKEN_SECRET_LEN];
	struct deliver_channel ch[CHANNEL_COUNT];
	int only;			 /* passes send only_ch's messages */
	enum channel only_ch;
	struct deliver_job **inflight;	 /* jobs handed to an xfer */
	size_t ninflight;
	size_t inflight_cap;
	_Atomic uint64_t commits;	 /* state transactions committed */
	struct deliver_xfer *xfer;	 /* [0] local, then the threads */
	int nxfer;
	char hostname[256];
	char holder[300];		 /* "host:pid": whose claims */
	/* The fingerprint of the configuration and templates the last
	 * queueing rendered with (deliver_queue.c). */
	char render_key[2 * 8 + 1];
	int held[CHANNEL_COUNT];	 /* read at the start of each pass */
};

#define DELIVER_HOST_TRIP 3
#define DELIVER_HOST_BACKOFF_MIN 30
#define DELIVER_HOST_BACKOFF_MAX 900

/* The circuit breaker (deliver_host.c): learns from each verdict, and
 * says when a message of ch may go, 0 now. */
void deliver_host_verdict(struct deliver_job *job);
int64_t deliver_host_defer(struct deliver_channel *ch);

extern const struct deliver_backend deliver_maildir_backend;
extern const struct deliver_backend deliver_smtp_backend;
extern const struct deliver_backend deliver_sms_backend;

/* Frees a job and everything it owns (its easy handle is back with its
 * transfer thread by then). */
void deliver_job_free(struct deliver_job *job);
/* Sets the verdict of a job (error may be NULL). */
void deliver_job_verdict(struct deliver_job *job, enum deliver_verdict v,
    const char *error, ...) PRINTFLIKE(3, 4);
/* Sets a retry verdict for a transfer that failed below the protocol:
 * libcurl's words, and the system's (e.g. "Connection refused"). */
void deliver_job_transport_error(struct deliver_job *job, CURLcode rc,
    const char *said);
/* Appends job to a list of jobs (grown as needed). */
void deliver_jobs_push(struct deliver_job ***v, size_t *n, size_t *cap,
    struct deliver_job *job);
/* Lets the transfer and any redirect use only protocols, "smtp,smtps" or
 * "http,https", whatever URL the configuration gives. */
void deliver_job_protocols(struct deliver_job *job, const char *protocols);
/* Sets the options every transfer has, then the transport's (start()). */
void deliver_job_setup(struct deliver *d, struct deliver_job *job);

/* Asks the SMS provider's status query about the messages whose time
 * has come (deliver_status.c): delivery reports, and whether an
 * 'unknown' message reached the provider, or is to be sent again. */
void deliver_status_pass(struct deliver *d, int64_t now);
/* A fresh random nonce for a provider request (32 hex digits). */
void deliver_sms_nonce(char out[33]);

/* Transfer threads (deliver_xfer.c).  open/close: with the deliverer;
 * begin/end: around a pass (end waits for the threads to return). */
int deliver_xfer_open(struct deliver *d, char **cause);
void deliver_xfer_close(struct deliver *d);
int deliver_xfer_begin(struct deliver *d, char **cause);
void deliver_xfer_end(struct deliver *d);
/* Hands a job to x; the job comes back through deliver_xfer_take(). */
void deliver_xfer_submit(struct deliver_xfer *x, struct deliver_job *job);
/* Appends the jobs x has finished or handed back to *out (malloc'd,
 * grown); returns how many there are now. */
size_t deliver_xfer_take(struct deliver_xfer *x, struct deliver_job ***out,
    size_t n, size_t *cap);
/* One turn of x: what a transfer thread does each time it wakes, and
 * what the pass thread does for the local xfer[0] (its finished jobs then
 * wait for deliver_xfer_take()).  Returns 1 when x was told to quit and
 * has no job left. */
int deliver_xfer_run(struct deliver_xfer *x);
/* Makes x look at the commit count, cancel flags and its inbox now. */
void deliver_xfer_wake(struct deliver_xfer *x);
/* Makes x hand back every job it has, unfinished, marked abandoned. */
void deliver_xfer_abandon(struct deliver_xfer *x);

#endif

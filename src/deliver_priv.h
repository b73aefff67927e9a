/* deliver_priv.h - shared by the deliver_*.c files only. */
#ifndef OUTREACHD_DELIVER_PRIV_H
#define OUTREACHD_DELIVER_PRIV_H

#include <curl/curl.h>

#include "deliver.h"
#include "sms_gw.h"
#include "store_outbox.h"
#include "token.h"
#include "util.h"

enum deliver_verdict { DV_SENT, DV_RETRY, DV_FAILED };

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
	struct buf server;	/* last server reply line (SMTP) */
	char *retry_after;	/* Retry-After header (HTTP) */
	char errbuf[CURL_ERROR_SIZE];
	int marked;		/* its row is 'sending' */
	/* Gated transports: the payload waits until the store's commit count
	 * reaches gate (its row and the verdicts before it are durable). */
	const uint64_t *commits;
	uint64_t gate;
	int paused;
	/* the verdict */
	int decided;		/* a verdict was given */
	enum deliver_verdict verdict;
	char *error;
	char *provider_id;
	int retry_after_secs;	/* -1 = none */
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
	const char *name;		 /* "email" or "sms" */
	const struct conf_channel *cc;
	const struct deliver_backend *be;
	char *password;			 /* read from password_file */
	struct sms_gw gw;		 /* SMS gateways */
	char *dlr_url;
	int budget;			 /* sends left this pass (rate) */
	int fresh;			 /* next transfer on a new connection */
	int active;			 /* transfers in flight */
};

struct deliver {
	const struct conf *cf;
	struct store *st;
	unsigned char secret[TOKEN_SECRET_LEN];
	struct deliver_channel email;
	struct deliver_channel sms;
	CURLM *multi;
	struct deliver_job **inflight;	 /* transfers on the multi handle */
	size_t ninflight;
	size_t inflight_cap;
	uint64_t commits;		 /* state transactions committed */
	CURL **idle;			 /* easy handles kept for reuse */
	size_t nidle;
	size_t idle_cap;
	char hostname[256];
};

extern const struct deliver_backend deliver_maildir_backend;
extern const struct deliver_backend deliver_smtp_backend;
extern const struct deliver_backend deliver_sms_backend;

/* Frees a job and everything it owns (its easy handle goes back to the
 * pool). */
void deliver_job_free(struct deliver *d, struct deliver_job *job);
/* Sets the verdict of a job (error may be NULL). */
void deliver_job_verdict(struct deliver_job *job, enum deliver_verdict v,
    const char *error, ...) PRINTFLIKE(3, 4);
/* Sets a retry verdict for a transfer that failed below the protocol:
 * libcurl's words, and the system's (e.g. "Connection refused"). */
void deliver_job_transport_error(struct deliver_job *job, CURLcode rc,
    const char *said);
/* The whole RFC 5322 message of an e-mail job; malloc'd. */
int deliver_build_email(struct deliver *d, const struct outbox_msg *m,
    char **out, size_t *len, char **cause);
int64_t deliver_window_start(const struct conf *cf, int32_t day,
    const char *tz);

#endif

/* deliver_smtp.c - e-mail over SMTP with libcurl: STARTTLS required (or
 * smtps://), AUTH from a password file, verification on, and the
 * connection kept in the multi handle's cache for the next message. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "compose.h"
#include "deliver_priv.h"
#include "mime.h"
#include "smtp_reply.h"

/* libcurl pulls the message through this. */
static size_t
smtp_read(char *buf, size_t size, size_t n, void *arg)
{
	struct deliver_job *job = arg;
	size_t left = job->len - job->off, want = size * n;
	uint64_t commits = *job->commits;

	/* Not a byte of the message before its row and the verdicts before
	 * it are committed: the server cannot accept it until then.  The
	 * count is read first: a commit that follows a failed one comes
	 * after the cancel flag was set (deliver_xfer.c). */
	if (commits < job->gate || atomic_load(&job->cancel)) {
		job->paused = 1;
		return CURL_READFUNC_PAUSE;
	}
	if (want > left)
		want = left;
	memcpy(buf, job->payload + job->off, want);
	job->off += want;
	if (job->off == job->len && !job->eod) {
		/* The end of the message is on its way (libcurl asks no more
		 * once it has the size it was given): its reply may take as
		 * long as the server needs to store it (RFC 5321 4.5.3.2.6),
		 * with no other limit on the wait.  Plain assignments in
		 * libcurl, read again at each wait. */
		job->eod = 1;
		curl_easy_setopt(job->easy, CURLOPT_SERVER_RESPONSE_TIMEOUT,
		    (long)job->ch->cc->data_timeout_seconds);
		curl_easy_setopt(job->easy, CURLOPT_TIMEOUT, 0L);
		curl_easy_setopt(job->easy, CURLOPT_LOW_SPEED_TIME, 0L);
	}
	return want;
}

/* Follows the dialogue: the reply to the command a failed transaction
 * stopped at is the reason recorded (smtp_reply.h). */
static int
smtp_debug(CURL *easy, curl_infotype type, char *data, size_t size,
    void *arg)
{
	struct deliver_job *job = arg;

	(void)easy;
	if (type == CURLINFO_HEADER_OUT)
		smtp_reply_sent(&job->smtp, data, size);
	else if (type == CURLINFO_HEADER_IN)
		smtp_reply_received(&job->smtp, data, size);
	return 0;
}

/* The server refused: 5xx for good, 4xx for now, in its own words (its
 * reply starts with the code), or libcurl's when the reply was not seen. */
static void
smtp_refused(struct deliver_job *job, long code, const char *said)
{
	enum deliver_verdict v = code >= 500 ? DV_FAILED : DV_RETRY;

	if (smtp_reply_code(&job->smtp) == code)
		deliver_job_verdict(job, v, "%s", said);
	else
		deliver_job_verdict(job, v, "SMTP %ld: %s", code,
		    job->errbuf[0] ? job->errbuf : "no reply text");
}

/* Builds the message and the envelope: runs while other transfers are
 * in flight. */
static void
smtp_prepare(struct deliver *d, struct deliver_job *job)
{
	const struct conf_channel *cc = job->ch->cc;
	char *rcpt, *err = NULL;

	if (!mime_addr_valid(job->m.recipient)) {
		deliver_job_verdict(job, DV_FAILED, "invalid address \"%s\"",
		    job->m.recipient);
		return;
	}
	if (compose_email(d->cf, d->secret, &job->m, time(NULL),
	    &job->payload, &job->len, &err) != 0) {
		deliver_job_verdict(job, DV_FAILED, "%s", err);
		free(err);
		return;
	}
	job->from = xasprintf("<%s>", cc->from);
	rcpt = xasprintf("<%s>", job->m.recipient);
	job->rcpt = curl_slist_append(NULL, rcpt);
	free(rcpt);
	/* libcurl takes the EHLO name from the URL's path. */
	job->url = strchr(cc->url + strcspn(cc->url, ":") + 3, '/') ?
	    xstrdup(cc->url) : xasprintf("%s/%s", cc->url, cc->helo);
}

static void
smtp_start(struct deliver *d, struct deliver_job *job)
{
	const struct conf_channel *cc = job->ch->cc;
	CURL *e = job->easy;

	(void)d;
	curl_easy_setopt(e, CURLOPT_URL, job->url);
	deliver_job_protocols(job, "smtp,smtps");
	/* libcurl waits for each reply, and for the QUIT that closes a
	 * connection, blocking the whole loop: no longer than the transfer
	 * may take (its default is 60 s). */
	curl_easy_setopt(e, CURLOPT_SERVER_RESPONSE_TIMEOUT,
	    (long)cc->timeout_seconds);
	/* The message itself must keep moving: the whole-transfer limit
	 * is lifted at its end (smtp_read), this one with it. */
	curl_easy_setopt(e, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(e, CURLOPT_LOW_SPEED_TIME, (long)cc->timeout_seconds);
	if (*job->fresh) {	/* this multi handle's connection died */
		curl_easy_setopt(e, CURLOPT_FRESH_CONNECT, 1L);
		*job->fresh = 0;
	}
	curl_easy_setopt(e, CURLOPT_MAIL_FROM, job->from);
	curl_easy_setopt(e, CURLOPT_MAIL_RCPT, job->rcpt);
	curl_easy_setopt(e, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(e, CURLOPT_READFUNCTION, smtp_read);
	curl_easy_setopt(e, CURLOPT_READDATA, job);
	curl_easy_setopt(e, CURLOPT_INFILESIZE_LARGE, (curl_off_t)job->len);
	curl_easy_setopt(e, CURLOPT_VERBOSE, 1L);
	curl_easy_setopt(e, CURLOPT_DEBUGFUNCTION, smtp_debug);
	curl_easy_setopt(e, CURLOPT_DEBUGDATA, job);
	if (strncmp(cc->url, "smtps://", 8) != 0)
		curl_easy_setopt(e, CURLOPT_USE_SSL, cc->tls_required ?
		    (long)CURLUSESSL_ALL : (long)CURLUSESSL_NONE);
	if (cc->username != NULL)
		curl_easy_setopt(e, CURLOPT_USERNAME, cc->username);
	if (job->ch->password != NULL)
		curl_easy_setopt(e, CURLOPT_PASSWORD, job->ch->password);
	if (cc->ca_file != NULL)
		curl_easy_setopt(e, CURLOPT_CAINFO, cc->ca_file);
}

/* 4xx and transport trouble are worth another try; 5xx is final; no
 * answer in time to a message sent whole is "unknown": the server may be
 * storing it.  A connection closed without a reply is retried: a server
 * replies once it has committed the message, and one that closes after
 * the message is far more often one that never took it.  The reason is
 * the server's own reply, which carries its code. */
static void
smtp_finish(struct deliver *d, struct deliver_job *job, CURLcode rc)
{
	long last = 0, code = smtp_reply_code(&job->smtp);
	const char *said = smtp_reply_text(&job->smtp);

	(void)d;
	/* libcurl's code is that of the last reply read, perhaps QUIT's;
	 * it stands in only when the dialogue was not seen. */
	curl_easy_getinfo(job->easy, CURLINFO_RESPONSE_CODE, &last);
	if (code == 0)
		code = last;
	/* A 421 closes the connection, but libcurl keeps one whose 421 came
	 * after the DATA: the next message must not meet the dead socket. */
	if (code == 421 || last == 421)
		*job->fresh = 1;
	if (rc == CURLE_OK)
		deliver_job_verdict(job, DV_SENT, NULL);
	else if (job->eod && rc == CURLE_OPERATION_TIMEDOUT &&
	    (code == 354 || code == 0))
		deliver_job_verdict(job, DV_UNKNOWN, "no reply to the end of "
		    "the message (%s): the server may have accepted it",
		    job->errbuf[0] ? job->errbuf : curl_easy_strerror(rc));
	else if (rc == CURLE_LOGIN_DENIED) /* our configuration, not the mail */
		deliver_job_verdict(job, DV_RETRY, "SMTP login refused: %s",
		    *said ? said : job->errbuf);
	else if (code >= 400 && code < 600)
		smtp_refused(job, code, said);
	else
		deliver_job_transport_error(job, rc, said);
}

const struct deliver_backend deliver_smtp_backend = {
	"smtp", 1, smtp_prepare, NULL, smtp_start, smtp_finish,
};

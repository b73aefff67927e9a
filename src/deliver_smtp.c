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

/* Keeps the server's replies as they come, line by line: the last one
 * whole (a multiline reply's lines joined by " / ") and, apart, the last
 * that refused something, so the 221 to the QUIT after a refused RCPT
 * does not stand in for the refusal.  Control bytes become '?'. */
static int
smtp_debug(CURL *easy, curl_infotype type, char *data, size_t size,
    void *arg)
{
	struct deliver_job *job = arg;
	size_t i, n;

	(void)easy;
	if (type != CURLINFO_HEADER_IN)
		return 0;
	for (n = 0; n < size && data[n] != '\r' && data[n] != '\n'; n++)
		;
	if (job->reply_done) {
		buf_reset(&job->server);
		job->reply_done = 0;
	} else if (job->server.len > 0)
		buf_puts(&job->server, " / ");
	for (i = 0; i < n && job->server.len < 2000; i++)
		buf_addc(&job->server, (unsigned char)data[i] < 0x20 ? '?' :
		    data[i]);
	if (n >= 3 && (n == 3 || data[3] != '-')) {	/* its last line */
		job->reply_done = 1;
		if (data[0] == '4' || data[0] == '5') {
			buf_reset(&job->refused);
			buf_puts(&job->refused, job->server.data);
		}
	}
	return 0;
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
 * the message is far more often one that never took it. */
static void
smtp_finish(struct deliver *d, struct deliver_job *job, CURLcode rc)
{
	long code = 0;
	const char *said = job->refused.len ? job->refused.data :
	    job->server.len ? job->server.data : job->errbuf;

	(void)d;
	curl_easy_getinfo(job->easy, CURLINFO_RESPONSE_CODE, &code);
	/* A 421 closes the connection, but libcurl keeps one whose 421 came
	 * after the DATA: the next message must not meet the dead socket. */
	if (code == 421)
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
		    said);
	else if (code >= 500 && code < 600)
		deliver_job_verdict(job, DV_FAILED, "SMTP %ld: %s", code, said);
	else if (code >= 400)
		deliver_job_verdict(job, DV_RETRY, "SMTP %ld: %s", code, said);
	else
		deliver_job_transport_error(job, rc, said);
}

const struct deliver_backend deliver_smtp_backend = {
	"smtp", 1, smtp_prepare, NULL, smtp_start, smtp_finish,
};

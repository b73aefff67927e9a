/* deliver.c - the deliverer's set-up: transports, secrets, the pool of
 * libcurl handles, backoff.  The pass itself is in deliver_pass.c. */
#include <errno.h>
#include <malloc.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "callback.h"
#include "customer.h"
#include "date.h"
#include "log.h"
#include "deliver_priv.h"
#include "optout.h"
#include "sms_channel.h"
#include "store_lease.h"

void
deliver_job_verdict(struct deliver_job *job, enum deliver_verdict v,
    const char *fmt, ...)
{
	va_list ap;

	job->decided = 1;
	job->verdict = v;
	free(job->error);
	job->error = NULL;
	if (fmt != NULL) {
		va_start(ap, fmt);
		job->error = xvasprintf(fmt, ap);
		va_end(ap);
	}
}

void
deliver_job_transport_error(struct deliver_job *job, CURLcode rc,
    const char *said)
{
	long err = 0;
	const char *what = job->errbuf[0] ? job->errbuf : said != NULL &&
	    *said ? said : curl_easy_strerror(rc);

	curl_easy_getinfo(job->easy, CURLINFO_OS_ERRNO, &err);
	if (err != 0)
		deliver_job_verdict(job, DV_RETRY, "%s (%s)", what,
		    strerror((int)err));
	else
		deliver_job_verdict(job, DV_RETRY, "%s", what);
}

/* Reads a channel's password from its file (none configured: none). */
static int
read_secret(const struct conf *cf, enum channel id, const char *value,
    char **out, char **cause)
{
	char setting[32], *path;
	int rc;

	*out = NULL;
	if (value == NULL)
		return 0;
	snprintf(setting, sizeof(setting), "%s.password_file",
	    channel_name(id));
	if (conf_secret_path(cf, setting, value, &path, cause) != 0)
		return -1;
	if ((rc = file_first_line(setting, path, out, cause)) == 1)
		rc = set_error(cause, "%s %s: no such file", setting, path);
	free(path);
	return rc;
}

static int
channel_open(struct deliver *d, struct deliver_channel *ch, enum channel id,
    const struct conf_channel *cc, char **cause)
{
	char *secret;

	ch->id = id;
	ch->cc = cc;
	if (read_secret(d->cf, id, cc->password_file, &ch->password,
	    cause) != 0)
		return -1;
	switch (cc->transport) {
	case TRANSPORT_MAILDIR:
		ch->be = &deliver_maildir_backend;
		break;
	case TRANSPORT_SMTP:
		ch->be = &deliver_smtp_backend;
		break;
	default:
		ch->be = &deliver_sms_backend;
		if (sms_channel_is_provider(cc)) {
			ch->provider = 1;
			sms_channel_provider(cc, ch->password, &ch->prov);
			return sms_provider_check(&ch->prov, cause);
		}
		sms_channel_gateway(cc, ch->password, &ch->gw, &ch->gw_owned);
		if (cc->transport == TRANSPORT_KANNEL) {
			/* The callback answers only with the secret. */
			if (callback_secret_load(d->cf, &secret, cause) != 0)
				return -1;
			ch->dlr_url = xasprintf("%s/callbacks/kannel/dlr?"
			    "secret=%s", d->cf->http.base_url, secret);
			free(secret);
		}
		ch->gw.dlr_url = ch->dlr_url;
		if (sms_gw_check(&ch->gw, cause) != 0)
			return -1;
		break;
	}
	return 0;
}

int
deliver_open(const struct conf *cf, struct store *st,
    const enum channel *only, struct deliver **out, char **cause)
{
	struct deliver *d = xcalloc(1, sizeof(*d));

#ifdef M_TRIM_THRESHOLD
	/* Each message's buffers come and go at the top of the heap: with
	 * glibc's defaults it is given back and taken again, two brk() per
	 * message.  Keep a few MB. */
	mallopt(M_TRIM_THRESHOLD, 8 * 1024 * 1024);
	mallopt(M_TOP_PAD, 1024 * 1024);
#endif
	d->cf = cf;
	d->st = st;
	if (only != NULL) {
		d->only = 1;
		d->only_ch = *only;
	}
	if (gethostname(d->hostname, sizeof(d->hostname) - 1) != 0)
		snprintf(d->hostname, sizeof(d->hostname), "localhost");
	d->hostname[strcspn(d->hostname, "/:")] = '\0';
	snprintf(d->holder, sizeof(d->holder), "%s:%ld", d->hostname,
	    (long)getpid());
	if (optout_secret(st, d->secret, cause) != 0 ||
	    channel_open(d, &d->ch[CHANNEL_EMAIL], CHANNEL_EMAIL, &cf->email,
	    cause) != 0 ||
	    channel_open(d, &d->ch[CHANNEL_SMS], CHANNEL_SMS, &cf->sms,
	    cause) != 0) {
		deliver_close(d);
		return -1;
	}
	if (deliver_xfer_open(d, cause) != 0) {
		deliver_close(d);
		return -1;
	}
	*out = d;
	return 0;
}

void
deliver_close(struct deliver *d)
{
	int i;

	if (d == NULL)
		return;
	/* The status queries' turn goes to the next process at once (its
	 * holder's name has another pid), not a lease later. */
	if (d->ch[CHANNEL_SMS].provider && store_outbox_leased(d->st))
		store_lease_drop(d->st, "sms_status", d->holder, NULL);
	deliver_xfer_close(d);
	free(d->inflight);
	for (i = 0; i < CHANNEL_COUNT; i++) {
		free(d->ch[i].password);
		free(d->ch[i].dlr_url);
		sms_channel_owned_free(d->ch[i].gw_owned);
	}
	free(d);
}

int
deliver_backoff(const struct conf_delivery *c, int attempts)
{
	double delay = c->retry_base;
	unsigned char r;
	int i;

	for (i = 1; i < attempts && delay < c->retry_max; i++)
		delay *= 2;
	if (delay > c->retry_max)
		delay = c->retry_max;
	/* +-20% jitter so retries after an outage do not arrive together. */
	if (token_random(&r, 1) == 0)
		delay *= 0.8 + 0.4 * (double)r / 255.0;
	return delay < 1 ? 1 : (int)delay;
}

/* libcurl speaks many protocols: a transport allows its own only, so a
 * URL that names another fails the transfer instead of, say, writing the
 * message over a file and calling it sent. */
void
deliver_job_protocols(struct deliver_job *job, const char *protocols)
{
#if LIBCURL_VERSION_NUM >= 0x075500	/* 7.85: the _STR options */
	curl_easy_setopt(job->easy, CURLOPT_PROTOCOLS_STR, protocols);
	curl_easy_setopt(job->easy, CURLOPT_REDIR_PROTOCOLS_STR, protocols);
#else
	long bits = strcmp(protocols, "smtp,smtps") == 0 ?
	    CURLPROTO_SMTP | CURLPROTO_SMTPS : CURLPROTO_HTTP | CURLPROTO_HTTPS;

	curl_easy_setopt(job->easy, CURLOPT_PROTOCOLS, bits);
	curl_easy_setopt(job->easy, CURLOPT_REDIR_PROTOCOLS, bits);
#endif
}

void
deliver_job_setup(struct deliver *d, struct deliver_job *job)
{
	curl_easy_setopt(job->easy, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(job->easy, CURLOPT_ERRORBUFFER, job->errbuf);
	curl_easy_setopt(job->easy, CURLOPT_PRIVATE, job);
	curl_easy_setopt(job->easy, CURLOPT_CONNECTTIMEOUT, 15L);
	curl_easy_setopt(job->easy, CURLOPT_TIMEOUT,
	    (long)job->ch->cc->timeout_seconds);
	job->ch->be->start(d, job);
}

void
deliver_job_free(struct deliver_job *job)
{
	curl_slist_free_all(job->rcpt);
	curl_slist_free_all(job->headers);
	free(job->payload);
	free(job->url);
	free(job->from);
	buf_free(&job->reply);
	smtp_reply_free(&job->smtp);
	free(job->retry_after);
	free(job->error);
	free(job->provider_id);
	outbox_msg_clear(&job->m);
	free(job);
}

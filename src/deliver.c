/* deliver.c - the delivery pass: suppression, quiet hours, rate limits,
 * state changes around each transfer, and the libcurl multi loop. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "customer.h"
#include "date.h"
#include "log.h"
#include "deliver_priv.h"

void
deliver_job_verdict(struct deliver_job *job, enum deliver_verdict v,
    const char *fmt, ...)
{
	va_list ap;

	job->verdict = v;
	free(job->error);
	job->error = NULL;
	if (fmt != NULL) {
		va_start(ap, fmt);
		job->error = xvasprintf(fmt, ap);
		va_end(ap);
	}
}

/* Reads a secret from its file: the first line, without the newline. */
static int
read_secret(const char *path, char **out, char **cause)
{
	FILE *fp;
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;

	*out = NULL;
	if (path == NULL)
		return 0;
	if ((fp = fopen(path, "r")) == NULL)
		return set_error(cause, "%s: %m", path);
	n = getline(&line, &cap, fp);
	fclose(fp);
	if (n < 0) {
		free(line);
		return set_error(cause, "%s: empty password file", path);
	}
	line[strcspn(line, "\r\n")] = '\0';
	*out = line;
	return 0;
}

static int
channel_open(struct deliver *d, struct deliver_channel *ch, const char *name,
    const struct conf_channel *cc, char **cause)
{
	ch->name = name;
	ch->cc = cc;
	if (read_secret(cc->password_file, &ch->password, cause) != 0)
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
		ch->gw.kind = cc->transport == TRANSPORT_KANNEL ? SMS_GW_KANNEL :
		    SMS_GW_HTTP;
		ch->gw.url = cc->url;
		ch->gw.username = cc->username;
		ch->gw.password = ch->password;
		ch->gw.from = cc->sender;
		ch->gw.method = cc->method == NULL ||
		    strcmp(cc->method, "GET") == 0 ? SMS_GW_GET :
		    strcmp(cc->method, "POST_FORM") == 0 ? SMS_GW_POST_FORM :
		    SMS_GW_POST_JSON;
		ch->gw.body = cc->body;
		ch->gw.headers = (const char *const *)cc->headers;
		ch->gw.success_status = cc->success_status;
		ch->gw.success_match = cc->success_match;
		ch->gw.id_regex = cc->id_regex;
		ch->dlr_url = xasprintf("%s/callbacks/kannel/dlr",
		    d->cf->http.base_url);
		ch->gw.dlr_url = ch->dlr_url;
		if (sms_gw_check(&ch->gw, cause) != 0)
			return -1;
		break;
	}
	return 0;
}

int
deliver_open(const struct conf *cf, struct store *st, struct deliver **out,
    char **cause)
{
	struct deliver *d = xcalloc(1, sizeof(*d));

	d->cf = cf;
	d->st = st;
	if (gethostname(d->hostname, sizeof(d->hostname) - 1) != 0)
		snprintf(d->hostname, sizeof(d->hostname), "localhost");
	d->hostname[strcspn(d->hostname, "/:")] = '\0';
	if (deliver_secret(st, d->secret, cause) != 0 ||
	    channel_open(d, &d->email, "email", &cf->email, cause) != 0 ||
	    channel_open(d, &d->sms, "sms", &cf->sms, cause) != 0) {
		deliver_close(d);
		return -1;
	}
	if ((d->multi = curl_multi_init()) == NULL) {
		deliver_close(d);
		return set_error(cause, "curl_multi_init failed");
	}
	*out = d;
	return 0;
}

void
deliver_close(struct deliver *d)
{
	if (d == NULL)
		return;
	if (d->multi != NULL)
		curl_multi_cleanup(d->multi);
	free(d->inflight);
	free(d->email.password);
	free(d->sms.password);
	free(d->email.dlr_url);
	free(d->sms.dlr_url);
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

/* Why a due message must not go out at all any more, or NULL: an opt-out
 * or a frequency cap that came after it was planned. */
static const char *
deliver_suppressed(struct deliver *d, const struct outbox_msg *m, char **cause)
{
	const struct conf_plan *cp = &d->cf->plan;
	char *optout = NULL;
	unsigned bits;
	int rc, n;

	if ((rc = store_customer_optout(d->st, m->customer_id, &optout,
	    cause)) < 0)
		return NULL;
	bits = customer_optout_bits(optout);
	free(optout);
	if (rc == 0)
		return "customer erased";
	if ((bits & CUST_OPTOUT_ALL) || (strcmp(m->channel, "email") == 0 ?
	    (bits & CUST_OPTOUT_EMAIL) : (bits & CUST_OPTOUT_SMS)))
		return "opted out";
	n = store_outbox_customer_count(d->st, m->customer_id,
	    m->day - cp->cap_days + 1, m->day, m->id, cause);
	if (n >= cp->cap_messages)
		return "frequency cap reached";
	return NULL;
}

/* 0 when the message may go now; otherwise when it may: not before its
 * day in the customer's zone, and never in quiet hours there. */
static int64_t
deliver_defer(struct deliver *d, const struct outbox_msg *m, int64_t now)
{
	const struct conf_delivery *c = &d->cf->delivery;
	const char *tz = m->timezone ? m->timezone : d->cf->timezone;
	int32_t today;
	int secs, qs = c->quiet_start * 60, qe = c->quiet_end * 60, quiet;

	if (date_today((time_t)now, tz, &today, NULL) != 0 ||
	    date_local_seconds((time_t)now, tz, &secs, NULL) != 0)
		return 0;
	if (today < m->day)
		return deliver_window_start(d->cf, m->day, tz);
	if (qs == qe)
		return 0;
	quiet = qs < qe ? secs >= qs && secs < qe : secs >= qs || secs < qe;
	if (!quiet)
		return 0;
	return deliver_window_start(d->cf, secs >= qe ? today + 1 : today, tz);
}

static struct deliver_channel *
channel_of(struct deliver *d, const char *name)
{
	return strcmp(name, "email") == 0 ? &d->email : &d->sms;
}

/* Records the verdict: the only place a transfer changes a row. */
static int
deliver_record(struct deliver *d, struct deliver_job *job, int64_t now,
    struct deliver_stats *s, char **cause)
{
	const struct conf_delivery *c = &d->cf->delivery;
	struct outbox_msg *m = &job->m;
	int delay, rc, ch = strcmp(m->channel, "sms") == 0;

	switch (job->verdict) {
	case DV_SENT:
		s->sent++;
		s->sent_by[ch]++;
		log_info("sent %s to %s via %s", m->dedup_key, m->channel,
		    job->ch->be->name);
		return store_outbox_update(d->st, m->id, "sent", m->attempts, now,
		    NULL, job->provider_id, now, now, cause);
	case DV_RETRY:
		if (m->attempts < c->max_attempts) {
			s->retried++;
			s->retried_by[ch]++;
			delay = deliver_backoff(c, m->attempts);
			if (job->retry_after_secs > delay)
				delay = job->retry_after_secs;
			log_warn("%s: attempt %d failed, retry in %ds: %s",
			    m->dedup_key, m->attempts, delay, job->error);
			return store_outbox_update(d->st, m->id, "retry",
			    m->attempts, now + delay, job->error, NULL, 0, now,
			    cause);
		}
		/* FALLTHROUGH */
	default:
		s->failed++;
		s->failed_by[ch]++;
		log_err("%s: failed after %d attempt%s: %s", m->dedup_key,
		    m->attempts, m->attempts == 1 ? "" : "s", job->error);
		rc = store_outbox_update(d->st, m->id, "failed", m->attempts, now,
		    job->error, NULL, 0, now, cause);
		return rc;
	}
}

static void
job_free(struct deliver_job *job)
{
	if (job->easy != NULL)
		curl_easy_cleanup(job->easy);
	curl_slist_free_all(job->rcpt);
	curl_slist_free_all(job->headers);
	free(job->payload);
	buf_free(&job->reply);
	buf_free(&job->server);
	free(job->retry_after);
	free(job->error);
	free(job->provider_id);
	outbox_msg_clear(&job->m);
	free(job);
}

/* Abandons transfers still running when the shutdown grace is over: their
 * rows stay 'sending' and the next start sends them again. */
static void
deliver_abandon(struct deliver *d)
{
	struct deliver_job *job;

	while (d->ninflight > 0) {
		job = d->inflight[--d->ninflight];
		curl_multi_remove_handle(d->multi, job->easy);
		job->ch->active--;
		log_warn("%s: still sending at shutdown; it will be sent again "
		    "at the next start", job->m.dedup_key);
		job_free(job);
	}
}

static void
inflight_add(struct deliver *d, struct deliver_job *job)
{
	if (d->ninflight == d->inflight_cap) {
		d->inflight_cap = d->inflight_cap ? d->inflight_cap * 2 : 8;
		d->inflight = xreallocarray(d->inflight, d->inflight_cap,
		    sizeof(*d->inflight));
	}
	d->inflight[d->ninflight++] = job;
}

static void
inflight_remove(struct deliver *d, struct deliver_job *job)
{
	size_t i;

	for (i = 0; i < d->ninflight; i++) {
		if (d->inflight[i] == job) {
			d->inflight[i] = d->inflight[--d->ninflight];
			return;
		}
	}
}

/* Marks the row 'sending' (the last write before the peer is asked) and
 * starts the transfer; synchronous transports finish here. */
static int
deliver_start(struct deliver *d, struct deliver_job *job, int64_t now,
    struct deliver_stats *s, char **cause)
{
	struct outbox_msg *m = &job->m;
	int rc;

	m->attempts++;
	if (store_outbox_update(d->st, m->id, "sending", m->attempts,
	    m->not_before, m->last_error, NULL, 0, now, cause) != 0)
		return -1;
	job->retry_after_secs = -1;
	if (job->ch->be->finish == NULL) {
		job->ch->be->start(d, job, cause);
		rc = deliver_record(d, job, now, s, cause);
		job_free(job);
		return rc;
	}
	if ((job->easy = curl_easy_init()) == NULL)
		return set_error(cause, "curl_easy_init failed");
	curl_easy_setopt(job->easy, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(job->easy, CURLOPT_ERRORBUFFER, job->errbuf);
	curl_easy_setopt(job->easy, CURLOPT_PRIVATE, job);
	curl_easy_setopt(job->easy, CURLOPT_CONNECTTIMEOUT, 15L);
	curl_easy_setopt(job->easy, CURLOPT_TIMEOUT,
	    (long)job->ch->cc->timeout_seconds);
	job->ch->be->start(d, job, cause);
	if (job->error != NULL) { /* refused before any transfer */
		rc = deliver_record(d, job, now, s, cause);
		job_free(job);
		return rc;
	}
	curl_multi_add_handle(d->multi, job->easy);
	inflight_add(d, job);
	job->ch->active++;
	return 0;
}

/* Collects finished transfers and records them. */
static int
deliver_reap(struct deliver *d, struct deliver_stats *s, char **cause)
{
	struct deliver_job *job;
	CURLMsg *msg;
	int left, rc = 0;

	while ((msg = curl_multi_info_read(d->multi, &left)) != NULL) {
		if (msg->msg != CURLMSG_DONE)
			continue;
		curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE,
		    (char **)&job);
		job->ch->be->finish(d, job, msg->data.result);
		curl_multi_remove_handle(d->multi, job->easy);
		inflight_remove(d, job);
		job->ch->active--;
		if (deliver_record(d, job, time(NULL), s, cause) != 0)
			rc = -1;
		job_free(job);
	}
	return rc;
}

/* Waits for transfers until fewer than `max` are active on ch (or none at
 * all when ch is NULL).  Once *stop is set, in-flight transfers get
 * daemon.shutdown_grace seconds. */
static int
deliver_wait(struct deliver *d, struct deliver_channel *ch, int max,
    const volatile sig_atomic_t *stop, struct deliver_stats *s, char **cause)
{
	int running = 1, rc = 0;
	time_t deadline = 0;

	while (rc == 0 && (ch ? ch->active >= max :
	    d->email.active + d->sms.active > 0)) {
		if (stop != NULL && *stop && deadline == 0)
			deadline = time(NULL) + d->cf->daemon.shutdown_grace;
		if (deadline != 0 && time(NULL) >= deadline) {
			deliver_abandon(d);
			break;
		}
		curl_multi_perform(d->multi, &running);
		rc = deliver_reap(d, s, cause);
		if (ch ? ch->active >= max : d->email.active + d->sms.active > 0)
			curl_multi_poll(d->multi, NULL, 0, 200, NULL);
	}
	return rc;
}

struct due {
	struct deliver_job **v;
	size_t n, cap;
};

static int
collect_due(void *arg, const struct outbox_msg *m)
{
	struct due *due = arg;
	struct deliver_job *job = xcalloc(1, sizeof(*job));

	job->m = *m;
	memset((struct outbox_msg *)m, 0, sizeof(*m)); /* ownership moves */
	if (due->n == due->cap) {
		due->cap = due->cap ? due->cap * 2 : 64;
		due->v = xreallocarray(due->v, due->cap, sizeof(*due->v));
	}
	due->v[due->n++] = job;
	return 0;
}

/* Sends allowed per channel this pass: the rate window counts what was
 * accepted in the last rate_seconds, across passes and restarts. */
static int
channel_budget(struct deliver *d, struct deliver_channel *ch, int64_t now,
    char **cause)
{
	int n = store_outbox_sent_since(d->st, ch->name,
	    now - ch->cc->rate_seconds, cause);

	if (n < 0)
		return -1;
	ch->budget = ch->cc->rate_messages - n;
	return 0;
}

/* Decides the fate of one due message before any transfer; returns 1 when
 * it should be sent now. */
static int
deliver_triage(struct deliver *d, struct deliver_job *job, int64_t now,
    int dry_run, struct deliver_stats *s, char **cause)
{
	struct outbox_msg *m = &job->m;
	const char *why;
	int64_t when;

	job->ch = channel_of(d, m->channel);
	/* A dry run reports what would happen and changes nothing. */
	if ((why = deliver_suppressed(d, m, cause)) != NULL) {
		s->suppressed++;
		log_info("%s: suppressed: %s", m->dedup_key, why);
		if (dry_run)
			return 0;
		return store_outbox_update(d->st, m->id, "suppressed",
		    m->attempts, m->not_before, why, NULL, 0, now, cause) ? -1 : 0;
	}
	if ((when = deliver_defer(d, m, now)) > now) {
		s->deferred++;
		if (dry_run)
			return 0;
		return store_outbox_update(d->st, m->id, m->state, m->attempts,
		    when, m->last_error, NULL, 0, now, cause) ? -1 : 0;
	}
	if (job->ch->budget <= 0) {
		s->deferred++;
		return 0;
	}
	if (dry_run) {
		s->dry_run++;
		log_notice("dry run: would send %s to %s (%s)", m->dedup_key,
		    m->recipient, m->channel);
		return 0;
	}
	job->ch->budget--;
	return 1;
}

int
deliver_pass(struct deliver *d, int64_t now, int dry_run,
    const volatile sig_atomic_t *stop, struct deliver_stats *s, char **cause)
{
	struct due due = { 0 };
	struct deliver_job *job;
	size_t i;
	int rc = 0, go;

	if (channel_budget(d, &d->email, now, cause) != 0 ||
	    channel_budget(d, &d->sms, now, cause) != 0)
		return -1;
	if (store_outbox_due(d->st, NULL, now, d->cf->delivery.batch,
	    collect_due, &due, cause) != 0)
		return -1;
	for (i = 0; i < due.n; i++) {
		job = due.v[i];
		due.v[i] = NULL;
		go = rc == 0 && (stop == NULL || !*stop) ?
		    deliver_triage(d, job, now, dry_run, s, cause) : 0;
		if (go < 0)
			rc = -1;
		if (go != 1) {
			job_free(job);
			continue;
		}
		if (job->ch->be->finish != NULL)
			rc = deliver_wait(d, job->ch, job->ch->cc->connections,
			    stop, s, cause);
		if (rc == 0)
			rc = deliver_start(d, job, time(NULL), s, cause);
		else
			job_free(job);
	}
	if (deliver_wait(d, NULL, 0, stop, s, cause) != 0)
		rc = -1;
	free(due.v);
	return rc;
}

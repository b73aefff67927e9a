/* deliver_status.c - asking an SMS provider about what it was sent.
 *
 * SendSms is not idempotent: a message whose answer never came, or came
 * as a 5xx, may have been taken.  Its row is 'unknown', and this pass
 * asks the provider's status query (Aliyun QuerySendDetails, Tencent
 * PullSmsSendStatusByPhoneNumber) about it, status_interval_seconds
 * after the attempt and again five times that later.  A message the
 * provider reports on (accepted, delivered, failed) is never sent again;
 * only one it still does not know at the second query is (as a retry).
 * Aliyun lists a message as soon as it accepts it; Tencent only once the
 * carrier's report came, which normally takes seconds, so the second
 * query comes late enough for a report to have arrived.
 *
 * Sent messages are asked about too, for their delivery reports, until
 * the report comes or 48 hours have passed (the providers keep status
 * for a few days), unless the provider pushes its reports
 * (sms.report_push).  Queries are few (one per message, at increasing
 * intervals) and synchronous, at most STATUS_BATCH per pass, each bound
 * by sms.timeout_seconds. */
#include <stdlib.h>
#include <string.h>

#include "deliver_priv.h"
#include "log.h"
#include "store_lease.h"
#include "store_sms.h"

#define STATUS_BATCH 20
#define STATUS_WINDOW (48 * 3600)
#define STATUS_RESEND_AFTER 2	/* queries that did not know it */

struct status_rows {
	struct outbox_msg *v;
	size_t n, cap;
};

static int
collect_row(void *arg, const struct outbox_msg *m)
{
	struct status_rows *r = arg;

	if (r->n == r->cap) {
		r->cap = r->cap ? r->cap * 2 : 8;
		r->v = xreallocarray(r->v, r->cap, sizeof *r->v);
	}
	r->v[r->n++] = *m;
	memset((struct outbox_msg *)m, 0, sizeof *m); /* ownership moves */
	return 0;
}

static size_t
status_body(char *data, size_t size, size_t n, void *arg)
{
	struct buf *b = arg;

	if (b->len < 1024 * 1024)
		buf_add(b, data, size * n);
	return size * n;
}

/* Performs req (synchronously): the status, 0 when no answer. */
static long
status_fetch(const struct deliver_channel *ch, struct sms_gw_request *req,
    struct buf *body, char **cause)
{
	struct curl_slist *h = NULL;
	char errbuf[CURL_ERROR_SIZE] = "";
	long status = 0;
	CURL *e;
	size_t i;
	CURLcode rc;

	if ((e = curl_easy_init()) == NULL)
		return set_error(cause, "curl_easy_init failed"), 0;
	for (i = 0; i < req->nheaders; i++)
		h = curl_slist_append(h, req->headers[i]);
	curl_easy_setopt(e, CURLOPT_URL, req->url);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, errbuf);
#if LIBCURL_VERSION_NUM >= 0x075500
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
#else
	curl_easy_setopt(e, CURLOPT_PROTOCOLS, CURLPROTO_HTTP | CURLPROTO_HTTPS);
#endif
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT, 15L);
	curl_easy_setopt(e, CURLOPT_TIMEOUT, (long)ch->cc->timeout_seconds);
	curl_easy_setopt(e, CURLOPT_POSTFIELDS, req->body ? req->body : "");
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, status_body);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, body);
	if (ch->cc->ca_file != NULL)
		curl_easy_setopt(e, CURLOPT_CAINFO, ch->cc->ca_file);
	if ((rc = curl_easy_perform(e)) == CURLE_OK)
		curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status);
	else
		set_error(cause, "%s status query: %s", sms_provider_name(
		    ch->prov.kind), errbuf[0] ? errbuf : curl_easy_strerror(rc));
	curl_slist_free_all(h);
	curl_easy_cleanup(e);
	return status;
}

/* The provider's report on m, or -2 when it does not know m (-1 with
 * *cause when it could not be asked).  *detail and *pid malloc'd. */
static int
status_ask(struct deliver *d, const struct outbox_msg *m, int64_t now,
    char **detail, char **pid, char **cause)
{
	const struct deliver_channel *ch = &d->ch[CHANNEL_SMS];
	struct sms_provider_report *r = NULL;
	struct sms_gw_request req;
	struct buf body;
	char nonce[33];
	size_t n = 0, i;
	long status;
	int rc = -2;

	deliver_sms_nonce(nonce);
	if (sms_provider_query(&ch->prov, m->recipient, m->sent_at > 0 ?
	    m->sent_at : m->updated_at, now, nonce, &req, cause) != 0)
		return -1;
	buf_init(&body);
	status = status_fetch(ch, &req, &body, cause);
	sms_gw_request_free(&req);
	if (status == 0 || sms_provider_parse_query(&ch->prov, status,
	    body.data, body.len, &r, &n, cause) != 0) {
		buf_free(&body);
		return -1;
	}
	for (i = 0; i < n; i++) {
		if (r[i].id != m->id && (r[i].provider_id == NULL ||
		    m->provider_id == NULL || strcmp(r[i].provider_id,
		    m->provider_id) != 0))
			continue;
		/* The most telling report wins: final over pending. */
		if (rc == -2 || rc == -1 || r[i].delivered >= 0) {
			rc = r[i].delivered;
			free(*detail);
			free(*pid);
			*detail = xstrdup(r[i].detail);
			*pid = r[i].provider_id ? xstrdup(r[i].provider_id) : NULL;
		}
	}
	sms_provider_reports_free(r, n);
	buf_free(&body);
	return rc == -1 ? 2 : rc;	/* 2: known, no receipt yet */
}

/* When m's next query comes after `checks` of them. */
static int64_t
status_next_at(const struct deliver *d, const struct outbox_msg *m,
    int checks, int64_t now)
{
	int64_t iv = d->cf->sms.status_interval, base = m->state ==
	    OUTBOX_UNKNOWN ? m->updated_at : m->sent_at;
	int64_t at = base + (checks == 0 ? iv : checks == 1 ? 5 * iv :
	    checks == 2 ? 30 * iv : 120 * iv * (checks - 2));

	if (m->state != OUTBOX_UNKNOWN && at - base > STATUS_WINDOW)
		return 0;	/* the provider keeps no status that long */
	return at > now ? at : now + iv;
}

/* Asks about one message and records what the provider said. */
static void
status_settle(struct deliver *d, const struct outbox_msg *m, int64_t now)
{
	char *detail = NULL, *pid = NULL, *err = NULL;
	int rc, checks = m->status_checks;
	int64_t first = (m->state == OUTBOX_UNKNOWN ? m->updated_at :
	    m->sent_at) + d->cf->sms.status_interval;

	/* Retried by the admin meanwhile, or reports are pushed: none. */
	if ((m->state != OUTBOX_SENT && m->state != OUTBOX_UNKNOWN) ||
	    (m->state == OUTBOX_SENT && d->cf->sms.report_push)) {
		store_sms_status_next(d->st, m->id, 0, checks, NULL);
		return;
	}
	if (checks == 0 && now < first) {	/* just sent: not yet */
		store_sms_status_next(d->st, m->id, first, 0, NULL);
		return;
	}
	rc = status_ask(d, m, now, &detail, &pid, &err);
	if (rc == -1) {
		log_warn("%s: %s; asked again later", m->dedup_key, err);
		store_sms_status_next(d->st, m->id, now +
		    d->cf->sms.status_interval * 5, checks, NULL);
	} else if (rc == 0 || rc == 1) {
		store_sms_report(d->st, m->id, rc, detail, pid, now, NULL);
		log_info("%s: %s (%s)", m->dedup_key, rc ? "delivered" :
		    "not delivered", detail);
	} else if (rc == 2 || m->state != OUTBOX_UNKNOWN) {
		if (rc == 2 && m->state == OUTBOX_UNKNOWN) {
			log_notice("%s: the provider has it: sent, not sent "
			    "again", m->dedup_key);
			store_sms_report(d->st, m->id, -1, detail, pid, now, NULL);
		}
		store_sms_status_next(d->st, m->id, status_next_at(d, m,
		    checks + 1, now), checks + 1, NULL);
	} else if (checks + 1 >= STATUS_RESEND_AFTER) {
		log_notice("%s: the provider does not know it after %d status "
		    "queries: sent again", m->dedup_key, checks + 1);
		store_sms_resend(d->st, m->id, "the provider did not know it "
		    "(no answer to the first try): sent again", now, NULL);
	} else
		store_sms_status_next(d->st, m->id, status_next_at(d, m,
		    checks + 1, now), checks + 1, NULL);
	free(detail);
	free(pid);
	free(err);
}

void
deliver_status_pass(struct deliver *d, int64_t now)
{
	struct status_rows rows = { 0 };
	char *err = NULL;
	size_t i;

	if (!d->ch[CHANNEL_SMS].provider || (d->only && d->only_ch !=
	    CHANNEL_SMS))
		return;
	if (store_sms_status_due(d->st, now, STATUS_BATCH, collect_row, &rows,
	    &err) != 0) {
		log_warn("SMS status queries: %s", err);
		free(err);
		err = NULL;
	}
	/* Daemons sharing a store: one asks the provider at a time, so a
	 * message's status is not queried (nor sent again) by two. */
	if (rows.n > 0 && store_outbox_leased(d->st) && store_lease_take(d->st,
	    "sms_status", d->holder, now, d->cf->delivery.claim_lease, NULL,
	    &err) != 1) {
		if (err != NULL)
			log_warn("SMS status queries: %s", err);
		free(err);
		for (i = 0; i < rows.n; i++)
			outbox_msg_clear(&rows.v[i]);
		rows.n = 0;
	}
	for (i = 0; i < rows.n; i++) {
		status_settle(d, &rows.v[i], now);
		outbox_msg_clear(&rows.v[i]);
	}
	free(rows.v);
}

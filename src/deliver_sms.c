/* deliver_sms.c - SMS through an HTTP gateway (Kannel's sendsms or a
 * generic API; sms_gw.c builds the request and judges the answer) or a
 * provider of approved templates (Aliyun, Tencent; sms_provider.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "deliver_priv.h"
#include "tmpl_provider.h"

static size_t
sms_body(char *data, size_t size, size_t n, void *arg)
{
	struct deliver_job *job = arg;

	if (job->reply.len < 65536) /* the verdict needs only the start */
		buf_add(&job->reply, data, size * n);
	return size * n;
}

static size_t
sms_header(char *data, size_t size, size_t n, void *arg)
{
	struct deliver_job *job = arg;
	size_t len = size * n;

	if (len > 12 && strncasecmp(data, "Retry-After:", 12) == 0) {
		free(job->retry_after);
		job->retry_after = xstrndup(data + 12, len - 12);
		str_trim(job->retry_after);
	}
	return len;
}

void
deliver_sms_nonce(char out[33])
{
	unsigned char r[16];
	size_t k;

	if (token_random(r, sizeof r) != 0)
		memset(r, 0, sizeof r);	/* the time still differs */
	for (k = 0; k < sizeof r; k++)
		snprintf(out + 2 * k, 3, "%02x", r[k]);
}

/* The provider's SendSms for the template and values rendered into the
 * row, signed now with a fresh nonce. */
static int
provider_build(struct deliver_job *job, struct sms_gw_request *req,
    char **cause)
{
	struct sms_kv kv[TMPL_PROVIDER_MAX_PARAMS];
	struct tmpl_provider_req pr;
	struct sms_provider_msg msg = { 0 };
	char nonce[33];
	size_t i;
	int rc;

	if (tmpl_provider_req_parse(job->m.sms_request, &pr, cause) != 0)
		return -1;
	for (i = 0; i < pr.n && i < TMPL_PROVIDER_MAX_PARAMS; i++)
		kv[i] = (struct sms_kv){ pr.names[i], pr.values[i] };
	deliver_sms_nonce(nonce);
	msg.id = job->m.id;
	msg.to = job->m.recipient;
	msg.template_id = pr.template_id;
	msg.params = kv;
	msg.nparams = i;
	rc = sms_provider_send(&job->ch->prov, &msg, (int64_t)time(NULL),
	    nonce, req, cause);
	tmpl_provider_req_free(&pr);
	return rc;
}

/* Builds the gateway request: runs while other transfers are in flight. */
static void
sms_prepare(struct deliver *d, struct deliver_job *job)
{
	struct sms_gw_request req = { 0 };
	char *err = NULL;
	size_t i;
	int rc;

	(void)d;
	if (job->ch->provider)
		rc = provider_build(job, &req, &err);
	else
		rc = sms_gw_build(&job->ch->gw, job->m.id, job->m.recipient,
		    job->m.body, &req, &err);
	if (rc != 0) {
		deliver_job_verdict(job, DV_FAILED, "%s", err);
		free(err);
		return;
	}
	job->url = req.url;
	req.url = NULL;
	if ((job->post = strcmp(req.method, "POST") == 0)) {
		job->payload = req.body;
		req.body = NULL;
	}
	for (i = 0; i < req.nheaders; i++)
		job->headers = curl_slist_append(job->headers, req.headers[i]);
	sms_gw_request_free(&req);
}

static void
sms_start(struct deliver *d, struct deliver_job *job)
{
	CURL *e = job->easy;

	(void)d;
	curl_easy_setopt(e, CURLOPT_URL, job->url);
	deliver_job_protocols(job, "http,https");
	if (job->post) {
		curl_easy_setopt(e, CURLOPT_POSTFIELDS, job->payload);
		curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE,
		    (curl_off_t)strlen(job->payload));
	} else
		curl_easy_setopt(e, CURLOPT_HTTPGET, 1L);
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, job->headers);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, sms_body);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, job);
	curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, sms_header);
	curl_easy_setopt(e, CURLOPT_HEADERDATA, job);
	if (job->ch->cc->ca_file != NULL)
		curl_easy_setopt(e, CURLOPT_CAINFO, job->ch->cc->ca_file);
}

/* A provider's answer: an ambiguous one (no answer after the request
 * went out, a 5xx) is 'unknown', for the status query to settle. */
static void
provider_finish(struct deliver_job *job, CURLcode rc)
{
	struct sms_provider_result res;
	long status = 0, sent = 0;
	static const enum deliver_verdict map[] = {
		[SMS_PV_SENT] = DV_SENT, [SMS_PV_RETRY] = DV_RETRY,
		[SMS_PV_FAILED] = DV_FAILED, [SMS_PV_UNKNOWN] = DV_UNKNOWN,
	};

	if (rc == CURLE_OK)
		curl_easy_getinfo(job->easy, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_getinfo(job->easy, CURLINFO_REQUEST_SIZE, &sent);
	job->written = sent > 0;
	sms_provider_parse_send(&job->ch->prov, status, job->written,
	    job->reply.data ? job->reply.data : "", job->reply.len, &res);
	if (rc != CURLE_OK && res.verdict == SMS_PV_RETRY)
		deliver_job_transport_error(job, rc, NULL);
	else if (rc != CURLE_OK)
		deliver_job_verdict(job, DV_UNKNOWN, "%s: %s", res.error,
		    job->errbuf[0] ? job->errbuf : curl_easy_strerror(rc));
	else
		deliver_job_verdict(job, map[res.verdict], res.error ? "%s" :
		    NULL, res.error);
	job->retry_after_secs = res.retry_after;
	if (res.provider_id != NULL)
		job->provider_id = xstrdup(res.provider_id);
	sms_provider_result_free(&res);
}

static void
sms_finish(struct deliver *d, struct deliver_job *job, CURLcode rc)
{
	struct sms_gw_result res = { 0 };
	long status = 0;
	static const enum deliver_verdict map[] = {
		[SMS_GW_SENT] = DV_SENT, [SMS_GW_RETRY] = DV_RETRY,
		[SMS_GW_FAILED] = DV_FAILED,
	};

	(void)d;
	if (job->ch->provider) {
		provider_finish(job, rc);
		return;
	}
	if (rc == CURLE_OK)
		curl_easy_getinfo(job->easy, CURLINFO_RESPONSE_CODE, &status);
	sms_gw_parse(&job->ch->gw, status, job->retry_after, job->reply.data ?
	    job->reply.data : "", job->reply.len, time(NULL), &res);
	if (rc != CURLE_OK)
		deliver_job_transport_error(job, rc, NULL);
	else if (res.error != NULL)
		deliver_job_verdict(job, map[res.verdict], "%s", res.error);
	else
		deliver_job_verdict(job, map[res.verdict], NULL);
	job->retry_after_secs = res.retry_after;
	if (res.provider_id != NULL)
		job->provider_id = xstrdup(res.provider_id);
	sms_gw_result_free(&res);
}

const struct deliver_backend deliver_sms_backend = {
	"sms", 0, sms_prepare, NULL, sms_start, sms_finish,
};

/* httpd_sms.c - the status reports Aliyun and Tencent Cloud push:
 * POST /callbacks/aliyun/report and /callbacks/tencent/report, each a
 * JSON array of reports (Aliyun's SmsReport HTTP push, Tencent's status
 * callback).  The providers' servers call from the Internet, usually
 * through a reverse proxy, so unlike Kannel's callbacks these are not
 * loopback-only; they answer only with the callback secret (callback.h)
 * as their `secret` argument, which the admin puts in the push URL in
 * the provider's console.  Neither provider signs its pushes, so the
 * secret is all that stands between a caller and the outbox: keep the
 * URL to https.  A refused push counts against the address's write
 * rate, like a refused Kannel callback.
 *
 * A report names our message by the outbox id we sent as OutId or
 * SessionContext (or, failing that, by the provider's BizId or
 * SerialNo) and turns a sent or unknown SMS into 'delivered' or
 * 'undelivered'.  The answer is the one each provider expects:
 * {"code":0,"msg":"..."} for Aliyun, {"result":0,"errmsg":"OK"} for
 * Tencent; with a non-zero code the provider pushes again later, which
 * is asked for when a report comes before the SendSms answer was
 * recorded (the message is still 'sending'). */
#include <stdlib.h>
#include <string.h>

#include "callback.h"
#include "httpd_priv.h"
#include "log.h"
#include "sms_provider.h"
#include "json_read.h"
#include "store_sms.h"
#include "util.h"

static const char json_type[] = "application/json; charset=utf-8";

/* The provider's answer: ok, or a failure it will push again after. */
static enum MHD_Result
report_answer(struct httpd_req *r, int aliyun, unsigned status, int ok,
    const char *why)
{
	struct buf b;
	enum MHD_Result ret;

	buf_init(&b);
	if (aliyun)
		buf_printf(&b, "{\"code\":%d,\"msg\":", ok ? 0 : 1);
	else
		buf_printf(&b, "{\"result\":%d,\"errmsg\":", ok ? 0 : 1);
	json_read_quote(&b, why);
	buf_puts(&b, "}\n");
	ret = httpd_reply(r, status, json_type, b.data, NULL);
	buf_free(&b);
	return ret;
}

/* The secret, or 403 (429 once the address tried too often). */
static enum MHD_Result
report_allowed(struct httpd_req *r, int *answered)
{
	char *secret;
	enum MHD_Result ret;
	int ok;

	*answered = 1;
	if ((secret = httpd_callback_secret(r->h)) == NULL)
		return httpd_reply(r, MHD_HTTP_SERVICE_UNAVAILABLE,
		    "text/plain; charset=utf-8", "Service Unavailable\n", NULL);
	ok = callback_secret_equal(secret, httpd_arg(r, "secret", NULL));
	free(secret);
	if (ok) {
		*answered = 0;
		return MHD_YES;
	}
	if ((ret = httpd_rate_limit(r, answered)) != MHD_YES || *answered)
		return ret;
	*answered = 1;
	return httpd_reply(r, MHD_HTTP_FORBIDDEN, "text/plain; charset=utf-8",
	    "Forbidden\n", NULL);
}

/* Records one report: 1 it changed a row, 0 not ours, 2 its message is
 * still 'sending' (the SendSms answer is not recorded yet: the report
 * would be lost, so the provider is asked to push it again), -1 store
 * error. */
static int
report_apply(struct httpd_req *r, const struct sms_provider_report *rep,
    char **cause)
{
	int64_t id = rep->id;
	int rc;

	if (rep->delivered < 0)
		return 0;	/* accepted, no receipt yet: wait for it */
	if (id == 0 && rep->provider_id != NULL &&
	    (rc = store_sms_by_provider_id(r->st, rep->provider_id, &id,
	    cause)) != 1)
		return rc;
	if (id == 0)
		return 0;
	r->wrote = 1;
	if ((rc = store_sms_report(r->st, id, rep->delivered, rep->detail,
	    rep->provider_id, r->now, cause)) > 0)
		log_info("message %lld: %s", (long long)id, rep->delivered ?
		    "delivered" : rep->detail);
	else if (rc == 0 && (rc = store_sms_sending(r->st, id, cause)) == 1)
		rc = 2;
	return rc;
}

enum MHD_Result
httpd_route_sms_report(struct httpd_req *r, int aliyun)
{
	enum sms_provider_kind k = aliyun ? SMS_PROVIDER_ALIYUN :
	    SMS_PROVIDER_TENCENT;
	struct sms_provider_report *reps = NULL;
	char *cause = NULL;
	enum MHD_Result ret;
	size_t n = 0, i, mine = 0, later = 0;
	int rc = 0, answered;

	if ((ret = report_allowed(r, &answered)) != MHD_YES || answered)
		return ret;
	if (r->cf->sms.transport != (aliyun ? TRANSPORT_ALIYUN :
	    TRANSPORT_TENCENT))
		return httpd_not_found(r);
	if (sms_provider_parse_push(k, r->body, r->body_kept, &reps, &n,
	    &cause) != 0) {
		log_warn("http: %s status push: %s", sms_provider_name(k), cause);
		ret = report_answer(r, aliyun, MHD_HTTP_BAD_REQUEST, 0, cause);
		free(cause);
		return ret;
	}
	if (n > 0 && httpd_store(r) == NULL) {
		sms_provider_reports_free(reps, n);
		return httpd_unavailable(r, "SMS status push", NULL);
	}
	for (i = 0; i < n && rc >= 0; i++) {
		if ((rc = report_apply(r, &reps[i], &cause)) == 2)
			later++;
		if (rc > 0)
			mine++;
	}
	sms_provider_reports_free(reps, n);
	if (rc < 0)
		return httpd_unavailable(r, "SMS status push", cause);
	if (later > 0)
		return report_answer(r, aliyun, MHD_HTTP_OK, 0, "a message is "
		    "still being sent: push again later");
	if (mine < n)
		log_debug("http: %s status push: %zu of %zu reports are for no "
		    "message waiting for one", sms_provider_name(k), n - mine, n);
	return report_answer(r, aliyun, MHD_HTTP_OK, 1, aliyun ?
	    "\xe6\x88\x90\xe5\x8a\x9f" : "OK");	/* 成功 */
}

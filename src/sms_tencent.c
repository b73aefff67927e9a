/* sms_tencent.c - Tencent Cloud SMS (API 3.0, version 2021-01-11):
 * SendSms and PullSmsSendStatusByPhoneNumber, JSON POSTs signed with
 * TC3-HMAC-SHA256 over the content-type and host headers, and the meaning
 * of its codes.  Tencent refuses a request whose X-TC-Timestamp is more
 * than 5 minutes off its clock (AuthFailure.SignatureExpire). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json_read.h"
#include "sms_provider.h"

#define TENCENT_VERSION "2021-01-11"
#define TENCENT_CTYPE "application/json; charset=utf-8"

/* Signs the JSON body of action into req. */
static int
tencent_request(const struct sms_provider *p, const char *action,
    char *body, int64_t now, struct sms_gw_request *req, char **cause)
{
	char *base, *path, *host, *cr, *names, *sig, date[11];
	struct sms_kv h[2];

	if (sms_provider_endpoint(p, &base, &path, &host, cause) != 0) {
		free(body);
		return -1;
	}
	h[0] = (struct sms_kv){ "content-type", TENCENT_CTYPE };
	h[1] = (struct sms_kv){ "host", host };
	cr = sms_sign_canonical_request("POST", path, "", h, 2, body,
	    strlen(body), &names);
	sig = sms_sign_tc3(cr, now, "sms", p->secret);
	sms_sign_utc_date(now, date);
	req->method = xstrdup("POST");
	req->url = xasprintf("%s%s", base, path);
	req->log_url = xasprintf("%s%s (%s)", base, path, action);
	req->body = body;
	req->headers = xcalloc(8, sizeof *req->headers);
	req->headers[req->nheaders++] = xasprintf("Host: %s", host);
	req->headers[req->nheaders++] = xstrdup("Content-Type: " TENCENT_CTYPE);
	req->headers[req->nheaders++] = xasprintf("X-TC-Action: %s", action);
	req->headers[req->nheaders++] = xasprintf("X-TC-Timestamp: %lld",
	    (long long)now);
	req->headers[req->nheaders++] = xstrdup("X-TC-Version: "
	    TENCENT_VERSION);
	req->headers[req->nheaders++] = xasprintf("X-TC-Region: %s",
	    p->region != NULL ? p->region : SMS_TENCENT_REGION);
	req->headers[req->nheaders++] = xasprintf("Authorization: "
	    "TC3-HMAC-SHA256 Credential=%s/%s/sms/tc3_request, "
	    "SignedHeaders=%s, Signature=%s", p->key_id, date, names, sig);
	free(cr);
	free(names);
	free(sig);
	free(base);
	free(path);
	free(host);
	return 0;
}

/* "key":"value", with a comma before unless first. */
static void
put_member(struct buf *b, const char *key, const char *value, int first)
{
	if (!first)
		buf_addc(b, ',');
	json_read_quote(b, key);
	buf_addc(b, ':');
	json_read_quote(b, value);
}

int
sms_tencent_send(const struct sms_provider *p,
    const struct sms_provider_msg *m, int64_t now, const char *nonce,
    struct sms_gw_request *req, char **cause)
{
	struct buf b;
	char id[24];
	size_t i;

	(void)nonce;	/* API 3.0 signs the time, not a nonce */
	snprintf(id, sizeof id, "%lld", (long long)m->id);
	buf_init(&b);
	buf_puts(&b, "{\"PhoneNumberSet\":[");
	json_read_quote(&b, m->to);
	buf_puts(&b, "],");
	put_member(&b, "SmsSdkAppId", p->sdk_app_id, 1);
	put_member(&b, "SignName", p->sign_name, 0);
	put_member(&b, "TemplateId", m->template_id, 0);
	buf_puts(&b, ",\"TemplateParamSet\":[");
	for (i = 0; i < m->nparams; i++) {
		if (i > 0)
			buf_addc(&b, ',');
		json_read_quote(&b, m->params[i].value);
	}
	buf_addc(&b, ']');
	put_member(&b, "SessionContext", id, 0);
	buf_addc(&b, '}');
	return tencent_request(p, "SendSms", buf_detach(&b), now, req, cause);
}

int
sms_tencent_query(const struct sms_provider *p, const char *to,
    int64_t sent_at, int64_t now, const char *nonce,
    struct sms_gw_request *req, char **cause)
{
	struct buf b;

	(void)nonce;
	buf_init(&b);
	buf_printf(&b, "{\"BeginTime\":%lld,\"EndTime\":%lld,\"Offset\":0,"
	    "\"Limit\":100,", (long long)(sent_at - 300), (long long)now);
	put_member(&b, "PhoneNumber", to, 1);
	put_member(&b, "SmsSdkAppId", p->sdk_app_id, 0);
	buf_addc(&b, '}');
	return tencent_request(p, "PullSmsSendStatusByPhoneNumber",
	    buf_detach(&b), now, req, cause);
}

/* The wait a rate code implies, or 0 when code is none. */
static int
tencent_rate_wait(const char *code)
{
	static const struct { const char *code; int wait; } waits[] = {
		{ "LimitExceeded.PhoneNumberThirtySecondLimit", 30 },
		{ "LimitExceeded.PhoneNumberOneHourLimit", 3600 },
		{ "LimitExceeded.PhoneNumberDailyLimit", 86400 },
		{ "LimitExceeded.DeliveryFrequencyLimit", 3600 },
		{ "LimitExceeded.PhoneNumberSameContentDailyLimit", 86400 },
		{ "LimitExceeded.AppDailyLimit", 86400 },
		{ "LimitExceeded.AppCountryOrRegionDailyLimit", 86400 },
		{ "RequestLimitExceeded", 1 },
	};
	size_t i;

	for (i = 0; i < sizeof waits / sizeof waits[0]; i++)
		if (strncmp(code, waits[i].code, strlen(waits[i].code)) == 0)
			return waits[i].wait;
	return 0;
}

/* Internal errors that say the request itself was refused (signature,
 * clock, body): nothing was sent.  The others (Timeout, SendAndRecvFail,
 * UnknownError...) may hide an accepted message. */
static const char *const tencent_unsent_codes[] = {
	"InternalError.RequestTimeException", "InternalError.SigFieldMissing",
	"InternalError.SigVerificationFail", "InternalError.JsonParseFail",
	"InternalError.RestApiInterfaceNotExist", NULL
};

/* 1 when code is one of list. */
static int
code_in(const char *code, const char *const *list)
{
	for (; *list != NULL; list++)
		if (strcmp(code, *list) == 0)
			return 1;
	return 0;
}

void
sms_tencent_judge(const char *code, const char *message,
    struct sms_provider_result *res)
{
	int wait;

	res->retry_after = -1;
	if (strcmp(code, "Ok") == 0) {
		res->verdict = SMS_PV_SENT;
		return;
	}
	res->error = xasprintf("tencent %s: %s", code, message != NULL ?
	    message : "");
	if ((wait = tencent_rate_wait(code)) > 0) {
		res->verdict = SMS_PV_RETRY;
		res->retry_after = wait;
	} else if (strncmp(code, "AuthFailure", 11) == 0 ||
	    strncmp(code, "UnauthorizedOperation", 21) == 0 ||
	    strcmp(code, "FailedOperation.InsufficientBalanceInSmsPackage") ==
	    0 || strcmp(code, "FailedOperation.FailResolvePacket") == 0 ||
	    strcmp(code, "ResourceUnavailable") == 0)
		res->verdict = SMS_PV_RETRY;
	else if (code_in(code, tencent_unsent_codes))
		res->verdict = SMS_PV_RETRY;
	else if (strncmp(code, "InternalError", 13) == 0)
		res->verdict = SMS_PV_UNKNOWN;
	else
		res->verdict = SMS_PV_FAILED;
}

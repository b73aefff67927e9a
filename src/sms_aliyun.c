/* sms_aliyun.c - Aliyun SMS (dysmsapi, API version 2017-05-25): SendSms
 * and QuerySendDetails requests, signed with V3 (ACS3-HMAC-SHA256: the
 * parameters in the query, an empty body, the x-acs-* headers signed) or
 * with the RPC signature (HMAC-SHA1: every parameter in a form body), and
 * the meaning of its codes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "json_read.h"
#include "sms_provider.h"

#define ALIYUN_VERSION "2017-05-25"
#define ALIYUN_MAX_PARAMS 32

/* The number as Aliyun takes it: mainland numbers without +86, others
 * with their country code and no '+'. */
static const char *
aliyun_number(const char *to)
{
	if (strncmp(to, "+86", 3) == 0)
		return to + 3;
	return *to == '+' ? to + 1 : to;
}

/* TemplateParam: {"name":"value",...} in the template's order. */
static char *
aliyun_template_param(const struct sms_provider_msg *m)
{
	struct buf b;
	size_t i;

	buf_init(&b);
	buf_addc(&b, '{');
	for (i = 0; i < m->nparams; i++) {
		if (i > 0)
			buf_addc(&b, ',');
		json_read_quote(&b, m->params[i].key);
		buf_addc(&b, ':');
		json_read_quote(&b, m->params[i].value);
	}
	buf_addc(&b, '}');
	return buf_detach(&b);
}

/* Signs action's parameters kv (n of them, room for 9 more) into req. */
static int
aliyun_request(const struct sms_provider *p, const char *action,
    struct sms_kv *kv, size_t n, int64_t now, const char *nonce,
    struct sms_gw_request *req, char **cause)
{
	char *base, *path, *host, *query, *sig, *cr, *names, ts[21];
	char hash[65];
	struct sms_kv h[6];
	struct buf b;

	if (sms_provider_endpoint(p, &base, &path, &host, cause) != 0)
		return -1;
	sms_provider_iso8601(now, ts);
	req->method = xstrdup("POST");
	req->headers = xcalloc(8, sizeof *req->headers);
	buf_init(&b);
	if (p->sig == SMS_SIG_HMAC_SHA1) {
		kv[n++] = (struct sms_kv){ "AccessKeyId", p->key_id };
		kv[n++] = (struct sms_kv){ "Action", action };
		kv[n++] = (struct sms_kv){ "Format", "JSON" };
		kv[n++] = (struct sms_kv){ "RegionId", p->region != NULL ?
		    p->region : SMS_ALIYUN_REGION };
		kv[n++] = (struct sms_kv){ "SignatureMethod", "HMAC-SHA1" };
		kv[n++] = (struct sms_kv){ "SignatureNonce", nonce };
		kv[n++] = (struct sms_kv){ "SignatureVersion", "1.0" };
		kv[n++] = (struct sms_kv){ "Timestamp", ts };
		kv[n++] = (struct sms_kv){ "Version", ALIYUN_VERSION };
		sig = sms_sign_aliyun_rpc("POST", kv, n, p->secret);
		query = sms_sign_query(kv, n);
		buf_printf(&b, "%s&Signature=", query);
		sms_sign_encode(&b, sig);
		req->body = buf_detach(&b);
		req->url = xasprintf("%s%s", base, path);
		req->headers[req->nheaders++] = xstrdup("Content-Type: "
		    "application/x-www-form-urlencoded");
	} else {
		query = sms_sign_query(kv, n);
		sms_sign_sha256_hex("", 0, hash);
		h[0] = (struct sms_kv){ "host", host };
		h[1] = (struct sms_kv){ "x-acs-action", action };
		h[2] = (struct sms_kv){ "x-acs-content-sha256", hash };
		h[3] = (struct sms_kv){ "x-acs-date", ts };
		h[4] = (struct sms_kv){ "x-acs-signature-nonce", nonce };
		h[5] = (struct sms_kv){ "x-acs-version", ALIYUN_VERSION };
		cr = sms_sign_canonical_request("POST", path, query, h, 6, "",
		    0, &names);
		sig = sms_sign_acs3(cr, p->secret);
		req->url = xasprintf("%s%s?%s", base, path, query);
		req->body = xstrdup("");
		req->headers[req->nheaders++] = xasprintf("Host: %s", host);
		req->headers[req->nheaders++] = xasprintf("x-acs-action: %s",
		    action);
		req->headers[req->nheaders++] = xasprintf("x-acs-content-sha256:"
		    " %s", hash);
		req->headers[req->nheaders++] = xasprintf("x-acs-date: %s", ts);
		req->headers[req->nheaders++] = xasprintf("x-acs-signature-nonce:"
		    " %s", nonce);
		req->headers[req->nheaders++] = xasprintf("x-acs-version: %s",
		    ALIYUN_VERSION);
		req->headers[req->nheaders++] = xasprintf("Authorization: "
		    "ACS3-HMAC-SHA256 Credential=%s,SignedHeaders=%s,"
		    "Signature=%s", p->key_id, names, sig);
		free(cr);
		free(names);
	}
	req->log_url = xasprintf("%s%s (%s)", base, path, action);
	free(sig);
	free(query);
	free(base);
	free(path);
	free(host);
	return 0;
}

int
sms_aliyun_send(const struct sms_provider *p,
    const struct sms_provider_msg *m, int64_t now, const char *nonce,
    struct sms_gw_request *req, char **cause)
{
	struct sms_kv kv[16];
	char id[24], *param = NULL;
	size_t n = 0;
	int rc;

	snprintf(id, sizeof id, "%lld", (long long)m->id);
	kv[n++] = (struct sms_kv){ "OutId", id };
	kv[n++] = (struct sms_kv){ "PhoneNumbers", aliyun_number(m->to) };
	kv[n++] = (struct sms_kv){ "SignName", p->sign_name };
	kv[n++] = (struct sms_kv){ "TemplateCode", m->template_id };
	if (m->nparams > 0) {
		param = aliyun_template_param(m);
		kv[n++] = (struct sms_kv){ "TemplateParam", param };
	}
	rc = aliyun_request(p, "SendSms", kv, n, now, nonce, req, cause);
	free(param);
	return rc;
}

int
sms_aliyun_query(const struct sms_provider *p, const char *to,
    int64_t sent_at, int64_t now, const char *nonce,
    struct sms_gw_request *req, char **cause)
{
	struct sms_kv kv[16];
	char day[9];
	time_t t = (time_t)(sent_at + 8 * 3600);	/* China: UTC+8 */
	struct tm tm;
	size_t n = 0;

	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(day, sizeof day, "%Y%m%d", &tm) != 8)
		return set_error(cause, "bad send time %lld",
		    (long long)sent_at);
	kv[n++] = (struct sms_kv){ "CurrentPage", "1" };
	kv[n++] = (struct sms_kv){ "PageSize", "50" };
	kv[n++] = (struct sms_kv){ "PhoneNumber", aliyun_number(to) };
	kv[n++] = (struct sms_kv){ "SendDate", day };
	return aliyun_request(p, "QuerySendDetails", kv, n, now, nonce, req,
	    cause);
}

/* Codes about the account, the key or the clock: every message would
 * meet them, none was sent, so they wait for the admin (RETRY). */
static const char *const aliyun_config_codes[] = {
	"isv.AMOUNT_NOT_ENOUGH", "isv.OUT_OF_SERVICE", "isv.ACCOUNT_NOT_EXISTS",
	"isv.ACCOUNT_ABNORMAL", "isp.RAM_PERMISSION_DENY",
	"SignatureDoesNotMatch", "InvalidAccessKeyId.NotFound",
	"InvalidAccessKeyId.Inactive", "InvalidTimeStamp.Expired",
	"SignatureNonceUsed", "IncompleteSignature", "Forbidden.RAM",
	"MissingTimestamp", NULL
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
sms_aliyun_judge(const char *code, const char *message,
    struct sms_provider_result *res)
{
	res->retry_after = -1;
	if (strcmp(code, "OK") == 0) {
		res->verdict = SMS_PV_SENT;
		return;
	}
	res->error = xasprintf("aliyun %s: %s", code, message != NULL ?
	    message : "");
	if (strcmp(code, "isv.BUSINESS_LIMIT_CONTROL") == 0 ||
	    strcmp(code, "isv.DAY_LIMIT_CONTROL") == 0) {
		/* Frequency control per number: by default 1 a minute, 5 an
		 * hour, 10 a day; the message says which one bit. */
		res->verdict = SMS_PV_RETRY;
		res->retry_after = message != NULL && (strstr(message, "天级") ||
		    strstr(message, "day")) ? 86400 : message != NULL &&
		    (strstr(message, "小时级") || strstr(message, "hour")) ?
		    3600 : 60;
	} else if (strncmp(code, "Throttling", 10) == 0) {
		res->verdict = SMS_PV_RETRY;
		res->retry_after = 60;
	} else if (code_in(code, aliyun_config_codes))
		res->verdict = SMS_PV_RETRY;
	else if (strcmp(code, "isp.SYSTEM_ERROR") == 0 ||
	    strncmp(code, "InternalError", 13) == 0 ||
	    strcmp(code, "ServiceUnavailable") == 0)
		res->verdict = SMS_PV_UNKNOWN;
	else
		res->verdict = SMS_PV_FAILED;
}

/* sms_provider.c - what Aliyun and Tencent SMS share: the endpoint, the
 * answers read as JSON, status reports; sms_aliyun.c and sms_tencent.c
 * build the requests and know the codes. */
#include "sms_provider.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "json_read.h"

const char *
sms_provider_name(enum sms_provider_kind k)
{
	return k == SMS_PROVIDER_ALIYUN ? "aliyun" : "tencent";
}

void
sms_provider_iso8601(int64_t t, char out[21])
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (gmtime_r(&tt, &tm) == NULL ||
	    strftime(out, 21, "%Y-%m-%dT%H:%M:%SZ", &tm) != 20)
		memcpy(out, "1970-01-01T00:00:00Z", 21);
}

int
sms_provider_endpoint(const struct sms_provider *p, char **base,
    char **path, char **host, char **cause)
{
	const char *url = p->url != NULL ? p->url : p->kind ==
	    SMS_PROVIDER_ALIYUN ? SMS_ALIYUN_URL : SMS_TENCENT_URL;
	char *scheme = NULL, *h = NULL, *port = NULL, *pa = NULL;
	CURLU *u;
	int rc = -1;

	*base = *path = *host = NULL;
	if ((u = curl_url()) == NULL)
		abort();
	if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &h, 0) != CURLUE_OK)
		set_error(cause, "%s url does not parse as a URL",
		    sms_provider_name(p->kind));
	else if (strcmp(scheme, "http") != 0 && strcmp(scheme, "https") != 0)
		set_error(cause, "%s url must be http:// or https://",
		    sms_provider_name(p->kind));
	else {
		(void)curl_url_get(u, CURLUPART_PORT, &port, 0);
		(void)curl_url_get(u, CURLUPART_PATH, &pa, 0);
		*host = port != NULL ? xasprintf("%s:%s", h, port) :
		    xstrdup(h);
		*base = xasprintf("%s://%s", scheme, *host);
		*path = xstrdup(pa != NULL && *pa == '/' ? pa : "/");
		rc = 0;
	}
	curl_free(scheme);
	curl_free(h);
	curl_free(port);
	curl_free(pa);
	curl_url_cleanup(u);
	return rc;
}

/* At most max bytes of s, not cutting a UTF-8 character in two. */
static char *
copy_max(const char *s, size_t max)
{
	size_t n = strnlen(s, max + 1);

	if (n > max) {
		n = max;
		while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
			n--;
	}
	return xstrndup(s, n);
}

/* Printable ASCII without spaces: what ids and keys are made of. */
static int
token_ok(const char *s)
{
	if (str_empty(s))
		return 0;
	for (; *s != '\0'; s++)
		if (*s <= 0x20 || *s >= 0x7f)
			return 0;
	return 1;
}

int
sms_provider_check(const struct sms_provider *p, char **cause)
{
	const char *name = sms_provider_name(p->kind);
	char *base, *path, *host;

	if (sms_provider_endpoint(p, &base, &path, &host, cause) != 0)
		return -1;
	free(base);
	free(path);
	free(host);
	if (!token_ok(p->key_id))
		return set_error(cause, "the %s transport needs %s (printable, "
		    "no spaces)", name, p->kind == SMS_PROVIDER_ALIYUN ?
		    "access_key_id" : "secret_id");
	if (str_empty(p->sign_name))
		return set_error(cause, "the %s transport needs sign_name, the "
		    "approved signature", name);
	if (p->kind == SMS_PROVIDER_TENCENT && !token_ok(p->sdk_app_id))
		return set_error(cause, "the tencent transport needs "
		    "sdk_app_id (SmsSdkAppId)");
	if (p->region != NULL && !token_ok(p->region))
		return set_error(cause, "region must be printable, no spaces");
	return 0;
}

int
sms_provider_send(const struct sms_provider *p,
    const struct sms_provider_msg *m, int64_t now, const char *nonce,
    struct sms_gw_request *req, char **cause)
{
	int rc;

	memset(req, 0, sizeof *req);
	if (m->to == NULL || m->to[0] != '+' || strlen(m->to) < 4)
		return set_error(cause, "bad recipient \"%.32s\": want E.164 "
		    "with '+'", m->to != NULL ? m->to : "");
	if (str_empty(m->template_id))
		return set_error(cause, "no provider template id for this SMS");
	rc = p->kind == SMS_PROVIDER_ALIYUN ?
	    sms_aliyun_send(p, m, now, nonce, req, cause) :
	    sms_tencent_send(p, m, now, nonce, req, cause);
	if (rc != 0)
		sms_gw_request_free(req);
	return rc;
}

int
sms_provider_query(const struct sms_provider *p, const char *to,
    int64_t sent_at, int64_t now, const char *nonce,
    struct sms_gw_request *req, char **cause)
{
	int rc;

	memset(req, 0, sizeof *req);
	rc = p->kind == SMS_PROVIDER_ALIYUN ?
	    sms_aliyun_query(p, to, sent_at, now, nonce, req, cause) :
	    sms_tencent_query(p, to, sent_at, now, nonce, req, cause);
	if (rc != 0)
		sms_gw_request_free(req);
	return rc;
}

/* The code, message and id of a SendSms answer; the code NULL when the
 * answer is none of the provider's. */
static void
send_fields(enum sms_provider_kind k, const struct json_node *root,
    const char **code, const char **msg, const char **id)
{
	const struct json_node *r, *set, *e;

	*code = *msg = *id = NULL;
	if (k == SMS_PROVIDER_ALIYUN) {
		*code = json_read_text(root, "Code");
		*msg = json_read_text(root, "Message");
		*id = json_read_text(root, "BizId");
		return;
	}
	r = json_read_get(root, "Response");
	if ((e = json_read_get(r, "Error")) != NULL) {
		*code = json_read_text(e, "Code");
		*msg = json_read_text(e, "Message");
	} else if ((set = json_read_get(r, "SendStatusSet")) != NULL &&
	    set->type == JSON_ARRAY && set->nkids > 0) {
		*code = json_read_text(set->kids[0], "Code");
		*msg = json_read_text(set->kids[0], "Message");
		*id = json_read_text(set->kids[0], "SerialNo");
	}
}

void
sms_provider_parse_send(const struct sms_provider *p, long status,
    int written, const char *body, size_t len,
    struct sms_provider_result *res)
{
	const char *name = sms_provider_name(p->kind), *code, *msg, *id;
	struct json_node *root;

	memset(res, 0, sizeof *res);
	res->retry_after = -1;
	if (status <= 0) {
		res->verdict = written ? SMS_PV_UNKNOWN : SMS_PV_RETRY;
		res->error = xasprintf("no answer from %s%s", name, written ?
		    " after the request was sent: it may have been accepted" :
		    "");
		return;
	}
	root = json_read_parse(body, len, NULL);
	send_fields(p->kind, root, &code, &msg, &id);
	if (code != NULL) {
		if (p->kind == SMS_PROVIDER_ALIYUN)
			sms_aliyun_judge(code, msg, res);
		else
			sms_tencent_judge(code, msg, res);
		if (res->verdict == SMS_PV_SENT && id != NULL)
			res->provider_id = copy_max(id, 128);
	} else if (status == 429) {
		res->verdict = SMS_PV_RETRY;
		res->retry_after = 60;
	} else if (status >= 400 && status < 500)
		res->verdict = SMS_PV_RETRY;	/* not the provider: nothing sent */
	else
		res->verdict = SMS_PV_UNKNOWN;	/* 5xx, or a 2xx not understood */
	if (code == NULL)
		res->error = xasprintf("HTTP %ld from %s without the provider's "
		    "answer%s", status, name, res->verdict == SMS_PV_UNKNOWN ?
		    ": it may have been accepted" : "");
	json_read_free(root);
}

void
sms_provider_result_free(struct sms_provider_result *r)
{
	if (r == NULL)
		return;
	free(r->provider_id);
	free(r->error);
	memset(r, 0, sizeof *r);
}

/* Our outbox id from an OutId or SessionContext, 0 when it is none. */
static int64_t
report_id(const char *s)
{
	size_t n;

	if (s == NULL || (n = strspn(s, "0123456789")) == 0 || n > 18 ||
	    s[n] != '\0')
		return 0;
	return strtoll(s, NULL, 10);
}

/* Appends one report. */
static void
report_add(struct sms_provider_report **v, size_t *n, const char *id,
    const char *pid, int delivered, const char *detail)
{
	struct sms_provider_report *r;

	*v = xreallocarray(*v, *n + 1, sizeof **v);
	r = &(*v)[(*n)++];
	r->id = report_id(id);
	r->provider_id = pid != NULL ? copy_max(pid, 128) : NULL;
	r->delivered = delivered;
	r->detail = copy_max(detail, SMS_GW_ERROR_MAX);
}

/* A report from an Aliyun QuerySendDetails entry or SmsReport push. */
static void
aliyun_report(const struct json_node *e, int push,
    struct sms_provider_report **v, size_t *n)
{
	const char *st = json_read_text(e, push ? "err_code" : "SendStatus");
	const struct json_node *ok = json_read_get(e, "success");
	const char *err = json_read_text(e, push ? "err_code" : "ErrCode");
	const char *words = json_read_text(e, "err_msg");
	char *detail;
	int d;

	if (push)
		d = ok != NULL && ok->type == JSON_BOOL ?
		    strcmp(ok->text, "true") == 0 : 0;
	else
		d = st == NULL ? -1 : strcmp(st, "3") == 0 ? 1 :
		    strcmp(st, "2") == 0 ? 0 : -1;
	detail = xasprintf("aliyun %s%s%s", err != NULL ? err : "?",
	    words != NULL ? ": " : "", words != NULL ? words : "");
	report_add(v, n, json_read_text(e, push ? "out_id" : "OutId"),
	    json_read_text(e, push ? "biz_id" : "BizId"), d, detail);
	free(detail);
}

/* A report from a Tencent status pull entry or status callback. */
static void
tencent_report(const struct json_node *e, int push,
    struct sms_provider_report **v, size_t *n)
{
	const char *st = json_read_text(e, push ? "report_status" :
	    "ReportStatus");
	const char *words = json_read_text(e, push ? "description" :
	    "Description");
	const char *err = push ? json_read_text(e, "errmsg") : NULL;
	int d = st == NULL ? -1 : strcmp(st, "SUCCESS") == 0 ? 1 :
	    strcmp(st, "FAIL") == 0 ? 0 : -1;
	struct buf b;
	char *detail;

	buf_init(&b);
	buf_printf(&b, "tencent %s", st != NULL ? st : "?");
	if (err != NULL)
		buf_printf(&b, " %s", err);
	if (words != NULL)
		buf_printf(&b, ": %s", words);
	detail = buf_detach(&b);
	report_add(v, n, json_read_text(e, push ? "ext" : "SessionContext"),
	    json_read_text(e, push ? "sid" : "SerialNo"), d, detail);
	free(detail);
}

/* The list of entries in a status answer (*list NULL for none): 0, or
 * -1 with *cause when the answer is an error. */
static int
query_entries(const struct sms_provider *p, const struct json_node *root,
    const struct json_node **list, char **cause)
{
	const struct json_node *r, *e;
	const char *code;

	if (p->kind == SMS_PROVIDER_ALIYUN) {
		if ((code = json_read_text(root, "Code")) == NULL ||
		    strcmp(code, "OK") != 0) {
			return set_error(cause, "aliyun QuerySendDetails: %s: %s",
			    code != NULL ? code : "no Code",
			    json_read_text(root, "Message") ?
			    json_read_text(root, "Message") : "");
		}
		*list = json_read_get(json_read_get(root, "SmsSendDetailDTOs"),
		    "SmsSendDetailDTO");
	} else {
		r = json_read_get(root, "Response");
		if ((e = json_read_get(r, "Error")) != NULL || r == NULL) {
			return set_error(cause, "tencent "
			    "PullSmsSendStatusByPhoneNumber: %s: %s",
			    json_read_text(e, "Code") ? json_read_text(e,
			    "Code") : "no Response", json_read_text(e,
			    "Message") ? json_read_text(e, "Message") : "");
		}
		*list = json_read_get(r, "PullSmsSendStatusSet");
	}
	return 0;
}

int
sms_provider_parse_query(const struct sms_provider *p, long status,
    const char *body, size_t len, struct sms_provider_report **out,
    size_t *n, char **cause)
{
	const struct json_node *list = NULL;
	struct json_node *root;
	char *why = NULL;
	size_t i;

	*out = NULL;
	*n = 0;
	if ((root = json_read_parse(body, len, &why)) == NULL) {
		set_error(cause, "%s status query: HTTP %ld, not JSON (%s)",
		    sms_provider_name(p->kind), status, why);
		free(why);
		return -1;
	}
	if (query_entries(p, root, &list, cause) != 0) {
		json_read_free(root);
		return -1;
	}
	for (i = 0; list != NULL && list->type == JSON_ARRAY &&
	    i < list->nkids; i++) {
		if (p->kind == SMS_PROVIDER_ALIYUN)
			aliyun_report(list->kids[i], 0, out, n);
		else
			tencent_report(list->kids[i], 0, out, n);
	}
	json_read_free(root);
	return 0;
}

int
sms_provider_parse_push(enum sms_provider_kind k, const char *body,
    size_t len, struct sms_provider_report **out, size_t *n, char **cause)
{
	struct json_node *root;
	char *why = NULL;
	size_t i;

	*out = NULL;
	*n = 0;
	if ((root = json_read_parse(body, len, &why)) == NULL) {
		set_error(cause, "%s status push is not JSON: %s",
		    sms_provider_name(k), why);
		free(why);
		return -1;
	}
	if (root->type != JSON_ARRAY) {
		json_read_free(root);
		return set_error(cause, "%s status push is not a JSON array",
		    sms_provider_name(k));
	}
	for (i = 0; i < root->nkids; i++) {
		if (k == SMS_PROVIDER_ALIYUN)
			aliyun_report(root->kids[i], 1, out, n);
		else
			tencent_report(root->kids[i], 1, out, n);
	}
	json_read_free(root);
	return 0;
}

void
sms_provider_reports_free(struct sms_provider_report *r, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(r[i].provider_id);
		free(r[i].detail);
	}
	free(r);
}

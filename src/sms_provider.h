/* sms_provider.h - the cloud SMS providers that send only approved
 * templates: Aliyun (SendSms, API 2017-05-25) and Tencent Cloud (SendSms,
 * API 2021-01-11).  Like sms_gw.h, without any network I/O: requests are
 * built and signed here (sms_sign.h), the caller performs them, and the
 * answers are judged here.
 *
 * A message is the provider's template id and its parameters, in order;
 * outreachd's outbox id travels with it (Aliyun OutId, Tencent
 * SessionContext) so that a status report or query can name it.
 *
 * Verdicts.  SendSms is not idempotent (Aliyun says so in its SendSms
 * documentation), so an answer that may hide an accepted message is
 * UNKNOWN, never RETRY: no answer after the request was written, a 5xx,
 * Aliyun isp.SYSTEM_ERROR, Tencent InternalError.*, an answer that cannot
 * be read.  The caller asks the status query before sending again.
 * Refusals that say nothing was sent are RETRY when they are about the
 * account, the credentials, the clock or a rate (the configuration's or
 * the moment's fault, so every message would fail alike: throttling and
 * frequency control with the wait the code implies), and FAILED when they
 * are about the message (template, sign name, parameters, number,
 * content), with the provider's code and message kept in error.
 *
 * Status: the providers' status queries (Aliyun QuerySendDetails, Tencent
 * PullSmsSendStatusByPhoneNumber) and pushes (Aliyun SmsReport, Tencent's
 * status callback) become reports naming the outbox id. */
#ifndef OUTREACHD_SMS_PROVIDER_H
#define OUTREACHD_SMS_PROVIDER_H

#include <stddef.h>
#include <stdint.h>

#include "sms_gw.h"
#include "sms_sign.h"

enum sms_provider_kind { SMS_PROVIDER_ALIYUN, SMS_PROVIDER_TENCENT };
/* Aliyun's two signatures: V3 (ACS3-HMAC-SHA256) or RPC HMAC-SHA1. */
enum sms_provider_sig { SMS_SIG_ACS3, SMS_SIG_HMAC_SHA1 };

#define SMS_ALIYUN_URL "https://dysmsapi.aliyuncs.com/"
#define SMS_TENCENT_URL "https://sms.tencentcloudapi.com/"
#define SMS_ALIYUN_REGION "cn-hangzhou"
#define SMS_TENCENT_REGION "ap-guangzhou"

/* Filled from the configuration by the caller; borrowed. */
struct sms_provider {
	enum sms_provider_kind kind;
	const char *url;	/* http(s)://host[:port]/, NULL = public */
	const char *key_id;	/* AccessKey id / SecretId */
	const char *secret;	/* AccessKey secret / SecretKey */
	const char *sign_name;
	const char *sdk_app_id;	/* Tencent */
	const char *region;	/* NULL = the default above */
	enum sms_provider_sig sig; /* Aliyun */
};

/* One message.  Borrowed. */
struct sms_provider_msg {
	int64_t id;		/* outbox id */
	const char *to;		/* E.164, "+8613800138000" */
	const char *template_id;
	const struct sms_kv *params; /* names and values, in order */
	size_t nparams;
};

enum sms_provider_verdict { SMS_PV_SENT, SMS_PV_RETRY, SMS_PV_FAILED,
	SMS_PV_UNKNOWN };

/* Owned; sms_provider_result_free(). */
struct sms_provider_result {
	enum sms_provider_verdict verdict;
	char *provider_id;	/* SENT: Aliyun BizId, Tencent SerialNo */
	char *error;		/* "aliyun isv.X: message", NULL for SENT */
	int retry_after;	/* RETRY: seconds, -1 = the usual backoff */
};

/* A delivery report, from a status query or a push.  Owned. */
struct sms_provider_report {
	int64_t id;		/* outbox id, 0 = not one of ours */
	char *provider_id;	/* BizId / SerialNo, or NULL */
	int delivered;		/* 1 delivered, 0 failed, -1 accepted and
				   waiting for the handset's receipt */
	char *detail;		/* the provider's code and words */
};

/* "aliyun" or "tencent". */
const char *sms_provider_name(enum sms_provider_kind k);
/* Checks the settings once, at load time (url, key id, sign name, app
 * id).  0, or -1 with *cause. */
int sms_provider_check(const struct sms_provider *p, char **cause);
/* The SendSms request for m, signed at now with nonce (unique per
 * request).  0, or -1 with *cause and *req zeroed. */
int sms_provider_send(const struct sms_provider *p,
    const struct sms_provider_msg *m, int64_t now, const char *nonce,
    struct sms_gw_request *req, char **cause);
/* Judges a SendSms answer: status 0 = none; written says whether the
 * request went out (all of it, or enough for the provider to act on). */
void sms_provider_parse_send(const struct sms_provider *p, long status,
    int written, const char *body, size_t len,
    struct sms_provider_result *res);
void sms_provider_result_free(struct sms_provider_result *r);
/* The status query for messages to `to` sent at sent_at (Aliyun: that
 * day in China; Tencent: sent_at - 5 min .. now). */
int sms_provider_query(const struct sms_provider *p, const char *to,
    int64_t sent_at, int64_t now, const char *nonce,
    struct sms_gw_request *req, char **cause);
/* The reports in a status query's answer (*out malloc'd, *n of them).
 * 0, or -1 with *cause when the answer is an error. */
int sms_provider_parse_query(const struct sms_provider *p, long status,
    const char *body, size_t len, struct sms_provider_report **out,
    size_t *n, char **cause);
/* The reports of a push (the JSON array either provider posts). */
int sms_provider_parse_push(enum sms_provider_kind k, const char *body,
    size_t len, struct sms_provider_report **out, size_t *n, char **cause);
void sms_provider_reports_free(struct sms_provider_report *r, size_t n);

/* The endpoint of p: *base "scheme://host[:port]" and *path (at least
 * "/") of its url, *host "host[:port]" as the Host header carries it.
 * 0, or -1 with *cause. */
int sms_provider_endpoint(const struct sms_provider *p, char **base,
    char **path, char **host, char **cause);
/* "YYYY-MM-DDTHH:MM:SSZ" of t, for Aliyun's timestamps. */
void sms_provider_iso8601(int64_t t, char out[21]);

/* What sms_aliyun.c and sms_tencent.c provide to sms_provider.c. */
int sms_aliyun_send(const struct sms_provider *p,
    const struct sms_provider_msg *m, int64_t now, const char *nonce,
    struct sms_gw_request *req, char **cause);
void sms_aliyun_judge(const char *code, const char *message,
    struct sms_provider_result *res);
int sms_aliyun_query(const struct sms_provider *p, const char *to,
    int64_t sent_at, int64_t now, const char *nonce,
    struct sms_gw_request *req, char **cause);
int sms_tencent_send(const struct sms_provider *p,
    const struct sms_provider_msg *m, int64_t now, const char *nonce,
    struct sms_gw_request *req, char **cause);
void sms_tencent_judge(const char *code, const char *message,
    struct sms_provider_result *res);
int sms_tencent_query(const struct sms_provider *p, const char *to,
    int64_t sent_at, int64_t now, const char *nonce,
    struct sms_gw_request *req, char **cause);

#endif

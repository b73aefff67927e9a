/* test_sms_sign.c - the providers' signers against their published worked
 * examples, and the Aliyun and Tencent requests and verdicts built on
 * them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "json_read.h"
#include "sms_provider.h"
#include "sms_sign.h"
#include "util.h"

/* 阿里云短信测试专用: the sign name of Aliyun's SMS signature example. */
#define ALIYUN_TEST_SIGN "\xe9\x98\xbf\xe9\x87\x8c\xe4\xba\x91\xe7\x9f\xad" \
	"\xe4\xbf\xa1\xe6\xb5\x8b\xe8\xaf\x95\xe4\xb8\x93\xe7\x94\xa8"
#define ZHANG "\xe5\xbc\xa0\xe6\x80\xbb" /* 张总 */

/* Aliyun SMS documentation, "HTTP protocol and signature": SendSms with
 * AccessKeyId testId and secret testSecret signs to zJDF+... */
static void
test_aliyun_rpc_sms_example(void **state)
{
	struct sms_kv kv[] = {
		{ "AccessKeyId", "testId" }, { "Action", "SendSms" },
		{ "Format", "XML" }, { "OutId", "123" },
		{ "PhoneNumbers", "15300000001" }, { "RegionId", "cn-hangzhou" },
		{ "SignName", ALIYUN_TEST_SIGN },
		{ "SignatureMethod", "HMAC-SHA1" },
		{ "SignatureNonce", "45e25e9b-0a6f-4070-8c85-2956eda1b466" },
		{ "SignatureVersion", "1.0" },
		{ "TemplateCode", "SMS_71390007" },
		{ "TemplateParam", "{\"customer\":\"test\"}" },
		{ "Timestamp", "2017-07-12T02:42:19Z" },
		{ "Version", "2017-05-25" },
	};
	char *sig;

	(void)state;
	/* Any order in: the signer sorts. */
	struct sms_kv t = kv[0];
	kv[0] = kv[13];
	kv[13] = t;
	sig = sms_sign_aliyun_rpc("GET", kv, ARRAY_SIZE(kv), "testSecret");
	assert_string_equal(sig, "zJDF+Lrzhj/ThnlvIToysFRq6t4=");
	free(sig);
}

/* Aliyun RPC signature documentation: DescribeRegions, testid and
 * testsecret. */
static void
test_aliyun_rpc_describe_regions(void **state)
{
	struct sms_kv kv[] = {
		{ "Format", "XML" }, { "AccessKeyId", "testid" },
		{ "Action", "DescribeRegions" },
		{ "SignatureMethod", "HMAC-SHA1" },
		{ "SignatureNonce", "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf" },
		{ "SignatureVersion", "1.0" }, { "Version", "2014-05-26" },
		{ "Timestamp", "2016-02-23T12:46:24Z" },
	};
	char *sig;

	(void)state;
	sig = sms_sign_aliyun_rpc("GET", kv, ARRAY_SIZE(kv), "testsecret");
	assert_string_equal(sig, "OLeaidS1JvxuMvnyHOwuJ+uX5qY=");
	free(sig);
}

/* Aliyun "V3 request structure and signature": RunInstances on
 * ecs.cn-shanghai.aliyuncs.com. */
static void
test_aliyun_acs3_example(void **state)
{
	struct sms_kv q[] = {
		{ "RegionId", "cn-shanghai" },
		{ "ImageId", "win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd" },
	};
	struct sms_kv h[] = {
		{ "x-acs-version", "2014-05-26" },
		{ "host", "ecs.cn-shanghai.aliyuncs.com" },
		{ "x-acs-action", "RunInstances" },
		{ "x-acs-content-sha256", "e3b0c44298fc1c149afbf4c8996fb92427ae4"
		  "1e4649b934ca495991b7852b855" },
		{ "x-acs-date", "2023-10-26T10:22:32Z" },
		{ "x-acs-signature-nonce", "3156853299f313e23d1673dc12e1703d" },
	};
	char *query, *cr, *names, *sig, hash[65];

	(void)state;
	query = sms_sign_query(q, 2);
	assert_string_equal(query, "ImageId=win2019_1809_x64_dtc_zh-cn_40G_"
	    "alibase_20230811.vhd&RegionId=cn-shanghai");
	cr = sms_sign_canonical_request("POST", "/", query, h, ARRAY_SIZE(h),
	    "", 0, &names);
	assert_string_equal(names, "host;x-acs-action;x-acs-content-sha256;"
	    "x-acs-date;x-acs-signature-nonce;x-acs-version");
	sms_sign_sha256_hex(cr, strlen(cr), hash);
	assert_string_equal(hash, "7ea06492da5221eba5297e897ce16e55f9640610"
	    "54b7695beedaac1145b1e259");
	sig = sms_sign_acs3(cr, "YourAccessKeySecret");
	assert_string_equal(sig, "06563a9e1b43f5dfe96b81484da74bceab24a1d853"
	    "912eee15083a6f0f3283c0");
	free(query);
	free(cr);
	free(names);
	free(sig);
}

/* Tencent Cloud API 3.0 "Signature v3": DescribeInstances on
 * cvm.tencentcloudapi.com at 1551113065. */
static void
test_tencent_tc3_example(void **state)
{
	static const char payload[] = "{\"Limit\": 1, \"Filters\": [{\"Values\":"
	    " [\"\\u672a\\u547d\\u540d\"], \"Name\": \"instance-name\"}]}";
	struct sms_kv h[] = {
		{ "host", "cvm.tencentcloudapi.com" },
		{ "content-type", "application/json; charset=utf-8" },
	};
	char *cr, *names, *sig, hash[65], date[11];

	(void)state;
	cr = sms_sign_canonical_request("POST", "/", "", h, 2, payload,
	    strlen(payload), &names);
	assert_string_equal(names, "content-type;host");
	assert_string_equal(cr, "POST\n/\n\ncontent-type:application/json; "
	    "charset=utf-8\nhost:cvm.tencentcloudapi.com\n\ncontent-type;host\n"
	    "35e9c5b0e3ae67532d3c9f17ead6c90222632e5b1ff7f6e89887f1398934f064");
	sms_sign_sha256_hex(cr, strlen(cr), hash);
	assert_string_equal(hash, "5ffe6a04c0664d6b969fab9a13bdab201d63ee70"
	    "9638e2749d62a09ca18d7031");
	sms_sign_utc_date(1551113065, date);
	assert_string_equal(date, "2019-02-25");
	sig = sms_sign_tc3(cr, 1551113065, "cvm",
	    "Gu5t9xGARNpq86cd98joQYCN3*******");
	assert_string_equal(sig, "2230eefd229f582d8b1b891af7107b91597240707d"
	    "778ab3738f756258d7652c");
	free(cr);
	free(names);
	free(sig);
}

static void
test_encode(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b);
	sms_sign_encode(&b, "a b*~/=&+\xe6\xb4\xbe");
	assert_string_equal(b.data, "a%20b%2A~%2F%3D%26%2B%E6%B4%BE");
	buf_free(&b);
}

/* The header of a request named name, or NULL. */
static const char *
header(const struct sms_gw_request *req, const char *name)
{
	size_t i, n = strlen(name);

	for (i = 0; i < req->nheaders; i++)
		if (strncmp(req->headers[i], name, n) == 0 &&
		    req->headers[i][n] == ':')
			return req->headers[i] + n + 2;
	return NULL;
}

static const struct sms_kv params[] = { { "name", ZHANG } };

/* The SMS example again, as sms_aliyun.c builds it (form POST). */
static void
test_aliyun_send_rpc(void **state)
{
	struct sms_provider p = { SMS_PROVIDER_ALIYUN,
		"http://127.0.0.1:9/", "testId", "testSecret", "Acme", NULL, NULL,
		SMS_SIG_HMAC_SHA1 };
	struct sms_provider_msg m = { 42, "+8613800138000", "SMS_153055065",
		params, 1 };
	struct sms_gw_request req;

	(void)state;
	assert_int_equal(sms_provider_send(&p, &m, 1499827339,
	    "45e25e9b-0a6f-4070-8c85-2956eda1b466", &req, NULL), 0);
	assert_string_equal(req.method, "POST");
	assert_string_equal(req.url, "http://127.0.0.1:9/");
	assert_non_null(strstr(req.body, "&OutId=42&PhoneNumbers=13800138000&"));
	assert_non_null(strstr(req.body, "TemplateParam=%7B%22name%22%3A%22"
	    "%E5%BC%A0%E6%80%BB%22%7D&Timestamp=2017-07-12T02%3A42%3A19Z"));
	assert_non_null(strstr(req.body, "&Signature="));
	assert_null(strstr(req.log_url, "testSecret"));
	sms_gw_request_free(&req);
}

/* V3: the parameters in the query, signed headers, Authorization. */
static void
test_aliyun_send_acs3(void **state)
{
	struct sms_provider p = { SMS_PROVIDER_ALIYUN,
		"http://127.0.0.1:8080", "LTAI5t", "s3cret", "Acme", NULL, NULL,
		SMS_SIG_ACS3 };
	struct sms_provider_msg m = { 7, "+85261234567", "SMS_1", params, 1 };
	struct sms_gw_request req;
	const char *auth;

	(void)state;
	assert_int_equal(sms_provider_send(&p, &m, 1700000000, "n-1", &req,
	    NULL), 0);
	assert_string_equal(req.url, "http://127.0.0.1:8080/?OutId=7&"
	    "PhoneNumbers=85261234567&SignName=Acme&TemplateCode=SMS_1&"
	    "TemplateParam=%7B%22name%22%3A%22%E5%BC%A0%E6%80%BB%22%7D");
	assert_string_equal(header(&req, "Host"), "127.0.0.1:8080");
	assert_string_equal(header(&req, "x-acs-date"), "2023-11-14T22:13:20Z");
	auth = header(&req, "Authorization");
	assert_non_null(auth);
	assert_int_equal(strncmp(auth, "ACS3-HMAC-SHA256 Credential=LTAI5t,"
	    "SignedHeaders=host;x-acs-action;x-acs-content-sha256;x-acs-date;"
	    "x-acs-signature-nonce;x-acs-version,Signature=", 120), 0);
	sms_gw_request_free(&req);
}

static void
test_tencent_send(void **state)
{
	struct sms_provider p = { SMS_PROVIDER_TENCENT,
		"http://127.0.0.1:8081/", "AKIDx", "key", "Acme", "1400006666",
		NULL, SMS_SIG_ACS3 };
	static const struct sms_kv two[] = { { "1", ZHANG }, { "2", "5" } };
	struct sms_provider_msg m = { 9, "+8613800138000", "1110", two, 2 };
	struct sms_gw_request req;

	(void)state;
	assert_int_equal(sms_provider_send(&p, &m, 1551113065, "", &req,
	    NULL), 0);
	assert_string_equal(req.body, "{\"PhoneNumberSet\":[\"+8613800138000\"]"
	    ",\"SmsSdkAppId\":\"1400006666\",\"SignName\":\"Acme\",\"TemplateId\""
	    ":\"1110\",\"TemplateParamSet\":[\"" ZHANG "\",\"5\"],"
	    "\"SessionContext\":\"9\"}");
	assert_string_equal(header(&req, "X-TC-Action"), "SendSms");
	assert_string_equal(header(&req, "X-TC-Version"), "2021-01-11");
	assert_string_equal(header(&req, "X-TC-Region"), "ap-guangzhou");
	assert_string_equal(header(&req, "X-TC-Timestamp"), "1551113065");
	assert_int_equal(strncmp(header(&req, "Authorization"), "TC3-HMAC-"
	    "SHA256 Credential=AKIDx/2019-02-25/sms/tc3_request, SignedHeaders="
	    "content-type;host, Signature=", 93), 0);
	sms_gw_request_free(&req);
}

/* The verdict of one answer. */
static enum sms_provider_verdict
verdict(enum sms_provider_kind k, long status, int written, const char *body,
    int *retry_after, char **id)
{
	struct sms_provider p = { .kind = k };
	struct sms_provider_result r;
	enum sms_provider_verdict v;

	sms_provider_parse_send(&p, status, written, body, body ?
	    strlen(body) : 0, &r);
	v = r.verdict;
	if (retry_after != NULL)
		*retry_after = r.retry_after;
	if (id != NULL)
		*id = r.provider_id ? xstrdup(r.provider_id) : NULL;
	if (v != SMS_PV_SENT)
		assert_non_null(r.error);
	sms_provider_result_free(&r);
	return v;
}

static void
test_verdicts(void **state)
{
	char *id = NULL;
	int ra;

	(void)state;
	assert_int_equal(verdict(SMS_PROVIDER_ALIYUN, 200, 1, "{\"Message\":"
	    "\"OK\",\"RequestId\":\"r\",\"BizId\":\"900619746936498440^0\","
	    "\"Code\":\"OK\"}", NULL, &id), SMS_PV_SENT);
	assert_string_equal(id, "900619746936498440^0");
	free(id);
	assert_int_equal(verdict(SMS_PROVIDER_ALIYUN, 200, 1, "{\"Code\":"
	    "\"isv.BUSINESS_LIMIT_CONTROL\",\"Message\":\"\\u89e6\\u53d1\\u5c0f"
	    "\\u65f6\\u7ea7\\u6d41\\u63a7Permits:5\"}", &ra, NULL), SMS_PV_RETRY);
	assert_int_equal(ra, 3600);
	assert_int_equal(verdict(SMS_PROVIDER_ALIYUN, 200, 1, "{\"Code\":"
	    "\"isv.SMS_TEMPLATE_ILLEGAL\",\"Message\":\"x\"}", NULL, NULL),
	    SMS_PV_FAILED);
	assert_int_equal(verdict(SMS_PROVIDER_ALIYUN, 400, 1, "{\"Code\":"
	    "\"SignatureDoesNotMatch\",\"Message\":\"x\"}", NULL, NULL),
	    SMS_PV_RETRY);
	assert_int_equal(verdict(SMS_PROVIDER_ALIYUN, 503, 1, "<html>", NULL,
	    NULL), SMS_PV_UNKNOWN);
	assert_int_equal(verdict(SMS_PROVIDER_ALIYUN, 0, 1, NULL, NULL, NULL),
	    SMS_PV_UNKNOWN);
	assert_int_equal(verdict(SMS_PROVIDER_ALIYUN, 0, 0, NULL, NULL, NULL),
	    SMS_PV_RETRY);
	assert_int_equal(verdict(SMS_PROVIDER_TENCENT, 200, 1, "{\"Response\":"
	    "{\"SendStatusSet\":[{\"SerialNo\":\"5000:1045\",\"PhoneNumber\":"
	    "\"+8618511122233\",\"Fee\":1,\"SessionContext\":\"9\",\"Code\":"
	    "\"Ok\",\"Message\":\"send success\",\"IsoCode\":\"CN\"}],"
	    "\"RequestId\":\"a\"}}", NULL, &id), SMS_PV_SENT);
	assert_string_equal(id, "5000:1045");
	free(id);
	assert_int_equal(verdict(SMS_PROVIDER_TENCENT, 200, 1, "{\"Response\":"
	    "{\"Error\":{\"Code\":\"AuthFailure.SignatureFailure\",\"Message\":"
	    "\"x\"},\"RequestId\":\"a\"}}", NULL, NULL), SMS_PV_RETRY);
	assert_int_equal(verdict(SMS_PROVIDER_TENCENT, 200, 1, "{\"Response\":"
	    "{\"SendStatusSet\":[{\"Code\":\"LimitExceeded.PhoneNumberThirty"
	    "SecondLimit\",\"Message\":\"x\"}]}}", &ra, NULL), SMS_PV_RETRY);
	assert_int_equal(ra, 30);
	assert_int_equal(verdict(SMS_PROVIDER_TENCENT, 200, 1, "{\"Response\":"
	    "{\"SendStatusSet\":[{\"Code\":\"InvalidParameterValue.Incorrect"
	    "PhoneNumber\",\"Message\":\"x\"}]}}", NULL, NULL), SMS_PV_FAILED);
	assert_int_equal(verdict(SMS_PROVIDER_TENCENT, 200, 1, "{\"Response\":"
	    "{\"Error\":{\"Code\":\"InternalError.Timeout\",\"Message\":\"x\"}}}",
	    NULL, NULL), SMS_PV_UNKNOWN);
}

static void
test_reports(void **state)
{
	struct sms_provider ali = { .kind = SMS_PROVIDER_ALIYUN };
	struct sms_provider_report *r;
	static const char q[] = "{\"Code\":\"OK\",\"TotalCount\":2,"
	    "\"SmsSendDetailDTOs\":{\"SmsSendDetailDTO\":[{\"ErrCode\":"
	    "\"DELIVERED\",\"OutId\":\"42\",\"SendStatus\":3},{\"ErrCode\":"
	    "\"\",\"OutId\":\"43\",\"SendStatus\":1}]}}";
	static const char push[] = "[{\"sid\":\"5000:1\",\"report_status\":"
	    "\"FAIL\",\"errmsg\":\"MK:0001\",\"description\":\"x\",\"ext\":"
	    "\"77\"}]";
	size_t n;

	(void)state;
	assert_int_equal(sms_provider_parse_query(&ali, 200, q, strlen(q), &r,
	    &n, NULL), 0);
	assert_int_equal(n, 2);
	assert_int_equal(r[0].id, 42);
	assert_int_equal(r[0].delivered, 1);
	assert_int_equal(r[1].delivered, -1);
	sms_provider_reports_free(r, n);
	assert_int_equal(sms_provider_parse_push(SMS_PROVIDER_TENCENT, push,
	    strlen(push), &r, &n, NULL), 0);
	assert_int_equal(n, 1);
	assert_int_equal(r[0].id, 77);
	assert_int_equal(r[0].delivered, 0);
	assert_string_equal(r[0].provider_id, "5000:1");
	assert_string_equal(r[0].detail, "tencent FAIL MK:0001: x");
	sms_provider_reports_free(r, n);
}

static void
test_json_read(void **state)
{
	static const char s[] = " {\"a\":[1,-2.5e3,true,null,\"x\\u00e9\\ud83d"
	    "\\ude00\\n\"],\"b\":{}} ";
	struct json_node *n;
	char *cause = NULL;

	(void)state;
	n = json_read_parse(s, strlen(s), NULL);
	assert_non_null(n);
	assert_int_equal(json_read_get(n, "a")->nkids, 5);
	assert_string_equal(json_read_get(n, "a")->kids[4]->text,
	    "x\xc3\xa9\xf0\x9f\x98\x80\n");
	json_read_free(n);
	assert_null(json_read_parse("{\"a\":1,}", 8, &cause));
	assert_non_null(cause);
	free(cause);
	assert_null(json_read_parse("\"\\u0000\"", 8, NULL));
	assert_null(json_read_parse("\"\\ud800\"", 8, NULL));
	assert_null(json_read_parse("[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["
	    "]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]", 72, NULL));
	assert_null(json_read_parse("1 2", 3, NULL));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_aliyun_rpc_sms_example),
		cmocka_unit_test(test_aliyun_rpc_describe_regions),
		cmocka_unit_test(test_aliyun_acs3_example),
		cmocka_unit_test(test_tencent_tc3_example),
		cmocka_unit_test(test_encode),
		cmocka_unit_test(test_aliyun_send_rpc),
		cmocka_unit_test(test_aliyun_send_acs3),
		cmocka_unit_test(test_tencent_send),
		cmocka_unit_test(test_verdicts),
		cmocka_unit_test(test_reports),
		cmocka_unit_test(test_json_read),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

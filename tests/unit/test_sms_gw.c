/* test_sms_gw.c - unit tests for SMS gateway requests, verdicts, DLRs and
 * unsubscribe keywords. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "sms_gw.h"
#include "util.h"

#define SENDSMS "http://127.0.0.1:13013/cgi-bin/sendsms"
#define DLR_BASE "http://127.0.0.1:8088/callbacks/kannel/dlr"
#define NIHAO "\xe6\x82\xa8\xe5\xa5\xbd\xef\xbc\x8c\xe6\xac\xa2\xe8\xbf\x8e" \
	"\xe5\x9b\x9e\xe6\x9d\xa5" /* 您好，欢迎回来 */
#define NIHAO_URL "%E6%82%A8%E5%A5%BD%EF%BC%8C%E6%AC%A2%E8%BF%8E%E5%9B%9E" \
	"%E6%9D%A5"
#define TUIDING "\xe9\x80\x80\xe8\xae\xa2" /* 退订 */
#define ZHONG "\xe4\xb8\xad"		   /* 中 */
#define WSPACE "\xe3\x80\x80"		   /* U+3000 ideographic space */

/* A Kannel gateway as the tests' Kannel peer is configured. */
static struct sms_gw
kannel_gw(void)
{
	struct sms_gw gw;

	memset(&gw, 0, sizeof gw);
	gw.kind = SMS_GW_KANNEL;
	gw.url = SENDSMS;
	gw.username = "tester";
	gw.password = "s3cret";
	gw.from = "Shop";
	gw.dlr_url = DLR_BASE;
	return gw;
}

/* A generic JSON API gateway. */
static struct sms_gw
json_gw(void)
{
	static const char *const hdrs[] = { "Authorization: Bearer {password}",
		NULL };
	struct sms_gw gw;

	memset(&gw, 0, sizeof gw);
	gw.kind = SMS_GW_HTTP;
	gw.url = "https://api.example.invalid/v1/sms";
	gw.username = "acct";
	gw.password = "tok";
	gw.from = "Shop";
	gw.method = SMS_GW_POST_JSON;
	gw.body = "{\"to\":\"{to}\",\"text\":\"{text}\",\"from\":\"{from}\","
	    "\"ref\":{id},\"x\":{\"y\":\"{unknown}\"}}";
	gw.headers = hdrs;
	return gw;
}

/* The value of query parameter name in url, percent-decoded (caller
 * frees), or NULL. */
static char *
query_param(const char *url, const char *name)
{
	const char *p = strchr(url, '?');
	size_t n = strlen(name);
	struct buf b;
	unsigned int x;

	while (p != NULL) {
		p++;
		if (strncmp(p, name, n) == 0 && p[n] == '=') {
			buf_init(&b);
			buf_puts(&b, "");
			for (p += n + 1; *p != '\0' && *p != '&'; p++) {
				if (*p == '%' && sscanf(p + 1, "%2x", &x) == 1) {
					buf_addc(&b, (char)x);
					p += 2;
				} else
					buf_addc(&b, *p == '+' ? ' ' : *p);
			}
			return buf_detach(&b);
		}
		p = strchr(p, '&');
	}
	return NULL;
}

/* What Kannel's urltrans_fill_escape_codes() makes of a dlr-url pattern
 * for a report of type dlr with SMSC answer (URL-encoded by Kannel). */
static char *
kannel_fill(const char *pattern, int dlr, const char *answer_enc)
{
	struct buf b;
	const char *p;

	buf_init(&b);
	for (p = pattern; *p != '\0'; p++) {
		if (*p != '%' || p[1] == '\0') {
			buf_addc(&b, *p);
			continue;
		}
		p++;
		if (*p == 'd')
			buf_printf(&b, "%d", dlr);
		else if (*p == 'A')
			buf_puts(&b, answer_enc);
		else if (*p == '%')
			buf_addc(&b, '%');
		else
			buf_printf(&b, "%%%c", *p);
	}
	return buf_detach(&b);
}

static void
build_ok(const struct sms_gw *gw, int64_t id, const char *to,
    const char *text, struct sms_gw_request *req)
{
	char *cause = NULL;

	if (sms_gw_build(gw, id, to, text, req, &cause) != 0)
		fail_msg("sms_gw_build: %s", cause);
	assert_null(cause);
}

static void
build_fails(const struct sms_gw *gw, const char *to, const char *text,
    const char *want)
{
	struct sms_gw_request req;
	char *cause = NULL;

	assert_int_equal(sms_gw_build(gw, 5, to, text, &req, &cause), -1);
	assert_non_null(cause);
	if (strstr(cause, want) == NULL)
		fail_msg("cause \"%s\" lacks \"%s\"", cause, want);
	assert_null(req.url);
	free(cause);
}

static void
test_kannel_ascii(void **state)
{
	struct sms_gw gw = kannel_gw();
	struct sms_gw_request req;

	(void)state;
	build_ok(&gw, 123, "+8613800138000", "Hello World!", &req);
	assert_string_equal(req.url, SENDSMS "?username=tester&password=s3cret"
	    "&from=Shop&to=%2B8613800138000&text=Hello%20World%21"
	    "&charset=UTF-8&dlr-mask=27&dlr-url=http%3A%2F%2F127.0.0.1%3A8088"
	    "%2Fcallbacks%2Fkannel%2Fdlr%3Fid%3D123%26status%3D%25d"
	    "%26answer%3D%25A");
	assert_string_equal(req.method, "GET");
	assert_null(req.body);
	assert_int_equal(req.nheaders, 0);
	assert_non_null(req.headers);
	assert_null(req.headers[0]);
	assert_non_null(strstr(req.log_url, "&password=***&"));
	assert_null(strstr(req.log_url, "s3cret"));
	sms_gw_request_free(&req);
	assert_null(req.url);
	sms_gw_request_free(&req); /* twice is harmless */
}

static void
test_kannel_chinese(void **state)
{
	struct sms_gw gw = kannel_gw();
	struct sms_gw_request req;
	char *text;

	(void)state;
	gw.dlr_url = NULL;
	gw.from = NULL;
	build_ok(&gw, 7, "+8613800138000", NIHAO, &req);
	assert_string_equal(req.url, SENDSMS "?username=tester&password=s3cret"
	    "&to=%2B8613800138000&text=" NIHAO_URL "&charset=UTF-8&coding=2");
	text = query_param(req.url, "text");
	assert_string_equal(text, NIHAO);
	free(text);
	assert_null(strstr(req.url, "dlr"));
	assert_null(strstr(req.url, "from="));
	sms_gw_request_free(&req);
}

static void
test_kannel_gsm7_no_coding(void **state)
{
	struct sms_gw gw = kannel_gw();
	struct sms_gw_request req;
	char *text;

	(void)state;
	/* the euro sign and braces are GSM-7 (extension table) */
	build_ok(&gw, 8, "8613800138000", "50\xe2\x82\xac {ok} @home", &req);
	assert_non_null(strstr(req.url, "&charset=UTF-8&"));
	assert_null(strstr(req.url, "coding="));
	text = query_param(req.url, "text");
	assert_string_equal(text, "50\xe2\x82\xac {ok} @home");
	free(text);
	assert_non_null(strstr(req.url, "&to=8613800138000&"));
	sms_gw_request_free(&req);
}

static void
test_kannel_password_escaped(void **state)
{
	struct sms_gw gw = kannel_gw();
	struct sms_gw_request req;
	char *pw, *user;

	(void)state;
	gw.password = "p@ss&w=rd+/?% " ZHONG;
	gw.username = "a b&c";
	build_ok(&gw, 1, "+1555", "hi", &req);
	assert_non_null(strstr(req.url,
	    "?username=a%20b%26c&password=p%40ss%26w%3Drd%2B%2F%3F%25%20"
	    "%E4%B8%AD&from="));
	pw = query_param(req.url, "password");
	assert_string_equal(pw, gw.password);
	user = query_param(req.url, "username");
	assert_string_equal(user, "a b&c");
	assert_null(strstr(req.log_url, "p%40ss"));
	free(pw);
	free(user);
	sms_gw_request_free(&req);
}

static void
test_kannel_dlr_url(void **state)
{
	struct sms_gw gw = kannel_gw();
	struct sms_gw_request req;
	char *pattern, *called;

	(void)state;
	/* a base that already has a query and a percent escape */
	gw.dlr_url = "http://127.0.0.1:8088/cb/dlr?token=a%2Fb";
	gw.dlr_mask = 19;
	build_ok(&gw, 7, "+1555", "hi", &req);
	assert_non_null(strstr(req.url, "&dlr-mask=19&dlr-url=http%3A%2F%2F"
	    "127.0.0.1%3A8088%2Fcb%2Fdlr%3Ftoken%3Da%25%252Fb%26id%3D7"
	    "%26status%3D%25d%26answer%3D%25A"));
	/* what smsbox decodes, then fills when the report comes */
	pattern = query_param(req.url, "dlr-url");
	assert_string_equal(pattern, "http://127.0.0.1:8088/cb/dlr?"
	    "token=a%%2Fb&id=7&status=%d&answer=%A");
	called = kannel_fill(pattern, 8, "ACK%2F");
	assert_string_equal(called, "http://127.0.0.1:8088/cb/dlr?"
	    "token=a%2Fb&id=7&status=8&answer=ACK%2F");
	free(pattern);
	free(called);
	sms_gw_request_free(&req);
}

/* The callback secret in the dlr-url reaches Kannel, not the log. */
static void
test_kannel_dlr_secret(void **state)
{
	struct sms_gw gw = kannel_gw();
	struct sms_gw_request req;
	char *pattern;

	(void)state;
	gw.dlr_url = "http://127.0.0.1:8088/callbacks/kannel/dlr?"
	    "secret=s3cr3t-0123456789";
	build_ok(&gw, 9, "+1555", "hi", &req);
	pattern = query_param(req.url, "dlr-url");
	assert_string_equal(pattern, "http://127.0.0.1:8088/callbacks/kannel/"
	    "dlr?secret=s3cr3t-0123456789&id=9&status=%d&answer=%A");
	free(pattern);
	assert_null(strstr(req.log_url, "s3cr3t"));
	pattern = query_param(req.log_url, "dlr-url");
	assert_string_equal(pattern, "http://127.0.0.1:8088/callbacks/kannel/"
	    "dlr?secret=***&id=9&status=%d&answer=%A");
	free(pattern);
	sms_gw_request_free(&req);
	/* only an argument named secret, wherever it is */
	gw.dlr_url = "http://h/dlr?nosecret=a&x=1&secret=b2&y=2";
	build_ok(&gw, 1, "+1555", "hi", &req);
	pattern = query_param(req.log_url, "dlr-url");
	assert_string_equal(pattern, "http://h/dlr?nosecret=a&x=1&secret=***"
	    "&y=2&id=1&status=%d&answer=%A");
	free(pattern);
	sms_gw_request_free(&req);
}

static void
test_build_rejects(void **state)
{
	struct sms_gw gw = kannel_gw();

	(void)state;
	build_fails(&gw, "+86 138", "hi", "bad recipient");
	build_fails(&gw, "123 456", "hi", "bad recipient");
	build_fails(&gw, "+", "hi", "bad recipient");
	build_fails(&gw, "", "hi", "bad recipient");
	build_fails(&gw, NULL, "hi", "bad recipient");
	build_fails(&gw, "+123456789012345678901", "hi", "bad recipient");
	build_fails(&gw, "+1555", "", "empty");
	build_fails(&gw, "+1555", "bad \xff utf8", "UTF-8");
	gw.url = "file:///etc/passwd";
	build_fails(&gw, "+1555", "hi", "http");
	gw.url = "not a url";
	build_fails(&gw, "+1555", "hi", "space");
	gw = json_gw();
	gw.from = "bad\xc3";
	build_fails(&gw, "+1555", "hi", "UTF-8");
}

static void
test_http_json(void **state)
{
	struct sms_gw gw = json_gw();
	struct sms_gw_request req;

	(void)state;
	build_ok(&gw, 42, "+8613800138000",
	    "He said \"hi\" \\ C:\\path\nline2\r\t" ZHONG "\x01", &req);
	assert_string_equal(req.method, "POST");
	assert_string_equal(req.url, "https://api.example.invalid/v1/sms");
	assert_string_equal(req.body, "{\"to\":\"+8613800138000\",\"text\":"
	    "\"He said \\\"hi\\\" \\\\ C:\\\\path\\nline2\\r\\t" ZHONG
	    "\\u0001\",\"from\":\"Shop\",\"ref\":42,\"x\":{\"y\":"
	    "\"{unknown}\"}}");
	assert_int_equal(req.nheaders, 2);
	assert_string_equal(req.headers[0], "Authorization: Bearer tok");
	assert_string_equal(req.headers[1], "Content-Type: application/json");
	assert_null(req.headers[2]);
	sms_gw_request_free(&req);
}

static void
test_http_form_and_get(void **state)
{
	static const char *const hdrs[] = { "content-type: application/"
		"x-www-form-urlencoded; charset=UTF-8", "X-User: {username}",
		NULL };
	struct sms_gw gw = json_gw();
	struct sms_gw_request req;

	(void)state;
	gw.method = SMS_GW_POST_FORM;
	gw.body = "to={to}&text={text}&sender={from}&user={username}";
	gw.headers = hdrs;
	build_ok(&gw, 1, "+8613800138000", "a&b=c " NIHAO, &req);
	assert_string_equal(req.body, "to=%2B8613800138000&text=a%26b%3Dc%20"
	    NIHAO_URL "&sender=Shop&user=acct");
	assert_int_equal(req.nheaders, 2); /* no second Content-Type */
	assert_string_equal(req.headers[1], "X-User: acct");
	sms_gw_request_free(&req);

	/* GET: placeholders in the url, the body template as the query */
	gw.method = SMS_GW_GET;
	gw.url = "https://api.example.invalid/send?key={password}";
	gw.body = "to={to}&msg={text}";
	gw.headers = NULL;
	gw.from = NULL;
	build_ok(&gw, 9, "+1555", "x y", &req);
	assert_string_equal(req.method, "GET");
	assert_null(req.body);
	assert_string_equal(req.url, "https://api.example.invalid/send?"
	    "key=tok&to=%2B1555&msg=x%20y");
	assert_string_equal(req.log_url, "https://api.example.invalid/send?"
	    "key=***&to=%2B1555&msg=x%20y");
	assert_int_equal(req.nheaders, 0);
	sms_gw_request_free(&req);
}

static void
test_header_injection(void **state)
{
	static const char *const text_hdr[] = { "X-Text: {text}", NULL };
	static const char *const no_colon[] = { "Bearer {password}", NULL };
	static const char *const bad_name[] = { "Bad Name: x", NULL };
	struct sms_gw gw = json_gw();
	char *cause = NULL;

	(void)state;
	gw.password = "tok\r\nX-Evil: 1";
	build_fails(&gw, "+1555", "hi", "CR/LF");
	gw.password = "tok\nX-Evil: 1";
	build_fails(&gw, "+1555", "hi", "CR/LF");
	gw.password = "tok";
	gw.headers = text_hdr;
	build_fails(&gw, "+1555", "two\nlines", "CR/LF");
	gw.headers = no_colon;
	build_fails(&gw, "+1555", "hi", "Name: value");
	gw.headers = bad_name;
	assert_int_equal(sms_gw_check(&gw, &cause), -1);
	assert_non_null(strstr(cause, "Name: value"));
	free(cause);
}

static void
test_check(void **state)
{
	static const int odd_status[] = { 200, 42, 0 };
	struct sms_gw gw = json_gw();
	struct sms_gw k = kannel_gw();
	char *cause = NULL;

	(void)state;
	assert_int_equal(sms_gw_check(&gw, &cause), 0);
	assert_int_equal(sms_gw_check(&k, &cause), 0);
	assert_null(cause);
#define CHECK_FAILS(g, want) do {					\
	assert_int_equal(sms_gw_check(&(g), &cause), -1);		\
	if (strstr(cause, want) == NULL)				\
		fail_msg("cause \"%s\" lacks \"%s\"", cause, want);	\
	free(cause);							\
	cause = NULL;							\
} while (0)
	gw.id_regex = "id=(";
	CHECK_FAILS(gw, "id_regex");
	gw.id_regex = "id=[0-9]+";
	CHECK_FAILS(gw, "group");
	gw = json_gw();
	gw.success_status = odd_status;
	CHECK_FAILS(gw, "42");
	gw = json_gw();
	gw.body = NULL;
	CHECK_FAILS(gw, "body");
	gw = json_gw();
	gw.url = "ftp://example.invalid/{to}";
	CHECK_FAILS(gw, "http");
	gw.url = NULL;
	CHECK_FAILS(gw, "url");
	k.dlr_mask = 99;
	CHECK_FAILS(k, "dlr_mask");
	k = kannel_gw();
	k.dlr_url = "gopher://x/";
	CHECK_FAILS(k, "http");
#undef CHECK_FAILS
}

/* Parses an answer and checks verdict, retry_after and the error text. */
static void
verdict(const struct sms_gw *gw, long status, const char *ra,
    const char *body, enum sms_gw_verdict want, int want_ra,
    const char *want_error)
{
	struct sms_gw_result res;
	int64_t now = 784111777; /* Sun, 06 Nov 1994 08:49:37 GMT */

	assert_int_equal(sms_gw_parse(gw, status, ra, body,
	    body != NULL ? strlen(body) : 0, now, &res), 0);
	if (res.verdict != want)
		fail_msg("status %ld body \"%s\": verdict %d, want %d", status,
		    body != NULL ? body : "", res.verdict, want);
	assert_int_equal(res.retry_after, want_ra);
	if (want_error == NULL)
		assert_null(res.error);
	else
		assert_string_equal(res.error, want_error);
	assert_null(res.provider_id);
	sms_gw_result_free(&res);
}

static void
test_kannel_verdicts(void **state)
{
	struct sms_gw gw = kannel_gw();

	(void)state;
	verdict(&gw, 202, NULL, "0: Accepted for delivery", SMS_GW_SENT, -1,
	    NULL);
	verdict(&gw, 202, NULL, "3: Queued for later delivery", SMS_GW_SENT,
	    -1, NULL);
	/* a wrong password is the configuration's fault, not the SMS's */
	verdict(&gw, 403, NULL, "Authorization failed for sendsms",
	    SMS_GW_RETRY, -1, "Kannel refused the credentials (403): check "
	    "sms.username/password_file");
	verdict(&gw, 401, NULL, "<html>Unauthorized</html>", SMS_GW_RETRY, -1,
	    "Kannel refused the credentials (401): check "
	    "sms.username/password_file");
	verdict(&gw, 400, NULL, "Missing receiver number, rejected\n",
	    SMS_GW_FAILED, -1, "HTTP 400: Missing receiver number, rejected");
	verdict(&gw, 404, NULL, "", SMS_GW_FAILED, -1,
	    "HTTP 404 (empty answer)");
	/* not Kannel's answer: Kannel never saw the message */
	verdict(&gw, 202, NULL, "Something else", SMS_GW_RETRY, -1,
	    "HTTP 202 is not Kannel's answer (check sms.url): Something else");
	verdict(&gw, 200, NULL, "<html><p>Down for maintenance</p></html>",
	    SMS_GW_RETRY, -1, "HTTP 200 is not Kannel's answer (check "
	    "sms.url): <html><p>Down for maintenance</p></html>");
	verdict(&gw, 200, NULL, "", SMS_GW_RETRY, -1,
	    "HTTP 200 is not Kannel's answer (check sms.url) (empty answer)");
	verdict(&gw, 202, NULL, "Sent.", SMS_GW_SENT, -1, NULL);
	verdict(&gw, 302, NULL, NULL, SMS_GW_FAILED, -1, "HTTP 302 "
	    "(redirects are not followed: check the url) (empty answer)");
	verdict(&gw, 429, "120", "slow down", SMS_GW_RETRY, 120,
	    "HTTP 429: slow down");
	verdict(&gw, 429, " 7 ", NULL, SMS_GW_RETRY, 7,
	    "HTTP 429 (empty answer)");
	verdict(&gw, 503, "Sun, 06 Nov 1994 08:51:37 GMT",
	    "Temporal failure, try again later.", SMS_GW_RETRY, 120,
	    "HTTP 503: Temporal failure, try again later.");
	verdict(&gw, 503, "Sunday, 06-Nov-94 08:50:37 GMT", "", SMS_GW_RETRY,
	    60, "HTTP 503 (empty answer)");
	verdict(&gw, 503, "Sun Nov  6 08:49:47 1994", "", SMS_GW_RETRY, 10,
	    "HTTP 503 (empty answer)");
	verdict(&gw, 503, "Sat, 05 Nov 1994 08:49:37 GMT", "", SMS_GW_RETRY,
	    0, "HTTP 503 (empty answer)");
	verdict(&gw, 503, "soon", "", SMS_GW_RETRY, -1,
	    "HTTP 503 (empty answer)");
	verdict(&gw, 503, "Sun, 99 Foo 1994 08:49:37 GMT", "", SMS_GW_RETRY,
	    -1, "HTTP 503 (empty answer)");
	verdict(&gw, 503, "1.5", "", SMS_GW_RETRY, -1,
	    "HTTP 503 (empty answer)");
	verdict(&gw, 429, "99999999999999", "", SMS_GW_RETRY, 2147483647,
	    "HTTP 429 (empty answer)");
	verdict(&gw, 500, "120", "\n\nInternal error\nstack trace",
	    SMS_GW_RETRY, 120, "HTTP 500: Internal error");
	verdict(&gw, 408, NULL, "", SMS_GW_RETRY, -1, "HTTP 408 (empty answer)");
	verdict(&gw, 0, "120", NULL, SMS_GW_RETRY, -1,
	    "no answer from the SMS gateway");
	/* control characters and invalid UTF-8 never reach last_error */
	verdict(&gw, 400, NULL, "bad\x1b[31m \xff " ZHONG, SMS_GW_FAILED, -1,
	    "HTTP 400: bad?[31m ? " ZHONG);
}

static void
test_http_verdicts(void **state)
{
	static const int only200[] = { 200, 0 };
	struct sms_gw gw = json_gw();
	struct sms_gw_result res;
	const char *ok = "{\"status\":\"ok\",\"message_id\":\"abc-123\"}";

	(void)state;
	verdict(&gw, 201, NULL, "{}", SMS_GW_SENT, -1, NULL);
	verdict(&gw, 204, NULL, "", SMS_GW_FAILED, -1,
	    "HTTP 204 (empty answer)");
	verdict(&gw, 401, NULL, "{\"error\":\"bad key\"}", SMS_GW_FAILED, -1,
	    "HTTP 401: {\"error\":\"bad key\"}");
	verdict(&gw, 502, "3", "", SMS_GW_RETRY, 3, "HTTP 502 (empty answer)");
	gw.success_status = only200;
	verdict(&gw, 202, NULL, "{}", SMS_GW_FAILED, -1, "HTTP 202: {}");
	gw.success_match = "\"status\":\"ok\"";
	verdict(&gw, 200, NULL, "{\"status\":\"error\",\"msg\":\"no credit\"}",
	    SMS_GW_FAILED, -1, "HTTP 200 without the success text: "
	    "{\"status\":\"error\",\"msg\":\"no credit\"}");

	gw.id_regex = "\"message_id\": *\"([^\"]+)\"";
	assert_int_equal(sms_gw_parse(&gw, 200, NULL, ok, strlen(ok), 0, &res),
	    0);
	assert_int_equal(res.verdict, SMS_GW_SENT);
	assert_string_equal(res.provider_id, "abc-123");
	assert_null(res.error);
	sms_gw_result_free(&res);
	/* body need not be NUL-terminated: only len bytes are read */
	assert_int_equal(sms_gw_parse(&gw, 200, NULL, ok, strlen(ok) - 3, 0,
	    &res), 0);
	assert_int_equal(res.verdict, SMS_GW_SENT);
	assert_null(res.provider_id);
	assert_non_null(strstr(res.error, "id_regex did not match"));
	sms_gw_result_free(&res);
	/* an id is only taken from a success */
	assert_int_equal(sms_gw_parse(&gw, 500, NULL, ok, strlen(ok), 0, &res),
	    0);
	assert_int_equal(res.verdict, SMS_GW_RETRY);
	assert_null(res.provider_id);
	sms_gw_result_free(&res);
	gw.id_regex = "(";
	assert_int_equal(sms_gw_parse(&gw, 200, NULL, ok, strlen(ok), 0, &res),
	    -1);
	assert_int_equal(res.verdict, SMS_GW_SENT);
	assert_non_null(strstr(res.error, "id_regex"));
	sms_gw_result_free(&res);
}

/* Parses a DLR that must succeed. */
static void
dlr_ok(const char *status, const char *answer, int want_delivered,
    const char *want_detail)
{
	struct sms_gw_dlr d;
	char *cause = NULL;

	if (sms_gw_parse_dlr("123", status, answer, &d, &cause) != 0)
		fail_msg("status %s: %s", status, cause);
	assert_int_equal(d.id, 123);
	assert_int_equal(d.status, atoi(status));
	assert_int_equal(d.delivered, want_delivered);
	assert_string_equal(d.detail, want_detail);
	sms_gw_dlr_free(&d);
	assert_null(d.detail);
}

static void
dlr_bad(const char *id, const char *status, const char *want)
{
	struct sms_gw_dlr d;
	char *cause = NULL;

	assert_int_equal(sms_gw_parse_dlr(id, status, NULL, &d, &cause), -1);
	if (strstr(cause, want) == NULL)
		fail_msg("cause \"%s\" lacks \"%s\"", cause, want);
	assert_null(d.detail);
	free(cause);
}

static void
test_dlr(void **state)
{
	(void)state;
	dlr_ok("1", "id:1 sub:001 dlvrd:001 stat:DELIVRD", 1,
	    "delivered (kannel dlr 1): id:1 sub:001 dlvrd:001 stat:DELIVRD");
	dlr_ok("2", "stat:UNDELIV", 0, "failed (kannel dlr 2): stat:UNDELIV");
	dlr_ok("4", NULL, -1, "buffered (kannel dlr 4)");
	dlr_ok("8", "ACK/", -1, "smsc accepted (kannel dlr 8): ACK/");
	dlr_ok("16", "NACK/0x0000000b/Invalid Destination Address", 0,
	    "smsc rejected (kannel dlr 16): NACK/0x0000000b/Invalid "
	    "Destination Address");
	dlr_ok("34", "", 0, "failed (kannel dlr 34)"); /* 0x22 expired */
	dlr_ok("2", "a\r\nb", 0, "failed (kannel dlr 2): a??b");
	dlr_bad("abc", "1", "bad id");
	dlr_bad("0", "1", "bad id");
	dlr_bad("-5", "1", "bad id");
	dlr_bad("12x", "1", "bad id");
	dlr_bad(" 12", "1", "bad id");
	dlr_bad("", "1", "bad id");
	dlr_bad(NULL, "1", "bad id");
	dlr_bad("99999999999999999999", "1", "bad id");
	dlr_bad("12", "0", "bad status");
	dlr_bad("12", "%d", "bad status");
	dlr_bad("12", NULL, "bad status");
	dlr_bad("12", "32", "unknown status");
	/* what the caller sent is quoted: the cause goes to the log */
	dlr_bad("1\n<2>forged", "1", "bad id \"1\\x0a<2>forged\"");
	dlr_bad("1", "1\r\n", "bad status \"1\\x0d\\x0a\"");
}

static void
test_unsubscribe_defaults(void **state)
{
	static const char *const yes[] = { "td", "TD", " " TUIDING " ",
		"\xef\xbc\xb4 \xef\xbc\xa4" /* Ｔ Ｄ */, "\xef\xbc\xb4\xef\xbc\xa4",
		"T", "t.", "T D", "Stop!", "STOP", "stop please", "STOP IT",
		"stop, please", "Unsubscribe me.", "UNSUBSCRIBE",
		"\xe6\x88\x91\xe8\xa6\x81" TUIDING /* 我要退订 */,
		TUIDING "\xe3\x80\x82" /* 退订。 */, WSPACE TUIDING WSPACE,
		"TD" TUIDING, "\xef\xbd\x93\xef\xbd\x94\xef\xbd\x8f\xef\xbd\x90",
		"s\xe2\x80\x8btop", "\"STOP\"", NULL };
	static const char *const no[] = { "", "   ", "hello", "T-shirt?",
		"td is late", "stopped", "Don't stop", "nonstop", "tdx",
		"tt", "please stop", "unsubscribed", "\xff\xfe", "t\xff",
		NULL };
	size_t i;

	(void)state;
	for (i = 0; yes[i] != NULL; i++)
		if (sms_gw_is_unsubscribe(yes[i], NULL) != 1)
			fail_msg("\"%s\" should unsubscribe", yes[i]);
	for (i = 0; no[i] != NULL; i++)
		if (sms_gw_is_unsubscribe(no[i], NULL) != 0)
			fail_msg("\"%s\" should not unsubscribe", no[i]);
	assert_int_equal(sms_gw_is_unsubscribe(NULL, NULL), 0);
}

static void
test_unsubscribe_custom(void **state)
{
	static const char *const kw[] = { "QUIT", "\xe5\x8f\x96\xe6\xb6\x88",
		"N", "", "!!", NULL }; /* 取消 */
	static const char *const none[] = { NULL };

	(void)state;
	assert_int_equal(sms_gw_is_unsubscribe("quit now", kw), 1);
	assert_int_equal(sms_gw_is_unsubscribe("\xe8\xaf\xb7\xe5\x8f\x96"
	    "\xe6\xb6\x88", kw), 1); /* 请取消 */
	assert_int_equal(sms_gw_is_unsubscribe("n", kw), 1);
	assert_int_equal(sms_gw_is_unsubscribe("no thanks", kw), 0);
	assert_int_equal(sms_gw_is_unsubscribe("td", kw), 0);
	assert_int_equal(sms_gw_is_unsubscribe("!!", kw), 0);
	assert_int_equal(sms_gw_is_unsubscribe("stop", none), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kannel_ascii),
		cmocka_unit_test(test_kannel_chinese),
		cmocka_unit_test(test_kannel_gsm7_no_coding),
		cmocka_unit_test(test_kannel_password_escaped),
		cmocka_unit_test(test_kannel_dlr_url),
		cmocka_unit_test(test_kannel_dlr_secret),
		cmocka_unit_test(test_build_rejects),
		cmocka_unit_test(test_http_json),
		cmocka_unit_test(test_http_form_and_get),
		cmocka_unit_test(test_header_injection),
		cmocka_unit_test(test_check),
		cmocka_unit_test(test_kannel_verdicts),
		cmocka_unit_test(test_http_verdicts),
		cmocka_unit_test(test_dlr),
		cmocka_unit_test(test_unsubscribe_defaults),
		cmocka_unit_test(test_unsubscribe_custom),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

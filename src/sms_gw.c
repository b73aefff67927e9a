/* sms_gw.c - SMS gateway requests and answers, without network I/O. */
#include "sms_gw.h"

#include <ctype.h>
#include <curl/curl.h>
#include <inttypes.h>
#include <limits.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sms_text.h"
#include "utf8.h"
#include "util.h"

#define SMS_GW_REGEX_MAX (64 * 1024) /* bytes of body searched by id_regex */
#define SMS_GW_ID_MAX 128	     /* bytes of provider id kept */

enum esc { ESC_URL, ESC_JSON, ESC_RAW };

/* The values placeholders expand to; redact shows the password as ***. */
struct vars {
	const char *to, *text, *from, *username, *password;
	char id[24];
	int redact;
};

static const int default_success[] = { 200, 201, 202, 0 };

/* Percent-encodes everything but RFC 3986 unreserved characters, so the
 * value survives both query strings and form bodies unchanged. */
static void
put_url(struct buf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *p;

	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		if (isalnum(*p) || *p == '-' || *p == '.' || *p == '_' ||
		    *p == '~')
			buf_addc(b, (char)*p);
		else {
			buf_addc(b, '%');
			buf_addc(b, hex[*p >> 4]);
			buf_addc(b, hex[*p & 15]);
		}
	}
}

/* Escapes s as the inside of a JSON string (RFC 8259); s is valid UTF-8,
 * which JSON carries as it is. */
static void
put_json(struct buf *b, const char *s)
{
	static const char pairs[] = "\"\"\\\\\nn\rr\tt\bb\ff";
	const unsigned char *p;
	const char *e;

	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		if ((e = memchr(pairs, *p, sizeof pairs - 1)) != NULL &&
		    (e - pairs) % 2 == 0) {
			buf_addc(b, '\\');
			buf_addc(b, e[1]);
		} else if (*p < 0x20)
			buf_printf(b, "\\u%04x", *p);
		else
			buf_addc(b, (char)*p);
	}
}

/* Appends one value escaped for where it lands. */
static void
put_value(struct buf *b, const char *s, enum esc esc)
{
	if (esc == ESC_URL)
		put_url(b, s);
	else if (esc == ESC_JSON)
		put_json(b, s);
	else
		buf_puts(b, s);
}

/* Expands the known {placeholders} of tmpl; any other brace is literal
 * because JSON templates are full of them. */
static void
expand(struct buf *b, const char *tmpl, const struct vars *v, enum esc esc)
{
	static const char *const names[] = { "to", "text", "from", "username",
		"password", "id" };
	const char *p = tmpl, *val;
	size_t i, n;

	while (*p != '\0') {
		if (*p != '{') {
			buf_addc(b, *p++);
			continue;
		}
		for (i = 0; i < ARRAY_SIZE(names); i++) {
			n = strlen(names[i]);
			if (strncmp(p + 1, names[i], n) == 0 && p[n + 1] == '}')
				break;
		}
		if (i == ARRAY_SIZE(names)) {
			buf_addc(b, *p++);
			continue;
		}
		switch (i) {
		case 0: val = v->to; break;
		case 1: val = v->text; break;
		case 2: val = v->from; break;
		case 3: val = v->username; break;
		case 4:
			val = v->redact ? NULL : v->password;
			if (v->redact)
				buf_puts(b, "***");
			break;
		default: val = v->id; break;
		}
		if (val != NULL)
			put_value(b, val, esc);
		p += n + 2;
	}
}

/* Refuses URLs libcurl would read as something other than http(s) or
 * that carry bytes no request line may hold. */
static int
check_url(const char *url, char **cause)
{
	CURLU *h;
	char *scheme = NULL, *host = NULL;
	const unsigned char *p;
	int rc = 0;

	for (p = (const unsigned char *)url; *p != '\0'; p++)
		if (*p <= 0x20 || *p >= 0x7f)
			return set_error(cause, "gateway url has a space, control "
			    "or non-ASCII character at offset %zu",
			    (size_t)(p - (const unsigned char *)url));
	if ((h = curl_url()) == NULL)
		return set_error(cause, "out of memory parsing the gateway url");
	if (curl_url_set(h, CURLUPART_URL, url, 0) != CURLUE_OK ||
	    curl_url_get(h, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK)
		rc = set_error(cause, "gateway url does not parse as a URL");
	else if (strcmp(scheme, "http") != 0 && strcmp(scheme, "https") != 0)
		rc = set_error(cause, "gateway url must be http:// or https://");
	else if (curl_url_get(h, CURLUPART_HOST, &host, 0) != CURLUE_OK)
		rc = set_error(cause, "gateway url has no host");
	curl_free(scheme);
	curl_free(host);
	curl_url_cleanup(h);
	return rc;
}

/* A header must be "token: value" with no control character but tab, so
 * no value can end the header block or start a new header. */
static int
check_header(const char *h, size_t idx, char **cause)
{
	const unsigned char *p = (const unsigned char *)h;

	while (*p != '\0' && *p != ':' && *p > 0x20 && *p < 0x7f &&
	    strchr("\"(),/;<=>?@[\\]{}", *p) == NULL)
		p++;
	if (p == (const unsigned char *)h || *p != ':')
		return set_error(cause, "header %zu is not \"Name: value\"",
		    idx + 1);
	for (; *p != '\0'; p++)
		if ((*p < 0x20 && *p != '\t') || *p == 0x7f)
			return set_error(cause, "header %zu (%.*s) would hold a "
			    "control character (CR/LF injection refused)",
			    idx + 1, (int)strcspn(h, ":"), h);
	return 0;
}

/* Nonzero if header name (case-insensitive) is set by one of hdrs. */
static int
has_header(char **hdrs, size_t n, const char *name)
{
	size_t i, len = strlen(name);

	for (i = 0; i < n; i++)
		if (strncasecmp(hdrs[i], name, len) == 0 &&
		    hdrs[i][len] == ':')
			return 1;
	return 0;
}

/* Appends "&" or "?" so that a parameter can follow url. */
static void
put_sep(struct buf *b)
{
	if (b->len == 0 || strchr(b->data, '?') == NULL)
		buf_addc(b, '?');
	else if (b->data[b->len - 1] != '?' && b->data[b->len - 1] != '&')
		buf_addc(b, '&');
}

/* Appends "name=value" as a query parameter. */
static void
put_param(struct buf *b, const char *name, const char *value)
{
	put_sep(b);
	buf_puts(b, name);
	buf_addc(b, '=');
	put_url(b, value);
}

/* Where the value of the "secret" query argument of url starts, and its
 * length in *len; NULL without one. */
static const char *
secret_value(const char *url, size_t *len)
{
	const char *p = strchr(url, '?');

	while (p != NULL) {
		p++;
		if (strncmp(p, "secret=", 7) == 0) {
			*len = strcspn(p + 7, "&#");
			return p + 7;
		}
		p = strchr(p, '&');
	}
	return NULL;
}

/* The dlr-url pattern Kannel fills in: our callback with the outbox id,
 * Kannel's %d (DLR type) and %A (SMSC answer).  Percent signs of the base
 * are doubled, Kannel's own escape for a literal '%'.  redact shows the
 * value of a "secret" argument of the base as ***. */
static char *
kannel_dlr_pattern(const char *base, int64_t id, int redact)
{
	const char *p, *secret = NULL;
	struct buf b;
	size_t n = 0;

	if (redact)
		secret = secret_value(base, &n);
	buf_init(&b);
	for (p = base; *p != '\0'; p++) {
		if (p == secret && n > 0) {
			buf_puts(&b, "***");
			p += n - 1;
			continue;
		}
		buf_addc(&b, *p);
		if (*p == '%')
			buf_addc(&b, '%');
	}
	put_sep(&b);
	buf_printf(&b, "id=%" PRId64 "&status=%%d&answer=%%A", id);
	return buf_detach(&b);
}

/* The Kannel sendsms GET, once with the password and once with "***". */
static int
kannel_build(const struct sms_gw *gw, int64_t id, const char *to,
    const char *text, int redact, char **url, char **cause)
{
	struct sms_text_info info;
	struct buf b;
	char *dlr;

	if (sms_text_analyze(text, &info) != 0)
		return set_error(cause, "SMS text is not valid UTF-8");
	buf_init(&b);
	buf_puts(&b, gw->url);
	put_param(&b, "username", gw->username != NULL ? gw->username : "");
	if (redact)
		buf_puts(&b, "&password=***");
	else
		put_param(&b, "password", gw->password != NULL ?
		    gw->password : "");
	if (gw->from != NULL)
		put_param(&b, "from", gw->from);
	put_param(&b, "to", to);
	put_param(&b, "text", text);
	put_param(&b, "charset", "UTF-8");
	if (info.encoding == SMS_ENC_UCS2)
		put_param(&b, "coding", "2");
	if (gw->dlr_url != NULL) {
		buf_printf(&b, "&dlr-mask=%d", gw->dlr_mask > 0 ?
		    gw->dlr_mask : SMS_GW_DLR_MASK_DEFAULT);
		dlr = kannel_dlr_pattern(gw->dlr_url, id, redact);
		put_param(&b, "dlr-url", dlr);
		free(dlr);
	}
	*url = buf_detach(&b);
	return 0;
}

/* The generic url; with GET the body template is its query. */
static char *
http_url(const struct sms_gw *gw, struct vars *v, int redact)
{
	struct buf b;

	buf_init(&b);
	v->redact = redact;
	expand(&b, gw->url, v, ESC_URL);
	if (gw->method == SMS_GW_GET && gw->body != NULL) {
		put_sep(&b);
		expand(&b, gw->body, v, ESC_URL);
	}
	v->redact = 0;
	return buf_detach(&b);
}

/* The generic request: url, body and headers from their templates. */
static int
http_build(const struct sms_gw *gw, struct vars *v,
    struct sms_gw_request *req, char **cause)
{
	struct buf b;
	size_t i, n = 0;
	const char *ctype;

	buf_init(&b);
	req->url = http_url(gw, v, 0);
	req->log_url = http_url(gw, v, 1);
	if (gw->method == SMS_GW_GET) {
		req->method = xstrdup("GET");
	} else {
		req->method = xstrdup("POST");
		expand(&b, gw->body, v, gw->method == SMS_GW_POST_JSON ?
		    ESC_JSON : ESC_URL);
		req->body = buf_detach(&b);
	}
	while (gw->headers != NULL && gw->headers[n] != NULL)
		n++;
	req->headers = xcalloc(n + 2, sizeof *req->headers);
	for (i = 0; i < n; i++) {
		expand(&b, gw->headers[i], v, ESC_RAW);
		req->headers[req->nheaders++] = buf_detach(&b);
		if (check_header(req->headers[i], i, cause) != 0)
			return -1;
	}
	if (gw->method != SMS_GW_GET &&
	    !has_header(req->headers, n, "Content-Type")) {
		ctype = gw->method == SMS_GW_POST_JSON ? "application/json" :
		    "application/x-www-form-urlencoded";
		req->headers[req->nheaders++] = xasprintf("Content-Type: %s",
		    ctype);
	}
	return 0;
}

/* Nonzero if s is NULL or valid UTF-8 (JSON bodies must be). */
static int
utf8_ok(const char *s)
{
	return s == NULL || utf8_valid(s, strlen(s), NULL);
}

/* Nonzero if to is an optional '+' and 1-20 digits: anything else could
 * be split by Kannel into several recipients. */
static int
valid_to(const char *to)
{
	size_t n;

	if (*to == '+')
		to++;
	n = strspn(to, "0123456789");
	return n >= 1 && n <= 20 && to[n] == '\0';
}

int
sms_gw_check(const struct sms_gw *gw, char **cause)
{
	struct sms_gw_request req;
	regex_t re;
	const int *s;
	size_t nsub = 0;

	if (gw->kind != SMS_GW_KANNEL && gw->kind != SMS_GW_HTTP)
		return set_error(cause, "unknown gateway kind %d", gw->kind);
	if (str_empty(gw->url))
		return set_error(cause, "the gateway needs a url");
	if (gw->kind == SMS_GW_KANNEL) {
		if (gw->dlr_mask < 0 || gw->dlr_mask > 31)
			return set_error(cause, "dlr_mask must be 0..31 (sum of 1 "
			    "delivered, 2 failed, 4 buffered, 8 smsc ack, 16 "
			    "smsc reject)");
		if (gw->dlr_url != NULL && check_url(gw->dlr_url, cause) != 0)
			return -1;
	} else {
		if (gw->method != SMS_GW_GET && gw->method !=
		    SMS_GW_POST_FORM && gw->method != SMS_GW_POST_JSON)
			return set_error(cause, "unknown method %d", gw->method);
		if (gw->method != SMS_GW_GET && gw->body == NULL)
			return set_error(cause, "POST methods need a body "
			    "template");
		for (s = gw->success_status; s != NULL && *s != 0; s++)
			if (*s < 100 || *s > 599)
				return set_error(cause, "success_status %d is not "
				    "an HTTP status", *s);
		if (gw->id_regex != NULL &&
		    regcomp(&re, gw->id_regex, REG_EXTENDED) == 0) {
			nsub = re.re_nsub;
			regfree(&re);
		}
		if (gw->id_regex != NULL && nsub < 1)
			return set_error(cause, "id_regex is not a POSIX extended "
			    "regex with a group ( ) around the id");
	}
	/* A trial build with harmless values checks url and headers. */
	if (sms_gw_build(gw, 1, "+10", "x", &req, cause) != 0)
		return -1;
	sms_gw_request_free(&req);
	return 0;
}

int
sms_gw_build(const struct sms_gw *gw, int64_t id, const char *to,
    const char *text, struct sms_gw_request *req, char **cause)
{
	struct vars v;

	memset(req, 0, sizeof *req);
	if (str_empty(gw->url))
		return set_error(cause, "the gateway needs a url");
	if (to == NULL || !valid_to(to))
		return set_error(cause, "bad recipient \"%.32s\": want '+' and "
		    "digits", to != NULL ? to : "");
	if (str_empty(text))
		return set_error(cause, "refusing to send an empty SMS");
	if (gw->kind == SMS_GW_KANNEL) {
		if (kannel_build(gw, id, to, text, 0, &req->url, cause) != 0 ||
		    kannel_build(gw, id, to, text, 1, &req->log_url,
		    cause) != 0)
			goto fail;
		req->method = xstrdup("GET");
		req->headers = xcalloc(1, sizeof *req->headers);
	} else if (gw->kind == SMS_GW_HTTP) {
		if (gw->method != SMS_GW_GET && gw->body == NULL) {
			set_error(cause, "POST methods need a body template");
			goto fail;
		}
		memset(&v, 0, sizeof v);
		v.to = to;
		v.text = text;
		v.from = gw->from;
		v.username = gw->username;
		v.password = gw->password;
		if (!utf8_ok(text) || !utf8_ok(v.from) ||
		    !utf8_ok(v.username) || !utf8_ok(v.password)) {
			set_error(cause, "SMS text or gateway setting is not "
			    "valid UTF-8");
			goto fail;
		}
		snprintf(v.id, sizeof v.id, "%" PRId64, id);
		if (http_build(gw, &v, req, cause) != 0)
			goto fail;
	} else {
		set_error(cause, "unknown gateway kind %d", gw->kind);
		goto fail;
	}
	if (check_url(req->url, cause) != 0)
		goto fail;
	return 0;
fail:
	sms_gw_request_free(req);
	return -1;
}

void
sms_gw_request_free(struct sms_gw_request *req)
{
	size_t i;

	if (req == NULL)
		return;
	for (i = 0; req->headers != NULL && i < req->nheaders; i++)
		free(req->headers[i]);
	free(req->headers);
	free(req->url);
	free(req->method);
	free(req->body);
	free(req->log_url);
	memset(req, 0, sizeof *req);
}

/* Appends at most max bytes of s[0..n) for a human: control characters
 * and invalid UTF-8 as '?', never cutting a character in two. */
static void
put_clean(struct buf *b, const char *s, size_t n, size_t max)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, k, start = b->len;
	uint32_t cp = 0;
	int bad;

	for (; i < n; i += k) {
		k = utf8_decode(p + i, n - i, &cp);
		bad = k == 0 || cp < 0x20 || cp == 0x7f || (cp >= 0x80 &&
		    cp < 0xa0);
		if (b->len - start + (bad ? 1 : k) > max) {
			buf_puts(b, "...");
			return;
		}
		buf_add(b, bad ? "?" : (const char *)p + i, bad ? 1 : k);
		k += k == 0;
	}
}

/* "HTTP 403: <first non-blank line of the body>" */
static char *
error_text(long status, const char *what, const char *body, size_t len)
{
	struct buf b;
	size_t i = 0, e;

	buf_init(&b);
	buf_printf(&b, "HTTP %ld%s", status, what);
	while (i < len && isspace((unsigned char)body[i]))
		i++;
	for (e = i; e < len && body[e] != '\n' && body[e] != '\r'; e++)
		;
	while (e > i && isspace((unsigned char)body[e - 1]))
		e--;
	if (e > i) {
		buf_puts(&b, ": ");
		put_clean(&b, body + i, e - i, SMS_GW_ERROR_MAX);
	} else
		buf_puts(&b, " (empty answer)");
	return buf_detach(&b);
}

/* Seconds to wait from a Retry-After value, or -1.  An HTTP-date (RFC
 * 9110: IMF-fixdate, RFC 850 or asctime, always GMT) is read by libcurl's
 * locale-independent date parser, which also serves its cookie code. */
static int
retry_after(const char *h, int64_t now)
{
	char *s;
	size_t n;
	int64_t v, t;

	if (h == NULL)
		return -1;
	s = str_trim(xstrdup(h));
	n = strspn(s, "0123456789");
	if (n > 0 && s[n] == '\0') {
		v = n > 10 ? INT_MAX : strtoll(s, NULL, 10);
	} else if (isalpha((unsigned char)*s) &&
	    (t = curl_getdate(s, NULL)) >= 0) {
		v = t - now;
		if (v < 0)
			v = 0;
	} else
		v = -1;
	free(s);
	return v > INT_MAX ? INT_MAX : (int)v;
}

/* Kannel's own success answers: "0: Accepted for delivery", "3: Queued
 * for later delivery" (Kannel keeps retrying itself) and "Sent." (several
 * recipients). */
static int
kannel_ok(const char *body, size_t len)
{
	while (len > 0 && isspace((unsigned char)*body))
		body++, len--;
	return (len >= 2 && (body[0] == '0' || body[0] == '3') &&
	    body[1] == ':') || (len >= 5 && memcmp(body, "Sent.", 5) == 0);
}

/* Sets res->provider_id from group 1 of id_regex; -1 if it does not
 * compile. */
static int
find_id(const struct sms_gw *gw, const char *body, size_t len,
    struct sms_gw_result *res)
{
	regex_t re;
	regmatch_t m[2];
	char *s, *id;
	size_t n;

	if (regcomp(&re, gw->id_regex, REG_EXTENDED) != 0) {
		res->error = xstrdup("id_regex does not compile: no provider "
		    "id");
		return -1;
	}
	s = xstrndup(body, len < SMS_GW_REGEX_MAX ? len : SMS_GW_REGEX_MAX);
	if (re.re_nsub >= 1 && regexec(&re, s, 2, m, 0) == 0 &&
	    m[1].rm_so >= 0 && m[1].rm_eo > m[1].rm_so) {
		n = (size_t)(m[1].rm_eo - m[1].rm_so);
		id = xstrndup(s + m[1].rm_so, n < SMS_GW_ID_MAX ? n :
		    SMS_GW_ID_MAX);
		if (id[strcspn(id, "\r\n\t\"")] == '\0')
			res->provider_id = id;
		else
			free(id);
	}
	if (res->provider_id == NULL)
		res->error = xstrdup("sent, but id_regex did not match the "
		    "answer: no provider id");
	regfree(&re);
	free(s);
	return 0;
}

/* The generic API's success: a listed status and success_match. */
static int
http_ok(const struct sms_gw *gw, long status, const char *body, size_t len,
    struct sms_gw_result *res)
{
	const int *s = gw->success_status != NULL ? gw->success_status :
	    default_success;
	size_t n;

	while (*s != 0 && *s != status)
		s++;
	if (*s == 0)
		return 0;
	if (gw->success_match == NULL ||
	    (n = strlen(gw->success_match)) == 0)
		return 1;
	if (body != NULL && memmem(body, len, gw->success_match, n) != NULL)
		return 1;
	res->error = error_text(status, " without the success text", body,
	    len);
	return 0;
}

int
sms_gw_parse(const struct sms_gw *gw, long status,
    const char *retry_after_header, const char *body, size_t len,
    int64_t now, struct sms_gw_result *res)
{
	int ok;

	memset(res, 0, sizeof *res);
	res->retry_after = -1;
	if (body == NULL)
		len = 0;
	if (status <= 0) {
		res->verdict = SMS_GW_RETRY;
		res->error = xstrdup("no answer from the SMS gateway");
		return 0;
	}
	if (status == 429 || status == 408 || (status >= 500 &&
	    status <= 599)) {
		res->verdict = SMS_GW_RETRY;
		res->retry_after = retry_after(retry_after_header, now);
		res->error = error_text(status, "", body, len);
		return 0;
	}
	if (gw->kind == SMS_GW_KANNEL && (status == 401 || status == 403)) {
		/* Our configuration, not the message: like SMTP's 535. */
		res->verdict = SMS_GW_RETRY;
		res->error = xasprintf("Kannel refused the credentials (%ld): "
		    "check sms.username/password_file", status);
		return 0;
	}
	if (gw->kind == SMS_GW_KANNEL && status >= 200 && status <= 299 &&
	    !kannel_ok(body, len)) {
		/* Not Kannel's answer (a proxy's page, another service on
		 * the port): Kannel did not take the message. */
		res->verdict = SMS_GW_RETRY;
		res->error = error_text(status,
		    " is not Kannel's answer (check sms.url)", body, len);
		return 0;
	}
	if (gw->kind == SMS_GW_KANNEL)
		ok = status >= 200 && status <= 299;
	else
		ok = http_ok(gw, status, body, len, res);
	if (ok) {
		res->verdict = SMS_GW_SENT;
		if (gw->kind == SMS_GW_HTTP && gw->id_regex != NULL)
			return find_id(gw, body, len, res);
		return 0;
	}
	res->verdict = SMS_GW_FAILED;
	if (res->error == NULL)
		res->error = error_text(status, status >= 300 && status <= 399 ?
		    " (redirects are not followed: check the url)" : "", body,
		    len);
	return 0;
}

void
sms_gw_result_free(struct sms_gw_result *res)
{
	if (res == NULL)
		return;
	free(res->provider_id);
	free(res->error);
	memset(res, 0, sizeof *res);
	res->retry_after = -1;
}

/* Strict decimal in [min, max]; -1 if s is anything else. */
static int
parse_num(const char *s, int64_t min, int64_t max, int64_t *out)
{
	size_t n;

	if (s == NULL)
		return -1;
	n = strspn(s, "0123456789");
	if (n == 0 || n > 18 || s[n] != '\0')
		return -1;
	*out = strtoll(s, NULL, 10);
	return *out >= min && *out <= max ? 0 : -1;
}

/* "DLR with a bad NAME", the value quoted: it goes to the log. */
static int
bad_arg(char **cause, const char *name, const char *value)
{
	char *q = str_quote(value != NULL ? value : "", 32);
	int rc;

	rc = set_error(cause, "DLR with a bad %s %s", name, q);
	free(q);
	return rc;
}

int
sms_gw_parse_dlr(const char *id, const char *status, const char *answer,
    struct sms_gw_dlr *out, char **cause)
{
	const char *what;
	struct buf b;
	int64_t v;

	memset(out, 0, sizeof *out);
	if (parse_num(id, 1, INT64_MAX, &out->id) != 0)
		return bad_arg(cause, "id", id);
	if (parse_num(status, 1, 255, &v) != 0)
		return bad_arg(cause, "status", status);
	if (v & 1)
		out->delivered = 1, what = "delivered";
	else if (v & 16)
		out->delivered = 0, what = "smsc rejected";
	else if (v & 2)
		out->delivered = 0, what = "failed";
	else if (v & 8)
		out->delivered = -1, what = "smsc accepted";
	else if (v & 4)
		out->delivered = -1, what = "buffered";
	else
		return set_error(cause, "DLR with an unknown status %" PRId64,
		    v);
	out->status = (int)v;
	buf_init(&b);
	buf_printf(&b, "%s (kannel dlr %d)", what, out->status);
	if (!str_empty(answer)) {
		buf_puts(&b, ": ");
		put_clean(&b, answer, strlen(answer), SMS_GW_ERROR_MAX);
	}
	out->detail = buf_detach(&b);
	return 0;
}

void
sms_gw_dlr_free(struct sms_gw_dlr *d)
{
	if (d == NULL)
		return;
	free(d->detail);
	memset(d, 0, sizeof *d);
}

/* test_mime.c - unit tests for the RFC 5322 / MIME message builder.
 *
 * Messages are checked with decoders written here independently of
 * mime.c (header splitter, RFC 2047, base64, quoted-printable), and, when
 * tests/mime_check.py and python3 can be found, with Python's email
 * package as well. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "mime.h"
#include "utf8.h"
#include "util.h"

#define INJECT "x\r\nBcc: evil@example.test"
#define MSGID "birthday.123.2026-11-23.email@outreachd.example"
#define LINAME "\xe6\x9d\x8e\xe5\xa8\x9c \xc2\xb7 Acme" /* 李娜 · Acme */
#define ZH_SUBJECT "\xe7\x94\x9f\xe6\x97\xa5\xe5\xbf\xab\xe4\xb9\x90\xef" \
	"\xbc\x8c\xe6\x9d\x8e\xe5\xa8\x9c\xef\xbc\x81" /* 生日快乐，李娜！ */
#define ZH_LINE "\xe7\xa5\x9d\xe6\x82\xa8\xe7\x94\x9f\xe6\x97\xa5\xe5\xbf" \
	"\xab\xe4\xb9\x90\xef\xbc\x81" /* 祝您生日快乐！ */

#define TEXT_HDRS(cte) "Content-Type: text/plain; charset=UTF-8\r\n" \
	"Content-Transfer-Encoding: " cte "\r\n\r\n"
#define HTML_HDRS(cte) "Content-Type: text/html; charset=UTF-8\r\n" \
	"Content-Transfer-Encoding: " cte "\r\n\r\n"

static const char *const default_extra[] = {
	"X-Outreachd-Key: birthday.123.2026-11-23.email", NULL,
};

struct hdrs {
	size_t n;
	char *name[64];
	char *value[64]; /* unfolded: CRLF removed, the WSP after it kept */
};

/* A fully populated ASCII message; tests change single fields. */
static void
msg_default(struct mime_msg *m)
{
	memset(m, 0, sizeof *m);
	m->from_name = "Acme Customer Care";
	m->from_addr = "care@acme.example";
	m->to_name = "Smith, John";
	m->to_addr = "john.smith@example.test";
	m->reply_to = "help@acme.example";
	m->subject = "Happy birthday, John!";
	m->text = "Dear John,\n\nHappy birthday from all of us at Acme.\n.\n"
	    "See you soon!\n";
	m->message_id = MSGID;
	m->date = 1795424400; /* Mon, 23 Nov 2026 09:00:00 UTC */
	m->list_unsubscribe_url = "https://acme.example/unsubscribe?k=b.123";
	m->list_unsubscribe_mailto = "mailto:unsubscribe@acme.example";
	m->extra_headers = default_extra;
}

/* Asserts the invariants every built message must meet: CRLF only, no
 * NUL, 7-bit, header lines within 78, other lines within 76 (every body
 * here is 7bit-short, QP or base64), ending in CRLF. */
static void
check_lines(const char *s, size_t len)
{
	size_t i, col = 0;
	int in_headers = 1;

	assert_int_equal(strlen(s), len);
	assert_true(len >= 2 && s[len - 2] == '\r' && s[len - 1] == '\n');
	for (i = 0; i < len; i++) {
		assert_true((unsigned char)s[i] < 0x80);
		if (s[i] == '\r') {
			assert_int_equal(s[i + 1], '\n');
			if (col == 0)
				in_headers = 0;
			col = 0;
			i++;
			continue;
		}
		assert_int_not_equal(s[i], '\n');
		col++;
		assert_true(col <= (in_headers ? MIME_LINE_SOFT :
		    MIME_BODY_LINE));
	}
}

/* Builds m, which must succeed, and checks the line invariants. */
static char *
build_ok(const struct mime_msg *m, size_t *lenp)
{
	char *out = NULL, *cause = NULL;
	size_t len = 0;

	if (mime_build(m, &out, &len, &cause) != 0)
		fail_msg("mime_build: %s", cause);
	assert_null(cause);
	check_lines(out, len);
	if (lenp != NULL)
		*lenp = len;
	return out;
}

/* Builds m, which must fail with a cause containing want and leave *out
 * alone. */
static void
build_fail(const struct mime_msg *m, const char *want)
{
	char sentinel[] = "untouched", *out = sentinel, *cause = NULL;
	size_t len = 12345;

	assert_int_equal(mime_build(m, &out, &len, &cause), -1);
	assert_ptr_equal(out, sentinel);
	assert_int_equal(len, 12345);
	assert_non_null(cause);
	if (strstr(cause, want) == NULL)
		fail_msg("cause \"%s\" lacks \"%s\"", cause, want);
	assert_null(strchr(cause, '\r'));
	assert_null(strchr(cause, '\n'));
	free(cause);
}

#define FIELD(f) offsetof(struct mime_msg, f)

/* A default message with the string field at offset off set to value must
 * fail with a cause containing want. */
struct bad_field {
	size_t off;
	const char *value;
	const char *want;
};

static void
check_bad_fields(const struct bad_field *bad, size_t n)
{
	struct mime_msg m;
	size_t i;

	for (i = 0; i < n; i++) {
		msg_default(&m);
		memcpy((char *)&m + bad[i].off, &bad[i].value,
		    sizeof bad[i].value);
		build_fail(&m, bad[i].want);
	}
}

/* Splits the header section into unfolded name/value pairs. */
static void
hdrs_parse(struct hdrs *h, const char *msg)
{
	const char *p = msg, *eol, *colon, *v;
	char *joined;

	h->n = 0;
	while ((eol = strstr(p, "\r\n")) != NULL && eol != p) {
		if (*p == ' ' || *p == '\t') {
			assert_true(h->n > 0);
			/* A blank continuation line is forbidden. */
			assert_true(strspn(p, " \t") < (size_t)(eol - p));
			joined = xasprintf("%s%.*s", h->value[h->n - 1],
			    (int)(eol - p), p);
			free(h->value[h->n - 1]);
			h->value[h->n - 1] = joined;
		} else {
			assert_true(h->n < ARRAY_SIZE(h->name));
			colon = memchr(p, ':', (size_t)(eol - p));
			assert_non_null(colon);
			for (v = colon + 1; *v == ' '; v++)
				;
			h->name[h->n] = xstrndup(p, (size_t)(colon - p));
			h->value[h->n] = xstrndup(v, (size_t)(eol - v));
			h->n++;
		}
		p = eol + 2;
	}
	assert_non_null(eol);
}

static void
hdrs_free(struct hdrs *h)
{
	size_t i;

	for (i = 0; i < h->n; i++) {
		free(h->name[i]);
		free(h->value[i]);
	}
	h->n = 0;
}

static size_t
hdrs_count(const struct hdrs *h, const char *name)
{
	size_t i, n = 0;

	for (i = 0; i < h->n; i++)
		n += strcasecmp(h->name[i], name) == 0;
	return n;
}

/* Value of the only header called name. */
static const char *
hdrs_get(const struct hdrs *h, const char *name)
{
	size_t i;

	assert_int_equal(hdrs_count(h, name), 1);
	for (i = 0; i < h->n; i++) {
		if (strcasecmp(h->name[i], name) == 0)
			return h->value[i];
	}
	return NULL;
}

/* Asserts one of each header we write and no recipient header. */
static void
check_single(const struct hdrs *h)
{
	static const char *const once[] = {
		"Date", "From", "To", "Subject", "Message-ID", "MIME-Version",
		"Content-Type", "Content-Transfer-Encoding",
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(once); i++)
		assert_int_equal(hdrs_count(h, once[i]), 1);
	assert_int_equal(hdrs_count(h, "Bcc"), 0);
	assert_int_equal(hdrs_count(h, "Cc"), 0);
}

/* Occurrences of needle in s. */
static size_t
count(const char *s, const char *needle)
{
	size_t n = 0;

	while ((s = strstr(s, needle)) != NULL) {
		n++;
		s++;
	}
	return n;
}

static int
b64_value(int c)
{
	const char *a =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const char *p = c != '\0' ? strchr(a, c) : NULL;

	return p != NULL ? (int)(p - a) : -1;
}

/* Decodes base64, skipping CRLF, failing the test on anything else. */
static char *
b64_decode(const char *s, size_t n)
{
	struct buf b;
	uint32_t acc = 0;
	size_t i;
	int bits = 0, v;

	buf_init(&b);
	for (i = 0; i < n && s[i] != '='; i++) {
		if (s[i] == '\r' || s[i] == '\n')
			continue;
		v = b64_value((unsigned char)s[i]);
		assert_true(v >= 0);
		acc = (acc << 6) | (uint32_t)v;
		if ((bits += 6) >= 8) {
			bits -= 8;
			buf_addc(&b, (char)((acc >> bits) & 0xff));
		}
	}
	return buf_detach(&b);
}

/* Decodes quoted-printable, checking that escapes are well formed. */
static char *
qp_decode(const char *s, size_t n)
{
	struct buf b;
	char hex[3] = { 0 };
	size_t i;

	buf_init(&b);
	for (i = 0; i < n; i++) {
		if (s[i] != '=') {
			buf_addc(&b, s[i]);
			continue;
		}
		assert_true(i + 2 < n);
		if (s[i + 1] == '\r') {
			assert_int_equal(s[i + 2], '\n');
		} else {
			memcpy(hex, s + i + 1, 2);
			assert_non_null(strchr("0123456789ABCDEF", hex[0]));
			assert_non_null(strchr("0123456789ABCDEF", hex[1]));
			buf_addc(&b, (char)strtol(hex, NULL, 16));
		}
		i += 2;
	}
	return buf_detach(&b);
}

/* Decodes a header value of RFC 2047 B encoded-words and plain words,
 * checking each encoded-word's length and that it decodes to whole UTF-8
 * characters on its own. */
static char *
ew_decode(const char *v)
{
	struct buf b;
	const char *sp;
	char *chunk;
	size_t n;
	int prev_ew = 0, ew;

	buf_init(&b);
	while (*v != '\0') {
		sp = strchr(v, ' ');
		n = sp != NULL ? (size_t)(sp - v) : strlen(v);
		ew = n > 12 && strncmp(v, "=?UTF-8?B?", 10) == 0 &&
		    strncmp(v + n - 2, "?=", 2) == 0;
		if (ew) {
			assert_true(n <= 75);
			chunk = b64_decode(v + 10, n - 12);
			assert_true(utf8_valid(chunk, strlen(chunk), NULL));
			buf_puts(&b, chunk);
			free(chunk);
		} else {
			if (b.len > 0 || prev_ew)
				buf_addc(&b, ' ');
			buf_add(&b, v, n);
		}
		prev_ew = ew;
		v += n;
		while (*v == ' ')
			v++;
	}
	return buf_detach(&b);
}

/* Path of tests/mime_check.py (caller frees) if it and python3 can be
 * found: automake exports top_srcdir, a manual run starts at the top. */
static char *
python_script(void)
{
	const char *top = getenv("top_srcdir");
	char *script;

	script = xasprintf("%s/tests/mime_check.py", top != NULL ? top : ".");
	if (access(script, R_OK) != 0 ||
	    system("command -v python3 >/dev/null 2>&1") != 0) {
		free(script);
		return NULL;
	}
	return script;
}

/* Runs mime_check.py on the message built from m and checks its exit
 * status and that its JSON output contains every want string. */
static void
python_check(const char *script, const struct mime_msg *m,
    const char *const *want)
{
	char *msg, *cmd, tmpl[] = "/tmp/test_mime.XXXXXX", line[8192];
	struct buf json;
	size_t len;
	FILE *fp;
	int fd, status;

	msg = build_ok(m, &len);
	assert_true((fd = mkstemp(tmpl)) >= 0);
	assert_int_equal(write(fd, msg, len), (ssize_t)len);
	close(fd);
	cmd = xasprintf("python3 '%s' '%s'", script, tmpl);
	assert_non_null(fp = popen(cmd, "r"));
	buf_init(&json);
	while (fgets(line, sizeof line, fp) != NULL)
		buf_puts(&json, line);
	status = pclose(fp);
	unlink(tmpl);
	assert_int_equal(status, 0);
	assert_non_null(strstr(json.data, "\"defects\": []"));
	for (; *want != NULL; want++) {
		if (strstr(json.data, *want) == NULL)
			fail_msg("mime_check.py output lacks %s", *want);
	}
	buf_free(&json);
	free(cmd);
	free(msg);
}

/* Builds m and checks that it has one of each header we write and that
 * header name decodes to want. */
static void
check_decoded(const struct mime_msg *m, const char *name, const char *want)
{
	struct hdrs h;
	char *out, *s;

	out = build_ok(m, NULL);
	hdrs_parse(&h, out);
	check_single(&h);
	s = ew_decode(hdrs_get(&h, name));
	assert_string_equal(s, want);
	free(s);
	hdrs_free(&h);
	free(out);
}

static void
test_ascii_golden(void **state)
{
	static const char golden[] =
	    "Date: Mon, 23 Nov 2026 09:00:00 +0000\r\n"
	    "From: Acme Customer Care <care@acme.example>\r\n"
	    "To: \"Smith, John\" <john.smith@example.test>\r\n"
	    "Reply-To: help@acme.example\r\n"
	    "Subject: Happy birthday, John!\r\n"
	    "Message-ID: <" MSGID ">\r\n"
	    "List-Unsubscribe: <https://acme.example/unsubscribe?k=b.123>,\r\n"
	    " <mailto:unsubscribe@acme.example>\r\n"
	    "List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n"
	    "X-Outreachd-Key: birthday.123.2026-11-23.email\r\n"
	    "MIME-Version: 1.0\r\n"
	    "Content-Type: text/plain; charset=UTF-8\r\n"
	    "Content-Transfer-Encoding: 7bit\r\n"
	    "\r\n"
	    "Dear John,\r\n"
	    "\r\n"
	    "Happy birthday from all of us at Acme.\r\n"
	    ".\r\n"
	    "See you soon!\r\n";
	struct mime_msg m;
	size_t len;
	char *out;

	(void)state;
	msg_default(&m);
	out = build_ok(&m, &len);
	assert_string_equal(out, golden);
	free(out);
}

static void
test_minimal(void **state)
{
	struct mime_msg m;
	char *out;

	(void)state;
	memset(&m, 0, sizeof m);
	m.from_addr = "a@b.example";
	m.to_addr = "c@d.example";
	m.message_id = "x@y";
	m.text = "";
	out = build_ok(&m, NULL);
	assert_string_equal(out, "Date: Thu, 01 Jan 1970 00:00:00 +0000\r\n"
	    "From: a@b.example\r\nTo: c@d.example\r\nSubject:\r\n"
	    "Message-ID: <x@y>\r\nMIME-Version: 1.0\r\n"
	    "Content-Type: text/plain; charset=UTF-8\r\n"
	    "Content-Transfer-Encoding: 7bit\r\n\r\n\r\n");
	free(out);
}

static void
test_chinese(void **state)
{
	struct mime_msg m;
	struct hdrs h;
	const char *body;
	char *out, *s;
	size_t len;

	(void)state;
	msg_default(&m);
	m.from_name = LINAME;
	m.to_name = "\xe7\x8e\x8b\xe5\xb0\x8f\xe6\x98\x8e"; /* 王小明 */
	m.subject = ZH_SUBJECT;
	m.text = ZH_LINE "\n\n" ZH_LINE "\n";
	out = build_ok(&m, &len);
	assert_non_null(strstr(out, "From: =?UTF-8?B?5p2O5aicIMK3IEFjbWU=?= "
	    "<care@acme.example>\r\n"));
	check_decoded(&m, "Subject", ZH_SUBJECT);
	check_decoded(&m, "To", "\xe7\x8e\x8b\xe5\xb0\x8f\xe6\x98\x8e "
	    "<john.smith@example.test>");
	hdrs_parse(&h, out);
	assert_string_equal(hdrs_get(&h, "Content-Transfer-Encoding"),
	    "base64");
	body = strstr(out, "\r\n\r\n") + 4;
	s = b64_decode(body, strlen(body));
	assert_string_equal(s, ZH_LINE "\r\n\r\n" ZH_LINE "\r\n");
	free(s);
	hdrs_free(&h);
	free(out);
}

static void
test_multipart(void **state)
{
#define BD "=_outreachd_2e9189d21e26bafd29b561c2f3c3631f"
	static const char golden[] =
	    "MIME-Version: 1.0\r\n"
	    "Content-Type: multipart/alternative;\r\n"
	    " boundary=\"" BD "\"\r\n"
	    "Content-Transfer-Encoding: 7bit\r\n"
	    "\r\n"
	    "--" BD "\r\n"
	    TEXT_HDRS("7bit")
	    "Dear John,\r\n"
	    "\r\n"
	    "Happy birthday from all of us at Acme.\r\n"
	    ".\r\n"
	    "See you soon!\r\n"
	    "\r\n"
	    "--" BD "\r\n"
	    HTML_HDRS("base64")
	    "PHA+56Wd5oKo55Sf5pel5b+r5LmQ77yBPC9wPg0K\r\n"
	    "\r\n"
	    "--" BD "--\r\n";
#undef BD
	struct mime_msg m;
	struct hdrs h;
	char *out, *s;

	(void)state;
	msg_default(&m);
	m.html = "<p>" ZH_LINE "</p>\n";
	out = build_ok(&m, NULL);
	hdrs_parse(&h, out);
	check_single(&h);
	/* The boundary comes from the Message-ID: the output is reproducible. */
	assert_string_equal(strstr(out, "MIME-Version:"), golden);
	s = b64_decode("PHA+56Wd5oKo55Sf5pel5b+r5LmQ77yBPC9wPg0K", 40);
	assert_string_equal(s, "<p>" ZH_LINE "</p>\r\n");
	free(s);
	hdrs_free(&h);
	free(out);
}

static void
test_boundary_collision(void **state)
{
	struct mime_msg m;
	struct hdrs h;
	char *out, *text, *bd, *bd2;

	(void)state;
	msg_default(&m);
	m.html = "<p>Hi</p>\n";
	out = build_ok(&m, NULL);
	hdrs_parse(&h, out);
	bd = xstrndup(strstr(hdrs_get(&h, "Content-Type"), "=_"), 44);
	hdrs_free(&h);
	free(out);
	/* A 7bit text holding the first choice forces another boundary. */
	text = xasprintf("Hi\n--%s\n", bd);
	m.text = text;
	out = build_ok(&m, NULL);
	hdrs_parse(&h, out);
	bd2 = xstrndup(strstr(hdrs_get(&h, "Content-Type"), "=_"), 44);
	assert_string_not_equal(bd, bd2);
	assert_int_equal(count(out, bd), 1);  /* in the text only */
	assert_int_equal(count(out, bd2), 4); /* header and 3 delimiters */
	hdrs_free(&h);
	free(bd2);
	free(bd);
	free(text);
	free(out);
}

static void
test_long_subject(void **state)
{
	struct mime_msg m;
	struct buf zh, ascii;
	char *out, *long_word;
	int i;

	(void)state;
	buf_init(&zh);
	buf_init(&ascii);
	for (i = 0; i < 20; i++) {
		buf_puts(&zh, ZH_SUBJECT "\xf0\x9f\x8e\x82"); /* 🎂 */
		buf_printf(&ascii, "%sword%d", i > 0 ? " " : "", i * 1000);
	}
	msg_default(&m);
	/* Plain words fold at their spaces and unfold to the original. */
	m.subject = ascii.data;
	out = build_ok(&m, NULL);
	assert_null(strstr(out, "=?"));
	assert_non_null(strstr(out, "\r\n word"));
	free(out);
	check_decoded(&m, "Subject", ascii.data);
	/* CJK and emoji become several encoded-words, none splitting one. */
	m.subject = zh.data;
	check_decoded(&m, "Subject", zh.data);
	/* A word too long to fold is encoded so that it can be cut. */
	long_word = xasprintf("Hi %0500d", 7);
	m.subject = long_word;
	check_decoded(&m, "Subject", long_word);
	free(long_word);
	buf_free(&zh);
	buf_free(&ascii);
}

static void
test_injection(void **state)
{
	static const struct bad_field refused[] = {
		{ FIELD(from_addr), "a@b.example" INJECT, "invalid from" },
		{ FIELD(to_addr), "a@b.example" INJECT, "invalid to" },
		{ FIELD(reply_to), "a@b.example" INJECT, "invalid reply-to" },
		{ FIELD(message_id), "a@b.example" INJECT, "invalid message" },
		{ FIELD(list_unsubscribe_url), "https://a.example/" INJECT,
		    "invalid list-unsubscribe URL" },
		{ FIELD(list_unsubscribe_url), "https://a.example/\nx",
		    "invalid list-unsubscribe URL" },
		{ FIELD(list_unsubscribe_mailto), "mailto:a@b.example" INJECT,
		    "invalid list-unsubscribe mailto" },
	};
	const char *bad_extra[] = { "X-Key: " INJECT, NULL };
	const char *bad_name[] = { INJECT ": v", NULL };
	struct mime_msg m;
	struct hdrs h;
	char *out;

	(void)state;
	msg_default(&m);
	m.from_name = INJECT;
	check_decoded(&m, "From",
	    "\"x Bcc: evil@example.test\" <care@acme.example>");
	msg_default(&m);
	m.to_name = INJECT;
	check_decoded(&m, "To",
	    "\"x Bcc: evil@example.test\" <john.smith@example.test>");
	msg_default(&m);
	m.subject = INJECT;
	check_decoded(&m, "Subject", "x Bcc: evil@example.test");
	/* Unicode line breaks, NEL, tabs and lone CR or LF are spaces too. */
	m.subject = "a\rb\nc\td\xc2\x85" "e\xe2\x80\xa8" "f\x1b" "g\x7fh";
	check_decoded(&m, "Subject", "a b c d e f g h");
	m.subject = "\r\n \r\n";
	check_decoded(&m, "Subject", "");
	/* Bodies may say anything: it stays in the body. */
	msg_default(&m);
	m.text = INJECT "\n\r\n\r\nBcc: evil@example.test\n";
	m.html = INJECT "\r\n\r\n";
	out = build_ok(&m, NULL);
	hdrs_parse(&h, out);
	check_single(&h);
	hdrs_free(&h);
	free(out);
	/* Everything else is refused. */
	check_bad_fields(refused, ARRAY_SIZE(refused));
	msg_default(&m);
	m.extra_headers = bad_extra;
	build_fail(&m, "extra header 0: control or non-ASCII character");
	m.extra_headers = bad_name;
	build_fail(&m, "extra header 0: invalid character in name");
}

/* Asserts mime_addr_valid() of the formatted address. */
static void PRINTFLIKE(2, 3)
addr_expect(int want, const char *fmt, ...)
{
	va_list ap;
	char *addr;

	va_start(ap, fmt);
	addr = xvasprintf(fmt, ap);
	va_end(ap);
	assert_int_equal(mime_addr_valid(addr), want);
	free(addr);
}

static void
test_addr_valid(void **state)
{
	static const char *const good[] = {
		"a@b", "john.smith@example.test", "x+tag@sub.example.co.uk",
		"o'brien@example.test", "!#$%&'*+-/=?^_`{|}~@example.test",
		"a@[192.0.2.1]", "a@[IPv6:2001:db8::1]", "a@xn--fsqu00a.example",
	};
	static const char *const bad[] = {
		"", "a", "@b", "a@", "a@@b", "a@b@c", "a b@c", "a@b c",
		"<a@b>", "a@b>", "\"a b\"@c", ".a@b", "a.@b", "a..b@c",
		"a@.b", "a@b.", "a@b..c", "a@-b", "a@b-", "a@b_c", "a@[1.2",
		"a@[]", "a\r\n@b", "a@b\r\n", "a@b\n", "a\t@b", "a@b\x7f",
		"\xe6\x9d\x8e@b", "a@\xe6\x9d\x8e.example", "a,b@c", "a;b@c",
		"a@b;c", "a(b)@c", "a\\b@c",
	};
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(good); i++) {
		if (!mime_addr_valid(good[i]))
			fail_msg("rejected %s", good[i]);
	}
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		if (mime_addr_valid(bad[i]))
			fail_msg("accepted bad address %zu", i);
	}
	assert_false(mime_addr_valid(NULL));
	/* Length limits: 64 for the local part, 63 a label, 254 in all. */
	addr_expect(1, "%064d@b", 0);
	addr_expect(0, "%065d@b", 0);
	addr_expect(1, "a@%063d.example", 0);
	addr_expect(0, "a@%064d.example", 0);
	addr_expect(1, "%064d@%063d.%063d.%061d", 0, 0, 0, 0); /* 254 */
	addr_expect(0, "%064d@%063d.%063d.%062d", 0, 0, 0, 0);
}

static void
test_validation(void **state)
{
	static const struct bad_field bad[] = {
#define BAD_ID(id) { FIELD(message_id), id, "invalid message id" }
		BAD_ID(NULL), BAD_ID(""), BAD_ID("nodomain"), BAD_ID("<a@b>"),
		BAD_ID("a b@c"), BAD_ID("a@b c"), BAD_ID("a@@b"),
		BAD_ID("a@b@c"), BAD_ID(".a@b"), BAD_ID("a..b@c"),
		BAD_ID("a@b."), BAD_ID("a\r@b"), BAD_ID("\xe6\x9d\x8e@b"),
#undef BAD_ID
#define BAD_URL(url) { FIELD(list_unsubscribe_url), url, "invalid list-" }
		BAD_URL("ftp://acme.example/u"), BAD_URL("https://"),
		BAD_URL("http://"), BAD_URL("mailto:a@b.example"),
		BAD_URL("https://acme.example/u v"),
		BAD_URL("https://acme.example/u>, <https://x"),
#undef BAD_URL
		{ FIELD(list_unsubscribe_mailto), "unsubscribe@acme.example",
		    "invalid list-unsubscribe mailto" },
		{ FIELD(from_addr), NULL, "invalid from address" },
		{ FIELD(to_addr), "john smith@example.test", "invalid to" },
		{ FIELD(text), NULL, "message has no text" },
		{ FIELD(text), "\xed\xa0\x80", "text is not valid UTF-8" },
		{ FIELD(html), "\xe6\x9d", "html is not valid UTF-8" },
		{ FIELD(subject), "bad \xff", "subject is not valid UTF-8" },
		{ FIELD(from_name), "\xc0\x80", "from name is not valid" },
		{ FIELD(to_name), "\xf4\x90\x80\x80", "to name is not valid" },
	};
	struct mime_msg m;
	char *s;

	(void)state;
	check_bad_fields(bad, ARRAY_SIZE(bad));
	msg_default(&m);
	s = xasprintf("%0250d@b", 0);
	m.message_id = s;
	build_fail(&m, "invalid message id");
	free(s);
	msg_default(&m);
	m.date = -1;
	build_fail(&m, "date -1 out of range");
	m.date = INT64_C(253402300800);
	build_fail(&m, "out of range");
	m.date = INT64_C(253402300799);
	free(build_ok(&m, NULL));
}

static void
test_unsubscribe(void **state)
{
	struct mime_msg m;
	struct hdrs h;
	char *out;

	(void)state;
	msg_default(&m);
	/* One-click (RFC 8058) only for https; plain http for test setups. */
	m.list_unsubscribe_url = "http://127.0.0.1:8080/u?t=1";
	m.list_unsubscribe_mailto = NULL;
	out = build_ok(&m, NULL);
	hdrs_parse(&h, out);
	assert_string_equal(hdrs_get(&h, "List-Unsubscribe"),
	    "<http://127.0.0.1:8080/u?t=1>");
	assert_int_equal(hdrs_count(&h, "List-Unsubscribe-Post"), 0);
	hdrs_free(&h);
	free(out);
	m.list_unsubscribe_url = "HTTPS://acme.example/u";
	out = build_ok(&m, NULL);
	hdrs_parse(&h, out);
	assert_string_equal(hdrs_get(&h, "List-Unsubscribe-Post"),
	    "List-Unsubscribe=One-Click");
	hdrs_free(&h);
	free(out);
	m.list_unsubscribe_url = NULL;
	m.list_unsubscribe_mailto = "mailto:u@acme.example?subject=stop";
	out = build_ok(&m, NULL);
	hdrs_parse(&h, out);
	assert_string_equal(hdrs_get(&h, "List-Unsubscribe"),
	    "<mailto:u@acme.example?subject=stop>");
	assert_int_equal(hdrs_count(&h, "List-Unsubscribe-Post"), 0);
	hdrs_free(&h);
	free(out);
	m.list_unsubscribe_mailto = NULL;
	out = build_ok(&m, NULL);
	hdrs_parse(&h, out);
	assert_int_equal(hdrs_count(&h, "List-Unsubscribe"), 0);
	hdrs_free(&h);
	free(out);
}

static void
test_extra_headers(void **state)
{
	static const char *const bad[][2] = {
		{ "X-Key: a\r\nBcc: evil@example.test", "control" },
		{ "X-Key: a\nb", "control" }, { "X-Key: a\rb", "control" },
		{ "X-Key: caf\xc3\xa9", "non-ASCII" }, { "X-Key", "no name" },
		{ ": v", "no name" }, { "X Key: v", "invalid character" },
		{ "From: x@y.example", "reserved" },
		{ "bcc: x@y.example", "reserved" },
		{ "Cc: x@y.example", "reserved" },
		{ "Sender: x@y.example", "reserved" },
		{ "CONTENT-TYPE: text/html", "reserved" },
		{ "Content-Disposition: inline", "reserved" },
		{ "List-Unsubscribe: <https://x>", "reserved" },
	};
	const char *extra[3] = { NULL, NULL, NULL };
	struct mime_msg m;
	struct hdrs h;
	struct buf v;
	char *out, *s;
	size_t i;

	(void)state;
	msg_default(&m);
	m.extra_headers = extra;
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		extra[0] = bad[i][0];
		build_fail(&m, bad[i][1]);
	}
	/* The index in the cause names the culprit. */
	extra[0] = "X-Ok: 1";
	extra[1] = "X-Bad: \x01";
	build_fail(&m, "extra header 1:");
	/* Blanks around the value go; a long value folds at its spaces. */
	buf_init(&v);
	for (i = 0; i < 30; i++)
		buf_puts(&v, " token");
	s = xasprintf("X-Long:\t%s \t", v.data);
	extra[0] = s;
	extra[1] = "Precedence:bulk";
	out = build_ok(&m, NULL);
	hdrs_parse(&h, out);
	assert_string_equal(hdrs_get(&h, "X-Long"), v.data + 1);
	assert_string_equal(hdrs_get(&h, "Precedence"), "bulk");
	hdrs_free(&h);
	free(out);
	/* Runs of blanks stay whole: folds go before the first blank only. */
	free(s);
	s = xasprintf("X-Gap: %060d%30sb \t c", 0, "");
	extra[0] = s;
	extra[1] = NULL;
	out = build_ok(&m, NULL);
	hdrs_parse(&h, out);
	assert_string_equal(hdrs_get(&h, "X-Gap"), s + 7);
	assert_non_null(strstr(out, "0\r\n                              b"));
	hdrs_free(&h);
	free(out);
	free(s);
	/* A value that cannot fold within 998 characters is refused. */
	s = xasprintf("X-Long: %01000d", 0);
	extra[0] = s;
	extra[1] = NULL;
	build_fail(&m, "X-Long header line too long");
	free(s);
	buf_free(&v);
}

static void
test_body_encoding(void **state)
{
	struct mime_msg m;
	struct hdrs h;
	struct buf text;
	const char *body;
	char *out, *s, *expect;
	size_t len;
	int i;

	(void)state;
	msg_default(&m);
	/* Long lines, '=', trailing blanks and "From " need QP. */
	buf_init(&text);
	buf_puts(&text, "caf\xc3\xa9 ");
	for (i = 0; i < 40; i++)
		buf_puts(&text, "long line of ascii text ");
	buf_puts(&text, "\n=x= \nFrom me\n.\n\tend\t\n");
	m.text = text.data;
	out = build_ok(&m, &len);
	hdrs_parse(&h, out);
	assert_string_equal(hdrs_get(&h, "Content-Transfer-Encoding"),
	    "quoted-printable");
	body = strstr(out, "\r\n\r\n") + 4;
	assert_non_null(strstr(body, "\r\n=3Dx=3D=20\r\n=46rom me\r\n.\r\n"
	    "\tend=09\r\n"));
	s = qp_decode(body, strlen(body));
	expect = xasprintf("%.*s\r\n=x= \r\nFrom me\r\n.\r\n\tend\t\r\n",
	    (int)(strchr(text.data, '\n') - text.data), text.data);
	assert_string_equal(s, expect);
	free(expect);
	free(s);
	hdrs_free(&h);
	free(out);
	/* Bare CR, LF and CRLF all become CRLF; short ASCII stays 7bit. */
	m.text = "a\rb\nc\r\nd\n\re";
	out = build_ok(&m, NULL);
	assert_non_null(strstr(out, "7bit\r\n\r\na\r\nb\r\nc\r\nd\r\n\r\ne\r\n"));
	assert_int_equal(out[strlen(out) - 3], 'e');
	free(out);
	/* A long CJK body is base64, shorter than QP would be. */
	buf_reset(&text);
	for (i = 0; i < 30; i++)
		buf_puts(&text, ZH_LINE);
	buf_puts(&text, "\n");
	m.text = text.data;
	out = build_ok(&m, NULL);
	hdrs_parse(&h, out);
	assert_string_equal(hdrs_get(&h, "Content-Transfer-Encoding"),
	    "base64");
	body = strstr(out, "\r\n\r\n") + 4;
	assert_int_equal(strchr(body, '\r') - body, 76);
	s = b64_decode(body, strlen(body));
	text.data[text.len - 1] = '\0';
	expect = xasprintf("%s\r\n", text.data);
	assert_string_equal(s, expect);
	free(expect);
	free(s);
	hdrs_free(&h);
	free(out);
	buf_free(&text);
}

static void
test_encode_phrase(void **state)
{
	static const char *const phrase[][2] = {
		{ "John Smith", "John Smith" },
		{ "Smith, John", "\"Smith, John\"" },
		{ "John Q. Public", "\"John Q. Public\"" },
		{ "a\"b\\c", "\"a\\\"b\\\\c\"" },
		{ "  Ann \t  Lee \r\n", "Ann Lee" },
		{ "", "" },
		{ " \r\n ", "" },
		{ "\xe6\x9d\x8e\xe5\xa8\x9c", "=?UTF-8?B?5p2O5aic?=" },
		{ "=?UTF-8?B?QQ==?=", "=?UTF-8?B?PT9VVEYtOD9CP1FRPT0/PQ==?=" },
		{ "\xff", "=?UTF-8?B?77+9?=" }, /* U+FFFD */
	};
	static const char *const unstructured[][2] = {
		{ "Smith, John: hi!", "Smith, John: hi!" },
		{ "a\r\nb", "a b" },
		{ "caf\xc3\xa9", "=?UTF-8?B?Y2Fmw6k=?=" },
	};
	struct buf in;
	char *s, *d;
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(phrase); i++) {
		s = mime_encode_phrase(phrase[i][0]);
		assert_string_equal(s, phrase[i][1]);
		free(s);
	}
	s = mime_encode_phrase(NULL);
	assert_string_equal(s, "");
	free(s);
	for (i = 0; i < ARRAY_SIZE(unstructured); i++) {
		s = mime_encode_unstructured(unstructured[i][0]);
		assert_string_equal(s, unstructured[i][1]);
		free(s);
	}
	/* Long text: words of at most 75, each whole UTF-8. */
	buf_init(&in);
	for (i = 0; i < 50; i++)
		buf_puts(&in, "\xc3\xa9\xe6\x9d\x8e\xf0\x9f\x8e\x82x");
	s = mime_encode_unstructured(in.data);
	assert_null(strchr(s, '\r'));
	d = ew_decode(s);
	assert_string_equal(d, in.data);
	free(d);
	free(s);
	buf_free(&in);
}

/* Cross-checks with an independent parser, Python's email package. */
static void
test_python(void **state)
{
	static const char *const ascii[] = {
		"\"to_name\": \"Smith, John\"",
		"\"subject\": \"Happy birthday, John!\"",
		"\"text\": \"Dear John,\\n\\nHappy birthday",
		"\"list_unsubscribe_post\": \"List-Unsubscribe=One-Click\"", NULL,
	};
	static const char *const zh[] = {
		"\"from_name\": \"" LINAME "\"",
		"\"to_name\": \"" ZH_SUBJECT ZH_SUBJECT ZH_SUBJECT ZH_SUBJECT,
		"\"subject\": \"" ZH_SUBJECT ZH_SUBJECT ZH_SUBJECT ZH_SUBJECT,
		"\"text\": \"" ZH_LINE "\\n\\n" ZH_LINE "\\n\"", NULL,
	};
	static const char *const multi[] = {
		"\"content_type\": \"multipart/alternative\"",
		"\"html\": \"<p>" ZH_LINE "</p>\\n\"",
		"\"text\": \"a=b \\nFrom me\\n.\\n\"", NULL,
	};
	static const char *const inject[] = {
		"\"from_name\": \"x Bcc: evil@example.test\"",
		"\"to_name\": \"a\\\"b\\\\c\"",
		"\"subject\": \"x Bcc: evil@example.test\"", NULL,
	};
	struct mime_msg m;
	struct buf subject;
	char *script;
	int i;

	(void)state;
	/* Not skip(): cmocka prints "not ok # SKIP", a failure to automake. */
	if ((script = python_script()) == NULL) {
		print_message("# python3 or tests/mime_check.py not found: "
		    "cross-check not run\n");
		return;
	}
	msg_default(&m);
	python_check(script, &m, ascii);
	buf_init(&subject);
	for (i = 0; i < 8; i++)
		buf_puts(&subject, ZH_SUBJECT);
	m.from_name = LINAME;
	m.to_name = subject.data; /* several encoded-words */
	m.subject = subject.data;
	m.text = ZH_LINE "\n\n" ZH_LINE "\n";
	python_check(script, &m, zh);
	msg_default(&m);
	m.text = "a=b \nFrom me\n.\n";
	m.html = "<p>" ZH_LINE "</p>\n";
	python_check(script, &m, multi);
	msg_default(&m);
	m.from_name = INJECT;
	m.to_name = "a\"b\\c";
	m.subject = INJECT;
	python_check(script, &m, inject);
	buf_free(&subject);
	free(script);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ascii_golden),
		cmocka_unit_test(test_minimal),
		cmocka_unit_test(test_chinese),
		cmocka_unit_test(test_multipart),
		cmocka_unit_test(test_boundary_collision),
		cmocka_unit_test(test_long_subject),
		cmocka_unit_test(test_injection),
		cmocka_unit_test(test_addr_valid),
		cmocka_unit_test(test_validation),
		cmocka_unit_test(test_unsubscribe),
		cmocka_unit_test(test_extra_headers),
		cmocka_unit_test(test_body_encoding),
		cmocka_unit_test(test_encode_phrase),
		cmocka_unit_test(test_python),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* mime.c - RFC 5322 / MIME messages: headers, encoded-words, bodies. */
#include "mime.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "mime_priv.h"
#include "utf8.h"
#include "util.h"

#define MIME_EW_MAX 75	    /* RFC 2047: an encoded-word's length */
#define MIME_EW_OVERHEAD 12 /* "=?UTF-8?B?" and "?=" */
#define MIME_EW_MIN 20	    /* room for one 4-byte character */
#define MIME_NAME_MAX 76    /* longest extra header name */
#define MIME_DATE_MAX INT64_C(253402300799) /* 9999-12-31T23:59:59Z */

static const char mime_b64_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* Headers that mime_build() writes once itself, or that would change who
 * gets the message; an extra header must not add a second one. */
static const char *const mime_reserved[] = {
	"Date", "From", "To", "Reply-To", "Subject", "Message-ID",
	"MIME-Version", "List-Unsubscribe", "List-Unsubscribe-Post", "Bcc",
	"Cc", "Sender", "Return-Path",
};

/* ASCII-only classification: the C library's depends on the locale. */
static int
mime_is_alnum(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9');
}

/* RFC 5322 atext: what may appear in an atom without quoting. */
static int
mime_is_atext(int c)
{
	return mime_is_alnum(c) ||
	    (c != '\0' && strchr("!#$%&'*+-/=?^_`{|}~", c) != NULL);
}

/* RFC 5322 dot-atom-text over s[0..n): atoms joined by single dots. */
static int
mime_dot_atom_valid(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || s[0] == '.' || s[n - 1] == '.')
		return 0;
	for (i = 0; i < n; i++) {
		if (s[i] == '.') {
			if (s[i + 1] == '.')
				return 0;
		} else if (!mime_is_atext((unsigned char)s[i]))
			return 0;
	}
	return 1;
}

/* A host name of LDH labels or a bracketed address literal; stricter than
 * RFC 5322 because the same string goes into the SMTP envelope. */
static int
mime_domain_valid(const char *s, size_t n)
{
	size_t i, label = 0;

	if (n == 0 || n > 253)
		return 0;
	if (s[0] == '[') {
		if (n < 3 || s[n - 1] != ']')
			return 0;
		for (i = 1; i < n - 1; i++) {
			if (!mime_is_alnum((unsigned char)s[i]) &&
			    s[i] != '.' && s[i] != ':')
				return 0;
		}
		return 1;
	}
	for (i = 0; i <= n; i++) {
		if (i == n || s[i] == '.') {
			if (label == 0 || label > 63 || s[i - 1] == '-' ||
			    s[i - label] == '-')
				return 0;
			label = 0;
		} else if (mime_is_alnum((unsigned char)s[i]) || s[i] == '-')
			label++;
		else
			return 0;
	}
	return 1;
}

/* Checked before anything is written, so no address can smuggle a line
 * break or a second mailbox into a header or an SMTP command. */
int
mime_addr_valid(const char *addr)
{
	const char *at;
	size_t n, local;

	if (addr == NULL || (n = strlen(addr)) > MIME_ADDR_MAX)
		return 0;
	if ((at = strchr(addr, '@')) == NULL || strchr(at + 1, '@') != NULL)
		return 0;
	local = (size_t)(at - addr);
	if (local > MIME_LOCAL_MAX)
		return 0;
	return mime_dot_atom_valid(addr, local) &&
	    mime_domain_valid(at + 1, n - local - 1);
}

/* A host name for EHLO and the right side of a Message-ID. */
int
mime_host_valid(const char *host)
{
	return host != NULL && host[0] != '[' &&
	    mime_domain_valid(host, strlen(host));
}

/* RFC 5322 msg-id without its brackets, in the dot-atom-text form only. */
static int
mime_msgid_valid(const char *id)
{
	const char *at;
	size_t n;

	if (id == NULL || (n = strlen(id)) > MIME_MSGID_MAX)
		return 0;
	if ((at = strchr(id, '@')) == NULL)
		return 0;
	return mime_dot_atom_valid(id, (size_t)(at - id)) &&
	    mime_dot_atom_valid(at + 1, n - (size_t)(at - id) - 1);
}

/* A URI that can sit between < and > in List-Unsubscribe: printable ASCII
 * without spaces, quotes or angle brackets, starting with scheme. */
static int
mime_url_valid(const char *url, const char *scheme)
{
	size_t n = strlen(url), k = strlen(scheme), i;
	unsigned char c;

	if (n <= k || n > MIME_URL_MAX || strncasecmp(url, scheme, k) != 0)
		return 0;
	for (i = 0; i < n; i++) {
		c = (unsigned char)url[i];
		if (c <= 0x20 || c >= 0x7f || c == '<' || c == '>' || c == '"')
			return 0;
	}
	return 1;
}

/* Encodes p[0..n) in base64 without line breaks (mime_priv.h). */
void
mime_base64(struct buf *b, const unsigned char *p, size_t n)
{
	const char *a = mime_b64_alphabet;
	char *q;
	uint32_t v;
	size_t i;

	buf_grow(b, (n + 2) / 3 * 4);
	q = b->data + b->len;
	for (i = 0; i + 3 <= n; i += 3, q += 4) {
		v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 | p[i + 2];
		q[0] = a[v >> 18];
		q[1] = a[(v >> 12) & 63];
		q[2] = a[(v >> 6) & 63];
		q[3] = a[v & 63];
	}
	if (i < n) {
		v = (uint32_t)p[i] << 16;
		if (i + 1 < n)
			v |= (uint32_t)p[i + 1] << 8;
		q[0] = a[v >> 18];
		q[1] = a[(v >> 12) & 63];
		q[2] = i + 1 < n ? a[(v >> 6) & 63] : '=';
		q[3] = '=';
		q += 4;
	}
	*q = '\0';
	b->len = (size_t)(q - b->data);
}

/* Returns a copy of utf8 safe for one header line: invalid sequences become
 * U+FFFD, and control characters (the injection vector: CR, LF and their
 * Unicode cousins) and runs of white space become one space, none at the
 * ends. */
static char *
mime_clean(const char *utf8)
{
	const unsigned char *p;
	size_t n, i = 0, k;
	uint32_t cp;
	struct buf b;
	int space = 0;

	p = (const unsigned char *)(utf8 != NULL ? utf8 : "");
	n = strlen((const char *)p);
	buf_init(&b);
	while (i < n) {
		if ((k = utf8_decode(p + i, n - i, &cp)) == 0)
			cp = 0xfffd;
		if (cp <= 0x20 || (cp >= 0x7f && cp <= 0x9f) || cp == 0x2028 ||
		    cp == 0x2029) {
			space = 1;
		} else {
			if (space && b.len > 0)
				buf_addc(&b, ' ');
			space = 0;
			if (k == 0)
				buf_puts(&b, "\xef\xbf\xbd");
			else
				buf_add(&b, p + i, k);
		}
		i += k != 0 ? k : 1;
	}
	return buf_detach(&b);
}

/* 1 if every space-separated token of s fits a folded line: the first
 * within first columns (after the header name), the others after the
 * folding space.  Otherwise the text is worth encoding, because
 * encoded-words can be cut anywhere and plain words cannot. */
static int
mime_tokens_fit(const char *s, size_t first)
{
	const char *sp;
	size_t n, limit = first;

	for (;;) {
		sp = strchr(s, ' ');
		n = sp != NULL ? (size_t)(sp - s) : strlen(s);
		if (n > limit)
			return 0;
		if (sp == NULL)
			return 1;
		s = sp + 1;
		limit = MIME_LINE_SOFT - 1;
	}
}

/* Appends clean UTF-8 s as space-separated encoded-words, the first at most
 * first characters long and the rest 75, each cut between code points so
 * that every word decodes on its own (RFC 2047 section 5). */
static void
mime_encode_words(struct buf *b, const char *s, size_t first)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s), i = 0, j, k, max, width = first;
	uint32_t cp;

	while (i < n) {
		if (width > MIME_EW_MAX || width < MIME_EW_MIN)
			width = MIME_EW_MAX;
		max = (width - MIME_EW_OVERHEAD) / 4 * 3;
		for (j = i; j < n; j += k) {
			if ((k = utf8_decode(p + j, n - j, &cp)) == 0)
				k = 1; /* not after mime_clean() */
			if (j + k - i > max)
				break;
		}
		if (i > 0)
			buf_addc(b, ' ');
		buf_puts(b, "=?UTF-8?B?");
		mime_base64(b, p + i, j - i);
		buf_puts(b, "?=");
		i = j;
		width = MIME_EW_MAX;
	}
}

/* 1 if s is printable ASCII that no decoder could take for an
 * encoded-word. */
static int
mime_plain_ascii(const char *s)
{
	for (; *s != '\0'; s++) {
		if ((unsigned char)*s >= 0x80)
			return 0;
	}
	return 1;
}

/* Display-name phrase; first is the room on the header's first line. */
static char *
mime_phrase(const char *utf8, size_t first)
{
	char *s = mime_clean(utf8), *p;
	struct buf b;
	int atoms = 1;

	buf_init(&b);
	if (mime_plain_ascii(s) && strstr(s, "=?") == NULL) {
		for (p = s; *p != '\0'; p++) {
			if (*p != ' ' && !mime_is_atext((unsigned char)*p))
				atoms = 0;
		}
		if (atoms)
			buf_puts(&b, s);
		else {
			buf_addc(&b, '"');
			for (p = s; *p != '\0'; p++) {
				if (*p == '"' || *p == '\\')
					buf_addc(&b, '\\');
				buf_addc(&b, *p);
			}
			buf_addc(&b, '"');
		}
		if (mime_tokens_fit(b.data != NULL ? b.data : "", first)) {
			free(s);
			return buf_detach(&b);
		}
		buf_reset(&b);
	}
	mime_encode_words(&b, s, first);
	free(s);
	return buf_detach(&b);
}

/* Unstructured text such as a subject; first as for mime_phrase(). */
static char *
mime_unstructured(const char *utf8, size_t first)
{
	char *s = mime_clean(utf8);
	struct buf b;

	if (mime_plain_ascii(s) && strstr(s, "=?") == NULL &&
	    mime_tokens_fit(s, first))
		return s;
	buf_init(&b);
	mime_encode_words(&b, s, first);
	free(s);
	return buf_detach(&b);
}

/* Public form: callers outside a header line get 75-character words. */
char *
mime_encode_phrase(const char *utf8)
{
	return mime_phrase(utf8, MIME_EW_MAX);
}

/* Public form, as mime_encode_phrase(). */
char *
mime_encode_unstructured(const char *utf8)
{
	return mime_unstructured(utf8, MIME_EW_MAX);
}

/* Appends "name: value" CRLF, folding before spaces (FWS is allowed at
 * every space we or a valid extra header produce) so lines stay within 78
 * characters where a space allows it.  A fold point is the first space of
 * a run of blanks that has more text after it, so no continuation line is
 * blank and no line ends in a blank. */
int
mime_fold(struct buf *b, const char *name, const char *value, char **cause)
{
	const char *p = value, *e;
	size_t col, seg;

	buf_puts(b, name);
	buf_addc(b, ':');
	col = strlen(name) + 1;
	while (*p != '\0') {
		for (e = p + 1; *e != '\0'; e++) {
			if (e[0] == ' ' && e[-1] != ' ' && e[-1] != '\t' &&
			    e[strspn(e, " \t")] != '\0')
				break;
		}
		seg = (size_t)(e - p);
		if (p == value) {
			buf_addc(b, ' ');
			col++;
		} else if (col + seg > MIME_LINE_SOFT) {
			buf_puts(b, "\r\n");
			col = 0;
		}
		if (col + seg > MIME_LINE_HARD)
			return set_error(cause, "%s header line too long", name);
		buf_add(b, p, seg);
		col += seg;
		p = e;
	}
	buf_puts(b, "\r\n");
	return 0;
}

/* Date: in RFC 5322 form; names spelled out because strftime's %a and %b
 * follow the locale. */
static int
mime_date(struct buf *b, int64_t t, char **cause)
{
	static const char days[7][4] = {
		"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat",
	};
	static const char months[12][4] = {
		"Jan", "Feb", "Mar", "Apr", "May", "Jun",
		"Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
	};
	struct tm tm;
	time_t tt = (time_t)t;

	if (t < 0 || t > MIME_DATE_MAX || (int64_t)tt != t ||
	    gmtime_r(&tt, &tm) == NULL)
		return set_error(cause, "date %" PRId64 " out of range", t);
	buf_printf(b, "Date: %s, %02d %s %04d %02d:%02d:%02d +0000\r\n",
	    days[tm.tm_wday], tm.tm_mday, months[tm.tm_mon],
	    tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
	return 0;
}

/* From: or To: as "phrase <addr>", or the bare address without a name. */
static int
mime_mailbox(struct buf *b, const char *name, const char *display,
    const char *addr, char **cause)
{
	char *phrase, *v;
	int rc;

	phrase = mime_phrase(display, MIME_LINE_SOFT - strlen(name) - 2);
	if (*phrase == '\0')
		v = xstrdup(addr);
	else
		v = xasprintf("%s <%s>", phrase, addr);
	rc = mime_fold(b, name, v, cause);
	free(v);
	free(phrase);
	return rc;
}

/* 1 if the n-byte header name is one an extra header must not repeat. */
static int
mime_name_reserved(const char *name, size_t n)
{
	size_t i;

	if (n >= 8 && strncasecmp(name, "Content-", 8) == 0)
		return 1;
	for (i = 0; i < ARRAY_SIZE(mime_reserved); i++) {
		if (strlen(mime_reserved[i]) == n &&
		    strncasecmp(name, mime_reserved[i], n) == 0)
			return 1;
	}
	return 0;
}

/* Validates and appends extra header number idx.  Messages never quote the
 * input, which may hold the very line breaks being refused. */
static int
mime_extra(struct buf *b, const char *h, size_t idx, char **cause)
{
	const char *colon = strchr(h, ':'), *p;
	char *name, *value;
	size_t n, i, vlen;
	int rc;

	if (colon == NULL || colon == h)
		return set_error(cause, "extra header %zu: no name", idx);
	n = (size_t)(colon - h);
	if (n > MIME_NAME_MAX)
		return set_error(cause, "extra header %zu: name too long", idx);
	for (i = 0; i < n; i++) {
		if ((unsigned char)h[i] <= 0x20 || (unsigned char)h[i] >= 0x7f)
			return set_error(cause,
			    "extra header %zu: invalid character in name", idx);
	}
	if (mime_name_reserved(h, n))
		return set_error(cause, "extra header %zu: %.*s is reserved",
		    idx, (int)n, h);
	for (p = colon + 1; *p == ' ' || *p == '\t'; p++)
		;
	for (i = 0; p[i] != '\0'; i++) {
		if (((unsigned char)p[i] < 0x20 && p[i] != '\t') ||
		    (unsigned char)p[i] >= 0x7f)
			return set_error(cause, "extra header %zu: control or "
			    "non-ASCII character in value", idx);
	}
	for (vlen = i; vlen > 0 && (p[vlen - 1] == ' ' || p[vlen - 1] == '\t');)
		vlen--;
	name = xstrndup(h, n);
	value = xstrndup(p, vlen);
	rc = mime_fold(b, name, value, cause);
	free(value);
	free(name);
	return rc;
}

/* List-Unsubscribe (RFC 2369) and, for an https URI, the RFC 8058
 * one-click List-Unsubscribe-Post. */
static int
mime_unsubscribe(struct buf *b, const struct mime_msg *m, char **cause)
{
	const char *url = m->list_unsubscribe_url;
	const char *mailto = m->list_unsubscribe_mailto;
	char *v;
	int rc;

	if (url == NULL && mailto == NULL)
		return 0;
	if (url != NULL && mailto != NULL)
		v = xasprintf("<%s>, <%s>", url, mailto);
	else
		v = xasprintf("<%s>", url != NULL ? url : mailto);
	rc = mime_fold(b, "List-Unsubscribe", v, cause);
	free(v);
	/* RFC 8058 one-click needs HTTPS; a plain http URL (a loopback or
	 * test setup) still gets List-Unsubscribe. */
	if (rc == 0 && url != NULL && strncasecmp(url, "https://", 8) == 0)
		buf_puts(b, "List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n");
	return rc;
}

/* Checks everything that cannot be cleaned up, before any output. */
static int
mime_validate(const struct mime_msg *m, char **cause)
{
	const char *const texts[] = {
		m->from_name, m->to_name, m->subject, m->text, m->html,
	};
	const char *const what[] = {
		"from name", "to name", "subject", "text", "html",
	};
	size_t i;

	if (!mime_addr_valid(m->from_addr))
		return set_error(cause, "invalid from address");
	if (!mime_addr_valid(m->to_addr))
		return set_error(cause, "invalid to address");
	if (m->reply_to != NULL && !mime_addr_valid(m->reply_to))
		return set_error(cause, "invalid reply-to address");
	if (!mime_msgid_valid(m->message_id))
		return set_error(cause, "invalid message id");
	if (m->list_unsubscribe_url != NULL &&
	    !mime_url_valid(m->list_unsubscribe_url, "https://") &&
	    !mime_url_valid(m->list_unsubscribe_url, "http://"))
		return set_error(cause, "invalid list-unsubscribe URL");
	if (m->list_unsubscribe_mailto != NULL &&
	    !mime_url_valid(m->list_unsubscribe_mailto, "mailto:"))
		return set_error(cause, "invalid list-unsubscribe mailto");
	if (m->text == NULL)
		return set_error(cause, "message has no text");
	for (i = 0; i < ARRAY_SIZE(texts); i++) {
		if (texts[i] != NULL && !utf8_valid(texts[i], strlen(texts[i]),
		    NULL))
			return set_error(cause, "%s is not valid UTF-8", what[i]);
	}
	return 0;
}

/* Validates, then writes the headers in a fixed order and the content. */
int
mime_build(const struct mime_msg *m, char **out, size_t *len, char **cause)
{
	struct buf b;
	char *v;
	size_t i;
	int rc;

	if (mime_validate(m, cause) != 0)
		return -1;
	buf_init(&b);
	/* Base64 grows a body by 4/3 plus line breaks: one allocation for
	 * the usual message, not one per doubling. */
	buf_grow(&b, 1024 + (strlen(m->text) + (m->html != NULL ?
	    strlen(m->html) : 0)) * 3 / 2);
	if (mime_date(&b, m->date, cause) != 0 ||
	    mime_mailbox(&b, "From", m->from_name, m->from_addr, cause) != 0 ||
	    mime_mailbox(&b, "To", m->to_name, m->to_addr, cause) != 0)
		goto fail;
	if (m->reply_to != NULL &&
	    mime_fold(&b, "Reply-To", m->reply_to, cause) != 0)
		goto fail;
	v = mime_unstructured(m->subject, MIME_LINE_SOFT - strlen("Subject: "));
	rc = mime_fold(&b, "Subject", v, cause);
	free(v);
	if (rc != 0)
		goto fail;
	v = xasprintf("<%s>", m->message_id);
	rc = mime_fold(&b, "Message-ID", v, cause);
	free(v);
	if (rc != 0 || mime_unsubscribe(&b, m, cause) != 0)
		goto fail;
	for (i = 0; m->extra_headers != NULL && m->extra_headers[i] != NULL;
	    i++) {
		if (mime_extra(&b, m->extra_headers[i], i, cause) != 0)
			goto fail;
	}
	buf_puts(&b, "MIME-Version: 1.0\r\n");
	if (mime_content(&b, m, cause) != 0)
		goto fail;
	*len = b.len;
	*out = buf_detach(&b);
	return 0;
fail:
	buf_free(&b);
	return -1;
}

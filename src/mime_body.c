/* mime_body.c - the bodies of a message (mime.h): canonical line ends,
 * 7bit, quoted-printable or base64, whichever is shortest, and the
 * multipart/alternative of a text and an HTML part. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mime_priv.h"

#define MIME_B64_LINE 57    /* input bytes per 76-character base64 line */
/* Boundaries tried before giving up: one occurring in a part is rare. */
#define MIME_BOUNDARY_TRIES 1000

/* Appends s with every CR, LF and CRLF as CRLF, ending in CRLF. */
static void
mime_canon(struct buf *b, const char *s)
{
	size_t n = strlen(s), k;
	char *o;

	buf_grow(b, 2 * n + 2);	/* every octet a line break, at most */
	o = b->data + b->len;
	for (;;) {
		k = strcspn(s, "\r\n");	/* whole lines at a time */
		memcpy(o, s, k);
		o += k;
		s += k;
		if (*s == '\0')
			break;
		*o++ = '\r';
		*o++ = '\n';
		s += s[0] == '\r' && s[1] == '\n' ? 2 : 1;
	}
	if (o == b->data || o[-1] != '\n') {
		*o++ = '\r';
		*o++ = '\n';
	}
	*o = '\0';
	b->len = (size_t)(o - b->data);
}

/* 1 if canonical s can go as 7bit: printable ASCII and tabs in lines of at
 * most 76 octets, none starting "From " (which mbox writers mangle). */
static int
mime_is_7bit(const char *s, size_t n)
{
	size_t i, col = 0;
	unsigned char c;

	for (i = 0; i < n; i++) {
		c = (unsigned char)s[i];
		if (c == '\r' && s[i + 1] == '\n') {
			i++;
			col = 0;
			continue;
		}
		if ((c < 0x20 && c != '\t') || c >= 0x7f)
			return 0;
		if (++col > MIME_BODY_LINE)
			return 0;
		if (col == 1 && strncmp(s + i, "From ", 5) == 0)
			return 0;
	}
	return 1;
}

/* The least quoted-printable can take for canonical s[0..n): every octet
 * outside printable ASCII (and "=") becomes three.  Text mostly in CJK
 * scripts is then known to go as base64 without trying. */
static size_t
mime_qp_min(const char *s, size_t n)
{
	/* 2 more for "=" and each octet from 7F: a table, not two tests. */
	static const unsigned char extra[256] = {
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0,
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2,
		2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
		2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
		2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
		2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
		2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
		2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
		2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
		2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
	};
	size_t i, len = n;

	for (i = 0; i < n; i++)
		len += extra[(unsigned char)s[i]];
	return len;
}

/* RFC 2045 quoted-printable of canonical s[0..n): hard breaks stay CRLF,
 * soft breaks keep lines within 76, white space before a break and an "F"
 * starting "From " are encoded.  Returns the encoded length, and stops
 * once that is past limit (mime_body() then takes base64). */
static size_t
mime_qp(struct buf *b, const char *s, size_t n, size_t limit)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t i, col = 0, tlen, start = b->len;
	unsigned char c;
	char *o;
	int eol, enc;

	/* At most 3 octets per octet, and a soft break per 25 of those. */
	buf_grow(b, 3 * n + 3 * (n / 25 + 2));
	o = b->data + start;
	for (i = 0; i < n && (size_t)(o - b->data) - start <= limit; i++) {
		c = (unsigned char)s[i];
		/* Most octets: far from the line's end, where neither the
		 * next octet nor "From " matters. */
		if (c > 0x20 && c < 0x7f && c != '=' &&
		    col + 1 < MIME_BODY_LINE - 1 && (col != 0 || c != 'F')) {
			*o++ = (char)c;
			col++;
			continue;
		}
		if (c >= 0x7f && col + 3 <= MIME_BODY_LINE - 1) {
			*o++ = '=';
			*o++ = hex[c >> 4];
			*o++ = hex[c & 15];
			col += 3;
			continue;
		}
		if (c == '\r' && s[i + 1] == '\n') {
			*o++ = '\r';
			*o++ = '\n';
			col = 0;
			i++;
			continue;
		}
		eol = i + 1 == n || s[i + 1] == '\r';
		enc = !((c > 0x20 && c < 0x7f && c != '=' && (col != 0 ||
		    c != 'F' || strncmp(s + i, "From ", 5) != 0)) ||
		    ((c == ' ' || c == '\t') && !eol));
		tlen = enc ? 3 : 1;
		if (col + tlen > (eol ? MIME_BODY_LINE : MIME_BODY_LINE - 1)) {
			*o++ = '=';
			*o++ = '\r';
			*o++ = '\n';
			col = 0;
		}
		if (enc) {
			*o++ = '=';
			*o++ = hex[c >> 4];
			*o++ = hex[c & 15];
		} else
			*o++ = (char)c;
		col += tlen;
	}
	*o = '\0';
	b->len = (size_t)(o - b->data);
	return b->len - start;
}

/* Base64 body lines of 76 characters. */
static void
mime_base64_lines(struct buf *b, const char *s, size_t n)
{
	size_t i, k;

	for (i = 0; i < n; i += k) {
		k = n - i < MIME_B64_LINE ? n - i : MIME_B64_LINE;
		mime_base64(b, (const unsigned char *)s + i, k);
		buf_puts(b, "\r\n");
	}
}

/* Encodes text into *out (ending in CRLF) and returns the transfer
 * encoding: 7bit when possible, else the shorter of quoted-printable
 * (mostly-ASCII text) and base64 (CJK text, about 4/3 against 3). */
static const char *
mime_body(struct buf *out, const char *text)
{
	struct buf canon;
	const char *cte;
	size_t b64len;

	buf_init(&canon);
	mime_canon(&canon, text);
	if (mime_is_7bit(canon.data, canon.len)) {
		*out = canon;
		return "7bit";
	}
	/* Base64 is 4 characters per 3 octets plus CRLF per 76. */
	b64len = (canon.len + 2) / 3 * 4;
	b64len += (canon.len + MIME_B64_LINE - 1) / MIME_B64_LINE * 2;
	buf_init(out);
	buf_grow(out, b64len);
	if (mime_qp_min(canon.data, canon.len) <= b64len &&
	    mime_qp(out, canon.data, canon.len, b64len) <= b64len)
		cte = "quoted-printable";
	else {
		buf_reset(out);
		mime_base64_lines(out, canon.data, canon.len);
		cte = "base64";
	}
	buf_free(&canon);
	return cte;
}

/* FNV-1a of s started from salt: reproducible, no secrets involved. */
static uint64_t
mime_hash(const char *s, uint64_t salt)
{
	uint64_t h = UINT64_C(0xcbf29ce484222325) ^ salt;
	int i;

	for (; *s != '\0'; s++) {
		h ^= (unsigned char)*s;
		h *= UINT64_C(0x100000001b3);
	}
	for (i = 0; i < 8; i++) { /* spread the last bytes over all bits */
		h ^= h >> 29;
		h *= UINT64_C(0x100000001b3);
	}
	return h;
}

/* Picks a boundary from the Message-ID that occurs in neither part.  "=_"
 * cannot appear in quoted-printable or base64 output, so only 7bit parts
 * can collide, and then the next salt is tried. */
static int
mime_boundary(char *bd, size_t size, const char *id, const struct buf *a,
    const struct buf *b, char **cause)
{
	uint64_t salt;

	for (salt = 0; salt < MIME_BOUNDARY_TRIES; salt++) {
		snprintf(bd, size, "=_outreachd_%016" PRIx64 "%016" PRIx64,
		    mime_hash(id, 2 * salt), mime_hash(id, 2 * salt + 1));
		if (memmem(a->data, a->len, bd, strlen(bd)) == NULL &&
		    memmem(b->data, b->len, bd, strlen(bd)) == NULL)
			return 0;
	}
	return set_error(cause, "no usable MIME boundary");
}

/* Appends a part's delimiter line (unless bd is NULL: a single part), its
 * Content-Type and Content-Transfer-Encoding, and the blank line.  Plain
 * appends: this runs twice per message and printf costs more than the
 * rest of the headers together. */
static void
mime_part_head(struct buf *b, const char *bd, const char *type,
    const char *cte)
{
	if (bd != NULL) {
		buf_puts(b, "--");
		buf_puts(b, bd);
		buf_puts(b, "\r\n");
	}
	buf_puts(b, "Content-Type: ");
	buf_puts(b, type);
	buf_puts(b, "; charset=UTF-8\r\nContent-Transfer-Encoding: ");
	buf_puts(b, cte);
	buf_puts(b, "\r\n\r\n");
}

/* Appends the Content-* headers, the blank line and the body(ies). */
int
mime_content(struct buf *b, const struct mime_msg *m, char **cause)
{
	struct buf text, html;
	const char *tcte, *hcte;
	char bd[64], *v;
	int rc = 0;

	tcte = mime_body(&text, m->text);
	if (m->html == NULL) {
		mime_part_head(b, NULL, "text/plain", tcte);
		buf_add(b, text.data, text.len);
		buf_free(&text);
		return 0;
	}
	hcte = mime_body(&html, m->html);
	if (mime_boundary(bd, sizeof bd, m->message_id, &text, &html,
	    cause) != 0) {
		rc = -1;
		goto out;
	}
	v = xasprintf("multipart/alternative; boundary=\"%s\"", bd);
	rc = mime_fold(b, "Content-Type", v, cause);
	free(v);
	if (rc != 0)
		goto out;
	buf_puts(b, "Content-Transfer-Encoding: 7bit\r\n\r\n");
	mime_part_head(b, bd, "text/plain", tcte);
	buf_add(b, text.data, text.len);
	buf_puts(b, "\r\n");
	mime_part_head(b, bd, "text/html", hcte);
	buf_add(b, html.data, html.len);
	buf_puts(b, "\r\n--");
	buf_puts(b, bd);
	buf_puts(b, "--\r\n");
out:
	buf_free(&html);
	buf_free(&text);
	return rc;
}


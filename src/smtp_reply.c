/* smtp_reply.c - the server's answer to the command an SMTP transaction
 * stopped at (see smtp_reply.h). */
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "smtp_reply.h"
#include "utf8.h"

void
smtp_reply_init(struct smtp_reply *r)
{
	memset(r, 0, sizeof(*r));
	buf_init(&r->cur);
	buf_init(&r->answer);
}

void
smtp_reply_free(struct smtp_reply *r)
{
	buf_free(&r->cur);
	buf_free(&r->answer);
}

/* The length of the line at s (at most n bytes), without its CR LF. */
static size_t
line_len(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n && s[i] != '\r' && s[i] != '\n'; i++)
		;
	return i;
}

/* Where the next line starts, past the line of length k and its end. */
static size_t
line_next(const char *s, size_t n, size_t k)
{
	while (k < n && (s[k] == '\r' || s[k] == '\n'))
		k++;
	return k;
}

/* 1 if the command line s[0..n) only winds a session down: its answer is
 * not the answer to anything the message needed.  Only the verb is read:
 * AUTH's continuation lines carry credentials. */
static int
command_winds_down(const char *s, size_t n)
{
	return (n == 4 || (n > 4 && s[4] == ' ')) &&
	    (strncasecmp(s, "QUIT", 4) == 0 || strncasecmp(s, "RSET", 4) == 0);
}

void
smtp_reply_sent(struct smtp_reply *r, const char *data, size_t n)
{
	size_t k, i = 0;

	while (i < n) {
		k = line_len(data + i, n - i);
		if (k > 0)
			r->winding = command_winds_down(data + i, k);
		i += line_next(data + i, n - i, k);
	}
}

/* Appends the line s[0..n) to b, control characters and bytes that are
 * not UTF-8 as '?', as long as b stays within SMTP_REPLY_MAX. */
static void
append_clean(struct buf *b, const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, k;
	uint32_t cp;

	while (i < n) {
		if ((k = utf8_decode(u + i, n - i, &cp)) == 0) {
			k = 1;
			cp = '?';
		} else if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0))
			cp = '?';
		if (b->len + k > SMTP_REPLY_MAX)
			return;
		if (cp == '?')
			buf_addc(b, '?');
		else
			buf_add(b, u + i, k);
		i += k;
	}
}

/* A reply's last line: "250 OK" or "250", not "250-SIZE". */
static int
line_is_last(const char *s, size_t n)
{
	return n >= 3 && (n == 3 || s[3] != '-');
}

/* One line of a reply. */
static void
reply_line(struct smtp_reply *r, const char *s, size_t n)
{
	if (r->cur_done) {
		buf_reset(&r->cur);
		r->cur_done = 0;
	} else if (r->cur.len > 0 && r->cur.len + 3 <= SMTP_REPLY_MAX)
		buf_puts(&r->cur, " / ");
	append_clean(&r->cur, s, n);
	if (!line_is_last(s, n))
		return;
	r->cur_done = 1;
	if (!r->winding) {
		buf_reset(&r->answer);
		buf_add(&r->answer, r->cur.data, r->cur.len);
	}
}

void
smtp_reply_received(struct smtp_reply *r, const char *data, size_t n)
{
	size_t k, i = 0;

	while (i < n) {
		k = line_len(data + i, n - i);
		if (k > 0)
			reply_line(r, data + i, k);
		i += line_next(data + i, n - i, k);
	}
}

const char *
smtp_reply_text(const struct smtp_reply *r)
{
	return r->answer.len > 0 ? r->answer.data : "";
}

int
smtp_reply_code(const struct smtp_reply *r)
{
	const char *s = r->answer.data;

	if (r->answer.len < 3 || s[0] < '2' || s[0] > '5' || s[1] < '0' ||
	    s[1] > '9' || s[2] < '0' || s[2] > '9')
		return 0;
	return (s[0] - '0') * 100 + (s[1] - '0') * 10 + (s[2] - '0');
}

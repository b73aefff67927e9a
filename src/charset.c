/* charset.c - reading text files in the encoding they come in, as UTF-8.
 *
 * Raw input is read into one buffer and handed out in three modes:
 * detecting (ASCII passes through until the first other byte decides),
 * UTF-8 (validated, copied) and iconv (converted).  Sequences cut by the
 * end of the buffer wait for the next read. */
#include "charset.h"

#include <errno.h>
#include <iconv.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "utf8.h"
#include "util.h"

#define CHARSET_RAW ((size_t)256 * 1024)

enum charset_mode { CS_DETECT, CS_UTF8, CS_ICONV };

struct charset {
	FILE *fp;
	enum charset_mode mode;
	iconv_t cd;		/* (iconv_t)-1 when not converting */
	const char *name;	/* what the input is read as, for messages */
	const char *detected;
	int probed;		/* detection found neither: say so */
	unsigned char *raw;
	size_t rpos, rlen;
	long long base;		/* input offset of raw[0] */
	int eof;
	char *error;		/* sticky */
	long long bad;
};

static const iconv_t no_cd = (iconv_t)-1;

/* "UTF-8", "utf8" and "UTF8" need no conversion, only validation. */
static int
is_utf8(const char *name)
{
	return strcasecmp(name, "UTF-8") == 0 || strcasecmp(name, "UTF8") == 0;
}

int
charset_open(FILE *fp, const char *encoding, struct charset **out,
    char **cause)
{
	struct charset *c;
	iconv_t cd = no_cd;

	if (!str_empty(encoding) && !is_utf8(encoding) &&
	    (cd = iconv_open("UTF-8", encoding)) == no_cd)
		return set_error(cause, "unknown encoding \"%s\" (iconv -l "
		    "lists them)", encoding);
	c = xcalloc(1, sizeof(*c));
	c->fp = fp;
	c->cd = cd;
	c->bad = -1;
	c->raw = xmalloc(CHARSET_RAW);
	if (str_empty(encoding)) {
		c->mode = CS_DETECT;
		c->name = "UTF-8";
	} else {
		c->mode = cd == no_cd ? CS_UTF8 : CS_ICONV;
		c->name = cd == no_cd ? "UTF-8" : encoding;
	}
	*out = c;
	return 0;
}

void
charset_free(struct charset *c)
{
	if (c == NULL)
		return;
	if (c->cd != no_cd)
		iconv_close(c->cd);
	free(c->raw);
	free(c->error);
	free(c);
}

const char *
charset_detected(const struct charset *c)
{
	return c->detected;
}

long long
charset_offset(const struct charset *c)
{
	return c->base + (long long)c->rpos;
}

long long
charset_bad_offset(const struct charset *c)
{
	return c->bad;
}

/* Sticky failure, with the message kept for later calls. */
static int
charset_fail(struct charset *c, char **cause, char *msg)
{
	free(c->error);
	c->error = msg;
	return set_error(cause, "%s", msg);
}

/* Fails at raw[rpos]: the byte that does not decode. */
static int
charset_fail_byte(struct charset *c, char **cause)
{
	const unsigned char *r = c->raw;
	int bom16 = c->base == 0 && c->rlen >= 2 &&
	    ((r[0] == 0xff && r[1] == 0xfe) || (r[0] == 0xfe && r[1] == 0xff));

	c->bad = c->base + (long long)c->rpos;
	return charset_fail(c, cause, xasprintf("%s%s%s: byte 0x%02x at "
	    "offset %lld%s", c->probed ? "neither UTF-8 nor GB18030" : "not ",
	    c->probed ? "" : c->name, c->rpos < c->rlen ? "" : " (cut short)",
	    c->rpos < c->rlen ? r[c->rpos] : 0, c->bad, bom16 ? ", which "
	    "starts like UTF-16: try --encoding UTF-16" : ""));
}

/* Moves what is left to the front and reads more; -1 on a read error. */
static int
charset_fill(struct charset *c, char **cause)
{
	size_t n;

	memmove(c->raw, c->raw + c->rpos, c->rlen - c->rpos);
	c->base += (long long)c->rpos;
	c->rlen -= c->rpos;
	c->rpos = 0;
	n = fread(c->raw + c->rlen, 1, CHARSET_RAW - c->rlen, c->fp);
	if (n == 0 && ferror(c->fp))
		return charset_fail(c, cause, xasprintf("read error: %s",
		    strerror(errno != 0 ? errno : EIO)));
	if (n == 0)
		c->eof = 1;
	c->rlen += n;
	return 0;
}

/* 1 when p[0..n) is the start of a UTF-8 sequence cut short. */
static int
utf8_cut(const unsigned char *p, size_t n)
{
	size_t need, i;

	if (n == 0 || n > 3)
		return 0;
	need = p[0] >= 0xf0 && p[0] <= 0xf4 ? 4 : p[0] >= 0xe0 &&
	    p[0] <= 0xef ? 3 : p[0] >= 0xc2 && p[0] <= 0xdf ? 2 : 0;
	if (need <= n)
		return 0;
	for (i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
	}
	return 1;
}

/* Whether the probe converts from GB18030 (a cut-off end is fine). */
static int
probe_gb18030(const unsigned char *p, size_t n)
{
	char out[4096], *in = (char *)p, *o;
	size_t inleft = n, outleft;
	iconv_t cd = iconv_open("UTF-8", "GB18030");
	int ok = 1;

	if (cd == no_cd)
		return 0;
	while (inleft > 0) {
		o = out;
		outleft = sizeof(out);
		if (iconv(cd, &in, &inleft, &o, &outleft) != (size_t)-1)
			continue;
		if (errno != E2BIG) {
			ok = errno == EINVAL && inleft < 4;
			break;
		}
	}
	iconv_close(cd);
	return ok;
}

/* Chooses UTF-8 or GB18030 from the non-ASCII bytes at rpos. */
static void
charset_decide(struct charset *c)
{
	const unsigned char *p = c->raw + c->rpos;
	size_t n = c->rlen - c->rpos, bad;

	if (n > CHARSET_PROBE)
		n = CHARSET_PROBE;
	c->mode = CS_UTF8;
	if (utf8_valid((const char *)p, n, &bad) ||
	    utf8_cut(p + bad, n - bad))
		return;
	if (probe_gb18030(p, n)) {
		c->cd = iconv_open("UTF-8", "GB18030");
		c->mode = CS_ICONV;
		c->name = c->detected = "GB18030";
		return;
	}
	c->probed = 1;	/* UTF-8 up to the bad byte, then the error */
}

/* UTF-8 mode: hands out the valid bytes. */
static long
charset_utf8(struct charset *c, char *buf, size_t len, char **cause)
{
	const unsigned char *p = c->raw + c->rpos;
	size_t n = c->rlen - c->rpos, bad;

	if (n > len)
		n = len;
	if (utf8_valid((const char *)p, n, &bad))
		bad = n;
	else if (bad == 0)
		return charset_fail_byte(c, cause);
	memcpy(buf, p, bad);
	c->rpos += bad;
	return (long)bad;
}

/* iconv mode: converts what fits; 0 when more input is needed first. */
static long
charset_iconv(struct charset *c, char *buf, size_t len, char **cause)
{
	char *in = (char *)c->raw + c->rpos, *out = buf;
	size_t inleft = c->rlen - c->rpos, outleft = len, made;
	int err = 0;

	if (iconv(c->cd, &in, &inleft, &out, &outleft) == (size_t)-1)
		err = errno;
	c->rpos = c->rlen - inleft;
	made = len - outleft;
	if (made > 0 || err == E2BIG || err == 0)
		return (long)made;
	if (err == EINVAL && !c->eof)
		return 0;
	return charset_fail_byte(c, cause);
}

/* ASCII bytes at the front of p, at most n. */
static size_t
ascii_run(const unsigned char *p, size_t n)
{
	size_t i = 0;

	while (i < n && p[i] < 0x80)
		i++;
	return i;
}

long
charset_read(struct charset *c, char *buf, size_t len, char **cause)
{
	size_t n;
	long got;

	if (c->error != NULL)
		return set_error(cause, "%s", c->error);
	for (;;) {
		n = c->rlen - c->rpos;
		if (!c->eof && (n < 4 || (c->mode == CS_DETECT &&
		    n < CHARSET_PROBE && c->raw[c->rpos] >= 0x80))) {
			if (charset_fill(c, cause) != 0)
				return -1;
			continue;
		}
		if (n == 0)
			return 0;
		if (c->mode == CS_DETECT) {
			if ((n = ascii_run(c->raw + c->rpos, n < len ? n :
			    len)) > 0) {
				memcpy(buf, c->raw + c->rpos, n);
				c->rpos += n;
				return (long)n;
			}
			charset_decide(c);
		}
		got = c->mode == CS_UTF8 ? charset_utf8(c, buf, len, cause) :
		    charset_iconv(c, buf, len, cause);
		if (got != 0)
			return got;
		if (charset_fill(c, cause) != 0)
			return -1;
	}
}

/* phone.c - normalisation of human-written phone numbers to E.164. */
#include "phone.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "utf8.h"
#include "util.h"

#define PHONE_MIN_DIGITS 8
#define PHONE_MAX_DIGITS 15
#define PHONE_NO_ZERO SIZE_MAX

/* Countries whose prefixes differ from international "00", trunk "0". */
struct phone_country {
	const char *cc;
	const char *intl;	/* international prefix besides "00", or NULL */
	const char *trunk;	/* national trunk prefix, "" for none */
	size_t trunk_ndigits;	/* only drop it from numbers this long; 0 any */
};

static const struct phone_country phone_countries[] = {
	{ "1", "011", "1", 11 },
	{ "7", "810", "8", 11 },
	{ "39", NULL, "", 0 },
	{ "61", "0011", "0", 0 },
	{ "81", "010", "0", 0 },
};
static const struct phone_country phone_default = { "", NULL, "0", 0 };

/* The digits and markers found in the input. */
struct phone_scan {
	struct buf digits;
	int plus;
	size_t zero_at; /* index in digits of a "(0)", or PHONE_NO_ZERO */
};

/* Fails with "<quoted input>: not a phone number (<why>)". */
static int PRINTFLIKE(3, 4)
phone_fail(const char *in, char **cause, const char *fmt, ...)
{
	va_list ap;
	char *why, *q;

	va_start(ap, fmt);
	why = xvasprintf(fmt, ap);
	va_end(ap);
	q = str_quote(in, PHONE_MAX_INPUT);
	set_error(cause, "%s: not a phone number (%s)", q, why);
	free(q);
	free(why);
	return -1;
}

/* Maps a code point to the ASCII character it stands for, or 0. */
static char
phone_fold(uint32_t cp)
{
	if (cp < 0x80 && strchr("0123456789+()-./ ", (int)cp) != NULL)
		return cp == 0 ? 0 : (char)cp;
	if (cp == '\t' || cp == 0xa0 || cp == 0x3000)
		return ' ';
	/* Invisible marks that copying from web pages and apps drags in. */
	if ((cp >= 0x200b && cp <= 0x200f) || (cp >= 0x202a && cp <= 0x202e) ||
	    cp == 0x2060 || cp == 0xfeff)
		return ' ';
	if (cp >= 0xff10 && cp <= 0xff19)
		return (char)('0' + (cp - 0xff10));
	if ((cp >= 0x2010 && cp <= 0x2015) || cp == 0x2212)
		return '-';
	switch (cp) {
	case 0xff08:
		return '(';
	case 0xff09:
		return ')';
	case 0xff0b:
		return '+';
	case 0xff0d:
		return '-';
	case 0xff0e:
		return '.';
	case 0xff0f:
		return '/';
	}
	return 0;
}

/* Rejects a character, naming it so the user can find it. */
static int
phone_unexpected(const char *in, const unsigned char *p, size_t n,
    uint32_t cp, char **cause)
{
	if (cp >= 0x21 && cp < 0x7f)
		return phone_fail(in, cause, "unexpected '%c'", (char)cp);
	if (cp < 0x80)
		return phone_fail(in, cause, "unexpected byte 0x%02x", (int)cp);
	if (cp >= 0xa0 && cp != 0xad)
		return phone_fail(in, cause, "unexpected '%.*s' (U+%04X)",
		    (int)n, (const char *)p, (unsigned)cp);
	return phone_fail(in, cause, "unexpected U+%04X", (unsigned)cp);
}

/* Handles one folded character of the input. */
static int
phone_scan_char(struct phone_scan *ps, char c, int *in_paren,
    size_t *open_at, const char *in, char **cause)
{
	switch (c) {
	case '+':
		if (ps->plus || ps->digits.len > 0 || *in_paren)
			return phone_fail(in, cause, "unexpected '+'");
		ps->plus = 1;
		break;
	case '(':
		if (*in_paren)
			return phone_fail(in, cause, "nested parentheses");
		*in_paren = 1;
		*open_at = ps->digits.len;
		break;
	case ')':
		if (!*in_paren)
			return phone_fail(in, cause, "unbalanced parentheses");
		*in_paren = 0;
		if (ps->digits.len == *open_at + 1 &&
		    ps->digits.data[*open_at] == '0')
			ps->zero_at = *open_at;
		break;
	case ' ':
	case '-':
	case '.':
	case '/':
		break;
	default:
		buf_addc(&ps->digits, c);
		break;
	}
	return 0;
}

/* Splits the input into digits and markers, rejecting anything else. */
static int
phone_scan(const char *in, struct phone_scan *ps, char **cause)
{
	const unsigned char *s = (const unsigned char *)in;
	size_t i = 0, len = strlen(in), n, open_at = 0;
	int in_paren = 0;
	uint32_t cp;
	char c;

	if (len > PHONE_MAX_INPUT) {
		return phone_fail(in, cause, "longer than %d bytes",
		    PHONE_MAX_INPUT);
	}
	while (i < len) {
		if (s[i] < 0x80) {
			cp = s[i];
			n = 1;
		} else if ((n = utf8_decode(s + i, len - i, &cp)) == 0)
			return phone_fail(in, cause, "invalid UTF-8");
		if ((c = phone_fold(cp)) == 0)
			return phone_unexpected(in, s + i, n, cp, cause);
		if (phone_scan_char(ps, c, &in_paren, &open_at, in, cause) != 0)
			return -1;
		i += n;
	}
	if (in_paren)
		return phone_fail(in, cause, "unbalanced parentheses");
	if (ps->digits.len == 0) {
		return phone_fail(in, cause, "%s",
		    len == 0 ? "empty" : "no digits");
	}
	return 0;
}

/* Finds the prefixes used with a default country code. */
static const struct phone_country *
phone_country_find(const char *cc)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(phone_countries); i++) {
		if (strcmp(phone_countries[i].cc, cc) == 0)
			return &phone_countries[i];
	}
	return &phone_default;
}

/* A country calling code is 1 to 3 digits and never starts with 0. */
static int
phone_cc_valid(const char *cc)
{
	size_t len = strlen(cc);

	return len >= 1 && len <= 3 && strspn(cc, "0123456789") == len &&
	    cc[0] != '0';
}

/* Length of the international prefix the digits start with, or 0. */
static size_t
phone_intl_prefix(const struct phone_country *pc, const char *d)
{
	if (pc->intl != NULL && strncmp(d, pc->intl, strlen(pc->intl)) == 0)
		return strlen(pc->intl);
	if (strncmp(d, "00", 2) == 0)
		return 2;
	return 0;
}

/* Builds the E.164 digits of a scanned number after the '+'. */
static int
phone_build(const char *in, struct phone_scan *ps, const char *cc,
    struct buf *e164, char **cause)
{
	const struct phone_country *pc = phone_country_find(cc);
	const char *d = ps->digits.data;
	size_t n = ps->digits.len, skip, tl = strlen(pc->trunk);

	skip = ps->plus ? 0 : phone_intl_prefix(pc, d);
	if (ps->plus || skip > 0) {
		if (d[skip] == '0') {
			return phone_fail(in, cause, "country code cannot "
			    "start with 0");
		}
		/* "+44 (0)20": the trunk 0, which Italy keeps. */
		if (ps->zero_at != PHONE_NO_ZERO && ps->zero_at > skip &&
		    strncmp(d + skip, "39", 2) != 0) {
			buf_add(e164, d + skip, ps->zero_at - skip);
			skip = ps->zero_at + 1;
		}
		buf_add(e164, d + skip, n - skip);
		return 0;
	}
	if (*cc == '\0') {
		return phone_fail(in, cause, "no country code: needs a leading "
		    "+ or 00");
	}
	/* "44 (0)20 ...": a country code whose '+' was left out. */
	if (ps->zero_at != PHONE_NO_ZERO && ps->zero_at > 0)
		return phone_fail(in, cause, "\"(0)\" after digits needs a "
		    "leading + or 00");
	if (tl > 0 && strncmp(d, pc->trunk, tl) == 0 &&
	    (pc->trunk_ndigits == 0 || n == pc->trunk_ndigits))
		skip = tl;
	buf_puts(e164, cc);
	buf_add(e164, d + skip, n - skip);
	return 0;
}

/* Turns a number as people write it into E.164 for sending. */
int
phone_normalize(const char *in, const char *default_cc, char **out,
    char **cause)
{
	struct phone_scan ps = { .plus = 0, .zero_at = PHONE_NO_ZERO };
	struct buf e164;
	size_t ndigits;
	char *q;
	int ret = -1;

	if (default_cc == NULL)
		default_cc = "";
	if (*default_cc != '\0' && !phone_cc_valid(default_cc)) {
		q = str_quote(default_cc, PHONE_MAX_INPUT);
		set_error(cause, "invalid default country code %s (need 1 to 3 "
		    "digits without '+')", q);
		free(q);
		return -1;
	}
	buf_init(&ps.digits);
	buf_init(&e164);
	buf_addc(&e164, '+');
	if (phone_scan(in, &ps, cause) != 0 ||
	    phone_build(in, &ps, default_cc, &e164, cause) != 0)
		goto out;
	ndigits = e164.len - 1;
	if (ndigits < PHONE_MIN_DIGITS || ndigits > PHONE_MAX_DIGITS) {
		phone_fail(in, cause, "%s has %zu digits, need %d to %d",
		    e164.data, ndigits, PHONE_MIN_DIGITS, PHONE_MAX_DIGITS);
		goto out;
	}
	*out = buf_detach(&e164);
	ret = 0;
out:
	buf_free(&ps.digits);
	buf_free(&e164);
	return ret;
}

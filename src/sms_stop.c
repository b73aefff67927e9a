/* sms_stop.c - whether an inbound SMS asks to unsubscribe: the reply is
 * compared with the opt-out keywords, both normalised (sms_gw.h). */
#include "sms_gw.h"

#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "utf8.h"
#include "util.h"

/* A normalised text: code points, invalid bytes kept as 0xDC00 + byte. */
struct cps {
	uint32_t *v;
	size_t n;
};

/* Punctuation that may surround a keyword ("Stop!", "退订。"). */
static int
is_punct(uint32_t c)
{
	return (c < 0x80 && ispunct((int)c)) || c == 0x3001 || c == 0x3002 ||
	    c == 0xff61 || c == 0xff64 || c == 0x2026 || (c >= 0x2018 &&
	    c <= 0x201f) || (c >= 0x3008 && c <= 0x3011);
}

/* Full-width forms to ASCII, ASCII lower case, white space runs to one
 * ' ' (or dropped without spaces), zero-width characters dropped, white
 * space and punctuation trimmed at both ends. */
static void
normalise(const char *s, int spaces, struct cps *out)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t len = strlen(s), i = 0, k, a = 0;
	uint32_t c;

	out->v = xreallocarray(NULL, len + 1, sizeof *out->v);
	out->n = 0;
	while (i < len) {
		if ((k = utf8_decode(p + i, len - i, &c)) == 0)
			k = 1, c = 0xdc00 + p[i];
		i += k;
		if (c >= 0xff01 && c <= 0xff5e)
			c -= 0xfee0;
		if (c == 0x200b || c == 0x200c || c == 0x200d || c == 0x2060 ||
		    c == 0xfeff)
			continue;
		if (c == 0x3000 || c == 0xa0 || (c < 0x80 && isspace((int)c)))
			c = ' ';
		if (c >= 'A' && c <= 'Z')
			c += 'a' - 'A';
		if (c == ' ' && (!spaces || out->n == 0 ||
		    out->v[out->n - 1] == ' '))
			continue;
		out->v[out->n++] = c;
	}
	while (out->n > 0 && (out->v[out->n - 1] == ' ' ||
	    is_punct(out->v[out->n - 1])))
		out->n--;
	while (a < out->n && (out->v[a] == ' ' || is_punct(out->v[a])))
		a++;
	memmove(out->v, out->v + a, (out->n - a) * sizeof *out->v);
	out->n -= a;
}

/* Nonzero if the normalised text matches one normalised keyword. */
static int
keyword_match(const struct cps *text, const struct cps *flat,
    const struct cps *kw)
{
	size_t i, w, ascii = 1, letters = 1;

	if (kw->n == 0)
		return 0;
	if (flat->n == kw->n &&
	    memcmp(flat->v, kw->v, kw->n * sizeof *kw->v) == 0)
		return 1;
	for (i = 0; i < kw->n; i++) {
		ascii &= kw->v[i] < 0x80;
		letters &= kw->v[i] >= 'a' && kw->v[i] <= 'z';
	}
	if (letters && kw->n >= 4) {
		for (w = 0; w < text->n && text->v[w] != ' '; w++)
			;
		while (w > 0 && is_punct(text->v[w - 1]))
			w--;
		return w == kw->n &&
		    memcmp(text->v, kw->v, w * sizeof *kw->v) == 0;
	}
	if (!ascii)
		for (i = 0; i + kw->n <= flat->n; i++)
			if (memcmp(flat->v + i, kw->v, kw->n *
			    sizeof *kw->v) == 0)
				return 1;
	return 0;
}

int
sms_gw_is_unsubscribe(const char *text, const char *const *keywords)
{
	static const char *const defaults[] = { "TD", "T",
		"\xe9\x80\x80\xe8\xae\xa2", "STOP", "UNSUBSCRIBE", NULL };
	struct cps t, flat, kw;
	size_t i;
	int hit = 0;

	if (text == NULL)
		return 0;
	if (keywords == NULL)
		keywords = defaults;
	normalise(text, 1, &t);
	normalise(text, 0, &flat);
	for (i = 0; !hit && keywords[i] != NULL; i++) {
		normalise(keywords[i], 0, &kw);
		hit = keyword_match(&t, &flat, &kw);
		free(kw.v);
	}
	free(t.v);
	free(flat.v);
	return hit;
}

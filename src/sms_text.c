/* sms_text.c - SMS encoding and segment counting. */
#include "sms_text.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "utf8.h"
#include "util.h"

#define SMS_GSM7_SINGLE 160
#define SMS_GSM7_MULTI 153
#define SMS_UCS2_SINGLE 70
#define SMS_UCS2_MULTI 67

/* Non-ASCII characters of the GSM 03.38 default alphabet, sorted. */
static const uint16_t sms_gsm7_latin[] = {
	0x00a1, 0x00a3, 0x00a4, 0x00a5, 0x00a7, 0x00bf, 0x00c4, 0x00c5,
	0x00c6, 0x00c7, 0x00c9, 0x00d1, 0x00d6, 0x00d8, 0x00dc, 0x00df,
	0x00e0, 0x00e4, 0x00e5, 0x00e6, 0x00e8, 0x00e9, 0x00ec, 0x00f1,
	0x00f2, 0x00f6, 0x00f8, 0x00f9, 0x00fc, 0x0393, 0x0394, 0x0398,
	0x039b, 0x039e, 0x03a0, 0x03a3, 0x03a6, 0x03a8, 0x03a9,
};

/* Units used so far, counted both ways because whether the text needs one
 * segment or several is only known at the end. */
struct sms_count {
	size_t units;
	size_t segs; /* segments when concatenated */
	size_t room; /* units left in the last of them */
};

struct sms_state {
	int gsm7; /* every character so far is GSM-7 */
	size_t chars;
	struct sms_count gsm;
	struct sms_count ucs;
};

static int
sms_cmp_u16(const void *a, const void *b)
{
	return (int)*(const uint16_t *)a - (int)*(const uint16_t *)b;
}

/* Septets for cp in GSM-7: 1, 2 for the extension table, 0 if none. */
static size_t
sms_gsm7_cost(uint32_t cp)
{
	uint16_t key;

	if (cp == '\n' || cp == '\r')
		return 1;
	if (cp == '\f')
		return 2;
	if (cp < 0x20 || cp == '`' || cp == 0x7f)
		return 0;
	if (cp < 0x7f)
		return strchr("^{}\\[~]|", (int)cp) != NULL ? 2 : 1;
	if (cp == 0x20ac)
		return 2;
	if (cp > 0xffff)
		return 0;
	key = (uint16_t)cp;
	return bsearch(&key, sms_gsm7_latin, ARRAY_SIZE(sms_gsm7_latin),
	    sizeof key, sms_cmp_u16) != NULL ? 1 : 0;
}

/* A character that does not fit the room left starts a new segment, which
 * keeps escape and surrogate pairs whole. */
static void
sms_count_add(struct sms_count *c, size_t cost, size_t per_segment)
{
	c->units += cost;
	if (cost > c->room) {
		c->segs++;
		c->room = per_segment;
	}
	c->room -= cost;
}

/* One segment needs no concatenation header, so it holds more. */
static size_t
sms_count_segments(const struct sms_count *c, size_t single)
{
	if (c->units == 0)
		return 0;
	return c->units <= single ? 1 : c->segs;
}

/* Counts cp both ways until a character rules out GSM-7. */
static void
sms_state_add(struct sms_state *st, uint32_t cp)
{
	size_t cost;

	st->chars++;
	if (st->gsm7) {
		if ((cost = sms_gsm7_cost(cp)) == 0)
			st->gsm7 = 0;
		else
			sms_count_add(&st->gsm, cost, SMS_GSM7_MULTI);
	}
	sms_count_add(&st->ucs, cp > 0xffff ? 2 : 1, SMS_UCS2_MULTI);
}

/* Reports the counts of the encoding the text ends up in. */
static void
sms_state_info(const struct sms_state *st, struct sms_text_info *out)
{
	out->chars = st->chars;
	if (st->gsm7) {
		out->encoding = SMS_ENC_GSM7;
		out->units = st->gsm.units;
		out->segments = sms_count_segments(&st->gsm, SMS_GSM7_SINGLE);
	} else {
		out->encoding = SMS_ENC_UCS2;
		out->units = st->ucs.units;
		out->segments = sms_count_segments(&st->ucs, SMS_UCS2_SINGLE);
	}
}

/* Every text starts out as GSM-7. */
static void
sms_state_init(struct sms_state *st)
{
	memset(st, 0, sizeof *st);
	st->gsm7 = 1;
}

/* Decodes once and counts as it goes. */
int
sms_text_analyze(const char *utf8, struct sms_text_info *out)
{
	const unsigned char *s = (const unsigned char *)utf8;
	size_t len = strlen(utf8), i = 0, k;
	struct sms_state st;
	uint32_t cp;

	sms_state_init(&st);
	while (i < len) {
		if ((k = utf8_decode(s + i, len - i, &cp)) == 0)
			return -1;
		sms_state_add(&st, cp);
		i += k;
	}
	sms_state_info(&st, out);
	return 0;
}

/* Names as operators know them from gateway documentation. */
const char *
sms_encoding_name(enum sms_encoding enc)
{
	return enc == SMS_ENC_GSM7 ? "GSM-7" : "UCS-2";
}

/* The message the send path records when a text is too long. */
int
sms_text_check(const char *utf8, int max_segments, char **cause)
{
	struct sms_text_info info;

	if (sms_text_analyze(utf8, &info) != 0)
		return set_error(cause, "SMS text is not valid UTF-8");
	if (max_segments < 0 || info.segments > (size_t)max_segments) {
		return set_error(cause, "SMS needs %zu segments, max_segments "
		    "is %d", info.segments, max_segments);
	}
	return 0;
}

/* Whether the text so far plus an ellipsis would fit. */
static int
sms_state_fits_cut(const struct sms_state *st, size_t max)
{
	struct sms_state tmp = *st;
	struct sms_text_info info;

	if (tmp.gsm7) {
		sms_state_add(&tmp, '.');
		sms_state_add(&tmp, '.');
		sms_state_add(&tmp, '.');
	} else
		sms_state_add(&tmp, 0x2026);
	sms_state_info(&tmp, &info);
	return info.segments <= max;
}

/* Scans every prefix instead of stopping at the first that does not fit, so
 * the answer does not depend on how the encodings compare. */
int
sms_text_truncate(const char *utf8, int max_segments, char **out)
{
	const unsigned char *s = (const unsigned char *)utf8;
	size_t len = strlen(utf8), i = 0, k, best = 0, max;
	int best_gsm7 = 1;
	struct sms_state st;
	struct sms_text_info info;
	struct buf b;
	uint32_t cp;

	*out = NULL;
	if (max_segments < 1)
		return -1;
	max = (size_t)max_segments;
	sms_state_init(&st);
	while (i < len) {
		if ((k = utf8_decode(s + i, len - i, &cp)) == 0)
			return -1;
		sms_state_add(&st, cp);
		i += k;
		if (sms_state_fits_cut(&st, max)) {
			best = i;
			best_gsm7 = st.gsm7;
		}
	}
	sms_state_info(&st, &info);
	if (info.segments <= max) {
		*out = xstrdup(utf8);
		return 0;
	}
	buf_init(&b);
	buf_add(&b, utf8, best);
	buf_puts(&b, best_gsm7 ? "..." : "\xe2\x80\xa6");
	*out = buf_detach(&b);
	return 1;
}

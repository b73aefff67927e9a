/* sms_text.h - how many SMS segments a text needs (3GPP TS 23.038/23.040).
 *
 * A text is sent in GSM-7 if every character is in the GSM 03.38 default
 * alphabet or its extension table (the latter, ^ { } \ [ ~ ] | and the euro
 * sign and form feed, cost two septets: an escape and the character);
 * otherwise in UCS-2, where characters outside the BMP cost two UTF-16 units.
 * One segment holds 160 septets or 70 units; a concatenated message holds
 * 153 septets or 67 units per segment, and an escape pair or a surrogate
 * pair is never split across segments, so segments are counted by filling
 * them greedily rather than by dividing. */
#ifndef OUTREACHD_SMS_TEXT_H
#define OUTREACHD_SMS_TEXT_H

#include <stddef.h>

enum sms_encoding {
	SMS_ENC_GSM7,
	SMS_ENC_UCS2,
};

struct sms_text_info {
	enum sms_encoding encoding;
	size_t chars;	 /* code points */
	size_t units;	 /* septets (GSM-7) or UTF-16 units (UCS-2) */
	size_t segments; /* 0 for the empty text */
};

/* Analyzes NUL-terminated utf8.  Returns 0, or -1 if it is not valid
 * UTF-8 (out is then untouched). */
int sms_text_analyze(const char *utf8, struct sms_text_info *out);

/* Returns the name of an encoding: "GSM-7" or "UCS-2". */
const char *sms_encoding_name(enum sms_encoding enc);

/* Returns 0 if utf8 fits max_segments, otherwise -1 with a cause like
 * "SMS needs 5 segments, max_segments is 3" (or an invalid UTF-8 cause). */
int sms_text_check(const char *utf8, int max_segments, char **cause);

/* Sets *out (caller frees) to the longest prefix of utf8 that, followed by
 * an ellipsis, fits max_segments, cut between code points.  The ellipsis is
 * "..." if the result is GSM-7 and U+2026 otherwise, so that it never forces
 * a GSM-7 text into UCS-2.  A cut may still split a grapheme made of
 * several code points (combining marks, ZWJ emoji sequences).  Returns 0 if
 * utf8 already fit (*out is a copy), 1 if it was cut, or -1 if utf8 is not
 * valid UTF-8 or max_segments < 1 (*out is then NULL). */
int sms_text_truncate(const char *utf8, int max_segments, char **out);

#endif

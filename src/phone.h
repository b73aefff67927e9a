/* phone.h - normalisation of human-written phone numbers to E.164.
 *
 * Accepted: digits, spaces, tabs, '-', '.', '/', balanced (non-nested)
 * parentheses and one leading '+'.  The full-width forms that Chinese and
 * Japanese input methods produce (U+FF10..FF19 digits, U+FF0B '+',
 * U+FF08/FF09 parentheses, U+FF0D '-', U+3000 space), U+00A0 no-break space
 * and the Unicode dashes U+2010..2015 and U+2212 are read as their ASCII
 * equivalents.
 *
 * International form: a leading '+' or "00", or the country's own
 * international prefix when default_cc is one of 1 ("011"), 7 ("810"),
 * 61 ("0011") or 81 ("010").  A "(0)" after the country code ("+44 (0)20
 * ...") is the national trunk prefix and is dropped, except for Italy (39).
 *
 * National form (anything else): one trunk prefix is dropped and default_cc
 * prepended.  The trunk prefix is "0", except: Italy (39) has none (the 0
 * belongs to the number); NANP (1) uses "1", dropped only from an 11-digit
 * number; Russia/Kazakhstan (7) use "8", dropped only from an 11-digit
 * number.
 *
 * The result must have 8 to 15 digits including the country code, and the
 * country code cannot start with 0.  No per-country numbering plan is
 * checked beyond that.  Pure function; thread-safe. */
#ifndef OUTREACHD_PHONE_H
#define OUTREACHD_PHONE_H

#define PHONE_MAX_INPUT 64 /* longer input is rejected, in bytes */

/* Normalises in to E.164 ("+8613800138000").  default_cc is the country
 * calling code without '+' ("86"), used when in has no international
 * prefix; NULL or "" means there is none and national numbers are
 * rejected.  Returns 0 with *out set to a malloc'd string the caller frees,
 * or -1 with *cause set to a malloc'd message that quotes the input, e.g.
 *	"12ab": not a phone number (unexpected 'a')
 * *out is untouched on failure. */
int phone_normalize(const char *in, const char *default_cc, char **out,
    char **cause);

#endif

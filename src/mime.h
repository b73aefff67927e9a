/* mime.h - well-formed RFC 5322 / MIME messages for SMTP DATA.
 *
 * mime_build() writes a complete message with CRLF line ends:
 *
 *	Date, From, To, [Reply-To], Subject, Message-ID,
 *	[List-Unsubscribe, List-Unsubscribe-Post], [extra headers],
 *	MIME-Version, Content-Type, Content-Transfer-Encoding
 *
 * List-Unsubscribe-Post (RFC 8058 one-click) is written only with an
 * https URL, as that RFC requires.
 *
 * then a text/plain body, or a multipart/alternative with the text part
 * first and the HTML part second.  Bodies are 7bit when they are printable
 * ASCII with lines of at most 76 octets, otherwise whichever of
 * quoted-printable and base64 is shorter (QP for mostly-ASCII text, base64
 * for CJK), so encoded lines never exceed 76 octets.  Bare CR and LF in a
 * body become CRLF and a body always ends with CRLF.  Lines that start
 * with "." are left alone: libcurl dot-stuffs SMTP uploads itself.  The
 * multipart boundary is derived from the Message-ID, so output is
 * reproducible, and is checked not to occur in the parts.
 *
 * Header injection is impossible by construction: addresses, the
 * Message-ID, the unsubscribe URLs and extra headers are validated and
 * rejected if they hold CR, LF or any other control character; display
 * names and the subject have control characters (C0, DEL, C1, U+2028,
 * U+2029) replaced by a space, white space runs collapsed and the ends
 * trimmed before they are encoded.  Non-ASCII text, text that looks like
 * an encoded-word and words too long to fold become RFC 2047 "B"
 * encoded-words of at most 75 characters that never split a UTF-8
 * character.  Header lines are folded at spaces to 78 characters where
 * possible and never exceed 998.
 *
 * All strings are caller-owned and only read; returned strings are owned
 * by the caller and freed with free(3). */
#ifndef OUTREACHD_MIME_H
#define OUTREACHD_MIME_H

#include <stddef.h>
#include <stdint.h>

#define MIME_ADDR_MAX 254    /* RFC 5321 path limit less the brackets */
#define MIME_LOCAL_MAX 64    /* RFC 5321 local-part limit */
#define MIME_MSGID_MAX 250   /* Message-ID without the angle brackets */
#define MIME_URL_MAX 900     /* each List-Unsubscribe URI */
#define MIME_LINE_SOFT 78    /* RFC 5322 SHOULD, for header lines */
#define MIME_LINE_HARD 998   /* RFC 5322 MUST, for every line */
#define MIME_BODY_LINE 76    /* RFC 2045 limit for QP and base64 lines */

struct mime_msg {
	const char *from_name;	/* display name, UTF-8, or NULL */
	const char *from_addr;	/* addr-spec, required */
	const char *to_name;	/* display name, UTF-8, or NULL */
	const char *to_addr;	/* addr-spec, required */
	const char *reply_to;	/* addr-spec or NULL */
	const char *subject;	/* UTF-8, or NULL for an empty subject */
	const char *text;	/* UTF-8 plain body (LF, CRLF or CR), required */
	const char *html;	/* UTF-8 HTML alternative or NULL */
	const char *message_id; /* dot-atom-text "@" dot-atom-text, no <> */
	int64_t date;		/* unix seconds, 0 to 253402300799 */
	const char *list_unsubscribe_url;    /* "https://..." or NULL */
	/* ("http://..." is accepted for test setups, without one-click.) */
	const char *list_unsubscribe_mailto; /* "mailto:..." or NULL */
	const char *const *extra_headers;    /* "Name: value", NULL-ended */
};

/* Builds the whole message (headers and body, CRLF line ends, ending in
 * CRLF) ready for SMTP DATA.  *out is NUL-terminated and owned by the
 * caller; *len is its length without the NUL.  On error returns -1 with
 * *cause set (caller frees) and *out untouched.  Errors: an invalid or
 * missing address, Message-ID, date or URL; names, subject or bodies that
 * are not valid UTF-8; a missing text; an extra header that is malformed
 * (no "Name:", a name outside printable ASCII, a value with control or
 * non-ASCII characters, a line that cannot fold under 998 characters) or
 * that names a header mime_build() writes itself or Bcc, Cc, Sender,
 * Return-Path or any Content-* header. */
int mime_build(const struct mime_msg *m, char **out, size_t *len,
    char **cause);

/* Returns the display-name phrase for utf8 (NULL counts as ""): atoms as
 * they are, ASCII with specials as one quoted-string with " and \
 * backslash-escaped, anything else as space-separated encoded-words.
 * Control characters become spaces, invalid UTF-8 becomes U+FFFD.  The
 * result is unfolded (one line); "" if nothing is left. */
char *mime_encode_phrase(const char *utf8);

/* Same for unstructured text such as a subject: ASCII stays as it is
 * (after the same clean-up), anything else becomes encoded-words. */
char *mime_encode_unstructured(const char *utf8);

/* 1 if addr is a plain addr-spec safe in a header and an SMTP envelope:
 * a dot-atom local part of at most 64 octets, one "@", a domain of LDH
 * labels (or an address literal such as [192.0.2.1]), at most 254 octets
 * in all, printable ASCII only (no CR, LF, spaces, quotes or <>).
 * Internationalised addresses (SMTPUTF8) are not accepted; give IDN
 * domains as A-labels.  Otherwise 0. */
int mime_addr_valid(const char *addr);

/* 1 if host is a host name of LDH labels, as the domain of an address or
 * a Message-ID may be (no address literal), at most 253 octets; else 0. */
int mime_host_valid(const char *host);

#endif

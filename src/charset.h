/* charset.h - reading text files in the encoding they come in, as UTF-8.
 *
 * Excel on a Chinese Windows PC saves CSV in GB18030 (GBK), not UTF-8.
 * Without a name the reader detects: bytes pass through while they are
 * ASCII; the first run of non-ASCII bytes (up to CHARSET_PROBE of them)
 * decides between UTF-8 (a byte order mark or valid sequences) and
 * GB18030 (converted with iconv(3) from there on; ASCII is the same in
 * both).  Given a name, any encoding iconv knows is converted.  Either way
 * the first byte that does not decode stops the reading: everything before
 * it is handed out, then charset_read() fails, and charset_bad_offset()
 * tells where that byte is in the input, so a CSV reader above can name
 * its row and column.
 *
 * Streaming: memory is two fixed buffers, whatever the input size. */
#ifndef OUTREACHD_CHARSET_H
#define OUTREACHD_CHARSET_H

#include <stddef.h>
#include <stdio.h>

#define CHARSET_PROBE ((size_t)64 * 1024)

struct charset;

/* A reader of fp in encoding (NULL or "" to detect).  Returns -1 with
 * *cause when iconv does not know the encoding.  The reader does not own
 * fp. */
int charset_open(FILE *fp, const char *encoding, struct charset **out,
    char **cause);
void charset_free(struct charset *c);

/* Fills buf (len >= 4) with up to len bytes of UTF-8.  Returns the count,
 * 0 at the end, -1 with *cause on a byte that does not decode or a read
 * error (and again on every later call). */
long charset_read(struct charset *c, char *buf, size_t len, char **cause);

/* The encoding detected when it is not UTF-8 ("GB18030"), else NULL. */
const char *charset_detected(const struct charset *c);

/* Input bytes consumed so far, for progress. */
long long charset_offset(const struct charset *c);

/* The input offset of the byte that did not decode, -1 when none did. */
long long charset_bad_offset(const struct charset *c);

#endif

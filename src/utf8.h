/* utf8.h - UTF-8 validation and decoding (RFC 3629: no overlongs, no
 * surrogates, nothing above U+10FFFF). */
#ifndef OUTREACHD_UTF8_H
#define OUTREACHD_UTF8_H

#include <stddef.h>
#include <stdint.h>

/* Decodes one code point from s (at most n bytes).  Returns its length in
 * bytes (1-4) and sets *cp, or 0 if the sequence is invalid or truncated. */
size_t utf8_decode(const unsigned char *s, size_t n, uint32_t *cp);

/* Returns 1 if s[0..n) is valid UTF-8; otherwise 0 and, if bad is not NULL,
 * the byte offset of the first invalid sequence. */
int utf8_valid(const char *s, size_t n, size_t *bad);

/* Appends code point cp to b as UTF-8 (cp must be a scalar value). */
struct buf;
void utf8_append(struct buf *b, uint32_t cp);

#endif

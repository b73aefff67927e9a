/* mime_priv.h - what mime.c (headers, the message) and mime_body.c (its
 * bodies) share. */
#ifndef OUTREACHD_MIME_PRIV_H
#define OUTREACHD_MIME_PRIV_H

#include <stddef.h>

#include "mime.h"
#include "util.h"

/* Encodes p[0..n) in base64 without line breaks. */
void mime_base64(struct buf *b, const unsigned char *p, size_t n);
/* Appends "name: value" CRLF, folded (mime.c): 0, or -1 (*cause). */
int mime_fold(struct buf *b, const char *name, const char *value,
    char **cause);
/* The MIME-Version, Content-Type and Content-Transfer-Encoding headers
 * and the body (or the multipart/alternative) of m: 0, or -1 (*cause). */
int mime_content(struct buf *b, const struct mime_msg *m, char **cause);

#endif

/* smtp_reply.h - the SMTP server's answer to the command a transaction
 * stopped at, pieced together from the dialogue libcurl shows its debug
 * callback (CURLINFO_HEADER_OUT: each command; CURLINFO_HEADER_IN: each
 * reply line).
 *
 * libcurl reports one reply code, that of the last reply it read, and no
 * text.  After a refusal it may still say QUIT (or RSET) and read the
 * answer, so "the last reply" would be "221 Bye".  The answer kept here is
 * the last whole reply to any other command (or to the greeting): the
 * one libcurl gave up at when a transfer fails.  A refusal that libcurl
 * got past (a 502 to EHLO, answered by falling back to HELO) is replaced
 * by the replies to the commands after it. */
#ifndef OUTREACHD_SMTP_REPLY_H
#define OUTREACHD_SMTP_REPLY_H

#include <stddef.h>

#include "util.h"

/* Longest answer kept, in bytes; a longer one is cut at a character. */
#define SMTP_REPLY_MAX 2000

struct smtp_reply {
	struct buf cur;		/* the reply coming in, lines joined by " / " */
	int cur_done;		/* cur holds a whole reply */
	int winding;		/* the last command sent was QUIT or RSET */
	struct buf answer;	/* the last whole reply that counts */
};

void smtp_reply_init(struct smtp_reply *r);
void smtp_reply_free(struct smtp_reply *r);
/* data[0..n) went out to the server: one or more command lines. */
void smtp_reply_sent(struct smtp_reply *r, const char *data, size_t n);
/* data[0..n) came in: one or more reply lines, CRLF-terminated or not. */
void smtp_reply_received(struct smtp_reply *r, const char *data, size_t n);
/* The answer, its lines joined by " / ", every control character and
 * byte that is not valid UTF-8 shown as '?'; "" before any. */
const char *smtp_reply_text(const struct smtp_reply *r);
/* The answer's reply code (e.g. 550), or 0 before any or if it has none. */
int smtp_reply_code(const struct smtp_reply *r);

#endif

/* feed_fold.c - RFC 5545 line folding for the feeds.
 *
 * libical 3.0.16 folds the property text together with its own CRLF: when
 * the last piece of a property is exactly 73 octets it puts the fold
 * between the CR and the LF, and the feed gets "\r\r\n \n", a bare CR and
 * a bare LF that strict clients reject.  So libical's folds are undone and
 * the lines folded again here.  A value never holds a raw CR or LF (feed.c
 * cleans them and libical escapes newlines), so after unfolding every CR,
 * LF or CRLF left is the end of a content line. */
#include <string.h>

#include "feed.h"
#include "util.h"

#define FOLD_MAX 75	/* octets a line holds, without its CRLF */

/* Appends one content line to out, folded: 75 octets at most per line
 * (the space starting a continuation line counts), and never a fold
 * inside a UTF-8 character. */
static void
fold_line(struct buf *out, const char *p, size_t len)
{
	size_t pos = 0, max = FOLD_MAX, cut;

	while (len - pos > max) {
		cut = pos + max;
		while (cut > pos && ((unsigned char)p[cut] & 0xc0) == 0x80)
			cut--;
		if (cut == pos)	/* not UTF-8: cut anywhere */
			cut = pos + max;
		buf_add(out, p + pos, cut - pos);
		buf_add(out, "\r\n ", 3);
		pos = cut;
		max = FOLD_MAX - 1;
	}
	buf_add(out, p + pos, len - pos);
	buf_add(out, "\r\n", 2);
}

void
feed_fold(struct buf *out, struct buf *scratch, const char *s)
{
	const char *p, *e;
	size_t n;

	/* Unfold: drop every CRLF followed by a space or a tab. */
	buf_reset(scratch);
	for (p = s; *p != '\0'; p = e) {
		e = p + strcspn(p, "\r");
		if (e[0] == '\r' && e[1] == '\n' && (e[2] == ' ' ||
		    e[2] == '\t')) {
			buf_add(scratch, p, (size_t)(e - p));
			e += 3;
		} else {
			if (*e == '\r')
				e++;
			buf_add(scratch, p, (size_t)(e - p));
		}
	}
	if (scratch->len == 0)
		return;
	/* Fold each line again; blank lines are dropped. */
	for (p = scratch->data; *p != '\0'; p += n + strspn(p + n, "\r\n")) {
		n = strcspn(p, "\r\n");
		if (n > 0)
			fold_line(out, p, n);
	}
}

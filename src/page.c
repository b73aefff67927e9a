/* page.c - the skeleton and escaping of the reps' pages, and reading
 * their forms. */
#include <stdlib.h>
#include <string.h>

#include "page.h"
#include "tmpl.h"

const char page_type[] = "text/html; charset=utf-8";
const char *const page_headers[] = {
	"Cache-Control", "no-store",
	"Referrer-Policy", "no-referrer",
	"X-Frame-Options", "DENY",
	"Content-Security-Policy", "default-src 'none'; style-src "
	    "'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; "
	    "base-uri 'none'",
	NULL,
};

/* Phone first: one column, nothing wider than the screen, big targets. */
static const char page_style[] =
    "*{box-sizing:border-box}"
    "body{font-family:sans-serif;margin:0 auto;padding:.5em .75em;"
    "max-width:36em;line-height:1.4;overflow-wrap:anywhere}"
    "h1{font-size:1.3em;margin:.3em 0}h2{font-size:1.05em;margin:.8em 0 .3em}"
    "h3{font-size:1em;margin:.8em 0 0}.overdue{margin:0;color:#555}"
    "#escalations{border-top:1px solid #ccc;margin-top:1em}"
    "dl{margin:0}dt{font-weight:bold;margin-top:.4em}dd{margin:0}"
    "ul{padding-left:1.2em;margin:.3em 0}"
    "label{display:block;margin-top:.5em}"
    "input,select,textarea,button{font-size:1em;width:100%;"
    "max-width:100%;padding:.45em;margin-top:.2em}"
    "textarea{min-height:4em}"
    "button{margin-top:.5em;border:1px solid #888;border-radius:.3em;"
    "background:#eee}button.go{background:#2a7;color:#fff}"
    ".ok{background:#dfd;padding:.5em}.err{background:#fdd;padding:.5em}"
    ".A{font-weight:bold}li{margin:.4em 0}a{color:#06c}";

/* Escaped text. */
void
page_esc(struct buf *b, const char *s)
{
	if (s != NULL)
		tmpl_escape_html(b, s);
}

/* The head, the style and the title. */
void
page_begin(struct buf *b, enum i18n_lang l, const char *title)
{
	buf_printf(b, "<!DOCTYPE html>\n<html lang=\"%s\">\n<head>\n"
	    "<meta charset=\"utf-8\">\n<meta name=\"viewport\" "
	    "content=\"width=device-width, initial-scale=1\">\n"
	    "<meta name=\"referrer\" content=\"no-referrer\">\n<title>",
	    i18n_tag(l));
	page_esc(b, title);
	/* Not through printf: copying the style with %s costs more than
	 * the rest of a task page. */
	buf_puts(b, "</title>\n<style>");
	buf_puts(b, page_style);
	buf_puts(b, "</style>\n</head>\n<body>\n<h1>");
	page_esc(b, title);
	buf_puts(b, "</h1>\n");
}

/* The end of a page. */
void
page_end(struct buf *b)
{
	buf_puts(b, "</body>\n</html>\n");
}

/* What a POST did, or why it did not. */
void
page_notice(struct buf *b, const char *cls, const char *text)
{
	buf_printf(b, "<p class=\"%s\" id=\"notice\">", cls);
	page_esc(b, text);
	buf_puts(b, "</p>\n");
}

/* A page saying one thing. */
char *
page_message(enum i18n_lang l, const char *title, const char *cls,
    const char *text, const char *href)
{
	struct buf b;

	buf_init(&b);
	page_begin(&b, l, title);
	page_notice(&b, cls, text);
	if (href != NULL) {
		buf_puts(&b, "<p><a href=\"");
		page_esc(&b, href);
		buf_puts(&b, "\">");
		page_esc(&b, i18n(l, MSG_BACK));
		buf_puts(&b, "</a></p>\n");
	}
	page_end(&b);
	return buf_detach(&b);
}

/* A hex digit's value, or -1. */
static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decodes s[0..n) ('+' is a space, %XX a byte). */
static char *
form_decode(const char *s, size_t n, size_t *len)
{
	char *out = xmalloc(n + 1);
	size_t i, k = 0;
	int hi, lo;

	for (i = 0; i < n; i++) {
		if (s[i] == '+')
			out[k++] = ' ';
		else if (s[i] == '%' && i + 2 < n &&
		    (hi = hexval(s[i + 1])) >= 0 && (lo = hexval(s[i + 2])) >= 0) {
			out[k++] = (char)(hi << 4 | lo);
			i += 2;
		} else
			out[k++] = s[i];
	}
	out[k] = '\0';
	if (len != NULL)
		*len = k;
	return out;
}

/* The first field called name. */
char *
page_form_get(const char *body, size_t n, const char *name, size_t *len)
{
	size_t nl = strlen(name), i = 0, end, eq;

	while (body != NULL && i < n) {
		for (end = i; end < n && body[end] != '&'; end++)
			;
		for (eq = i; eq < end && body[eq] != '='; eq++)
			;
		if (eq < end && eq - i == nl && memcmp(body + i, name, nl) == 0)
			return form_decode(body + eq + 1, end - eq - 1, len);
		i = end + 1;
	}
	return NULL;
}

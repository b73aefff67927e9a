/* tmpl.c - parser and renderer for the Mustache subset described in tmpl.h.
 *
 * A template is a flat array of nodes.  A section node records the index just
 * past its body, so rendering is a loop that either steps into a section or
 * jumps over it: no recursion, and a rendered template is never longer than
 * its text plus its values. */
#include "tmpl.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "utf8.h"
#include "util.h"

enum tmpl_node_type {
	TMPL_NODE_TEXT,
	TMPL_NODE_VAR,
	TMPL_NODE_SECTION,
	TMPL_NODE_INVERTED,
};

struct tmpl_node {
	enum tmpl_node_type type;
	char *text; /* literal text, or the fallback of a VAR (NULL if none) */
	size_t len;
	char *name;
	size_t line, col;
	size_t end;  /* sections: index of the first node after the body */
	int guarded; /* VAR inside {{#name}} of the same name */
};

struct tmpl {
	char *name;
	struct tmpl_node *nodes;
	size_t n, cap;
};

struct tmpl_parser {
	struct tmpl *t;
	const char *src;
	size_t len;
	size_t pos; /* bytes before pos have been counted into line/col */
	size_t line, col;
	size_t stack[TMPL_MAX_DEPTH]; /* node indexes of open sections */
	size_t depth;
	char **cause;
};

const char *const tmpl_known_vars[] = {
	"name", "salutation", "tier", "company", "event", "holiday",
	"event_date", "days_until", "years", "age", "last_contact",
	"optout_line", "unsubscribe_url", "survey_url", "rep.name", "rep.phone",
	"rep.email", "digest.date", "digest.count", "digest.overdue",
	"digest.tasks", "digest.escalations", "digest.team", "keydate.label",
	"keydate.title", "keydate.years", "report.date", "report.figures",
	"report.url", NULL,
};

/* Blanks that may surround names and stand beside standalone tags. */
static int
tmpl_is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* attr.NAME is open-ended because customer attributes come from the CRM. */
int
tmpl_var_known(const char *name)
{
	const char *p;
	size_t i;

	for (i = 0; tmpl_known_vars[i] != NULL; i++) {
		if (strcmp(name, tmpl_known_vars[i]) == 0)
			return 1;
	}
	if (strncmp(name, "attr.", 5) != 0 || name[5] == '\0')
		return 0;
	for (p = name + 5; *p != '\0'; p++) {
		if (!(*p >= 'a' && *p <= 'z') && !(*p >= 'A' && *p <= 'Z') &&
		    !(*p >= '0' && *p <= '9') && *p != '_')
			return 0;
	}
	return 1;
}

/* Moves the parser to byte offset to, counting lines and code points; the
 * source was validated first, so every non-continuation byte is a column. */
static void
tmpl_parser_advance(struct tmpl_parser *p, size_t to)
{
	for (; p->pos < to; p->pos++) {
		if (p->src[p->pos] == '\n') {
			p->line++;
			p->col = 1;
		} else if (((unsigned char)p->src[p->pos] & 0xc0) != 0x80)
			p->col++;
	}
}

/* All parse errors go through here so they share one format. */
static int
tmpl_parser_error(struct tmpl_parser *p, size_t line, size_t col,
    const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	set_error(p->cause, "%s:%zu:%zu: %s", p->t->name, line, col, msg);
	free(msg);
	return -1;
}

/* Appends a node; pointers into nodes die at the next call. */
static struct tmpl_node *
tmpl_add_node(struct tmpl *t, enum tmpl_node_type type, size_t line,
    size_t col)
{
	struct tmpl_node *n;

	if (t->n == t->cap) {
		t->cap = t->cap == 0 ? 16 : t->cap * 2;
		t->nodes = xreallocarray(t->nodes, t->cap, sizeof *t->nodes);
	}
	n = &t->nodes[t->n++];
	memset(n, 0, sizeof *n);
	n->type = type;
	n->line = line;
	n->col = col;
	return n;
}

/* Empty text between adjacent tags gets no node. */
static void
tmpl_add_text(struct tmpl *t, const char *s, size_t len)
{
	struct tmpl_node *n;

	if (len == 0)
		return;
	n = tmpl_add_node(t, TMPL_NODE_TEXT, 0, 0);
	n->text = xstrndup(s, len);
	n->len = len;
}

/* Names the offending character readably even if it is a control. */
static char *
tmpl_describe_char(const char *s, size_t n)
{
	uint32_t cp;
	size_t k;

	if ((k = utf8_decode((const unsigned char *)s, n, &cp)) == 0)
		return xasprintf("byte 0x%02x", (unsigned char)*s);
	if (cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp < 0xa0) ||
	    cp == '"' || cp == '\\')
		return xasprintf("U+%04X", (unsigned)cp);
	return xasprintf("\"%.*s\"", (int)k, s);
}

/* Checks the syntax of a name: segments of [a-z_][a-z0-9_]* separated by
 * dots, except that the segments after "attr" may use [A-Za-z0-9_]+.
 * Returns the offset of the first bad byte, or n if the name is fine. */
static size_t
tmpl_check_name(const char *s, size_t n)
{
	size_t i, seg = 0;
	int attr = n > 5 && strncmp(s, "attr.", 5) == 0;
	char c;

	for (i = 0; i < n; i++) {
		c = s[i];
		if (c == '.') {
			if (i == seg || i == n - 1)
				return i;
			seg = i + 1;
		} else if ((c >= 'a' && c <= 'z') || c == '_')
			continue;
		else if (c >= '0' && c <= '9') {
			if (i == seg && !(attr && seg > 0))
				return i;
		} else if (c >= 'A' && c <= 'Z') {
			if (!(attr && seg > 0))
				return i;
		} else
			return i;
	}
	return n;
}

/* Validates the name in a tag; known is 0 for close tags, whose name only
 * has to match the open section. */
static char *
tmpl_parse_name(struct tmpl_parser *p, const char *s, size_t n, size_t line,
    size_t col, int known)
{
	char *name, *what;
	size_t bad;

	if (n == 0) {
		tmpl_parser_error(p, line, col, "empty variable name");
		return NULL;
	}
	if ((bad = tmpl_check_name(s, n)) != n) {
		what = tmpl_describe_char(s + bad, n - bad);
		tmpl_parser_error(p, line, col,
		    "invalid character %s in variable name", what);
		free(what);
		return NULL;
	}
	name = xstrndup(s, n);
	if (known && !tmpl_var_known(name)) {
		tmpl_parser_error(p, line, col, "unknown variable \"%s\"",
		    name);
		free(name);
		return NULL;
	}
	return name;
}

/* A variable is guarded if an open {{#name}} makes sure it is present. */
static int
tmpl_parser_guarded(struct tmpl_parser *p, const char *name)
{
	struct tmpl_node *n;
	size_t i;

	for (i = 0; i < p->depth; i++) {
		n = &p->t->nodes[p->stack[i]];
		if (n->type == TMPL_NODE_SECTION && strcmp(n->name, name) == 0)
			return 1;
	}
	return 0;
}

/* {{#name}} and {{^name}}: the body ends at the matching close. */
static int
tmpl_parser_open(struct tmpl_parser *p, char sigil, char *name, size_t line,
    size_t col)
{
	struct tmpl_node *n;

	if (p->depth == TMPL_MAX_DEPTH) {
		free(name);
		return tmpl_parser_error(p, line, col,
		    "sections nested too deep (limit %d)", TMPL_MAX_DEPTH);
	}
	n = tmpl_add_node(p->t, sigil == '#' ? TMPL_NODE_SECTION :
	    TMPL_NODE_INVERTED, line, col);
	n->name = name;
	p->stack[p->depth++] = p->t->n - 1;
	return 0;
}

/* Closes must match the innermost open section, as in Mustache. */
static int
tmpl_parser_close(struct tmpl_parser *p, char *name, size_t line, size_t col)
{
	struct tmpl_node *open;
	int rc = 0;

	if (p->depth == 0) {
		rc = tmpl_parser_error(p, line, col,
		    "\"{{/%s}}\" closes a section that is not open", name);
	} else {
		open = &p->t->nodes[p->stack[p->depth - 1]];
		if (strcmp(open->name, name) != 0) {
			rc = tmpl_parser_error(p, line, col,
			    "\"{{/%s}}\" does not match open section \"%s\" "
			    "at %zu:%zu", name, open->name, open->line,
			    open->col);
		} else {
			open->end = p->t->n;
			p->depth--;
		}
	}
	free(name);
	return rc;
}

/* Parses the inside of one tag, s[0..n) between "{{" and "}}". */
static int
tmpl_parser_tag(struct tmpl_parser *p, const char *s, size_t n, size_t line,
    size_t col)
{
	struct tmpl_node *node;
	const char *bar, *fb = NULL;
	size_t i = 0, end, fblen = 0;
	char sigil = 0, *name;

	while (i < n && tmpl_is_blank(s[i]))
		i++;
	if (i < n && s[i] != '\0' && strchr("#^/!", s[i]) != NULL)
		sigil = s[i++];
	if (sigil == '!')
		return 0;
	while (i < n && tmpl_is_blank(s[i]))
		i++;
	end = n;
	if ((bar = memchr(s + i, '|', n - i)) != NULL) {
		if (sigil != 0) {
			return tmpl_parser_error(p, line, col,
			    "fallback only allowed in variable tags");
		}
		end = bar - s;
		fb = bar + 1;
		fblen = n - (end + 1);
		while (fblen > 0 && tmpl_is_blank(*fb))
			fb++, fblen--;
		while (fblen > 0 && tmpl_is_blank(fb[fblen - 1]))
			fblen--;
	}
	while (end > i && tmpl_is_blank(s[end - 1]))
		end--;
	name = tmpl_parse_name(p, s + i, end - i, line, col, sigil != '/');
	if (name == NULL)
		return -1;
	if (sigil == '#' || sigil == '^')
		return tmpl_parser_open(p, sigil, name, line, col);
	if (sigil == '/')
		return tmpl_parser_close(p, name, line, col);
	node = tmpl_add_node(p->t, TMPL_NODE_VAR, line, col);
	node->name = name;
	node->guarded = tmpl_parser_guarded(p, name);
	if (fb != NULL) {
		node->text = xstrndup(fb, fblen);
		node->len = fblen;
	}
	return 0;
}

/* Finds the "}}" closing the tag whose "{{" is at off.  Only comments may
 * span lines or contain "{{", so a forgotten "}}" is reported at its own
 * tag rather than at some later one. */
static int
tmpl_parser_find_close(struct tmpl_parser *p, size_t off, size_t *close)
{
	const char *s = p->src;
	size_t i = off + 2;
	int comment;

	while (i < p->len && tmpl_is_blank(s[i]))
		i++;
	comment = i < p->len && s[i] == '!';
	for (; i + 1 < p->len; i++) {
		if (s[i] == '}' && s[i + 1] == '}') {
			*close = i;
			return 0;
		}
		if (comment)
			continue;
		if (s[i] == '\n' || (s[i] == '{' && s[i + 1] == '{'))
			return -1;
	}
	return -1;
}

/* Only section, close and comment tags produce no output, so only they can
 * take their line away with them. */
static int
tmpl_tag_may_stand_alone(const char *s, size_t n)
{
	size_t i = 0;

	while (i < n && tmpl_is_blank(s[i]))
		i++;
	return i < n && s[i] != '\0' && strchr("#^/!", s[i]) != NULL;
}

/* A tag is standalone when blanks alone share its line with it: the whole
 * line then goes, so {{#x}} on a line of its own leaves no blank line.
 * Returns 1 and the byte range [*ls, *le) to drop. */
static int
tmpl_parser_standalone(struct tmpl_parser *p, size_t text_start, size_t off,
    size_t close, size_t *ls, size_t *le)
{
	const char *s = p->src;
	size_t a = off, b = close + 2;

	while (a > text_start && tmpl_is_blank(s[a - 1]))
		a--;
	if (a != 0 && s[a - 1] != '\n')
		return 0;
	while (b < p->len && tmpl_is_blank(s[b]))
		b++;
	if (b < p->len && s[b] == '\r' && b + 1 < p->len && s[b + 1] == '\n')
		b++;
	if (b < p->len && s[b] != '\n')
		return 0;
	*ls = a;
	*le = b < p->len ? b + 1 : b;
	return 1;
}

/* The first NUL or invalid UTF-8 byte, whichever comes first. */
static int
tmpl_parser_check_bytes(struct tmpl_parser *p)
{
	const char *nul = memchr(p->src, '\0', p->len);
	size_t bad = p->len;
	int valid;

	valid = utf8_valid(p->src, p->len, &bad);
	if (nul != NULL && (size_t)(nul - p->src) < bad) {
		tmpl_parser_advance(p, nul - p->src);
		return tmpl_parser_error(p, p->line, p->col,
		    "NUL byte in template");
	}
	if (!valid) {
		tmpl_parser_advance(p, bad);
		return tmpl_parser_error(p, p->line, p->col, "invalid UTF-8");
	}
	return 0;
}

/* Splits the source into text and tags, then checks that every
 * section was closed. */
static int
tmpl_parser_run(struct tmpl_parser *p)
{
	const char *open;
	size_t off, close, text_start = 0, drop_start, drop_end, line, col;
	struct tmpl_node *n;

	while ((open = memmem(p->src + p->pos, p->len - p->pos, "{{", 2))) {
		off = open - p->src;
		tmpl_parser_advance(p, off);
		line = p->line;
		col = p->col;
		if (tmpl_parser_find_close(p, off, &close) != 0) {
			return tmpl_parser_error(p, line, col,
			    "unclosed tag (missing \"}}\")");
		}
		drop_start = off;
		drop_end = close + 2;
		if (tmpl_tag_may_stand_alone(open + 2, close - off - 2)) {
			tmpl_parser_standalone(p, text_start, off, close,
			    &drop_start, &drop_end);
		}
		tmpl_add_text(p->t, p->src + text_start,
		    drop_start - text_start);
		if (tmpl_parser_tag(p, open + 2, close - off - 2, line,
		    col) != 0)
			return -1;
		tmpl_parser_advance(p, drop_end);
		text_start = drop_end;
	}
	tmpl_add_text(p->t, p->src + text_start, p->len - text_start);
	if (p->depth > 0) {
		n = &p->t->nodes[p->stack[p->depth - 1]];
		return tmpl_parser_error(p, n->line, n->col,
		    "section \"%s\" is never closed", n->name);
	}
	return 0;
}

/* Checks the bytes in a first pass so the tag scanner can rely on
 * valid UTF-8 when it counts columns. */
struct tmpl *
tmpl_parse_at(const char *src, size_t len, const char *name, size_t line,
    size_t col, char **cause)
{
	struct tmpl_parser p;

	memset(&p, 0, sizeof p);
	p.t = xcalloc(1, sizeof *p.t);
	p.t->name = xstrdup(name);
	p.src = src;
	p.len = len;
	p.line = line;
	p.col = col;
	p.cause = cause;
	if (tmpl_parser_check_bytes(&p) != 0) {
		tmpl_free(p.t);
		return NULL;
	}
	p.pos = 0;
	p.line = line;
	p.col = col;
	if (tmpl_parser_run(&p) != 0) {
		tmpl_free(p.t);
		return NULL;
	}
	return p.t;
}

/* Most templates are a file of their own, numbered from 1:1. */
struct tmpl *
tmpl_parse(const char *src, size_t len, const char *name, char **cause)
{
	return tmpl_parse_at(src, len, name, 1, 1, cause);
}

/* Frees every node and the template. */
void
tmpl_free(struct tmpl *t)
{
	size_t i;

	if (t == NULL)
		return;
	for (i = 0; i < t->n; i++) {
		free(t->nodes[i].text);
		free(t->nodes[i].name);
	}
	free(t->nodes);
	free(t->name);
	free(t);
}

/* Render errors name the template, so callers may want it too. */
const char *
tmpl_name(const struct tmpl *t)
{
	return t->name;
}

/* Copies runs that need no escape in one go: most values have none. */
void
tmpl_escape_html(struct buf *b, const char *s)
{
	const char *rep;
	size_t span;

	while (*s != '\0') {
		span = strcspn(s, "&<>\"'");
		buf_add(b, s, span);
		s += span;
		switch (*s) {
		case '&': rep = "&amp;"; break;
		case '<': rep = "&lt;"; break;
		case '>': rep = "&gt;"; break;
		case '"': rep = "&quot;"; break;
		case '\'': rep = "&#39;"; break;
		default: return;
		}
		buf_puts(b, rep);
		s++;
	}
}

/* An empty value behaves like an absent one except that it is no
 * error: the caller said "nothing", which is different from not knowing. */
static int
tmpl_render_var(const struct tmpl *t, const struct tmpl_node *n,
    const char *v, int flags, struct buf *b, char **cause)
{
	if (str_empty(v)) {
		if (n->text != NULL)
			buf_add(b, n->text, n->len);
		else if (v == NULL) {
			return set_error(cause, "missing value for \"%s\" "
			    "(%s:%zu:%zu)", n->name, t->name, n->line, n->col);
		}
		return 0;
	}
	if (!utf8_valid(v, strlen(v), NULL)) {
		return set_error(cause, "invalid UTF-8 in value for \"%s\" "
		    "(%s:%zu:%zu)", n->name, t->name, n->line, n->col);
	}
	if (flags & TMPL_HTML)
		tmpl_escape_html(b, v);
	else
		buf_puts(b, v);
	return 0;
}

/* Walks the nodes, jumping over sections whose condition fails. */
int
tmpl_render(const struct tmpl *t, tmpl_lookup_fn lookup, void *arg,
    int flags, char **out, char **cause)
{
	const struct tmpl_node *n;
	const char *v;
	struct buf b;
	size_t i = 0;

	buf_init(&b);
	*out = NULL;
	while (i < t->n) {
		n = &t->nodes[i];
		if (n->type == TMPL_NODE_TEXT) {
			buf_add(&b, n->text, n->len);
			i++;
			continue;
		}
		v = lookup != NULL ? lookup(arg, n->name) : NULL;
		if (n->type == TMPL_NODE_SECTION)
			i = str_empty(v) ? n->end : i + 1;
		else if (n->type == TMPL_NODE_INVERTED)
			i = str_empty(v) ? i + 1 : n->end;
		else {
			if (tmpl_render_var(t, n, v, flags, &b, cause) != 0) {
				buf_free(&b);
				return -1;
			}
			i++;
		}
	}
	*out = buf_detach(&b);
	return 0;
}

/* Lets previews list what a template needs without rendering it. */
int
tmpl_each_var(const struct tmpl *t,
    void (*fn)(void *arg, const char *name, int flags), void *arg)
{
	const struct tmpl_node *n;
	size_t i;
	int count = 0, flags;

	for (i = 0; i < t->n; i++) {
		n = &t->nodes[i];
		if (n->type == TMPL_NODE_TEXT)
			continue;
		if (n->type == TMPL_NODE_VAR) {
			flags = 0;
			if (n->text != NULL)
				flags |= TMPL_VAR_FALLBACK;
			if (n->guarded)
				flags |= TMPL_VAR_GUARDED;
		} else
			flags = TMPL_VAR_SECTION;
		fn(arg, n->name, flags);
		count++;
	}
	return count;
}

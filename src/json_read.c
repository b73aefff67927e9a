/* json_read.c - a small JSON reader into a tree. */
#include "json_read.h"

#include <stdlib.h>
#include <string.h>

#include "utf8.h"

struct reader {
	const char *s;
	size_t len, pos;
	char *error;
};

/* Keeps the first error, with where it was found. */
static void
fail(struct reader *r, const char *what)
{
	if (r->error == NULL)
		r->error = xasprintf("at byte %zu: %s", r->pos, what);
}

/* Skips the four white-space characters JSON allows. */
static void
skip_ws(struct reader *r)
{
	while (r->pos < r->len && (r->s[r->pos] == ' ' || r->s[r->pos] ==
	    '\t' || r->s[r->pos] == '\n' || r->s[r->pos] == '\r'))
		r->pos++;
}

/* A node of type t with nothing in it. */
static struct json_node *
node_new(enum json_type t)
{
	struct json_node *n = xcalloc(1, sizeof *n);

	n->type = t;
	return n;
}

/* Appends kid to parent's kids (*cap: their room). */
static void
node_add(struct json_node *parent, struct json_node *kid, size_t *cap)
{
	if (parent->nkids == *cap) {
		*cap = *cap ? *cap * 2 : 4;
		parent->kids = xreallocarray(parent->kids, *cap,
		    sizeof *parent->kids);
	}
	parent->kids[parent->nkids++] = kid;
}

/* Four hex digits at r->pos, or -1. */
static long
hex4(struct reader *r)
{
	long v = 0;
	size_t i;
	char c;

	if (r->len - r->pos < 4)
		return -1;
	for (i = 0; i < 4; i++) {
		c = r->s[r->pos + i];
		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= c - '0';
		else if (c >= 'a' && c <= 'f')
			v |= c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			v |= c - 'A' + 10;
		else
			return -1;
	}
	r->pos += 4;
	return v;
}

/* A \u escape (after the "\u"), a surrogate pair as one character. */
static int
read_unicode(struct reader *r, struct buf *b)
{
	long cp = hex4(r), lo;

	if (cp >= 0xd800 && cp <= 0xdbff && r->len - r->pos >= 6 &&
	    r->s[r->pos] == '\\' && r->s[r->pos + 1] == 'u') {
		r->pos += 2;
		if ((lo = hex4(r)) < 0xdc00 || lo > 0xdfff)
			return -1;
		cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
	}
	if (cp <= 0 || (cp >= 0xd800 && cp <= 0xdfff))
		return -1;	/* NUL, a lone surrogate or no digits */
	utf8_append(b, (uint32_t)cp);
	return 0;
}

/* A string, after its opening quote; NULL on error. */
static char *
read_string(struct reader *r)
{
	static const char esc[] = "\"\"\\\\//b\bf\fn\nr\rt\t";
	struct buf b;
	const char *e;
	unsigned char c;

	buf_init(&b);
	buf_puts(&b, "");
	while (r->pos < r->len && (c = (unsigned char)r->s[r->pos]) != '"') {
		r->pos++;
		if (c < 0x20) {
			fail(r, "control character in a string");
			break;
		}
		if (c != '\\') {
			buf_addc(&b, (char)c);
			continue;
		}
		if (r->pos == r->len)
			break;
		c = (unsigned char)r->s[r->pos++];
		if (c == 'u') {
			if (read_unicode(r, &b) != 0) {
				fail(r, "bad \\u escape");
				break;
			}
		} else if (c != '\0' && (e = memchr(esc, c, sizeof esc - 1)) !=
		    NULL && (e - esc) % 2 == 0)
			buf_addc(&b, e[1]);
		else {
			fail(r, "bad escape");
			break;
		}
	}
	if (r->error == NULL && r->pos == r->len)
		fail(r, "unterminated string");
	if (r->error == NULL && !utf8_valid(b.data, b.len, NULL))
		fail(r, "string is not UTF-8");
	if (r->error != NULL) {
		buf_free(&b);
		return NULL;
	}
	r->pos++;
	return buf_detach(&b);
}

/* A number as written, checked against the grammar loosely: sign,
 * digits, fraction, exponent. */
static char *
read_number(struct reader *r)
{
	size_t start = r->pos;

	if (r->pos < r->len && r->s[r->pos] == '-')
		r->pos++;
	while (r->pos < r->len && strchr("0123456789.eE+-",
	    r->s[r->pos]) != NULL && r->s[r->pos] != '\0')
		r->pos++;
	if (r->pos == start || (r->s[start] == '-' && r->pos == start + 1)) {
		fail(r, "bad number");
		return NULL;
	}
	return xstrndup(r->s + start, r->pos - start);
}

static struct json_node *read_value(struct reader *r, int depth);

/* The members or elements of an object or array, after its bracket. */
static struct json_node *
read_compound(struct reader *r, int object, int depth)
{
	struct json_node *n = node_new(object ? JSON_OBJECT : JSON_ARRAY), *kid;
	char close = object ? '}' : ']', *key = NULL;
	size_t cap = 0;

	skip_ws(r);
	if (r->pos < r->len && r->s[r->pos] == close) {
		r->pos++;
		return n;
	}
	for (;;) {
		skip_ws(r);
		if (object) {
			if (r->pos == r->len || r->s[r->pos] != '"') {
				fail(r, "expected a member name");
				break;
			}
			r->pos++;
			if ((key = read_string(r)) == NULL)
				break;
			skip_ws(r);
			if (r->pos == r->len || r->s[r->pos++] != ':') {
				fail(r, "expected ':'");
				break;
			}
		}
		if ((kid = read_value(r, depth + 1)) == NULL)
			break;
		kid->key = key;
		key = NULL;
		node_add(n, kid, &cap);
		skip_ws(r);
		if (r->pos < r->len && r->s[r->pos] == ',') {
			r->pos++;
			continue;
		}
		if (r->pos < r->len && r->s[r->pos] == close) {
			r->pos++;
			return n;
		}
		fail(r, object ? "expected ',' or '}'" : "expected ',' or ']'");
		break;
	}
	free(key);
	json_read_free(n);
	return NULL;
}

/* The literal word at r->pos, or 0. */
static int
literal(struct reader *r, const char *word)
{
	size_t n = strlen(word);

	if (r->len - r->pos < n || memcmp(r->s + r->pos, word, n) != 0)
		return 0;
	r->pos += n;
	return 1;
}

/* Any value at r->pos, depth levels down. */
static struct json_node *
read_value(struct reader *r, int depth)
{
	struct json_node *n;
	char c;

	skip_ws(r);
	if (depth > JSON_READ_DEPTH) {
		fail(r, "nested too deeply");
		return NULL;
	}
	if (r->pos == r->len) {
		fail(r, "unexpected end");
		return NULL;
	}
	c = r->s[r->pos];
	if (c == '{' || c == '[') {
		r->pos++;
		return read_compound(r, c == '{', depth);
	}
	if (c == '"') {
		r->pos++;
		n = node_new(JSON_STRING);
		if ((n->text = read_string(r)) == NULL) {
			free(n);
			return NULL;
		}
		return n;
	}
	if (literal(r, "true") || literal(r, "false")) {
		n = node_new(JSON_BOOL);
		n->text = xstrdup(c == 't' ? "true" : "false");
		return n;
	}
	if (literal(r, "null"))
		return node_new(JSON_NULL);
	if (c == '-' || (c >= '0' && c <= '9')) {
		n = node_new(JSON_NUMBER);
		if ((n->text = read_number(r)) == NULL) {
			free(n);
			return NULL;
		}
		return n;
	}
	fail(r, "unexpected character");
	return NULL;
}

struct json_node *
json_read_parse(const char *s, size_t len, char **cause)
{
	struct reader r = { s, len, 0, NULL };
	struct json_node *n;

	if (s == NULL)
		r.len = 0;
	if ((n = read_value(&r, 0)) != NULL) {
		skip_ws(&r);
		if (r.pos != r.len) {
			fail(&r, "text after the value");
			json_read_free(n);
			n = NULL;
		}
	}
	if (n == NULL) {
		if (cause != NULL)
			*cause = r.error;
		else
			free(r.error);
	}
	return n;
}

void
json_read_free(struct json_node *n)
{
	size_t i;

	if (n == NULL)
		return;
	for (i = 0; i < n->nkids; i++)
		json_read_free(n->kids[i]);
	free(n->kids);
	free(n->key);
	free(n->text);
	free(n);
}

const struct json_node *
json_read_get(const struct json_node *obj, const char *key)
{
	size_t i;

	if (obj == NULL || obj->type != JSON_OBJECT)
		return NULL;
	for (i = 0; i < obj->nkids; i++)
		if (strcmp(obj->kids[i]->key, key) == 0)
			return obj->kids[i];
	return NULL;
}

const char *
json_read_text(const struct json_node *obj, const char *key)
{
	const struct json_node *n = json_read_get(obj, key);

	return n != NULL && (n->type == JSON_STRING || n->type ==
	    JSON_NUMBER) ? n->text : NULL;
}

void
json_read_quote(struct buf *b, const char *s)
{
	const unsigned char *p;

	buf_addc(b, '"');
	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		if (*p == '"' || *p == '\\') {
			buf_addc(b, '\\');
			buf_addc(b, (char)*p);
		} else if (*p == '\n')
			buf_puts(b, "\\n");
		else if (*p < 0x20 || *p == 0x7f)
			buf_printf(b, "\\u%04x", *p);
		else
			buf_addc(b, (char)*p);
	}
	buf_addc(b, '"');
}

/* json_read.h - a small JSON reader (RFC 8259) for the answers and
 * callbacks of the SMS providers: the whole text becomes a tree of nodes.
 * Strings are decoded to UTF-8 (\uXXXX and surrogate pairs included; a
 * lone surrogate or a NUL is refused), numbers are kept as their text,
 * objects keep their members in order.  Depth is limited, so a hostile
 * body cannot exhaust the stack. */
#ifndef OUTREACHD_JSON_READ_H
#define OUTREACHD_JSON_READ_H

#include <stddef.h>
#include <stdint.h>

#include "util.h"

#define JSON_READ_DEPTH 32

enum json_type { JSON_NULL, JSON_BOOL, JSON_NUMBER, JSON_STRING, JSON_ARRAY,
	JSON_OBJECT };

struct json_node {
	enum json_type type;
	char *key;		/* a member's name, NULL elsewhere */
	char *text;		/* STRING: the value; NUMBER: as written;
				   BOOL: "true" or "false" */
	struct json_node **kids; /* ARRAY, OBJECT */
	size_t nkids;
};

/* Parses the whole of s[0..len).  Returns the root, or NULL with *cause
 * ("at byte N: what"). */
struct json_node *json_read_parse(const char *s, size_t len, char **cause);
void json_read_free(struct json_node *n);
/* The member key of an object (the first one of that name), or NULL. */
const struct json_node *json_read_get(const struct json_node *obj,
    const char *key);
/* The text of member key when it is a string or a number, else NULL. */
const char *json_read_text(const struct json_node *obj, const char *key);
/* Appends s as a JSON string, quotes included (s is valid UTF-8). */
void json_read_quote(struct buf *b, const char *s);

#endif

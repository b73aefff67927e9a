/* tmpl.h - a small Mustache subset for outreach messages.
 *
 * Syntax:
 *	{{name}}		value (HTML-escaped with TMPL_HTML)
 *	{{name|fallback}}	fallback text when the value is absent or empty
 *	{{#name}}...{{/name}}	rendered when the value is present and non-empty
 *	{{^name}}...{{/name}}	rendered when the value is absent or empty
 *	{{! comment }}		ignored; the only tag that may span lines
 *
 * Spaces and tabs are allowed around sigils, names and the fallback
 * ({{ # rep.name }}, {{ name | friend }}).  A line holding nothing but one
 * section, close or comment tag (and blanks) is dropped entirely, newline
 * included, as in Mustache, so conditional blocks leave no blank lines.
 * Fallback text is template text: it is copied as is, never escaped.  There
 * is no way to write a literal "{{".
 *
 * Names are [a-z_][a-z0-9_]* optionally dotted; they must be one of
 * tmpl_known_vars or attr.NAME with NAME in [A-Za-z0-9_]+.
 *
 * Errors read "NAME:LINE:COLUMN: message" (1-based, columns in code points,
 * position of the offending "{{" or of the bad byte). */
#ifndef OUTREACHD_TMPL_H
#define OUTREACHD_TMPL_H

#include <stddef.h>

#define TMPL_MAX_DEPTH 16 /* sections nested deeper are a parse error */

/* tmpl_render() flags. */
#define TMPL_HTML 0x1 /* escape & < > " ' in values */

/* tmpl_each_var() flags. */
#define TMPL_VAR_FALLBACK 0x1 /* {{name|...}}: never fails the render */
#define TMPL_VAR_GUARDED 0x2  /* inside {{#name}}: present when reached */
#define TMPL_VAR_SECTION 0x4  /* {{#name}} or {{^name}}: only tested */

struct buf;
struct tmpl;

/* Returns the value of name, or NULL if it is absent.  The string must stay
 * valid until the next call or the end of the render; it is not freed. */
typedef const char *(*tmpl_lookup_fn)(void *arg, const char *name);

/* The known variable names, NULL-terminated, for documentation; attr.NAME
 * is accepted on top of these. */
extern const char *const tmpl_known_vars[];

/* 1 if name may be used in a template, otherwise 0. */
int tmpl_var_known(const char *name);

/* Parses src[0..len) (need not be NUL-terminated).  name is used in error
 * messages and is copied.  tmpl_parse_at() numbers positions from line and
 * col instead of 1:1, for templates cut out of a larger file.  Returns a new
 * template owned by the caller (tmpl_free()), or NULL and *cause. */
struct tmpl *tmpl_parse(const char *src, size_t len, const char *name,
    char **cause);
struct tmpl *tmpl_parse_at(const char *src, size_t len, const char *name,
    size_t line, size_t col, char **cause);
void tmpl_free(struct tmpl *t); /* NULL is fine */

/* Renders t into *out (caller frees).  An absent value of a {{name}} without
 * fallback, or a value that is not valid UTF-8, fails the render with a cause
 * like: missing value for "attr.hobby" (NAME:LINE:COL).  A present but empty
 * value renders as nothing.  lookup may be NULL: every value is absent.
 * Returns 0, or -1 with *cause and *out set to NULL. */
int tmpl_render(const struct tmpl *t, tmpl_lookup_fn lookup, void *arg,
    int flags, char **out, char **cause);

/* Calls fn for every variable and section tag in template order (names may
 * repeat), with TMPL_VAR_* flags.  Returns the number of calls. */
int tmpl_each_var(const struct tmpl *t,
    void (*fn)(void *arg, const char *name, int flags), void *arg);

/* The name given to tmpl_parse(); owned by t. */
const char *tmpl_name(const struct tmpl *t);

/* Appends s to b with & < > " ' as entities, fit for HTML text and quoted
 * attribute values.  Values come from customer data, so TMPL_HTML renders
 * them through this, as do the pages the HTTP service writes itself. */
void tmpl_escape_html(struct buf *b, const char *s);

#endif

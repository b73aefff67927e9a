/* db_sql.c - the text the database layer reads: targets (which backend,
 * and the password to hide in messages) and SQL (SQLite's ?N parameters
 * turned into PostgreSQL's $N). */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "db_priv.h"
#include "util.h"

#define REDACTED "***"

static int
has_prefix(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* The length of the URI scheme and "://" target starts with, or 0. */
static size_t
uri_scheme_len(const char *target)
{
	if (has_prefix(target, "postgresql://"))
		return strlen("postgresql://");
	if (has_prefix(target, "postgres://"))
		return strlen("postgres://");
	return 0;
}

int
db_is_conninfo(const char *target)
{
	return uri_scheme_len(target) > 0 || strstr(target, "host=") != NULL ||
	    strstr(target, "hostaddr=") != NULL ||
	    strstr(target, "dbname=") != NULL;
}

/* libpq's keywords whose value is a secret. */
static int
secret_key(const char *key, size_t n)
{
	return (n == 8 && strncmp(key, "password", n) == 0) ||
	    (n == 11 && strncmp(key, "sslpassword", n) == 0);
}

/* A URI's query: "k=v&k=v", each secret value replaced. */
static void
redact_query(struct buf *b, const char *q)
{
	const char *end, *eq;

	for (;;) {
		end = q + strcspn(q, "&#");
		eq = memchr(q, '=', (size_t)(end - q));
		if (eq != NULL && secret_key(q, (size_t)(eq - q))) {
			buf_add(b, q, (size_t)(eq - q) + 1);
			buf_puts(b, REDACTED);
		} else
			buf_add(b, q, (size_t)(end - q));
		if (*end != '&') {
			buf_puts(b, end);
			return;
		}
		buf_addc(b, '&');
		q = end + 1;
	}
}

/* scheme://[user[:password]@]hosts[/db][?query]: the password after the
 * user (up to the last '@' of the authority) and in the query hidden. */
static void
redact_uri(struct buf *b, const char *t, size_t scheme)
{
	const char *auth = t + scheme, *end, *at = NULL, *p, *colon;

	buf_add(b, t, scheme);
	end = auth + strcspn(auth, "/?#");
	for (p = auth; p < end; p++)
		if (*p == '@')
			at = p;
	if (at != NULL &&
	    (colon = memchr(auth, ':', (size_t)(at - auth))) != NULL) {
		buf_add(b, auth, (size_t)(colon - auth) + 1);
		buf_puts(b, REDACTED);
		auth = at;
	}
	p = auth + strcspn(auth, "?#");
	buf_add(b, auth, (size_t)(p - auth));
	if (*p == '?') {
		buf_addc(b, '?');
		redact_query(b, p + 1);
	} else
		buf_puts(b, p);
}

/* The end of a keyword's value at p: 'quoted' (with \ escapes) or up to
 * white space. */
static const char *
kv_value_end(const char *p)
{
	if (*p != '\'') {
		while (*p != '\0' && !isspace((unsigned char)*p))
			p++;
		return p;
	}
	for (p++; *p != '\0' && *p != '\''; p++)
		if (*p == '\\' && p[1] != '\0')
			p++;
	return *p == '\'' ? p + 1 : p;
}

/* "key = value key=value...": each secret value replaced, the rest
 * copied as written. */
static void
redact_kv(struct buf *b, const char *t)
{
	const char *p = t, *key, *val;
	size_t klen;

	while (*p != '\0') {
		if (isspace((unsigned char)*p)) {
			buf_addc(b, *p++);
			continue;
		}
		key = p;
		while (*p != '\0' && *p != '=' && !isspace((unsigned char)*p))
			p++;
		klen = (size_t)(p - key);
		while (isspace((unsigned char)*p))
			p++;
		if (*p != '=') {	/* not key=value: copy it, go on */
			buf_add(b, key, (size_t)(p - key));
			continue;
		}
		for (p++; isspace((unsigned char)*p); p++)
			;
		val = p;
		p = kv_value_end(val);
		buf_add(b, key, (size_t)(val - key));
		if (secret_key(key, klen))
			buf_puts(b, REDACTED);
		else
			buf_add(b, val, (size_t)(p - val));
	}
}

char *
db_redact(const char *target)
{
	struct buf b;
	size_t scheme = uri_scheme_len(target);

	if (!db_is_conninfo(target))
		return xstrdup(target);
	buf_init(&b);
	if (scheme > 0)
		redact_uri(&b, target, scheme);
	else
		redact_kv(&b, target);
	return buf_detach(&b);
}

/* Where a quoted text that starts at p (at its quote) ends: after the
 * closing quote, a doubled quote being one character; backslash escapes
 * when esc (E'...'). */
static const char *
quoted_end(const char *p, int esc)
{
	char q = *p++;

	for (; *p != '\0'; p++) {
		if (esc && *p == '\\' && p[1] != '\0')
			p++;
		else if (*p == q) {
			if (p[1] != q)
				return p + 1;
			p++;
		}
	}
	return p;
}

/* The end of a block comment from p, nested as PostgreSQL nests them. */
static const char *
comment_end(const char *p)
{
	int depth = 0;

	while (*p != '\0') {
		if (p[0] == '/' && p[1] == '*') {
			depth++;
			p += 2;
		} else if (p[0] == '*' && p[1] == '/') {
			p += 2;
			if (--depth == 0)
				return p;
		} else
			p++;
	}
	return p;
}

static int
ident_char(char c)
{
	return isalnum((unsigned char)c) || c == '_' || c == '$' ||
	    (unsigned char)c >= 0x80;
}

/* A dollar quote $tag$...$tag$ starting at p, or NULL when p is no
 * opening tag (a $ inside an identifier, a $1). */
static const char *
dollar_end(const char *sql, const char *p)
{
	const char *t = p + 1, *close;
	size_t n;
	char *tag;

	if (p > sql && ident_char(p[-1]))
		return NULL;
	if (*t != '$' && !(isalpha((unsigned char)*t) || *t == '_'))
		return NULL;
	while (*t != '$' && (isalnum((unsigned char)*t) || *t == '_'))
		t++;
	if (*t != '$')
		return NULL;
	n = (size_t)(t - p) + 1;
	tag = xstrndup(p, n);
	close = strstr(t + 1, tag);
	free(tag);
	return close != NULL ? close + n : t + strlen(t);
}

/* The end of a part of sql that is copied as it is (a literal, quoted
 * identifier or comment) starting at p, or NULL when p starts none. */
static const char *
opaque_end(const char *sql, const char *p)
{
	switch (*p) {
	case '\'':
		return quoted_end(p, p > sql && (p[-1] == 'E' ||
		    p[-1] == 'e') && (p - 1 == sql || !ident_char(p[-2])));
	case '"':
		return quoted_end(p, 0);
	case '-':
		return p[1] == '-' ? p + strcspn(p, "\n") : NULL;
	case '/':
		return p[1] == '*' ? comment_end(p) : NULL;
	case '$':
		return dollar_end(sql, p);
	}
	return NULL;
}

int
db_sql_dollar(const char *sql, char **out, int *nparams, char **cause)
{
	struct buf b;
	const char *p = sql, *end;
	char *num_end;
	long n;

	*nparams = 0;
	buf_init(&b);
	buf_puts(&b, "");
	while (*p != '\0') {
		if ((end = opaque_end(sql, p)) != NULL) {
			buf_add(&b, p, (size_t)(end - p));
			p = end;
			continue;
		}
		if (*p != '?') {
			buf_addc(&b, *p++);
			continue;
		}
		n = isdigit((unsigned char)p[1]) ? strtol(p + 1, &num_end, 10) :
		    0;
		if (n <= 0 || n > 32766) {
			buf_free(&b);
			return set_error(cause, "parameter %ld at offset %zu: "
			    "parameters are ?1, ?2 ... (up to ?32766)", n,
			    (size_t)(p - sql));
		}
		buf_printf(&b, "$%ld", n);
		if (n > *nparams)
			*nparams = (int)n;
		p = num_end;
	}
	*out = buf_detach(&b);
	return 0;
}

/* tmpl_set.c - loading a template directory, locale lookup and rendering of
 * whole messages. */
#include "tmpl_set.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "utf8.h"
#include "util.h"

struct tmpl_set {
	struct tmpl_msg **msgs;
	size_t n, cap;
	uint64_t digest;	/* of every file's name and bytes */
};

/* What a file name says about its file. */
struct tmpl_file {
	const char *name;
	char *rule;
	const char *channel;
	char *locale; /* "" if none */
	int html;
};

/* Errors of one load, one per line. */
struct tmpl_errors {
	struct buf b;
	int count;
};

/* Appends one error line. */
static void PRINTFLIKE(2, 3)
tmpl_errors_add(struct tmpl_errors *e, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	if (e->count++ > 0)
		buf_addc(&e->b, '\n');
	buf_puts(&e->b, msg);
	free(msg);
}

/* Takes ownership of a parse error message. */
static void
tmpl_errors_take(struct tmpl_errors *e, char *cause)
{
	tmpl_errors_add(e, "%s", cause);
	free(cause);
}

/* Rule names reach file names, so they are kept to a safe set. */
int
tmpl_rule_valid(const char *rule)
{
	const char *p;

	if (*rule == '\0')
		return 0;
	for (p = rule; *p != '\0'; p++) {
		if (!(*p >= 'a' && *p <= 'z') && !(*p >= '0' && *p <= '9') &&
		    *p != '_' && *p != '-')
			return 0;
	}
	return 1;
}

/* [a-z]{2,3}(_[A-Z]{2})?: strict, because it comes from a file name. */
int
tmpl_locale_valid(const char *l)
{
	size_t n = 0;

	while (l[n] >= 'a' && l[n] <= 'z')
		n++;
	if (n < 2 || n > 3)
		return 0;
	if (l[n] == '\0')
		return 1;
	return l[n] == '_' && l[n + 1] >= 'A' && l[n + 1] <= 'Z' &&
	    l[n + 2] >= 'A' && l[n + 2] <= 'Z' && l[n + 3] == '\0';
}

/* File names go into messages and logs, and a valid one is printable
 * ASCII: anything else is shown as \xNN. */
static int
tmpl_file_name_bad(const char *name, char **cause)
{
	const unsigned char *p;
	struct buf b;
	int bad = 0;

	buf_init(&b);
	for (p = (const unsigned char *)name; *p != '\0'; p++) {
		if (*p <= 0x20 || *p >= 0x7f || *p == '\\') {
			buf_printf(&b, "\\x%02x", *p);
			bad = 1;
		} else
			buf_addc(&b, (char)*p);
	}
	if (bad)
		set_error(cause, "%s: invalid template file name", b.data);
	buf_free(&b);
	return bad;
}

/* Splits NAME.tmpl into its parts; the name ends in ".tmpl". */
static int
tmpl_file_parse(struct tmpl_file *f, const char *name, char **cause)
{
	char *copy, *parts[5], *p;
	size_t n = 0;

	memset(f, 0, sizeof *f);
	f->name = name;
	if (tmpl_file_name_bad(name, cause))
		return -1;
	copy = xstrndup(name, strlen(name) - 5);
	for (p = copy; n < ARRAY_SIZE(parts) && p != NULL; n++)
		parts[n] = strsep(&p, ".");
	if (n >= 3 && strcmp(parts[n - 1], "html") == 0) {
		f->html = 1;
		n--;
	}
	if (p != NULL || n < 2 || n > 3) {
		free(copy);
		return set_error(cause, "%s: expected "
		    "RULE.CHANNEL[.LOCALE].tmpl or "
		    "RULE.email[.LOCALE].html.tmpl", name);
	}
	if (!tmpl_rule_valid(parts[0])) {
		set_error(cause, "%s: invalid rule name \"%s\" (expected "
		    "[a-z0-9_-]+)", name, parts[0]);
	} else if (strcmp(parts[1], "email") != 0 &&
	    strcmp(parts[1], "sms") != 0) {
		set_error(cause, "%s: unknown channel \"%s\" (expected email "
		    "or sms)", name, parts[1]);
	} else if (n == 3 && !tmpl_locale_valid(parts[2])) {
		set_error(cause, "%s: invalid locale \"%s\" (expected e.g. zh "
		    "or zh_CN)", name, parts[2]);
	} else if (f->html && strcmp(parts[1], "email") != 0)
		set_error(cause, "%s: HTML templates are for email only", name);
	else {
		f->rule = xstrdup(parts[0]);
		f->channel = strcmp(parts[1], "email") == 0 ? "email" : "sms";
		f->locale = xstrdup(n == 3 ? parts[2] : "");
		free(copy);
		return 0;
	}
	free(copy);
	return -1;
}

/* Reads a whole regular file relative to dirfd. */
static char *
tmpl_file_read(int dirfd, const char *name, size_t *lenp, char **cause)
{
	struct stat st;
	struct buf b;
	char chunk[8192];
	ssize_t r;
	int fd;

	fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd == -1) {
		set_error(cause, "%s: %s", name, strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		set_error(cause, "%s: not a regular file", name);
		close(fd);
		return NULL;
	}
	buf_init(&b);
	while ((r = read(fd, chunk, sizeof chunk)) != 0) {
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1 || b.len + (size_t)r > TMPL_SET_MAX_FILE) {
			if (r == -1) {
				set_error(cause, "%s: %s", name,
				    strerror(errno));
			} else {
				set_error(cause, "%s: larger than %d bytes",
				    name, TMPL_SET_MAX_FILE);
			}
			buf_free(&b);
			close(fd);
			return NULL;
		}
		buf_add(&b, chunk, (size_t)r);
	}
	close(fd);
	*lenp = b.len;
	return buf_detach(&b);
}

#define TMPL_HDR_SUBJECT 0x1
#define TMPL_HDR_REPLY_TO 0x2

/* Parses one "Name: value" header line s[0..n) into msg.  Returns -1 for a
 * line that is no header at all: most likely the body began without a blank
 * line, and every further line would be one more error. */
static int
tmpl_header_parse(struct tmpl_msg *msg, const char *s, size_t n,
    size_t line, int *seen, struct tmpl_errors *e)
{
	struct tmpl **slot;
	const char *label;
	size_t i = 0, v;
	int bit;
	char *cause = NULL;

	while (i < n && (isalnum((unsigned char)s[i]) ||
	    (i > 0 && s[i] == '-')))
		i++;
	if (i == 0 || i == n || s[i] != ':') {
		tmpl_errors_add(e, "%s:%zu:1: expected \"Name: value\" header "
		    "or a blank line before the body", msg->file, line);
		return -1;
	}
	if (i == 7 && strncasecmp(s, "Subject", 7) == 0) {
		slot = &msg->subject;
		label = "Subject";
		bit = TMPL_HDR_SUBJECT;
	} else if (i == 8 && strncasecmp(s, "Reply-To", 8) == 0) {
		slot = &msg->reply_to;
		label = "Reply-To";
		bit = TMPL_HDR_REPLY_TO;
	} else {
		tmpl_errors_add(e, "%s:%zu:1: unknown header \"%.*s\" "
		    "(expected Subject or Reply-To)", msg->file, line, (int)i,
		    s);
		return 0;
	}
	if (*seen & bit) {
		tmpl_errors_add(e, "%s:%zu:1: duplicate \"%s\" header",
		    msg->file, line, label);
		return 0;
	}
	*seen |= bit;
	for (v = i + 1; v < n && (s[v] == ' ' || s[v] == '\t'); v++)
		;
	if (v == n) {
		tmpl_errors_add(e, "%s:%zu:1: empty \"%s\" header", msg->file,
		    line, label);
		return 0;
	}
	*slot = tmpl_parse_at(s + v, n - v, msg->file, line, v + 1, &cause);
	if (*slot == NULL)
		tmpl_errors_take(e, cause);
	return 0;
}

/* Parses the header block and returns the offset of the body, or -1 if
 * there is none.  Header names, ':' and blanks are ASCII, so byte offsets
 * within a header line are columns. */
static long
tmpl_headers_parse(struct tmpl_msg *msg, const char *s, size_t len,
    size_t *linep, struct tmpl_errors *e)
{
	size_t p = 0, end, next, line = 1;
	const char *nl;
	int seen = 0;

	for (;; p = next, line++) {
		if (p == len && !(seen & TMPL_HDR_SUBJECT)) {
			tmpl_errors_add(e, "%s:1:1: missing \"Subject\" header",
			    msg->file);
			return -1;
		}
		if (p == len) {
			tmpl_errors_add(e, "%s:%zu:1: missing blank line after "
			    "the headers", msg->file, line);
			return -1;
		}
		nl = memchr(s + p, '\n', len - p);
		next = nl != NULL ? (size_t)(nl - s) + 1 : len;
		end = nl != NULL ? (size_t)(nl - s) : len;
		if (end > p && s[end - 1] == '\r')
			end--;
		while (end > p && (s[end - 1] == ' ' || s[end - 1] == '\t'))
			end--;
		if (end == p)
			break;
		if (tmpl_header_parse(msg, s + p, end - p, line, &seen, e) != 0)
			return -1;
	}
	if (!(seen & TMPL_HDR_SUBJECT)) {
		tmpl_errors_add(e, "%s:1:1: missing \"Subject\" header",
		    msg->file);
	}
	*linep = line + 1;
	return (long)next;
}

/* Parses the text template of f into msg. */
static void
tmpl_text_parse(struct tmpl_msg *msg, const struct tmpl_file *f,
    const char *s, size_t len, struct tmpl_errors *e)
{
	size_t line = 1;
	long body = 0;
	char *cause = NULL;

	if (strcmp(f->channel, "email") == 0) {
		if ((body = tmpl_headers_parse(msg, s, len, &line, e)) < 0)
			return;
	} else if ((body = tmpl_provider_parse(s, len, f->name,
	    &msg->provider, &line, &cause)) < 0) {
		tmpl_errors_take(e, cause);
		return;
	}
	msg->text = tmpl_parse_at(s + body, len - (size_t)body, f->name, line,
	    1, &cause);
	if (msg->text == NULL)
		tmpl_errors_take(e, cause);
}

/* Linear search: a set holds tens of messages, not thousands.
 * A NULL locale matches any. */
static struct tmpl_msg *
tmpl_set_lookup(const struct tmpl_set *set, const char *rule,
    const char *channel, const char *locale)
{
	size_t i;
	struct tmpl_msg *m;

	for (i = 0; i < set->n; i++) {
		m = set->msgs[i];
		if (strcmp(m->rule, rule) == 0 &&
		    strcmp(m->channel, channel) == 0 &&
		    (locale == NULL || strcmp(m->locale, locale) == 0))
			return m;
	}
	return NULL;
}

/* The message a file belongs to; the HTML and text files of one message
 * may come in either order. */
static struct tmpl_msg *
tmpl_set_entry(struct tmpl_set *set, const struct tmpl_file *f)
{
	struct tmpl_msg *m;

	if ((m = tmpl_set_lookup(set, f->rule, f->channel, f->locale)) != NULL)
		return m;
	if (set->n == set->cap) {
		set->cap = set->cap == 0 ? 16 : set->cap * 2;
		set->msgs = xreallocarray(set->msgs, set->cap,
		    sizeof *set->msgs);
	}
	m = xcalloc(1, sizeof *m);
	m->rule = xstrdup(f->rule);
	m->channel = xstrdup(f->channel);
	m->locale = xstrdup(f->locale);
	m->file = xasprintf("%s.%s%s%s.tmpl", f->rule, f->channel,
	    *f->locale != '\0' ? "." : "", f->locale);
	set->msgs[set->n++] = m;
	return m;
}

/* Loads one file into its message; every problem goes to e. */
static void
tmpl_set_load_file(struct tmpl_set *set, int dirfd, const char *name,
    struct tmpl_errors *e)
{
	struct tmpl_file f;
	struct tmpl_msg *m;
	char *data, *cause = NULL;
	const char *s;
	size_t len;

	if (tmpl_file_parse(&f, name, &cause) != 0) {
		tmpl_errors_take(e, cause);
		return;
	}
	if ((data = tmpl_file_read(dirfd, name, &len, &cause)) == NULL) {
		tmpl_errors_take(e, cause);
		goto out;
	}
	set->digest = util_fnv1a(util_fnv1a(set->digest, name,
	    strlen(name) + 1), data, len);
	s = data;
	if (len >= 3 && memcmp(s, "\xef\xbb\xbf", 3) == 0)
		s += 3, len -= 3;
	m = tmpl_set_entry(set, &f);
	if (f.html) {
		m->html = tmpl_parse(s, len, name, &cause);
		if (m->html == NULL)
			tmpl_errors_take(e, cause);
	} else
		tmpl_text_parse(m, &f, s, len, e);
	free(data);
out:
	free(f.rule);
	free(f.locale);
}

/* qsort() order for file names: bytes, not the locale's collation. */
static int
tmpl_cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* qsort() order for messages: rule, channel, then locale. */
static int
tmpl_cmp_msgs(const void *a, const void *b)
{
	const struct tmpl_msg *x = *(struct tmpl_msg *const *)a;
	const struct tmpl_msg *y = *(struct tmpl_msg *const *)b;
	int c;

	if ((c = strcmp(x->rule, y->rule)) != 0)
		return c;
	if ((c = strcmp(x->channel, y->channel)) != 0)
		return c;
	return strcmp(x->locale, y->locale);
}

/* Template file names in dir, sorted so errors come in a stable order. */
static char **
tmpl_set_list(DIR *d, size_t *np)
{
	struct dirent *de;
	char **names = NULL;
	size_t n = 0, cap = 0, len;

	while ((de = readdir(d)) != NULL) {
		len = strlen(de->d_name);
		if (de->d_name[0] == '.' || len < 5 ||
		    strcmp(de->d_name + len - 5, ".tmpl") != 0)
			continue;
		if (n == cap) {
			cap = cap == 0 ? 16 : cap * 2;
			names = xreallocarray(names, cap, sizeof *names);
		}
		names[n++] = xstrdup(de->d_name);
	}
	if (n > 0)
		qsort(names, n, sizeof *names, tmpl_cmp_names);
	*np = n;
	return names;
}

/* An HTML part alone would send a mail without a text part. */
static void
tmpl_set_check(struct tmpl_set *set, struct tmpl_errors *e)
{
	struct tmpl_msg *m;
	size_t i;

	for (i = 0; i < set->n; i++) {
		m = set->msgs[i];
		if (m->text == NULL && m->html != NULL) {
			tmpl_errors_add(e, "%s: HTML template without text "
			    "template %s", tmpl_name(m->html), m->file);
		}
	}
}

/* Builds a complete new set or nothing, so a bad reload never
 * leaves the daemon half-updated. */
struct tmpl_set *
tmpl_set_load(const char *dir, char **cause)
{
	struct tmpl_set *set;
	struct tmpl_errors e;
	char **names;
	size_t n, i;
	DIR *d;

	if ((d = opendir(dir)) == NULL) {
		set_error(cause, "%s: %s", dir, strerror(errno));
		return NULL;
	}
	set = xcalloc(1, sizeof *set);
	set->digest = UTIL_FNV_START;
	buf_init(&e.b);
	e.count = 0;
	names = tmpl_set_list(d, &n);
	for (i = 0; i < n; i++) {
		tmpl_set_load_file(set, dirfd(d), names[i], &e);
		free(names[i]);
	}
	free(names);
	closedir(d);
	tmpl_set_check(set, &e);
	if (e.count > 0) {
		tmpl_set_free(set);
		if (cause != NULL)
			*cause = buf_detach(&e.b);
		buf_free(&e.b);
		return NULL;
	}
	buf_free(&e.b);
	if (set->n > 0)
		qsort(set->msgs, set->n, sizeof *set->msgs, tmpl_cmp_msgs);
	return set;
}

/* Frees one message and all its templates. */
static void
tmpl_msg_free(struct tmpl_msg *m)
{
	free(m->rule);
	free(m->channel);
	free(m->locale);
	free(m->file);
	tmpl_free(m->subject);
	tmpl_free(m->reply_to);
	tmpl_free(m->text);
	tmpl_free(m->html);
	tmpl_provider_free(m->provider);
	free(m);
}

/* Frees the set and every message in it. */
void
tmpl_set_free(struct tmpl_set *set)
{
	size_t i;

	if (set == NULL)
		return;
	for (i = 0; i < set->n; i++)
		tmpl_msg_free(set->msgs[i]);
	free(set->msgs);
	free(set);
}

/* Turns "zh-cn" or "zh_CN.UTF-8" into "zh_CN"; NULL if not a locale. */
static char *
tmpl_locale_normalise(const char *locale)
{
	char *l, *p;
	int region = 0;

	if (str_empty(locale))
		return NULL;
	l = xstrndup(locale, strcspn(locale, ".@"));
	for (p = l; *p != '\0'; p++) {
		if (*p == '-' || *p == '_') {
			*p = '_';
			region = 1;
		} else if (region)
			*p = (char)toupper((unsigned char)*p);
		else
			*p = (char)tolower((unsigned char)*p);
	}
	if (!tmpl_locale_valid(l)) {
		free(l);
		return NULL;
	}
	return l;
}

/* Most specific first: zh_CN, zh, then the default. */
const struct tmpl_msg *
tmpl_set_find(const struct tmpl_set *set, const char *rule,
    const char *channel, const char *locale)
{
	const struct tmpl_msg *m = NULL;
	char *l;

	if ((l = tmpl_locale_normalise(locale)) != NULL) {
		m = tmpl_set_lookup(set, rule, channel, l);
		l[strcspn(l, "_")] = '\0';
		if (m == NULL)
			m = tmpl_set_lookup(set, rule, channel, l);
		free(l);
	}
	if (m == NULL)
		m = tmpl_set_lookup(set, rule, channel, "");
	return m;
}

/* Config validation only needs to know a template exists at all. */
int
tmpl_set_has_rule(const struct tmpl_set *set, const char *rule,
    const char *channel)
{
	return tmpl_set_lookup(set, rule, channel, NULL) != NULL;
}

/* Number of messages, for iteration. */
uint64_t
tmpl_set_digest(const struct tmpl_set *set)
{
	return set->digest;
}

size_t
tmpl_set_count(const struct tmpl_set *set)
{
	return set->n;
}

/* The i-th message in sorted order, NULL past the end. */
const struct tmpl_msg *
tmpl_set_get(const struct tmpl_set *set, size_t i)
{
	return i < set->n ? set->msgs[i] : NULL;
}

/* Header values end up in a mail header: a newline there would let a
 * customer's data add headers of its own. */
static void
tmpl_clean_header(char *s)
{
	const unsigned char *in = (const unsigned char *)s;
	size_t len = strlen(s), i = 0, o = 0, k;
	uint32_t cp;
	int ctl, prev = 0;

	while (i < len) {
		k = utf8_decode(in + i, len - i, &cp);
		ctl = k == 0 || cp < 0x20 || cp == 0x7f ||
		    (cp >= 0x80 && cp < 0xa0) || cp == 0x2028 || cp == 0x2029;
		if (k == 0)
			k = 1;
		if (!ctl) {
			memmove(s + o, s + i, k);
			o += k;
		} else if (!prev)
			s[o++] = ' ';
		prev = ctl;
		i += k;
	}
	s[o] = '\0';
	str_trim(s);
}

/* CRLF and lone CR become LF so bodies have one kind of line end. */
static void
tmpl_clean_newlines(char *s)
{
	char *in = s, *o = s;

	for (; *in != '\0'; in++) {
		if (*in == '\r') {
			*o++ = '\n';
			if (in[1] == '\n')
				in++;
		} else
			*o++ = *in;
	}
	*o = '\0';
}

/* Headers are rendered as plain text and made safe for one line. */
static int
tmpl_render_header(const struct tmpl *t, tmpl_lookup_fn lookup, void *arg,
    char **out, char **cause)
{
	if (tmpl_render(t, lookup, arg, 0, out, cause) != 0)
		return -1;
	tmpl_clean_header(*out);
	return 0;
}

/* Renders the parts in header order so the first missing value
 * reported is the one a reader of the file meets first. */
int
tmpl_msg_render(const struct tmpl_msg *msg, tmpl_lookup_fn lookup,
    void *arg, struct tmpl_rendered *out, char **cause)
{
	memset(out, 0, sizeof *out);
	if (msg->subject != NULL) {
		if (tmpl_render_header(msg->subject, lookup, arg, &out->subject,
		    cause) != 0)
			goto fail;
		if (*out->subject == '\0') {
			set_error(cause, "Subject renders empty (%s)",
			    msg->file);
			goto fail;
		}
	}
	if (msg->reply_to != NULL) {
		if (tmpl_render_header(msg->reply_to, lookup, arg,
		    &out->reply_to, cause) != 0)
			goto fail;
		if (*out->reply_to == '\0') {
			free(out->reply_to);
			out->reply_to = NULL;
		}
	}
	if (tmpl_render(msg->text, lookup, arg, 0, &out->text, cause) != 0)
		goto fail;
	tmpl_clean_newlines(out->text);
	if (strcmp(msg->channel, "sms") == 0)
		str_trim(out->text);
	if (msg->html != NULL) {
		if (tmpl_render(msg->html, lookup, arg, TMPL_HTML, &out->html,
		    cause) != 0)
			goto fail;
		tmpl_clean_newlines(out->html);
	}
	return 0;
fail:
	tmpl_rendered_free(out);
	return -1;
}

/* Zeroes r so a second call is harmless. */
void
tmpl_rendered_free(struct tmpl_rendered *r)
{
	free(r->subject);
	free(r->reply_to);
	free(r->text);
	free(r->html);
	free(r->provider);
	memset(r, 0, sizeof *r);
}

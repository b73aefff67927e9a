/* util.c - memory, strings and growable buffers. */
#include "util.h"
#include "utf8.h"

#include <ctype.h>
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

static void
oom(size_t n)
{
	fprintf(stderr, "<2>outreachd: out of memory allocating %zu bytes\n", n);
	abort();
}

void *
xmalloc(size_t size)
{
	void *p = malloc(size ? size : 1);

	if (p == NULL)
		oom(size);
	return p;
}

void *
xcalloc(size_t n, size_t size)
{
	void *p;

	if (n == 0 || size == 0)
		n = size = 1;
	if ((p = calloc(n, size)) == NULL)
		oom(n * size);
	return p;
}

void *
xreallocarray(void *p, size_t n, size_t size)
{
	void *q;

	if (size != 0 && n > SIZE_MAX / size)
		oom(SIZE_MAX);
	if ((q = realloc(p, n * size != 0 ? n * size : 1)) == NULL)
		oom(n * size);
	return q;
}

char *
xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *
xstrndup(const char *s, size_t n)
{
	char *p = xmalloc(n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *
xvasprintf(const char *fmt, va_list ap)
{
	struct buf b;

	buf_init(&b);
	buf_vprintf(&b, fmt, ap);
	return buf_detach(&b);
}

char *
xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *p;

	va_start(ap, fmt);
	p = xvasprintf(fmt, ap);
	va_end(ap);
	return p;
}

int
set_error(char **cause, const char *fmt, ...)
{
	va_list ap;

	if (cause != NULL) {
		va_start(ap, fmt);
		*cause = xvasprintf(fmt, ap);
		va_end(ap);
	}
	return -1;
}

uint64_t
util_fnv1a(uint64_t h, const void *p, size_t n)
{
	const unsigned char *c = p;

	while (n-- > 0)
		h = (h ^ *c++) * 0x100000001b3ULL;
	return h;
}

void
buf_init(struct buf *b)
{
	b->data = NULL;
	b->len = b->cap = 0;
}

void
buf_grow(struct buf *b, size_t extra)
{
	size_t want;

	if (extra > SIZE_MAX - b->len - 1)
		oom(SIZE_MAX);
	want = b->len + extra + 1;
	if (want <= b->cap)
		return;
	if (b->cap == 0)
		b->cap = 64;
	while (b->cap < want)
		b->cap = b->cap > SIZE_MAX / 2 ? want : b->cap * 2;
	b->data = xreallocarray(b->data, b->cap, 1);
}

void
buf_add(struct buf *b, const void *p, size_t n)
{
	buf_grow(b, n);
	if (n > 0)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
}

void
buf_puts(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

/* Formats into the spare room first: most texts fit (buffers start at
 * 64 octets), so vsnprintf runs once, not twice as measuring would. */
void
buf_vprintf(struct buf *b, const char *fmt, va_list ap)
{
	va_list aq;
	size_t room;
	int n;

	if (b->cap - b->len < 64)
		buf_grow(b, 64);
	room = b->cap - b->len;
	va_copy(aq, ap);
	n = vsnprintf(b->data + b->len, room, fmt, aq);
	va_end(aq);
	if (n < 0)
		oom(0);
	if ((size_t)n >= room) {
		buf_grow(b, (size_t)n);
		vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	}
	b->len += (size_t)n;
}

void
buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	buf_vprintf(b, fmt, ap);
	va_end(ap);
}

size_t
util_int_text(int64_t v, char out[22])
{
	char tmp[22];
	uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
	size_t n = 0, i = 0;

	do {
		tmp[n++] = (char)('0' + u % 10);
		u /= 10;
	} while (u != 0);
	if (v < 0)
		out[i++] = '-';
	while (n > 0)
		out[i++] = tmp[--n];
	out[i] = '\0';
	return i;
}

void
buf_add_int(struct buf *b, int64_t v)
{
	char t[22];

	buf_add(b, t, util_int_text(v, t));
}

void
buf_reset(struct buf *b)
{
	b->len = 0;
	if (b->data != NULL)
		b->data[0] = '\0';
}

char *
buf_detach(struct buf *b)
{
	char *p = b->data != NULL ? b->data : xstrdup("");

	buf_init(b);
	return p;
}

void
buf_free(struct buf *b)
{
	free(b->data);
	buf_init(b);
}

/* Valid characters that str_quote() still escapes: the C1 controls, and
 * those that end a line or reorder the rest of it on display. */
static int
str_quote_hidden(uint32_t cp)
{
	return (cp >= 0x80 && cp <= 0x9f) || cp == 0x2028 || cp == 0x2029 ||
	    (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069);
}

/* Walks s a character at a time (an invalid byte counts as one), so that
 * the result is valid UTF-8 whatever s holds and is cut only between
 * characters. */
char *
str_quote(const char *s, size_t max)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s), i = 0, k;
	struct buf b;
	uint32_t cp;

	buf_init(&b);
	buf_addc(&b, '"');
	while (i < n) {
		if ((k = utf8_decode(p + i, n - i, &cp)) == 0) {
			k = 1;
			cp = 0;	/* an invalid byte: shown as \xNN */
		}
		if (k > max - i) {
			buf_puts(&b, "...");
			break;
		}
		if (cp < 0x20 || cp == 0x7f || cp == '"' || cp == '\\')
			buf_printf(&b, "\\x%02x", p[i]);
		else if (str_quote_hidden(cp))
			buf_printf(&b, "\\u%04x", (unsigned)cp);
		else
			buf_add(&b, p + i, k);
		i += k;
	}
	buf_addc(&b, '"');
	return buf_detach(&b);
}

char *
str_trim(char *s)
{
	char *b = s, *e;

	while (isspace((unsigned char)*b))
		b++;
	if (b != s)
		memmove(s, b, strlen(b) + 1);
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

int
str_empty(const char *s)
{
	return s == NULL || *s == '\0';
}

double
clock_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int
thread_start(pthread_t *t, void *(*fn)(void *), void *arg)
{
	sigset_t all, old;
	int rc;

	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	rc = pthread_create(t, NULL, fn, arg);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return rc;
}

int
file_first_line(const char *what, const char *path, char **out, char **cause)
{
	FILE *fp;
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;

	*out = NULL;
	if ((fp = fopen(path, "re")) == NULL) {
		if (errno == ENOENT)
			return 1;
		return set_error(cause, "%s %s: %m", what, path);
	}
	n = getline(&line, &cap, fp);
	fclose(fp);
	if (n < 0) {
		free(line);
		return set_error(cause, "%s %s: empty", what, path);
	}
	line[strcspn(line, "\r\n")] = '\0';
	*out = line;
	return 0;
}

/* Makes path if it is missing, 0700 however the umask trims mkdir's mode. */
static int
dir_make_one(const char *path)
{
	struct stat sb;

	if (mkdir(path, 0700) == 0)
		return chmod(path, 0700);
	if (errno != EEXIST)
		return -1;
	if (stat(path, &sb) != 0)
		return -1;
	if (!S_ISDIR(sb.st_mode)) {
		errno = ENOTDIR;
		return -1;
	}
	return 0;
}

int
dir_make_private(const char *what, const char *path, char **cause)
{
	char *p, *dir = xstrdup(path);

	for (p = dir + 1; *p != '\0'; p++) {
		if (*p != '/' || p[-1] == '/')
			continue;
		*p = '\0';
		if (dir_make_one(dir) != 0)
			goto fail;	/* dir names the one that failed */
		*p = '/';
	}
	if (dir_make_one(dir) != 0)
		goto fail;
	free(dir);
	return 0;
fail:
	set_error(cause, "%s %s: %m", what, dir);
	free(dir);
	return -1;
}

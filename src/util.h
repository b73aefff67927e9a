/* util.h - memory, strings and growable buffers shared by every module.
 *
 * Allocation wrappers abort on out-of-memory (a daemon that cannot allocate a
 * few bytes cannot do anything sensible) and check multiplications for
 * overflow.  Every returned pointer is owned by the caller and freed with
 * free(3) unless stated otherwise. */
#ifndef OUTREACHD_UTIL_H
#define OUTREACHD_UTIL_H

#include <stdarg.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define PRINTFLIKE(f, a) __attribute__((format(printf, f, a)))

void *xmalloc(size_t size);
void *xcalloc(size_t n, size_t size);
void *xreallocarray(void *p, size_t n, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) PRINTFLIKE(1, 2);
char *xvasprintf(const char *fmt, va_list ap);

/* Sets *cause (if cause is not NULL) to a newly allocated message and returns
 * -1, so error paths read: return set_error(cause, "...", ...); */
int set_error(char **cause, const char *fmt, ...) PRINTFLIKE(2, 3);

/* A growable byte buffer, always NUL-terminated after the first write.
 * The buffer owns data; buf_detach() hands ownership to the caller. */
struct buf {
	char *data;
	size_t len;
	size_t cap;
};

void buf_init(struct buf *b);
/* Makes room for extra more bytes and the NUL. */
void buf_grow(struct buf *b, size_t extra);
void buf_add(struct buf *b, const void *p, size_t n);
/* Inline: the MIME encoders add one character at a time. */
static inline void
buf_addc(struct buf *b, char c)
{
	if (b->cap - b->len < 2)
		buf_grow(b, 1);
	b->data[b->len++] = c;
	b->data[b->len] = '\0';
}
void buf_puts(struct buf *b, const char *s);
void buf_printf(struct buf *b, const char *fmt, ...) PRINTFLIKE(2, 3);
/* An integer in decimal, as "%lld" writes it, without printf: the
 * planner formats a few per candidate. */
void buf_add_int(struct buf *b, int64_t v);
void buf_vprintf(struct buf *b, const char *fmt, va_list ap);
void buf_reset(struct buf *b);
char *buf_detach(struct buf *b); /* never NULL; buffer is reset */
void buf_free(struct buf *b);

/* FNV-1a, 64 bits, continuing from h (start with UTIL_FNV_START): a
 * fingerprint of what was loaded, to notice a change, not a MAC. */
#define UTIL_FNV_START 0xcbf29ce484222325ULL
uint64_t util_fnv1a(uint64_t h, const void *p, size_t n);
/* v in decimal into out (NUL-terminated, at most 20 digits and a sign):
 * its length. */
size_t util_int_text(int64_t v, char out[22]);

/* Untrusted text quoted for a message or a log line, in double quotes.
 * Valid UTF-8 is kept, except control characters (C0, DEL, C1) and those
 * that break or reorder a line (U+2028, U+2029, bidi controls), shown as
 * \xNN or \uNNNN; quotes, backslashes and each byte that is not part of
 * a valid UTF-8 character are shown as \xNN.  At most max bytes of s are
 * shown, cut between characters and followed by "..." (SIZE_MAX: no
 * limit).  The result is valid UTF-8 on one line.  malloc'd. */
char *str_quote(const char *s, size_t max);

/* Trims ASCII white space at both ends, in place; returns s. */
char *str_trim(char *s);
/* The first line of the file at path, without its line end (secrets and
 * passwords kept in files): 0 and *out (malloc'd), 1 when there is no such
 * file, -1 with "what PATH: why" in *cause (what names the setting). */
int file_first_line(const char *what, const char *path, char **out,
    char **cause);
int str_empty(const char *s); /* NULL or "" */
/* mkdir -p path: each directory it makes is 0700 whatever the umask (the
 * store's and the state directory hold customers' data); those that
 * exist are left as they are.  -1 with "what PATH: why" in *cause. */
int dir_make_private(const char *what, const char *path, char **cause);

/* Seconds on CLOCK_MONOTONIC: for durations and deadlines, which must not
 * jump with the wall clock. */
double clock_seconds(void);

/* pthread_create() with every signal blocked in the new thread: signals
 * are the main thread's business.  Returns pthread_create()'s code. */
int thread_start(pthread_t *t, void *(*fn)(void *), void *arg);

#endif

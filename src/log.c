/* log.c - leveled logging to stderr, every line of a message prefixed. */
#include "log.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *log_prog = "outreachd";
static enum log_level log_level = LOG_LVL_INFO;
static int log_prefix = 1;

static const char *const level_names[] = {
	[LOG_LVL_ERR] = "err",	 [LOG_LVL_WARNING] = "warning",
	[LOG_LVL_NOTICE] = "notice", [LOG_LVL_INFO] = "info",
	[LOG_LVL_DEBUG] = "debug",
};

/* prefix: 1 = "<N>" syslog priority (for journald), 0 = "prog: level: ". */
void
log_init(const char *progname, enum log_level level, int prefix)
{
	log_prog = progname;
	log_level = level;
	log_prefix = prefix;
}

int
log_parse_level(const char *name, enum log_level *level)
{
	size_t i;

	for (i = LOG_LVL_ERR; i < ARRAY_SIZE(level_names); i++) {
		if (strcasecmp(name, level_names[i]) == 0) {
			*level = (enum log_level)i;
			return 0;
		}
	}
	if (strcasecmp(name, "error") == 0) {
		*level = LOG_LVL_ERR;
		return 0;
	}
	return -1;
}

int
log_enabled(enum log_level level)
{
	return level <= log_level;
}

/* Appends msg to b, each of its lines after prefix.  journald makes a
 * record of every line of stderr and reads the priority from that line's
 * own "<N>": a continuation line without one would be stored at the
 * unit's default level, so the second and later problems of a failed
 * reload would be missing from `journalctl -p err`.  A trailing newline
 * adds no empty line. */
static void
log_lines(struct buf *b, const char *prefix, const char *msg)
{
	const char *end = msg + strlen(msg), *nl;

	if (end > msg && end[-1] == '\n')
		end--;
	for (;;) {
		nl = memchr(msg, '\n', (size_t)(end - msg));
		buf_puts(b, prefix);
		buf_add(b, msg, (size_t)((nl != NULL ? nl : end) - msg));
		buf_addc(b, '\n');
		if (nl == NULL)
			break;
		msg = nl + 1;
	}
}

void
log_msg(enum log_level level, const char *fmt, ...)
{
	va_list ap;
	struct buf msg, b;
	char prefix[64];
	int saved_errno = errno;

	if (level > log_level)
		return;
	buf_init(&msg);
	va_start(ap, fmt);
	buf_vprintf(&msg, fmt, ap);
	va_end(ap);
	if (log_prefix)
		snprintf(prefix, sizeof(prefix), "<%d>", (int)level);
	else
		snprintf(prefix, sizeof(prefix), "%s: %s: ", log_prog,
		    level_names[level]);
	buf_init(&b);
	buf_grow(&b, msg.len + 64);	/* one allocation for most messages */
	log_lines(&b, prefix, msg.data);
	/* One write per message so concurrent writers do not interleave. */
	fwrite(b.data, 1, b.len, stderr);
	fflush(stderr);
	buf_free(&b);
	buf_free(&msg);
	errno = saved_errno;	/* a caller may log, then report errno */
}

/* log.c - leveled logging to stderr. */
#include "log.h"

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

void
log_msg(enum log_level level, const char *fmt, ...)
{
	va_list ap;
	struct buf b;

	if (level > log_level)
		return;
	buf_init(&b);
	buf_grow(&b, 192);	/* one allocation for most lines */
	if (log_prefix)
		buf_printf(&b, "<%d>", (int)level);
	else
		buf_printf(&b, "%s: %s: ", log_prog, level_names[level]);
	va_start(ap, fmt);
	buf_vprintf(&b, fmt, ap);
	va_end(ap);
	buf_addc(&b, '\n');
	/* One write per line so concurrent writers do not interleave. */
	fwrite(b.data, 1, b.len, stderr);
	fflush(stderr);
	buf_free(&b);
}

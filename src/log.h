/* log.h - leveled logging to stderr with syslog priority prefixes ("<3>"),
 * which journald turns back into levels; each line of a multi-line
 * message carries the prefix.  Untrusted text must go through
 * str_quote() (util.h) before it is logged. */
#ifndef OUTREACHD_LOG_H
#define OUTREACHD_LOG_H

#include "util.h"

enum log_level {
	LOG_LVL_ERR = 3,
	LOG_LVL_WARNING = 4,
	LOG_LVL_NOTICE = 5,
	LOG_LVL_INFO = 6,
	LOG_LVL_DEBUG = 7,
};

void log_init(const char *progname, enum log_level level, int prefix);
int log_parse_level(const char *name, enum log_level *level);
/* 1 when messages of level are logged (to skip building them). */
int log_enabled(enum log_level level);
void log_msg(enum log_level level, const char *fmt, ...) PRINTFLIKE(2, 3);

#define log_err(...) log_msg(LOG_LVL_ERR, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_LVL_WARNING, __VA_ARGS__)
#define log_notice(...) log_msg(LOG_LVL_NOTICE, __VA_ARGS__)
#define log_info(...) log_msg(LOG_LVL_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_LVL_DEBUG, __VA_ARGS__)

#endif

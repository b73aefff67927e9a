/* date_priv.h - what date.c and date_zone.c share, for them only. */
#ifndef OUTREACHD_DATE_PRIV_H
#define OUTREACHD_DATE_PRIV_H

#include <stdint.h>

#include "util.h"

/* Floor division: calendars need day -1 to be 1969-12-31, not 1970. */
static inline int64_t
date_floordiv(int64_t a, int64_t b)
{
	return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

/* Fails with "<quoted subject>: <what>": returns -1, *cause set. */
int date_fail(const char *subject, char **cause, const char *fmt, ...)
    PRINTFLIKE(3, 4);

#endif

/* channel.h - the ways a message reaches a customer.  Code passes the
 * enum; the text ("email", "sms") exists only in the configuration, the
 * store's columns and what is printed, and is converted at those edges. */
#ifndef OUTREACHD_CHANNEL_H
#define OUTREACHD_CHANNEL_H

enum channel {
	CHANNEL_EMAIL,
	CHANNEL_SMS,
};
#define CHANNEL_COUNT 2

/* "email" or "sms". */
const char *channel_name(enum channel ch);
/* 0 and *ch for "email" or "sms", -1 for anything else (or NULL). */
int channel_parse(const char *s, enum channel *ch);

#endif

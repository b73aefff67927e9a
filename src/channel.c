/* channel.c - channel names at the edges (config, store, output). */
#include <string.h>

#include "channel.h"

static const char *const channel_names[CHANNEL_COUNT] = { "email", "sms" };

const char *
channel_name(enum channel ch)
{
	return (unsigned)ch < CHANNEL_COUNT ? channel_names[ch] : "?";
}

int
channel_parse(const char *s, enum channel *ch)
{
	unsigned i;

	for (i = 0; s != NULL && i < CHANNEL_COUNT; i++) {
		if (strcmp(s, channel_names[i]) == 0) {
			*ch = (enum channel)i;
			return 0;
		}
	}
	return -1;
}

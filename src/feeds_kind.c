/* feeds_kind.c - the names of the feed kinds, as in their URLs.  Kept
 * apart from feeds.c, which needs the store and libical, so that the
 * router (route.c) and its fuzz target can do without them. */
#include <string.h>

#include "feeds.h"

static const char *const feeds_names[FEEDS_NKINDS] = { "followups",
	"birthdays" };

/* The name of a feed kind, as in its URL. */
const char *
feeds_kind_name(enum feeds_kind k)
{
	return k < FEEDS_NKINDS ? feeds_names[k] : "?";
}

/* Reads "KIND.ics" from a URL path. */
int
feeds_kind_parse(const char *file, enum feeds_kind *k)
{
	size_t i, n;

	for (i = 0; i < FEEDS_NKINDS; i++) {
		n = strlen(feeds_names[i]);
		if (strncmp(file, feeds_names[i], n) == 0 &&
		    strcmp(file + n, ".ics") == 0) {
			*k = (enum feeds_kind)i;
			return 0;
		}
	}
	return -1;
}

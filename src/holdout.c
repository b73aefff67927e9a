/* holdout.c - the stable choice of a rule's control group (holdout.h). */
#include "holdout.h"

#include <stdint.h>
#include <string.h>

#include "util.h"

int
holdout_pick(const char *rule, const char *external_id, double share)
{
	uint64_t h = UTIL_FNV_START;

	if (share <= 0)
		return 0;
	h = util_fnv1a(h, rule, strlen(rule));
	h = util_fnv1a(h, "\n", 1);	/* no rule name has one */
	h = util_fnv1a(h, external_id, strlen(external_id));
	/* FNV's low bits mix poorly: fold the high half in, then take 53
	 * bits as a fraction in [0, 1). */
	h ^= h >> 29;
	h *= 0xbf58476d1ce4e5b9ULL;
	h ^= h >> 32;
	return (double)(h >> 11) * (1.0 / 9007199254740992.0) < share;
}

/* fuzz_token.c - libFuzzer target: the URL tokens an attacker controls
 * (one-click unsubscribe tokens and feed tokens) on arbitrary input. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "token.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const unsigned char secret[TOKEN_SECRET_LEN] = { 1, 2, 3 };
	static const char hash[] =
	    "0000000000000000000000000000000000000000000000000000000000000000";
	char *s = xstrndup((const char *)data, size), *again;
	int64_t item, cust;
	char ch;

	if (token_unsub_check(secret, s, &item, &cust, &ch) == 0) {
		/* Only a token we made verifies: remaking it must match. */
		again = token_unsub_make(secret, item, cust, ch);
		if (strcmp(again, s) != 0)
			abort();
		free(again);
	}
	again = token_hash(s);
	if (token_hash_equal(again, hash) != (strcmp(again, hash) == 0))
		abort();
	free(again);
	free(s);
	return 0;
}

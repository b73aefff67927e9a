/* test_replink.c - unit tests for the signed task links and their form
 * tokens: HMAC-SHA256 as any implementation computes it (vectors from
 * Python's hmac module), no altered, truncated or re-scoped link accepted,
 * and a link dies with the token hash it was signed for. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "replink.h"

/* hmac.new(bytes(range(32)), b"t" + pack(">qq", 7, 42) + b"ab" * 32,
 * sha256)[:16] after the ids, base64url; the form token with b"f". */
static const char want_link[] = "AAAAAAAAAAcAAAAAAAAAKi4JoizHIdyhT8Frh6d3XDg";
static const char want_form[] = "IcoaXrf_BFBid6YMbpN0yw";

/* The key 0, 1, ..., 31 and the hash "abab...". */
static void
fixture(unsigned char key[TOKEN_SECRET_LEN], char hash[65])
{
	int i;

	for (i = 0; i < TOKEN_SECRET_LEN; i++)
		key[i] = (unsigned char)i;
	for (i = 0; i < 64; i++)
		hash[i] = i % 2 ? 'b' : 'a';
	hash[64] = '\0';
}

/* The vectors, and what a link names. */
static void
test_vectors(void **state)
{
	unsigned char key[TOKEN_SECRET_LEN];
	char hash[65], *l, *f;
	int64_t rep, task;

	(void)state;
	fixture(key, hash);
	l = replink_make(key, 7, 42, hash);
	assert_string_equal(l, want_link);
	assert_int_equal(strlen(l), REPLINK_LEN);
	assert_int_equal(replink_verify(key, l, hash), 0);
	assert_int_equal(replink_parse(l, &rep, &task), 0);
	assert_int_equal(rep, 7);
	assert_int_equal(task, 42);
	f = replink_form(key, l, hash);
	assert_string_equal(f, want_form);
	assert_int_equal(strlen(f), REPLINK_FORM_LEN);
	assert_int_equal(replink_form_check(key, l, hash, f), 0);
	free(f);
	free(l);
}

/* Every one-character change, truncation or extension fails. */
static void
test_tampered(void **state)
{
	unsigned char key[TOKEN_SECRET_LEN];
	char hash[65], bad[REPLINK_LEN + 2];
	size_t i;

	(void)state;
	fixture(key, hash);
	for (i = 0; i < REPLINK_LEN; i++) {
		strcpy(bad, want_link);
		bad[i] = bad[i] == 'A' ? 'B' : 'A';
		assert_int_not_equal(replink_verify(key, bad, hash), 0);
	}
	strcpy(bad, want_link);
	bad[REPLINK_LEN - 1] = '\0';
	assert_int_not_equal(replink_verify(key, bad, hash), 0);
	strcpy(bad, want_link);
	strcat(bad, "A");
	assert_int_not_equal(replink_verify(key, bad, hash), 0);
	assert_int_not_equal(replink_verify(key, "", hash), 0);
	assert_int_not_equal(replink_verify(key, NULL, hash), 0);
	assert_int_not_equal(replink_verify(key, want_link, NULL), 0);
}

/* Another token hash (rotated) or key: the link and its form are dead. */
static void
test_scope(void **state)
{
	unsigned char key[TOKEN_SECRET_LEN];
	char hash[65], other[65];

	(void)state;
	fixture(key, hash);
	strcpy(other, hash);
	other[0] = 'c';
	assert_int_not_equal(replink_verify(key, want_link, other), 0);
	assert_int_not_equal(replink_form_check(key, want_link, other,
	    want_form), 0);
	assert_int_not_equal(replink_form_check(key, want_link, hash,
	    "AAAAAAAAAAAAAAAAAAAAAA"), 0);
	assert_int_not_equal(replink_form_check(key, want_link, hash, NULL), 0);
	key[0] ^= 1;
	assert_int_not_equal(replink_verify(key, want_link, hash), 0);
}

/* base_url/t/LINK, without a doubled slash. */
static void
test_url(void **state)
{
	char *u;

	(void)state;
	u = replink_url("https://crm.example/o/", "X");
	assert_string_equal(u, "https://crm.example/o/t/X");
	free(u);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vectors),
		cmocka_unit_test(test_tampered),
		cmocka_unit_test(test_scope),
		cmocka_unit_test(test_url),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

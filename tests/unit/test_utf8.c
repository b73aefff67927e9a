/* test_utf8.c - unit tests for UTF-8 validation and the formatting
 * helpers the hot paths lean on (buf_vprintf, xasprintf). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "utf8.h"
#include "util.h"

/* The reference: a sequence is valid when the decoder takes all of it. */
static int
valid_by_decode(const unsigned char *s, size_t n)
{
	size_t i = 0, k;
	uint32_t cp;

	while (i < n) {
		if ((k = utf8_decode(s + i, n - i, &cp)) == 0)
			return 0;
		i += k;
	}
	return 1;
}

/* utf8_valid checks ranges without decoding: it must agree with the
 * decoder on every lead and second octet, with continuation octets from
 * each class (below, at and past the 80..BF range), at every length. */
static void
test_valid_matches_decode(void **state)
{
	static const unsigned char tail[] = { 0x00, 0x41, 0x7f, 0x80, 0x9f,
	    0xa0, 0xbf, 0xc0, 0xff };
	unsigned char s[4];
	size_t t3, t4, n, bad;
	unsigned a, b;
	int want, got;

	(void)state;
	for (a = 0; a < 256; a++) {
		for (b = 0; b < 256; b++) {
			for (t3 = 0; t3 < sizeof tail; t3++) {
				for (t4 = 0; t4 < sizeof tail; t4++) {
					s[0] = (unsigned char)a;
					s[1] = (unsigned char)b;
					s[2] = tail[t3];
					s[3] = tail[t4];
					for (n = 1; n <= 4; n++) {
						want = valid_by_decode(s, n);
						got = utf8_valid((char *)s, n,
						    &bad);
						if (want != got)
							fail_msg("%02x %02x %02x "
							    "%02x len %zu: decode"
							    " %d, valid %d", a,
							    b, tail[t3],
							    tail[t4], n, want,
							    got);
					}
				}
			}
		}
	}
}

static void
test_valid_reports_offset(void **state)
{
	size_t bad = 99;

	(void)state;
	assert_true(utf8_valid("王总，您好", strlen("王总，您好"), &bad));
	assert_int_equal(bad, 99);
	assert_false(utf8_valid("ab\xe7\x8e", 4, &bad)); /* cut short */
	assert_int_equal(bad, 2);
	assert_false(utf8_valid("a\xed\xa0\x80", 4, &bad)); /* surrogate */
	assert_int_equal(bad, 1);
	assert_false(utf8_valid("\xc0\xaf", 2, &bad)); /* overlong "/" */
	assert_int_equal(bad, 0);
	assert_false(utf8_valid("xy\xf4\x90\x80\x80", 6, &bad)); /* > 10FFFF */
	assert_int_equal(bad, 2);
}

/* Formats that fit the spare room and those that need the buffer grown
 * must give the same text as snprintf. */
static void
test_buf_printf_sizes(void **state)
{
	struct buf b;
	char *want, *p;
	size_t n, len;

	(void)state;
	for (n = 0; n < 600; n += 7) {
		buf_init(&b);
		buf_puts(&b, "head:");
		buf_printf(&b, "%*s|%zu", (int)n, "x", n);
		buf_printf(&b, "%s", "");
		len = (size_t)snprintf(NULL, 0, "head:%*s|%zu", (int)n, "x", n);
		want = malloc(len + 1);
		assert_non_null(want);
		snprintf(want, len + 1, "head:%*s|%zu", (int)n, "x", n);
		assert_int_equal(b.len, len);
		assert_string_equal(b.data, want);
		p = xasprintf("head:%*s|%zu", (int)n, "x", n);
		assert_string_equal(p, want);
		free(p);
		free(want);
		buf_free(&b);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid_matches_decode),
		cmocka_unit_test(test_valid_reports_offset),
		cmocka_unit_test(test_buf_printf_sizes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

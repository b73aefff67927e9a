/* test_util.c - unit tests for str_quote(), the one way untrusted text is
 * quoted for error messages and log lines, and for dir_make_private(). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "utf8.h"
#include "util.h"

/* Asserts that str_quote(s, max) is want. */
static void
check_quote(const char *s, size_t max, const char *want)
{
	char *q = str_quote(s, max);

	assert_string_equal(q, want);
	free(q);
}

/* Asserts what every quoted text must be, whatever went in: valid UTF-8,
 * no C0 control or DEL byte (so no line break), no C1 control, no U+2028
 * or U+2029, and in quotes. */
static void
check_safe(const char *s, size_t max)
{
	char *q = str_quote(s, max);
	const unsigned char *p = (const unsigned char *)q;
	size_t n = strlen(q), i, k;
	uint32_t cp;

	assert_true(n >= 2);
	assert_int_equal(q[0], '"');
	assert_int_equal(q[n - 1], '"');
	if (!utf8_valid(q, n, NULL))
		fail_msg("invalid UTF-8 quoting %zu bytes (max %zu)", strlen(s),
		    max);
	for (i = 0; i < n; i += k) {
		k = utf8_decode(p + i, n - i, &cp);
		assert_true(k > 0);
		if (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) || cp == 0x2028 ||
		    cp == 0x2029)
			fail_msg("U+%04x left in a quoted text", (unsigned)cp);
	}
	free(q);
}

/* Printable text, UTF-8 included, is kept as it is. */
static void
test_quote_plain(void **state)
{
	(void)state;
	check_quote("", SIZE_MAX, "\"\"");
	check_quote("L:08-15", SIZE_MAX, "\"L:08-15\"");
	check_quote("王总，您好", SIZE_MAX, "\"王总，您好\"");
	check_quote("caf\xc3\xa9 \xf0\x9f\x98\x80", SIZE_MAX,
	    "\"caf\xc3\xa9 \xf0\x9f\x98\x80\"");
}

/* Control bytes, quotes and backslashes are escaped, so a value can
 * neither start a new log line nor pass for the end of the quote. */
static void
test_quote_controls(void **state)
{
	(void)state;
	check_quote("a\r\nb", SIZE_MAX, "\"a\\x0d\\x0ab\"");
	check_quote("x\n<3>outreachd: forged", SIZE_MAX,
	    "\"x\\x0a<3>outreachd: forged\"");
	check_quote("\t\x01\x1b[2J\x7f", SIZE_MAX,
	    "\"\\x09\\x01\\x1b[2J\\x7f\"");
	check_quote("say \"hi\"", SIZE_MAX, "\"say \\x22hi\\x22\"");
	check_quote("a\\x0a", SIZE_MAX, "\"a\\x5cx0a\"");
	/* Valid characters that are controls or break a line are escaped
	 * whole, never as loose bytes. */
	check_quote("138\xc2\x85", SIZE_MAX, "\"138\\u0085\"");
	check_quote("a\xe2\x80\xa8" "b\xe2\x80\xa9", SIZE_MAX,
	    "\"a\\u2028b\\u2029\"");
	check_quote("\xe2\x80\xae" "cba", SIZE_MAX, "\"\\u202ecba\"");
	check_quote("\xe2\x81\xa6x\xe2\x81\xa9", SIZE_MAX,
	    "\"\\u2066x\\u2069\"");
}

/* Bytes that are not part of a valid UTF-8 character are shown one by
 * one as \xNN; valid characters around them are kept. */
static void
test_quote_invalid(void **state)
{
	(void)state;
	check_quote("138\xff", SIZE_MAX, "\"138\\xff\"");
	check_quote("138\xef\xbc", SIZE_MAX, "\"138\\xef\\xbc\"");
	check_quote("\x80z", SIZE_MAX, "\"\\x80z\"");
	check_quote("\xc0\xaf", SIZE_MAX, "\"\\xc0\\xaf\"");	  /* overlong */
	check_quote("\xed\xa0\x80", SIZE_MAX, "\"\\xed\\xa0\\x80\""); /* D800 */
	check_quote("\xf4\x90\x80\x80", SIZE_MAX,
	    "\"\\xf4\\x90\\x80\\x80\"");			  /* > 10FFFF */
	check_quote("\xe7\x94\xe7\x94\xb5", SIZE_MAX,
	    "\"\\xe7\\x94\xe7\x94\xb5\"");
}

/* At most max bytes of input are shown, cut between characters; an
 * invalid byte counts as one. */
static void
test_quote_cut(void **state)
{
	(void)state;
	check_quote("abcdef", 6, "\"abcdef\"");
	check_quote("abcdef", 5, "\"abcde...\"");
	check_quote("abcdef", 0, "\"...\"");
	check_quote("", 0, "\"\"");
	check_quote("ab\xe7\x94\xb5", 5, "\"ab\xe7\x94\xb5\"");
	check_quote("ab\xe7\x94\xb5", 4, "\"ab...\"");
	check_quote("ab\xe7\x94\xb5", 3, "\"ab...\"");
	check_quote("ab\xe7\x94\xb5", 2, "\"ab...\"");
	check_quote("\xf0\x9f\x98\x80\xf0\x9f\x98\x80", 7,
	    "\"\xf0\x9f\x98\x80...\"");
	check_quote("a\xff\xfe", 2, "\"a\\xff...\"");
	check_quote("a\xc2\x85z", 2, "\"a...\"");
	check_quote("a\xc2\x85z", 3, "\"a\\u0085...\"");
	check_quote("a\n", 1, "\"a...\"");
}

/* Every string of up to three bytes drawn from classes that matter to a
 * decoder (ASCII, controls, continuation, leads of each length, bytes
 * that never occur), behind a prefix, at every cut, quotes safely. */
static void
test_quote_always_safe(void **state)
{
	static const unsigned char cls[] = { 0x01, 0x0a, 0x22, 0x41, 0x5c,
	    0x7f, 0x80, 0x85, 0x9f, 0xa0, 0xa8, 0xbf, 0xc0, 0xc2, 0xdf, 0xe0,
	    0xe2, 0xed, 0xef, 0xf0, 0xf4, 0xf5, 0xff };
	char s[8];
	size_t a, b, c, max;

	(void)state;
	for (a = 0; a < sizeof cls; a++) {
		for (b = 0; b < sizeof cls; b++) {
			for (c = 0; c < sizeof cls; c++) {
				s[0] = 'x';
				s[1] = (char)cls[a];
				s[2] = (char)cls[b];
				s[3] = (char)cls[c];
				s[4] = '\0';
				for (max = 0; max <= 5; max++)
					check_safe(s, max);
				check_safe(s, SIZE_MAX);
			}
		}
	}
	check_safe("\xe2\x80\xa8\xc2\x80\xe2\x81\xa9", SIZE_MAX);
}

/* The mode bits of path. */
static unsigned
mode_of(const char *path)
{
	struct stat sb;

	assert_int_equal(stat(path, &sb), 0);
	return (unsigned)(sb.st_mode & 07777);
}

/* Every directory dir_make_private() makes is 0700 under umask 022;
 * one that exists keeps its mode; a file in the way is an error naming
 * it. */
static void
test_dir_private(void **state)
{
	char top[] = "/tmp/test_util.XXXXXX", *p, *cause = NULL;
	mode_t old = umask(022);

	(void)state;
	assert_non_null(mkdtemp(top));
	assert_int_equal(chmod(top, 0755), 0);
	p = xasprintf("%s/a//b/c/", top);
	assert_int_equal(dir_make_private("test", p, &cause), 0);
	free(p);
	p = xasprintf("%s/a/b/c", top);
	assert_int_equal(mode_of(p), 0700);
	assert_int_equal(dir_make_private("test", p, &cause), 0);
	free(p);
	p = xasprintf("%s/a", top);
	assert_int_equal(mode_of(p), 0700);
	assert_int_equal(mode_of(top), 0755);
	free(p);
	p = xasprintf("%s/f", top);
	assert_int_equal(close(creat(p, 0600)), 0);
	free(p);
	p = xasprintf("%s/f/g", top);
	assert_int_equal(dir_make_private("state_dir", p, &cause), -1);
	assert_non_null(strstr(cause, "state_dir "));
	assert_non_null(strstr(cause, "/f: "));
	free(cause);
	free(p);
	umask(old);
	p = xasprintf("rm -rf %s", top);
	assert_int_equal(system(p), 0);
	free(p);
}

/* util_int_text() and buf_add_int() write what "%lld" writes. */
static void
test_int_text(void **state)
{
	static const int64_t v[] = { 0, 7, -7, 10, 20790, -1000000,
	    INT64_MAX, INT64_MIN };
	char t[22], want[32];
	struct buf b;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		snprintf(want, sizeof(want), "%lld", (long long)v[i]);
		assert_int_equal(util_int_text(v[i], t), strlen(want));
		assert_string_equal(t, want);
		buf_init(&b);
		buf_puts(&b, "k:");
		buf_add_int(&b, v[i]);
		assert_string_equal(b.data + 2, want);
		buf_free(&b);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_quote_plain),
		cmocka_unit_test(test_quote_controls),
		cmocka_unit_test(test_quote_invalid),
		cmocka_unit_test(test_quote_cut),
		cmocka_unit_test(test_quote_always_safe),
		cmocka_unit_test(test_dir_private),
		cmocka_unit_test(test_int_text),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

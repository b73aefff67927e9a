/* test_charset.c - reading files in their encoding as UTF-8: detection,
 * conversion across the reader's buffer boundaries, and the offset of the
 * first byte that does not decode. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <iconv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "charset.h"
#include "util.h"

/* A text of n bytes or a little more: ASCII first (so detection waits),
 * then Chinese and Latin lines. */
static char *
sample(size_t n, size_t ascii)
{
	static const char *const lines[] = { "张伟,1980年3月5日,茶\n",
	    "Zoë Brontë,1980/3/5,café\n", "李娜,农历三月初五,书法\n" };
	struct buf b;
	size_t i = 0;

	buf_init(&b);
	while (b.len < ascii)
		buf_printf(&b, "A%06zu,plain ascii,1980-03-05,x\n", i++);
	while (b.len < n) {
		buf_printf(&b, "K%06zu,%s", i, lines[i % 3]);
		i++;
	}
	return buf_detach(&b);
}

/* in converted with iconv(3), for the inputs of the tests. */
static char *
convert(const char *in, const char *to, size_t *outlen)
{
	iconv_t cd = iconv_open(to, "UTF-8");
	size_t inleft = strlen(in), cap = inleft * 4 + 16, left = cap;
	char *out = xmalloc(cap), *o = out, *i = (char *)in;

	assert_true(cd != (iconv_t)-1);
	assert_true(iconv(cd, &i, &inleft, &o, &left) != (size_t)-1);
	iconv_close(cd);
	*outlen = cap - left;
	return out;
}

/* Reads all of data through a charset reader, len bytes at a time. */
static int
read_all(const char *data, size_t n, const char *enc, size_t len,
    struct buf *out, const char **detected, long long *bad, char **cause)
{
	FILE *fp = fmemopen((void *)data, n, "r");
	struct charset *c;
	char *chunk = xmalloc(len);
	long got;

	assert_non_null(fp);
	assert_int_equal(charset_open(fp, enc, &c, cause), 0);
	while ((got = charset_read(c, chunk, len, cause)) > 0)
		buf_add(out, chunk, (size_t)got);
	*detected = charset_detected(c);
	*bad = charset_bad_offset(c);
	charset_free(c);
	free(chunk);
	fclose(fp);
	return got < 0 ? -1 : 0;
}

/* Large files, ASCII for the first 300 kB, in several read sizes: the
 * same UTF-8 from UTF-8 and from GB18030, GB18030 detected. */
static void
test_detect_across_buffers(void **state)
{
	static const size_t lens[] = { 4, 5, 7, 4096, 262144 };
	char *text = sample(700000, 300000), *gb, *cause = NULL;
	const char *det;
	long long bad;
	size_t n, i;
	struct buf b;

	(void)state;
	gb = convert(text, "GB18030", &n);
	for (i = 0; i < ARRAY_SIZE(lens); i++) {
		buf_init(&b);
		assert_int_equal(read_all(text, strlen(text), NULL, lens[i], &b,
		    &det, &bad, &cause), 0);
		assert_null(det);
		assert_int_equal(b.len, strlen(text));
		assert_memory_equal(b.data, text, b.len);
		buf_reset(&b);
		assert_int_equal(read_all(gb, n, NULL, lens[i], &b, &det, &bad,
		    &cause), 0);
		assert_non_null(det);
		assert_string_equal(det, "GB18030");
		assert_int_equal(b.len, strlen(text));
		assert_memory_equal(b.data, text, b.len);
		buf_free(&b);
	}
	free(gb);
	free(text);
}

/* A named encoding converts; UTF-8 named does not fall back. */
static void
test_named(void **state)
{
	char *text = sample(100000, 0), *l1, *cause = NULL;
	const char *det;
	long long bad;
	size_t n;
	struct buf b;
	FILE *fp = fmemopen("x", 1, "r");
	struct charset *c;

	(void)state;
	l1 = convert("Zoë,café\n", "LATIN1", &n);
	buf_init(&b);
	assert_int_equal(read_all(l1, n, "LATIN1", 4096, &b, &det, &bad,
	    &cause), 0);
	assert_string_equal(b.data, "Zoë,café\n");
	assert_null(det);
	free(l1);
	buf_reset(&b);
	l1 = convert(text, "GB18030", &n);
	assert_int_equal(read_all(l1, n, "UTF-8", 4096, &b, &det, &bad,
	    &cause), -1);
	assert_int_equal(bad, 8);
	assert_non_null(strstr(cause, "not UTF-8: byte 0x"));
	free(cause);
	cause = NULL;
	free(l1);
	buf_free(&b);
	assert_int_equal(charset_open(fp, "NO-SUCH-CODE", &c, &cause), -1);
	assert_string_equal(cause, "unknown encoding \"NO-SUCH-CODE\" "
	    "(iconv -l lists them)");
	free(cause);
	fclose(fp);
	free(text);
}

/* Neither UTF-8 nor GB18030: everything before the bad byte comes out,
 * then the error, with the byte's offset; later reads fail again. */
static void
test_neither(void **state)
{
	static const char data[] = "external_id,name\nK1,Ann\nK2,Ren\xe9,e\n";
	char *cause = NULL;
	const char *det;
	long long bad;
	struct buf b;

	(void)state;
	buf_init(&b);
	assert_int_equal(read_all(data, sizeof(data) - 1, NULL, 64, &b, &det,
	    &bad, &cause), -1);
	assert_int_equal(bad, 30);
	assert_int_equal(b.len, 30);
	assert_string_equal(cause, "neither UTF-8 nor GB18030: byte 0xe9 at "
	    "offset 30");
	free(cause);
	buf_free(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_detect_across_buffers),
		cmocka_unit_test(test_named),
		cmocka_unit_test(test_neither),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

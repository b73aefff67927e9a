/* test_sms_text.c - unit tests for SMS encoding and segment counting. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "sms_text.h"
#include "util.h"

#define EURO "\xe2\x82\xac"	/* U+20AC, GSM-7 extension table */
#define GRIN "\xf0\x9f\x98\x80" /* U+1F600, a surrogate pair in UTF-16 */
#define ZHONG "\xe4\xb8\xad"	/* U+4E2D */

/* A string made of count copies of s, then more (may be NULL). */
static char *
rep(const char *s, int count, const char *more)
{
	struct buf b;
	int i;

	buf_init(&b);
	for (i = 0; i < count; i++)
		buf_puts(&b, s);
	if (more != NULL)
		buf_puts(&b, more);
	return buf_detach(&b);
}

static void
check(char *s, enum sms_encoding enc, size_t chars, size_t units,
    size_t segments)
{
	struct sms_text_info info;

	assert_int_equal(sms_text_analyze(s, &info), 0);
	assert_int_equal(info.encoding, enc);
	assert_int_equal(info.chars, chars);
	assert_int_equal(info.units, units);
	assert_int_equal(info.segments, segments);
	free(s);
}

static void
test_gsm7_ascii(void **state)
{
	(void)state;
	check(rep("a", 0, NULL), SMS_ENC_GSM7, 0, 0, 0);
	check(rep("a", 1, NULL), SMS_ENC_GSM7, 1, 1, 1);
	check(rep("a", 160, NULL), SMS_ENC_GSM7, 160, 160, 1);
	check(rep("a", 161, NULL), SMS_ENC_GSM7, 161, 161, 2);
	check(rep("a", 306, NULL), SMS_ENC_GSM7, 306, 306, 2);
	check(rep("a", 307, NULL), SMS_ENC_GSM7, 307, 307, 3);
	check(rep("a", 459, NULL), SMS_ENC_GSM7, 459, 459, 3);
	check(rep("a", 460, NULL), SMS_ENC_GSM7, 460, 460, 4);
	check(xstrdup("@$_!\"#%&'()*+,-./:;<=>?\r\n"), SMS_ENC_GSM7, 25, 25,
	    1);
}

static void
test_gsm7_extension(void **state)
{
	(void)state;
	check(xstrdup(EURO), SMS_ENC_GSM7, 1, 2, 1);
	check(xstrdup("^{}\\[~]|\f"), SMS_ENC_GSM7, 9, 18, 1);
	check(rep(EURO, 80, NULL), SMS_ENC_GSM7, 80, 160, 1);
	check(rep("a", 158, EURO), SMS_ENC_GSM7, 159, 160, 1);
	check(rep("a", 159, EURO), SMS_ENC_GSM7, 160, 161, 2);
	/* 76 pairs fill 152 septets; the 77th does not fit in the last one. */
	check(rep(EURO, 81, NULL), SMS_ENC_GSM7, 81, 162, 2);
	check(rep(EURO, 153, NULL), SMS_ENC_GSM7, 153, 306, 3);
}

static void
test_gsm7_escape_boundary(void **state)
{
	char *s, *t;

	(void)state;
	/* 152 + 2 + 152 = 306 septets would divide into 2 segments, but the
	 * escape pair cannot be split, so it opens the second segment. */
	s = rep("a", 152, EURO);
	t = rep("a", 152, NULL);
	check(xasprintf("%s%s", s, t), SMS_ENC_GSM7, 305, 306, 3);
	free(s);
	free(t);
	s = rep("a", 153, EURO);
	t = rep("a", 151, NULL);
	check(xasprintf("%s%s", s, t), SMS_ENC_GSM7, 305, 306, 2);
	free(s);
	free(t);
}

/* The whole default alphabet, in GSM 03.38 order (0x1b is the escape). */
static const char gsm7_alphabet[] =
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";

static void
test_gsm7_latin(void **state)
{
	(void)state;
	check(xstrdup(gsm7_alphabet), SMS_ENC_GSM7, 127, 127, 1);
	check(xstrdup("Grüße aus Köln: 5 £, Ñoño, ¿Qué?"), SMS_ENC_GSM7, 32,
	    32, 1);
	check(xstrdup("ΔΦΓΛΩΠΨΣΘΞ"), SMS_ENC_GSM7, 10, 10, 1);
	check(xstrdup("ç"), SMS_ENC_UCS2, 1, 1, 1);
	check(xstrdup("ú"), SMS_ENC_UCS2, 1, 1, 1);
	check(xstrdup("`"), SMS_ENC_UCS2, 1, 1, 1);
	check(xstrdup("a\tb"), SMS_ENC_UCS2, 3, 3, 1);
	check(xstrdup("Α"), SMS_ENC_UCS2, 1, 1, 1); /* Greek capital alpha */
}

static void
test_ucs2(void **state)
{
	(void)state;
	check(rep(ZHONG, 70, NULL), SMS_ENC_UCS2, 70, 70, 1);
	check(rep(ZHONG, 71, NULL), SMS_ENC_UCS2, 71, 71, 2);
	check(rep(ZHONG, 134, NULL), SMS_ENC_UCS2, 134, 134, 2);
	check(rep(ZHONG, 135, NULL), SMS_ENC_UCS2, 135, 135, 3);
	check(xstrdup("Hello 世界 " EURO), SMS_ENC_UCS2, 10, 10, 1);
	/* The euro sign is one UTF-16 unit once the text is UCS-2. */
	check(rep(EURO, 70, ZHONG), SMS_ENC_UCS2, 71, 71, 2);
}

static void
test_ucs2_surrogates(void **state)
{
	char *s, *t;

	(void)state;
	check(xstrdup(GRIN), SMS_ENC_UCS2, 1, 2, 1);
	check(rep(GRIN, 35, NULL), SMS_ENC_UCS2, 35, 70, 1);
	check(rep(GRIN, 36, NULL), SMS_ENC_UCS2, 36, 72, 2);
	check(rep("a", 68, GRIN), SMS_ENC_UCS2, 69, 70, 1);
	/* 66 + 2 + 66 = 134 units would divide into 2 segments, but the
	 * surrogate pair cannot be split. */
	s = rep("a", 66, GRIN);
	t = rep("a", 66, NULL);
	check(xasprintf("%s%s", s, t), SMS_ENC_UCS2, 133, 134, 3);
	free(s);
	free(t);
	s = rep("a", 65, GRIN);
	t = rep("a", 67, NULL);
	check(xasprintf("%s%s", s, t), SMS_ENC_UCS2, 133, 134, 2);
	free(s);
	free(t);
}

static void
test_invalid(void **state)
{
	struct sms_text_info info = { SMS_ENC_GSM7, 7, 7, 7 };
	char *out = (char *)"x";

	(void)state;
	assert_int_equal(sms_text_analyze("ab\xff", &info), -1);
	assert_int_equal(sms_text_analyze("\xed\xa0\x80", &info), -1);
	assert_int_equal(info.chars, 7);
	assert_int_equal(sms_text_truncate("\xe4\xb8", 1, &out), -1);
	assert_null(out);
	assert_string_equal(sms_encoding_name(SMS_ENC_GSM7), "GSM-7");
	assert_string_equal(sms_encoding_name(SMS_ENC_UCS2), "UCS-2");
}

static void
test_check(void **state)
{
	char *s, *cause = NULL;

	(void)state;
	s = rep("a", 612, NULL);
	assert_int_equal(sms_text_check(s, 4, &cause), 0);
	assert_int_equal(sms_text_check(s, 3, &cause), -1);
	assert_string_equal(cause, "SMS needs 4 segments, max_segments is 3");
	free(cause);
	free(s);
	s = rep(ZHONG, 67 * 5, NULL);
	assert_int_equal(sms_text_check(s, 3, &cause), -1);
	assert_string_equal(cause, "SMS needs 5 segments, max_segments is 3");
	free(cause);
	free(s);
	assert_int_equal(sms_text_check("\xff", 3, &cause), -1);
	assert_string_equal(cause, "SMS text is not valid UTF-8");
	free(cause);
}

/* Truncates s (freed) and checks the result and that it fits. */
static void
check_cut(char *s, int max, int rc, char *want)
{
	struct sms_text_info info;
	char *out;

	assert_int_equal(sms_text_truncate(s, max, &out), rc);
	assert_string_equal(out, want);
	assert_int_equal(sms_text_analyze(out, &info), 0);
	assert_true(info.segments <= (size_t)max);
	free(out);
	free(s);
	free(want);
}

static void
test_truncate(void **state)
{
	char *out = (char *)"x";

	(void)state;
	check_cut(xstrdup("short"), 1, 0, xstrdup("short"));
	check_cut(xstrdup(""), 1, 0, xstrdup(""));
	check_cut(rep("a", 200, NULL), 1, 1, rep("a", 157, "..."));
	check_cut(rep("a", 400, NULL), 2, 1, rep("a", 303, "..."));
	check_cut(rep(ZHONG, 100, NULL), 1, 1, rep(ZHONG, 69, "\xe2\x80\xa6"));
	/* Never inside an escape pair ... */
	check_cut(rep("a", 156, EURO "aaaaaaaaaa"), 1, 1, rep("a", 156, "..."));
	check_cut(rep("a", 155, EURO EURO "aaaa"), 1, 1,
	    rep("a", 155, EURO "..."));
	/* ... nor a surrogate pair; cutting the emoji makes it GSM-7 again. */
	check_cut(rep(ZHONG, 68, GRIN "b"), 1, 1,
	    rep(ZHONG, 68, "\xe2\x80\xa6"));
	check_cut(rep("a", 68, GRIN "bbbbbbbbbb"), 1, 1, rep("a", 68, "..."));
	assert_int_equal(sms_text_truncate("abc", 0, &out), -1);
	assert_null(out);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gsm7_ascii),
		cmocka_unit_test(test_gsm7_extension),
		cmocka_unit_test(test_gsm7_escape_boundary),
		cmocka_unit_test(test_gsm7_latin),
		cmocka_unit_test(test_ucs2),
		cmocka_unit_test(test_ucs2_surrogates),
		cmocka_unit_test(test_invalid),
		cmocka_unit_test(test_check),
		cmocka_unit_test(test_truncate),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

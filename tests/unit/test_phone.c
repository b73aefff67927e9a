/* test_phone.c - unit tests for E.164 normalisation. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "phone.h"
#include "util.h"

struct ok_case {
	const char *in;
	const char *cc;
	const char *want;
};

struct err_case {
	const char *in;
	const char *cc;
	const char *msg;
};

static const struct ok_case ok_cases[] = {
	/* China: mobiles have no trunk prefix, landlines drop the 0. */
	{ "138 0013 8000", "86", "+8613800138000" },
	{ "13800138000", "86", "+8613800138000" },
	{ "138-0013-8000", "86", "+8613800138000" },
	{ "138.0013.8000", "86", "+8613800138000" },
	{ "138/0013/8000", "86", "+8613800138000" },
	{ "\t138 0013 8000 ", "86", "+8613800138000" },
	{ "+86 138 0013 8000", "1", "+8613800138000" },
	{ "0086 138 0013 8000", "44", "+8613800138000" },
	{ "+8613800138000", NULL, "+8613800138000" },
	{ "010-6552 9988", "86", "+861065529988" },
	{ "(010) 6552 9988", "86", "+861065529988" },
	{ "+86 (10) 6552 9988", "86", "+861065529988" },
	/* UK and the "(0)" notation. */
	{ "+44 (0)20 7946 0958", "86", "+442079460958" },
	{ "+44(0)2079460958", "86", "+442079460958" },
	{ "0044 (0) 20 7946 0958", "86", "+442079460958" },
	{ "020 7946 0958", "44", "+442079460958" },
	{ "(0)20 7946 0958", "44", "+442079460958" },
	{ "+44 20 7946 0958", "44", "+442079460958" },
	/* Italy keeps its leading 0. */
	{ "06 1234 5678", "39", "+390612345678" },
	{ "+39 06 1234 5678", "", "+390612345678" },
	{ "+39 (0)6 1234 5678", "86", "+390612345678" },
	{ "333 123 4567", "39", "+393331234567" },
	/* NANP: trunk 1 and international 011. */
	{ "+1 (212) 555-1234", "86", "+12125551234" },
	{ "1-212-555-1234", "1", "+12125551234" },
	{ "(212) 555-1234", "1", "+12125551234" },
	{ "212.555.1234", "1", "+12125551234" },
	{ "011 44 20 7946 0958", "1", "+442079460958" },
	/* Russia: trunk 8, international 810. */
	{ "8 (495) 123-45-67", "7", "+74951234567" },
	{ "810 86 138 0013 8000", "7", "+8613800138000" },
	/* Australia and Japan: international 0011 and 010. */
	{ "0011 44 20 7946 0958", "61", "+442079460958" },
	{ "(02) 9876 5432", "61", "+61298765432" },
	{ "090-1234-5678", "81", "+819012345678" },
	{ "010 44 20 7946 0958", "81", "+442079460958" },
	/* Germany: an ordinary trunk 0. */
	{ "030 1234567", "49", "+49301234567" },
	/* Full-width forms, no-break spaces and invisible marks. */
	{ "\xef\xbc\x91\xef\xbc\x93\xef\xbc\x98\xef\xbc\x90\xef\xbc\x90"
	  "\xef\xbc\x91\xef\xbc\x93\xef\xbc\x98\xef\xbc\x90\xef\xbc\x90"
	  "\xef\xbc\x90", "86", "+8613800138000" },
	{ "\xef\xbc\x8b" "86\xe3\x80\x80" "138\xef\xbc\x8d" "0013" "8000", "1",
	  "+8613800138000" },
	{ "\xef\xbc\x88" "010\xef\xbc\x89" "65529988", "86", "+861065529988" },
	{ "138\xc2\xa0" "0013\xc2\xa0" "8000", "86", "+8613800138000" },
	{ "\xe2\x80\x8b+86 138\xe2\x80\x93" "0013\xe2\x80\x93" "8000", "1",
	  "+8613800138000" },
	{ "\xe2\x80\xaa+44 20 7946 0958\xe2\x80\xac", "86", "+442079460958" },
	/* Length bounds, country code included. */
	{ "+12345678", NULL, "+12345678" },
	{ "+123456789012345", NULL, "+123456789012345" },
	{ "1234567", "1", "+11234567" },
};

static const struct err_case err_cases[] = {
	{ "12ab", "86", "\"12ab\": not a phone number (unexpected 'a')" },
	{ "", "86", "\"\": not a phone number (empty)" },
	{ " - ", "86", "\" - \": not a phone number (no digits)" },
	{ "()", "86", "\"()\": not a phone number (no digits)" },
	{ "138*0013", "86",
	  "\"138*0013\": not a phone number (unexpected '*')" },
	{ "+1 212 555 1234 ext 5", "1", "\"+1 212 555 1234 ext 5\": not a "
	  "phone number (unexpected 'e')" },
	{ "12)34", "86",
	  "\"12)34\": not a phone number (unbalanced parentheses)" },
	{ "(12 345 678", "86",
	  "\"(12 345 678\": not a phone number (unbalanced parentheses)" },
	{ "((1)) 2345678", "86",
	  "\"((1)) 2345678\": not a phone number (nested parentheses)" },
	{ "1+2345678", "86",
	  "\"1+2345678\": not a phone number (unexpected '+')" },
	{ "++8613800138000", "86",
	  "\"++8613800138000\": not a phone number (unexpected '+')" },
	{ "(+86) 13800138000", "86",
	  "\"(+86) 13800138000\": not a phone number (unexpected '+')" },
	{ "12345", "86", "\"12345\": not a phone number (+8612345 has 7 "
	  "digits, need 8 to 15)" },
	{ "+1234567", "86", "\"+1234567\": not a phone number (+1234567 has "
	  "7 digits, need 8 to 15)" },
	{ "+86 138 0013 8000 1234", "86", "\"+86 138 0013 8000 1234\": not "
	  "a phone number (+86138001380001234 has 17 digits, need 8 to 15)" },
	{ "44 (0)20 7946 0958", "86", "\"44 (0)20 7946 0958\": not a phone "
	  "number (\"(0)\" after digits needs a leading + or 00)" },
	{ "0", "86", "\"0\": not a phone number (+86 has 2 digits, need 8 "
	  "to 15)" },
	{ "+0 123 4567 890", "86", "\"+0 123 4567 890\": not a phone number "
	  "(country code cannot start with 0)" },
	{ "000 1234 5678", "86", "\"000 1234 5678\": not a phone number "
	  "(country code cannot start with 0)" },
	{ "138\x01" "00138000", "86", "\"138\\x0100138000\": not a phone "
	  "number (unexpected byte 0x01)" },
	{ "138\"0", "86",
	  "\"138\\x220\": not a phone number (unexpected '\"')" },
	{ "\xe7\x94\xb5\xe8\xaf\x9d 138", "86", "\"\xe7\x94\xb5\xe8\xaf\x9d "
	  "138\": not a phone number (unexpected '\xe7\x94\xb5' (U+7535))" },
	{ "138\xc2\x85", "86",
	  "\"138\\u0085\": not a phone number (unexpected U+0085)" },
	{ "138\xff", "86",
	  "\"138\\xff\": not a phone number (invalid UTF-8)" },
	{ "138\xef\xbc", "86",
	  "\"138\\xef\\xbc\": not a phone number (invalid UTF-8)" },
	{ "13800138000", NULL, "\"13800138000\": not a phone number (no "
	  "country code: needs a leading + or 00)" },
	{ "13800138000", "", "\"13800138000\": not a phone number (no "
	  "country code: needs a leading + or 00)" },
	{ "13800138000", "+86", "invalid default country code \"+86\" (need "
	  "1 to 3 digits without '+')" },
	{ "13800138000", "086", "invalid default country code \"086\" (need "
	  "1 to 3 digits without '+')" },
	{ "13800138000", "1234", "invalid default country code \"1234\" "
	  "(need 1 to 3 digits without '+')" },
	{ "+8613800138000", "8a", "invalid default country code \"8a\" (need "
	  "1 to 3 digits without '+')" },
	{ "1234567890123456789012345678901234567890123456789012345678901234"
	  "5", "86", "\"12345678901234567890123456789012345678901234567890123"
	  "45678901234...\": not a phone number (longer than 64 bytes)" },
};

static void
test_ok(void **state)
{
	char *out, *cause;
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(ok_cases); i++) {
		out = cause = NULL;
		if (phone_normalize(ok_cases[i].in, ok_cases[i].cc, &out,
		    &cause) != 0)
			fail_msg("case %zu \"%s\": %s", i, ok_cases[i].in,
			    cause);
		assert_null(cause);
		assert_string_equal(out, ok_cases[i].want);
		free(out);
	}
}

static void
test_errors(void **state)
{
	char sentinel[] = "untouched", *out, *cause;
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(err_cases); i++) {
		out = sentinel;
		cause = NULL;
		if (phone_normalize(err_cases[i].in, err_cases[i].cc, &out,
		    &cause) != -1)
			fail_msg("case %zu \"%s\" gave %s", i, err_cases[i].in,
			    out);
		assert_ptr_equal(out, sentinel);
		assert_non_null(cause);
		assert_string_equal(cause, err_cases[i].msg);
		free(cause);
	}
}

/* Errors are reported even when the caller does not want the message. */
static void
test_null_cause(void **state)
{
	char *out = NULL;

	(void)state;
	assert_int_equal(phone_normalize("x", "86", &out, NULL), -1);
	assert_null(out);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ok),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_null_cause),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* test_smtp_reply.c - the reason a failed SMTP transaction records is the
 * server's reply to the command it stopped at: not the 221 to the QUIT
 * that follows, not a refusal libcurl got past, every line of a multiline
 * reply, and nothing that could break a line or a terminal. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "smtp_reply.h"

/* Feeds a dialogue: lines starting with '>' went out, the others came in,
 * each as libcurl shows it, one line with its CR LF per call. */
static void
talk(struct smtp_reply *r, const char *const *lines)
{
	char line[512];
	size_t n;

	for (; *lines != NULL; lines++) {
		n = (size_t)snprintf(line, sizeof line, "%s\r\n",
		    **lines == '>' ? *lines + 1 : *lines);
		if (**lines == '>')
			smtp_reply_sent(r, line, n);
		else
			smtp_reply_received(r, line, n);
	}
}

static void
test_rcpt_refused_then_quit(void **state)
{
	static const char *const d[] = { "220 smtpd.test ESMTP",
	    ">EHLO acme.example", "250-smtpd.test", "250-SIZE 33554432",
	    "250 HELP", ">MAIL FROM:<greetings@acme.example>", "250 OK",
	    ">RCPT TO:<s1@example.test>",
	    "550 5.1.1 <s1@example.test>: Recipient address rejected",
	    ">QUIT", "221 Bye", NULL };
	struct smtp_reply r;

	(void)state;
	smtp_reply_init(&r);
	talk(&r, d);
	assert_string_equal(smtp_reply_text(&r),
	    "550 5.1.1 <s1@example.test>: Recipient address rejected");
	assert_int_equal(smtp_reply_code(&r), 550);
	smtp_reply_free(&r);
}

/* A 502 to EHLO is answered with HELO: the failure is elsewhere. */
static void
test_refusal_got_past(void **state)
{
	static const char *const d[] = { "220 smtpd.test ESMTP",
	    ">EHLO acme.example", "502 5.5.1 EHLO not accepted",
	    ">HELO acme.example", "250 smtpd.test", ">MAIL FROM:<a@b.example>",
	    "250 OK", ">RCPT TO:<c@d.example>", "250 OK", ">DATA",
	    "354 End data with <CR><LF>.<CR><LF>", NULL };
	struct smtp_reply r;

	(void)state;
	smtp_reply_init(&r);
	talk(&r, d);
	assert_int_equal(smtp_reply_code(&r), 354);
	smtp_reply_free(&r);
}

static void
test_multiline_and_rset(void **state)
{
	static const char *const d[] = { "220 smtpd.test ESMTP", ">DATA",
	    "354 go ahead", "554-5.7.1 Message rejected (test)",
	    "554 5.7.1 Policy line two (test)", ">RSET", "250 OK", ">QUIT",
	    "500 what?", NULL };
	struct smtp_reply r;

	(void)state;
	smtp_reply_init(&r);
	talk(&r, d);
	assert_string_equal(smtp_reply_text(&r), "554-5.7.1 Message rejected "
	    "(test) / 554 5.7.1 Policy line two (test)");
	assert_int_equal(smtp_reply_code(&r), 554);
	smtp_reply_free(&r);
}

/* A refusal instead of the greeting: no command went out. */
static void
test_greeting(void **state)
{
	struct smtp_reply r;
	static const char in[] = "421 4.3.2 Service not available\r\n";

	(void)state;
	smtp_reply_init(&r);
	assert_string_equal(smtp_reply_text(&r), "");
	assert_int_equal(smtp_reply_code(&r), 0);
	smtp_reply_received(&r, in, sizeof in - 1);
	assert_string_equal(smtp_reply_text(&r),
	    "421 4.3.2 Service not available");
	assert_int_equal(smtp_reply_code(&r), 421);
	smtp_reply_free(&r);
}

/* Control characters, an escape sequence and bytes that are not UTF-8
 * become '?'; UTF-8 text stays; lines given in one piece are split. */
static void
test_sanitized(void **state)
{
	struct smtp_reply r;
	static const char in[] = "550-5.1.1 \x1b[31mred\x07 \xff\xc3 bad\r\n"
	    "550 5.1.1 \xe7\x94\xa8\xe6\x88\xb7\xe4\xb8\x8d\xe5\xad\x98\xe5"
	    "\x9c\xa8 \xc2\x85\x7f\r\n";

	(void)state;
	smtp_reply_init(&r);
	smtp_reply_sent(&r, "RCPT TO:<x@y.example>\r\n", 23);
	smtp_reply_received(&r, in, sizeof in - 1);
	assert_string_equal(smtp_reply_text(&r), "550-5.1.1 ?[31mred? ?? bad"
	    " / 550 5.1.1 \xe7\x94\xa8\xe6\x88\xb7\xe4\xb8\x8d\xe5\xad\x98\xe5"
	    "\x9c\xa8 ??");
	assert_null(strpbrk(smtp_reply_text(&r), "\r\n\x1b\x07"));
	smtp_reply_free(&r);
}

/* AUTH continuation lines are not commands (and look like none); a
 * server that never stops a reply is cut at SMTP_REPLY_MAX. */
static void
test_auth_and_cap(void **state)
{
	static const char *const d[] = { ">AUTH LOGIN", "334 VXNlcm5hbWU6",
	    ">UVVJVA==", "334 UGFzc3dvcmQ6", ">cXVpdA==",
	    "535 5.7.8 Authentication credentials invalid", NULL };
	struct smtp_reply r;
	int i;

	(void)state;
	smtp_reply_init(&r);
	talk(&r, d);
	assert_string_equal(smtp_reply_text(&r),
	    "535 5.7.8 Authentication credentials invalid");
	for (i = 0; i < 1000; i++)
		smtp_reply_received(&r, "250-x\r\n", 7);
	smtp_reply_received(&r, "250 end\r\n", 9);
	assert_true(strlen(smtp_reply_text(&r)) <= SMTP_REPLY_MAX);
	assert_int_equal(smtp_reply_code(&r), 250);
	smtp_reply_free(&r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rcpt_refused_then_quit),
		cmocka_unit_test(test_refusal_got_past),
		cmocka_unit_test(test_multiline_and_rset),
		cmocka_unit_test(test_greeting),
		cmocka_unit_test(test_sanitized),
		cmocka_unit_test(test_auth_and_cap),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

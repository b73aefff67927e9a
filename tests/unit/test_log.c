/* test_log.c - unit tests for log_msg(): each line of a message carries
 * the priority prefix journald reads, or the "prog: level: " prefix a
 * person at a terminal gets. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "util.h"

/* What log_msg(level, "%s", msg) writes to stderr (fd 2 is a temporary
 * file meanwhile; it is restored before anything is asserted, so a
 * failure is reported where cmocka writes).  malloc'd. */
static char *
logged(enum log_level level, const char *msg)
{
	FILE *tmp = tmpfile();
	int saved;
	long n;
	char *out;

	assert_non_null(tmp);
	fflush(stderr);
	saved = dup(STDERR_FILENO);
	assert_true(saved >= 0);
	assert_true(dup2(fileno(tmp), STDERR_FILENO) >= 0);
	log_msg(level, "%s", msg);
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
	n = ftell(tmp);
	assert_true(n >= 0);
	out = xcalloc(1, (size_t)n + 1);
	rewind(tmp);
	assert_int_equal(fread(out, 1, (size_t)n, tmp), (size_t)n);
	fclose(tmp);
	return out;
}

/* Asserts that logging msg at level writes want. */
static void
check_logged(enum log_level level, const char *msg, const char *want)
{
	char *got = logged(level, msg);

	assert_string_equal(got, want);
	free(got);
}

/* For journald: one record per line, each with its own priority. */
static void
test_prefix_every_line(void **state)
{
	(void)state;
	log_init("outreachd", LOG_LVL_INFO, 1);
	check_logged(LOG_LVL_ERR, "one line", "<3>one line\n");
	check_logged(LOG_LVL_ERR, "reload failed:\nx.conf:3: a\nx.conf:7: b",
	    "<3>reload failed:\n<3>x.conf:3: a\n<3>x.conf:7: b\n");
	check_logged(LOG_LVL_WARNING, "a\n\nb", "<4>a\n<4>\n<4>b\n");
	check_logged(LOG_LVL_NOTICE, "", "<5>\n");
}

/* A message that ends in a newline gets no empty record after it. */
static void
test_trailing_newline(void **state)
{
	(void)state;
	log_init("outreachd", LOG_LVL_INFO, 1);
	check_logged(LOG_LVL_ERR, "a\nb\n", "<3>a\n<3>b\n");
	check_logged(LOG_LVL_ERR, "\n", "<3>\n");
}

/* At a terminal: "prog: level: " on every line, so each can be grepped. */
static void
test_plain_every_line(void **state)
{
	(void)state;
	log_init("outreachctl", LOG_LVL_INFO, 0);
	check_logged(LOG_LVL_WARNING, "first\nsecond",
	    "outreachctl: warning: first\noutreachctl: warning: second\n");
}

/* Below the configured level nothing is written, not even a prefix. */
static void
test_level(void **state)
{
	(void)state;
	log_init("outreachd", LOG_LVL_NOTICE, 1);
	check_logged(LOG_LVL_INFO, "hidden\nlines", "");
	check_logged(LOG_LVL_NOTICE, "shown", "<5>shown\n");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_prefix_every_line),
		cmocka_unit_test(test_trailing_newline),
		cmocka_unit_test(test_plain_every_line),
		cmocka_unit_test(test_level),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

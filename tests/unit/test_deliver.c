/* test_deliver.c - the transports' transfers use their own protocols
 * only: a file:// URL handed to the SMTP or the SMS transport (which the
 * configuration refuses anyway) is refused by libcurl, and the file is
 * neither written over nor read. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "deliver_priv.h"

/* A file holding "before"; its file:// URL is in url. */
static char *
scratch(char *path, size_t len)
{
	int fd;

	snprintf(path, len, "/tmp/test_deliver.XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "before", 6), 6);
	close(fd);
	return xasprintf("file://%s", path);
}

/* Runs one transfer of be to a file:// URL, as the pass would after
 * deliver_job_setup(); returns libcurl's result. */
static CURLcode
transfer(const struct deliver_backend *be, const char *url)
{
	static const _Atomic uint64_t commits = 1;
	struct conf_channel cc;
	struct deliver_channel ch;
	struct deliver_job *job = xcalloc(1, sizeof(*job));
	int fresh = 0;
	CURLcode rc;

	memset(&cc, 0, sizeof cc);
	memset(&ch, 0, sizeof ch);
	cc.url = "smtp://127.0.0.1:1";
	cc.timeout_seconds = 5;
	ch.cc = &cc;
	ch.be = be;
	job->ch = &ch;
	job->easy = curl_easy_init();
	job->url = xstrdup(url);
	job->from = xstrdup("<a@b.example>");
	job->rcpt = curl_slist_append(NULL, "<c@d.example>");
	job->payload = xstrdup("after");
	job->len = 5;
	job->commits = &commits;
	job->fresh = &fresh;
	buf_init(&job->reply);
	smtp_reply_init(&job->smtp);
	deliver_job_setup(NULL, job);
	rc = curl_easy_perform(job->easy);
	curl_easy_cleanup(job->easy);
	deliver_job_free(job);
	return rc;
}

/* What is in the file at path. */
static void
file_is(const char *path, const char *want)
{
	char got[32] = "";
	FILE *fp = fopen(path, "r");

	assert_non_null(fp);
	got[fread(got, 1, sizeof got - 1, fp)] = '\0';
	fclose(fp);
	assert_string_equal(got, want);
}

static void
test_smtp_no_file(void **state)
{
	char path[64], *url = scratch(path, sizeof path);

	(void)state;
	assert_int_equal(transfer(&deliver_smtp_backend, url),
	    CURLE_UNSUPPORTED_PROTOCOL);
	file_is(path, "before");
	unlink(path);
	free(url);
}

static void
test_sms_no_file(void **state)
{
	char path[64], *url = scratch(path, sizeof path);

	(void)state;
	assert_int_equal(transfer(&deliver_sms_backend, url),
	    CURLE_UNSUPPORTED_PROTOCOL);
	unlink(path);
	free(url);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_smtp_no_file),
		cmocka_unit_test(test_sms_no_file),
	};
	int rc;

	curl_global_init(CURL_GLOBAL_DEFAULT);
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	curl_global_cleanup();
	return rc;
}

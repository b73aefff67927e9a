/* test_tmpl_set.c - unit tests for template directories and messages. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tmpl_set.h"
#include "util.h"

/* The build may run tests outside the source tree (make distcheck). */
#ifndef TEST_DATA_DIR
#define TEST_DATA_DIR "tests/unit/data"
#endif
#define GOOD_DIR TEST_DATA_DIR "/templates/good"
#define BAD_DIR TEST_DATA_DIR "/templates/bad"

static const char *
lookup(void *arg, const char *name)
{
	const char *const *kv = arg;
	size_t i;

	for (i = 0; kv[i] != NULL; i += 2) {
		if (strcmp(kv[i], name) == 0)
			return kv[i + 1];
	}
	return NULL;
}

/* Makes a temporary directory holding the given (name, content) files;
 * a NULL content makes a subdirectory instead. */
static char *
make_dir(const char *const *files)
{
	char *dir = xstrdup("/tmp/test_tmpl_set.XXXXXX"), *path;
	FILE *f;
	size_t i;

	assert_non_null(mkdtemp(dir));
	for (i = 0; files[i] != NULL; i += 2) {
		path = xasprintf("%s/%s", dir, files[i]);
		if (files[i + 1] == NULL)
			assert_int_equal(mkdir(path, 0700), 0);
		else {
			assert_non_null(f = fopen(path, "w"));
			fputs(files[i + 1], f);
			fclose(f);
		}
		free(path);
	}
	return dir;
}

static void
remove_dir(char *dir)
{
	struct dirent *de;
	char *path;
	DIR *d;

	assert_non_null(d = opendir(dir));
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		path = xasprintf("%s/%s", dir, de->d_name);
		if (unlink(path) != 0)
			rmdir(path);
		free(path);
	}
	closedir(d);
	rmdir(dir);
	free(dir);
}

/* Loading files must fail with exactly want. */
static void
assert_load_error(const char *const *files, const char *want)
{
	char *dir = make_dir(files), *cause = NULL;

	assert_null(tmpl_set_load(dir, &cause));
	assert_non_null(cause);
	assert_string_equal(cause, want);
	free(cause);
	remove_dir(dir);
}

static void
test_load_good(void **state)
{
	static const char *const want[][3] = {
		{ "birthday", "email", "" }, { "birthday", "email", "zh" },
		{ "birthday", "sms", "" }, { "birthday", "sms", "zh_CN" },
		{ "holiday", "sms", "zh" },
	};
	struct tmpl_set *set;
	const struct tmpl_msg *m;
	char *cause = NULL;
	size_t i;

	(void)state;
	set = tmpl_set_load(GOOD_DIR, &cause);
	if (set == NULL)
		fail_msg("%s", cause);
	assert_int_equal(tmpl_set_count(set), ARRAY_SIZE(want));
	for (i = 0; i < ARRAY_SIZE(want); i++) {
		m = tmpl_set_get(set, i);
		assert_string_equal(m->rule, want[i][0]);
		assert_string_equal(m->channel, want[i][1]);
		assert_string_equal(m->locale, want[i][2]);
		assert_non_null(m->text);
	}
	assert_null(tmpl_set_get(set, i));
	m = tmpl_set_get(set, 0);
	assert_string_equal(m->file, "birthday.email.tmpl");
	assert_non_null(m->subject);
	assert_non_null(m->reply_to);
	assert_non_null(m->html);
	assert_string_equal(tmpl_name(m->html), "birthday.email.html.tmpl");
	m = tmpl_set_get(set, 1);
	assert_null(m->reply_to);
	assert_null(m->html);
	m = tmpl_set_get(set, 2);
	assert_null(m->subject);
	tmpl_set_free(set);
	tmpl_set_free(NULL);
}

static void
assert_found(const struct tmpl_set *set, const char *rule,
    const char *channel, const char *locale, const char *file)
{
	const struct tmpl_msg *m = tmpl_set_find(set, rule, channel, locale);

	if (file == NULL) {
		assert_null(m);
		return;
	}
	assert_non_null(m);
	assert_string_equal(m->file, file);
}

static void
test_find(void **state)
{
	struct tmpl_set *set;
	char *cause = NULL;

	(void)state;
	assert_non_null(set = tmpl_set_load(GOOD_DIR, &cause));
	assert_found(set, "birthday", "email", "zh_CN",
	    "birthday.email.zh.tmpl");
	assert_found(set, "birthday", "email", "zh", "birthday.email.zh.tmpl");
	assert_found(set, "birthday", "email", "zh-tw",
	    "birthday.email.zh.tmpl");
	assert_found(set, "birthday", "email", "zh_TW.UTF-8",
	    "birthday.email.zh.tmpl");
	assert_found(set, "birthday", "email", "en_US", "birthday.email.tmpl");
	assert_found(set, "birthday", "email", NULL, "birthday.email.tmpl");
	assert_found(set, "birthday", "email", "", "birthday.email.tmpl");
	assert_found(set, "birthday", "email", "../../etc/passwd",
	    "birthday.email.tmpl");
	assert_found(set, "birthday", "sms", "zh_CN",
	    "birthday.sms.zh_CN.tmpl");
	assert_found(set, "birthday", "sms", "zh-cn",
	    "birthday.sms.zh_CN.tmpl");
	assert_found(set, "birthday", "sms", "zh", "birthday.sms.tmpl");
	assert_found(set, "holiday", "sms", "zh_CN", "holiday.sms.zh.tmpl");
	assert_found(set, "holiday", "sms", NULL, NULL);
	assert_found(set, "holiday", "sms", "en", NULL);
	assert_found(set, "holiday", "email", "zh", NULL);
	assert_found(set, "nope", "sms", NULL, NULL);
	assert_true(tmpl_set_has_rule(set, "birthday", "email"));
	assert_true(tmpl_set_has_rule(set, "holiday", "sms"));
	assert_false(tmpl_set_has_rule(set, "holiday", "email"));
	assert_false(tmpl_set_has_rule(set, "birthday", "fax"));
	tmpl_set_free(set);
	assert_true(tmpl_rule_valid("spring-sale_2024"));
	assert_false(tmpl_rule_valid(""));
	assert_false(tmpl_rule_valid("../x"));
	assert_false(tmpl_rule_valid("Birthday"));
}

static void
test_render_email(void **state)
{
	static const char *const vals[] = {
		"name", "Ada\r\nBcc: x@example.com", "years", "3",
		"rep.name", "Bob <b>", NULL,
	};
	struct tmpl_set *set;
	struct tmpl_rendered r;
	char *cause = NULL;

	(void)state;
	assert_non_null(set = tmpl_set_load(GOOD_DIR, &cause));
	assert_int_equal(tmpl_msg_render(tmpl_set_find(set, "birthday",
	    "email", NULL), lookup, (void *)vals, &r, &cause), 0);
	assert_string_equal(r.subject,
	    "Happy birthday, Ada Bcc: x@example.com!");
	assert_string_equal(r.reply_to, "care@example.com");
	assert_string_equal(r.text, "Dear customer,\n\n"
	    "Thank you for 3 years with us.\n"
	    "Your advisor Bob <b> is happy to help.\n\n");
	assert_string_equal(r.html, "<p>Dear customer,</p>\n"
	    "<p>Your advisor: <b>Bob &lt;b&gt;</b></p>\n");
	tmpl_rendered_free(&r);
	assert_null(r.text);
	tmpl_set_free(set);
}

static void
test_render_sms(void **state)
{
	static const char *const vals[] = { "name", "Ada", NULL };
	static const char *const none[] = { NULL };
	struct tmpl_set *set;
	struct tmpl_rendered r;
	char *cause = NULL;

	(void)state;
	assert_non_null(set = tmpl_set_load(GOOD_DIR, &cause));
	assert_int_equal(tmpl_msg_render(tmpl_set_find(set, "birthday", "sms",
	    NULL), lookup, (void *)vals, &r, &cause), 0);
	assert_null(r.subject);
	assert_null(r.reply_to);
	assert_null(r.html);
	assert_string_equal(r.text, "Happy birthday Ada!");
	tmpl_rendered_free(&r);
	assert_int_equal(tmpl_msg_render(tmpl_set_find(set, "birthday", "sms",
	    "zh_CN"), lookup, (void *)none, &r, &cause), -1);
	assert_string_equal(cause,
	    "missing value for \"name\" (birthday.sms.zh_CN.tmpl:1:1)");
	assert_null(r.text);
	free(cause);
	/* Subject comes first, and its column counts "Subject: ". */
	assert_int_equal(tmpl_msg_render(tmpl_set_find(set, "birthday",
	    "email", "zh"), lookup, (void *)none, &r, &cause), -1);
	assert_string_equal(cause,
	    "missing value for \"name\" (birthday.email.zh.tmpl:1:10)");
	free(cause);
	tmpl_set_free(set);
}

static void
test_render_clean(void **state)
{
	static const char *const files[] = {
		"x.email.tmpl", "Subject: {{name}}\n"
		    "Reply-To: {{rep.email}}\n\n{{event}}",
		NULL,
	};
	static const char *const vals[] = {
		"name", "\r\n  A\x01\x02" "B\tC \xc2\x85 D\xe2\x80\xa8",
		"rep.email", "\n", "event", "a\r\nb\rc\n\r\n", NULL,
	};
	static const char *const empty[] = {
		"name", "\r\n\x7f", "rep.email", "", "event", "", NULL,
	};
	char *dir = make_dir(files), *cause = NULL;
	struct tmpl_set *set;
	struct tmpl_rendered r;

	(void)state;
	assert_non_null(set = tmpl_set_load(dir, &cause));
	assert_int_equal(tmpl_msg_render(tmpl_set_get(set, 0), lookup,
	    (void *)vals, &r, &cause), 0);
	assert_string_equal(r.subject, "A B C   D");
	assert_null(r.reply_to);
	assert_string_equal(r.text, "a\nb\nc\n\n");
	tmpl_rendered_free(&r);
	assert_int_equal(tmpl_msg_render(tmpl_set_get(set, 0), lookup,
	    (void *)empty, &r, &cause), -1);
	assert_string_equal(cause, "Subject renders empty (x.email.tmpl)");
	free(cause);
	tmpl_set_free(set);
	remove_dir(dir);
}

static void
test_headers(void **state)
{
	static const char *const files[] = {
		"crlf.email.tmpl", "\xef\xbb\xbfsubject: Hi {{name}}\r\n"
		    "REPLY-TO:  x@example.com \t\r\n  \r\nBody\r\nline\r\n",
		"html.email.html.tmpl", "\xef\xbb\xbf<p>\r\n",
		"html.email.tmpl", "Subject: s\n\n",
		NULL,
	};
	static const char *const vals[] = { "name", "Ada", NULL };
	char *dir = make_dir(files), *cause = NULL;
	struct tmpl_set *set;
	struct tmpl_rendered r;

	(void)state;
	if ((set = tmpl_set_load(dir, &cause)) == NULL)
		fail_msg("%s", cause);
	assert_int_equal(tmpl_msg_render(tmpl_set_find(set, "crlf", "email",
	    NULL), lookup, (void *)vals, &r, &cause), 0);
	assert_string_equal(r.subject, "Hi Ada");
	assert_string_equal(r.reply_to, "x@example.com");
	assert_string_equal(r.text, "Body\nline\n");
	tmpl_rendered_free(&r);
	assert_int_equal(tmpl_msg_render(tmpl_set_find(set, "html", "email",
	    NULL), lookup, (void *)vals, &r, &cause), 0);
	assert_string_equal(r.text, "");
	assert_string_equal(r.html, "<p>\n");
	tmpl_rendered_free(&r);
	tmpl_set_free(set);
	remove_dir(dir);
}

static void
test_header_errors(void **state)
{
	static const char *const f1[] = { "e.email.tmpl", "", NULL };
	static const char *const f2[] = {
		"e.email.tmpl", "Subject: x\n", NULL,
	};
	static const char *const f3[] = {
		"e.email.tmpl", "Subject: a\nsubject: b\n\n", NULL,
	};
	static const char *const f4[] = {
		"e.email.tmpl", "Subject: \t \nReply-To:\n\n", NULL,
	};
	static const char *const f5[] = {
		"e.email.tmpl", "Subject: a\n b\n\n", NULL,
	};
	static const char *const f6[] = {
		"e.email.tmpl", "Subject: a {{#name}}\n\n{{/name}}\n", NULL,
	};
	static const char *const f7[] = {
		"e.email.tmpl", "Subject: 生日 \xff\n\n", NULL,
	};
	static const char *const f8[] = {
		"e.email.tmpl", "Reply-To: {{nope}}\n\n", NULL,
	};

	(void)state;
	assert_load_error(f1, "e.email.tmpl:1:1: missing \"Subject\" header");
	assert_load_error(f2, "e.email.tmpl:2:1: missing blank line after "
	    "the headers");
	assert_load_error(f3, "e.email.tmpl:2:1: duplicate \"Subject\" header");
	assert_load_error(f4, "e.email.tmpl:1:1: empty \"Subject\" header\n"
	    "e.email.tmpl:2:1: empty \"Reply-To\" header");
	assert_load_error(f5, "e.email.tmpl:2:1: expected \"Name: value\" "
	    "header or a blank line before the body");
	assert_load_error(f6, "e.email.tmpl:1:12: section \"name\" is never "
	    "closed\ne.email.tmpl:3:1: \"{{/name}}\" closes a section that is "
	    "not open");
	assert_load_error(f7, "e.email.tmpl:1:13: invalid UTF-8");
	assert_load_error(f8, "e.email.tmpl:1:11: unknown variable \"nope\"\n"
	    "e.email.tmpl:1:1: missing \"Subject\" header");
}

static void
test_file_errors(void **state)
{
	static const char *const f1[] = {
		"dir.sms.tmpl", NULL, "a\x01\xff.sms.tmpl", "x",
		"u.sms.tmpl", "ok\n\xff", "a b.sms.tmpl", "x", NULL,
	};
	static const char *const big[] = { "big.sms.tmpl", "", NULL };
	char *dir, *path, *cause = NULL;
	FILE *f;
	int i;

	(void)state;
	assert_load_error(f1, "a\\x01\\xff.sms.tmpl: invalid template file "
	    "name\na\\x20b.sms.tmpl: invalid template file name\n"
	    "dir.sms.tmpl: not a regular file\n"
	    "u.sms.tmpl:2:1: invalid UTF-8");
	dir = make_dir(big);
	path = xasprintf("%s/big.sms.tmpl", dir);
	assert_non_null(f = fopen(path, "w"));
	for (i = 0; i <= TMPL_SET_MAX_FILE; i++)
		fputc('a', f);
	fclose(f);
	free(path);
	assert_null(tmpl_set_load(dir, &cause));
	assert_string_equal(cause, "big.sms.tmpl: larger than 1048576 bytes");
	free(cause);
	remove_dir(dir);
	assert_null(tmpl_set_load("/nonexistent/templates", &cause));
	assert_string_equal(cause,
	    "/nonexistent/templates: No such file or directory");
	free(cause);
}

static void
test_load_bad(void **state)
{
	char *cause = NULL;

	(void)state;
	assert_null(tmpl_set_load(BAD_DIR, &cause));
	assert_string_equal(cause,
	    "Foo.email.tmpl: invalid rule name \"Foo\" (expected [a-z0-9_-]+)\n"
	    "badsms.sms.tmpl:2:1: section \"name\" is never closed\n"
	    "badsubject.email.tmpl:1:14: unknown variable \"nam\"\n"
	    "badsubject.email.tmpl:4:1: section \"tier\" is never closed\n"
	    "noblank.email.tmpl:2:1: expected \"Name: value\" header or a "
	    "blank line before the body\n"
	    "nosubject.email.tmpl:1:1: missing \"Subject\" header\n"
	    "notes.tmpl: expected RULE.CHANNEL[.LOCALE].tmpl or "
	    "RULE.email[.LOCALE].html.tmpl\n"
	    "unknownhdr.email.tmpl:2:1: unknown header \"From\" (expected "
	    "Subject or Reply-To)\n"
	    "unknownhdr.email.tmpl:4:6: unknown variable \"bogus\"\n"
	    "x.fax.tmpl: unknown channel \"fax\" (expected email or sms)\n"
	    "x.sms.html.tmpl: HTML templates are for email only\n"
	    "x.sms.zh-cn.tmpl: invalid locale \"zh-cn\" (expected e.g. zh or "
	    "zh_CN)\n"
	    "orphan.email.html.tmpl: HTML template without text template "
	    "orphan.email.tmpl");
	free(cause);
}

static void
test_load_empty(void **state)
{
	static const char *const files[] = { "README", "x", NULL };
	char *dir = make_dir(files), *cause = NULL;
	struct tmpl_set *set;

	(void)state;
	assert_non_null(set = tmpl_set_load(dir, &cause));
	assert_int_equal(tmpl_set_count(set), 0);
	assert_null(tmpl_set_find(set, "x", "sms", "zh"));
	tmpl_set_free(set);
	remove_dir(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_load_good),
		cmocka_unit_test(test_find),
		cmocka_unit_test(test_render_email),
		cmocka_unit_test(test_render_sms),
		cmocka_unit_test(test_render_clean),
		cmocka_unit_test(test_headers),
		cmocka_unit_test(test_header_errors),
		cmocka_unit_test(test_file_errors),
		cmocka_unit_test(test_load_bad),
		cmocka_unit_test(test_load_empty),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

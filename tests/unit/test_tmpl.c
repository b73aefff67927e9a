/* test_tmpl.c - unit tests for the template language. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "tmpl.h"
#include "util.h"

/* Values for most tests: name/value pairs, NULL-terminated. */
static const char *const vals[] = {
	"name", "Ada",
	"company", "<A&B> \"q\" 'a'",
	"tier", "",
	"rep.name", "Bob",
	"attr.Hobby_2", "chess",
	"event", "生日",
	NULL,
};

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

/* Parses and renders src, which must both succeed; caller frees. */
static char *
render_kv(const char *src, const char *const *kv, int flags)
{
	struct tmpl *t;
	char *out = NULL, *cause = NULL;

	t = tmpl_parse(src, strlen(src), "t.tmpl", &cause);
	if (t == NULL)
		fail_msg("parse: %s", cause);
	if (tmpl_render(t, lookup, (void *)kv, flags, &out, &cause) != 0)
		fail_msg("render: %s", cause);
	tmpl_free(t);
	return out;
}

static void
assert_render(const char *src, int flags, const char *want)
{
	char *out = render_kv(src, vals, flags);

	assert_string_equal(out, want);
	free(out);
}

static void
assert_parse_error_n(const char *src, size_t len, const char *want)
{
	struct tmpl *t;
	char *cause = NULL;

	t = tmpl_parse(src, len, "t.tmpl", &cause);
	assert_null(t);
	assert_non_null(cause);
	assert_string_equal(cause, want);
	free(cause);
}

static void
assert_parse_error(const char *src, const char *want)
{
	assert_parse_error_n(src, strlen(src), want);
}

static void
assert_render_error(const char *src, const char *const *kv, const char *want)
{
	struct tmpl *t;
	char *out = (char *)"x", *cause = NULL;

	t = tmpl_parse(src, strlen(src), "t.tmpl", &cause);
	if (t == NULL)
		fail_msg("parse: %s", cause);
	assert_int_equal(tmpl_render(t, lookup, (void *)kv, 0, &out, &cause),
	    -1);
	assert_null(out);
	assert_string_equal(cause, want);
	free(cause);
	tmpl_free(t);
}

static void
test_text(void **state)
{
	(void)state;
	assert_render("", 0, "");
	assert_render("plain text\nline 2 } { }} <b>\n", 0,
	    "plain text\nline 2 } { }} <b>\n");
	assert_render("<b>&amp;</b>", TMPL_HTML, "<b>&amp;</b>");
}

static void
test_vars(void **state)
{
	(void)state;
	assert_render("Hi {{name}}!", 0, "Hi Ada!");
	assert_render("Hi {{ name }}!{{\tname\t}}", 0, "Hi Ada!Ada");
	assert_render("{{rep.name}}/{{attr.Hobby_2}}", 0, "Bob/chess");
	assert_render("[{{tier}}]", 0, "[]");
	assert_render("{{event}}快乐", 0, "生日快乐");
	assert_render("{{company}}", 0, "<A&B> \"q\" 'a'");
	assert_render("<p>{{company}}</p>", TMPL_HTML,
	    "<p>&lt;A&amp;B&gt; &quot;q&quot; &#39;a&#39;</p>");
}

static void
test_fallback(void **state)
{
	(void)state;
	assert_render("Dear {{salutation|friend}}", 0, "Dear friend");
	assert_render("Dear {{ salutation | dear friend }},", 0,
	    "Dear dear friend,");
	assert_render("Dear {{name|friend}}", 0, "Dear Ada");
	assert_render("[{{tier|none}}]", 0, "[none]");
	assert_render("[{{salutation|}}]", 0, "[]");
	assert_render("{{age|a|b}}", 0, "a|b");
	/* Fallback text is template text: never escaped. */
	assert_render("{{age|<i>n/a</i>}}", TMPL_HTML, "<i>n/a</i>");
}

static void
test_sections(void **state)
{
	(void)state;
	assert_render("a{{#name}}[{{name}}]{{/name}}b", 0, "a[Ada]b");
	assert_render("a{{#age}}[{{age}}]{{/age}}b", 0, "ab");
	assert_render("a{{#tier}}[{{tier}}]{{/tier}}b", 0, "ab");
	assert_render("a{{^age}}no age{{/age}}b", 0, "ano ageb");
	assert_render("a{{^tier}}no tier{{/tier}}b", 0, "ano tierb");
	assert_render("a{{^name}}no name{{/name}}b", 0, "ab");
	assert_render("{{ # name }}x{{ / name }}", 0, "x");
	assert_render("{{#name}}1{{#rep.name}}2{{^age}}3{{/age}}{{/rep.name}}"
	    "{{#age}}4{{/age}}5{{/name}}6", 0, "12356");
	assert_render("{{#name}}{{#name}}x{{/name}}{{/name}}", 0, "x");
}

static void
test_comments(void **state)
{
	(void)state;
	assert_render("a{{! hi }}b", 0, "ab");
	assert_render("a{{!}}b", 0, "ab");
	assert_render("a{{! two\nlines }}b", 0, "ab");
	/* The first "}}" ends a comment. */
	assert_render("a{{! {{name}} }}b", 0, "a }}b");
}

static void
test_standalone(void **state)
{
	const char *src = "Hello\n{{#age}}\nage {{age}}\n{{/age}}\nBye\n";

	(void)state;
	assert_render(src, 0, "Hello\nBye\n");
	assert_render("Hello\n  {{#name}}  \n{{name}}\n\t{{/name}}\nBye\n", 0,
	    "Hello\nAda\nBye\n");
	assert_render("Hello\r\n{{#name}}\r\n{{name}}\r\n{{/name}}\r\nBye", 0,
	    "Hello\r\nAda\r\nBye");
	assert_render("{{! comment line }}\nText", 0, "Text");
	assert_render("A\n{{^age}}\nB\n{{/age}}", 0, "A\nB\n");
	/* Not standalone: other text or another tag on the line. */
	assert_render("a {{#name}}b{{/name}} c\n", 0, "a b c\n");
	assert_render("{{#name}}{{/name}}\nx", 0, "\nx");
	assert_render("{{#name}} x\n{{/name}}\n", 0, " x\n");
	/* Variable tags never take their line away. */
	assert_render("a\n{{tier}}\nb", 0, "a\n\nb");
}

static void
test_missing(void **state)
{
	static const char *const none[] = { NULL };
	static const char *const bad[] = { "name", "A\xff", NULL };

	(void)state;
	assert_render_error("Hi\n  {{attr.hobby}}", vals,
	    "missing value for \"attr.hobby\" (t.tmpl:2:3)");
	assert_render_error("生日 {{name}}", none,
	    "missing value for \"name\" (t.tmpl:1:4)");
	assert_render_error("{{^name}}{{name}}{{/name}}", none,
	    "missing value for \"name\" (t.tmpl:1:10)");
	assert_render_error("x {{name}}", bad,
	    "invalid UTF-8 in value for \"name\" (t.tmpl:1:3)");
	/* Skipped sections need nothing. */
	assert_render("{{#age}}{{age}}{{attr.x}}{{/age}}", 0, "");
}

static void
test_null_lookup(void **state)
{
	struct tmpl *t;
	char *out, *cause = NULL;

	(void)state;
	t = tmpl_parse("a{{^name}}b{{/name}}{{age|c}}", 29, "n", &cause);
	assert_non_null(t);
	assert_int_equal(tmpl_render(t, NULL, NULL, 0, &out, &cause), 0);
	assert_string_equal(out, "abc");
	assert_string_equal(tmpl_name(t), "n");
	free(out);
	tmpl_free(t);
	tmpl_free(NULL);
}

static void
test_error_unknown(void **state)
{
	(void)state;
	assert_parse_error("Hi {{nam}}",
	    "t.tmpl:1:4: unknown variable \"nam\"");
	assert_parse_error("\n\n  {{#foo}}{{/foo}}",
	    "t.tmpl:3:3: unknown variable \"foo\"");
	assert_parse_error("{{rep.fax}}",
	    "t.tmpl:1:1: unknown variable \"rep.fax\"");
	assert_parse_error("{{attr}}", "t.tmpl:1:1: unknown variable \"attr\"");
	assert_parse_error("{{attr.a.b}}",
	    "t.tmpl:1:1: unknown variable \"attr.a.b\"");
	/* Columns count code points, not bytes. */
	assert_parse_error("你好 {{bogus}}",
	    "t.tmpl:1:4: unknown variable \"bogus\"");
}

static void
test_error_unclosed_tag(void **state)
{
	(void)state;
	assert_parse_error("Hi {{name", "t.tmpl:1:4: unclosed tag "
	    "(missing \"}}\")");
	assert_parse_error("Hi {{name}", "t.tmpl:1:4: unclosed tag "
	    "(missing \"}}\")");
	assert_parse_error("a\n{{name\n}}", "t.tmpl:2:1: unclosed tag "
	    "(missing \"}}\")");
	assert_parse_error("x {{name {{age}}", "t.tmpl:1:3: unclosed tag "
	    "(missing \"}}\")");
	assert_parse_error("x {{! comment", "t.tmpl:1:3: unclosed tag "
	    "(missing \"}}\")");
	assert_parse_error("{{", "t.tmpl:1:1: unclosed tag (missing \"}}\")");
}

static void
test_error_sections(void **state)
{
	(void)state;
	assert_parse_error("x\n  {{#name}}\nbody",
	    "t.tmpl:2:3: section \"name\" is never closed");
	assert_parse_error("{{#name}}{{^tier}}{{/tier}}",
	    "t.tmpl:1:1: section \"name\" is never closed");
	assert_parse_error("{{#name}}\n {{#tier}}{{/name}}{{/tier}}",
	    "t.tmpl:2:11: \"{{/name}}\" does not match open section "
	    "\"tier\" at 2:2");
	assert_parse_error("a{{/name}}",
	    "t.tmpl:1:2: \"{{/name}}\" closes a section that is not open");
	assert_parse_error("{{#name}}{{/name}}{{/name}}",
	    "t.tmpl:1:19: \"{{/name}}\" closes a section that is not open");
	assert_parse_error("{{#name|x}}{{/name}}",
	    "t.tmpl:1:1: fallback only allowed in variable tags");
	assert_parse_error("{{#name}}{{/name|x}}",
	    "t.tmpl:1:10: fallback only allowed in variable tags");
}

static void
test_error_depth(void **state)
{
	struct buf b;
	struct tmpl *t;
	char *cause = NULL;
	int i;

	(void)state;
	buf_init(&b);
	for (i = 0; i < TMPL_MAX_DEPTH; i++)
		buf_puts(&b, "{{#name}}");
	for (i = 0; i < TMPL_MAX_DEPTH; i++)
		buf_puts(&b, "{{/name}}");
	t = tmpl_parse(b.data, b.len, "t.tmpl", &cause);
	assert_non_null(t);
	tmpl_free(t);
	buf_reset(&b);
	for (i = 0; i < TMPL_MAX_DEPTH + 1; i++)
		buf_puts(&b, "{{#name}}\n");
	assert_parse_error(b.data,
	    "t.tmpl:17:1: sections nested too deep (limit 16)");
	buf_free(&b);
}

static void
test_error_names(void **state)
{
	(void)state;
	assert_parse_error("{{}}", "t.tmpl:1:1: empty variable name");
	assert_parse_error("a {{ }}", "t.tmpl:1:3: empty variable name");
	assert_parse_error("{{#}}", "t.tmpl:1:1: empty variable name");
	assert_parse_error("{{ / }}", "t.tmpl:1:1: empty variable name");
	assert_parse_error("{{|x}}", "t.tmpl:1:1: empty variable name");
	assert_parse_error("{{na-me}}",
	    "t.tmpl:1:1: invalid character \"-\" in variable name");
	assert_parse_error("{{Name}}",
	    "t.tmpl:1:1: invalid character \"N\" in variable name");
	assert_parse_error("{{first name}}",
	    "t.tmpl:1:1: invalid character \" \" in variable name");
	assert_parse_error("{{1abc}}",
	    "t.tmpl:1:1: invalid character \"1\" in variable name");
	assert_parse_error("{{rep..name}}",
	    "t.tmpl:1:1: invalid character \".\" in variable name");
	assert_parse_error("{{.name}}",
	    "t.tmpl:1:1: invalid character \".\" in variable name");
	assert_parse_error("{{attr.}}",
	    "t.tmpl:1:1: invalid character \".\" in variable name");
	assert_parse_error("{{rep.Name}}",
	    "t.tmpl:1:1: invalid character \"N\" in variable name");
	assert_parse_error("{{attr.Ho-by}}",
	    "t.tmpl:1:1: invalid character \"-\" in variable name");
	assert_parse_error("{{{name}}}",
	    "t.tmpl:1:1: invalid character \"{\" in variable name");
	assert_parse_error("{{>name}}",
	    "t.tmpl:1:1: invalid character \">\" in variable name");
	assert_parse_error("{{na\"me}}",
	    "t.tmpl:1:1: invalid character U+0022 in variable name");
	assert_parse_error("{{na\x01me}}",
	    "t.tmpl:1:1: invalid character U+0001 in variable name");
	assert_parse_error("x{{名字}}",
	    "t.tmpl:1:2: invalid character \"名\" in variable name");
}

static void
test_error_bytes(void **state)
{
	(void)state;
	assert_parse_error("ab\n你\xff", "t.tmpl:2:2: invalid UTF-8");
	assert_parse_error("{{name}} \xe4\xbd", "t.tmpl:1:10: invalid UTF-8");
	assert_parse_error("\xc0\x80", "t.tmpl:1:1: invalid UTF-8");
	assert_parse_error("\xed\xa0\x80", "t.tmpl:1:1: invalid UTF-8");
	assert_parse_error_n("ab\0c\xff", 5,
	    "t.tmpl:1:3: NUL byte in template");
	assert_parse_error_n("\n\xff\0", 3, "t.tmpl:2:1: invalid UTF-8");
}

static void
test_parse_at(void **state)
{
	struct tmpl *t;
	char *cause = NULL;

	(void)state;
	t = tmpl_parse_at("x {{bad}}", 9, "m.tmpl", 3, 10, &cause);
	assert_null(t);
	assert_string_equal(cause, "m.tmpl:3:12: unknown variable \"bad\"");
	free(cause);
	t = tmpl_parse_at("x\n {{bad}}", 10, "m.tmpl", 3, 10, &cause);
	assert_null(t);
	assert_string_equal(cause, "m.tmpl:4:2: unknown variable \"bad\"");
	free(cause);
	/* Only a prefix of the buffer is the template. */
	t = tmpl_parse_at("{{name}}{{bad}}", 8, "m.tmpl", 1, 1, &cause);
	assert_non_null(t);
	tmpl_free(t);
}

static void
collect(void *arg, const char *name, int flags)
{
	buf_printf(arg, "%s:%d;", name, flags);
}

static void
test_each_var(void **state)
{
	const char *src = "{{name}}{{#rep.name}}{{rep.name}}{{name|x}}"
	    "{{/rep.name}}{{^age}}{{age}}{{/age}}{{! c }}";
	struct tmpl *t;
	struct buf b;
	char *cause = NULL;

	(void)state;
	t = tmpl_parse(src, strlen(src), "t", &cause);
	assert_non_null(t);
	buf_init(&b);
	assert_int_equal(tmpl_each_var(t, collect, &b), 6);
	assert_string_equal(b.data, "name:0;rep.name:4;rep.name:2;name:1;"
	    "age:4;age:0;");
	buf_free(&b);
	tmpl_free(t);
}

static void
test_known(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; tmpl_known_vars[i] != NULL; i++)
		assert_true(tmpl_var_known(tmpl_known_vars[i]));
	assert_int_equal(i, 29);
	assert_true(tmpl_var_known("survey_url"));
	assert_true(tmpl_var_known("report.figures"));
	assert_true(tmpl_var_known("digest.tasks"));
	assert_true(tmpl_var_known("keydate.title"));
	assert_false(tmpl_var_known("keydate"));
	assert_false(tmpl_var_known("digest"));
	assert_true(tmpl_var_known("attr.X_1"));
	assert_false(tmpl_var_known("attr."));
	assert_false(tmpl_var_known("attr.a-b"));
	assert_false(tmpl_var_known("rep"));
	assert_false(tmpl_var_known("names"));
}

/* The escaper the HTTP pages share: appends, keeps everything but the
 * five characters HTML gives a meaning to. */
static void
test_escape_html(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b);
	tmpl_escape_html(&b, "");
	assert_int_equal(b.len, 0);
	buf_puts(&b, "<h1>");
	tmpl_escape_html(&b, "Tom & Jerry's \"<x>\"");
	tmpl_escape_html(&b, "王总 &&");
	assert_string_equal(b.data, "<h1>Tom &amp; Jerry&#39;s &quot;&lt;x&gt;"
	    "&quot;王总 &amp;&amp;");
	buf_free(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text),
		cmocka_unit_test(test_vars),
		cmocka_unit_test(test_fallback),
		cmocka_unit_test(test_sections),
		cmocka_unit_test(test_comments),
		cmocka_unit_test(test_standalone),
		cmocka_unit_test(test_missing),
		cmocka_unit_test(test_null_lookup),
		cmocka_unit_test(test_error_unknown),
		cmocka_unit_test(test_error_unclosed_tag),
		cmocka_unit_test(test_error_sections),
		cmocka_unit_test(test_error_depth),
		cmocka_unit_test(test_error_names),
		cmocka_unit_test(test_error_bytes),
		cmocka_unit_test(test_parse_at),
		cmocka_unit_test(test_each_var),
		cmocka_unit_test(test_known),
		cmocka_unit_test(test_escape_html),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

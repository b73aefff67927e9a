/* fuzz_tmpl.c - libFuzzer target: parse the input as a template, render it
 * in text and HTML mode, and count and cut the result as an SMS.
 *
 * Build and run (from the top of the tree):
 *	clang -g -O1 -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE -Isrc \
 *	    tests/fuzz/fuzz_tmpl.c src/tmpl.c src/sms_text.c src/util.c \
 *	    src/log.c src/utf8.c -o /tmp/fuzz_tmpl
 *	/tmp/fuzz_tmpl -max_total_time=180 /tmp/corpus tests/fuzz/corpus_tmpl */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sms_text.h"
#include "tmpl.h"
#include "utf8.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Present, empty, absent, hostile and invalid values, chosen by name so
 * that the fuzzer can reach each of them. */
static const char *
fuzz_lookup(void *arg, const char *name)
{
	size_t len = strlen(name);

	(void)arg;
	if (strcmp(name, "name") == 0)
		return "Ada";
	if (strcmp(name, "company") == 0)
		return "<A&B> \"x\" 'y'";
	if (strcmp(name, "tier") == 0)
		return "";
	if (strcmp(name, "rep.name") == 0)
		return "Bob\r\nBcc: x";
	if (strcmp(name, "event") == 0) /* CJK, emoji, euro, GSM escapes */
		return "\xe7\x94\x9f \xf0\x9f\x98\x80 \xe2\x82\xac{}";
	if (strcmp(name, "attr.bad") == 0)
		return "a\xff";
	if (strncmp(name, "attr.", 5) == 0 && name[len - 1] != 'x')
		return "v";
	return NULL;
}

static void
fuzz_var(void *arg, const char *name, int flags)
{
	(void)arg;
	if (!tmpl_var_known(name) || flags < 0 || flags > 7)
		abort();
}

/* Rendered text must always be valid UTF-8, and every cut must fit. */
static void
fuzz_check_output(const char *out)
{
	struct sms_text_info info, cut_info;
	char *cut;
	int max;

	if (!utf8_valid(out, strlen(out), NULL))
		abort();
	if (sms_text_analyze(out, &info) != 0)
		abort();
	if (info.units < info.chars || info.segments > info.units)
		abort();
	for (max = 1; max <= 3; max++) {
		if (sms_text_truncate(out, max, &cut) < 0)
			abort();
		if (sms_text_analyze(cut, &cut_info) != 0 ||
		    cut_info.segments > (size_t)max)
			abort();
		free(cut);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const int modes[] = { 0, TMPL_HTML };
	struct tmpl *t;
	char *out, *cause = NULL;
	size_t i;

	t = tmpl_parse((const char *)data, size, "fuzz", &cause);
	if (t == NULL) {
		if (cause == NULL || strncmp(cause, "fuzz:", 5) != 0)
			abort();
		free(cause);
		return 0;
	}
	for (i = 0; i < ARRAY_SIZE(modes); i++) {
		cause = NULL;
		if (tmpl_render(t, fuzz_lookup, NULL, modes[i], &out,
		    &cause) != 0) {
			if (out != NULL || cause == NULL)
				abort();
			free(cause);
			continue;
		}
		fuzz_check_output(out);
		free(out);
	}
	if (tmpl_render(t, NULL, NULL, 0, &out, &cause) == 0) {
		fuzz_check_output(out);
		free(out);
	} else
		free(cause);
	tmpl_each_var(t, fuzz_var, NULL);
	tmpl_free(t);
	return 0;
}

/* test_csv.c - unit tests for the streaming CSV reader. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "util.h"

/* Must match CSV_IBUF_SIZE in csv.c so the boundary tests hit the seam. */
#define CHUNK ((size_t)256 * 1024)

/* Returns a temporary file holding exactly len bytes of s, rewound. */
static FILE *
tmp_input(const char *s, size_t len)
{
	FILE *fp = tmpfile();

	assert_non_null(fp);
	if (len > 0)
		assert_int_equal(fwrite(s, 1, len, fp), len);
	rewind(fp);
	return fp;
}

/* Appends a field with line breaks made visible. */
static void
render_field(struct buf *b, const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		if (s[i] == '\n')
			buf_puts(b, "\\n");
		else if (s[i] == '\r')
			buf_puts(b, "\\r");
		else
			buf_addc(b, s[i]);
	}
}

/* Parses input and renders "recno@line:f1|f2\n" per record, then "EOF" or
 * "ERR:message", so one string comparison checks everything. */
static char *
parse_len(const char *in, size_t len, size_t max_field, size_t max_fields,
    size_t max_record)
{
	FILE *fp = tmp_input(in, len);
	struct csv_reader *r = csv_reader_new(fp);
	const struct csv_record *rec;
	struct buf b;
	char *cause = NULL;
	size_t i;
	int ret;

	csv_reader_set_limits(r, max_field, max_fields, max_record);
	buf_init(&b);
	while ((ret = csv_read(r, &rec, &cause)) == 1) {
		buf_printf(&b, "%lu@%lu:", rec->recno, rec->line);
		for (i = 0; i < rec->nfields; i++) {
			if (i > 0)
				buf_addc(&b, '|');
			assert_int_equal(strlen(rec->fields[i]), rec->lens[i]);
			render_field(&b, rec->fields[i], rec->lens[i]);
		}
		buf_addc(&b, '\n');
	}
	if (ret == 0) {
		buf_puts(&b, "EOF");
		assert_int_equal(csv_reader_offset(r), (long long)len);
		/* End of input is sticky too. */
		assert_int_equal(csv_read(r, &rec, &cause), 0);
	} else {
		assert_int_equal(ret, -1);
		assert_non_null(cause);
		buf_printf(&b, "ERR:%s", cause);
		free(cause);
		cause = NULL;
	}
	csv_reader_free(r);
	fclose(fp);
	return buf_detach(&b);
}

static char *
parse(const char *in)
{
	return parse_len(in, strlen(in), 0, 0, 0);
}

#define CHECK(in, want)                                                        \
	do {                                                                   \
		char *got_ = parse(in);                                        \
		assert_string_equal(got_, want);                               \
		free(got_);                                                    \
	} while (0)

static void
test_basic(void **state)
{
	(void)state;
	CHECK("", "EOF");
	CHECK("a,b,c\n1,2,3\n", "1@1:a|b|c\n2@2:1|2|3\nEOF");
	CHECK("a,b\n1,2", "1@1:a|b\n2@2:1|2\nEOF");
	CHECK("single\n", "1@1:single\nEOF");
	CHECK("x", "1@1:x\nEOF");
	CHECK(" a , b ", "1@1: a | b \nEOF");
	CHECK("caf\xc3\xa9,\xe5\x8c\x97\xe4\xba\xac\n",
	    "1@1:caf\xc3\xa9|\xe5\x8c\x97\xe4\xba\xac\nEOF");
}

static void
test_line_endings(void **state)
{
	(void)state;
	CHECK("a,b\r\n1,2\r\n", "1@1:a|b\n2@2:1|2\nEOF");
	CHECK("a\r\nb\nc\rd", "1@1:a\n2@2:b\n3@3:c\n4@4:d\nEOF");
	CHECK("a\n\rb\r\r\nc", "1@1:a\n2@3:b\n3@5:c\nEOF");
	CHECK("\"q\"\r\n\"r\"\r", "1@1:q\n2@2:r\nEOF");
	CHECK("a,\r\nb,\n", "1@1:a|\n2@2:b|\nEOF");
}

static void
test_empty_lines(void **state)
{
	(void)state;
	CHECK("a,b\n", "1@1:a|b\nEOF");
	CHECK("a\n\n", "1@1:a\nEOF");
	CHECK("a\r\n\r\n\r\n", "1@1:a\nEOF");
	CHECK("a\n\n\nb\n", "1@1:a\n2@4:b\nEOF");
	CHECK("\n\nheader\n", "1@3:header\nEOF");
	CHECK("\r\n\n\r", "EOF");
}

/* Empty lines are not records, but a spreadsheet shows them as rows:
 * rec->row counts them, a quoted line break does not, and the total is
 * kept for the importer's summary. */
static void
test_spreadsheet_rows(void **state)
{
	static const char in[] = "h\r\n\r\na\r\n\"x\ny\"\r\n\r\n\r\nb\r\n";
	static const unsigned long rows[] = { 1, 3, 4, 7 };
	FILE *fp = tmp_input(in, sizeof(in) - 1);
	struct csv_reader *r = csv_reader_new(fp);
	const struct csv_record *rec;
	char *cause = NULL;
	size_t i = 0;

	(void)state;
	while (csv_read(r, &rec, &cause) == 1) {
		assert_true(i < ARRAY_SIZE(rows));
		assert_int_equal(rec->recno, i + 1);
		assert_int_equal(rec->row, rows[i]);
		i++;
	}
	assert_int_equal(i, ARRAY_SIZE(rows));
	assert_int_equal(csv_reader_blank_lines(r), 3);
	csv_reader_free(r);
	fclose(fp);
}

static void
test_bom(void **state)
{
	(void)state;
	CHECK("\xef\xbb\xbfname,phone\n", "1@1:name|phone\nEOF");
	CHECK("\xef\xbb\xbf", "EOF");
	CHECK("\xef\xbb\xbf\n\"x\"", "1@2:x\nEOF");
	/* Only a leading BOM is special. */
	CHECK("a\n\xef\xbb\xbf" "b", "1@1:a\n2@2:\xef\xbb\xbf" "b\nEOF");
	CHECK("\xef\xbb", "1@1:\xef\xbb\nEOF");
}

static void
test_empty_fields(void **state)
{
	(void)state;
	CHECK(",,\n", "1@1:||\nEOF");
	CHECK("a,b,", "1@1:a|b|\nEOF");
	CHECK("a,b,\n", "1@1:a|b|\nEOF");
	CHECK(",a", "1@1:|a\nEOF");
	CHECK("a,,b", "1@1:a||b\nEOF");
	CHECK("\"\"", "1@1:\nEOF");
	CHECK("\"\",\"\"\n", "1@1:|\nEOF");
	CHECK(",", "1@1:|\nEOF");
}

static void
test_quoted(void **state)
{
	(void)state;
	CHECK("\"a,b\",\"c\"\"d\",\"\"\n", "1@1:a,b|c\"d|\nEOF");
	CHECK("\"\"\"\"", "1@1:\"\nEOF");
	CHECK("\"\"\"quoted\"\"\"", "1@1:\"quoted\"\nEOF");
	CHECK("\"a\",b,\"c\"", "1@1:a|b|c\nEOF");
	CHECK("\"  spaced  \"", "1@1:  spaced  \nEOF");
	CHECK("\"x\"\n", "1@1:x\nEOF");
}

static void
test_quoted_newlines(void **state)
{
	(void)state;
	CHECK("id,note\n1,\"line1\nline2\r\nline3\"\n2,x\n",
	    "1@1:id|note\n2@2:1|line1\\nline2\\r\\nline3\n3@5:2|x\nEOF");
	CHECK("\"a\rb\",c\nd", "1@1:a\\rb|c\n2@3:d\nEOF");
	CHECK("\"\n\n\"\n\nz", "1@1:\\n\\n\n2@5:z\nEOF");
	CHECK("\"a\r\n\"\r\nb", "1@1:a\\r\\n\n2@3:b\nEOF");
}

static void
test_malformed(void **state)
{
	(void)state;
	CHECK("a,b\"c\n",
	    "ERR:line 1, column 2: unexpected '\"' in unquoted field");
	CHECK("\"ab\"c", "ERR:line 1, column 1: unexpected 'c' after "
	    "closing quote");
	CHECK("x\ny,\"ab\" ,c", "1@1:x\nERR:line 2, column 2: unexpected ' ' "
	    "after closing quote");
	CHECK("\"ab\"\t", "ERR:line 1, column 1: unexpected byte 0x09 after "
	    "closing quote");
	CHECK("h\na,\"abc\ndef", "1@1:h\nERR:line 2, column 2: quoted field "
	    "not closed at end of input");
	CHECK("\"", "ERR:line 1, column 1: quoted field not closed at end of "
	    "input");
	CHECK("1,\"x\ny\",\"z\"q\n",
	    "ERR:line 2, column 3: unexpected 'q' after closing quote");
	CHECK("a\n\n\"b\nc\"\n1,2\"",
	    "1@1:a\n2@3:b\\nc\nERR:line 5, column 2: unexpected '\"' in "
	    "unquoted field");
}

static void
test_nul(void **state)
{
	char *got;

	(void)state;
	got = parse_len("a,b\0c\n", 6, 0, 0, 0);
	assert_string_equal(got, "ERR:line 1, column 2: NUL byte in field");
	free(got);
	got = parse_len("x\n\"\0\"", 5, 0, 0, 0);
	assert_string_equal(got, "1@1:x\nERR:line 2, column 1: NUL byte in "
	    "field");
	free(got);
}

/* An error stays: the reader cannot resynchronise reliably. */
static void
test_error_sticky(void **state)
{
	FILE *fp = tmp_input("a\"\nb\n", 5);
	struct csv_reader *r = csv_reader_new(fp);
	const struct csv_record *rec;
	char *cause = NULL;

	(void)state;
	assert_int_equal(csv_read(r, &rec, &cause), -1);
	assert_string_equal(cause,
	    "line 1, column 1: unexpected '\"' in unquoted field");
	free(cause);
	cause = NULL;
	assert_int_equal(csv_read(r, &rec, &cause), -1);
	assert_string_equal(cause,
	    "line 1, column 1: unexpected '\"' in unquoted field");
	free(cause);
	csv_reader_free(r);
	fclose(fp);
	csv_reader_free(NULL);
}

#define CHECK_LIM(in, f, n, rl, want)                                          \
	do {                                                                   \
		char *got_ = parse_len(in, strlen(in), f, n, rl);              \
		assert_string_equal(got_, want);                               \
		free(got_);                                                    \
	} while (0)

static void
test_limits(void **state)
{
	(void)state;
	CHECK_LIM("abcd,\"ab\"\"c\"", 4, 0, 0, "1@1:abcd|ab\"c\nEOF");
	CHECK_LIM("abcd,abcde", 4, 0, 0,
	    "ERR:line 1, column 2: field longer than 4 bytes");
	CHECK_LIM("x\n\"ab\ncd\"", 4, 0, 0,
	    "1@1:x\nERR:line 2, column 1: field longer than 4 bytes");
	CHECK_LIM("a,b,c\n", 0, 3, 0, "1@1:a|b|c\nEOF");
	CHECK_LIM("a,b,c,d\n", 0, 3, 0,
	    "ERR:line 1, column 4: more than 3 fields in record");
	CHECK_LIM("a,b,c,\n", 0, 3, 0,
	    "ERR:line 1, column 4: more than 3 fields in record");
	CHECK_LIM("abc,def,ghi", 0, 0, 8,
	    "ERR:line 1, column 3: record longer than 8 bytes");
	CHECK_LIM("x\n\"a\nb\",\"c\nd\",e\n", 0, 2, 0,
	    "1@1:x\nERR:line 2, column 3: more than 2 fields in record");
	CHECK_LIM("x\n\"a\nb\",\"c\nd\"\n", 0, 0, 6,
	    "1@1:x\nERR:line 2, column 2: record longer than 6 bytes");
}

/* A huge field must fail at the limit, not after buffering all of it. */
static void
test_hostile_field(void **state)
{
	size_t len = (size_t)8 << 20;
	char *in = xmalloc(len);
	char *got;

	(void)state;
	memset(in, 'x', len);
	in[0] = '"';
	got = parse_len(in, len, 0, 0, 0);
	assert_string_equal(got,
	    "ERR:line 1, column 1: field longer than 1048576 bytes");
	free(got);
	memset(in, ',', len);
	got = parse_len(in, len, 0, 0, 0);
	assert_string_equal(got,
	    "ERR:line 1, column 10001: more than 10000 fields in record");
	free(got);
	free(in);
}

/* Puts interesting bytes exactly on the seam between two input chunks. */
static void
test_chunk_seam(void **state)
{
	const char *tails[] = { "\r\nb", "\"\"\"\nb", "\r\n\"\nb", "\"\nb" };
	const char *want[] = {
		"1@1:a\n2@2:b\nEOF", "1@1:\"\n2@2:b\nEOF",
		"1@1:\\r\\n\n2@3:b\nEOF", "1@1:\n2@2:b\nEOF",
	};
	struct buf in, w;
	size_t t, pad, k;
	char *got, *xs;

	(void)state;
	for (t = 0; t < ARRAY_SIZE(tails); t++) {
		for (k = 0; k < 4; k++) {
			/* The record is a quoted or plain run of 'a's. */
			pad = CHUNK - 2 - k;
			buf_init(&in);
			buf_init(&w);
			xs = xmalloc(pad + 1);
			memset(xs, 'a', pad);
			xs[pad] = '\0';
			if (t == 0) {
				buf_puts(&in, xs);
				buf_printf(&w, "1@1:%s\n2@2:b\nEOF", xs);
			} else {
				buf_addc(&in, '"');
				buf_puts(&in, xs);
				buf_printf(&w, "1@1:%s%s", xs, want[t] + 4);
			}
			buf_puts(&in, tails[t]);
			got = parse_len(in.data, in.len, 0, 0, 0);
			assert_string_equal(got, w.data);
			free(got);
			free(xs);
			buf_free(&in);
			buf_free(&w);
		}
	}
}

/* Deterministic generator so a failure is reproducible. */
static uint32_t
rng_next(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

/* Makes field j of a generated record: plain, empty, or needing quotes. */
static void
gen_field(struct buf *f, uint32_t *seed, unsigned long i, size_t j)
{
	static const char *const bits[] = {
		"plain", "", "with,comma", "say \"hi\"", "two\nlines",
		"crlf\r\nline", "\xe5\xbc\xa0\xe4\xb8\x89", "+8613800138000",
		"a\rb", " ",
	};
	uint32_t v = rng_next(seed);

	buf_reset(f);
	buf_printf(f, "%lu.%zu", i, j);
	buf_puts(f, bits[v % ARRAY_SIZE(bits)]);
	if (v % 7 == 0)
		buf_reset(f);
}

/* Encodes a field as a writer would: quote only when needed. */
static void
encode_field(struct buf *out, const struct buf *f, unsigned long *lines)
{
	size_t k;

	if (f->len == 0 || strpbrk(f->data, ",\"\r\n") == NULL) {
		buf_add(out, f->data, f->len);
		return;
	}
	buf_addc(out, '"');
	for (k = 0; k < f->len; k++) {
		if (f->data[k] == '"')
			buf_addc(out, '"');
		if (f->data[k] == '\n' && (k == 0 || f->data[k - 1] != '\r'))
			(*lines)++;
		if (f->data[k] == '\r')
			(*lines)++;
		buf_addc(out, f->data[k]);
	}
	buf_addc(out, '"');
}

static void
test_round_trip(void **state)
{
	const unsigned long nrec = 100000;
	struct buf out, f;
	unsigned long i, lines = 1, *starts;
	uint32_t seed = 12345;
	size_t j, nf;
	FILE *fp;
	struct csv_reader *r;
	const struct csv_record *rec;
	char *cause = NULL;

	(void)state;
	buf_init(&out);
	buf_init(&f);
	starts = xcalloc(nrec, sizeof *starts);
	for (i = 0; i < nrec; i++) {
		starts[i] = lines;
		nf = 1 + i % 9;
		for (j = 0; j < nf; j++) {
			gen_field(&f, &seed, i, j);
			if (j > 0)
				buf_addc(&out, ',');
			encode_field(&out, &f, &lines);
		}
		/* A lone empty field would be an empty line: quote it. */
		if (nf == 1 && f.len == 0)
			buf_puts(&out, "\"\"");
		buf_puts(&out, i % 3 == 0 ? "\r\n" : "\n");
		lines++;
	}
	fp = tmp_input(out.data, out.len);
	r = csv_reader_new(fp);
	seed = 12345;
	for (i = 0; i < nrec; i++) {
		assert_int_equal(csv_read(r, &rec, &cause), 1);
		assert_int_equal(rec->recno, i + 1);
		assert_int_equal(rec->line, starts[i]);
		nf = 1 + i % 9;
		assert_int_equal(rec->nfields, nf);
		for (j = 0; j < nf; j++) {
			gen_field(&f, &seed, i, j);
			assert_int_equal(rec->lens[j], f.len);
			assert_memory_equal(rec->fields[j], f.data, f.len + 1);
		}
	}
	assert_int_equal(csv_read(r, &rec, &cause), 0);
	assert_int_equal(csv_reader_offset(r), (long long)out.len);
	csv_reader_free(r);
	fclose(fp);
	free(starts);
	buf_free(&out);
	buf_free(&f);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_basic),
		cmocka_unit_test(test_line_endings),
		cmocka_unit_test(test_empty_lines),
		cmocka_unit_test(test_spreadsheet_rows),
		cmocka_unit_test(test_bom),
		cmocka_unit_test(test_empty_fields),
		cmocka_unit_test(test_quoted),
		cmocka_unit_test(test_quoted_newlines),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_nul),
		cmocka_unit_test(test_error_sticky),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_hostile_field),
		cmocka_unit_test(test_chunk_seam),
		cmocka_unit_test(test_round_trip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

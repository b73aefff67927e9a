/* csv.c - streaming RFC 4180 reader.
 *
 * Input is read in large chunks and scanned span by span; field bytes are
 * copied into one buffer per record that is reused for every record, so the
 * steady state does no allocation at all. */
#include "csv.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

#define CSV_IBUF_SIZE ((size_t)256 * 1024)

enum csv_state {
	CSV_FIELD_START, /* before the first byte of a field */
	CSV_UNQUOTED,
	CSV_QUOTED,
	CSV_QUOTE, /* saw '"' inside a quoted field: end or doubled quote */
};

struct csv_reader {
	csv_source_fn src;
	void *arg;
	unsigned char *ibuf;
	size_t ipos;
	size_t ilen;
	long long base; /* input offset of ibuf[0] */
	int eof;
	int started;	    /* first chunk read and BOM checked */
	unsigned char prev; /* byte before ibuf[0], for CRLF across chunks */
	char *error;	    /* sticky: set once parsing has failed */

	size_t max_field;
	size_t max_fields;
	size_t max_record;

	enum csv_state state;
	int in_record;	     /* a byte of the current record was seen */
	unsigned long line;  /* current physical line */
	unsigned long fline; /* line the current field started on */
	unsigned long recno;
	unsigned long blank; /* empty lines skipped */

	struct buf data; /* fields of the record, each NUL-terminated */
	size_t fstart;	 /* offset of the current field in data */
	size_t nfields;
	size_t cap;
	size_t *offs;
	size_t *lens;
	char **fields;
	struct csv_record rec;
};

/* Bytes that end a span of plain field bytes. */
static const unsigned char csv_stop_unquoted[256] = {
	['\0'] = 1, [','] = 1, ['\n'] = 1, ['\r'] = 1, ['"'] = 1,
};
static const unsigned char csv_stop_quoted[256] = {
	['\0'] = 1, ['\n'] = 1, ['\r'] = 1, ['"'] = 1,
};

/* A FILE as a source of bytes. */
static long
csv_file_read(void *arg, char *buf, size_t len, char **cause)
{
	FILE *fp = arg;
	size_t n = fread(buf, 1, len, fp);

	if (ferror(fp))
		return set_error(cause, "read error: %s",
		    strerror(errno != 0 ? errno : EIO));
	return (long)n;
}

struct csv_reader *
csv_reader_new(FILE *fp)
{
	return csv_reader_new_source(csv_file_read, fp);
}

/* Creates a reader; the input buffer is allocated once, up front. */
struct csv_reader *
csv_reader_new_source(csv_source_fn fn, void *arg)
{
	struct csv_reader *r = xcalloc(1, sizeof *r);

	r->src = fn;
	r->arg = arg;
	r->ibuf = xmalloc(CSV_IBUF_SIZE);
	r->max_field = CSV_DEFAULT_MAX_FIELD;
	r->max_fields = CSV_DEFAULT_MAX_FIELDS;
	r->max_record = CSV_DEFAULT_MAX_RECORD;
	r->line = 1;
	buf_init(&r->data);
	return r;
}

/* Caps what one record may allocate, for hostile input. */
void
csv_reader_set_limits(struct csv_reader *r, size_t max_field,
    size_t max_fields, size_t max_record)
{
	if (max_field != 0)
		r->max_field = max_field;
	if (max_fields != 0)
		r->max_fields = max_fields;
	if (max_record != 0)
		r->max_record = max_record;
}

/* Frees the reader and its record storage, not the FILE. */
void
csv_reader_free(struct csv_reader *r)
{
	if (r == NULL)
		return;
	free(r->ibuf);
	free(r->error);
	buf_free(&r->data);
	free(r->offs);
	free(r->lens);
	free(r->fields);
	free(r);
}

/* Input bytes consumed, so callers can show progress. */
long long
csv_reader_offset(const struct csv_reader *r)
{
	return r->base + (long long)r->ipos;
}

unsigned long
csv_reader_blank_lines(const struct csv_reader *r)
{
	return r->blank;
}

void
csv_reader_where(const struct csv_reader *r, unsigned long *row,
    size_t *col)
{
	*row = r->recno + r->blank + 1;
	*col = r->nfields + 1;
}

/* Records a parse error so that it sticks: the input position is lost. */
static int PRINTFLIKE(3, 4)
csv_fail(struct csv_reader *r, char **cause, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	free(r->error);
	r->error = xvasprintf(fmt, ap);
	va_end(ap);
	return set_error(cause, "%s", r->error);
}

/* The 1-based number of the field being parsed, for messages. */
static size_t
csv_column(const struct csv_reader *r)
{
	return r->nfields + 1;
}

/* Reads the next chunk; 1 if there is data, 0 at end of input, -1 error. */
static int
csv_fill(struct csv_reader *r, char **cause)
{
	char *err = NULL;
	long n;
	int ret;

	if (r->eof)
		return 0;
	if (r->ilen > 0)
		r->prev = r->ibuf[r->ilen - 1];
	r->base += (long long)r->ilen;
	r->ipos = r->ilen = 0;
	do {
		n = r->src(r->arg, (char *)r->ibuf + r->ilen,
		    CSV_IBUF_SIZE - r->ilen, &err);
		if (n < 0) {
			ret = csv_fail(r, cause, "line %lu, column %zu: %s",
			    r->line, csv_column(r), err);
			free(err);
			return ret;
		}
		r->ilen += (size_t)n;
		/* A pipe may deliver the BOM in pieces. */
	} while (!r->started && n > 0 && r->ilen < 3);
	if (!r->started) {
		r->started = 1;
		if (r->ilen >= 3 && memcmp(r->ibuf, "\xef\xbb\xbf", 3) == 0)
			r->ipos = 3;
	}
	if (r->ilen == 0) {
		r->eof = 1;
		return 0;
	}
	if (r->ipos == r->ilen)
		return csv_fill(r, cause); /* the input was only a BOM */
	return 1;
}

/* The input byte just before ibuf[ipos]. */
static unsigned char
csv_prev_byte(const struct csv_reader *r)
{
	return r->ipos > 0 ? r->ibuf[r->ipos - 1] : r->prev;
}

/* Adds field bytes, enforcing the field and record size limits. */
static int
csv_append(struct csv_reader *r, const unsigned char *p, size_t n,
    char **cause)
{
	size_t flen = r->data.len - r->fstart;

	if (n == 0)
		return 0;
	if (n > r->max_field - flen) {
		return csv_fail(r, cause, "line %lu, column %zu: field longer "
		    "than %zu bytes", r->fline, csv_column(r), r->max_field);
	}
	if (n > r->max_record - r->data.len) {
		return csv_fail(r, cause, "line %lu, column %zu: record longer "
		    "than %zu bytes", r->rec.line, csv_column(r),
		    r->max_record);
	}
	buf_add(&r->data, p, n);
	return 0;
}

/* Closes the current field and makes room for the next one. */
static int
csv_end_field(struct csv_reader *r, char **cause)
{
	size_t cap;

	if (r->nfields == r->max_fields) {
		return csv_fail(r, cause, "line %lu, column %zu: more than %zu "
		    "fields in record", r->rec.line, csv_column(r),
		    r->max_fields);
	}
	if (r->nfields == r->cap) {
		cap = r->cap == 0 ? 16 : r->cap * 2;
		r->offs = xreallocarray(r->offs, cap, sizeof *r->offs);
		r->lens = xreallocarray(r->lens, cap, sizeof *r->lens);
		r->fields = xreallocarray(r->fields, cap, sizeof *r->fields);
		r->cap = cap;
	}
	r->offs[r->nfields] = r->fstart;
	r->lens[r->nfields] = r->data.len - r->fstart;
	buf_addc(&r->data, '\0');
	r->fstart = r->data.len;
	r->nfields++;
	r->state = CSV_FIELD_START;
	return 0;
}

/* Ends the record at a line break outside quotes. */
static int
csv_end_record(struct csv_reader *r, char **cause)
{
	r->ipos++;
	r->line++;
	if (csv_end_field(r, cause) != 0)
		return -1;
	return 1;
}

/* Describes an unexpected byte for an error message. */
static char *
csv_describe(unsigned char c)
{
	if (c >= 0x20 && c < 0x7f)
		return xasprintf("'%c'", c);
	return xasprintf("byte 0x%02x", c);
}

/* Fails with a message about the byte at the current position. */
static int
csv_fail_byte(struct csv_reader *r, char **cause, const char *where)
{
	unsigned char c = r->ibuf[r->ipos];
	char *what;
	int ret;

	if (c == '\0') {
		return csv_fail(r, cause, "line %lu, column %zu: NUL byte in "
		    "field", r->line, csv_column(r));
	}
	what = csv_describe(c);
	ret = csv_fail(r, cause, "line %lu, column %zu: unexpected %s %s",
	    r->line, csv_column(r), what, where);
	free(what);
	return ret;
}

/* At the start of a field: skips empty lines, then picks the field kind. */
static int
csv_field_start(struct csv_reader *r, char **cause)
{
	unsigned char c = r->ibuf[r->ipos];

	if (!r->in_record) {
		if (c == '\n' || c == '\r') {
			/* The LF of a CRLF was counted with its CR. */
			if (c == '\r' || csv_prev_byte(r) != '\r') {
				r->line++;
				r->blank++;
			}
			r->ipos++;
			return 0;
		}
		r->in_record = 1;
		r->rec.line = r->line;
	}
	r->fline = r->line;
	switch (c) {
	case '"':
		r->ipos++;
		r->state = CSV_QUOTED;
		return 0;
	case ',':
		r->ipos++;
		return csv_end_field(r, cause);
	case '\r':
	case '\n':
		return csv_end_record(r, cause);
	}
	r->state = CSV_UNQUOTED;
	return 0;
}

/* Inside an unquoted field: copies the longest plain span. */
static int
csv_unquoted(struct csv_reader *r, char **cause)
{
	const unsigned char *p = r->ibuf + r->ipos, *end = r->ibuf + r->ilen;
	const unsigned char *q = p;

	while (q < end && !csv_stop_unquoted[*q])
		q++;
	if (csv_append(r, p, (size_t)(q - p), cause) != 0)
		return -1;
	r->ipos = (size_t)(q - r->ibuf);
	if (q == end)
		return 0;
	switch (*q) {
	case ',':
		r->ipos++;
		return csv_end_field(r, cause);
	case '\r':
	case '\n':
		return csv_end_record(r, cause);
	}
	return csv_fail_byte(r, cause, "in unquoted field");
}

/* Inside a quoted field: copies text, including line breaks, up to a '"'. */
static int
csv_quoted(struct csv_reader *r, char **cause)
{
	const unsigned char *p = r->ibuf + r->ipos, *end = r->ibuf + r->ilen;
	const unsigned char *q = p;

	while (q < end && !csv_stop_quoted[*q])
		q++;
	if (csv_append(r, p, (size_t)(q - p), cause) != 0)
		return -1;
	r->ipos = (size_t)(q - r->ibuf);
	if (q == end)
		return 0;
	switch (*q) {
	case '"':
		r->ipos++;
		r->state = CSV_QUOTE;
		return 0;
	case '\0':
		return csv_fail_byte(r, cause, "");
	}
	if (*q == '\r' || csv_prev_byte(r) != '\r')
		r->line++;
	if (csv_append(r, q, 1, cause) != 0)
		return -1;
	r->ipos++;
	return 0;
}

/* After a '"' in a quoted field: a doubled quote or the end of the field. */
static int
csv_after_quote(struct csv_reader *r, char **cause)
{
	switch (r->ibuf[r->ipos]) {
	case '"':
		if (csv_append(r, r->ibuf + r->ipos, 1, cause) != 0)
			return -1;
		r->ipos++;
		r->state = CSV_QUOTED;
		return 0;
	case ',':
		r->ipos++;
		return csv_end_field(r, cause);
	case '\r':
	case '\n':
		return csv_end_record(r, cause);
	}
	return csv_fail_byte(r, cause, "after closing quote");
}

/* Handles end of input: the last record may lack its line break. */
static int
csv_at_eof(struct csv_reader *r, char **cause)
{
	if (!r->in_record)
		return 0;
	if (r->state == CSV_QUOTED) {
		return csv_fail(r, cause, "line %lu, column %zu: quoted field "
		    "not closed at end of input", r->fline, csv_column(r));
	}
	if (csv_end_field(r, cause) != 0)
		return -1;
	return 1;
}

/* Points the record at the finished fields and resets for the next one. */
static const struct csv_record *
csv_record_done(struct csv_reader *r)
{
	size_t i;

	for (i = 0; i < r->nfields; i++)
		r->fields[i] = r->data.data + r->offs[i];
	r->rec.nfields = r->nfields;
	r->rec.fields = r->fields;
	r->rec.lens = r->lens;
	r->rec.recno = ++r->recno;
	r->rec.row = r->recno + r->blank;
	r->in_record = 0;
	return &r->rec;
}

/* Reads one record, reusing the storage of the previous one. */
int
csv_read(struct csv_reader *r, const struct csv_record **rec, char **cause)
{
	int ret = 0;

	if (r->error != NULL)
		return set_error(cause, "%s", r->error);
	buf_reset(&r->data);
	r->nfields = r->fstart = 0;
	r->state = CSV_FIELD_START;
	r->in_record = 0;
	while (ret == 0) {
		if (r->ipos == r->ilen) {
			if ((ret = csv_fill(r, cause)) == -1)
				return -1;
			if (ret == 0) {
				ret = csv_at_eof(r, cause);
				break;
			}
		}
		switch (r->state) {
		case CSV_FIELD_START:
			ret = csv_field_start(r, cause);
			break;
		case CSV_UNQUOTED:
			ret = csv_unquoted(r, cause);
			break;
		case CSV_QUOTED:
			ret = csv_quoted(r, cause);
			break;
		case CSV_QUOTE:
			ret = csv_after_quote(r, cause);
			break;
		}
	}
	if (ret == 1)
		*rec = csv_record_done(r);
	return ret;
}

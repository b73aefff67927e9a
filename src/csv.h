/* csv.h - streaming RFC 4180 reader.
 *
 * Records end with CRLF, LF or a bare CR; quoted fields may contain commas,
 * doubled quotes and line breaks (kept as they appear in the input).  A UTF-8
 * byte order mark at the start of the input is skipped, empty lines between
 * records are skipped (they are not records and do not count as records) and
 * the last record needs no line break.  No character set check is done here:
 * fields are returned byte for byte.  Empty lines are counted, so each
 * record also knows its spreadsheet row (records and empty lines before
 * it, plus one): what a spreadsheet shows for the same file.
 *
 * Errors are final: after csv_read() has returned -1, every later call
 * returns -1 again.  Error messages have the form
 *	"line L, column C: what is wrong"
 * where L is the physical input line (1-based, counting line breaks inside
 * quoted fields) and C is the 1-based field number within the record.  L is
 * the line of the offending byte for syntax errors, the line the field
 * starts on for an unclosed quote or an oversized field, and the line the
 * record starts on for too many fields or an oversized record.
 *
 * The reader is not thread-safe; use one reader per thread. */
#ifndef OUTREACHD_CSV_H
#define OUTREACHD_CSV_H

#include <stddef.h>
#include <stdio.h>

#define CSV_DEFAULT_MAX_FIELD ((size_t)1 << 20)	  /* bytes in one field */
#define CSV_DEFAULT_MAX_FIELDS ((size_t)10000)	  /* fields in one record */
#define CSV_DEFAULT_MAX_RECORD ((size_t)16 << 20) /* bytes in one record */

struct csv_reader;

/* One record.  Owned by the reader and valid until the next csv_read() or
 * csv_reader_free(); copy what you keep.  Each fields[i] is NUL-terminated
 * and lens[i] is its length (fields never contain NUL bytes).  The field
 * strings may be modified in place (e.g. trimmed) up to their length. */
struct csv_record {
	size_t nfields;
	char **fields;
	size_t *lens;
	unsigned long recno; /* 1-based; the header line is record 1 */
	unsigned long row;   /* spreadsheet row: recno plus empty lines */
	unsigned long line;  /* physical line the record starts on */
};

/* Where a reader's bytes come from: fills buf with up to len bytes and
 * returns the count, 0 at the end, or -1 with *cause set. */
typedef long (*csv_source_fn)(void *arg, char *buf, size_t len,
    char **cause);

/* Returns a new reader on fp.  The reader does not own fp: close it after
 * csv_reader_free().  Never NULL. */
struct csv_reader *csv_reader_new(FILE *fp);
/* The same on a source of bytes (a decoder, say); len is never below 4.
 * A source's error fails the reader with "line L, column C: " and the
 * source's message, where the byte after the last one handed out lies. */
struct csv_reader *csv_reader_new_source(csv_source_fn fn, void *arg);

/* Sets the limits that keep hostile input from exhausting memory; 0 leaves
 * a limit unchanged.  Defaults are the CSV_DEFAULT_* values above. */
void csv_reader_set_limits(struct csv_reader *r, size_t max_field,
    size_t max_fields, size_t max_record);

/* Reads the next record into *rec.  Returns 1 for a record, 0 at end of
 * input, -1 on malformed input, a limit hit or a read error, with *cause
 * set to a malloc'd message the caller frees. */
int csv_read(struct csv_reader *r, const struct csv_record **rec,
    char **cause);

/* Bytes of input consumed so far (including the BOM), for progress. */
long long csv_reader_offset(const struct csv_reader *r);
/* Empty lines skipped so far. */
unsigned long csv_reader_blank_lines(const struct csv_reader *r);
/* The spreadsheet row and the 1-based field the reader is in: after a
 * failure, where it stopped. */
void csv_reader_where(const struct csv_reader *r, unsigned long *row,
    size_t *col);

/* Frees the reader and its record storage (not the FILE).  NULL is ok. */
void csv_reader_free(struct csv_reader *r);

#endif

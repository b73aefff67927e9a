/* import_feed.h - the rows of an import, read on a helper thread.
 *
 * Decoding a file, splitting it into records and validating each
 * customer's fields took a fifth of a first import's time at a million
 * rows, all on the thread that then writes the store.  A helper thread
 * does that work now, a batch of rows ahead: the importer's thread takes
 * rows ready to write, in file order.  At most IMPORT_FEED_BATCHES
 * batches of at most IMPORT_FEED_ROWS rows (or about IMPORT_FEED_BYTES
 * bytes of fields, or one larger record) are held at once, so memory
 * stays flat whatever the file's size.
 *
 * On the helper thread run only csv_read() (and through it the reader's
 * source of bytes) and the read function; the read function must not
 * touch what the importer's thread changes, nor call back into the
 * caller: it keeps what it finds wrong in the row (import_row_report()),
 * and the importer's thread says it, in order.  The helper owns the
 * reader from import_feed_start() to import_feed_end().
 *
 * A file read from a pipe or a terminal can keep the helper waiting in
 * read(2) after the importer has stopped (a store error): the helper is
 * then cancelled, and only there (cancellation is enabled around the
 * source's read alone, import_feed_source_read()). */
#ifndef OUTREACHD_IMPORT_FEED_H
#define OUTREACHD_IMPORT_FEED_H

#include <stddef.h>

#include "csv.h"
#include "customer.h"

#define IMPORT_FEED_BATCHES 4
#define IMPORT_FEED_ROWS 256
#define IMPORT_FEED_BYTES ((size_t)1 << 20)

/* A problem the helper found in a row: the file's column, or (size_t)-1
 * for the row as a whole, and what is wrong. */
struct import_row_note {
	size_t col;
	char *what;
};

/* One row as the helper read it.  Everything in it is owned by the feed
 * and valid until the next import_feed_next() or import_feed_end(). */
struct import_row {
	struct csv_record rec;	/* a copy: fields may be changed in place */
	long long offset;	/* bytes of the file read, for progress */
	int checked;		/* the read function accepted its shape */
	char *note;		/* a message for on_note said before it, or
				   NULL */
	struct import_row_note *notes;
	size_t nnotes;
	struct customer c;	/* a customers file: the normalised record */
	struct customer_keys keys;
};

/* The read function: fills row (all but rec is zero or as init'ed)
 * from rec; returns 0 to skip the row (a blank one, counted), 1 to hand
 * it on. */
typedef int (*import_feed_read_fn)(void *arg, const struct csv_record *rec,
    struct import_row *row);

struct import_feed;

/* Keeps a problem of row for the importer's thread to report. */
void import_row_report(struct import_row *row, size_t col, const char *fmt,
    ...) __attribute__((format(printf, 3, 4)));

/* Starts the helper on reader r (positioned after the header): 0, or -1
 * with *cause when no thread could be made. */
int import_feed_start(struct csv_reader *r, import_feed_read_fn fn,
    void *arg, struct import_feed **out, char **cause);
/* The next row in file order, or NULL at the end of the rows (see
 * import_feed_end() for why they ended). */
struct import_row *import_feed_next(struct import_feed *f);
/* Stops the helper (at once when the rows were not all taken), waits for
 * it and frees the feed; the reader is the caller's again.  Returns what
 * csv_read() last returned: 0 at the end of the file, -1 with *err
 * (malloc'd; csv_reader_where() says where); the count of rows the read
 * function skipped goes to *blank.  NULL is ok (returns 0). */
int import_feed_end(struct import_feed *f, char **err, unsigned long *blank);
/* Reads a source of bytes for a reader the helper may own: the only place
 * it can be cancelled. */
long import_feed_source_read(long (*fn)(void *, char *, size_t, char **),
    void *arg, char *buf, size_t len, char **cause);

#endif

/* import_priv.h - inside the import: the state of one import, shared by
 * the file's driver (import.c) and the rows of each kind of file
 * (import_customer.c, import_history.c). */
#ifndef OUTREACHD_IMPORT_PRIV_H
#define OUTREACHD_IMPORT_PRIV_H

#include "csv.h"
#include "import.h"
#include "import_feed.h"
#include "strmap.h"
#include "util.h"

struct charset;

/* What a column of the file is: a field of the kind, or for customers
 * a custom attribute. */
#define IMPORT_ATTR (-1)

/* The fields of the history files, in the order of their column lists. */
enum { PCOL_EXTERNAL_ID, PCOL_AMOUNT, PCOL_DATE, PCOL_ORDER_ID };
enum { KCOL_EXTERNAL_ID, KCOL_DATE, KCOL_KIND, KCOL_REP, KCOL_NOTE };

struct import {
	struct store *st;
	const struct import_opts *o;
	struct import_result *res;
	struct strmap *reps;	 /* rep key -> id; read by both threads */
	struct store_load *load; /* customers in bulk (PostgreSQL), or NULL */
	int *col_field;		 /* per column: field index, or IMPORT_ATTR */
	size_t ncols;		 /* named columns (empty ones at the end are
				    not counted) */
	size_t rec_width;	 /* header cells, named or not */
	char **col_names;	 /* as the header writes them, for messages */
	char **col_keys;	 /* the columns they mean (import.columns) */
	unsigned present;	 /* fields present in the header */
	/* The rows' thread's (import.c).  The fields above are set before
	 * the helper starts and only read while it runs. */
	unsigned char *seen;	 /* bit per customer id written by this file */
	size_t nseen;		 /* bytes of it */
	const struct csv_record *rec;
	struct import_row *row;	 /* the row being written */
	int row_bad;
	int failed;		 /* a store error: stop at once */
	char *store_error;
	long long offset;	 /* bytes of the file behind the row */
	/* The reader's: the helper's thread while it runs (import_feed.h),
	 * the rows' thread before and after. */
	struct charset *cs;
	char *source_error;	 /* the bytes did not decode */
	int noted;		 /* the detected encoding was found ... */
	char *note;		 /* ... and this says so, until it is said */
};

/* Reports one problem of the current row (counted once per row); col is
 * the file's column, or (size_t)-1 for the row as a whole. */
void import_report(struct import *im, size_t col, const char *fmt, ...)
    PRINTFLIKE(3, 4);
/* The same for row, after the rows were read. */
void import_report_row(struct import *im, unsigned long row, size_t col,
    const char *fmt, ...) PRINTFLIKE(4, 5);
/* A store failure: the import stops. */
void import_store_error(struct import *im, char *cause);
/* The value of a column in the current row ("" past its end). */
const char *import_cell(const struct import *im, size_t col);
/* The file's column of field f, or -1 when the header lacks it. */
int import_field_col(const struct import *im, int f);
/* Parses column col as a date; reports and returns -1 when it is not. */
int import_day(struct import *im, size_t col, int32_t *day);
/* Whether the current row is written: it is valid and the store works.
 * Valid rows are written after other rows failed too (all is rolled back
 * then), so the checks that ask the store see the whole file. */
int import_writing(const struct import *im);
/* Counts what writing a row did (a store_change), or stops on -1. */
void import_count(struct import *im, int change, char *err);

/* On the helper's thread: the fields of a customers row, normalised into
 * row->c; what is wrong with them kept in row. */
void import_customer_read(const struct import *im,
    const struct csv_record *rec, struct import_row *row);
/* On the rows' thread: writes im->row. */
void import_customer_row(struct import *im);
/* Around the rows of a customers file: the bulk load, where the store
 * takes one (store_load_begin()); after the rows, its duplicate keys are
 * reported and, with no error in the file, it is merged. */
int import_customer_begin(struct import *im, char **cause);
void import_customer_end(struct import *im);
void import_purchase_row(struct import *im);
void import_contact_row(struct import *im);

#endif

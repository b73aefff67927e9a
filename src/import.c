/* import.c - CSV import: the file, its header and the walk over its rows.
 * The rows are read, checked and (customers) normalised a batch ahead on
 * a helper thread (import_feed.h), and written here.  What a row of each
 * kind means is in import_customer.c and import_history.c. */
#include "import.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "charset.h"
#include "date_text.h"
#include "import_priv.h"

/* A kind of file: its fixed columns (customers: their fields, and any
 * other column is an attribute), which are required, and its rows. */
struct import_kind_def {
	const char *name;
	const char *const *cols;
	size_t ncols;
	unsigned required;	/* bits of the fields */
	/* On the helper's thread, when the kind reads more than the shape. */
	void (*read)(const struct import *im, const struct csv_record *rec,
	    struct import_row *row);
	void (*row)(struct import *im);	/* writes im->row */
};

static const char *const purchase_cols[] = { "external_id", "amount", "date",
	"order_id" };
/* contacts: rep and note are optional. */
static const char *const contact_cols[] = { "external_id", "date", "kind",
	"rep", "note" };

static const struct import_kind_def import_kinds[] = {
	[IMPORT_CUSTOMERS] = { "customers", NULL, 0,
	    1u << CUST_EXTERNAL_ID | 1u << CUST_NAME, import_customer_read,
	    import_customer_row },
	[IMPORT_PURCHASES] = { "purchases", purchase_cols,
	    ARRAY_SIZE(purchase_cols), 0x7, NULL, import_purchase_row },
	[IMPORT_CONTACTS] = { "contacts", contact_cols,
	    ARRAY_SIZE(contact_cols), 0x7, NULL, import_contact_row },
};

/* Reports a problem of row, once per row in the count. */
static void
import_vreport(struct import *im, unsigned long row, size_t col,
    const char *fmt, va_list ap)
{
	char *what, *msg;

	what = xvasprintf(fmt, ap);
	if (col < im->ncols)
		msg = xasprintf("%s:%lu:%zu: %s: %s", im->o->name, row,
		    col + 1, im->col_names[col], what);
	else
		msg = xasprintf("%s:%lu: %s", im->o->name, row, what);
	if (im->o->on_error != NULL)
		im->o->on_error(im->o->arg, msg);
	free(msg);
	free(what);
	if (!im->row_bad)
		im->res->errors++;
	im->row_bad = 1;
}

void
import_report(struct import *im, size_t col, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	import_vreport(im, im->rec->row, col, fmt, ap);
	va_end(ap);
}

void
import_report_row(struct import *im, unsigned long row, size_t col,
    const char *fmt, ...)
{
	va_list ap;

	im->row_bad = 0;
	va_start(ap, fmt);
	import_vreport(im, row, col, fmt, ap);
	va_end(ap);
}

void
import_store_error(struct import *im, char *cause)
{
	im->failed = 1;
	free(im->store_error);
	im->store_error = cause;
}

const char *
import_cell(const struct import *im, size_t col)
{
	return col < im->rec->nfields ? im->rec->fields[col] : "";
}

int
import_field_col(const struct import *im, int f)
{
	size_t i;

	for (i = 0; i < im->ncols; i++) {
		if (im->col_field[i] == f)
			return (int)i;
	}
	return -1;
}

int
import_day(struct import *im, size_t col, int32_t *day)
{
	struct date d;
	char *err = NULL;

	if (date_text_parse(import_cell(im, col), im->o->rules->date_order, 0,
	    &d, &err) != 0) {
		import_report(im, col, "%s", err);
		free(err);
		return -1;
	}
	*day = date_to_days(d.year, d.month, d.day);
	return 0;
}

int
import_writing(const struct import *im)
{
	return !im->row_bad && !im->failed;
}

void
import_count(struct import *im, int change, char *err)
{
	if (change < 0)
		import_store_error(im, err);
	else if (change == STORE_ADDED)
		im->res->added++;
	else if (change == STORE_UPDATED)
		im->res->updated++;
	else
		im->res->same++;
}

static int
load_rep(void *arg, const struct store_rep *r)
{
	strmap_put(arg, r->key, r->id);
	return 0;
}

static int
column_index(const char *const *cols, size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (strcmp(cols[i], name) == 0)
			return (int)i;
	}
	return -1;
}

/* The field a column name is for kind k, or -1 (for customers: an
 * attribute). */
static int
kind_field(const struct import_kind_def *k, const char *name)
{
	return k->cols != NULL ? column_index(k->cols, k->ncols, name) :
	    customer_field_lookup(name);
}

/* Whether column may be the target of a header in a file of kind k: one
 * of its fields, or for customers anything no other kind has. */
static int
kind_takes(const struct import_kind_def *k, const char *column)
{
	size_t i;

	if (kind_field(k, column) >= 0)
		return 1;
	if (k->cols != NULL)
		return 0;
	for (i = 0; i < ARRAY_SIZE(import_kinds); i++) {
		if (import_kinds[i].cols != NULL &&
		    kind_field(&import_kinds[i], column) >= 0)
			return 0;
	}
	return 1;
}

/* The column header cell i means: its own name when it is one of the
 * kind's, else the import.columns entry listing it, else its name. */
static const char *
header_key(struct import *im, const struct import_kind_def *k, size_t i)
{
	const struct conf_import *ci = im->o->columns;
	const char *h = im->col_names[i], *key = NULL;
	size_t c, j;

	if (kind_field(k, h) >= 0 || ci == NULL)
		return h;
	for (c = 0; c < ci->ncolumns; c++) {
		for (j = 0; j < ci->columns[c].nheaders; j++) {
			if (strcmp(ci->columns[c].headers[j], h) != 0 ||
			    !kind_takes(k, ci->columns[c].column))
				continue;
			if (key != NULL && strcmp(key, ci->columns[c].column))
				import_report(im, i, "import.columns gives it "
				    "to both %s and %s", key,
				    ci->columns[c].column);
			key = ci->columns[c].column;
		}
	}
	return key != NULL ? key : h;
}

/* Checks one header cell: a name, once, that the kind knows. */
static void
header_cell(struct import *im, const struct import_kind_def *k, size_t i)
{
	const char *key = im->col_keys[i];
	size_t j;
	int f;

	for (j = 0; j < i; j++) {
		if (strcmp(im->col_keys[j], key) == 0) {
			import_report(im, i, "the same column as column %zu "
			    "(%s)", j + 1, key);
			return;
		}
	}
	f = kind_field(k, key);
	if (*key == '\0')
		import_report(im, i, "a column without a name (only empty "
		    "ones at the end may have none)");
	else if (k->cols != NULL && f < 0)
		import_report(im, i, "unknown column (%s files have: %s%s%s)",
		    k->name, k->cols[0], k->ncols > 3 ? ", ... " : ", ",
		    k->cols[k->ncols - 1]);
	else if (f < 0 && !customer_attr_name_valid(key))
		import_report(im, i, "a custom attribute name may hold "
		    "only letters, digits and _ (at most 64), or "
		    "import.columns can map it");
	im->col_field[i] = f;
	if (f >= 0)
		im->present |= 1u << f;
}

/* Maps header names to fields; checks duplicates, unknown and required
 * columns.  Empty header cells at the end (Excel saves some) and their
 * columns are left out. */
static int
import_header(struct import *im, const struct csv_record *h, char **cause)
{
	const struct import_kind_def *k = &import_kinds[im->o->kind];
	size_t i, n = h->nfields;
	int f;
	struct buf missing;

	im->rec = h;
	im->col_names = xcalloc(n, sizeof(char *));
	im->col_keys = xcalloc(n, sizeof(char *));
	im->col_field = xcalloc(n, sizeof(int));
	for (i = 0; i < n; i++) {
		im->col_names[i] = xstrdup(h->fields[i]);
		str_trim(im->col_names[i]);
		if (*im->col_names[i] != '\0')
			im->ncols = i + 1;
	}
	for (i = 0; i < im->ncols; i++)
		im->col_keys[i] = xstrdup(header_key(im, k, i));
	for (i = 0; i < im->ncols; i++)
		header_cell(im, k, i);
	buf_init(&missing);
	for (f = 0; f < 32; f++) {
		if ((k->required & (1u << f)) && !(im->present & (1u << f)))
			buf_printf(&missing, " %s", k->cols ? k->cols[f] :
			    customer_field_name(f));
	}
	if (missing.len > 0) {
		set_error(cause, "%s:%lu: missing required column(s):%s",
		    im->o->name, h->row, missing.data);
		buf_free(&missing);
		return -1;
	}
	buf_free(&missing);
	return im->row_bad ? set_error(cause, "%s:%lu: bad header",
	    im->o->name, h->row) : 0;
}

/* Only spaces in every cell: an empty spreadsheet row, or ",,,,". */
static int
row_is_blank(const struct csv_record *rec)
{
	size_t i;
	const char *p;

	for (i = 0; i < rec->nfields; i++) {
		for (p = rec->fields[i]; *p == ' ' || *p == '\t'; p++)
			;
		if (*p != '\0')
			return 0;
	}
	return 1;
}

/* The row has the header's columns; more only when they are empty. */
static int
import_check_fields(const struct import *im, const struct csv_record *rec,
    struct import_row *row)
{
	size_t i;
	const char *p;

	if (rec->nfields < im->ncols) {
		import_row_report(row, (size_t)-1, "%zu fields, the header has "
		    "%zu", rec->nfields, im->ncols);
		return -1;
	}
	for (i = im->ncols; i < rec->nfields; i++) {
		for (p = rec->fields[i]; *p == ' ' || *p == '\t'; p++)
			;
		if (*p != '\0') {
			import_row_report(row, (size_t)-1, "column %zu holds "
			    "\"%.40s\" but has no name in the header", i + 1,
			    rec->fields[i]);
			return -1;
		}
	}
	return 0;
}

/* On the helper's thread: a record's shape, and what its kind reads. */
static int
import_read_row(void *arg, const struct csv_record *rec,
    struct import_row *row)
{
	struct import *im = arg;
	const struct import_kind_def *k = &import_kinds[im->o->kind];

	if (row_is_blank(rec))
		return 0;
	row->offset = charset_offset(im->cs);
	row->note = im->note;	/* said before the row */
	im->note = NULL;
	if (import_check_fields(im, rec, row) == 0) {
		row->checked = 1;
		if (k->read != NULL)
			k->read(im, rec, row);
	}
	return 1;
}

static long
charset_source(void *arg, char *buf, size_t len, char **cause)
{
	return charset_read(arg, buf, len, cause);
}

/* The bytes of the file, as UTF-8; the encoding detected is kept to be
 * said once, by the rows' thread (import_say_note()). */
static long
import_source(void *arg, char *buf, size_t len, char **cause)
{
	struct import *im = arg;
	long n = import_feed_source_read(charset_source, im->cs, buf, len,
	    cause);

	if (n < 0 && im->source_error == NULL)
		im->source_error = xstrdup(*cause);
	if (!im->noted && charset_detected(im->cs) != NULL) {
		im->noted = 1;
		im->note = xasprintf("%s: not UTF-8: read as %s (--encoding "
		    "NAME reads another encoding)", im->o->name,
		    charset_detected(im->cs));
	}
	return n;
}

/* Says note (and frees it) when there is one. */
static void
import_say_note(struct import *im, char **note)
{
	if (*note != NULL && im->o->on_note != NULL)
		im->o->on_note(im->o->arg, *note);
	free(*note);
	*note = NULL;
}

/* A CSV-level failure; bytes that do not decode name their cell. */
static int
import_csv_error(struct import *im, struct csv_reader *r, char *err,
    char **cause)
{
	unsigned long row;
	size_t col;
	int rc;

	if (im->source_error == NULL) {
		rc = set_error(cause, "%s: %s", im->o->name, err);
		free(err);
		return rc;
	}
	free(err);
	csv_reader_where(r, &row, &col);
	return set_error(cause, "%s:%lu:%zu: %s%s%s; if the file is in another "
	    "encoding, name it with --encoding (GB18030, BIG5, SHIFT_JIS, "
	    "LATIN1, UTF-16...)", im->o->name, row, col, col <= im->ncols ?
	    im->col_names[col - 1] : "", col <= im->ncols ? ": " : "",
	    im->source_error);
}

/* A bar on a terminal only: piped output stays clean. */
static void
import_progress(struct import *im, int done)
{
	long long off = done ? charset_offset(im->cs) : im->offset;
	long long size = im->o->size;
	int pct, i;

	if (!im->o->progress)
		return;
	if (size > 0) {
		pct = (int)(off * 100 / size);
		pct = pct > 100 ? 100 : pct;
		fprintf(stderr, "\r%s [", im->o->name);
		for (i = 0; i < 40; i++)
			fputc(i < pct * 40 / 100 ? '#' : ' ', stderr);
		fprintf(stderr, "] %3d%% %lu rows", pct, im->res->rows);
	} else
		fprintf(stderr, "\r%s: %lu rows", im->o->name, im->res->rows);
	if (done)
		fputc('\n', stderr);
	fflush(stderr);
}

static void
import_free(struct import *im)
{
	size_t i;

	for (i = 0; i < im->ncols; i++)
		free(im->col_keys[i]);
	for (i = 0; im->col_names != NULL && i < im->rec_width; i++)
		free(im->col_names[i]);
	free(im->col_names);
	free(im->col_keys);
	free(im->col_field);
	strmap_free(im->reps);
	free(im->seen);
	free(im->store_error);
	free(im->source_error);
	free(im->note);
}

/* The rows as the helper read them: what it found wrong is reported
 * here, in file order, then the kind writes what it may. */
static void
import_take(struct import *im, const struct import_kind_def *k,
    struct import_row *row)
{
	size_t i;

	im->row = row;
	im->rec = &row->rec;
	im->row_bad = 0;
	im->offset = row->offset;
	import_say_note(im, &row->note);
	im->res->rows++;
	if (im->res->rows % 16384 == 0)
		import_progress(im, 0);
	for (i = 0; i < row->nnotes; i++)
		import_report(im, row->notes[i].col, "%s", row->notes[i].what);
	if (row->checked)
		k->row(im);
}

/* Reads every record; returns -1 only for CSV-level errors. */
static int
import_rows(struct import *im, struct csv_reader *r, char **cause)
{
	const struct import_kind_def *k = &import_kinds[im->o->kind];
	struct import_feed *feed;
	struct import_row *row;
	unsigned long blank;
	char *err = NULL;
	int rc;

	if (import_feed_start(r, import_read_row, im, &feed, cause) != 0)
		return -1;
	while (!im->failed && (row = import_feed_next(feed)) != NULL)
		import_take(im, k, row);
	im->row = NULL;
	im->rec = NULL;
	rc = import_feed_end(feed, &err, &blank);
	import_say_note(im, &im->note);
	im->res->blank += blank + csv_reader_blank_lines(r);
	if (!im->failed && rc < 0)
		return import_csv_error(im, r, err, cause);
	free(err);
	return 0;
}

/* Opens the transaction and the file, reads the header. */
static int
import_start(struct import *im, struct csv_reader *r, char **cause)
{
	const struct csv_record *h;
	char *err = NULL;
	int rc;

	/* A dry run rolls back: nothing to gain from deferring. */
	if (im->o->kind == IMPORT_CUSTOMERS && !im->o->dry_run &&
	    store_bulk_unchecked(im->st, cause) != 0)
		return -1;
	if (store_begin(im->st, cause) != 0)
		return -1;
	store_bulk(im->st, 1);
	if (im->o->kind == IMPORT_CUSTOMERS && !im->o->dry_run &&
	    store_bulk_defer(im->st, cause) < 0)
		return -1;
	if (store_rep_each(im->st, load_rep, im->reps, cause) != 0)
		return -1;
	rc = csv_read(r, &h, &err);
	import_say_note(im, &im->note);	/* before the header's errors */
	if (rc < 0)
		return import_csv_error(im, r, err, cause);
	if (rc == 0)
		return set_error(cause, "%s: empty file (a header line is "
		    "required)", im->o->name);
	im->rec_width = h->nfields;
	if (import_header(im, h, cause) != 0)
		return -1;
	return im->o->kind == IMPORT_CUSTOMERS ?
	    import_customer_begin(im, cause) : 0;
}

int
import_csv(struct store *st, FILE *fp, const struct import_opts *o,
    struct import_result *res, char **cause)
{
	struct import im = { .st = st, .o = o, .res = res };
	struct csv_reader *r;
	int rc;

	memset(res, 0, sizeof(*res));
	if (charset_open(fp, o->encoding, &im.cs, cause) != 0)
		return -1;
	r = csv_reader_new_source(import_source, &im);
	im.reps = strmap_new();
	if ((rc = import_start(&im, r, cause)) != 0)
		goto out;
	if ((rc = import_rows(&im, r, cause)) != 0)
		goto out;
	if (o->kind == IMPORT_CUSTOMERS)
		import_customer_end(&im);
	import_progress(&im, 1);
	if (im.failed) {
		rc = set_error(cause, "%s", im.store_error);
	} else if (res->errors > 0) {
		rc = set_error(cause, "%s: %lu of %lu rows invalid; nothing was "
		    "imported", o->name, res->errors, res->rows);
	} else if (!o->dry_run)	/* a dry run is rolled back below */
		rc = store_bulk_finish(st, cause) != 0 ? -1 :
		    store_commit(st, cause);
out:
	store_load_free(im.load);	/* before the rollback: a COPY ends */
	im.load = NULL;
	store_rollback(st);
	store_bulk(st, 0);
	csv_reader_free(r);
	charset_free(im.cs);
	import_free(&im);
	return rc;
}

int
import_kind_parse(const char *s, enum import_kind *kind)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(import_kinds); i++) {
		if (strcmp(s, import_kinds[i].name) == 0) {
			*kind = (enum import_kind)i;
			return 0;
		}
	}
	return -1;
}

/* import_dates.c - customers' key dates from CSV (import_dates.h).  Kept
 * apart from import.c: the rows are not customers' fields but a list per
 * customer, replaced label by label. */
#include "import_dates.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "keydate.h"
#include "store_keydate.h"
#include "strmap.h"
#include "utf8.h"
#include "util.h"

enum dates_col { DC_EXTERNAL_ID, DC_LABEL, DC_DATE, DC_YEARLY, DC_NCOLS };

static const char *const dates_cols[DC_NCOLS] = { "external_id", "label",
	"date", "yearly" };

struct dates_import {
	struct store *st;
	const struct import_opts *o;
	struct import_dates_result *res;
	struct strmap *seen;	/* customer id + label -> row */
	int col[DC_NCOLS];	/* file column of each, -1 = absent */
	char **names;		/* the header's, trimmed */
	size_t ncols;
	const struct csv_record *rec;
	int row_bad;
	char *store_error;	/* a store error: stop at once */
};

/* Reports one problem of the current row, FILE:ROW:COLUMN as import.c. */
static void
dates_report(struct dates_import *im, int col, const char *fmt, ...)
    PRINTFLIKE(3, 4);

static void
dates_report(struct dates_import *im, int col, const char *fmt, ...)
{
	va_list ap;
	char *what, *msg;

	va_start(ap, fmt);
	what = xvasprintf(fmt, ap);
	va_end(ap);
	if (col >= 0 && (size_t)col < im->ncols)
		msg = xasprintf("%s:%lu:%d: %s: %s", im->o->name,
		    im->rec->recno, col + 1, im->names[col], what);
	else
		msg = xasprintf("%s:%lu: %s", im->o->name, im->rec->recno, what);
	if (im->o->on_error != NULL)
		im->o->on_error(im->o->arg, msg);
	free(msg);
	free(what);
	if (!im->row_bad)
		im->res->errors++;
	im->row_bad = 1;
}

/* Maps the header: the known columns once each, external_id, label and
 * date required; empty names (spreadsheets add them) are ignored. */
static int
dates_header(struct dates_import *im, const struct csv_record *h,
    char **cause)
{
	size_t i;
	int k, bad = 0;

	im->rec = h;
	im->ncols = h->nfields;
	im->names = xcalloc(h->nfields + 1, sizeof(*im->names));
	for (k = 0; k < DC_NCOLS; k++)
		im->col[k] = -1;
	for (i = 0; i < h->nfields; i++) {
		im->names[i] = str_trim(xstrdup(h->fields[i]));
		if (*im->names[i] == '\0')
			continue;
		for (k = 0; k < DC_NCOLS; k++) {
			if (strcmp(im->names[i], dates_cols[k]) == 0)
				break;
		}
		if (k == DC_NCOLS || im->col[k] >= 0) {
			dates_report(im, (int)i, k == DC_NCOLS ? "unknown "
			    "column (external_id, label, date, yearly)" :
			    "duplicate column");
			bad = 1;
		} else
			im->col[k] = (int)i;
	}
	for (k = 0; k <= DC_DATE; k++) {
		if (im->col[k] < 0)
			return set_error(cause, "%s:1: missing required column "
			    "%s (the columns are external_id, label, date and "
			    "optionally yearly)", im->o->name, dates_cols[k]);
	}
	return bad ? set_error(cause, "%s:1: bad header", im->o->name) : 0;
}

/* The cell of column k in the current row ("" when absent). */
static const char *
dates_cell(struct dates_import *im, enum dates_col k)
{
	int c = im->col[k];

	return c >= 0 && (size_t)c < im->rec->nfields ? im->rec->fields[c] : "";
}

/* UTF-8, the header's number of cells; 1 for a row of empty cells. */
static int
dates_row_check(struct dates_import *im)
{
	size_t i, bad, blank = 1;

	for (i = 0; i < im->rec->nfields; i++) {
		if (!utf8_valid(im->rec->fields[i], im->rec->lens[i], &bad)) {
			dates_report(im, i < im->ncols ? (int)i : -1,
			    "invalid UTF-8 at byte %zu", bad + 1);
			return -1;
		}
		blank = blank && *str_trim(im->rec->fields[i]) == '\0';
	}
	if (blank)
		return 1;
	if (im->rec->nfields != im->ncols)
		dates_report(im, -1, "%zu fields, the header has %zu",
		    im->rec->nfields, im->ncols);
	return im->row_bad ? -1 : 0;
}

/* The customer of the row; unknown customers are an error. */
static int
dates_customer(struct dates_import *im, int64_t *id)
{
	const char *ext = dates_cell(im, DC_EXTERNAL_ID);
	char *err = NULL;
	int rc;

	if (*ext == '\0') {
		dates_report(im, im->col[DC_EXTERNAL_ID], "external_id is "
		    "required");
		return -1;
	}
	if ((rc = store_customer_id(im->st, ext, id, &err)) < 0) {
		im->store_error = err;
		return -1;
	}
	if (rc == 0)
		dates_report(im, im->col[DC_EXTERNAL_ID], "unknown customer "
		    "\"%s\"", ext);
	return rc == 1 ? 0 : -1;
}

/* The label, yearly and date of the row into k; k->date NULL removes. */
static void
dates_fields(struct dates_import *im, struct keydate *k)
{
	char *err = NULL;

	k->label = xstrdup(dates_cell(im, DC_LABEL));
	if (keydate_label_check(k->label, &err) != 0) {
		dates_report(im, im->col[DC_LABEL], "%s", err);
		free(err);
		err = NULL;
	}
	k->yearly = 1;
	if (keydate_parse_yearly(dates_cell(im, DC_YEARLY), &k->yearly,
	    &err) != 0) {
		dates_report(im, im->col[DC_YEARLY], "%s", err);
		free(err);
		err = NULL;
	}
	if (keydate_normalize(dates_cell(im, DC_DATE), k->yearly,
	    im->o->rules != NULL ? im->o->rules->date_order : DATE_ORDER_NONE,
	    &k->date, &err) != 0) {
		dates_report(im, im->col[DC_DATE], "%s", err);
		free(err);
	}
}

/* A customer's label twice in one file: which row should win? */
static void
dates_once(struct dates_import *im, int64_t id, const char *label)
{
	char *key = xasprintf("%lld\x1f%s", (long long)id, label);
	int64_t row;

	if (strmap_get(im->seen, key, &row))
		dates_report(im, im->col[DC_LABEL], "key date \"%s\" of \"%s\" "
		    "is on row %lld already", label,
		    dates_cell(im, DC_EXTERNAL_ID), (long long)row);
	else
		strmap_put(im->seen, key, (int64_t)im->rec->recno);
	free(key);
}

/* Writes the row's key date (inside the import's transaction). */
static void
dates_write(struct dates_import *im, int64_t id, const struct keydate *k)
{
	char *err = NULL;
	int rc;

	if (k->date == NULL)
		rc = store_keydate_delete(im->st, id, k->label, im->o->now, &err);
	else
		rc = store_keydate_set(im->st, id, k, im->o->now, &err);
	if (rc < 0) {
		im->store_error = err;
		return;
	}
	if (k->date == NULL)
		im->res->removed += (unsigned long)rc;
	else if (rc == KEYDATE_ADDED)
		im->res->added++;
	else if (rc == KEYDATE_UPDATED)
		im->res->updated++;
	else
		im->res->unchanged++;
}

static void
dates_row(struct dates_import *im)
{
	struct keydate k = { 0 };
	int64_t id = 0;
	int rc;

	if ((rc = dates_row_check(im)) != 0) {
		im->res->blank += rc == 1;
		return;
	}
	rc = dates_customer(im, &id);
	dates_fields(im, &k);
	if (rc == 0 && !im->row_bad)
		dates_once(im, id, k.label);
	/* After the first bad row only checking goes on: nothing stays. */
	if (!im->row_bad && im->store_error == NULL && im->res->errors == 0)
		dates_write(im, id, &k);
	keydate_clear(&k);
}

/* Every record after the header; -1 only for CSV-level errors. */
static int
dates_rows(struct dates_import *im, struct csv_reader *r, char **cause)
{
	const struct csv_record *rec;
	char *err = NULL;
	int rc;

	while (im->store_error == NULL && (rc = csv_read(r, &rec, &err)) == 1) {
		im->rec = rec;
		im->row_bad = 0;
		im->res->rows++;
		dates_row(im);
	}
	if (im->store_error == NULL && rc < 0) {
		set_error(cause, "%s: %s", im->o->name, err);
		free(err);
		return -1;
	}
	return 0;
}

/* The summary of a failed import, or the commit of a good one. */
static int
dates_finish(struct dates_import *im, char **cause)
{
	const struct import_dates_result *res = im->res;

	if (im->store_error != NULL)
		return set_error(cause, "%s", im->store_error);
	if (res->errors > 0)
		return set_error(cause, "%s: %lu of %lu rows invalid; nothing was "
		    "imported", im->o->name, res->errors, res->rows);
	return im->o->dry_run ? 0 : store_commit(im->st, cause);
}

int
import_dates_csv(struct store *st, FILE *fp, const struct import_opts *o,
    struct import_dates_result *res, char **cause)
{
	struct dates_import im = { .st = st, .o = o, .res = res };
	struct csv_reader *r = csv_reader_new(fp);
	const struct csv_record *h;
	char *err = NULL;
	size_t i;
	int rc;

	memset(res, 0, sizeof(*res));
	im.seen = strmap_new();
	/* A dry run writes too, and rolls back: its counts are the real
	 * ones. */
	if ((rc = store_begin(st, cause)) != 0)
		goto out;
	if ((rc = csv_read(r, &h, &err)) <= 0) {
		rc = set_error(cause, "%s: %s", o->name, rc == 0 ?
		    "empty file (a header line is required)" : err);
		free(err);
		goto out;
	}
	if ((rc = dates_header(&im, h, cause)) == 0 &&
	    (rc = dates_rows(&im, r, cause)) == 0)
		rc = dates_finish(&im, cause);
out:
	store_rollback(st);
	csv_reader_free(r);
	strmap_free(im.seen);
	for (i = 0; i < im.ncols; i++)
		free(im.names[i]);
	free(im.names);
	free(im.store_error);
	return rc;
}

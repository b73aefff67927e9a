/* import.c - CSV import of customers, purchases and contacts. */
#include "import.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "csv.h"
#include "date.h"
#include "strmap.h"
#include "utf8.h"
#include "util.h"

/* The fixed columns of the history files, and which are required. */
static const char *const purchase_cols[] = { "external_id", "amount", "date" };
static const char *const contact_cols[] = { "external_id", "date", "kind",
	"rep", "note" };
/* message: a greeting the rep sent from their own phone (rep_message). */
static const char *const contact_kinds[] = { "call", "visit", "email", "sms",
	"gift", "meeting", "message" };

struct import {
	struct store *st;
	const struct import_opts *o;
	struct import_result *res;
	struct strmap *reps;	 /* rep key -> id */
	struct strmap *seen;	 /* external_ids already in this file */
	int *col_field;		 /* per column: field index, or -1 = attr */
	size_t ncols;
	char **col_names;
	unsigned present;	 /* customer fields present in the header */
	const struct csv_record *rec;
	int row_bad;
	int failed;		 /* a store error: stop at once */
	char *store_error;
};

/* Reports one problem of the current row (once per row counted). */
static void
import_report(struct import *im, size_t col, const char *fmt, ...)
    PRINTFLIKE(3, 4);

static void
import_report(struct import *im, size_t col, const char *fmt, ...)
{
	va_list ap;
	char *what, *msg;

	va_start(ap, fmt);
	what = xvasprintf(fmt, ap);
	va_end(ap);
	if (col < im->ncols)
		msg = xasprintf("%s:%lu:%zu: %s: %s", im->o->name,
		    im->rec->recno, col + 1, im->col_names[col], what);
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

/* Maps header names to fields; checks duplicates, unknown and required
 * columns.  For history files col_field indexes the fixed column list. */
static int
import_header(struct import *im, const struct csv_record *h, char **cause)
{
	const char *const *fixed = NULL;
	size_t nfixed = 0, i, j;
	int f, bad = 0;
	struct buf missing;

	if (im->o->kind == IMPORT_PURCHASES)
		fixed = purchase_cols, nfixed = ARRAY_SIZE(purchase_cols);
	else if (im->o->kind == IMPORT_CONTACTS)
		fixed = contact_cols, nfixed = ARRAY_SIZE(contact_cols);
	im->ncols = h->nfields;
	im->col_field = xcalloc(h->nfields, sizeof(int));
	im->col_names = xcalloc(h->nfields, sizeof(char *));
	for (i = 0; i < h->nfields; i++) {
		im->col_names[i] = xstrdup(h->fields[i]);
		str_trim(im->col_names[i]);
	}
	im->rec = h;
	for (i = 0; i < h->nfields; i++) {
		const char *n = im->col_names[i];
		for (j = 0; j < i; j++) {
			if (strcmp(im->col_names[j], n) == 0)
				break;
		}
		if (j < i) {
			import_report(im, i, "duplicate column");
			bad = 1;
			continue;
		}
		f = fixed ? column_index(fixed, nfixed, n) :
		    customer_field_lookup(n);
		if (fixed && f < 0) {
			import_report(im, i, "unknown column");
			bad = 1;
		} else if (!fixed && f < 0 && !customer_attr_name_valid(n)) {
			import_report(im, i, "a custom attribute name may hold "
			    "only letters, digits and _ (at most 64)");
			bad = 1;
		}
		im->col_field[i] = f;
		if (f >= 0)
			im->present |= 1u << f;
	}
	buf_init(&missing);
	if (fixed) {
		for (f = 0; f < (int)nfixed; f++) {
			/* contacts: rep and note are optional. */
			if (!(im->present & (1u << f)) &&
			    (im->o->kind == IMPORT_PURCHASES || f <= 2))
				buf_printf(&missing, " %s", fixed[f]);
		}
	} else {
		if (!(im->present & (1u << CUST_EXTERNAL_ID)))
			buf_puts(&missing, " external_id");
		if (!(im->present & (1u << CUST_NAME)))
			buf_puts(&missing, " name");
	}
	if (missing.len > 0) {
		set_error(cause, "%s:1: missing required column(s):%s",
		    im->o->name, missing.data);
		buf_free(&missing);
		return -1;
	}
	buf_free(&missing);
	return bad ? set_error(cause, "%s:1: bad header", im->o->name) : 0;
}

/* Every cell must be UTF-8 before anything else looks at it. */
static int
import_check_utf8(struct import *im)
{
	size_t i, bad;

	for (i = 0; i < im->rec->nfields && i < im->ncols; i++) {
		if (!utf8_valid(im->rec->fields[i], im->rec->lens[i], &bad)) {
			import_report(im, i, "invalid UTF-8 at byte %zu",
			    bad + 1);
			return -1;
		}
	}
	if (im->rec->nfields != im->ncols)
		import_report(im, (size_t)-1, "%zu fields, the header has %zu",
		    im->rec->nfields, im->ncols);
	return im->row_bad ? -1 : 0;
}

/* The value of a header column in the current row ("" past its end). */
static const char *
cell(struct import *im, size_t col)
{
	return col < im->rec->nfields ? im->rec->fields[col] : "";
}

static void
import_store_error(struct import *im, char *cause)
{
	im->failed = 1;
	free(im->store_error);
	im->store_error = cause;
}

static void
import_customer_row(struct import *im)
{
	struct customer c;
	struct customer_keys keys;
	char *v, *err = NULL;
	const char *ext;
	int64_t id;
	size_t i;
	int f;

	customer_init(&c);
	for (i = 0; i < im->ncols; i++) {
		f = im->col_field[i];
		if (f < 0) {
			customer_attr_set(&c, im->col_names[i], cell(im, i));
			continue;
		}
		if (customer_normalize(f, cell(im, i), im->o->rules, &v,
		    &err) != 0) {
			import_report(im, i, "%s", err);
			free(err);
			err = NULL;
			continue;
		}
		c.field[f] = v;
		if (f == CUST_REP && v != NULL && !strmap_get(im->reps, v, NULL))
			import_report(im, i, "unknown rep \"%s\" (add it with "
			    "outreachctl rep add)", v);
	}
	ext = c.field[CUST_EXTERNAL_ID];
	if (ext != NULL && strmap_put(im->seen, ext, (int64_t)im->rec->recno))
		import_report(im, (size_t)column_index((const char *const *)
		    im->col_names, im->ncols, "external_id"),
		    "duplicate key \"%s\" in this file", ext);
	if (!im->row_bad && !im->o->dry_run && im->res->errors == 0) {
		customer_keys(&c, &keys);
		if (store_customer_upsert(im->st, &c, &keys, im->present,
		    im->o->now, &id, &err) != 0)
			import_store_error(im, err);
	}
	customer_clear(&c);
}

int
import_parse_amount(const char *s, int64_t *minor, char **cause)
{
	const char *p = s;
	int64_t v = 0;
	int neg = 0, frac = -1;

	if (*p == '-')
		neg = 1, p++;
	if (!isdigit((unsigned char)*p))
		return set_error(cause, "\"%s\": not an amount", s);
	for (; *p != '\0'; p++) {
		if (*p == '.' && frac < 0) {
			frac = 0;
			continue;
		}
		if (!isdigit((unsigned char)*p) || frac == 2)
			return set_error(cause, "\"%s\": not an amount (digits "
			    "with at most two decimals)", s);
		if (v > (INT64_MAX - 9) / 10)
			return set_error(cause, "\"%s\": amount too large", s);
		v = v * 10 + (*p - '0');
		if (frac >= 0)
			frac++;
	}
	for (; frac < 2; frac = frac < 0 ? 1 : frac + 1)
		v *= 10;
	*minor = neg ? -v : v;
	return 0;
}

/* Parses column col as a date; reports and returns -1 when it is not. */
static int
import_day(struct import *im, size_t col, int32_t *day)
{
	struct date d;
	char *err = NULL;

	if (date_parse(cell(im, col), &d, &err) != 0) {
		import_report(im, col, "%s", err);
		free(err);
		return -1;
	}
	*day = date_to_days(d.year, d.month, d.day);
	return 0;
}

/* Finds the customer of a history row; unknown customers are an error. */
static int
import_customer_id(struct import *im, size_t col, int64_t *id)
{
	char *err = NULL;
	int rc = store_customer_id(im->st, cell(im, col), id, &err);

	if (rc < 0)
		import_store_error(im, err);
	else if (rc == 0)
		import_report(im, col, "unknown customer \"%s\"", cell(im, col));
	return rc == 1 ? 0 : -1;
}

/* Column position (in the file) of fixed column f, or -1 if absent. */
static int
fixed_col(struct import *im, int f)
{
	size_t i;

	for (i = 0; i < im->ncols; i++) {
		if (im->col_field[i] == f)
			return (int)i;
	}
	return -1;
}

static void
import_purchase_row(struct import *im)
{
	int64_t id = 0, amount = 0;
	int32_t day = 0;
	char *err = NULL;
	size_t ca = (size_t)fixed_col(im, 1);

	import_customer_id(im, (size_t)fixed_col(im, 0), &id);
	if (import_parse_amount(cell(im, ca), &amount, &err) != 0) {
		import_report(im, ca, "%s", err);
		free(err);
	}
	import_day(im, (size_t)fixed_col(im, 2), &day);
	if (im->row_bad || im->failed || im->o->dry_run || im->res->errors)
		return;
	if (store_purchase_add(im->st, id, amount, day, &err) != 0)
		import_store_error(im, err);
}

static void
import_contact_row(struct import *im)
{
	int64_t id = 0, rep_id = 0;
	int32_t day = 0;
	char *err = NULL;
	size_t ck = (size_t)fixed_col(im, 2);
	int cr = fixed_col(im, 3), cn = fixed_col(im, 4);
	const char *kind = cell(im, ck), *rep, *note;

	import_customer_id(im, (size_t)fixed_col(im, 0), &id);
	import_day(im, (size_t)fixed_col(im, 1), &day);
	if (column_index(contact_kinds, ARRAY_SIZE(contact_kinds), kind) < 0)
		import_report(im, ck, "\"%s\": kind must be call, visit, email, "
		    "sms, gift, meeting or message", kind);
	rep = cr >= 0 ? cell(im, (size_t)cr) : "";
	if (*rep != '\0' && !strmap_get(im->reps, rep, &rep_id))
		import_report(im, (size_t)cr, "unknown rep \"%s\"", rep);
	note = cn >= 0 ? cell(im, (size_t)cn) : "";
	if (im->row_bad || im->failed || im->o->dry_run || im->res->errors)
		return;
	if (store_contact_add(im->st, id, rep_id, day, kind,
	    *note ? note : NULL, &err) != 0)
		import_store_error(im, err);
}

/* A bar on a terminal only: piped output stays clean. */
static void
import_progress(struct import *im, struct csv_reader *r, int done)
{
	long long off = csv_reader_offset(r), size = im->o->size;

	if (!im->o->progress)
		return;
	if (size > 0) {
		int pct = (int)(off * 100 / (size ? size : 1)), i;
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
		free(im->col_names[i]);
	free(im->col_names);
	free(im->col_field);
	strmap_free(im->reps);
	strmap_free(im->seen);
	free(im->store_error);
}

/* Reads every record; returns -1 only for CSV-level errors. */
static int
import_rows(struct import *im, struct csv_reader *r, char **cause)
{
	const struct csv_record *rec;
	char *err = NULL;
	int rc;

	while (!im->failed && (rc = csv_read(r, &rec, &err)) == 1) {
		im->rec = rec;
		im->row_bad = 0;
		im->res->rows++;
		if (im->res->rows % 16384 == 0)
			import_progress(im, r, 0);
		if (import_check_utf8(im) != 0)
			continue;
		if (im->o->kind == IMPORT_CUSTOMERS)
			import_customer_row(im);
		else if (im->o->kind == IMPORT_PURCHASES)
			import_purchase_row(im);
		else
			import_contact_row(im);
	}
	if (!im->failed && rc < 0) {
		set_error(cause, "%s: %s", im->o->name, err);
		free(err);
		return -1;
	}
	return 0;
}

int
import_csv(struct store *st, FILE *fp, const struct import_opts *o,
    struct import_result *res, char **cause)
{
	struct import im = { .st = st, .o = o, .res = res };
	struct csv_reader *r = csv_reader_new(fp);
	const struct csv_record *h;
	char *err = NULL;
	int rc = -1;

	memset(res, 0, sizeof(*res));
	im.reps = strmap_new();
	im.seen = strmap_new();
	store_bulk(st, 1);
	if (store_begin(st, cause) != 0)
		goto out;
	if (store_rep_each(st, load_rep, im.reps, cause) != 0)
		goto out;
	if ((rc = csv_read(r, &h, &err)) <= 0) {
		rc = set_error(cause, "%s: %s", o->name, rc == 0 ?
		    "empty file (a header line is required)" : err);
		free(err);
		goto out;
	}
	if ((rc = import_header(&im, h, cause)) != 0)
		goto out;
	if ((rc = import_rows(&im, r, cause)) != 0)
		goto out;
	import_progress(&im, r, 1);
	if (im.failed) {
		rc = set_error(cause, "%s", im.store_error);
	} else if (res->errors > 0) {
		rc = set_error(cause, "%s: %lu of %lu rows invalid; nothing was "
		    "imported", o->name, res->errors, res->rows);
	} else if (!o->dry_run)
		rc = store_commit(st, cause);
out:
	store_rollback(st);
	store_bulk(st, 0);
	csv_reader_free(r);
	import_free(&im);
	return rc;
}

int
import_kind_parse(const char *s, enum import_kind *kind)
{
	if (strcmp(s, "customers") == 0)
		*kind = IMPORT_CUSTOMERS;
	else if (strcmp(s, "purchases") == 0)
		*kind = IMPORT_PURCHASES;
	else if (strcmp(s, "contacts") == 0)
		*kind = IMPORT_CONTACTS;
	else
		return -1;
	return 0;
}

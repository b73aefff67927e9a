/* import_customer.c - a row of a customers file: normalised fields, custom
 * attributes, written by external_id when something changed. */
#include <stdlib.h>
#include <string.h>

#include "import_priv.h"

#define IMPORT_NO_REP "unknown rep \"%s\" (add it with outreachctl rep add)"

/* Marks customer id written by this file; 1 when it was already.  A bit
 * per id rather than a set of keys: a million keys in a hash map held
 * 60 MB, the bits of a million ids hold 125 kB.  Ids come from an
 * AUTOINCREMENT counter, so they are dense up to the largest. */
static int
import_seen(struct import *im, int64_t id)
{
	size_t byte = (size_t)id / 8, n;
	unsigned bit = 1u << (id % 8);
	int was;

	if (byte >= im->nseen) {
		n = byte + 1 > 2 * im->nseen ? byte + 1 + 4096 : 2 * im->nseen;
		im->seen = xreallocarray(im->seen, n, 1);
		memset(im->seen + im->nseen, 0, n - im->nseen);
		im->nseen = n;
	}
	was = (im->seen[byte] & bit) != 0;
	im->seen[byte] |= bit;
	return was;
}

void
import_customer_read(const struct import *im, const struct csv_record *rec,
    struct import_row *row)
{
	struct customer *c = &row->c;
	char *v, *err = NULL;
	const char *cell;
	size_t i;
	int f;

	for (i = 0; i < im->ncols; i++) {
		f = im->col_field[i];
		cell = i < rec->nfields ? rec->fields[i] : "";
		if (f < 0) {
			customer_attr_set(c, im->col_keys[i], cell);
			continue;
		}
		if (customer_normalize(f, cell, im->o->rules, &v, &err) != 0) {
			import_row_report(row, i, "%s", err);
			free(err);
			err = NULL;
			continue;
		}
		c->field[f] = v;
		if (f == CUST_REP && v != NULL && !strmap_get(im->reps, v, NULL))
			import_row_report(row, i, IMPORT_NO_REP, v);
	}
	if (row->nnotes == 0)
		customer_keys(c, &row->keys);
}

void
import_customer_row(struct import *im)
{
	struct customer *c = &im->row->c;
	enum store_change what;
	char *err = NULL;
	int64_t id;
	int rc;

	if (!import_writing(im))
		return;
	if (im->load != NULL) {
		if ((rc = store_load_add(im->load, im->rec->row, c,
		    &im->row->keys, &err)) < 0)
			import_store_error(im, err);
		else if (rc > 0)	/* removed since the import read them */
			import_report(im, (size_t)import_field_col(im,
			    CUST_REP), IMPORT_NO_REP, c->field[CUST_REP]);
		return;
	}
	import_count(im, store_customer_merge(im->st, c, &im->row->keys,
	    im->present, im->o->now, &id, &what, &err) != 0 ? -1 : (int)what,
	    err);
	if (!im->failed && import_seen(im, id))
		import_report(im, (size_t)import_field_col(im,
		    CUST_EXTERNAL_ID), "duplicate key \"%s\" in this file",
		    c->field[CUST_EXTERNAL_ID]);
}

int
import_customer_begin(struct import *im, char **cause)
{
	const char **names = xcalloc(im->ncols + 1, sizeof(*names));
	size_t i, n = 0;
	int rc;

	for (i = 0; i < im->ncols; i++) {
		if (im->col_field[i] < 0)
			names[n++] = im->col_keys[i];
	}
	rc = store_load_begin(im->st, im->present, names, n, im->o->now,
	    &im->load, cause);
	free(names);
	return rc;
}

/* A key an earlier row of the file has, as the row-by-row merge says. */
static void
import_customer_dup(void *arg, unsigned long row, const char *key)
{
	struct import *im = arg;

	import_report_row(im, row, (size_t)import_field_col(im,
	    CUST_EXTERNAL_ID), "duplicate key \"%s\" in this file", key);
}

/* A rep removed since the import read them. */
static void
import_customer_rep(void *arg, unsigned long row, const char *key)
{
	struct import *im = arg;

	import_report_row(im, row, (size_t)import_field_col(im, CUST_REP),
	    IMPORT_NO_REP, key);
}

/* The duplicates come after the rows' other errors: the store finds
 * them once every row is loaded. */
void
import_customer_end(struct import *im)
{
	struct import_result *res = im->res;
	char *err = NULL;

	if (im->load == NULL || im->failed)
		return;
	if (store_load_duplicates(im->load, import_customer_dup, im,
	    &err) < 0 || store_load_reps(im->load, import_customer_rep, im,
	    &err) < 0 || (res->errors == 0 && store_load_merge(im->load,
	    im->o->now, &res->added, &res->updated, &res->same, &err) != 0))
		import_store_error(im, err);
	store_load_free(im->load);
	im->load = NULL;
}

/* import_customer.c - a row of a customers file: normalised fields, custom
 * attributes, written by external_id when something changed. */
#include <stdlib.h>
#include <string.h>

#include "import_priv.h"

void
import_customer_row(struct import *im)
{
	struct customer c;
	struct customer_keys keys;
	char *v, *err = NULL;
	const char *ext;
	enum store_change what;
	int64_t id;
	size_t i;
	int f;

	customer_init(&c);
	for (i = 0; i < im->ncols; i++) {
		f = im->col_field[i];
		if (f < 0) {
			customer_attr_set(&c, im->col_keys[i],
			    import_cell(im, i));
			continue;
		}
		if (customer_normalize(f, import_cell(im, i), im->o->rules, &v,
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
	if (ext != NULL && strmap_put(im->seen, ext, (int64_t)im->rec->row))
		import_report(im, (size_t)import_field_col(im,
		    CUST_EXTERNAL_ID), "duplicate key \"%s\" in this file", ext);
	if (import_writing(im)) {
		customer_keys(&c, &keys);
		import_count(im, store_customer_merge(im->st, &c, &keys,
		    im->present, im->o->now, &id, &what, &err) != 0 ? -1 :
		    (int)what, err);
	}
	customer_clear(&c);
}

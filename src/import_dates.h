/* import_dates.h - `outreachctl import dates`: customers' key dates from a
 * CSV file with the columns
 *
 *	external_id, label, date[, yearly]
 *
 * date as a birthday is written ("YYYY-MM-DD", "--MM-DD", lunar "L:..."),
 * yearly yes (the default) or no (once, on that date, which then needs a
 * year).  A customer's key date of the same label is replaced; an empty
 * date removes it; importing the same file again changes nothing.  Like
 * the other imports (import.h) it is one transaction, every bad row is
 * reported as FILE:ROW:COLUMN: column: what is wrong, and nothing is
 * written unless the whole file is valid. */
#ifndef OUTREACHD_IMPORT_DATES_H
#define OUTREACHD_IMPORT_DATES_H

#include <stdio.h>

#include "import.h"
#include "store.h"

struct import_dates_result {
	unsigned long rows;	 /* data rows read */
	unsigned long errors;	 /* rows with at least one error */
	unsigned long blank;	 /* rows of empty cells, skipped */
	unsigned long added;	 /* new key dates */
	unsigned long updated;	 /* a label's date or yearly changed */
	unsigned long unchanged; /* already so */
	unsigned long removed;	 /* an empty date removed one */
};

/* Imports the file; o->kind is not used.  Returns 0 when imported (or,
 * with o->dry_run, valid: the counts are then what an import would do),
 * -1 with a summary in *cause; details went to o->on_error. */
int import_dates_csv(struct store *st, FILE *fp, const struct import_opts *o,
    struct import_dates_result *res, char **cause);

#endif

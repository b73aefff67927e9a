/* import.h - CSV import of customers, purchases and contacts.
 *
 * An import is one transaction: every row is validated, every bad row is
 * reported (FILE:ROW:COLUMN: column: what is wrong, ROW being the spreadsheet
 * row with the header as row 1), and nothing is written unless the whole file
 * is valid.  Files come as spreadsheets save them: UTF-8 with or without a
 * byte order mark, or GB18030 (detected), or any encoding named; header
 * names from import.columns; empty rows and empty columns at the end are
 * skipped.  Importing a file again changes nothing: customers are matched
 * by external_id, purchases by order_id (or day and amount), contacts by
 * all their values, and what the store has already is left alone.  A dry
 * run writes the same way, then rolls back, so its counts are exact. */
#ifndef OUTREACHD_IMPORT_H
#define OUTREACHD_IMPORT_H

#include <stdint.h>
#include <stdio.h>

#include "conf.h"
#include "customer.h"
#include "store.h"

enum import_kind { IMPORT_CUSTOMERS, IMPORT_PURCHASES, IMPORT_CONTACTS };

typedef void (*import_error_fn)(void *arg, const char *msg);

struct import_opts {
	enum import_kind kind;
	const char *name;		/* file name used in messages */
	const char *encoding;		/* iconv name; NULL detects */
	int dry_run;			/* validate only */
	int progress;			/* draw a progress bar on stderr */
	long long size;			/* input size for the bar, 0 = unknown */
	const struct customer_rules *rules; /* also the date order */
	const struct conf_import *columns; /* header names; NULL: none */
	int64_t now;			/* unix time stamped on rows */
	int32_t today;			/* history after tomorrow is refused */
	import_error_fn on_error;	/* called once per bad row */
	import_error_fn on_note;	/* the encoding detected, once */
	void *arg;
};

struct import_result {
	unsigned long rows;   /* data rows read */
	unsigned long errors; /* rows with at least one error */
	unsigned long blank;  /* empty rows skipped (not in rows) */
	unsigned long added;  /* rows the store did not have */
	unsigned long updated; /* rows that changed a record */
	unsigned long same;   /* rows the store had as they are */
};

/* Returns 0 when the file was imported (or, with dry_run, is valid), -1
 * otherwise with a summary in *cause; details went to on_error. */
int import_csv(struct store *st, FILE *fp, const struct import_opts *o,
    struct import_result *res, char **cause);
int import_kind_parse(const char *s, enum import_kind *kind);
/* Parses "123", "123.4" or "-123.45" into minor units (cents). */
int import_parse_amount(const char *s, int64_t *minor, char **cause);

#endif

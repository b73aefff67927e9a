/* import_history.c - rows of the purchases and contacts files. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "date.h"
#include "import_priv.h"

/* message: a greeting the rep sent from their own phone (rep_message). */
static const char *const contact_kinds[] = { "call", "visit", "email", "sms",
	"gift", "meeting", "message" };

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

/* Finds the customer of a history row; unknown customers are an error. */
static int
import_customer_id(struct import *im, size_t col, int64_t *id)
{
	char *err = NULL;
	int rc = store_customer_id(im->st, import_cell(im, col), id, &err);

	if (rc < 0)
		import_store_error(im, err);
	else if (rc == 0)
		import_report(im, col, "unknown customer \"%s\"",
		    import_cell(im, col));
	return rc == 1 ? 0 : -1;
}

/* The order id of a purchase row, NULL when the file has none. */
static const char *
import_order_id(struct import *im)
{
	int col = import_field_col(im, PCOL_ORDER_ID);
	char *v;

	if (col < 0)
		return NULL;
	v = im->rec->fields[col];
	str_trim(v);
	if (*v == '\0')
		return NULL;
	if (strlen(v) > 128)
		import_report(im, (size_t)col, "order_id is longer than 128 "
		    "bytes");
	return v;
}

/* History happened: a day after tomorrow (any time zone's today) is a
 * typo, and a contact dated 2031 would silence revisits for years. */
static void
import_history_day(struct import *im, size_t col, int32_t *day)
{
	char when[11];

	if (import_day(im, col, day) != 0 || *day <= im->o->today + 1)
		return;
	date_format(im->o->today + 1, when);
	import_report(im, col, "\"%s\": after tomorrow (%s): history "
	    "cannot be in the future", import_cell(im, col), when);
}

void
import_purchase_row(struct import *im)
{
	const char *order;
	int64_t id = 0, amount = 0;
	int32_t day = 0;
	char *err = NULL;
	size_t ca = (size_t)import_field_col(im, PCOL_AMOUNT);

	import_customer_id(im, (size_t)import_field_col(im, PCOL_EXTERNAL_ID),
	    &id);
	if (import_parse_amount(import_cell(im, ca), &amount, &err) != 0) {
		import_report(im, ca, "%s", err);
		free(err);
	}
	import_history_day(im, (size_t)import_field_col(im, PCOL_DATE), &day);
	order = import_order_id(im);
	if (import_writing(im))
		import_count(im, store_purchase_merge(im->st, id, order, amount,
		    day, &err), err);
}

void
import_contact_row(struct import *im)
{
	int64_t id = 0, rep_id = 0;
	int32_t day = 0;
	char *err = NULL;
	size_t ck = (size_t)import_field_col(im, KCOL_KIND), i;
	int cr = import_field_col(im, KCOL_REP);
	int cn = import_field_col(im, KCOL_NOTE);
	const char *kind = import_cell(im, ck), *rep, *note;

	import_customer_id(im, (size_t)import_field_col(im, KCOL_EXTERNAL_ID),
	    &id);
	import_history_day(im, (size_t)import_field_col(im, KCOL_DATE), &day);
	for (i = 0; i < ARRAY_SIZE(contact_kinds); i++) {
		if (strcmp(contact_kinds[i], kind) == 0)
			break;
	}
	if (i == ARRAY_SIZE(contact_kinds))
		import_report(im, ck, "\"%s\": kind must be call, visit, email, "
		    "sms, gift, meeting or message", kind);
	rep = cr >= 0 ? import_cell(im, (size_t)cr) : "";
	if (*rep != '\0' && !strmap_get(im->reps, rep, &rep_id))
		import_report(im, (size_t)cr, "unknown rep \"%s\"", rep);
	note = cn >= 0 ? import_cell(im, (size_t)cn) : "";
	if (import_writing(im))
		import_count(im, store_contact_merge(im->st, id, rep_id, day,
		    kind, *note ? note : NULL, &err), err);
}

/* customer.h - the customer record and the validation of its fields.
 *
 * This is the one place that knows what a valid field looks like (dates,
 * phone numbers, tiers, opt-outs, time zones), so the CSV importer and the
 * `customer add|set` commands accept exactly the same input.  No SQL here. */
#ifndef OUTREACHD_CUSTOMER_H
#define OUTREACHD_CUSTOMER_H

#include <stddef.h>
#include <stdint.h>

#include "date_text.h"

/* The CSV column names, in this order, are a public contract. */
enum cust_field {
	CUST_EXTERNAL_ID,
	CUST_NAME,
	CUST_SALUTATION,
	CUST_EMAIL,
	CUST_PHONE,
	CUST_BIRTHDAY,
	CUST_ANNIVERSARY,
	CUST_TIER,
	CUST_REP,
	CUST_LOCALE,
	CUST_TIMEZONE,
	CUST_CHANNEL,
	CUST_OPT_OUT,
	CUST_NOTES,
	CUST_NFIELDS
};

#define CUST_OPTOUT_EMAIL 0x1
#define CUST_OPTOUT_SMS 0x2
#define CUST_OPTOUT_ALL 0x4

#define DAY_NONE INT32_MIN /* "no such date" in day-number fields */

struct keydate;

struct customer_attr {
	char *name;
	char *value;
};

/* A customer as the store returns it.  Every string is owned by the struct
 * and freed by customer_clear(); NULL means "not set". */
struct customer {
	int64_t id;
	char *field[CUST_NFIELDS];
	char *tier_computed;	/* from purchases, NULL until computed */
	int32_t last_contact;	/* day numbers, DAY_NONE when there is none */
	int32_t last_purchase;
	int32_t first_purchase;
	int64_t created_at;	/* unix seconds */
	int64_t updated_at;
	int32_t stale_since;	/* flagged for refresh, DAY_NONE = not */
	char *stale_note;	/* why */
	struct customer_attr *attrs;
	size_t nattrs;
	struct keydate *keydates; /* by label (keydate.h); read by
				     store_customer_get() only */
	size_t nkeydates;
};

/* Index keys derived from the birthday and anniversary so the planner can
 * look customers up by month and day.  0 = none. */
struct customer_keys {
	int bday_md;	/* month * 100 + day of a Gregorian birthday */
	int bday_lunar; /* lunar month * 100 + day, + 10000 for a leap month */
	int anniv_md;
};

/* Settings that influence validation. */
struct customer_rules {
	const char *default_cc; /* country calling code for phone numbers */
	enum date_order date_order; /* how 3/5/1980 reads; NONE: refused */
};

void customer_init(struct customer *c);
void customer_clear(struct customer *c);
const char *customer_field_name(enum cust_field f);
/* Returns the field for a CSV column name, or -1 for a custom attribute. */
int customer_field_lookup(const char *name);
/* Effective tier: the manual one, else the computed one, else NULL. */
const char *customer_tier(const struct customer *c);
const char *customer_attr_get(const struct customer *c, const char *name);
void customer_attr_set(struct customer *c, const char *name, const char *value);

/* Checks and canonicalises one field value (phone to E.164, tier to upper
 * case, opt_out to "email;sms" order...).  *out is NULL for an empty value,
 * otherwise malloc'd.  Returns -1 with a reason in *cause. */
int customer_normalize(enum cust_field f, const char *value,
    const struct customer_rules *rules, char **out, char **cause);
/* Checks a custom attribute name: [A-Za-z0-9_]+, at most 64 bytes. */
int customer_attr_name_valid(const char *name);
/* Computes the index keys of a customer with normalised fields. */
void customer_keys(const struct customer *c, struct customer_keys *k);
/* The first of channels ("preferred", "email", "sms") the customer can be
 * reached on and has not opted out of; NULL when there is none. */
const char *customer_pick_channel(const char *const *channels, size_t n,
    const char *preferred, const char *email, const char *phone,
    const char *opt_out);
/* Parses a canonical opt_out value into CUST_OPTOUT_* bits. */
unsigned customer_optout_bits(const char *value);

#endif

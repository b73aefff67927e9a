/* keydate.c - what a valid key date is, and the keys and counts derived
 * from one. */
#include "keydate.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "customer.h"
#include "lunar.h"
#include "utf8.h"
#include "util.h"

void
keydate_clear(struct keydate *k)
{
	free(k->label);
	free(k->date);
	memset(k, 0, sizeof(*k));
}

void
keydate_list_free(struct keydate *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		keydate_clear(&v[i]);
	free(v);
}

const struct keydate *
keydate_find(const struct keydate *v, size_t n, const char *label)
{
	size_t i;

	for (i = 0; label != NULL && i < n; i++) {
		if (strcmp(v[i].label, label) == 0)
			return &v[i];
	}
	return NULL;
}

int
keydate_label_check(char *label, char **cause)
{
	const unsigned char *p;
	size_t n;

	str_trim(label);
	n = strlen(label);
	if (n == 0)
		return set_error(cause, "label is required");
	if (n > KEYDATE_LABEL_MAX)
		return set_error(cause, "label is longer than %d bytes",
		    KEYDATE_LABEL_MAX);
	if (!utf8_valid(label, n, NULL))
		return set_error(cause, "invalid UTF-8");
	for (p = (const unsigned char *)label; *p != '\0'; p++) {
		if (*p < 0x20 || *p == 0x7f)
			return set_error(cause, "control characters are not "
			    "allowed");
	}
	return 0;
}

int
keydate_parse_yearly(const char *s, int *yearly, char **cause)
{
	static const char *const yes[] = { "", "yes", "y", "true", "1", "是" };
	static const char *const no[] = { "no", "n", "false", "0", "否" };
	char *v = str_trim(xstrdup(s));
	size_t i;
	int rc = -1;

	for (i = 0; rc < 0 && i < ARRAY_SIZE(yes); i++) {
		if (strcasecmp(v, yes[i]) == 0)
			*yearly = 1, rc = 0;
	}
	for (i = 0; rc < 0 && i < ARRAY_SIZE(no); i++) {
		if (strcasecmp(v, no[i]) == 0)
			*yearly = 0, rc = 0;
	}
	if (rc < 0) {
		char *q = str_quote(v, 40);
		set_error(cause, "%s: yearly must be yes or no", q);
		free(q);
	}
	free(v);
	return rc;
}

int
keydate_year(const char *date)
{
	struct lunar_date ld;
	struct date d;

	if (keydate_is_lunar(date))
		return lunar_parse(date, &ld, NULL) == 0 ? ld.year : 0;
	return date_parse_birthday(date, &d, NULL) == 0 ? d.year : 0;
}

/* A key date accepts what a birthday does, so both read the same. */
int
keydate_normalize(const char *s, int yearly, enum date_order order,
    char **out, char **cause)
{
	struct customer_rules rules = { 0 };
	char *v = NULL;

	*out = NULL;
	rules.date_order = order;
	if (customer_normalize(CUST_BIRTHDAY, s, &rules, &v, cause) != 0)
		return -1;
	if (v != NULL && !yearly && keydate_year(v) == 0) {
		free(v);
		return set_error(cause, "a key date that happens once (yearly "
		    "no) needs a year");
	}
	*out = v;
	return 0;
}

int
keydate_is_lunar(const char *date)
{
	return date != NULL && strncmp(date, "L:", 2) == 0;
}

/* The day of a once-only date with its year; DAY_NONE when it has none
 * or the lunar date does not exist. */
static int32_t
once_day(const char *date)
{
	struct lunar_date ld;
	struct date d;
	int gy, gm, gd;

	if (keydate_is_lunar(date)) {
		if (lunar_parse(date, &ld, NULL) != 0 || ld.year == 0 ||
		    lunar_to_gregorian(ld.year, ld.month, ld.day, ld.leap,
		    &gy, &gm, &gd, NULL) != 0)
			return DAY_NONE;
		return date_to_days(gy, gm, gd);
	}
	if (date_parse_birthday(date, &d, NULL) != 0 || d.year == 0)
		return DAY_NONE;
	return date_to_days(d.year, d.month, d.day);
}

void
keydate_keys(const char *date, int yearly, struct keydate_keys *k)
{
	struct lunar_date ld;
	struct date d;

	memset(k, 0, sizeof(*k));
	k->day = DAY_NONE;
	if (date == NULL)
		return;
	if (!yearly)
		k->day = once_day(date);
	else if (keydate_is_lunar(date)) {
		if (lunar_parse(date, &ld, NULL) == 0)
			k->lunar = ld.month * 100 + ld.day + (ld.leap ? 10000 : 0);
	} else if (date_parse_birthday(date, &d, NULL) == 0)
		k->md = d.month * 100 + d.day;
}

int
keydate_years(const char *date, int yearly, int32_t event_day)
{
	struct lunar_date ld;
	struct date e;
	int y = date != NULL ? keydate_year(date) : 0, n;

	if (!yearly || y == 0)
		return -1;
	date_from_days(event_day, &e);
	if (!keydate_is_lunar(date))
		n = e.year - y;
	else if (lunar_from_gregorian(e.year, e.month, e.day, &ld, NULL) == 0)
		n = ld.year - y;
	else
		return -1;
	return n >= 0 ? n : -1;
}

/* keydate.h - a customer's key dates: the day their company was founded,
 * a store's opening, a child's graduation.  Each has a label (one per
 * customer: a new date for the same label replaces the old), a date
 * written as birthdays are ("YYYY-MM-DD", "--MM-DD", lunar "L:..."), and
 * whether it comes back every year or happens once.
 *
 * This module says what a valid key date is and derives what the store
 * indexes and the planner counts from it; no SQL here (store_keydate.h). */
#ifndef OUTREACHD_KEYDATE_H
#define OUTREACHD_KEYDATE_H

#include <stddef.h>
#include <stdint.h>

#include "date.h"
#include "date_text.h"

#define KEYDATE_LABEL_MAX 64	/* bytes */

struct keydate {
	int64_t id;
	char *label;
	char *date;	/* canonical, as customer_normalize() writes a birthday */
	int yearly;	/* 0: happens once, on date (which has a year) */
	int64_t updated_at;
};

/* What the store indexes so the planner finds the key dates of a day with
 * index lookups: month * 100 + day of a yearly Gregorian date, the lunar
 * key of a yearly lunar one (as customer_keys() makes bday_lunar), or the
 * day number of one that happens once.  0 / DAY_NONE for none. */
struct keydate_keys {
	int md;
	int lunar;
	int32_t day;
};

void keydate_clear(struct keydate *k);
/* The key date labelled label among v[0..n), or NULL. */
const struct keydate *keydate_find(const struct keydate *v, size_t n,
    const char *label);
/* Frees an array of n key dates. */
void keydate_list_free(struct keydate *v, size_t n);

/* Checks and trims a label in place: 1 to KEYDATE_LABEL_MAX bytes of
 * UTF-8 without control characters ("store_opening", "新店开业").
 * Returns 0, or -1 with *cause. */
int keydate_label_check(char *label, char **cause);
/* "yes"/"no" (also y/n, true/false, 1/0, 是/否, any case); "" is yes.
 * Returns 0, or -1 with *cause. */
int keydate_parse_yearly(const char *s, int *yearly, char **cause);
/* The canonical date of s, in any form a birthday accepts (1980/3/5,
 * 1980年3月5日, 农历三月初五; 3/5/1980 as order says), into *out
 * (malloc'd; NULL when s is empty).  A key date that happens once needs
 * a year.  Returns 0, or -1 with *cause. */
int keydate_normalize(const char *s, int yearly, enum date_order order,
    char **out, char **cause);
/* The index keys of a normalised key date. */
void keydate_keys(const char *date, int yearly, struct keydate_keys *k);
/* Years since the key date on its occurrence event_day (lunar years for a
 * lunar date): 0 on the day itself, -1 when the year is unknown, for one
 * that happens once, or before the date. */
int keydate_years(const char *date, int yearly, int32_t event_day);
/* The year of a normalised date (the lunar year of a lunar one), 0 when
 * it has none. */
int keydate_year(const char *date);
/* Whether the date is lunar ("L:..."). */
int keydate_is_lunar(const char *date);

#endif

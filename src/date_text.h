/* date_text.h - dates as spreadsheets and people write them.
 *
 * date.h parses the one strict form the store keeps (YYYY-MM-DD); this
 * reads what comes in from outside, for the importer and customer add:
 *
 *	1980-03-05  1980-3-5  1980/3/5  1980.3.5	year first: always
 *	1980年3月5日					spaces may surround the parts
 *	3/5/1980  3-5-1980  3.5.1980			only with a date order
 *	--03-05  3月5日					a birthday without its year
 *
 * Day-first and month-first forms cannot be told apart (3/5/1980 is 3 May
 * in Beijing and London, 5 March in New York), so they are refused unless
 * the caller says which order the file uses.  A time of day after the date
 * ("1980/3/5 0:00", as Excel writes a date cell that has one) is ignored.
 * Years have four digits.  Pure functions; errors quote the input. */
#ifndef OUTREACHD_DATE_TEXT_H
#define OUTREACHD_DATE_TEXT_H

#include "date.h"
#include "lunar.h"

enum date_order {
	DATE_ORDER_NONE,	/* only year-first forms */
	DATE_ORDER_DMY,		/* 3/5/1980 is 3 May */
	DATE_ORDER_MDY,		/* 3/5/1980 is 5 March */
};

/* Parses "dmy" or "mdy"; -1 for anything else. */
int date_order_parse(const char *s, enum date_order *order);

/* Parses s in any form above into *out (year 0 when no_year allowed it to
 * be missing).  Returns 0, or -1 with *cause set; *out is untouched then. */
int date_text_parse(const char *s, enum date_order order, int no_year,
    struct date *out, char **cause);

/* The Chinese written lunar date: 农历[YYYY年][闰]M月D[日], the month as
 * digits, 正, 一..十二, 冬 or 腊, the day as digits or 初一..初十, 十一..
 * 十九, 二十, 廿一..廿九, 三十 (农历三月初五, 农历1990年闰四月十五).
 * Returns 1 and fills *out when s is one, 0 when s does not start with
 * 农历, -1 with *cause when it does but is not a valid lunar date. */
int date_text_lunar(const char *s, struct lunar_date *out, char **cause);

#endif

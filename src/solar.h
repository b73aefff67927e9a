/* solar.h - the 24 solar terms (节气) of the Chinese calendar.
 *
 * A solar term is the instant the sun's apparent geocentric ecliptic
 * longitude reaches a multiple of 15 degrees; its day is the civil date
 * of that instant in China Standard Time (UTC+8), as Chinese calendars
 * print it: 清明 (qingming, 15 degrees) falls on 4 or 5 April.  Terms are
 * numbered in the order they fall in a Gregorian year, from 小寒 (xiaohan,
 * 285 degrees, early January) to 冬至 (dongzhi, 270 degrees, December).
 *
 * Pure computation (solar.c says how, and how exact): thread-safe, no
 * allocation. */
#ifndef OUTREACHD_SOLAR_H
#define OUTREACHD_SOLAR_H

#include <stdint.h>

#define SOLAR_NTERMS 24
/* The years whose terms are computed (ΔT is modelled for these). */
#define SOLAR_YEAR_MIN 1900
#define SOLAR_YEAR_MAX 2150

/* The term called name (pinyin, lower case, no tone marks: "qingming",
 * "dongzhi"), 0..23, or -1. */
int solar_term_find(const char *name);
/* The pinyin and Chinese names of term 0..23. */
const char *solar_term_name(int term);
const char *solar_term_title(int term);
/* The sun's apparent ecliptic longitude the term is at, in degrees. */
int solar_term_longitude(int term);

/* The day number (days since 1970-01-01) of term in Gregorian year, in
 * China Standard Time.  0, or -1 for a year outside SOLAR_YEAR_MIN..MAX
 * or a term outside 0..23. */
int solar_term_day(int year, int term, int32_t *day);
/* The same instant as a Julian Day in Universal Time, for tests. */
int solar_term_jd(int year, int term, double *jd_ut);

/* The apparent geocentric ecliptic longitude of the sun, in degrees
 * [0, 360), at Julian Ephemeris Day jde (Terrestrial Time). */
double solar_longitude(double jde);

#endif

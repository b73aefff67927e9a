/* lunar_dump.c - prints every lunar day of a range of lunar years with its
 * Gregorian date, one "LY LM LEAP LD GY-GM-GD" line each, for comparison
 * with tests/lunar_oracle.py.
 *
 * usage: lunar_dump [FIRST LAST]	(lunar years, default the whole range)
 *
 * It only uses the public API, probing which months and days exist the way
 * the oracle does, and checks on the way that lunar_from_gregorian() inverts
 * lunar_to_gregorian() and that consecutive lunar days are consecutive
 * Gregorian days.  Exit 0, 1 on an inconsistency, 2 on usage errors. */
#include <stdio.h>
#include <stdlib.h>

#include "lunar.h"
#include "util.h"

/* Days since 1970-01-01 (Hinnant), to check that days are consecutive
 * without trusting lunar.c's own arithmetic. */
static long
dump_days(int y, int m, int d)
{
	long era, yoe, doy, yy = y - (m <= 2);

	era = (yy >= 0 ? yy : yy - 399) / 400;
	yoe = yy - era * 400;
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	return era * 146097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719468;
}

/* Parses a year argument; exits on garbage. */
static int
dump_year(const char *s)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (*s == '\0' || *end != '\0' || v < 0 || v > 9999) {
		fprintf(stderr, "lunar_dump: bad year: %s\n", s);
		exit(2);
	}
	return (int)v;
}

/* Prints one existing lunar day and cross-checks it; returns 0 or -1. */
static int
dump_day(int y, int m, int leap, int d, int gy, int gm, int gd, long *prev)
{
	struct lunar_date back;
	char *cause = NULL;
	long n = dump_days(gy, gm, gd);

	printf("%d %d %d %d %04d-%02d-%02d\n", y, m, leap, d, gy, gm, gd);
	if (*prev != 0 && n != *prev + 1) {
		fprintf(stderr, "lunar_dump: %d %d %d %d: %04d-%02d-%02d does "
		    "not follow the previous day\n", y, m, leap, d, gy, gm, gd);
		return -1;
	}
	*prev = n;
	if (lunar_from_gregorian(gy, gm, gd, &back, &cause) != 0) {
		fprintf(stderr, "lunar_dump: %04d-%02d-%02d: %s\n", gy, gm, gd,
		    cause);
		free(cause);
		return -1;
	}
	if (back.year != y || back.month != m || back.leap != leap ||
	    back.day != d) {
		fprintf(stderr, "lunar_dump: %04d-%02d-%02d -> %d %d %d %d, "
		    "expected %d %d %d %d\n", gy, gm, gd, back.year,
		    back.month, back.leap, back.day, y, m, leap, d);
		return -1;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	int first = LUNAR_YEAR_MIN, last = LUNAR_YEAR_MAX;
	int y, m, leap, d, gy, gm, gd, bad = 0;
	long prev = 0;

	if (argc == 3) {
		first = dump_year(argv[1]);
		last = dump_year(argv[2]);
	} else if (argc != 1) {
		fprintf(stderr, "usage: lunar_dump [FIRST LAST]\n");
		return 2;
	}
	for (y = first; y <= last; y++) {
		for (m = 1; m <= 12; m++) {
			for (leap = 0; leap <= 1; leap++) {
				for (d = 1; d <= 30; d++) {
					if (lunar_to_gregorian(y, m, d, leap,
					    &gy, &gm, &gd, NULL) != 0)
						break;
					if (dump_day(y, m, leap, d, gy, gm, gd,
					    &prev) != 0)
						bad = 1;
				}
			}
		}
	}
	if (fflush(stdout) != 0 || ferror(stdout)) {
		perror("lunar_dump: stdout");
		return 1;
	}
	return bad;
}

/* solar.c - the solar terms, from the sun's apparent longitude.
 *
 * Meeus, Astronomical Algorithms (2nd ed.), chapter 25 "higher accuracy":
 * the Earth's heliocentric longitude and radius vector from the VSOP87
 * series as truncated in appendix III, turned into the sun's geocentric
 * longitude, moved to the FK5 frame, plus nutation in longitude (chapter
 * 22's four largest terms, 0.5" at worst) and aberration.  That is good to
 * about 1", which is 25 seconds of the sun's motion.
 *
 * Meeus' low-precision formula (chapter 25's first method, 0.01°) is not
 * enough for the day: measured against python3-ephem for 2000-2100 it
 * puts 9 of the 2424 terms on the wrong day, up to 14 minutes off, each
 * within minutes of midnight in UTC+8.  This one agrees with that table on
 * every day (tests/unit/test_solar.c, tests/fixtures/solar_terms.txt).
 *
 * Dynamical time (the series') becomes Universal Time through ΔT, from the
 * polynomials of Espenak and Meeus (NASA's eclipse pages), measured until
 * 2005 and extrapolated beyond: a term within about a minute of midnight
 * decades ahead may fall on either day, for any method. */
#include <math.h>
#include <stddef.h>
#include <string.h>

#include "date.h"
#include "solar.h"
#include "util.h"

#define J2000 2451545.0
#define JD_1970 2440587.5	/* 1970-01-01 00:00 UT */
#define CST_HOURS 8		/* China Standard Time, UTC+8, no DST since 1992 */
#define TROPICAL_YEAR 365.242189
#define DEG (M_PI / 180.0)
#define ARCSEC (DEG / 3600.0)

static const struct {
	const char *name;
	const char *title;
} solar_terms[SOLAR_NTERMS] = {
	{ "xiaohan", "小寒" }, { "dahan", "大寒" }, { "lichun", "立春" },
	{ "yushui", "雨水" }, { "jingzhe", "惊蛰" }, { "chunfen", "春分" },
	{ "qingming", "清明" }, { "guyu", "谷雨" }, { "lixia", "立夏" },
	{ "xiaoman", "小满" }, { "mangzhong", "芒种" }, { "xiazhi", "夏至" },
	{ "xiaoshu", "小暑" }, { "dashu", "大暑" }, { "liqiu", "立秋" },
	{ "chushu", "处暑" }, { "bailu", "白露" }, { "qiufen", "秋分" },
	{ "hanlu", "寒露" }, { "shuangjiang", "霜降" }, { "lidong", "立冬" },
	{ "xiaoxue", "小雪" }, { "daxue", "大雪" }, { "dongzhi", "冬至" },
};

/* One periodic term: A cos(B + C tau), A in 1e-8 radians (or AU). */
struct vsop_term {
	double a, b, c;
};

/* The Earth's heliocentric longitude, appendix III (VSOP87D). */
static const struct vsop_term earth_l0[] = {
	{ 175347046, 0, 0 }, { 3341656, 4.6692568, 6283.0758500 },
	{ 34894, 4.62610, 12566.15170 }, { 3497, 2.7441, 5753.3849 },
	{ 3418, 2.8289, 3.5231 }, { 3136, 3.6277, 77713.7715 },
	{ 2676, 4.4181, 7860.4194 }, { 2343, 6.1352, 3930.2097 },
	{ 1324, 0.7425, 11506.7698 }, { 1273, 2.0371, 529.6910 },
	{ 1199, 1.1096, 1577.3435 }, { 990, 5.233, 5884.927 },
	{ 902, 2.045, 26.298 }, { 857, 3.508, 398.149 },
	{ 780, 1.179, 5223.694 }, { 753, 2.533, 5507.553 },
	{ 505, 4.583, 18849.228 }, { 492, 4.205, 775.523 },
	{ 357, 2.920, 0.067 }, { 317, 5.849, 11790.629 },
	{ 284, 1.899, 796.298 }, { 271, 0.315, 10977.079 },
	{ 243, 0.345, 5486.778 }, { 206, 4.806, 2544.314 },
	{ 205, 1.869, 5573.143 }, { 202, 2.458, 6069.777 },
	{ 156, 0.833, 213.299 }, { 132, 3.411, 2942.463 },
	{ 126, 1.083, 20.775 }, { 115, 0.645, 0.980 },
	{ 103, 0.636, 4694.003 }, { 102, 0.976, 15720.839 },
	{ 102, 4.267, 7.114 }, { 99, 6.21, 2146.17 },
	{ 98, 0.68, 155.42 }, { 86, 5.98, 161000.69 },
	{ 85, 1.30, 6275.96 }, { 85, 3.67, 71430.70 },
	{ 80, 1.81, 17260.15 }, { 79, 3.04, 12036.46 },
	{ 75, 1.76, 5088.63 }, { 74, 3.50, 3154.69 },
	{ 74, 4.68, 801.82 }, { 70, 0.83, 9437.76 },
	{ 62, 3.98, 8827.39 }, { 61, 1.82, 7084.90 },
	{ 57, 2.78, 6286.60 }, { 56, 4.39, 14143.50 },
	{ 56, 3.47, 6279.55 }, { 52, 0.19, 12139.55 },
	{ 52, 1.33, 1748.02 }, { 51, 0.28, 5856.48 },
	{ 49, 0.49, 1194.45 }, { 41, 5.37, 8429.24 },
	{ 41, 2.40, 19651.05 }, { 39, 6.17, 10447.39 },
	{ 37, 6.04, 10213.29 }, { 37, 2.57, 1059.38 },
	{ 36, 1.71, 2352.87 }, { 36, 1.78, 6812.77 },
	{ 33, 0.59, 17789.85 }, { 30, 0.44, 83996.85 },
	{ 30, 2.74, 1349.87 }, { 25, 3.16, 4690.48 },
};

static const struct vsop_term earth_l1[] = {
	{ 628331966747.0, 0, 0 }, { 206059, 2.678235, 6283.075850 },
	{ 4303, 2.6351, 12566.1517 }, { 425, 1.590, 3.523 },
	{ 119, 5.796, 26.298 }, { 109, 2.966, 1577.344 },
	{ 93, 2.59, 18849.23 }, { 72, 1.14, 529.69 },
	{ 68, 1.87, 398.15 }, { 67, 4.41, 5507.55 },
	{ 59, 2.89, 5223.69 }, { 56, 2.17, 155.42 },
	{ 45, 0.40, 796.30 }, { 36, 0.47, 775.52 },
	{ 29, 2.65, 7.11 }, { 21, 5.34, 0.98 },
	{ 19, 1.85, 5486.78 }, { 19, 4.97, 213.30 },
	{ 17, 2.99, 6275.96 }, { 16, 0.03, 2544.31 },
	{ 16, 1.43, 2146.17 }, { 15, 1.21, 10977.08 },
	{ 12, 2.83, 1748.02 }, { 12, 3.26, 5088.63 },
	{ 12, 5.27, 1194.45 }, { 12, 2.08, 4694.00 },
	{ 11, 0.77, 553.57 }, { 10, 1.30, 6286.60 },
	{ 10, 4.24, 1349.87 }, { 9, 2.70, 242.73 },
	{ 9, 5.64, 951.72 }, { 8, 5.30, 2352.87 },
	{ 6, 2.65, 9437.76 }, { 6, 4.67, 4690.48 },
};

static const struct vsop_term earth_l2[] = {
	{ 52919, 0, 0 }, { 8720, 1.0721, 6283.0758 },
	{ 309, 0.867, 12566.152 }, { 27, 0.05, 3.52 },
	{ 16, 5.19, 26.30 }, { 16, 3.68, 155.42 },
	{ 10, 0.76, 18849.23 }, { 9, 2.06, 77713.77 },
	{ 7, 0.83, 775.52 }, { 5, 4.66, 1577.34 },
	{ 4, 1.03, 7.11 }, { 4, 3.44, 5573.14 },
	{ 3, 5.14, 796.30 }, { 3, 6.05, 5507.55 },
	{ 3, 1.19, 242.73 }, { 3, 6.12, 529.69 },
	{ 3, 0.31, 398.15 }, { 3, 2.28, 553.57 },
	{ 2, 4.38, 5223.69 }, { 2, 3.75, 0.98 },
};

static const struct vsop_term earth_l3[] = {
	{ 289, 5.844, 6283.076 }, { 35, 0, 0 },
	{ 17, 5.49, 12566.15 }, { 3, 5.20, 155.42 },
	{ 1, 4.72, 3.52 }, { 1, 5.30, 18849.23 },
	{ 1, 5.97, 242.73 },
};

static const struct vsop_term earth_l4[] = {
	{ 114, 3.142, 0 }, { 8, 4.13, 6283.08 }, { 1, 3.84, 12566.15 },
};

static const struct vsop_term earth_l5[] = {
	{ 1, 3.14, 0 },
};

/* The radius vector only scales aberration (20.5"/R): its largest terms
 * give R to 1e-5 AU, 0.0002" of longitude. */
static const struct vsop_term earth_r0[] = {
	{ 100013989, 0, 0 }, { 1670700, 3.0984635, 6283.0758500 },
	{ 13956, 3.05525, 12566.15170 }, { 3084, 5.1985, 77713.7715 },
	{ 1628, 1.1739, 5753.3849 }, { 1576, 2.8469, 7860.4194 },
	{ 925, 5.453, 11506.770 }, { 542, 4.564, 3930.210 },
};

static const struct vsop_term earth_r1[] = {
	{ 103019, 1.107490, 6283.075850 }, { 1721, 1.0644, 12566.1517 },
	{ 702, 3.142, 0 },
};

static const struct vsop_term earth_r2[] = {
	{ 4359, 5.7846, 6283.0758 }, { 124, 5.579, 12566.152 },
};

struct vsop_series {
	const struct vsop_term *t;
	size_t n;
};

#define SERIES(a) { a, sizeof(a) / sizeof(a[0]) }

static const struct vsop_series earth_l[] = {
	SERIES(earth_l0), SERIES(earth_l1), SERIES(earth_l2),
	SERIES(earth_l3), SERIES(earth_l4), SERIES(earth_l5),
};

static const struct vsop_series earth_r[] = {
	SERIES(earth_r0), SERIES(earth_r1), SERIES(earth_r2),
};

/* sum over k of tau^k * sum A cos(B + C tau), / 1e8 (Meeus 32.2). */
static double
vsop_sum(const struct vsop_series *s, size_t n, double tau)
{
	double total = 0, power = 1, sum;
	size_t k, i;

	for (k = 0; k < n; k++) {
		sum = 0;
		for (i = 0; i < s[k].n; i++)
			sum += s[k].t[i].a * cos(s[k].t[i].b + s[k].t[i].c * tau);
		total += sum * power;
		power *= tau;
	}
	return total / 1e8;
}

/* Nutation in longitude, in radians (Meeus 22, the 0.5" formula). */
static double
nutation_longitude(double t)
{
	double omega = (125.04452 - 1934.136261 * t) * DEG;
	double l = (280.4665 + 36000.7698 * t) * DEG;
	double lm = (218.3165 + 481267.8813 * t) * DEG;

	return (-17.20 * sin(omega) - 1.32 * sin(2 * l) - 0.23 * sin(2 * lm) +
	    0.21 * sin(2 * omega)) * ARCSEC;
}

double
solar_longitude(double jde)
{
	double tau = (jde - J2000) / 365250.0, t = tau * 10;
	double l = vsop_sum(earth_l, ARRAY_SIZE(earth_l), tau);
	double r = vsop_sum(earth_r, ARRAY_SIZE(earth_r), tau);
	double lon;

	/* Geocentric, FK5 (the -0.09033" of 25.9), nutation, aberration. */
	lon = l + M_PI - 0.09033 * ARCSEC + nutation_longitude(t) -
	    20.4898 * ARCSEC / r;
	lon = fmod(lon / DEG, 360.0);
	return lon < 0 ? lon + 360.0 : lon;
}

/* ΔT = TT - UT in seconds, Espenak and Meeus' polynomials. */
static double
delta_t(double year)
{
	double t, u;

	if (year < 1920) {
		t = year - 1900;
		return -2.79 + 1.494119 * t - 0.0598939 * t * t +
		    0.0061966 * t * t * t - 0.000197 * t * t * t * t;
	}
	if (year < 1941) {
		t = year - 1920;
		return 21.20 + 0.84493 * t - 0.076100 * t * t +
		    0.0020936 * t * t * t;
	}
	if (year < 1961) {
		t = year - 1950;
		return 29.07 + 0.407 * t - t * t / 233 + t * t * t / 2547;
	}
	if (year < 1986) {
		t = year - 1975;
		return 45.45 + 1.067 * t - t * t / 260 - t * t * t / 718;
	}
	if (year < 2005) {
		t = year - 2000;
		return 63.86 + t * (0.3345 + t * (-0.060374 + t * (0.0017275 +
		    t * (0.000651814 + t * 0.00002373599))));
	}
	if (year < 2050) {
		t = year - 2000;
		return 62.92 + 0.32217 * t + 0.005589 * t * t;
	}
	u = (year - 1820) / 100;
	return -20 + 32 * u * u - 0.5628 * (2150 - year);
}

int
solar_term_jd(int year, int term, double *jd_ut)
{
	double target, jde, diff;
	int i;

	if (year < SOLAR_YEAR_MIN || year > SOLAR_YEAR_MAX || term < 0 ||
	    term >= SOLAR_NTERMS)
		return -1;
	target = solar_term_longitude(term);
	/* Terms are about 15.2 days apart from 小寒 on 5 or 6 January; each
	 * step corrects by the sun's mean motion, converging to 1e-9°
	 * within a few steps (the motion varies by 3% over a year). */
	jde = JD_1970 + date_to_days(year, 1, 6) + term * TROPICAL_YEAR / 24;
	for (i = 0; i < 20; i++) {
		diff = fmod(target - solar_longitude(jde) + 540.0, 360.0) - 180.0;
		jde += diff * TROPICAL_YEAR / 360.0;
		if (fabs(diff) < 1e-9)
			break;
	}
	*jd_ut = jde - delta_t(year + (jde - JD_1970 -
	    date_to_days(year, 1, 1)) / TROPICAL_YEAR) / 86400.0;
	return 0;
}

int
solar_term_day(int year, int term, int32_t *day)
{
	double jd;

	if (solar_term_jd(year, term, &jd) != 0)
		return -1;
	*day = (int32_t)floor(jd - JD_1970 + CST_HOURS / 24.0);
	return 0;
}

int
solar_term_find(const char *name)
{
	int i;

	for (i = 0; i < SOLAR_NTERMS; i++) {
		if (strcmp(name, solar_terms[i].name) == 0)
			return i;
	}
	return -1;
}

const char *
solar_term_name(int term)
{
	return term >= 0 && term < SOLAR_NTERMS ? solar_terms[term].name : NULL;
}

const char *
solar_term_title(int term)
{
	return term >= 0 && term < SOLAR_NTERMS ? solar_terms[term].title :
	    NULL;
}

int
solar_term_longitude(int term)
{
	return (285 + 15 * term) % 360;
}

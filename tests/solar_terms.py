#!/usr/bin/python3
"""solar_terms.py - the independent table of solar terms that
tests/unit/test_solar.c checks src/solar.c against.

Prints one line per term of the Gregorian years FIRST..LAST (default
2000..2100), in the order they fall:

    YEAR NAME YYYY-MM-DD HH:MM:SS

the instant in China Standard Time (UTC+8) at which the sun's apparent
geocentric ecliptic longitude reaches the term's multiple of 15 degrees.
The positions come from PyEphem (Debian's python3-ephem, libastro's
VSOP87 with its own nutation, aberration and Delta T), which shares no
code with src/solar.c; each instant is found by bisection to well under a
second.  The output was generated once and committed as
tests/unit/data/solar_terms.txt:

    /usr/bin/python3 tests/solar_terms.py >tests/unit/data/solar_terms.txt
"""

import math
import sys

try:
    import ephem
except ImportError:
    sys.stderr.write("solar_terms.py: python3-ephem not available\n")
    sys.exit(77)

NAMES = ("xiaohan dahan lichun yushui jingzhe chunfen qingming guyu lixia "
         "xiaoman mangzhong xiazhi xiaoshu dashu liqiu chushu bailu qiufen "
         "hanlu shuangjiang lidong xiaoxue daxue dongzhi").split()


def longitude(d):
    """The sun's apparent ecliptic longitude of date at d, in radians."""
    s = ephem.Sun(d)
    eq = ephem.Equatorial(s.ra, s.dec, epoch=d)
    return float(ephem.Ecliptic(eq).lon)


def ahead(d, target):
    """How far, in radians (-pi..pi), target lies ahead of the sun at d."""
    return (target - longitude(d) + math.pi) % (2 * math.pi) - math.pi


def term(year, i):
    """The instant (ephem.Date, UT) of term i of year."""
    target = math.radians((285 + 15 * i) % 360)
    guess = ephem.Date("%d/1/6" % year) + i * 365.2422 / 24
    lo, hi = guess - 5, guess + 5
    assert ahead(lo, target) > 0 > ahead(hi, target)
    while hi - lo > 1e-7:          # about 0.01 s
        mid = (lo + hi) / 2
        if ahead(mid, target) > 0:
            lo = mid
        else:
            hi = mid
    return ephem.Date((lo + hi) / 2)


def main(argv):
    first, last = (int(argv[1]), int(argv[2])) if len(argv) == 3 else \
        (2000, 2100)
    for y in range(first, last + 1):
        for i, name in enumerate(NAMES):
            t = ephem.Date(term(y, i) + 8 * ephem.hour).tuple()
            sec = int(t[5])
            print("%d %s %04d-%02d-%02d %02d:%02d:%02d" %
                  (y, name, t[0], t[1], t[2], t[3], t[4], sec))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

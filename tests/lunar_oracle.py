#!/usr/bin/python3
"""lunar_oracle.py - reference lunar->Gregorian table from python3-lunardate.

Prints one line per existing lunar day, in the same format and order as
tests/lunar_dump:

    LY LM LEAP LD GY-GM-GD

Usage: lunar_oracle.py FIRST_YEAR LAST_YEAR   (lunar years, inclusive)

Only the public API is used (LunarDate(...).toSolarDate() raising ValueError
for a day or leap month that does not exist), so the oracle does not share
month-enumeration logic with the code under test.  Exit 77 if lunardate is
missing, 2 on usage errors.
"""

import sys

try:
    from lunardate import LunarDate
except ImportError:
    sys.stderr.write("lunar_oracle.py: python3-lunardate not available\n")
    sys.exit(77)


def exists(y, m, d, leap):
    """True if lunar (y, m, d, leap) is a real date."""
    try:
        LunarDate(y, m, d, leap).toSolarDate()
    except ValueError:
        return False
    return True


def main(argv):
    if len(argv) != 3:
        sys.stderr.write("usage: lunar_oracle.py FIRST_YEAR LAST_YEAR\n")
        return 2
    first, last = int(argv[1]), int(argv[2])
    out = []
    for y in range(first, last + 1):
        for m in range(1, 13):
            # The leap month follows the ordinary month of the same number.
            for leap in (False, True):
                if not exists(y, m, 1, leap):
                    continue
                for d in range(1, 31):
                    try:
                        g = LunarDate(y, m, d, leap).toSolarDate()
                    except ValueError:
                        break
                    out.append("%d %d %d %d %04d-%02d-%02d"
                               % (y, m, int(leap), d, g.year, g.month, g.day))
    sys.stdout.write("\n".join(out) + ("\n" if out else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

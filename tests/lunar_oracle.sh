#!/bin/sh
# lunar_oracle.sh - compares every lunar day that src/lunar.c knows with
# python3-lunardate and prints TAP.
#
# usage: lunar_oracle.sh [LUNAR_DUMP [FIRST LAST]]
#
# LUNAR_DUMP is the built tests/lunar_dump (default: $LUNAR_DUMP from the
# environment, for automake's TESTS which passes no arguments, else
# ./lunar_dump); nothing is built here.  FIRST..LAST are lunar years,
# default 1900..2099, the whole range both sides support (lunardate 0.2.0
# silently returns wrong dates before 1900, so do not go lower).  The
# interpreter is /usr/bin/python3 because python3-lunardate is a Debian
# package, not visible to other pythons; LUNAR_PYTHON overrides it.
# Exit 77 (skip) only when that python cannot import lunardate; otherwise 0
# if all tests pass, 1 if not.

dump=${1:-${LUNAR_DUMP:-./lunar_dump}}
first=${2:-1900}
last=${3:-2099}
python=${LUNAR_PYTHON:-/usr/bin/python3}
oracle=$(dirname "$0")/lunar_oracle.py

if ! "$python" -c 'import lunardate' >/dev/null 2>&1; then
	echo "1..0 # SKIP $python cannot import lunardate (python3-lunardate)"
	exit 77
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/lunar_oracle.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' HUP INT TERM

echo "1..4"
failed=0

# ok/not ok with a description; "diag" lines follow as TAP comments.
result() {
	if [ "$1" -eq 0 ]; then
		echo "ok $2 - $3"
	else
		echo "not ok $2 - $3"
		failed=1
	fi
}

diag() {
	sed 's/^/# /'
}

# 1: lunar_dump runs; it also checks that lunar_from_gregorian() inverts
# lunar_to_gregorian() and that consecutive lunar days are consecutive.
if [ -x "$dump" ]; then
	"$dump" "$first" "$last" >"$tmp/c" 2>"$tmp/c.err"
	rc=$?
else
	echo "$dump: not found or not executable" >"$tmp/c.err"
	: >"$tmp/c"
	rc=1
fi
result $rc 1 "lunar_dump $first..$last runs and is self-consistent"
[ $rc -eq 0 ] || head -n 20 "$tmp/c.err" | diag

# 2: the oracle runs.
"$python" "$oracle" "$first" "$last" >"$tmp/py" 2>"$tmp/py.err"
rc=$?
result $rc 2 "lunar_oracle.py $first..$last runs"
[ $rc -eq 0 ] || head -n 20 "$tmp/py.err" | diag

# 3: both list the same number of days; an empty oracle output means the
# range is wrong, not that everything matched.
nc=$(wc -l <"$tmp/c" | tr -d ' ')
np=$(wc -l <"$tmp/py" | tr -d ' ')
[ "$nc" -eq "$np" ] && [ "$np" -gt 0 ]
result $? 3 "same number of days ($nc from lunar_dump, $np from lunardate)"

# 4: every day maps to the same Gregorian date.
if [ "$np" -gt 0 ] && cmp -s "$tmp/c" "$tmp/py"; then
	result 0 4 "all $np dates agree with python3-lunardate"
else
	nd=$(diff "$tmp/c" "$tmp/py" | grep -c '^[<>]')
	result 1 4 "dates agree with python3-lunardate ($nd differing lines)"
	echo "first differences (< lunar_dump, > lunardate):" | diag
	diff "$tmp/c" "$tmp/py" | head -n 20 | diag
fi

exit $failed

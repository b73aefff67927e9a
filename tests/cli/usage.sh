#!/bin/bash
# outreachctl's usage comes from one command table: each command's --help
# prints the usage line and help that the top-level --help lists for it,
# a group's --help lists the group's lines, and the command list of
# outreachctl(1) is the table's, as `outreachctl help --mdoc` prints it.
. "$(cd "$(dirname "$0")/.." && pwd)/lib.sh"
CTL=${OUTREACHCTL:-outreachctl}
top=$(cd "$(dirname "$0")/../.." && pwd)
man="$top/man/outreachctl.1"
dir=$(t_tmpdir)
# Nothing here should touch a store or the daemon's lock; if a --help
# did, it would be these.
cat >"$dir/o.conf" <<CONF
store = "$(t_store "$dir/o.db")";
templates = "$top/templates";
daemon: { state_dir = "$dir/state"; };
CONF
ctl() { "$CTL" -c "$dir/o.conf" "$@"; }
opts='[-c CONFIG] [--db PATH] [-v]'

help=$("$CTL" --help)
t_is "$?" 0 "--help exits 0"
t_is "$(head -n 2 <<<"$help")" "usage: outreachctl $opts COMMAND ..."$'\n'"commands:" \
	"--help starts with the global usage"
t_like "$(grep '^  import ' <<<"$help")" '^  import customers\|purchases\|contacts\|dates FILE .*\[--no-progress\] \[--encoding NAME\] \[--date-order dmy\|mdy\]$' \
	"--help lists import ... [--no-progress] [--encoding NAME] [--date-order dmy|mdy]"
t_unlike "$help" $'\n  help' "the help command is not listed"
t_is "$(ctl help)" "$help" "help prints what --help prints"
t_is "$(ctl 2>&1 >/dev/null)" "$help" "no command: the same list, on stderr"
ctl >/dev/null 2>&1
t_is "$?" 64 "no command: EX_USAGE"

# Each command listed: "  NAME USAGE", then "      HELP".  A command's
# name is one word, or two when the first is a group.
mapfile -t lines < <(sed -n '3,$p' <<<"$help")
names=()
groups=()
for ((i = 0; i < ${#lines[@]}; i += 2)); do
	entry=${lines[i]#  }
	text=${lines[i + 1]#      }
	read -r w1 w2 _ <<<"$entry"
	name=$w1
	if [ "$(ctl "$w1" --help 2>&1 | head -n 1)" = "usage: outreachctl $opts $w1 COMMAND ..." ]; then
		name="$w1 $w2"
		[[ " ${groups[*]} " = *" $w1 "* ]] || groups+=("$w1")
	elif [[ $w2 =~ ^[a-z]+$ ]] &&
		[ "$(ctl "$w1" "$w2" --help 2>&1 | head -n 1)" = "usage: outreachctl $entry" ]; then
		name="$w1 $w2"	# a command of a group that is a command too (outbox)
	fi
	names+=("$name")
	# shellcheck disable=SC2086
	out=$(ctl $name --help)
	t_is "$?" 0 "$name --help exits 0"
	t_is "$out" "usage: outreachctl $entry"$'\n'"  $text" \
		"$name --help: the usage and help that --help lists"
done
t_like "${#names[@]}" '^[1-9][0-9]+$' "--help lists ${#names[@]} commands"
t_like " ${groups[*]} " " customer rep contact task " "the groups, in order"

for g in "${groups[@]}"; do
	want=$(grep -A1 "^  $g " <<<"$help" | grep -v '^--$')
	out=$(ctl "$g" --help)
	t_is "$?" 0 "$g --help exits 0"
	t_is "$out" "usage: outreachctl $opts $g COMMAND ..."$'\n'"commands:"$'\n'"$want" \
		"$g --help: the group's lines of --help"
	ctl "$g" >/dev/null 2>&1
	t_is "$?" 64 "$g without a command: EX_USAGE"
	ctl "$g" frobnicate >/dev/null 2>&1
	t_is "$?" 64 "$g frobnicate: EX_USAGE"
done
ctl help --frobnicate >/dev/null 2>&1
t_is "$?" 64 "help with an unknown option: EX_USAGE"

# The manual: every .It line of the COMMANDS list (not of the lists nested
# in it) against the table's, in the table's order.
mdoc=$(ctl help --mdoc)
t_is "$?" 0 "help --mdoc exits 0"
t_is "$(wc -l <<<"$mdoc")" "${#names[@]}" "help --mdoc: one line per listed command"
inman=$(awk '/^\.Sh / { s = ($2 == "COMMANDS"); next }
	s && /^\.Bl/ { d++ } s && /^\.El/ { d-- }
	s && d == 1 && /^\.It / { print }' "$man")
while IFS= read -r l; do
	if grep -qxF -- "$l" <<<"$inman"; then
		t_pass "outreachctl.1 has: $l"
	else
		t_fail "outreachctl.1 has: $l"
		t_diag "COMMANDS has no such .It line (see outreachctl help --mdoc)"
	fi
done <<<"$mdoc"
if ! t_is "$inman" "$mdoc" "outreachctl.1 lists the table's commands, in order"; then
	t_diag "$(diff <(echo "$mdoc") <(echo "$inman"))"
fi
t_done

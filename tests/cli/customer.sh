#!/bin/bash
# outreachctl's customer, rep, contact and stats commands; exit codes,
# --help and --json.
. "${top_srcdir:-.}/tests/lib.sh" 2>/dev/null || . "$(dirname "$0")/../lib.sh"
CTL=${OUTREACHCTL:-outreachctl}
dir=$(t_tmpdir)
db=$(t_store "$dir/o.db")
ctl() { "$CTL" --db "$db" "$@"; }
rc() { "$@" >/dev/null 2>&1; echo $?; }

t_like "$("$CTL" --version)" "^outreachctl \\(outreachd\\) [0-9]" "--version"
t_like "$("$CTL" --help)" "customer list \\[--tier T\\].*customer forget ID" "--help lists commands"
t_is "$(rc "$CTL")" 64 "no command: EX_USAGE"
t_is "$(rc "$CTL" frobnicate)" 64 "unknown command: EX_USAGE"
for c in "import" "customer list" "customer show" "customer add" "customer set" \
	"customer forget" "rep add" "rep list" "contact log" "stats" "init"; do
	t_is "$(rc ctl $c --help)" 0 "$c --help exits 0"
done
t_like "$(ctl contact log --help)" "usage: outreachctl contact log CUSTOMER --kind" "contact log --help text"

t_like "$(ctl init)" "schema version [0-9]+" "init creates the store"
t_is "$(rc ctl rep add li --name '李娜' --phone "+86 139 1000 2000")" 0 "rep add"
t_is "$(ctl rep list --json | js 'd[0]["key"], d[0]["name"], d[0]["phone"]')" "li 李娜 +8613910002000" \
	"rep list --json, phone normalised"
t_is "$(rc ctl rep add 'bad key' --name x)" 65 "bad rep key: EX_DATAERR"

t_is "$(rc ctl customer add C1 name=Wang\ Li email=wl@example.test birthday=--05-20 \
	rep=li tier=a attr.hobby=fishing)" 0 "customer add"
t_is "$(rc ctl customer add C1 name=Again)" 65 "adding an existing customer: EX_DATAERR"
t_is "$(rc ctl customer add C2 email=x@example.test)" 64 "add without name: EX_USAGE"
t_is "$(rc ctl customer add C2 name=X rep=ghost)" 65 "add with unknown rep: EX_DATAERR"
t_is "$(rc ctl customer add C2 name=X birthday=2023-02-29)" 65 "add with bad date: EX_DATAERR"
t_is "$(rc ctl customer add C2 name=X colour=red)" 64 "unknown field: EX_USAGE"
j=$(ctl customer show C1 --json)
t_is "$(echo "$j" | js 'd["name"], d["tier"], d["tier_manual"], d["birthday"], d["attrs"]["hobby"]')" \
	"Wang Li A A --05-20 fishing" "customer show --json"
t_is "$(rc ctl customer set C1 tier= email=new@example.test attr.kids=2)" 0 "customer set"
j=$(ctl customer show C1 --json)
t_is "$(echo "$j" | js 'd["tier"], d["tier_manual"], d["email"], d["attrs"]["kids"], d["attrs"]["hobby"]')" \
	"C None new@example.test 2 fishing" "set clears tier, changes e-mail, adds an attribute"
t_is "$(rc ctl customer set C9 name=x)" 65 "set on a missing customer: EX_DATAERR"
t_like "$(ctl customer show C1)" "attr.hobby +fishing" "plain show lists attributes"

t_is "$(rc ctl contact log C1 --kind visit --date 2026-10-01 --note 'tea' --rep li)" 0 "contact log"
t_is "$(rc ctl contact log C1 --kind party)" 64 "bad kind: EX_USAGE"
t_is "$(rc ctl contact log C1 --kind call --date 2026-13-01)" 64 "bad date: EX_USAGE"
t_is "$(rc ctl contact log NOPE --kind call)" 65 "unknown customer: EX_DATAERR"
t_is "$(ctl customer show C1 --json | js 'd["last_contact"]')" 2026-10-01 "contact sets last_contact"

t_is "$(rc ctl customer add C2 name=张三 opt_out=all phone=13800138000)" 0 "second customer"
s=$(ctl stats --json)
t_is "$(echo "$s" | js 'd["customers"], d["with_birthday"], d["without_birthday"], d["opted_out"]["all"], d["contacts"]')" \
	"2 1 1 1 1" "stats --json counts"
t_is "$(echo "$s" | js 'd["by_rep"]')" "{'(none)': 1, 'li': 1}" "stats by rep"
t_like "$(ctl stats)" "customers: +2" "plain stats"
t_is "$(ctl customer list | wc -l)" 3 "plain list has a header and two rows"
t_is "$(ctl customer list --tier C --json | js 'len(d)')" 2 "list --tier"

t_like "$(ctl customer forget C1)" "erased customer C1" "forget"
t_is "$(rc ctl customer show C1)" 65 "forgotten customer is gone"
t_is "$(ctl stats --json | js 'd["contacts"]')" 0 "its history is gone too"
t_is "$(rc ctl customer forget C1)" 65 "forgetting twice: EX_DATAERR"

# Configuration: errors name file and line; check-config exits EX_CONFIG.
printf 'store = "%s";\ncountry_code = "44";\ntimezone = "Europe/London";\ntemplates = "%s";\n' \
	"$db" "$(cd "$(dirname "$0")/../.." && pwd)/templates" >"$dir/ok.conf"
t_like "$("$CTL" -c "$dir/ok.conf" check-config)" "ok.conf: ok" "check-config on a valid file"
t_is "$("$CTL" -c "$dir/ok.conf" customer add UK1 name=Bob phone='020 7946 0958' >/dev/null &&
	"$CTL" -c "$dir/ok.conf" customer show UK1 --json | js 'd["phone"]')" "+442079460958" \
	"country_code from the config drives phone normalisation"
printf 'store = "x.db";\ncolour = "red";\ntimezone = "Mars/Olympus";\n' >"$dir/bad.conf"
out=$("$CTL" -c "$dir/bad.conf" check-config 2>&1); code=$?
t_is "$code" 78 "bad config: EX_CONFIG"
t_like "$out" 'bad.conf:2: unknown setting "colour"' "unknown setting with line"
t_like "$out" 'bad.conf:3: unknown time zone "Mars/Olympus"' "bad zone with line"
printf 'store = "x.db"\ntimezone = ;\n' >"$dir/syntax.conf"
t_like "$("$CTL" -c "$dir/syntax.conf" check-config 2>&1)" "syntax.conf:2: syntax error" "syntax error with line"
t_done

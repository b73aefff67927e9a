#!/bin/bash
# Files as spreadsheets save them: GB18030 (detected) and other encodings
# (--encoding), UTF-8 with a byte order mark, Chinese headers through
# import.columns, trailing empty columns, empty rows, the date forms, and
# an .xlsx through xlsx2csv on standard input.
. "${top_srcdir:-.}/tests/lib.sh" 2>/dev/null || . "$(dirname "$0")/../lib.sh"
CTL=${OUTREACHCTL:-outreachctl}
top=$(cd "$(dirname "$0")/../.." && pwd)
dir=$(t_tmpdir)
db=$(t_store "$dir/o.db")
printf 'store = "%s";\ncountry_code = "86";\n' "$db" >"$dir/o.conf"
ctl() { "$CTL" -c "$dir/o.conf" "$@"; }
name_of() { ctl customer show "$1" --json | js 'd["name"]'; }
field() { ctl customer show "$1" --json | js "d[\"$2\"]"; }

ctl init >/dev/null
t_ok "rep add li" ctl rep add li --name "李娜"

# What Excel on a Chinese Windows PC saves: GB18030, CRLF, Chinese headers
# (the built-in import.columns), two empty columns at the end, a row of
# commas, an empty line, dates written 1980/3/5, 1980年3月5日 and 3月5日.
{
	printf '客户编号,姓名,生日,手机,客户经理,备注,,\r\n'
	printf 'G001,张伟,1980/3/5,138 0013 8000,li,老客户,,\r\n'
	printf ',,,,,,,\r\n'
	printf 'G002,王芳,1975年12月1日,13900139000,,"喜欢茶，不喝咖啡",,\r\n'
	printf '\r\n'
	printf 'G003,刘洋,3月5日,,,,,\r\n'
	printf 'G004,陈静,农历八月十五,,,,,\r\n'
} >"$dir/utf8.csv"
iconv -f UTF-8 -t GB18030 "$dir/utf8.csv" >"$dir/gbk.csv"
t_is "$(iconv -f UTF-8 -t UTF-8 "$dir/gbk.csv" >/dev/null 2>&1; echo $?)" 1 \
	"the GB18030 file is not UTF-8"
out=$(ctl import customers "$dir/gbk.csv" 2>&1); rc=$?
t_is "$rc" 0 "a GB18030 export imports"
t_is "$(printf '%s\n' "$out" | grep -c 'read as GB18030')" 1 "the import says once that it read GB18030"
t_like "$out" "imported 4 customers from .*gbk.csv.*; 2 empty rows skipped" \
	"empty rows are skipped and counted"
t_is "$(name_of G002)" "王芳" "Chinese text converted to UTF-8"
t_is "$(field G001 birthday) $(field G002 birthday) $(field G003 birthday) $(field G004 birthday)" \
	"1980-03-05 1975-12-01 --03-05 L:08-15" "1980/3/5, 1980年12月1日, 3月5日 and 农历八月十五"
t_is "$(field G001 phone) $(field G001 rep) $(field G001 notes)" "+8613800138000 li 老客户" \
	"手机, 客户经理 and 备注 are phone, rep and notes"
t_is "$(field G002 notes)" "喜欢茶，不喝咖啡" "a quoted cell with a full-width comma"

# A GB18030 file whose header is broken: the note comes with the error.
printf '客户编号,"姓名\r\nG001,张伟\r\n' | iconv -f UTF-8 -t GB18030 >"$dir/gbk-bad.csv"
out=$(ctl import customers "$dir/gbk-bad.csv" 2>&1); rc=$?
t_is "$rc" 65 "a GB18030 file whose header is broken is refused"
t_like "$out" "read as GB18030" "saying first how it was read"
t_like "$out" "gbk-bad.csv: line 1, column 2: .*quote" "and what is wrong with the header"

# The same as UTF-8 with a byte order mark (made with iconv): no note.
iconv -f UTF-8 -t UTF-8 "$dir/utf8.csv" | { printf '\357\273\277'; cat; } >"$dir/bom.csv"
out=$(ctl import customers "$dir/bom.csv" 2>&1)
t_like "$out" "imported 4 customers" "UTF-8 with a byte order mark imports"
t_unlike "$out" "read as" "UTF-8 is not announced"
out=$(ctl import customers --encoding GBK "$dir/gbk.csv" 2>&1)
t_like "$out" "imported 4 customers" "--encoding GBK reads the same file"
t_unlike "$out" "read as" "a named encoding is not announced"

# A file in neither: one error, with row, column, byte and the option.
printf 'external_id,name,notes\nL001,Zoe,ok\nL002,Chlo\351,caf\351\nL003,Ren\351e,x\n' >"$dir/latin1.csv"
out=$(ctl import customers "$dir/latin1.csv" 2>&1); rc=$?
t_is "$rc" 65 "a Latin-1 file is refused"
t_is "$(printf '%s\n' "$out" | grep -c .)" 1 "with one error line, not one per row"
t_like "$out" "latin1.csv:3:2: name: neither UTF-8 nor GB18030: byte 0xe9 at offset 44; .*--encoding" \
	"the error names the row, the column, the byte and --encoding"
t_is "$(ctl stats --json | js 'd["customers"]')" 4 "nothing of it was written"
out=$(ctl import customers --encoding LATIN1 "$dir/latin1.csv" 2>&1)
t_like "$out" "imported 3 customers" "--encoding LATIN1 imports it"
t_is "$(name_of L002)" "Chloé" "converted from Latin-1"
out=$(ctl import customers --encoding UTF-8 "$dir/gbk.csv" 2>&1); rc=$?
t_like "$out" "gbk.csv:1:1: not UTF-8: byte 0xbf at offset 0" "--encoding UTF-8 does not fall back"
out=$(ctl import customers --encoding NO-SUCH "$dir/gbk.csv" 2>&1); rc=$?
t_like "$out" 'unknown encoding "NO-SUCH"' "an unknown encoding name"
printf 'external_id,name\nU001,UTF-16 文件\n' | iconv -f UTF-8 -t UTF-16 >"$dir/u16.csv"
out=$(ctl import customers "$dir/u16.csv" 2>&1)
t_like "$out" "starts like UTF-16: try --encoding UTF-16" "a UTF-16 file gets a hint"
t_like "$(ctl import customers --encoding UTF-16 "$dir/u16.csv" 2>&1)" "imported 1 customers" \
	"and imports with --encoding UTF-16"

# Day and month either way round: refused unless --date-order.
printf 'external_id,name,birthday,anniversary\nD001,Amy,3/5/1980,12/31/2010\n' >"$dir/us.csv"
out=$(ctl import customers "$dir/us.csv" 2>&1); rc=$?
t_is "$rc" 65 "3/5/1980 without --date-order is refused"
t_like "$out" 'us.csv:2:3: birthday: "3/5/1980": day and month could be either way round.*--date-order dmy or mdy' \
	"with a hint"
t_ok "--date-order mdy" ctl import customers --date-order mdy "$dir/us.csv"
t_is "$(field D001 birthday) $(field D001 anniversary)" "1980-03-05 2010-12-31" "read month first"
t_fails "--date-order dmy: 12/31 has no month 31" ctl import customers --date-order dmy "$dir/us.csv"
t_like "$T_OUT" 'us.csv:2:4: anniversary: "12/31/2010": month must be 1..12' "the row says why"
out=$(ctl import customers --date-order ymd "$dir/us.csv" 2>&1); rc=$?
t_is "$rc" 64 "an unknown date order is a usage error"

# Rows number as the spreadsheet shows them, empty rows counted; a value
# under a column without a name is refused.
printf 'external_id,name,birthday,,\n\nE001,Ann,1980-02-30,,\n,,,,\nE002,Bob,,,oops\n' >"$dir/rows.csv"
out=$(ctl import customers "$dir/rows.csv" 2>&1)
t_like "$out" 'rows.csv:3:3: birthday: "1980-02-30": no such day' "row 3: the empty line counts"
t_like "$out" 'rows.csv:5: column 5 holds "oops" but has no name in the header' \
	"a value under an unnamed column"
printf 'external_id,,name\nE003,,Cid\n' >"$dir/hole.csv"
t_like "$(ctl import customers "$dir/hole.csv" 2>&1)" "hole.csv:1:2: : a column without a name" \
	"an empty header cell before named ones"

# import.columns from the configuration: a custom attribute by its Chinese
# header, history columns by theirs; the same header twice is an error.
cat >"$dir/cols.conf" <<CONF
store = "$db";
country_code = "86";
import: {
  columns = (
    { column = "external_id"; headers = ["编号"]; },
    { column = "name"; headers = ["姓名"]; },
    { column = "hobby"; headers = ["爱好"]; },
    { column = "amount"; headers = ["金额"]; },
    { column = "date"; headers = ["日期"]; }
  );
};
CONF
printf '编号,姓名,爱好\nH001,黄磊,书法\n' >"$dir/attr.csv"
t_ok "a mapped attribute header" "$CTL" -c "$dir/cols.conf" import customers "$dir/attr.csv"
t_is "$(ctl customer show H001 --json | js 'd["attrs"]["hobby"]')" "书法" "爱好 is the attribute hobby"
printf '编号,金额,日期\nH001,88.50,2026/3/1\n' >"$dir/pur.csv"
t_like "$("$CTL" -c "$dir/cols.conf" import purchases "$dir/pur.csv" 2>&1)" "imported 1 purchases" \
	"金额 and 日期 in a purchases file"
t_is "$(ctl customer show H001 --json | js 'd["last_purchase"]')" "2026-03-01" "the slash date of a purchase"
printf '编号,external_id,姓名\nH002,H002,x\n' >"$dir/twice.csv"
t_like "$("$CTL" -c "$dir/cols.conf" import customers "$dir/twice.csv" 2>&1)" \
	"twice.csv:1:2: external_id: the same column as column 1 \\(external_id\\)" "a column given twice"

# An .xlsx through xlsx2csv (Debian's xlsx2csv) on standard input.
if command -v xlsx2csv >/dev/null && "$T_PY" -c 'import openpyxl' 2>/dev/null; then
	"$T_PY" - "$dir/book.xlsx" <<'PY'
import datetime, sys, openpyxl
wb = openpyxl.Workbook()
ws = wb.active
ws.append(["客户编号", "姓名", "生日", "手机"])
ws.append(["X001", "张伟", datetime.date(1980, 3, 5), "13800138000"])
ws.append(["X002", "Mary Smith", "1975/12/1", 13900139000])
ws.append([None, None, None, None])
ws.append(["X003", "李娜", "农历正月初八", None])
wb.save(sys.argv[1])
PY
	out=$(xlsx2csv "$dir/book.xlsx" | ctl import customers - 2>&1)
	t_like "$out" "imported 3 customers from <stdin>.*; 1 empty row skipped" "xlsx2csv BOOK | import customers -"
	t_is "$(field X001 birthday) $(field X002 phone) $(field X003 birthday)" \
		"1980-03-05 +8613900139000 L:01-08" "dates and numbers from the workbook"
else
	t_skip 2 "xlsx2csv or python3-openpyxl missing (scripts/bootstrap installs them)"
fi
t_done

#!/usr/bin/env python3
"""explain.py - the query plans of the planner's statements.

  explain.py sqlite STORE_PLAN_C DB
  explain.py pg <SERVER_LOG

sqlite: EXPLAIN QUERY PLAN of every planner query, taken from the source
(src/store_plan.c, plan_sql[] and the revisit queries as the planner
runs them, with the last contact's kind, kind_sql[]; src/store_keydate.c,
keydate_sql[]; the columns of src/store_schema.h), run with the sqlite3 CLI on a
store.  The statements keep their ?N parameters (the CLI binds none, which
does not change the plan), so what is explained is exactly what the
planner prepares.

pg: the EXPLAIN (ANALYZE, BUFFERS) that PostgreSQL's auto_explain logged
for each statement `outreachctl plan` ran (bench/run.sh, pg_explain: the
keys bound are the planner's), one after the other, each headed by its
SQL; then a line per statement that read a table with a sequential scan,
or "no sequential scan"."""
import re
import subprocess
import sys


def pg_main():
    entries, cur = [], None
    for line in sys.stdin:
        if re.search(r"LOG:  duration: [0-9.]+ ms  plan:", line):
            cur = {"ms": re.search(r"duration: ([0-9.]+) ms", line).group(1),
                   "lines": []}
            entries.append(cur)
        elif cur is not None and line.startswith(("\t", " ")):
            cur["lines"].append(line.rstrip("\n").replace("\t", "    ", 1))
        else:
            cur = None
    seq = []
    for e in entries:
        text = [l for l in e["lines"] if l.strip().startswith("Query Text:")]
        sql = text[0].split("Query Text:", 1)[1].strip() if text else "?"
        print("== %s ms: %s" % (e["ms"], sql))
        for l in e["lines"]:
            if "Query Text:" not in l:
                print(l)
        print()
        for l in e["lines"]:
            m = re.search(r"Seq Scan on (\w+).*actual time=\S+ rows=(\d+)", l)
            if m:
                seq.append("%s (%s rows)" % (m.group(1), m.group(2)))
    counts = {}
    for t in seq:
        counts[t.split()[0]] = counts.get(t.split()[0], 0) + 1
    print("%d statements explained; sequential scans: %s" % (
        len(entries), ", ".join("%s x%d" % kv for kv in sorted(counts.items()))
        or "none"))


if len(sys.argv) >= 2 and sys.argv[1] == "pg":
    pg_main()
    sys.exit(0)
if len(sys.argv) == 4 and sys.argv[1] == "sqlite":
    del sys.argv[1]
src = open(sys.argv[1], encoding="utf-8").read()
db = sys.argv[2]


def literals(text):
    return "".join(m.group(1) for m in re.finditer(r'"((?:[^"\\]|\\.)*)"', text))


srcdir = sys.argv[1].rsplit("/", 1)[0] if "/" in sys.argv[1] else "."
header = open(srcdir + "/store_schema.h", encoding="utf-8").read()
columns = literals(re.search(r'#define STORE_CAND_COLUMNS\s*((?:\\\n|[^\n])*)',
                             header).group(1))


def define(text, name):
    """A #define of string literals, with STORE_CAND_COLUMNS put in."""
    m = re.search(r'#define ' + name + r'\s*((?:\\\n|[^\n])*)', text)
    return literals(m.group(1).replace("STORE_CAND_COLUMNS",
                                       '"%s"' % columns))


def statement(expr, prefix, macro):
    """One table entry: MACRO "..." or MACRO_BY("index") "..." (the index
    named with INDEXED BY after the first table)."""
    by = re.match(r'\s*' + macro + r'_BY\("(\w+)"\)(.*)', expr, re.S)
    if by:
        return (prefix.replace(" c ", " c INDEXED BY %s " % by.group(1), 1)
                + literals(by.group(2)))
    return (prefix if macro in expr else "") + literals(expr)


def table(text, array, enum, prefix, macro):
    body = re.search(array + r'\[' + enum + r'\]\s*=\s*\{(.*?)\n\};', text,
                     re.S).group(1)
    body = re.sub(r'/\*.*?\*/', '', body, flags=re.S)
    return [(name, statement(expr, prefix, macro))
            for name, expr in re.findall(r'\[(\w+)\]\s*=\s*(.*?),\n',
                                         body + "\n", re.S)]


stmts = table(src, "plan_sql", "PQ_COUNT", define(src, "CAND_SELECT"),
              "CAND_SELECT")
kd = open(srcdir + "/store_keydate.c", encoding="utf-8").read()
stmts += table(kd, "keydate_sql", "KQ_COUNT", define(kd, "KD_SELECT"),
               "KD_SELECT")


def expand(tokens, macros):
    """The text of string literals and the macros among them."""
    out = []
    for t in tokens:
        if t.startswith('"'):
            out.append(literals(t))
        elif t in macros:
            out.append(expand(re.findall(r'"(?:[^"\\]|\\.)*"|\w+',
                                         macros[t]), macros))
    return "".join(out)


def kind_table(text):
    """kind_sql[][]: the revisit queries as the planner runs them, with
    the last contact's kind (the first, SQLite's, text of each pair)."""
    body = re.search(r'kind_sql\[2\]\[2\]\s*=\s*\{(.*?)\n\};', text,
                     re.S).group(1)
    macros = {"STORE_CAND_COLUMNS": '"%s"' % columns}
    for name in ("CAND_KIND", "CAND_SELECT_K", "REVISIT_WHERE"):
        m = re.search(r'#define ' + name + r'\s*((?:\\\n|[^\n])*)', text)
        macros[name] = m.group(1).replace("\\\n", " ")
    toks = re.findall(r'"(?:[^"\\]|\\.)*"|\w+|[{},]', body)
    pairs, cur, depth = [], [[]], 0
    for t in toks:
        if t == "{":
            depth += 1
            cur = [[]]
        elif t == "}":
            depth -= 1
            pairs.append(cur)
        elif t == "," and depth == 1:
            cur.append([])
        elif depth == 1:
            cur[-1].append(t)
    return [("%s (planner, with the kind)" % n, expand(p[0], macros))
            for n, p in zip(("PQ_REVISIT", "PQ_REVISIT_NEXT"), pairs)]


stmts += kind_table(src)
# The per-candidate lookups (dedup key, frequency cap) run once per item.
for fn in ("store_plan_exists", "store_plan_messages"):
    f = re.search(fn + r'\(.*?\n\}', src, re.S).group(0)
    q = re.search(r'one_int\(st,\s*(?:\w+,\s*)?((?:"(?:[^"\\]|\\.)*"\s*)+)',
                  f)
    stmts.append((fn, literals(q.group(1))))
for name, sql in stmts:
    print("== %s\n%s" % (name, sql))
    out = subprocess.run(["sqlite3", "-readonly", db,
                          "EXPLAIN QUERY PLAN " + sql],
                         capture_output=True, text=True)
    print(out.stdout + out.stderr)

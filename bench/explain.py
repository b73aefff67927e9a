#!/usr/bin/env python3
"""explain.py - EXPLAIN QUERY PLAN of every planner query, taken from the
source (src/store_plan.c, plan_sql[], and src/store_keydate.c,
keydate_sql[], with the columns of src/store_schema.h), run with the
sqlite3 CLI on a store.

  explain.py STORE_PLAN_C DB

The statements keep their ?N parameters (the CLI binds none, which does not
change the plan), so what is explained is exactly what the planner
prepares."""
import re
import subprocess
import sys

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


def table(text, array, enum, prefix, macro):
    body = re.search(array + r'\[' + enum + r'\]\s*=\s*\{(.*?)\n\};', text,
                     re.S).group(1)
    return [(name, (prefix if macro in expr else "") + literals(expr))
            for name, expr in re.findall(r'\[(\w+)\]\s*=\s*(.*?),\n',
                                         body + "\n", re.S)]


stmts = table(src, "plan_sql", "PQ_COUNT", define(src, "CAND_SELECT"),
              "CAND_SELECT")
kd = open(srcdir + "/store_keydate.c", encoding="utf-8").read()
stmts += table(kd, "keydate_sql", "KQ_COUNT", define(kd, "KD_SELECT"),
               "KD_SELECT")
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

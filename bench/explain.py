#!/usr/bin/env python3
"""explain.py - EXPLAIN QUERY PLAN of every planner query, taken from the
source (src/store_plan.c, plan_sql[]), run with the sqlite3 CLI on a store.

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


m = re.search(r'#define CAND_SELECT\s*((?:\\\n|[^\n])*)', src)
cand = literals(m.group(1))
body = re.search(r'plan_sql\[PQ_COUNT\]\s*=\s*\{(.*?)\n\};', src, re.S).group(1)
stmts = [(name, (cand if "CAND_SELECT" in expr else "") + literals(expr))
         for name, expr in re.findall(r'\[(PQ_\w+)\]\s*=\s*(.*?),\n',
                                      body + "\n", re.S)]
# The per-candidate lookups (dedup key, frequency cap) run once per item.
for fn in ("store_plan_exists", "store_plan_messages"):
    f = re.search(fn + r'\(.*?\n\}', src, re.S).group(0)
    q = re.search(r'one_int\(st,\s*((?:"(?:[^"\\]|\\.)*"\s*)+)', f)
    stmts.append((fn, literals(q.group(1))))
for name, sql in stmts:
    print("== %s\n%s" % (name, sql))
    out = subprocess.run(["sqlite3", "-readonly", db,
                          "EXPLAIN QUERY PLAN " + sql],
                         capture_output=True, text=True)
    print(out.stdout + out.stderr)

#!/usr/bin/env python3
"""report.py - the table of bench/run.sh from its raw samples.

  report.py RESULTS_DIR      (reads samples.txt and meta.txt, prints Markdown)

Every figure is "median [min-max] (n)" over the runs; ratios are of the
medians.  Rates are computed per run (rows / seconds) before the median."""
import os
import re
import statistics
import sys
from collections import defaultdict

R = sys.argv[1]
samples = defaultdict(list)
for line in open(os.path.join(R, "samples.txt")):
    p = line.split()
    if len(p) == 3:
        try:
            samples[(p[0], p[1])].append(float(p[2]))
        except ValueError:
            pass
meta = {}
for line in open(os.path.join(R, "meta.txt")):
    k, _, v = line.rstrip("\n").partition(" ")
    meta[k] = v


def get(label, metric):
    return samples.get((label, metric), [])


def med(v):
    return statistics.median(v) if v else None


def fmt(x, unit=""):
    if x is None:
        return "–"
    if abs(x) >= 100:
        s = "{:,.0f}".format(x)
    elif abs(x) >= 10:
        s = "{:.1f}".format(x)
    else:
        s = "{:.2f}".format(x)
    return s + unit


def stat(v, unit="", scale=1.0):
    if not v:
        return "–"
    v = [x * scale for x in v]
    return "%s [%s–%s] (%d)" % (fmt(med(v), unit), fmt(min(v)), fmt(max(v)),
                                len(v))


def rates(label, n, metric="wall_ms"):
    """Per-run rates n / seconds from a wall time in ms."""
    return [n / (w / 1000.0) for w in get(label, metric) if w > 0]


def ratio(a, b):
    return a / b if a is not None and b not in (None, 0) else None


def one(label, metric="n"):
    v = get(label, metric)
    return int(v[-1]) if v else None


def size_name(n):
    n = int(n)
    return "%dM" % (n // 1000000) if n % 1000000 == 0 else (
        "%dk" % (n // 1000) if n % 1000 == 0 else str(n))


out = []
w = out.append
verdicts = []


def verdict(name, ok, measured):
    verdicts.append((name, "–" if ok is None else ("met" if ok else "**MISSED**"),
                     measured))


sizes = [int(s) for s in meta.get("sizes", "").split()]
largest = max(sizes) if sizes else None
w("Run %s; planned day %s; %s runs per figure; %s s in all." % (
    meta.get("date_run", "?"), meta.get("bench_date", "?"), meta.get("runs", "?"),
    meta.get("seconds", "?")))
w("")
w("Machine: %s cores (`nproc`), %s, %s GB RAM, Linux %s; SQLite %s, curl %s, "
  "remind %s; load average %s at the start, %s at the end (the machine is "
  "shared)." % (meta.get("nproc"), meta.get("cpu"), meta.get("mem_gb"),
               meta.get("kernel"), meta.get("sqlite"), meta.get("curl"),
               meta.get("remind"), meta.get("load_start"),
               meta.get("load_end", "?")))
w("")
w("Figures: median [min–max] (runs).")
w("")

# ------------------------------------------------------------ import
n = one("import-rows-%s" % largest) if largest else None
if n:
    ctl = rates("import-ctl-%d" % n, n)
    plain = rates("import-sqlite-%d" % n, n)
    uniq = rates("import-sqliteuniq-%d" % n, n)
    w("### Import (%s customer rows, one CSV)" % size_name(n))
    w("")
    w("| what | rows/s | wall s | peak RSS MB | vs outreachctl |")
    w("|---|---|---|---|---|")
    w("| `outreachctl import customers` (the store's schema: 12 indexes on "
      "customers incl. UNIQUE external_id, upsert, custom attributes) | %s | %s | %s | 1 |" % (
          stat(ctl), stat(get("import-ctl-%d" % n, "wall_ms"), scale=1e-3),
          stat(get("import-ctl-%d" % n, "rss_kb"), scale=1 / 1024)))
    w("| baseline: `sqlite3 .import` into a new table, same 15 columns, no "
      "index | %s | %s | %s | %s× faster |" % (
          stat(plain), stat(get("import-sqlite-%d" % n, "wall_ms"), scale=1e-3),
          stat(get("import-sqlite-%d" % n, "rss_kb"), scale=1 / 1024),
          fmt(ratio(med(plain), med(ctl)))))
    w("| baseline: `sqlite3 .import`, same columns, UNIQUE index on "
      "external_id only | %s | %s | %s | %s× faster |" % (
          stat(uniq), stat(get("import-sqliteuniq-%d" % n, "wall_ms"), scale=1e-3),
          stat(get("import-sqliteuniq-%d" % n, "rss_kb"), scale=1 / 1024),
          fmt(ratio(med(uniq), med(ctl)))))
    again = rates("import-again-%d" % n, n)
    if again:
        w("| `outreachctl import customers` of the same file again (every "
          "row there already: nothing written) | %s | %s | %s | %s× faster |" % (
              stat(again), stat(get("import-again-%d" % n, "wall_ms"), scale=1e-3),
              stat(get("import-again-%d" % n, "rss_kb"), scale=1 / 1024),
              fmt(ratio(med(again), med(ctl)))))
    w("")
pn = one("import-pg-rows")
if pn:
    pg = rates("import-pg-%d" % pn, pn)
    lite = rates("import-pglite-%d" % pn, pn)
    w("### Import into PostgreSQL (the first %s rows of the same file, run by "
      "run with SQLite)" % size_name(pn))
    w("")
    w("| what | rows/s | wall s | peak RSS MB | vs SQLite |")
    w("|---|---|---|---|---|")
    w("| `outreachctl import customers` into SQLite | %s | %s | %s | 1 |" % (
        stat(lite), stat(get("import-pglite-%d" % pn, "wall_ms"), scale=1e-3),
        stat(get("import-pglite-%d" % pn, "rss_kb"), scale=1 / 1024)))
    w("| `outreachctl import customers` into PostgreSQL (private server, "
      "fsync off; a first import: COPY into the tables) | %s | %s | %s | %s× |" % (
        stat(pg), stat(get("import-pg-%d" % pn, "wall_ms"), scale=1e-3),
        stat(get("import-pg-%d" % pn, "rss_kb"), scale=1 / 1024),
        fmt(ratio(med(pg), med(lite)))))
    w("")
    verdict("import into PostgreSQL at least as fast as into SQLite "
            "(%s rows)" % size_name(pn),
            med(pg) >= med(lite) if pg and lite else None,
            "%s× (%s vs %s rows/s)" % (fmt(ratio(med(pg), med(lite))),
                                        fmt(med(pg)), fmt(med(lite))))
rss = []
for label in sorted({l for (l, m) in samples if l.startswith("import-rss-rows-")},
                    key=lambda l: int(l.rsplit("-", 1)[1])):
    k = int(label.rsplit("-", 1)[1])
    kb = get("import-rss-%d" % k, "rss_kb")
    wall = get("import-rss-%d" % k, "wall_ms")
    if kb:
        rss.append("%s rows %.1f MB (%.1f s)" % (size_name(k), kb[-1] / 1024,
                                                 wall[-1] / 1000 if wall else 0))
if rss:
    w("Import peak RSS, one untimed run each (customers only, goal under "
      "64 MB whatever the size): " + "; ".join(rss) + ".")
    w("")
build = []
for s in sizes:
    for what in ("customers", "purchases", "contacts", "tiers"):
        v = get("build-%s-%d" % (what, s), "wall_ms")
        if v:
            build.append("%s %s %.1f s" % (size_name(s), what, v[-1] / 1000))
if build:
    w("Store build, one run each (not part of the figures): " + "; ".join(build) + ".")
    w("")

# ------------------------------------------------------------ plan
if any(get("plan-ctl-%d" % s, "wall_ms") for s in sizes):
    w("### Planning one day (`outreachctl plan --date D`, writes nothing)")
    w("")
    w("| customers | items | `outreachctl plan` ms | peak RSS MB | planner_run ms "
      "(in process) | raw queries ms (in process) | planner / raw | raw-query "
      "process ms | remind ms (birthdays only) | remind / plan | birthday-only "
      "plan ms | remind / birthday-only plan |")
    w("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for s in sizes:
        pc = get("plan-ctl-%d" % s, "wall_ms")
        if not pc:
            continue
        pl = get("inproc-%d-planner" % s, "ms")
        rw = get("inproc-%d-raw" % s, "ms")
        rp = get("plan-raw-%d" % s, "wall_ms")
        rm = get("remind-%d" % s, "wall_ms")
        bd = get("plan-bday-%d" % s, "wall_ms")
        w("| %s | %s | %s | %s | %s | %s | %s× | %s | %s | %s× | %s | %s× |" % (
            size_name(s), one("plan-items-%d" % s), stat(pc),
            stat(get("plan-ctl-%d" % s, "rss_kb"), scale=1 / 1024), stat(pl),
            stat(rw), fmt(ratio(med(pl), med(rw))), stat(rp), stat(rm),
            fmt(ratio(med(rm), med(pc))), stat(bd), fmt(ratio(med(rm), med(bd)))))
        if s == largest:
            verdict("day's plan at %s within 3× of the raw indexed queries "
                    "(planner_run vs raw, same process)" % size_name(s),
                    ratio(med(pl), med(rw)) <= 3 if pl and rw else None,
                    "%s× (%s ms vs %s ms)" % (fmt(ratio(med(pl), med(rw))),
                                              fmt(med(pl)), fmt(med(rw))))
            verdict("  … as whole processes (`outreachctl plan` vs raw-query "
                    "process)", ratio(med(pc), med(rp)) <= 3 if rp else None,
                    "%s× (%s ms vs %s ms)" % (fmt(ratio(med(pc), med(rp))),
                                              fmt(med(pc)), fmt(med(rp))))
            # Like for like: remind finds the day's birthdays; the plan
            # with the birthday rule alone does that (and more: lunar
            # birthdays, dedup, channels).  The whole day (14 rules, the
            # revisits) is shown beside it.
            verdict("day's plan at %s ≥ 10× faster than remind on the same "
                    "birthdays (`outreachctl plan`, birthday rule)" % size_name(s),
                    ratio(med(rm), med(bd)) >= 10 if rm and bd else None,
                    "%s× (remind %s ms, plan %s ms); the whole day, all 14 rules: "
                    "%s× (%s ms)" % (
                        fmt(ratio(med(rm), med(bd))), fmt(med(rm)), fmt(med(bd)),
                        fmt(ratio(med(rm), med(pc))), fmt(med(pc))))
            rss = med(get("plan-ctl-%d" % s, "rss_kb"))
            verdict("day's plan at %s under 64 MB RSS" % size_name(s),
                    rss / 1024 < 64 if rss else None, fmt(rss / 1024 if rss else None, " MB"))
    w("")
    pgs = [s for s in sizes if get("plan-pg-ctl-%d" % s, "wall_ms")]
    if pgs:
        w("On PostgreSQL (the same stores copied into a private server, "
          "bench/pg_copy.sh), beside SQLite in the same run:")
        w("")
        w("| customers | `outreachctl plan` ms | peak RSS MB | vs SQLite "
          "(processes) | planner_run ms (in process) | raw queries ms (in "
          "process) | planner / raw | planner vs SQLite's planner | "
          "raw-query process ms | same plan as SQLite |")
        w("|---|---|---|---|---|---|---|---|---|---|")
    for s in pgs:
        pc, sc = get("plan-pg-ctl-%d" % s, "wall_ms"), get("plan-ctl-%d" % s,
                                                          "wall_ms")
        pl = get("pginproc-%d-planner" % s, "ms")
        rw = get("pginproc-%d-raw" % s, "ms")
        sl = get("inproc-%d-planner" % s, "ms")
        same = one("plan-pg-same-%d" % s)
        w("| %s | %s | %s | %s× | %s | %s | %s× | %s× | %s | %s |" % (
            size_name(s), stat(pc),
            stat(get("plan-pg-ctl-%d" % s, "rss_kb"), scale=1 / 1024),
            fmt(ratio(med(pc), med(sc))), stat(pl), stat(rw),
            fmt(ratio(med(pl), med(rw))), fmt(ratio(med(pl), med(sl))),
            stat(get("plan-pg-raw-%d" % s, "wall_ms")),
            {"1": "yes", "0": "NO"}.get(str(same), "–")))
        if s == largest:
            verdict("day's plan at %s on PostgreSQL within 3× of SQLite's "
                    "(`outreachctl plan`, processes)" % size_name(s),
                    ratio(med(pc), med(sc)) <= 3 if pc and sc else None,
                    "%s× (%s ms vs %s ms); in process %s×" % (
                        fmt(ratio(med(pc), med(sc))), fmt(med(pc)),
                        fmt(med(sc)), fmt(ratio(med(pl), med(sl)))))
            verdict("day's plan at %s on PostgreSQL within 2× of its raw "
                    "indexed queries (planner_run vs raw, same process)"
                    % size_name(s),
                    ratio(med(pl), med(rw)) <= 2 if pl and rw else None,
                    "%s× (%s ms vs %s ms)" % (
                        fmt(ratio(med(pl), med(rw))), fmt(med(pl)),
                        fmt(med(rw))))
    if pgs:
        w("")
    w("items: what `outreachctl plan` lists; remind prints one line per "
      "Gregorian birthday of the day (lunar birthdays have no remind "
      "equivalent and are left out of its file).")
    w("")

# ------------------------------------------------------------ scan
if largest and get("scan-ctl-%d" % largest, "wall_ms"):
    s = largest
    sc, pc = get("scan-ctl-%d" % s, "wall_ms"), get("scan-pg-ctl-%d" % s,
                                                     "wall_ms")
    w("### One scan (`outreachctl scan`: the plan of the day and the next "
      "committed into an empty plan, %s items)" % fmt(one("scan-items-%d" % s)))
    w("")
    w("| customers | SQLite ms | PostgreSQL ms | PostgreSQL / SQLite | "
      "peak RSS MB (SQLite, PostgreSQL) | same items and clocks |")
    w("|---|---|---|---|---|---|")
    w("| %s | %s | %s | %s× | %s, %s | %s |" % (
        size_name(s), stat(sc), stat(pc), fmt(ratio(med(pc), med(sc))),
        fmt(med(get("scan-ctl-%d" % s, "rss_kb")) / 1024),
        fmt((med(get("scan-pg-ctl-%d" % s, "rss_kb")) or 0) / 1024),
        {"1": "yes", "0": "NO"}.get(str(one("scan-pg-same-%d" % s)), "–")))
    w("")
    if pc:
        verdict("scan at %s on PostgreSQL within 3× of SQLite's" %
                size_name(s), ratio(med(pc), med(sc)) <= 3,
                "%s× (%s ms vs %s ms)" % (fmt(ratio(med(pc), med(sc))),
                                        fmt(med(pc)), fmt(med(sc))))

# ------------------------------------------------------------ report
if get("report-ctl-%d" % largest, "wall_ms"):
    s = largest
    rc = get("report-ctl-%d" % s, "wall_ms")
    ri = get("rinproc-%d-report" % s, "ms")
    rw = get("rinproc-%d-raw" % s, "ms")
    rp = get("report-raw-%d" % s, "wall_ms")
    rh = get("rinproc-%d-hist" % s, "ms")
    rss = med(get("report-ctl-%d" % s, "rss_kb"))
    w("### The manager's report (`outreachctl report --json`, 12 months)")
    w("")
    w("| customers | purchases | `outreachctl report` ms | peak RSS MB | "
      "report_build ms (in process) | raw SQL ms (in process) | report / raw "
      "| raw-query process ms | the history in SQL ms |")
    w("|---|---|---|---|---|---|---|---|---|")
    w("| %s | %s | %s | %s | %s | %s | %s× | %s | %s |" % (
        size_name(s), one("report-purchases-%d" % s), stat(rc),
        stat(get("report-ctl-%d" % s, "rss_kb"), scale=1 / 1024), stat(ri),
        stat(rw), fmt(ratio(med(ri), med(rw))), stat(rp), stat(rh)))
    w("")
    w("raw: one SELECT over the customers' derived columns counting the "
      "day's lifecycle states and cadence by rep and tier; the history: "
      "the same counts at the report's 15 boundaries from the purchases, "
      "in SQL (see bench/reportdrv.c).")
    w("")
    pr = get("report-pg-ctl-%d" % s, "wall_ms")
    if pr:
        prss = med(get("report-pg-ctl-%d" % s, "rss_kb"))
        w("On PostgreSQL, the same store, in the same run: `outreachctl "
          "report --json` %s ms (%s× SQLite's), peak RSS %s MB." % (
              stat(pr), fmt(ratio(med(pr), med(rc))),
              stat(get("report-pg-ctl-%d" % s, "rss_kb"), scale=1 / 1024)))
        w("")
        verdict("report at %s on PostgreSQL under 64 MB RSS" % size_name(s),
                prss / 1024 < 64 if prss else None,
                fmt(prss / 1024 if prss else None, " MB"))
    verdict("report at %s under 2 s (`outreachctl report --json`)"
            % size_name(s), med(rc) < 2000 if rc else None,
            fmt(med(rc), " ms"))
    verdict("report at %s under 64 MB RSS" % size_name(s),
            rss / 1024 < 64 if rss else None,
            fmt(rss / 1024 if rss else None, " MB"))
    verdict("report at %s within 2× of the raw SQL of the day's lifecycle "
            "and compliance (same process)" % size_name(s),
            ratio(med(ri), med(rw)) <= 2 if ri and rw else None,
            "%s× (%s ms vs %s ms); as processes %s×" % (
                fmt(ratio(med(ri), med(rw))), fmt(med(ri)), fmt(med(rw)),
                fmt(ratio(med(rc), med(rp)))))

# ------------------------------------------------------------ growth
gs = [s for s in sizes if get("growth-%d-planner" % s, "ms")]
if gs:
    w("### Growth")
    w("")
    w("Due set fixed (exactly %s birthdays on the day, nothing else due: "
      "customers only, no purchases or contacts), store growing:"
      % meta.get("growth_due", "?"))
    w("")
    w("| customers | items | planner_run ms | raw queries ms | planner / raw | "
      "`outreachctl plan` ms |")
    w("|---|---|---|---|---|---|")
    for s in gs:
        pl = get("growth-%d-planner" % s, "ms")
        rw = get("growth-%d-raw" % s, "ms")
        w("| %s | %s | %s | %s | %s× | %s |" % (
            size_name(s), one("growth-%d-planner" % s, "items"), stat(pl), stat(rw),
            fmt(ratio(med(pl), med(rw))), stat(get("growth-ctl-%d" % s, "wall_ms"))))
    a = med(get("growth-%d-planner" % gs[0], "ms"))
    b = med(get("growth-%d-planner" % gs[-1], "ms"))
    ra = med(get("growth-%d-raw" % gs[0], "ms"))
    rb = med(get("growth-%d-raw" % gs[-1], "ms"))
    # Follows the due set: far from linear in the customers (< 1/10 of
    # their growth), and growing no faster than the bare indexed queries
    # for the same rows (B-tree depth, cache misses in a bigger file).
    grow, rgrow = ratio(b, a), ratio(rb, ra)
    verdict("planning cost follows the due set, not the customer count "
            "(fixed due set, %s→%s customers)" % (size_name(gs[0]), size_name(gs[-1])),
            grow < (gs[-1] / gs[0]) / 10 and grow <= 1.25 * max(rgrow, 1)
            if grow and rgrow else None,
            "planner %s× for %s× the customers; the raw indexed queries %s×" % (
                fmt(grow), fmt(gs[-1] / gs[0]), fmt(rgrow)))
    w("")
dk = sorted(int(l.split("-")[1]) for (l, m) in samples
            if re.fullmatch(r"due-\d+-planner", l) and m == "ms")
if dk:
    w("Customers fixed (%s), due set growing:" % meta.get("due_customers", "?"))
    w("")
    w("| birthdays due | items | planner_run ms | µs per item | raw queries ms | "
      "planner / raw | `outreachctl plan` ms |")
    w("|---|---|---|---|---|---|---|")
    for k in dk:
        pl = get("due-%d-planner" % k, "ms")
        it = one("due-%d-planner" % k, "items")
        w("| %s | %s | %s | %s | %s | %s× | %s |" % (
            k, it, stat(pl), fmt(ratio(med(pl), it) * 1000 if it else None),
            stat(get("due-%d-raw" % k, "ms")),
            fmt(ratio(med(pl), med(get("due-%d-raw" % k, "ms")))),
            stat(get("due-ctl-%d" % k, "wall_ms"))))
    w("")

# ------------------------------------------------------------ contacts
ck = sorted(int(l.split("-")[1]) for (l, m) in samples
            if re.fullmatch(r"contacts-\d+-planner", l) and m == "ms")
if ck:
    w("### The planner's contact lookup (%s customers, every one due for a "
      "revisit; K contacts each)" % one("contacts-customers"))
    w("")
    w("| contacts per customer | contact rows | items | planner_run ms | µs per item "
      "| raw queries ms | planner / raw | vs no contacts |")
    w("|---|---|---|---|---|---|---|---|")
    base = med(get("contacts-%d-planner" % ck[0], "ms"))
    for k in ck:
        pl = get("contacts-%d-planner" % k, "ms")
        it = one("contacts-%d-planner" % k, "items")
        rw = get("contacts-%d-raw" % k, "ms")
        w("| %d | %s | %s | %s | %s | %s | %s× | %s× |" % (
            k, one("contacts-%d-rows" % k), it, stat(pl),
            fmt(ratio(med(pl), it) * 1000 if it else None), stat(rw),
            fmt(ratio(med(pl), med(rw))), fmt(ratio(med(pl), base))))
    w("")
    if ck[0] == 0 and len(ck) > 1:
        it = one("contacts-%d-planner" % ck[0], "items")
        w("The lookup's cost per due customer (planner_run with K contacts less "
          "without any, over the items): %s µs." % ", ".join(
              "K=%d %s" % (k, fmt((med(get("contacts-%d-planner" % k, "ms")) - base)
                                  * 1000 / it if it else None)) for k in ck[1:]))
        w("")

# ------------------------------------------------------------ delivery
m = one("deliver-messages")
if m:
    w("### Delivery (%s birthday e-mails of %s bytes, queued; `outreachctl "
      "send` = one delivery pass as the daemon does)" % (m, one("deliver-msg-bytes")))
    w("")
    w("| sender → server | connections | msg/s at the server (transfer phase) | "
      "msg/s whole run (process wall) | outreachd / this baseline |")
    w("|---|---|---|---|---|")
    conns = sorted({int(l.rsplit("-c", 1)[1]) for (l, _) in samples
                    if l.startswith("deliver-sink-c")})
    for k in conns:
        d_sink = get("deliver-sink-c%d" % k, "sinkrate")
        d_wall = rates("deliver-sink-c%d" % k, m)
        c_rate = get("curlloop-sink-c%d" % k, "rate")
        w("| outreachd (`outreachctl send`) → C sink | %d | %s | %s | – |" % (
            k, stat(d_sink), stat(d_wall)))
        mu = get("curlmulti-sink-c%d" % k, "rate")
        w("| baseline: minimal libcurl loop (bench/curl_loop.c): %s → C sink | %d | %s "
          "| %s | %s |" % ("one easy handle" if k == 1 else
                           "%d processes, one easy handle each" % k, k,
                           stat(get("curlloop-sink-c%d" % k, "sinkrate")),
                           stat(c_rate), fmt(ratio(med(d_sink), med(c_rate)))))
        if mu:
            w("| baseline: minimal libcurl multi loop, one thread (`curl_loop -m`) "
              "→ C sink | %d | %s | %s | %s |" % (
                  k, stat(get("curlmulti-sink-c%d" % k, "sinkrate")), stat(mu),
                  fmt(ratio(med(d_sink), med(mu)))))
        for base, bname in ((c_rate, "curl_loop" if k == 1 else
                             "curl_loop, %d processes" % k),
                            (mu, "curl_loop -m, one thread")):
            if not base:
                continue
            # Each round runs outreachd and then the baselines, so the
            # ratio within a round sees the same machine speed; its median
            # is the verdict (the ratio of the medians mixes rounds).
            pr = [a / b for a, b in zip(d_sink, base) if b > 0]
            verdict("delivery ≥ 80%% of the libcurl loop, %d connection%s (%s)" % (
                k, "" if k == 1 else "s", bname),
                med(pr) >= 0.8 if pr else None,
                "%s%% round by round %s; medians %s vs %s msg/s at the sink "
                "(%s%%), whole run %s msg/s" % (
                    fmt(100 * med(pr)) if pr else "–",
                    stat([100 * x for x in pr]).split(" ", 1)[1] if pr else "",
                    fmt(med(d_sink)), fmt(med(base)),
                    fmt(100 * ratio(med(d_sink), med(base))), fmt(med(d_wall))))
    cli = get("curlcli-sink", "rate")
    if cli:
        w("| baseline: curl(1), one process per message (%s per run) → C sink | 1 "
          "| – | %s | %s |" % (one("curlcli-messages"), stat(cli),
                               fmt(ratio(med(cli), med(get("curlloop-sink-c1", "rate"))))))
    ma = one("deliver-aio-messages") or m
    for k in conns:
        a = rates("deliver-aio-c%d" % k, ma)
        if a:
            w("| outreachd (`outreachctl send`) → aiosmtpd (%d messages) | %d | – | %s | %s |" % (ma, 
                k, stat(a), fmt(ratio(med(a), med(get("curlloop-aio-c1", "rate"))))))
    a = get("curlloop-aio-c1", "rate")
    if a:
        w("| baseline: libcurl loop → aiosmtpd | 1 | – | %s | 1 |" % stat(a))
    w("")

# ------------------------------------------------------------ deliver_pg
mp = one("deliverpg-messages")
if mp:
    w("### Delivery from PostgreSQL, one and two daemons (%d birthday e-mails "
      "queued, to the C sink; `outreachd --foreground` timed from its start "
      "until the outbox has no unsent row; %s)" % (mp, meta.get("pg_settings", "")))
    w("")
    w("| connections per daemon | PostgreSQL, one daemon, msg/s | PostgreSQL, two "
      "daemons, msg/s | two / one, round by round | SQLite, one daemon, msg/s "
      "| PostgreSQL one / SQLite |")
    w("|---|---|---|---|---|---|")
    kk = sorted({int(l.rsplit("-c", 1)[1]) for (l, _) in samples
                 if l.startswith("deliverpg-one-c")})
    for k in kk:
        a, b, q = (rates("deliverpg-%s-c%d" % (x, k), mp)
                   for x in ("one", "two", "sqlite"))
        pr = [y / x for x, y in zip(a, b) if x > 0]
        w("| %d | %s | %s | %s | %s | %s |" % (
            k, stat(a), stat(b), stat(pr), stat(q), fmt(ratio(med(a), med(q)))))
        verdict("two daemons on one PostgreSQL ≥ 1.6× one, %d connection%s each" % (
            k, "" if k == 1 else "s"), med(pr) >= 1.6 if pr else None,
            "%s× round by round (%s vs %s msg/s)" % (
                fmt(med(pr)) if pr else "–", fmt(med(b)), fmt(med(a))))
    w("")
    w("CPU per message, µs (all processes of the run):")
    w("")
    w("| connections | run | outreachd | PostgreSQL (every backend) | sink | "
      "cores busy with the three (CPU / wall) |")
    w("|---|---|---|---|---|---|")
    for k in kk:
        for x, name in (("one", "PostgreSQL, one daemon"),
                        ("two", "PostgreSQL, two daemons"),
                        ("sqlite", "SQLite, one daemon")):
            lab = "deliverpg-%s-c%d" % (x, k)
            busy = [sum(x) / wl for *x, wl in zip(
                get(lab, "cpu_ms_daemons"), get(lab, "cpu_ms_pg"),
                get(lab, "cpu_ms_sink"), get(lab, "wall_ms")) if wl > 0]
            w("| %d | %s | %s | %s | %s | %s |" % (
                k, name, *(stat(get(lab, "cpu_ms_" + c), scale=1000.0 / mp)
                           for c in ("daemons", "pg", "sink")), stat(busy)))
    w("")

# ------------------------------------------------------------ sms
ms = one("sms-messages")
if ms:
    w("### SMS through Kannel (%d birthday SMS, half Chinese as UCS-2; Kannel's "
      "bearerbox + smsbox + fakesmsc from tests/peers/kannel.sh)" % ms)
    w("")
    w("| sender | connections | SMS/s accepted by sendsms (whole run) | CPU ms per SMS | "
      "vs ab |")
    w("|---|---|---|---|---|")
    kk = sorted({int(l.rsplit("-c", 1)[1]) for (l, _) in samples
                 if l.startswith("sms-c")})
    for k in kk:
        d = rates("sms-c%d" % k, ms)
        ab = get("ab-sms-c%d" % k, "rps")
        cpu = get("sms-c%d" % k, "cpu_ms")
        w("| outreachd (`outreachctl send`) | %d | %s | %s | %s |" % (
            k, stat(d), fmt(med(cpu) / ms if cpu else None), fmt(ratio(med(d), med(ab)))))
        w("| baseline: `ab -k` on sendsms with the same parameters | %d | %s | – | 1 |"
          % (k, stat(ab)))
    w("")
elif os.path.exists(os.path.join(R, "sms.txt")):
    w("### SMS through Kannel")
    w("")
    w(open(os.path.join(R, "sms.txt")).read().strip())
    w("")

# ------------------------------------------------------------ feed build
fo, fl = get("feedbuild-ours", "ms"), get("feedbuild-libical", "ms")
if fo and fl:
    w("### Feed build (10,000 tasks; tests/bench_feed.c, each run the median of "
      "5 in fresh processes)")
    w("")
    w("| what | ms | ours / libical |")
    w("|---|---|---|")
    w("| `feed_render_tasks()` | %s | %s× |" % (stat(fo), fmt(ratio(med(fo), med(fl)))))
    w("| baseline: bare libical loop, same VEVENTs and alarm, "
      "`icalcomponent_as_ical_string_r()` | %s | 1 |" % stat(fl))
    w("")
    verdict("a 10k-item feed built within 1.5× of a bare libical loop",
            ratio(med(fo), med(fl)) <= 1.5,
            "%s× (%s ms vs %s ms)" % (fmt(ratio(med(fo), med(fl))), fmt(med(fo)),
                                     fmt(med(fl))))

# ------------------------------------------------------------ feeds
if get("feed-200", "p99_ms"):
    w("### Feeds (follow-up feed of %s tasks, %s bytes, %s gzipped; wrk, %s "
      "thread(s), 50 connections, 5 s, on the same 2 cores)" % (
          one("feed-events"), one("feed-bytes"), one("feed-gzip-bytes"),
          meta.get("wrk_threads", "?")))
    w("")
    w("| request | p50 ms | p99 ms | requests/s | non-2xx/3xx |")
    w("|---|---|---|---|---|")
    for lab, name in (("feed-200", "GET (cached, 200, identity)"),
                      ("feed-gzip", "GET with Accept-Encoding: gzip (cached, 200)"),
                      ("feed-304", "GET with If-None-Match (304)")):
        if not get(lab, "p99_ms"):
            continue
        w("| %s | %s | %s | %s | %s |" % (name, stat(get(lab, "p50_ms")),
                                          stat(get(lab, "p99_ms")),
                                          stat(get(lab, "rps")),
                                          fmt(med(get(lab, "non2xx")))))
    for lab, name in (("feed-200", "identity"), ("feed-gzip", "gzip"),
                      ("feed-304", "304")):
        p99 = med(get(lab, "p99_ms"))
        if p99 is not None:
            verdict("cached feed p99 < 5 ms at 50 clients (%s)" % name, p99 < 5,
                    "%s (p50 %s, %s req/s)" % (fmt(p99, " ms"),
                                               fmt(med(get(lab, "p50_ms")), " ms"),
                                               fmt(med(get(lab, "rps")))))
    w("")
else:
    txt = ""
    if os.path.exists(os.path.join(R, "feeds.txt")):
        txt = open(os.path.join(R, "feeds.txt")).read().strip()
    w("### Feeds")
    w("")
    w("%s" % (txt or "Not run."))
    w("")
    verdict("cached feed p99 < 5 ms at 50 clients", None, "pending")

# ------------------------------------------------------------ pages
def per_round(a, b):
    """Ratios a/b run by run (the pages and the feed alternate)."""
    return [x / y for x, y in zip(a, b) if y > 0]


if get("page-day", "p99_ms") or get("page-post", "p50_ms"):
    w("### Reps' pages (rep's day of %s open tasks, %s overdue; %s tasks in the "
      "store; wrk, %s thread(s), 50 connections, 5 s; each run right after the "
      "cached feed's, same 2 cores)" % (
          one("page-day-tasks"), one("page-day-overdue"), one("page-store-tasks"),
          meta.get("wrk_threads", "?")))
    w("")
    w("| request | p50 ms | p99 ms | requests/s | errors | p99 / cached feed p99, "
      "gzip | p99 / cached feed p99, 304 |")
    w("|---|---|---|---|---|---|---|")
    fg, f3 = get("feed-gzip", "p99_ms"), get("feed-304", "p99_ms")
    for lab, name in (
            ("page-day", "GET /r/TOKEN, the rep's day (%s bytes)" % one("page-day-bytes")),
            ("page-task", "GET /t/LINK, task pages, the day's %s links in turn "
             "(%s bytes)" % (one("page-day-tasks"), one("page-task-bytes")))):
        p99 = get(lab, "p99_ms")
        if not p99:
            continue
        err = [a + b for a, b in zip(get(lab, "non2xx"), get(lab, "sockerr"))]
        w("| %s | %s | %s | %s | %s | %s× | %s× |" % (
            name, stat(get(lab, "p50_ms")), stat(p99), stat(get(lab, "rps")),
            fmt(med(err)), fmt(ratio(med(p99), med(fg))), fmt(ratio(med(p99), med(f3)))))
    pp = get("page-post", "p50_ms")
    if pp:
        w("| POST /t/LINK, outcome \"reached\" with a note, %s distinct open tasks "
          "per run (bench/post_loop.c, 50 connections) | %s | %s | %s | %s | %s× | %s× |" % (
              meta.get("posts", "?"), stat(pp), stat(get("page-post", "p99_ms")),
              stat(get("page-post", "rps")), fmt(med(get("page-post", "other"))),
              fmt(ratio(med(get("page-post", "p99_ms")), med(fg))),
              fmt(ratio(med(get("page-post", "p99_ms")), med(f3)))))
    p1 = get("page-post1", "p50_ms")
    if p1:
        w("| the same POST from one connection, %s tasks per run (a POST on its "
          "own) | %s | %s | %s | %s | – | – |" % (
              meta.get("posts_one", "?"), stat(p1), stat(get("page-post1", "p99_ms")),
              stat(get("page-post1", "rps")), fmt(med(get("page-post1", "other")))))
    for lab, name in (("feed-gzip", "baseline: cached feed, gzip (above)"),
                      ("feed-304", "baseline: cached feed, 304 (above)")):
        if get(lab, "p99_ms"):
            w("| %s | %s | %s | %s | %s | %s | %s |" % (
                name, stat(get(lab, "p50_ms")), stat(get(lab, "p99_ms")),
                stat(get(lab, "rps")), fmt(med(get(lab, "non2xx"))),
                "1" if lab == "feed-gzip" else "–", "1" if lab == "feed-304" else "–"))
    w("")
    rr = []
    for lab, name in (("page-day", "day page"), ("page-task", "task page"),
                      ("page-post", "outcome POST")):
        v = per_round(get(lab, "p99_ms"), fg)
        if v:
            rr.append("%s %s" % (name, stat(v)))
    if rr:
        w("p99 over the cached feed's gzip p99, run by run: " + "; ".join(rr) + ".")
        w("")
    w("errors: non-2xx answers and socket errors for wrk; for the POSTs, "
      "answers that were not a 200 saying \"Recorded.\" (each run's POSTs "
      "recorded: %s)." % (fmt(med(get("page-post", "recorded")))))
    w("")
    for lab, name in (("page-day", "the rep's day page"), ("page-task", "a task page")):
        p99 = med(get(lab, "p99_ms"))
        if p99 is not None:
            verdict("%s p99 < 10 ms at 50 clients" % name, p99 < 10,
                    "%s (p50 %s, %s req/s; cached feed gzip p99 %s)" % (
                        fmt(p99, " ms"), fmt(med(get(lab, "p50_ms")), " ms"),
                        fmt(med(get(lab, "rps"))), fmt(med(fg), " ms")))
    if pp:
        rec, posts = med(get("page-post", "recorded")), meta.get("posts")
        verdict("an outcome POST: median < 5 ms end to end at 50 clients",
                med(pp) < 5 and med(get("page-post", "other")) == 0,
                "%s (p99 %s, %s POST/s; %s of %s recorded)" % (
                    fmt(med(pp), " ms"), fmt(med(get("page-post", "p99_ms")), " ms"),
                    fmt(med(get("page-post", "rps"))), fmt(rec), posts))
elif os.path.exists(os.path.join(R, "pages.txt")):
    w("### Reps' pages")
    w("")
    w(open(os.path.join(R, "pages.txt")).read().strip())
    w("")

# ------------------------------------------------------------ daemon
dl = [l for (l, mm) in samples if l.startswith("daemon-") and mm == "wall_ms"]
if dl:
    lab = dl[0]
    w("### Daemon: one day's cycle on %s customers (`outreachd --foreground`; "
      "tiers, plan today and tomorrow, queue, send; then RSS read from "
      "/proc)" % size_name(lab.split("-")[1]))
    w("")
    w("| cycle s | RSS after the cycle MB | peak RSS (VmHWM) MB | e-mails sent |")
    w("|---|---|---|---|")
    w("| %s | %s | %s | %s |" % (stat(get(lab, "wall_ms"), scale=1e-3),
                                 stat(get(lab, "rss_after_kb"), scale=1 / 1024),
                                 stat(get(lab, "hwm_kb"), scale=1 / 1024),
                                 stat(get(lab, "emails"))))
    w("")

# ------------------------------------------------------------ ab
ab_conns = sorted({int(l.rsplit("-c", 1)[1]) for (l, mm) in samples
                   if l.startswith("ab-a-c")})
if ab_conns:
    w("### A/B: two builds' delivery (%d e-mails to the C sink, same snapshot; "
      "A %s, B %s)" % (one("ab-messages") or 0, meta.get("build_a", "?"),
                      meta.get("build_b", "?")))
    w("")
    w("Each round sends with A, B and `curl_loop -m` (A B L, then B A L); "
      "ratios are taken within a round, their median is the verdict.")
    w("")
    w("| connections | A msg/s | B msg/s | curl_loop -m msg/s | B/A round by round "
      "| A/loop | B/loop |")
    w("|---|---|---|---|---|---|---|")
    for k in ab_conns:
        a, b, lp = (get("ab-%s-c%d" % (x, k), "sinkrate")
                    for x in ("a", "b", "loop"))

        def rr(x, y):
            v = [p / q for p, q in zip(x, y) if q > 0]
            return stat(v) if v else "–"
        w("| %d | %s | %s | %s | %s | %s | %s |" % (
            k, stat(a), stat(b), stat(lp), rr(b, a), rr(a, lp), rr(b, lp)))
    w("")

# ------------------------------------------------------------ targets
w("### Targets")
w("")
w("| target | measured | |")
w("|---|---|---|")
for name, v, measured in verdicts:
    w("| %s | %s | %s |" % (name, measured, v))
print("\n".join(out))

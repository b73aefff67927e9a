#!/usr/bin/python3
"""report_oracle.py - outreachctl report, computed again in plain Python.

  report_oracle.py gen --out DIR --date YYYY-MM-DD [--customers N] [--seed S]
      writes a store's history as CSV files: reps.tsv, customers.csv,
      purchases.csv, contacts.csv (for `outreachctl import`), and tasks.csv,
      messages.csv, optouts.csv, holdouts.csv (the customers rules kept
      from their messages) and surveys.csv (satisfaction answers) with
      load.sql, which puts those into an
      imported store with sqlite3 (the planner and the delivery would take
      weeks of simulated days to make as many).

  report_oracle.py check --data DIR --json FILE --date YYYY-MM-DD
      [--from YYYY-MM] [--to YYYY-MM] [--rep KEY] [--tiers-date YYYY-MM-DD]
      [--population buyers|all]
      computes every figure of `outreachctl report --json` from the CSVs
      alone, by the definitions of outreachctl(1) REPORT DEFINITIONS and
      the default settings of outreachd.conf(5), and compares each with
      FILE exactly (doubles too: the operations are done in the order the
      definitions give).  Prints one line per difference; exit 1 if any.

Nothing here reads the store: tiers (window 365 days, A 20%, B 60% of the
buyers ranked, or of all customers with --population all; equal values by
the latest purchase, then external id) and personal sleeping thresholds
(3 x the median interval with 4 or more purchases) are worked out from the
purchases as `outreachctl tiers recompute --date D` does."""
import argparse
import bisect
import csv
import datetime as dt
import json
import os
import random
import sys

EPOCH = dt.date(1970, 1, 1)
NEW_DAYS, SLEEP_AFTER, LOST_AFTER = 90, 180, 365
FACTOR, MIN_PURCHASES = 3.0, 4
CADENCE = {"A": 30, "B": 90, "C": 180}
WINDOW, A_SHARE, B_SHARE = 365, 0.20, 0.60
ATTRIBUTION = 30
STATES = ["prospect", "new", "active", "sleeping", "lost"]
REPS = ["chen", "li", "smith", "wang", "zhao"]
RULES = ["anniversary", "birthday", "winback"]
KINDS = ["call", "visit", "email", "sms", "gift", "meeting", "message"]
OUTBOX_STATES = ["pending", "sent", "sent", "delivered", "delivered",
                 "undelivered", "failed", "expired", "cancelled", "unknown",
                 "retry"]


def dayno(s):
    return (dt.date.fromisoformat(s) - EPOCH).days


def iso(d):
    return (EPOCH + dt.timedelta(days=d)).isoformat()


def money(minor):
    return "%s%d.%02d" % ("-" if minor < 0 else "", abs(minor) // 100,
                          abs(minor) % 100)


# ------------------------------------------------------------------ gen
def gen(a):
    rnd = random.Random(a.seed)
    D = dayno(a.date)
    os.makedirs(a.out, exist_ok=True)
    path = lambda n: os.path.join(a.out, n)
    with open(path("reps.tsv"), "w") as f:
        for k in REPS:
            f.write("%s\t%s\n" % (k, k.capitalize()))
    cust, purch, cont = [], [], []
    for i in range(1, a.customers + 1):
        ext = "C%05d" % i
        rep = "" if rnd.random() < 0.06 else rnd.choice(REPS)
        tier = rnd.choice("ABC") if rnd.random() < 0.3 else ""
        cust.append([ext, "Customer %d" % i, "c%d@example.test" % i, tier,
                     rep])
        x = rnd.random()
        if x >= 0.55:  # regulars, every 20 to 90 days since they began
            gap, day = rnd.randrange(20, 90), D - rnd.randrange(60, 1200)
            while day <= D + 5:
                purch.append([ext, money(rnd.randrange(100, 200000)),
                              iso(day)])
                day += gap + rnd.randrange(-10, 11)
        elif x >= 0.1:  # 10% prospects
            n = rnd.choice([1, 1, 2, 3, 4, 5, 6, 8, 12])
            day = D - rnd.randrange(1200) + rnd.randrange(8)
            for _ in range(n):
                amt = rnd.randrange(100, 500000)
                if rnd.random() < 0.02:
                    amt = -amt // 10  # a refund
                purch.append([ext, money(amt), iso(day)])
                day += rnd.choice([0, 3, 10, 20, 30, 45, 60, 90, 150, 200])
        for _ in range(rnd.randrange(4)):
            cont.append([ext, iso(D - rnd.randrange(400) + 10),
                         rnd.choice(KINDS), rep])
    wcsv(path("customers.csv"),
         ["external_id", "name", "email", "tier", "rep"], cust)
    wcsv(path("purchases.csv"), ["external_id", "amount", "date"], purch)
    wcsv(path("contacts.csv"), ["external_id", "date", "kind", "rep"], cont)
    gen_history(rnd, a, D, path)


def gen_history(rnd, a, D, path):
    """Tasks, messages and opt-outs, and the SQL that loads them."""
    n = a.customers
    tasks, msgs, opts, sql = [], [], [], ["BEGIN;"]
    for i in range(1, n // 5 + 1):
        ext = "C%05d" % (1 + rnd.randrange(n))
        status = rnd.choice(["open", "open", "open", "done", "cancelled"])
        day = D - rnd.randrange(90) + 20
        merged = "" if i == 1 or rnd.random() >= 0.1 else \
            "T%d" % rnd.randrange(1, i)
        tasks.append(["T%d" % i, ext, iso(day), status, merged])
        sql.append("INSERT INTO plan_items (dedup_key, rule, event,"
                   " customer_id, day, occurrence, action, task_kind,"
                   " reason, created_at, status, merged_into) SELECT"
                   " 'T%d', 'revisit_a', 'revisit', id, %d, %d, 'task',"
                   " 'call', 'r', 0, '%s', (SELECT id FROM plan_items WHERE"
                   " dedup_key = '%s') FROM customers WHERE external_id ="
                   " '%s';" % (i, day, day, status, merged, ext))
    for i in range(1, n // 2 + 1):
        ext = "C%05d" % (1 + rnd.randrange(n))
        rule = rnd.choice(RULES)
        day = D - rnd.randrange(480)
        state = rnd.choice(OUTBOX_STATES)
        sent = state in ("sent", "delivered", "undelivered")
        msgs.append(["M%d" % i, rule, ext, iso(day), state, int(sent)])
        sql.append("INSERT INTO plan_items (dedup_key, rule, event,"
                   " customer_id, day, occurrence, action, channel, reason,"
                   " created_at) SELECT 'M%d', '%s', 'birthday', id, %d, %d,"
                   " 'message', 'email', 'r', 0 FROM customers WHERE"
                   " external_id = '%s';" % (i, rule, day, day, ext))
        sql.append("INSERT INTO outbox (dedup_key, item_id, customer_id,"
                   " channel, recipient, body, day, state, not_before,"
                   " created_at, updated_at, sent_at) SELECT 'M%d:email',"
                   " p.id, p.customer_id, 'email', 'x@example.test', 'b', %d,"
                   " '%s', 0, 0, 0, %s FROM plan_items p WHERE p.dedup_key ="
                   " 'M%d';" % (i, day, state,
                                str(day * 86400 + 3600) if sent else "NULL",
                                i))
    # Half the opt-outs follow one of the customer's messages closely.
    sent_days = {}
    for m in msgs:
        sent_days.setdefault(m[2], []).append(dayno(m[3]))
    for ext in rnd.sample(["C%05d" % i for i in range(1, n + 1)], n // 20):
        for value in ["sms", "email;sms"][:rnd.choice([1, 1, 2])]:
            day = D - rnd.randrange(480)
            if ext in sent_days and rnd.random() < 0.5:
                day = min(D, rnd.choice(sent_days[ext]) + rnd.randrange(10))
            opts.append([ext, iso(day), value])
            sql.append("UPDATE customers SET opt_out = '%s', updated_at = %d"
                       " WHERE external_id = '%s';"
                       % (value, day * 86400 + 43200, ext))
    # Rules' control groups: winback's beside its messages, and a rule
    # that held customers out but sent nothing in the period.
    holds = []
    for i in range(1, n // 8 + 1):
        ext = "C%05d" % (1 + rnd.randrange(n))
        rule = rnd.choice(["winback", "winback", "reactivate"])
        day = D - rnd.randrange(480)
        holds.append([rule, ext, iso(day)])
        sql.append("INSERT INTO holdouts (dedup_key, rule, customer_id, day,"
                   " created_at) SELECT 'H%d', '%s', id, %d, 0 FROM customers"
                   " WHERE external_id = '%s';" % (i, rule, day, ext))
    wcsv(path("holdouts.csv"), ["rule", "external_id", "date"], holds)
    # Survey answers, each to its own survey message.
    answers = []
    for i in range(1, n // 6 + 1):
        ext = "C%05d" % (1 + rnd.randrange(n))
        day = D - rnd.randrange(480)
        score = rnd.choice([1, 2, 3, 4, 4, 5, 5, 5])
        answers.append([ext, iso(day), score])
        sql.append("INSERT INTO plan_items (dedup_key, rule, event,"
                   " customer_id, day, occurrence, action, channel, reason,"
                   " created_at) SELECT 'V%d', 'survey', 'after_visit', id,"
                   " %d, %d, 'message', 'email', 'r', 0 FROM customers WHERE"
                   " external_id = '%s';" % (i, day - 1, day - 2, ext))
        sql.append("INSERT INTO survey_answers (item_id, customer_id, score,"
                   " day, at, source) SELECT id, customer_id, %d, %d, 0,"
                   " 'test' FROM plan_items WHERE dedup_key = 'V%d';"
                   % (score, day, i))
    wcsv(path("surveys.csv"), ["external_id", "date", "score"], answers)
    wcsv(path("tasks.csv"), ["task", "external_id", "date", "status",
                             "merged_into"], tasks)
    wcsv(path("messages.csv"), ["message", "rule", "external_id", "date",
                                "state", "sent"], msgs)
    wcsv(path("optouts.csv"), ["external_id", "date", "opt_out"], opts)
    with open(path("load.sql"), "w") as f:
        f.write("\n".join(sql + ["COMMIT;", ""]))


def wcsv(name, header, rows):
    with open(name, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)


def rcsv(data, name):
    with open(os.path.join(data, name), newline="") as f:
        return list(csv.DictReader(f))


def minor(s):
    neg = s.startswith("-")
    whole, _, frac = s.lstrip("-").partition(".")
    v = int(whole) * 100 + int((frac + "00")[:2])
    return -v if neg else v


# ---------------------------------------------------------------- check
class Customer:
    def __init__(self, idx, row):
        self.idx = idx  # import order: the store's id order
        self.ext = row["external_id"]
        self.rep = row["rep"]
        self.manual = row["tier"]
        self.days = []  # every purchase: (day, minor)
        self.contacts = []

    def tier(self):
        return self.manual or self.computed


def load(data):
    cs = [Customer(i, r) for i, r in enumerate(rcsv(data, "customers.csv"))]
    by = {c.ext: c for c in cs}
    for r in rcsv(data, "purchases.csv"):
        by[r["external_id"]].days.append((dayno(r["date"]),
                                          minor(r["amount"])))
    for r in rcsv(data, "contacts.csv"):
        by[r["external_id"]].contacts.append(dayno(r["date"]))
    for c in cs:
        c.days.sort(key=lambda p: p[0])
    return cs, by


def recompute_tiers(cs, D, population):
    """tiers recompute --date D: rank by revenue in the window."""
    lo = D - WINDOW + 1
    rev = {c.idx: sum(a for d, a in c.days if lo <= d <= D) for c in cs}
    last = {c.idx: max([d for d, _ in c.days if d <= D], default=-10**9)
            for c in cs}
    ranked = sorted((c for c in cs if rev[c.idx] > 0),
                    key=lambda c: (-rev[c.idx], -last[c.idx],
                                   c.ext.encode()))
    n = len(cs) if population == "all" else len(ranked)
    cuts = []
    for share in (A_SHARE, A_SHARE + B_SHARE):
        i = 0
        while i < len(ranked) and i < share * n:
            i += 1
        cuts.append(i)
    for c in cs:
        c.computed = "C"
    for i, c in enumerate(ranked):
        c.computed = "A" if i < cuts[0] else "B" if i < cuts[1] else "C"
    for c in cs:
        # The days bought on: two orders of one day are one visit.
        days = sorted(set(d for d, _ in c.days))
        c.personal = 0
        if len(days) >= 2 and len(days) >= MIN_PURCHASES:
            gaps = sorted(days[i] - days[i - 1] for i in range(1, len(days)))
            k = len(gaps)
            med = gaps[k // 2] if k % 2 else (gaps[k // 2 - 1] + gaps[k // 2]) // 2
            t = int(FACTOR * float(med) + 0.5)
            if 0 < t < SLEEP_AFTER:
                c.personal = t


def state(c, X):
    days = [d for d, _ in c.days]
    k = bisect.bisect_right(days, X)
    if k == 0:
        return "prospect"
    first, last = days[0], days[k - 1]
    t = c.personal if 0 < c.personal < SLEEP_AFTER else SLEEP_AFTER
    if X - last >= LOST_AFTER:
        return "lost"
    if X - last >= t:
        return "sleeping"
    if X - first < NEW_DAYS:
        return "new"
    return "active"


def month_of(s):
    y, m = s.split("-")
    return int(y) * 12 + int(m) - 1


def month_str(m):
    return "%04d-%02d" % (m // 12, m % 12 + 1)


def month_eve(m):
    return (dt.date(m // 12, m % 12 + 1, 1) - EPOCH).days - 1


def rate(num, den):
    return None if den == 0 else num / den


class Report:
    """The expected --json of one report, built from the customers."""

    def __init__(self, a, cs, tasks, msgs, opts, holds, answers):
        D = self.D = dayno(a.date)
        dm = month_of(a.date[:7])
        self.frm = month_of(a.frm) if a.frm else dm - 12
        self.to = month_of(a.to) if a.to else dm - 1
        if a.frm and not a.to and self.to < self.frm:
            self.to = self.frm
        self.nm = self.to - self.frm + 1
        self.b = [month_eve(self.frm)] + \
            [min(month_eve(self.frm + m + 1), D) for m in range(self.nm)] + \
            [D - 365, D]
        self.rep = a.rep
        self.cs = [c for c in cs if not a.rep or c.rep == a.rep]
        self.reps = [a.rep] if a.rep else sorted(REPS)
        for c in self.cs:
            c.upto = [(d, x) for d, x in c.days if d <= D]
            c.first = c.upto[0][0] if c.upto else None
            c.states = [state(c, X) for X in self.b]
            past = [d for d in c.contacts if d <= D]
            c.last_contact = max(past) if past else None
        self.tasks = [t for t in tasks if t["status"] == "open" and
                      not t["merged_into"] and t["c"] in self.cs]
        self.msgs, self.opts, self.holds = msgs, opts, holds
        self.answers = answers

    def members(self, rep, tier):
        return [c for c in self.cs if (rep is None or c.rep == rep) and
                (tier is None or c.tier() == tier)]

    def groups(self, fn):
        out = {"total": fn(self.members(None, None))}
        out["by_tier"] = {t: fn(self.members(None, t)) for t in "ABC"}
        out["by_rep"] = {r: fn(self.members(r, None)) for r in self.reps}
        return out

    def states(self, b):
        return lambda g: {s: sum(1 for c in g if c.states[b] == s)
                          for s in STATES}

    def crr(self, g, bs, be, lo, hi):
        S = sum(1 for c in g if c.states[bs] in ("new", "active"))
        E = sum(1 for c in g if c.states[be] in ("new", "active"))
        N = sum(1 for c in g if c.first is not None and lo < c.first <= hi)
        return {"start": S, "end": E, "new": N, "rate": rate(E - N, S)}

    def crr12(self, g):
        return self.crr(g, self.nm + 1, self.nm + 2, self.D - 365, self.D)

    def lifecycle(self):
        out = {"date": iso(self.D)}
        out.update(self.groups(self.states(self.nm + 2)))
        out["months"] = []
        for m in range(self.nm):
            e = {"month": month_str(self.frm + m), "date": iso(self.b[m + 1])}
            e.update(self.groups(self.states(m + 1)))
            out["months"].append(e)
        return out

    def retention(self):
        months = []
        for m in range(self.nm):
            e = {"month": month_str(self.frm + m), "start": iso(self.b[m]),
                 "end": iso(self.b[m + 1])}
            e.update(self.groups(lambda g: self.crr(
                g, m, m + 1, self.b[m], self.b[m + 1])))
            months.append(e)
        last = {"start": iso(self.D - 365), "end": iso(self.D)}
        last.update(self.groups(self.crr12))
        return {"months": months, "last_12_months": last}

    @staticmethod
    def repeat(g):
        b = sum(1 for c in g if len(c.upto) >= 1)
        r = sum(1 for c in g if len(c.upto) >= 2)
        return {"buyers": b, "repeat_buyers": r, "rate": rate(r, b)}

    @staticmethod
    def clv_hist(g):
        b = sum(1 for c in g if c.upto)
        rev = sum(x for c in g for _, x in c.upto)
        v = rate(rev, b)
        return {"buyers": b, "revenue": rev / 100,
                "value": None if v is None else v / 100}

    def clv_pred(self, g):
        recent = [[x for d, x in c.upto if d > self.D - 365] for c in g]
        orders = sum(len(r) for r in recent)
        buyers = sum(1 for r in recent if r)
        rev = sum(sum(r) for r in recent)
        aov, freq = rate(rev, orders), rate(orders, buyers)
        crr = self.crr12(g)["rate"]
        life = None if crr is None else 10.0 if crr >= 0.9 else \
            1.0 / (1.0 - crr)
        value = None if None in (aov, freq, life) else \
            aov * freq * life / 100
        return {"orders": orders, "buyers": buyers, "revenue": rev / 100,
                "average_order_value": None if aov is None else aov / 100,
                "orders_per_year": freq, "lifetime_years": life,
                "value": value}

    def compliance_fields(self, rep, tier):
        g = self.members(rep, tier)
        inc = sum(1 for c in g if c.last_contact is not None and
                  self.D - c.last_contact <= CADENCE[c.tier()])
        ts = [t for t in self.tasks if t["c"] in g]
        over = sorted(self.D - t["day"] for t in ts if t["day"] < self.D)
        k = len(over)
        med = None if k == 0 else float(over[k // 2]) if k % 2 else \
            (over[k // 2 - 1] + over[k // 2]) / 2
        return {"customers": len(g), "in_cadence": inc,
                "rate": rate(inc, len(g)), "open_tasks": len(ts),
                "overdue_tasks": k, "median_days_overdue": med}

    def compliance_group(self, rep):
        out = self.compliance_fields(rep, None)
        out["by_tier"] = {t: self.compliance_fields(rep, t) for t in "ABC"}
        return out

    def converted(self, c, day):
        return any(day < d <= min(day + ATTRIBUTION, self.D)
                   for d, _ in c.days)

    def outreach(self):
        lo, hi = self.b[0] + 1, self.b[self.nm]
        rules, holds = {}, {}
        for m in self.msgs:
            if lo <= m["day"] <= hi and m["c"] in self.cs:
                rules.setdefault(m["rule"], []).append(m)
        for h in self.holds:
            if lo <= h["day"] <= hi and h["c"] in self.cs:
                holds.setdefault(h["rule"], []).append(h)
        out = []
        for rule in sorted(set(rules) | set(holds)):
            ms = rules.get(rule, [])
            held = {h["c"].ext for h in holds.get(rule, [])}
            held_conv = {h["c"].ext for h in holds.get(rule, [])
                         if self.converted(h["c"], h["day"])}
            sent = [m for m in ms if m["sent"]]
            rec = {m["c"].ext for m in sent}
            opted = {m["c"].ext for m in sent if any(
                m["day"] <= d <= m["day"] + 7
                for d in self.opts.get(m["c"].ext, []))}
            conv = {m["c"].ext for m in sent
                    if self.converted(m["c"], m["day"])}
            with_, without = rate(len(conv), len(rec)), \
                rate(len(held_conv), len(held))
            out.append({"rule": rule, "sent": len(sent),
                        "delivered": sum(m["state"] == "delivered" for m in ms),
                        "failed": sum(m["state"] in ("failed", "undelivered")
                                      for m in ms),
                        "expired": sum(m["state"] == "expired" for m in ms),
                        "recipients": len(rec), "opted_out": len(opted),
                        "converted": len(conv), "conversion": with_,
                        "held_out": len(held),
                        "held_out_converted": len(held_conv),
                        "held_out_conversion": without,
                        "lift": None if None in (with_, without) else
                        with_ - without})
        return out

    def csat(self, g):
        lo, hi = self.b[0] + 1, self.b[self.nm]
        ids = {c.ext for c in g}
        sc = [a["score"] for a in self.answers
              if a["ext"] in ids and lo <= a["day"] <= hi]
        ok = sum(1 for x in sc if x >= 4)
        return {"answers": len(sc), "satisfied": ok, "rate": rate(ok, len(sc))}

    def json(self):
        return {
            "date": iso(self.D), "from": month_str(self.frm),
            "to": month_str(self.to), "rep": self.rep,
            "settings": {"new_days": NEW_DAYS,
                         "sleeping_after_days": SLEEP_AFTER,
                         "lost_after_days": LOST_AFTER,
                         "attribution_days": ATTRIBUTION,
                         "cadence": dict(CADENCE)},
            "lifecycle": self.lifecycle(),
            "retention_rate": self.retention(),
            "repeat_rate": self.groups(self.repeat),
            "clv_historical": self.groups(self.clv_hist),
            "clv_predicted": self.groups(self.clv_pred),
            "compliance": {"total": self.compliance_group(None),
                           "by_rep": {r: self.compliance_group(r)
                                      for r in self.reps}},
            "outreach": self.outreach(),
            "csat": self.groups(self.csat),
        }


def diff(want, got, path, out):
    """Every place where got is not exactly want."""
    if isinstance(want, dict) and isinstance(got, dict):
        for k in sorted(set(want) | set(got)):
            if k not in got:
                out.append("%s.%s: missing" % (path, k))
            elif k not in want:
                out.append("%s.%s: not expected" % (path, k))
            else:
                diff(want[k], got[k], "%s.%s" % (path, k), out)
    elif isinstance(want, list) and isinstance(got, list):
        if len(want) != len(got):
            out.append("%s: %d entries, expected %d" % (path, len(got),
                                                        len(want)))
        for i, (w, g) in enumerate(zip(want, got)):
            diff(w, g, "%s[%d]" % (path, i), out)
    elif type(want) is not type(got) and not (
            isinstance(want, (int, float)) and isinstance(got, (int, float))
            and not isinstance(want, bool)):
        out.append("%s: %r, expected %r" % (path, got, want))
    elif want != got:
        out.append("%s: %r, expected %r" % (path, got, want))


def check(a):
    D = dayno(a.date)
    cs, by = load(a.data)
    recompute_tiers(cs, dayno(a.tiers_date or a.date), a.population)
    tasks = [{"c": by[t["external_id"]], "day": dayno(t["date"]),
              "status": t["status"], "merged_into": t["merged_into"]}
             for t in rcsv(a.data, "tasks.csv")]
    msgs = [{"c": by[m["external_id"]], "rule": m["rule"],
             "day": dayno(m["date"]), "state": m["state"],
             "sent": m["sent"] == "1"} for m in rcsv(a.data, "messages.csv")]
    opts = {}
    for o in rcsv(a.data, "optouts.csv"):
        opts.setdefault(o["external_id"], []).append(dayno(o["date"]))
    holds = [{"c": by[h["external_id"]], "rule": h["rule"],
              "day": dayno(h["date"])} for h in rcsv(a.data, "holdouts.csv")]
    answers = [{"ext": x["external_id"], "day": dayno(x["date"]),
                "score": int(x["score"])} for x in rcsv(a.data, "surveys.csv")]
    want = Report(a, cs, tasks, msgs, opts, holds, answers).json()
    with open(a.json) as f:
        got = json.load(f)
    out = []
    diff(want, got, "report", out)
    for line in out[:40]:
        print(line)
    if len(out) > 40:
        print("... %d differences in all" % len(out))
    return 1 if out else 0


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    g = sub.add_parser("gen")
    g.add_argument("--out", required=True)
    g.add_argument("--date", required=True)
    g.add_argument("--customers", type=int, default=2000)
    g.add_argument("--seed", type=int, default=1)
    c = sub.add_parser("check")
    c.add_argument("--data", required=True)
    c.add_argument("--json", required=True)
    c.add_argument("--date", required=True)
    c.add_argument("--from", dest="frm")
    c.add_argument("--to")
    c.add_argument("--rep")
    c.add_argument("--tiers-date", help="the day tiers were recomputed"
                   " (default: --date)")
    c.add_argument("--population", default="buyers",
                   choices=["buyers", "all"])
    a = ap.parse_args()
    if a.cmd == "gen":
        gen(a)
        return 0
    return check(a)


if __name__ == "__main__":
    sys.exit(main())

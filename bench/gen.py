#!/usr/bin/env python3
"""gen.py - deterministic synthetic stores for outreachd's benchmarks.

Writes CSV files that `outreachctl import` reads, plus the reps to add and a
remind(1) file with the same Gregorian birthdays:

  gen.py --customers N --today YYYY-MM-DD --out DIR [--seed S]
         [--mode full|growth] [--due K]

  DIR/reps.tsv        KEY<TAB>NAME, for `outreachctl rep add KEY --name NAME`
  DIR/customers.csv   external_id,name,salutation,email,phone,birthday,
                      anniversary,[tier,]rep,locale,timezone,channel,opt_out,
                      notes,hobby,children   (hobby, children: custom attrs)
  DIR/purchases.csv   external_id,amount,date          (full mode only)
  DIR/contacts.csv    external_id,date,kind,rep,note   (full mode only)
  DIR/remind.rem      REM <day> <Mon> MSG <name>, one per Gregorian birthday
  DIR/expect.txt      what the generator put in (for the report)

full mode: a store in a steady state on --today.
  - Birthdays uniform over real calendar dates 1950..2005 (29 February
    included, about 1 in 1,461), 3% without a year (--MM-DD), 5% Chinese
    lunar (L:YYYY-MM-DD, Chinese names only), 8% none.  60% Chinese names,
    40% English (with commas and quotes that need CSV quoting).
  - Tiers are NOT in the CSV: purchase histories are generated so that
    `outreachctl tiers recompute` ranks about 20% A (4-9 regular purchases
    of 800-3000), 60% B (1-4 of 100-600), 20% C (0-2 of 5-90).
  - 4% sleeping (last purchase 181-364 days ago) and 1.5% lost (366-720
    days ago); the rest bought in the last few months.
  - Contact histories follow the tier's revisit cadence (30/90/180 days):
    the last contact 1..cadence days ago (so 1/cadence of a tier is due on
    --today), 1% overdue backlog (cadence+1..2*cadence days ago).
  - 40% have an anniversary (2000..last year), 3% opt out of SMS.

growth mode: customers only (tier given in the CSV, 20/60/20; no purchases
or contacts, so no revisit, sleeping or lost items), and exactly K
customers have their birthday on --today; nobody else has a birthday on
--today or on --today+14 (the invite rule's lead), no anniversary falls on
--today or --today+7, no lunar birthdays.  The day's due set is then exactly
the K birthdays, whatever N is.
"""
import argparse
import datetime as dt
import os
import random
import sys

MON = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct",
       "Nov", "Dec"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = ["伟", "芳", "娜", "秀英", "敏", "静", "丽", "强", "磊", "军", "洋",
         "勇", "艳", "杰", "娟", "涛", "明", "超", "秀兰", "霞", "平", "刚",
         "桂英", "建华", "文", "华", "金凤", "志强", "晓明", "海燕"]
FIRST = ["James", "Mary", "John", "Patricia", "Robert", "Jennifer", "Michael",
         "Linda", "David", "Elizabeth", "William", "Barbara", "Richard",
         "Susan", "Joseph", "Jessica", "Thomas", "Sarah", "Chloé", "Zoë"]
LAST = ["Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller",
        "Davis", "Lee, Jr.", "Wilson", "O'Brien", "Martinez", "Anderson",
        "Taylor", "Thomas \"Tom\"", "Moore"]
HOBBIES = ["golf", "tea", "fishing", "calligraphy", "hiking", "photography",
           "茶道", "书法", "", "", ""]
ZONES_EN = ["America/New_York", "Europe/London", "America/Los_Angeles"]
NOTES = ["prefers calls\nafter 10am", "喜欢乌龙茶，周末前联系",
         "VIP, handle with care", "asks for \"plain\" invoices"]
KINDS_A = ["visit", "visit", "meeting", "gift", "call"]
KINDS_BC = ["call", "call", "email", "sms", "visit"]
CADENCE = {"A": 30, "B": 90, "C": 180}


def q(s):
    if ',' in s or '"' in s or '\n' in s or '\r' in s:
        return '"' + s.replace('"', '""') + '"'
    return s


def md(d):
    return (d.month, d.day)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--customers", type=int, required=True)
    ap.add_argument("--today", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--mode", choices=["full", "growth"], default="full")
    ap.add_argument("--due", type=int, default=1000)
    a = ap.parse_args()
    n = a.customers
    today = dt.date.fromisoformat(a.today)
    rnd = random.Random(a.seed * 1000003 + n)
    r = rnd.random
    ri = rnd.randrange
    os.makedirs(a.out, exist_ok=True)
    growth = a.mode == "growth"

    nreps = min(200, max(3, n // 5000))
    reps = ["rep%03d" % i for i in range(1, nreps + 1)]
    with open(os.path.join(a.out, "reps.tsv"), "w", encoding="utf-8") as f:
        for i, k in enumerate(reps):
            nm = (SURNAMES[i % len(SURNAMES)] + GIVEN[i % len(GIVEN)]) \
                if i % 2 == 0 else "%s %s" % (FIRST[i % len(FIRST)],
                                             LAST[i % 10].split(",")[0])
            f.write("%s\t%s\n" % (k, nm))

    lo = dt.date(1950, 1, 1).toordinal()
    hi = dt.date(2005, 12, 31).toordinal()
    excl_b = {md(today), md(today + dt.timedelta(days=14))}
    excl_a = {md(today), md(today + dt.timedelta(days=7))}
    # 29 February also lands on 28 February / 1 March in common years.
    if not (today.year % 4 == 0 and (today.year % 100 or today.year % 400 == 0)):
        for d0 in (today, today + dt.timedelta(days=14),
                   today + dt.timedelta(days=7)):
            if md(d0) in ((2, 28), (3, 1)):
                excl_b.add((2, 29))
                excl_a.add((2, 29))
    due_ids = set()
    if growth:
        due_ids = set(rnd.sample(range(1, n + 1), min(a.due, n)))

    cf = open(os.path.join(a.out, "customers.csv"), "w", encoding="utf-8",
              newline="")
    rf = open(os.path.join(a.out, "remind.rem"), "w", encoding="utf-8")
    pf = cof = None
    if not growth:
        pf = open(os.path.join(a.out, "purchases.csv"), "w",
                  encoding="utf-8", newline="")
        cof = open(os.path.join(a.out, "contacts.csv"), "w",
                   encoding="utf-8", newline="")
        pf.write("external_id,amount,date\n")
        cof.write("external_id,date,kind,rep,note\n")
    cf.write("external_id,name,salutation,email,phone,birthday,anniversary,"
             + ("tier," if growth else "")
             + "rep,locale,timezone,channel,opt_out,notes,hobby,children\n")
    tord = today.toordinal()
    fromord = dt.date.fromordinal
    cnt = {"A": 0, "B": 0, "C": 0, "sleeping": 0, "lost": 0, "bday": 0,
           "bday_today": 0, "lunar": 0, "feb29": 0, "anniv": 0,
           "purchases": 0, "contacts": 0, "revisit_due": 0}
    cbuf, pbuf, obuf, rbuf = [], [], [], []
    for i in range(1, n + 1):
        ext = "C%07d" % i
        zh = r() < 0.6
        if zh:
            name = SURNAMES[ri(len(SURNAMES))] + GIVEN[ri(len(GIVEN))]
            sal = name[0] + ("总", "先生", "女士", "经理")[ri(4)]
            phone = "+86 1%d %04d %04d" % ((38, 39, 50, 86)[ri(4)],
                                           ri(10000), ri(10000))
            loc, tz = "zh_CN", "Asia/Shanghai"
        else:
            fn = FIRST[ri(len(FIRST))]
            ln = LAST[ri(len(LAST))]
            name = fn + " " + ln
            sal = ("Mr.", "Ms.", "Dr.")[ri(3)] + " " + ln.split(",")[0]
            phone = "+1 415 555 %04d" % ri(10000)
            loc, tz = "en", ZONES_EN[ri(3)]
        # Birthday.
        x = r()
        bday = ""
        if growth:
            if i in due_ids:
                y = 1950 + ri(56)
                m_, d_ = md(today)
                if (m_, d_) == (2, 29):
                    y = 1952 + 4 * ri(13)
                bday = "%04d-%02d-%02d" % (y, m_, d_)
                cnt["bday_today"] += 1
            elif x >= 0.08:
                while True:
                    b = fromord(lo + ri(hi - lo + 1))
                    if md(b) not in excl_b:
                        break
                bday = b.isoformat()
        elif x < 0.08:
            bday = ""
        elif x < 0.13 and zh:
            bday = "L:%04d-%02d-%02d" % (1950 + ri(56), 1 + ri(12), 1 + ri(29))
            cnt["lunar"] += 1
        else:
            b = fromord(lo + ri(hi - lo + 1))
            bday = b.isoformat() if x >= 0.16 else "--%02d-%02d" % md(b)
        if bday and not bday.startswith("L:"):
            cnt["bday"] += 1
            bm, bd = int(bday[-5:-3]), int(bday[-2:])
            if (bm, bd) == (2, 29):
                cnt["feb29"] += 1
            if (bm, bd) == md(today):
                cnt["bday_today"] += 0 if growth else 1
            rbuf.append("REM %d %s MSG %s\n" % (bd, MON[bm - 1], name))
        anniv = ""
        if r() < 0.4:
            while True:
                ad = fromord(dt.date(2000, 1, 1).toordinal() +
                             ri(365 * (today.year - 2000)))
                if not growth or md(ad) not in excl_a:
                    break
            anniv = ad.isoformat()
            cnt["anniv"] += 1
        t = r()
        tier = "A" if t < 0.2 else ("B" if t < 0.8 else "C")
        cnt[tier] += 1
        rep = reps[ri(nreps)]
        ch = ("email", "email", "sms", "")[ri(4)]
        opt = "sms" if r() < 0.03 else ""
        notes = NOTES[ri(len(NOTES))] if r() < 0.05 else ""
        row = [ext, name, sal, "c%07d@example.test" % i, phone, bday, anniv]
        if growth:
            row.append(tier)
        row += [rep, loc, tz, ch, opt, notes, HOBBIES[ri(len(HOBBIES))],
                str(ri(4))]
        cbuf.append(",".join(q(v) for v in row) + "\n")
        if not growth:
            # Purchases, newest first: age L, then every I days.
            s = r()
            if tier == "A":
                np_, iv = 4 + ri(6), 25 + ri(36)
                last = ri(iv)
                amt = (800, 3000)
            elif tier == "B":
                np_, iv = 1 + ri(4), 30 + ri(91)
                last = ri(151)
                amt = (100, 600)
            else:
                np_, iv = ri(3), 60 + ri(141)
                last = ri(171)
                amt = (5, 90)
            if s < 0.04:
                last = 181 + ri(184)
                cnt["sleeping"] += 1
            elif s < 0.055:
                last = 366 + ri(355)
                np_ = max(np_, 1)
                cnt["lost"] += 1
            for k in range(np_):
                pd = fromord(tord - last - k * iv)
                pbuf.append("%s,%d.%02d,%s\n" % (ext, amt[0] + ri(amt[1] - amt[0]),
                                                 ri(100), pd.isoformat()))
            cnt["purchases"] += np_
            # Contacts: the last one within the cadence (1% overdue).
            cad = CADENCE[tier]
            age = cad + 1 + ri(cad) if r() < 0.01 else 1 + ri(cad)
            if age >= cad:
                cnt["revisit_due"] += 1
            kinds = KINDS_A if tier == "A" else KINDS_BC
            for k in range(1 + ri(2)):
                cd = fromord(tord - age - k * cad)
                note = "" if r() < 0.7 else ("回访, 满意" if zh else "follow-up, ok")
                obuf.append("%s,%s,%s,%s,%s\n" % (ext, cd.isoformat(),
                                                  kinds[ri(5)], rep, q(note)))
                cnt["contacts"] += 1
        if len(cbuf) >= 20000:
            cf.write("".join(cbuf))
            rf.write("".join(rbuf))
            cbuf, rbuf = [], []
            if pf:
                pf.write("".join(pbuf))
                cof.write("".join(obuf))
                pbuf, obuf = [], []
    cf.write("".join(cbuf))
    rf.write("".join(rbuf))
    cf.close()
    rf.close()
    if pf:
        pf.write("".join(pbuf))
        cof.write("".join(obuf))
        pf.close()
        cof.close()
    with open(os.path.join(a.out, "expect.txt"), "w") as f:
        f.write("mode=%s customers=%d today=%s seed=%d reps=%d\n" %
                (a.mode, n, a.today, a.seed, nreps))
        f.write(" ".join("%s=%d" % kv for kv in cnt.items()) + "\n")
    sys.stdout.write(open(os.path.join(a.out, "expect.txt")).read())


if __name__ == "__main__":
    main()

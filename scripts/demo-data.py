#!/usr/bin/env python3
"""Writes the demo's CSV files into DIR, with dates relative to TODAY
(YYYY-MM-DD): a few dozen realistic customers, Chinese and English, with
birthdays today and in the coming days, an A-tier birthday two weeks out,
a sleeping customer, a lost one, an opted-out one, purchases and contacts.
Usage: demo-data.py DIR TODAY"""
import datetime as dt
import os
import random
import sys

out, today = sys.argv[1], dt.date.fromisoformat(sys.argv[2])
rnd = random.Random(7)
os.makedirs(out, exist_ok=True)


def md(d, year):
    return "%04d-%02d-%02d" % (year, d.month, d.day)


def day(offset):
    return today + dt.timedelta(days=offset)


people = [
    # id, name, salutation, locale, tz, channel, birthday offset, tier, rep, extras
    ("C001", "张伟", "张总", "zh_CN", "Asia/Shanghai", "sms", 0, "A", "li", {"hobby": "茶道"}),
    ("C002", "Alice Brown", "Ms. Brown", "en", "America/New_York", "email", 0, "B", "smith", {"hobby": "golf"}),
    ("C003", "王芳", "王姐", "zh_CN", "Asia/Shanghai", "email", 1, "B", "li", {"child_school": "复旦大学"}),
    ("C004", "Robert Chen", "Mr. Chen", "en", "Europe/London", "email", 2, "C", "smith", {}),
    ("C005", "李娜", "李老师", "zh_CN", "Asia/Shanghai", "sms", 14, "A", "li", {"hobby": "书法"}),
    ("C006", "Maria Garcia", "Dr. Garcia", "en", "America/Los_Angeles", "email", 3, "A", "smith", {"interest": "solar panels"}),
    ("C007", "刘洋", "刘先生", "zh_CN", "Asia/Shanghai", "sms", 5, "B", "wang", {}),
    ("C008", "Opted Out Olivia", "Ms. Olsen", "en", "Europe/London", "email", 0, "B", "smith", {}),
]
surn = "陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋"
given = ["静", "丽", "强", "磊", "军", "勇", "艳", "杰", "娟", "涛", "明", "超", "秀兰", "霞"]
first = ["James", "Mary", "John", "Linda", "David", "Susan", "Peter", "Karen"]
last = ["Smith", "Johnson", "Williams", "Jones", "Miller", "Davis", "Wilson", "Taylor"]
for i in range(9, 41):
    zh = i % 3 != 0
    name = (rnd.choice(surn) + rnd.choice(given)) if zh else (rnd.choice(first) + " " + rnd.choice(last))
    sal = (name[0] + rnd.choice(["总", "经理", "先生", "女士"])) if zh else ("Mr. " if i % 2 else "Ms. ") + name.split()[-1]
    people.append(("C%03d" % i, name, sal, "zh_CN" if zh else "en",
                   "Asia/Shanghai" if zh else "Europe/London",
                   rnd.choice(["sms", "email"]) if zh else "email",
                   rnd.randrange(20, 340), "", rnd.choice(["li", "wang", "smith"]),
                   {"hobby": rnd.choice(["钓鱼", "高尔夫", "摄影", ""])} if zh else {}))

with open(os.path.join(out, "reps.txt"), "w") as f:
    f.write("li|李娜|li.na@example.test|+8613911112222\n")
    f.write("wang|王强|wang.qiang@example.test|+8613933334444\n")
    f.write("smith|Anna Smith|anna.smith@example.test|+442079460000\n")

with open(os.path.join(out, "customers.csv"), "w", encoding="utf-8") as f:
    f.write("external_id,name,salutation,email,phone,birthday,anniversary,tier,rep,locale,timezone,channel,opt_out,notes,hobby,child_school,interest\n")
    for n, (cid, name, sal, loc, tz, ch, boff, tier, rep, ex) in enumerate(people):
        b = day(boff)
        born = rnd.randrange(1955, 1995)
        if b.month == 2 and b.day == 29:
            born = 1984
        anniv = md(day(0), 2016) if cid == "C004" else ""
        phone = "1%d%08d" % (rnd.choice([38, 39, 86]), n * 1234567 % 10**8) if loc == "zh_CN" else "+44 20 7946 %04d" % n
        email = "%s@example.test" % cid.lower()
        opt = "all" if cid == "C008" else ""
        f.write(",".join([cid, name, sal, email, phone, md(b, born), anniv, tier, rep, loc, tz, ch, opt,
                          "", ex.get("hobby", ""), ex.get("child_school", ""), ex.get("interest", "")]) + "\n")

with open(os.path.join(out, "purchases.csv"), "w") as f:
    f.write("external_id,amount,date\n")
    for n, p in enumerate(people):
        cid = p[0]
        if cid == "C010":      # sleeping: last purchase 180 days ago
            f.write("%s,480.00,%s\n" % (cid, day(-180)))
            continue
        if cid == "C011":      # lost: last purchase a year ago
            f.write("%s,99.00,%s\n" % (cid, day(-365)))
            continue
        for k in range(rnd.randrange(1, 6)):
            f.write("%s,%d.%02d,%s\n" % (cid, rnd.randrange(50, 5000), rnd.randrange(100), day(-rnd.randrange(5, 150))))

with open(os.path.join(out, "contacts.csv"), "w") as f:
    f.write("external_id,date,kind,rep,note\n")
    for n, p in enumerate(people):
        cid, rep = p[0], p[8]
        if cid in ("C010", "C011"):
            f.write("%s,%s,call,%s,followed up on the last order\n" % (cid, day(-370), rep))
        elif cid == "C012":    # a tier B revisit falls due today
            f.write("%s,%s,visit,%s,quarterly visit\n" % (cid, day(-90), rep))
        else:
            f.write("%s,%s,%s,%s,\n" % (cid, day(-rnd.randrange(1, 25)), rnd.choice(["call", "visit", "email"]), rep))

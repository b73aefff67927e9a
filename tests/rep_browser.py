#!/usr/bin/python3
"""Drives a rep's pages in headless Chromium, as a phone would.

With --feed: takes a task link the way a calendar client gets it: fetches
the feed, unfolds its lines (RFC 5545 3.1), reads the DESCRIPTION of the
event whose SUMMARY contains --summary and takes the link from its "Open:"
line ("打开：" when the rep reads Chinese).  Opens it at a 360x740
viewport, saves a screenshot, measures the page's width, types a note and
presses "reached".  Prints one JSON object: link, scroll_width, title,
notice, status, screenshot.

With --day URL (a rep's /r/TOKEN): opens the day page, saves a screenshot,
reads its tasks and, on a manager's page, the escalations under each rep;
with --click TEXT it clicks the first task link containing TEXT (in the
escalations with --in escalations), reads the task page it leads to
(--task-screenshot saves it) and, with --note, records "reached" there.
Prints one JSON object: title, scroll_width, scripts, tasks [{tier, text,
href}], escalations [{rep, overdue, tasks}] or null, clicked {url,
title, card, scroll_width, notice, status}.  --no-js runs the browser
with JavaScript disabled.

Exit status 77 when Chromium or its driver cannot be started."""
import argparse
import json
import re
import shutil
import sys
import tempfile
import urllib.request

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
         "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync",
         "--window-size=360,740"]


def unfold(text):
    """Content lines with folding undone."""
    return re.sub(r"\r?\n[ \t]", "", text).splitlines()


def unescape(value):
    out, i = [], 0
    while i < len(value):
        c = value[i]
        if c == "\\" and i + 1 < len(value):
            n = value[i + 1]
            out.append("\n" if n in "nN" else n)
            i += 2
        else:
            out.append(c)
            i += 1
    return "".join(out)


def task_link(feed_url, summary):
    body = urllib.request.urlopen(feed_url, timeout=10).read().decode()
    event = {}
    for line in unfold(body):
        if line == "BEGIN:VEVENT":
            event = {}
        name, _, value = line.partition(":")
        event[name.split(";")[0]] = unescape(value)
        if line == "END:VEVENT" and summary in event.get("SUMMARY", ""):
            m = re.search(r"^(?:Open: |打开：)(\S+/t/[A-Za-z0-9_-]+)$",
                          event.get("DESCRIPTION", ""), re.M)
            if m:
                return m.group(1)
    raise SystemExit("no event with %r and a link in %s" % (summary, feed_url))


def browser(profile, javascript=True):
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError as e:
        print("selenium: %s" % e, file=sys.stderr)
        sys.exit(77)
    opts = webdriver.ChromeOptions()
    for f in FLAGS + ["--user-data-dir=" + profile]:
        opts.add_argument(f)
    if not javascript:
        opts.add_experimental_option("prefs", {
            "profile.managed_default_content_settings.javascript": 2})
    chromium = shutil.which("chromium")
    if chromium:
        opts.binary_location = chromium
    drv = shutil.which("chromedriver") or "/usr/bin/chromedriver"
    try:
        d = webdriver.Chrome(service=Service(drv), options=opts)
    except Exception as e:  # no browser, no driver, cannot start
        print("chromium: %s" % e, file=sys.stderr)
        sys.exit(77)
    d.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
        "width": 360, "height": 740, "deviceScaleFactor": 1, "mobile": True})
    d.set_page_load_timeout(20)
    return d


def scroll_width(d):
    return d.execute_script("return document.documentElement.scrollWidth")


def record(d, note, kind, res):
    """Types the note and presses "reached" on an open task page."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as EC
    from selenium.webdriver.support.ui import Select, WebDriverWait
    d.find_element(By.ID, "note").send_keys(note)
    if kind:
        Select(d.find_element(By.ID, "kind")).select_by_value(kind)
    d.find_element(By.ID, "o-reached").click()
    # click() does not wait for the page the form leads to: a loaded
    # machine is still answering the POST when the next line runs.
    WebDriverWait(d, 30).until(
        EC.presence_of_element_located((By.ID, "notice")))
    res["notice"] = d.find_element(By.ID, "notice").text
    res["status"] = d.find_element(By.ID, "status").text
    res["after_scroll_width"] = scroll_width(d)


def task_flow(d, a):
    """--feed: the task page from the feed's link."""
    from selenium.webdriver.common.by import By
    link = task_link(a.feed, a.summary)
    d.get(link)
    d.save_screenshot(a.screenshot)
    res = {"link": link, "screenshot": a.screenshot, "title": d.title,
           "scroll_width": scroll_width(d),
           "scripts": len(d.find_elements(By.TAG_NAME, "script"))}
    record(d, a.note, a.kind, res)
    return res


def day_items(ol):
    from selenium.webdriver.common.by import By
    out = []
    for li in ol.find_elements(By.XPATH, "./li"):
        a = li.find_element(By.TAG_NAME, "a")
        out.append({"tier": li.get_attribute("class"), "text": li.text,
                    "href": a.get_attribute("href")})
    return out


def escalations(d):
    """The manager's section: each rep's name, overdue line and tasks."""
    from selenium.webdriver.common.by import By
    sec = d.find_elements(By.ID, "escalations")
    if not sec:
        return None
    reps = []
    for el in sec[0].find_elements(By.XPATH, "./*"):
        tag = el.tag_name.lower()
        if tag == "h3":
            reps.append({"rep": el.text, "overdue": "", "tasks": []})
        elif tag == "p" and reps and "overdue" in el.get_attribute("class"):
            reps[-1]["overdue"] = el.text
        elif tag == "ol" and reps:
            reps[-1]["tasks"] = day_items(el)
    return reps


def click_task(d, a):
    """Follows the first task link with a.click in its text."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as EC
    from selenium.webdriver.support.ui import WebDriverWait
    where = "escalations" if a.within == "escalations" else "tasks"
    links = [e for e in d.find_elements(By.CSS_SELECTOR, "#%s li a" % where)
             if a.click in e.text]
    if not links:
        raise SystemExit("no link with %r in #%s" % (a.click, where))
    links[0].click()
    WebDriverWait(d, 30).until(
        EC.presence_of_element_located((By.ID, "card")))
    res = {"url": d.current_url, "title": d.title,
           "card": d.find_element(By.ID, "card").text,
           "scroll_width": scroll_width(d)}
    if a.task_screenshot:
        d.save_screenshot(a.task_screenshot)
    if a.note:
        record(d, a.note, a.kind, res)
    return res


def day_flow(d, a):
    """--day: the rep's day, and the task page a click leads to."""
    from selenium.webdriver.common.by import By
    d.get(a.day)
    d.save_screenshot(a.screenshot)
    res = {"title": d.title, "scroll_width": scroll_width(d),
           "scripts": len(d.find_elements(By.TAG_NAME, "script")),
           "tasks": day_items(d.find_element(By.ID, "tasks")),
           "escalations": escalations(d), "clicked": None}
    if a.click:
        res["clicked"] = click_task(d, a)
    return res


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--feed")
    ap.add_argument("--summary")
    ap.add_argument("--day")
    ap.add_argument("--click", default="")
    ap.add_argument("--in", dest="within", default="tasks",
                    choices=["tasks", "escalations"])
    ap.add_argument("--task-screenshot", default="")
    ap.add_argument("--no-js", action="store_true")
    ap.add_argument("--screenshot", required=True)
    ap.add_argument("--note", default="")
    ap.add_argument("--kind", default="")
    a = ap.parse_args()
    if not a.day and not (a.feed and a.summary):
        ap.error("--day, or --feed and --summary")
    profile = tempfile.mkdtemp(prefix="rep-browser-")
    d = browser(profile, javascript=not a.no_js)
    try:
        res = day_flow(d, a) if a.day else task_flow(d, a)
        print(json.dumps(res, ensure_ascii=False))
    finally:
        d.quit()
        shutil.rmtree(profile, ignore_errors=True)


if __name__ == "__main__":
    main()

#!/usr/bin/python3
"""Drives a rep's task page in headless Chromium, as a phone would.

Takes a task link the way a calendar client gets it: fetches the feed,
unfolds its lines (RFC 5545 3.1), reads the DESCRIPTION of the event whose
SUMMARY contains --summary and takes the link from its "Open:" line
("打开：" when the rep reads Chinese).  Opens it at a 360x740 viewport,
saves a screenshot, measures the page's width, types a note and presses
"reached".  Prints one JSON object:
link, scroll_width, title, notice, status, screenshot.

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


def browser(profile):
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError as e:
        print("selenium: %s" % e, file=sys.stderr)
        sys.exit(77)
    opts = webdriver.ChromeOptions()
    for f in FLAGS + ["--user-data-dir=" + profile]:
        opts.add_argument(f)
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


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--feed", required=True)
    ap.add_argument("--summary", required=True)
    ap.add_argument("--screenshot", required=True)
    ap.add_argument("--note", default="")
    ap.add_argument("--kind", default="")
    a = ap.parse_args()
    link = task_link(a.feed, a.summary)
    profile = tempfile.mkdtemp(prefix="rep-browser-")
    d = browser(profile)
    try:
        from selenium.webdriver.common.by import By
        from selenium.webdriver.support import expected_conditions as EC
        from selenium.webdriver.support.ui import Select, WebDriverWait
        d.get(link)
        d.save_screenshot(a.screenshot)
        res = {"link": link, "screenshot": a.screenshot, "title": d.title,
               "scroll_width": d.execute_script(
                   "return document.documentElement.scrollWidth"),
               "scripts": len(d.find_elements(By.TAG_NAME, "script"))}
        d.find_element(By.ID, "note").send_keys(a.note)
        if a.kind:
            Select(d.find_element(By.ID, "kind")).select_by_value(a.kind)
        d.find_element(By.ID, "o-reached").click()
        # click() does not wait for the page the form leads to: a loaded
        # machine is still answering the POST when the next line runs.
        WebDriverWait(d, 30).until(
            EC.presence_of_element_located((By.ID, "notice")))
        res["notice"] = d.find_element(By.ID, "notice").text
        res["status"] = d.find_element(By.ID, "status").text
        res["after_scroll_width"] = d.execute_script(
            "return document.documentElement.scrollWidth")
        print(json.dumps(res, ensure_ascii=False))
    finally:
        d.quit()
        shutil.rmtree(profile, ignore_errors=True)


if __name__ == "__main__":
    main()

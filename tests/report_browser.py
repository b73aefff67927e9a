#!/usr/bin/python3
"""Opens the manager's report in headless Chromium, as a desktop would.

  report_browser.py --url URL --screenshot FILE [--offline]

URL is the daemon's /report/TOKEN or a file:// URL of `outreachctl report
--html`.  With --offline every host name fails to resolve, so anything the
page fetched from elsewhere would be missing.  At 1000 pixels wide, the
window is made as tall as the page and the whole page saved.  Prints one
JSON object: title, h1, sections (the h2 texts), charts (the SVGs, each
with its accessible name and whether it has drawn marks), cards,
scroll_width, scripts, external (URLs in src or href attributes),
screenshot.

Exit status 77 when Chromium or its driver cannot be started."""
import argparse
import json
import shutil
import sys
import tempfile

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
         "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--hide-scrollbars",
         "--window-size=1000,800"]
WIDTH = 1000


def browser(profile, offline):
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError as e:
        print("selenium: %s" % e, file=sys.stderr)
        sys.exit(77)
    opts = webdriver.ChromeOptions()
    flags = FLAGS + ["--user-data-dir=" + profile]
    if offline:
        flags.append("--host-resolver-rules=MAP * ~NOTFOUND")
    for f in flags:
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
    d.set_page_load_timeout(60)
    return d


def look(d, a):
    from selenium.webdriver.common.by import By
    d.get(a.url)
    charts = []
    for svg in d.find_elements(By.CSS_SELECTOR, "svg.chart"):
        marks = svg.find_elements(By.TAG_NAME, "rect")
        charts.append({"name": svg.get_attribute("aria-label"),
                       "marks": len(marks),
                       "width": svg.size["width"]})
    external = d.execute_script("""
        return Array.from(document.querySelectorAll('[src],[href]'))
            .map(e => e.getAttribute('src') || e.getAttribute('href'))
            .filter(u => /^[a-z]+:/i.test(u));""")
    height = d.execute_script(
        "return document.documentElement.scrollHeight")
    d.set_window_size(WIDTH, max(400, min(height, 8000)))
    d.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
        "width": WIDTH, "height": max(400, min(height, 8000)),
        "deviceScaleFactor": 1, "mobile": False})
    d.save_screenshot(a.screenshot)
    return {"title": d.title,
            "h1": d.find_element(By.TAG_NAME, "h1").text,
            "sections": [e.text for e in d.find_elements(By.TAG_NAME, "h2")],
            "charts": charts,
            "cards": [e.text.replace("\n", " ") for e in
                      d.find_elements(By.CSS_SELECTOR, ".card")],
            "scroll_width": d.execute_script(
                "return document.documentElement.scrollWidth"),
            "scripts": len(d.find_elements(By.TAG_NAME, "script")),
            "external": external, "screenshot": a.screenshot}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", required=True)
    ap.add_argument("--screenshot", required=True)
    ap.add_argument("--offline", action="store_true")
    a = ap.parse_args()
    profile = tempfile.mkdtemp(prefix="report-browser-")
    d = browser(profile, a.offline)
    try:
        print(json.dumps(look(d, a), ensure_ascii=False))
    finally:
        d.quit()
        shutil.rmtree(profile, ignore_errors=True)


if __name__ == "__main__":
    main()

#!/usr/bin/env bash
# Checks an HTML report of `tfckpt conform --report-html` / matrix_report in
# headless Chromium (Debian's `chromium`, installed here when missing):
# the page renders with its script, offline, and what it shows equals the
# JSON reports it was made from (summary counts; one row per case; as many
# pass / fail / skip cells as the reports count).
#   html_report_test.sh PAGE.html NAME=REPORT.json...
# Exit 0 pass, 1 mismatch, 3 SKIPPED (no Chromium could be installed).
set -uo pipefail
page="$1"; shift
if ! command -v chromium >/dev/null 2>&1; then
  echo "html_report_test: installing Debian's chromium (apt)" >&2
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  if ! { $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
         $SUDO apt-get install -y -qq --no-install-recommends chromium; } >/tmp/chromium-install.log 2>&1; then
    echo "================================================================"
    echo "SKIPPED: HTML report check: Debian's chromium could not be installed:"
    tail -n 5 /tmp/chromium-install.log | sed 's/^/    /'
    echo "================================================================"
    exit 3
  fi
fi
profile="$(mktemp -d)"
dom="$(mktemp)"
trap 'rm -rf "$profile" "$dom"' EXIT
# No network at view time: every flag that would make Chromium phone home is
# off, and the page itself names no URL (report_test checks that too).
timeout 120 chromium --headless --no-sandbox --disable-gpu --disable-background-networking \
  --disable-component-update --no-first-run --disable-sync --user-data-dir="$profile" \
  --virtual-time-budget=5000 --dump-dom "file://$(realpath "$page")" >"$dom" 2>"$profile.log"
rc=$?
[ $rc -eq 0 ] && [ -s "$dom" ] || { echo "FAIL: chromium exit $rc, no DOM:"; tail -n 5 "$profile.log"; rm -f "$profile.log"; exit 1; }
rm -f "$profile.log"
python3 - "$dom" "$@" <<'PY'
import json, sys
from html.parser import HTMLParser

class Dom(HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids, self.cur_id, self.rows, self.cells, self.shown = {}, None, 0, {}, None
        self.in_case_row = False
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "id" in a:
            self.cur_id = a["id"]
        if tag == "tr" and a.get("class") == "case":
            self.rows += 1
            self.in_case_row = True
        elif tag == "td" and self.in_case_row and a.get("class"):
            kind = a["class"].split()[0]
            self.cells[kind] = self.cells.get(kind, 0) + 1
    def handle_endtag(self, tag):
        if tag == "tr":
            self.in_case_row = False
        self.cur_id = None
    def handle_data(self, data):
        if self.cur_id and data.strip():
            self.ids[self.cur_id] = self.ids.get(self.cur_id, "") + data.strip()

dom = Dom()
dom.feed(open(sys.argv[1], encoding="utf-8").read())
errors = []
names, totals = [], {"pass": 0, "fail": 0, "skip": 0}
for i, spec in enumerate(sys.argv[2:]):
    name, path = spec.split("=", 1)
    r = json.load(open(path, encoding="utf-8"))
    for key in ("passed", "failed", "skipped"):
        got = dom.ids.get("count-%d-%s" % (i, key))
        if got != str(r[key]):
            errors.append("%s %s: page shows %r, JSON has %d" % (name, key, got, r[key]))
    for c in r["cases"]:
        if c["name"] not in names:
            names.append(c["name"])
    totals["pass"] += r["passed"]; totals["fail"] += r["failed"]; totals["skip"] += r["skipped"]
ncols = len(sys.argv) - 2
# Cases missing from a report are shown as skipped cells.
totals["skip"] += len(names) * ncols - sum(totals.values())
if dom.rows != len(names):
    errors.append("page has %d case rows, the reports %d cases" % (dom.rows, len(names)))
for kind, want in totals.items():
    if dom.cells.get(kind, 0) != want:
        errors.append("page has %d %s cells, the reports %d" % (dom.cells.get(kind, 0), kind, want))
if dom.ids.get("shown") != str(len(names)):
    errors.append("'#shown' is %r, expected %d (the script did not run?)" % (dom.ids.get("shown"), len(names)))
for e in errors:
    print("FAIL: html report: " + e)
if not errors:
    print("html report: %d rows, %s cells; counts equal the JSON" % (dom.rows, dict(sorted(dom.cells.items()))))
sys.exit(1 if errors else 0)
PY

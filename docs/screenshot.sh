#!/usr/bin/env bash
# Remake docs/report-screenshot.png (README, 报表): the HTML report of the example data, in headless chromium.
# Needs chromium and a CJK font (Debian: apt-get install chromium fonts-noto-cjk).
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -r examples/2022-progress/data "$work/data"   # a copy outside git: the page says so instead of listing changes
gkplan report --data "$work/data" --today 2022-10-08 -o "$work/report.html"
chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --user-data-dir="$work/profile" \
  --window-size=1280,1800 --screenshot="$PWD/docs/report-screenshot.png" "file://$work/report.html"

#!/usr/bin/env bash
# Markdown table of a campaign's results from run_campaign.sh's logs:
#   fuzz/summarize.sh [WORK_DIR]   (default fuzz/work)
set -euo pipefail
work="${1:-$(dirname "$0")/work}"
echo "| target | seconds | executions | exec/s | edges (cov) | features | corpus | peak RSS MB | findings |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|---|"
for log in "$work"/*.log; do
  t=$(basename "$log" .log)
  done_line=$(grep -a -E '^#[0-9]+[[:space:]]+DONE' "$log" | tail -1 || true)
  [ -n "$done_line" ] || { echo "| $t | | | | | | | | did not finish (see $log) |"; continue; }
  execs=$(grep -a 'stat::number_of_executed_units' "$log" | awk '{print $2}')
  rate=$(grep -a 'stat::average_exec_per_sec' "$log" | awk '{print $2}')
  rss=$(grep -a 'stat::peak_rss_mb' "$log" | awk '{print $2}')
  cov=$(echo "$done_line" | sed -n 's/.*cov: \([0-9]*\).*/\1/p')
  ft=$(echo "$done_line" | sed -n 's/.*ft: \([0-9]*\).*/\1/p')
  corp=$(echo "$done_line" | sed -n 's/.*corp: \([0-9]*\)\/.*/\1/p')
  secs=$(( execs / (rate > 0 ? rate : 1) ))
  crashes=$(grep -a -c -E 'ERROR: (libFuzzer|AddressSanitizer|UndefinedBehaviorSanitizer)|runtime error' "$log" || true)
  echo "| $t | ~$secs | $execs | $rate | $cov | $ft | $corp | $rss | ${crashes:-0} |"
done

#!/usr/bin/env bash
# Markdown table of a campaign's results from run_campaign.sh's logs:
#   fuzz/summarize.sh [WORK_DIR]   (default fuzz/work)
# A run stopped by the CPU budget (-c) ends with libFuzzer's interrupt
# message instead of DONE; its last status line is used then.
set -euo pipefail
work="${1:-$(dirname "$0")/work}"
echo "| target | CPU s | wall s | executions | exec/s (wall) | edges (cov) | features | corpus | peak RSS MB | findings |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|"
for log in "$work"/*.log; do
  t=$(basename "$log" .log)
  last=$(grep -a -E '^#[0-9]+[[:space:]]+[A-Z]+ .*cov: ' "$log" | tail -1 || true)
  [ -n "$last" ] || { echo "| $t | | | | | | | | | did not start (see $log) |"; continue; }
  execs=$(grep -a 'stat::number_of_executed_units' "$log" | awk '{print $2}' || true)
  rate=$(grep -a 'stat::average_exec_per_sec' "$log" | awk '{print $2}' || true)
  rss=$(grep -a 'stat::peak_rss_mb' "$log" | awk '{print $2}' || true)
  cov=$(echo "$last" | sed -n 's/.*cov: \([0-9]*\).*/\1/p')
  ft=$(echo "$last" | sed -n 's/.*ft: \([0-9]*\).*/\1/p')
  corp=$(echo "$last" | sed -n 's/.*corp: \([0-9]*\)\/.*/\1/p')
  camp=$(grep -a '^campaign: ' "$log" | tail -1 || true)
  cpu=$(echo "$camp" | sed -n 's/.*cpu_seconds=\([0-9]*\).*/\1/p')
  wall=$(echo "$camp" | sed -n 's/.*wall_seconds=\([0-9]*\).*/\1/p')
  [ -n "$camp" ] || { echo "| $t | (running) | | | | $cov | $ft | $corp | | |"; continue; }
  crashes=$(grep -a -c -E 'ERROR: (libFuzzer|AddressSanitizer|UndefinedBehaviorSanitizer)|runtime error' "$log" || true)
  echo "| $t | ${cpu:-?} | ${wall:-?} | ${execs:-?} | ${rate:-?} | $cov | $ft | $corp | ${rss:-?} | ${crashes:-0} |"
done

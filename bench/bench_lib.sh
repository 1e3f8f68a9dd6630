# Shared by bench/run_benchmarks.sh and bench/run_side_by_side.sh (sourced).

# require_resources NAME SCRATCH_DIR DISK_GIB MEM_GIB: exit 1 unless
# SCRATCH_DIR's file system has DISK_GIB free and the machine MEM_GIB
# available.
require_resources() {
  local name=$1 dir=$2 disk_gib=$3 mem_gib=$4 avail_kb mem_kb
  avail_kb=$(df -Pk "$dir" | awk 'NR == 2 { print $4 }')
  if (( avail_kb < disk_gib * 1024 * 1024 )); then
    echo "$name: $dir has $((avail_kb / 1024)) MiB free; need $disk_gib GiB" >&2
    exit 1
  fi
  mem_kb=$(awk '/^MemAvailable:/ { print $2 }' /proc/meminfo)
  if (( mem_kb < mem_gib * 1024 * 1024 )); then
    echo "$name: only $((mem_kb / 1024)) MiB of memory available; need $mem_gib GiB" >&2
    exit 1
  fi
}

# Other jobs may share the machine: wait (up to QUIET_WAIT_S seconds,
# default 300) for the 1-minute load average to drop below QUIET_LOAD
# (default 1.5) before measuring. Sets `waited` (seconds); the reports state
# the load either way.
wait_for_quiet() {
  local quiet_load=${QUIET_LOAD:-1.5}
  waited=0
  while awk -v max="$quiet_load" '{ exit !($1 >= max) }' /proc/loadavg &&
        (( waited < ${QUIET_WAIT_S:-300} )); do
    if (( waited == 0 )); then echo "== waiting for load < $quiet_load ($(cut -d' ' -f1-3 /proc/loadavg))"; fi
    sleep 10
    waited=$((waited + 10))
  done
}

#!/usr/bin/env bash
# The benchmark driver: runs every scripts/bench/*.sh part in name order; each prints its own table.
# Benchmarks are not tests: numbers from one run on one machine, compared with each other.
#   ./scripts/bench.sh            all parts
#   ./scripts/bench.sh emulator   only parts whose file name contains "emulator"
# Parts append KEY=VALUE lines (e.g. EMU_DOWNLOAD_1_MBPS=1125) to "$BENCH_RESULTS/results.env", so
# a later part (the mount) can show its numbers as ratios of the raw HTTP limit measured before it.
# Set BENCH_RESULTS to a folder to keep that file; otherwise a temp folder is used and removed.
set -uo pipefail
cd "$(dirname "$0")/.."
filter="${1:-}"
status=0
if [ -z "${BENCH_RESULTS:-}" ]; then
  BENCH_RESULTS=$(mktemp -d "${TMPDIR:-/tmp}/dropboxfs-bench-results.XXXXXX")
  trap 'rm -rf "$BENCH_RESULTS"' EXIT
fi
export BENCH_RESULTS
touch "$BENCH_RESULTS/results.env"
echo "# DropboxFs benchmarks, $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, $(uname -r)"
for part in scripts/bench/*.sh; do
  [ -n "$filter" ] && [[ "$(basename "$part")" != *"$filter"* ]] && continue
  echo
  echo "## $(basename "$part" .sh)"
  if ! bash "$part"; then
    echo "bench part $(basename "$part") FAILED" >&2
    status=1
  fi
done
exit $status

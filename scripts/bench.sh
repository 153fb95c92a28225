#!/usr/bin/env bash
# The benchmark driver: runs every scripts/bench/*.sh part in name order; each prints its own table.
# Benchmarks are not tests: numbers from one run on one machine, compared with each other.
#   ./scripts/bench.sh            all parts
#   ./scripts/bench.sh emulator   only parts whose file name contains "emulator"
set -uo pipefail
cd "$(dirname "$0")/.."
filter="${1:-}"
status=0
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

#!/usr/bin/env bash
# CLI get/put throughput against curl moving the same bytes to/from the same emulator, in one run.
#
#   scripts/bench/30-cli.sh            1 GiB (the issue's size)
#   BENCH_CLI_MIB=256 BENCH_CLI_RUNS=1 scripts/bench/30-cli.sh   smaller and once, for a quick look
#
# Request patterns (equal on both sides, so the ratio measures the client, not the protocol):
#   put: upload_session/start (empty body) → append_v2 of 128 MiB pieces → finish (empty body).
#        The CLI runs `dropboxfs put --resumable --fragment-size 134217728`.
#   get: one files/download of the whole file (curl -o FILE vs `dropboxfs get`).
# Each figure is the best of BENCH_CLI_RUNS (default 2) runs; the CLI's time includes process start.
# Peak RSS of dropboxfs is VmHWM from /proc/<pid>/status, sampled every 50 ms until exit; CPU is
# user+sys from the shell's `times` for waited-for children.
# Goals (issue 3): CLI ≥ 0.9× curl; peak RSS ≤ 200 MiB.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
mib=${BENCH_CLI_MIB:-1024}
piece_mib=128
bytes=$((mib * 1024 * 1024))
runs=${BENCH_CLI_RUNS:-2}

command -v curl >/dev/null || { echo "30-cli: curl is required (apt-get install curl)" >&2; exit 1; }

source "$root/scripts/bench/lib/emulator.sh"
work=$(mktemp -d "${TMPDIR:-/tmp}/dropboxfs-bench-cli.XXXXXX")
cleanup() {
  bench_stop_emulator
  rm -rf "$work"
}
trap cleanup EXIT

# --- data (untimed) ---------------------------------------------------------------------------
head -c "$bytes" /dev/urandom > "$work/src.bin"
split -b "${piece_mib}M" -d -a 3 "$work/src.bin" "$work/piece."
src_sum=$(sha256sum < "$work/src.bin" | cut -d' ' -f1)

# --- emulator (builds the Release CLI when stale) -----------------------------------------------
bench_start_emulator "$work/emu"
bin="$root/src/DropboxFs.Cli/bin/Release/net10.0/dropboxfs"
base=${EMU_URL%/}
token=$EMU_TOKEN
auth=(-H "Authorization: Bearer $token")
export DROPBOXFS_ENDPOINT="$base" DROPBOXFS_TOKEN="$token"

now() { date +%s.%N; }
mbps() { awk -v b="$bytes" -v s="$1" 'BEGIN { printf "%.1f", b / 1e6 / s }'; }

# CPU seconds (user+sys) of every waited-for child so far; `times` line 2 is the children's total.
# `times` must run in this shell (not in a $(...) subshell, whose children are none), hence the file.
child_cpu() {
  times > "$work/times"
  awk 'NR == 2 { split($1, u, /[ms]/); split($2, s, /[ms]/); print u[1] * 60 + u[2] + s[1] * 60 + s[2] }' "$work/times"
}
exec {tick_fd}<> <(:)   # read -t on this never gets data: a sleep without forking a process

# Runs the CLI, sampling its peak RSS with bash builtins only (no forks to pollute the CPU figure);
# sets $elapsed, $peak_mib and $cpu (user+sys seconds of dropboxfs).
run_cli() {
  local t0 t1 pid hwm=0 key value rest c0 c1
  child_cpu > "$work/cpu0"; c0=$(< "$work/cpu0")
  t0=$(now)
  "$bin" "$@" >"$work/cli.out" 2>"$work/cli.err" &
  pid=$!
  while [ -e "/proc/$pid/status" ]; do
    while read -r key value rest; do
      [ "$key" = "VmHWM:" ] && [ "$value" -gt "$hwm" ] && hwm=$value
    done < "/proc/$pid/status" 2>/dev/null || true
    read -r -t 0.05 -u "$tick_fd" || true
  done
  wait "$pid" || { echo "30-cli: dropboxfs $* failed:" >&2; cat "$work/cli.err" >&2; exit 1; }
  t1=$(now)
  elapsed=$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')
  child_cpu > "$work/cpu1"; c1=$(< "$work/cpu1")
  cpu=$(awk -v a="$c0" -v b="$c1" 'BEGIN { printf "%.2f", b - a }')
  peak_mib=$((hwm / 1024))
}

# Times a shell command list; sets $elapsed and $cpu like run_cli.
run_timed() {
  local t0 t1 c0 c1
  child_cpu > "$work/cpu0"; c0=$(< "$work/cpu0")
  t0=$(now)
  "$@"
  t1=$(now)
  child_cpu > "$work/cpu1"; c1=$(< "$work/cpu1")
  elapsed=$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')
  cpu=$(awk -v a="$c0" -v b="$c1" 'BEGIN { printf "%.2f", b - a }')
}

curl_put_once() { # $1 = remote path
  local sid offset=0 size piece
  sid=$(curl -sS -f -X POST "${auth[@]}" -H 'Content-Type: application/octet-stream' \
    -H 'Dropbox-API-Arg: {"close":false}' --data-binary '' "$base/2/files/upload_session/start" \
    | python3 -c 'import json,sys; print(json.load(sys.stdin)["session_id"])')
  for piece in "$work"/piece.*; do
    size=$(stat -c %s "$piece")
    curl -sS -f -X POST "${auth[@]}" -H 'Content-Type: application/octet-stream' \
      -H "Dropbox-API-Arg: {\"cursor\":{\"session_id\":\"$sid\",\"offset\":$offset},\"close\":false}" \
      -T "$piece" -o /dev/null "$base/2/files/upload_session/append_v2"
    offset=$((offset + size))
  done
  curl -sS -f -X POST "${auth[@]}" -H 'Content-Type: application/octet-stream' \
    -H "Dropbox-API-Arg: {\"cursor\":{\"session_id\":\"$sid\",\"offset\":$offset},\"commit\":{\"path\":\"$1\",\"mode\":\"overwrite\"}}" \
    --data-binary '' -o /dev/null "$base/2/files/upload_session/finish"
}

# Best of $runs for each, alternating curl and dropboxfs so load from other processes hits both
# alike (the machine is shared; single runs vary by 2x). Each put goes to a new path, because
# putting identical content over itself is a no-op by design (conflict rule 1).
best() { awk -v a="$1" -v b="$2" 'BEGIN { print (a == "" || b < a) ? b : a }'; }
curl_put="" cli_put="" curl_get="" cli_get="" cli_put_rss=0 cli_get_rss=0
curl_get_once() { # $1 = remote path
  curl -sS -f -X POST "${auth[@]}" -H "Dropbox-API-Arg: {\"path\":\"$1\"}" -o "$work/curl.get" "$base/2/files/download"
}
for ((run = 1; run <= runs; run++)); do
  run_timed curl_put_once "/bench/curl-$run.bin"
  curl_put=$(best "$curl_put" "$elapsed"); curl_put_cpu=$cpu

  run_cli put "$work/src.bin" "/bench/cli-$run.bin" --resumable --fragment-size $((piece_mib * 1024 * 1024))
  cli_put=$(best "$cli_put" "$elapsed"); cli_put_cpu=$cpu
  [ "$peak_mib" -gt "$cli_put_rss" ] && cli_put_rss=$peak_mib

  rm -f "$work/curl.get" "$work/cli.get"
  run_timed curl_get_once "/bench/cli-$run.bin"
  curl_get=$(best "$curl_get" "$elapsed"); curl_get_cpu=$cpu

  run_cli get "/bench/curl-$run.bin" "$work/cli.get"
  cli_get=$(best "$cli_get" "$elapsed"); cli_get_cpu=$cpu
  [ "$peak_mib" -gt "$cli_get_rss" ] && cli_get_rss=$peak_mib
done

# --- correctness (untimed): both directions moved the same bytes ----------------------------
[ "$(sha256sum < "$work/curl.get" | cut -d' ' -f1)" = "$src_sum" ] || { echo "30-cli: dropboxfs put produced different bytes" >&2; exit 1; }
[ "$(sha256sum < "$work/cli.get" | cut -d' ' -f1)" = "$src_sum" ] || { echo "30-cli: dropboxfs get produced different bytes" >&2; exit 1; }

# --- table ----------------------------------------------------------------------------------
ratio() { awk -v c="$1" -v d="$2" 'BEGIN { printf "%.2f", c / d }'; }  # curl secs / cli secs
verdict() { awk -v r="$1" -v m="$2" 'BEGIN { print (r >= 0.9 && m <= 200) ? "ok" : "MISS" }'; }
r_put=$(ratio "$curl_put" "$cli_put")
r_get=$(ratio "$curl_get" "$cli_get")
printf '\n30-cli: %d MiB, put in %d MiB fragments, best of %d runs, emulator with --data on local disk, load %s\n\n' \
  "$mib" "$piece_mib" "$runs" "$(cut -d' ' -f1-3 /proc/loadavg)"
echo '| op | curl MB/s | dropboxfs MB/s | ratio (goal ≥0.9) | dropboxfs peak RSS MiB (goal ≤200) | curl CPU s | dropboxfs CPU s | goal |'
echo '|---|---:|---:|---:|---:|---:|---:|---|'
row() { # op curl_secs cli_secs ratio rss curl_cpu cli_cpu
  printf '| %s | %s | %s | %sx | %s | %s | %s | %s |\n' "$1" "$(mbps "$2")" "$(mbps "$3")" "$4" "$5" "$6" "$7" "$(verdict "$4" "$5")"
}
row put "$curl_put" "$cli_put" "$r_put" "$cli_put_rss" "$curl_put_cpu" "$cli_put_cpu"
row get "$curl_get" "$cli_get" "$r_get" "$cli_get_rss" "$curl_get_cpu" "$cli_get_cpu"
echo
echo "CPU s = user+sys of the last run. dropboxfs checks content_hash (SHA-256, ~0.5 s per GiB here) both ways"
echo "and its time includes process start; curl does neither."

if [ -n "${BENCH_RESULTS:-}" ]; then
  mkdir -p "$BENCH_RESULTS"
  {
    echo "CLI_CURL_PUT_MBPS=$(mbps "$curl_put")"
    echo "CLI_PUT_MBPS=$(mbps "$cli_put")"
    echo "CLI_PUT_RATIO=$r_put"
    echo "CLI_PUT_PEAK_RSS_MIB=$cli_put_rss"
    echo "CLI_CURL_GET_MBPS=$(mbps "$curl_get")"
    echo "CLI_GET_MBPS=$(mbps "$cli_get")"
    echo "CLI_GET_RATIO=$r_get"
    echo "CLI_GET_PEAK_RSS_MIB=$cli_get_rss"
  } >> "$BENCH_RESULTS/results.env"
fi

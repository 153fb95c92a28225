#!/usr/bin/env bash
# CLI get/put throughput against curl moving the same bytes to/from the same emulator, in one run.
#
#   scripts/bench/30-cli.sh            1 GiB (the issue's size)
#   BENCH_CLI_MIB=256 scripts/bench/30-cli.sh   smaller, for a quick look
#
# Request patterns (equal on both sides, so the ratio measures the client, not the protocol):
#   put: upload_session/start (empty body) → append_v2 of 128 MiB pieces → finish (empty body).
#        The CLI runs `dropboxfs put --resumable --fragment-size 134217728`.
#   get: one files/download of the whole file (curl -o FILE vs `dropboxfs get`).
# Peak RSS of dropboxfs is VmHWM from /proc/<pid>/status, sampled every 50 ms until exit.
# Goals (issue 3): CLI ≥ 0.9× curl; peak RSS ≤ 200 MiB.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
mib=${BENCH_CLI_MIB:-1024}
piece_mib=128
bytes=$((mib * 1024 * 1024))

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

# Runs the CLI, sampling its peak RSS; sets $elapsed and $peak_mib.
run_cli() {
  local t0 t1 pid hwm=0 v
  t0=$(now)
  "$bin" "$@" >"$work/cli.out" 2>"$work/cli.err" &
  pid=$!
  while kill -0 "$pid" 2>/dev/null; do
    v=$(awk '/^VmHWM/ { print $2 }' "/proc/$pid/status" 2>/dev/null || true)
    [ -n "$v" ] && [ "$v" -gt "$hwm" ] && hwm=$v
    sleep 0.05
  done
  wait "$pid" || { echo "30-cli: dropboxfs $* failed:" >&2; cat "$work/cli.err" >&2; exit 1; }
  t1=$(now)
  elapsed=$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')
  peak_mib=$((hwm / 1024))
}

# --- put: curl ------------------------------------------------------------------------------
t0=$(now)
sid=$(curl -sS -X POST "${auth[@]}" -H 'Content-Type: application/octet-stream' \
  -H 'Dropbox-API-Arg: {"close":false}' --data-binary '' "$base/2/files/upload_session/start" \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["session_id"])')
offset=0
for piece in "$work"/piece.*; do
  size=$(stat -c %s "$piece")
  curl -sS -f -X POST "${auth[@]}" -H 'Content-Type: application/octet-stream' \
    -H "Dropbox-API-Arg: {\"cursor\":{\"session_id\":\"$sid\",\"offset\":$offset},\"close\":false}" \
    -T "$piece" -o /dev/null "$base/2/files/upload_session/append_v2"
  offset=$((offset + size))
done
curl -sS -f -X POST "${auth[@]}" -H 'Content-Type: application/octet-stream' \
  -H "Dropbox-API-Arg: {\"cursor\":{\"session_id\":\"$sid\",\"offset\":$offset},\"commit\":{\"path\":\"/bench/curl.bin\",\"mode\":\"overwrite\"}}" \
  --data-binary '' -o /dev/null "$base/2/files/upload_session/finish"
t1=$(now)
curl_put=$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')

# --- put: dropboxfs -------------------------------------------------------------------------
run_cli put "$work/src.bin" /bench/cli.bin --resumable --fragment-size $((piece_mib * 1024 * 1024)) --overwrite
cli_put=$elapsed
cli_put_rss=$peak_mib

# --- get: curl ------------------------------------------------------------------------------
t0=$(now)
curl -sS -f -X POST "${auth[@]}" -H 'Dropbox-API-Arg: {"path":"/bench/cli.bin"}' \
  -o "$work/curl.get" "$base/2/files/download"
t1=$(now)
curl_get=$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')

# --- get: dropboxfs -------------------------------------------------------------------------
run_cli get /bench/curl.bin "$work/cli.get"
cli_get=$elapsed
cli_get_rss=$peak_mib

# --- correctness (untimed): both directions moved the same bytes ----------------------------
[ "$(sha256sum < "$work/curl.get" | cut -d' ' -f1)" = "$src_sum" ] || { echo "30-cli: dropboxfs put produced different bytes" >&2; exit 1; }
[ "$(sha256sum < "$work/cli.get" | cut -d' ' -f1)" = "$src_sum" ] || { echo "30-cli: dropboxfs get produced different bytes" >&2; exit 1; }

# --- table ----------------------------------------------------------------------------------
ratio() { awk -v c="$1" -v d="$2" 'BEGIN { printf "%.2f", c / d }'; }  # curl secs / cli secs
verdict() { awk -v r="$1" -v m="$2" 'BEGIN { print (r >= 0.9 && m <= 200) ? "ok" : "MISS" }'; }
r_put=$(ratio "$curl_put" "$cli_put")
r_get=$(ratio "$curl_get" "$cli_get")
printf '\n30-cli: %d MiB, put in %d MiB fragments, emulator with --data on local disk\n' "$mib" "$piece_mib"
printf '%-6s %12s %14s %8s %14s %8s\n' op "curl MB/s" "dropboxfs MB/s" ratio "peak RSS MiB" goal
printf '%-6s %12s %14s %8s %14s %8s\n' put "$(mbps "$curl_put")" "$(mbps "$cli_put")" "${r_put}x" "$cli_put_rss" "$(verdict "$r_put" "$cli_put_rss")"
printf '%-6s %12s %14s %8s %14s %8s\n' get "$(mbps "$curl_get")" "$(mbps "$cli_get")" "${r_get}x" "$cli_get_rss" "$(verdict "$r_get" "$cli_get_rss")"

#!/usr/bin/env bash
# Raw HTTP throughput of the standalone emulator on loopback, measured with curl: the baseline that
# the mount is compared with later. 1 GiB goes up (one upload session of 8 x 128 MiB appends), 4 x
# 128 MiB go up in parallel (files/upload is capped at 150 MiB per request), and the 1 GiB comes
# down once whole and once as 4 parallel 256 MiB Range requests. Also reports the emulator's peak
# RSS (VmHWM) over the whole run. Data is random, so nothing compresses or deduplicates.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
source "$here/lib/emulator.sh"

MiB=$((1024 * 1024))
CHUNK=$((128 * MiB))
CHUNKS=8                      # 8 x 128 MiB = 1 GiB
TOTAL=$((CHUNK * CHUNKS))
RANGE=$((TOTAL / 4))          # 256 MiB per parallel download stream

tmp=$(mktemp -d "${TMPDIR:-/tmp}/dropboxfs-bench.XXXXXX")
cleanup() { bench_stop_emulator; rm -rf "$tmp"; }
trap cleanup EXIT

bench_start_emulator "$tmp"
auth="Authorization: Bearer $EMU_TOKEN"
rss_idle=$(bench_peak_rss_mib)

now() { date +%s.%N; }
# curl to a content route; prints the HTTP status; body to $out. Args: route arg-json out [curl args...]
content_call() {
  local route=$1 arg=$2 out=$3; shift 3
  curl -sS --max-time 180 -o "$out" -w '%{http_code}' -X POST -H "$auth" -H 'Expect:' \
    -H "Dropbox-API-Arg: $arg" "$@" "${EMU_URL}2/$route"
}
expect_200() { # status what body-file
  if [ "$1" != 200 ] && [ "$1" != 206 ]; then
    echo "$2 failed with HTTP $1: $(head -c 300 "$3" 2>/dev/null)" >&2; exit 1
  fi
}

for ((i = 0; i < CHUNKS; i++)); do head -c "$CHUNK" /dev/urandom >"$tmp/chunk$i"; done
for ((i = 0; i < 4; i++)); do head -c "$CHUNK" /dev/urandom >"$tmp/par$i"; done

# --- upload, 1 stream: start + 8 x append_v2 (128 MiB) + finish --------------------------------
t0=$(now)
code=$(content_call files/upload_session/start '{}' "$tmp/start.json" \
  -H 'Content-Type: application/octet-stream' --data-binary '')
expect_200 "$code" upload_session/start "$tmp/start.json"
sid=$(sed -n 's/.*"session_id": *"\([^"]*\)".*/\1/p' "$tmp/start.json")
for ((i = 0; i < CHUNKS; i++)); do
  code=$(content_call files/upload_session/append_v2 \
    "{\"cursor\": {\"session_id\": \"$sid\", \"offset\": $((i * CHUNK))}}" "$tmp/append.json" \
    -H 'Content-Type: application/octet-stream' -T "$tmp/chunk$i")
  expect_200 "$code" "append_v2 #$i" "$tmp/append.json"
done
t_appended=$(now)
code=$(content_call files/upload_session/finish \
  "{\"cursor\": {\"session_id\": \"$sid\", \"offset\": $TOTAL}, \"commit\": {\"path\": \"/bench/big.bin\", \"mode\": \"overwrite\"}}" \
  "$tmp/finish.json" -H 'Content-Type: application/octet-stream' --data-binary '')
expect_200 "$code" upload_session/finish "$tmp/finish.json"
t1=$(now)
grep -q "\"size\": *$TOTAL" "$tmp/finish.json" || { echo "finish did not report $TOTAL bytes: $(cat "$tmp/finish.json")" >&2; exit 1; }
up1=$(echo "$t0 $t1" | awk '{ print $2 - $1 }')
finish_s=$(echo "$t_appended $t1" | awk '{ printf "%.2f", $2 - $1 }')
rm -f "$tmp"/chunk*

# --- upload, 4 streams: 4 x files/upload of 128 MiB in parallel ---------------------------------
t0=$(now)
pids=()
for ((i = 0; i < 4; i++)); do
  (code=$(content_call files/upload "{\"path\": \"/bench/par$i.bin\", \"mode\": \"overwrite\"}" "$tmp/par$i.json" \
    -H 'Content-Type: application/octet-stream' -T "$tmp/par$i"); echo "$code" >"$tmp/par$i.code") &
  pids+=($!)
done
for p in "${pids[@]}"; do wait "$p"; done
t1=$(now)
for ((i = 0; i < 4; i++)); do expect_200 "$(cat "$tmp/par$i.code")" "upload par$i" "$tmp/par$i.json"; done
up4=$(echo "$t0 $t1" | awk '{ print $2 - $1 }')
rm -f "$tmp"/par?

# --- download, 1 stream: the whole 1 GiB ------------------------------------------------------
t0=$(now)
got=$(curl -sS --max-time 180 -o /dev/null -w '%{http_code} %{size_download}' -X POST -H "$auth" \
  -H 'Dropbox-API-Arg: {"path": "/bench/big.bin"}' "${EMU_URL}2/files/download")
t1=$(now)
[ "$got" = "200 $TOTAL" ] || { echo "download gave '$got', expected '200 $TOTAL'" >&2; exit 1; }
down1=$(echo "$t0 $t1" | awk '{ print $2 - $1 }')

# --- download, 4 streams: 4 x Range of 256 MiB in parallel -------------------------------------
t0=$(now)
pids=()
for ((i = 0; i < 4; i++)); do
  curl -sS --max-time 180 -o /dev/null -w '%{http_code} %{size_download}' -X POST -H "$auth" \
    -H 'Dropbox-API-Arg: {"path": "/bench/big.bin"}' \
    -H "Range: bytes=$((i * RANGE))-$(((i + 1) * RANGE - 1))" "${EMU_URL}2/files/download" >"$tmp/range$i" &
  pids+=($!)
done
for p in "${pids[@]}"; do wait "$p"; done
t1=$(now)
for ((i = 0; i < 4; i++)); do
  [ "$(cat "$tmp/range$i")" = "206 $RANGE" ] || { echo "range $i gave '$(cat "$tmp/range$i")', expected '206 $RANGE'" >&2; exit 1; }
done
down4=$(echo "$t0 $t1" | awk '{ print $2 - $1 }')

rss_peak=$(bench_peak_rss_mib)

row() { # what streams bytes seconds
  awk -v w="$1" -v s="$2" -v b="$3" -v t="$4" \
    'BEGIN { printf "| %-37s | %7d | %9d | %7.2f | %6.0f |\n", w, s, b / 1048576, t, b / t / 1e6 }'
}
echo "emulator: ${EMU_URL} (Release build), curl over loopback, random data"
echo
echo "| measurement                           | streams | MiB moved | seconds | MB/s   |"
echo "|---------------------------------------|---------|-----------|---------|--------|"
row "upload (session, 8 x 128 MiB)" 1 "$TOTAL" "$up1"
row "upload (files/upload, 128 MiB each)" 4 $((4 * CHUNK)) "$up4"
row "download (whole file)" 1 "$TOTAL" "$down1"
row "download (Range, 256 MiB each)" 4 "$TOTAL" "$down4"
echo
echo "upload_session/finish of the 1 GiB session took ${finish_s} s of the 1-stream upload time"
echo "emulator RSS: ${rss_idle} MiB after start, ${rss_peak} MiB peak (VmHWM) over the run"
echo "(MB/s = 10^6 bytes per second of wall time for all streams together)"

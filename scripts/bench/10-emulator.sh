#!/usr/bin/env bash
# Raw HTTP throughput of the standalone emulator on loopback, measured with curl: the baseline that
# the mount is compared with later. 1 GiB goes up (one upload session of 8 x 128 MiB appends), 4 x
# 128 MiB go up in parallel (files/upload is capped at 150 MiB per request), and the 1 GiB comes
# down once whole and once as 4 parallel 256 MiB Range requests. Each measurement runs 3 times and
# the median is shown (the machine is shared, single runs swing by 2x). Also reports the emulator's
# peak RSS (VmHWM) over the whole run. Data is random, so nothing compresses.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
source "$here/lib/emulator.sh"

MiB=$((1024 * 1024))
CHUNK=$((128 * MiB))
CHUNKS=8                      # 8 x 128 MiB = 1 GiB
TOTAL=$((CHUNK * CHUNKS))
RANGE=$((TOTAL / 4))          # 256 MiB per parallel download stream
RUNS=3

tmp=$(mktemp -d "${TMPDIR:-/tmp}/dropboxfs-bench.XXXXXX")
cleanup() { bench_stop_emulator; rm -rf "$tmp"; }
trap cleanup EXIT

bench_start_emulator "$tmp"
auth="Authorization: Bearer $EMU_TOKEN"
rss_idle=$(bench_peak_rss_mib)

now() { date +%s.%N; }
since() { echo "$1 $(now)" | awk '{ printf "%.3f", $2 - $1 }'; }
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
fail() { echo "$*" >&2; exit 1; }
# curl to a content route; prints the HTTP status; body to $out. Args: route arg-json out [curl args...]
content_call() {
  local route=$1 arg=$2 out=$3; shift 3
  curl -sS --max-time 180 -o "$out" -w '%{http_code}' -X POST -H "$auth" -H 'Expect:' \
    -H "Dropbox-API-Arg: $arg" "$@" "${EMU_URL}2/$route"
}
expect_200() { [ "$1" = 200 ] || fail "$2 failed with HTTP $1: $(head -c 300 "$3" 2>/dev/null)"; }

for ((i = 0; i < CHUNKS; i++)); do head -c "$CHUNK" /dev/urandom >"$tmp/chunk$i"; done

# 1 stream up: start + 8 x append_v2 (128 MiB) + finish. Prints "total-seconds finish-seconds".
upload_session() { # dest-path
  local t0 t_appended code sid i
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
    "{\"cursor\": {\"session_id\": \"$sid\", \"offset\": $TOTAL}, \"commit\": {\"path\": \"$1\", \"mode\": \"overwrite\"}}" \
    "$tmp/finish.json" -H 'Content-Type: application/octet-stream' --data-binary '')
  expect_200 "$code" upload_session/finish "$tmp/finish.json"
  grep -q "\"size\": *$TOTAL" "$tmp/finish.json" || fail "finish did not report $TOTAL bytes: $(cat "$tmp/finish.json")"
  echo "$(since "$t0") $(since "$t_appended")"
}

# 4 streams up: files/upload of chunk0..3 in parallel, each to its own new path.
upload_parallel() { # run-number
  local t0 i pids=()
  t0=$(now)
  for ((i = 0; i < 4; i++)); do
    (content_call files/upload "{\"path\": \"/bench/run$1/par$i.bin\"}" "$tmp/par$i.json" \
      -H 'Content-Type: application/octet-stream' -T "$tmp/chunk$i" >"$tmp/par$i.code") &
    pids+=($!)
  done
  for p in "${pids[@]}"; do wait "$p"; done
  local took; took=$(since "$t0")
  for ((i = 0; i < 4; i++)); do expect_200 "$(cat "$tmp/par$i.code")" "upload par$i" "$tmp/par$i.json"; done
  echo "$took"
}

download_whole() {
  local t0 got; t0=$(now)
  got=$(curl -sS --max-time 180 -o /dev/null -w '%{http_code} %{size_download}' -X POST -H "$auth" \
    -H 'Dropbox-API-Arg: {"path": "/bench/big.bin"}' "${EMU_URL}2/files/download")
  local took; took=$(since "$t0")
  [ "$got" = "200 $TOTAL" ] || fail "download gave '$got', expected '200 $TOTAL'"
  echo "$took"
}

download_ranges() {
  local t0 i pids=(); t0=$(now)
  for ((i = 0; i < 4; i++)); do
    curl -sS --max-time 180 -o /dev/null -w '%{http_code} %{size_download}' -X POST -H "$auth" \
      -H 'Dropbox-API-Arg: {"path": "/bench/big.bin"}' \
      -H "Range: bytes=$((i * RANGE))-$(((i + 1) * RANGE - 1))" "${EMU_URL}2/files/download" >"$tmp/range$i" &
    pids+=($!)
  done
  for p in "${pids[@]}"; do wait "$p"; done
  local took; took=$(since "$t0")
  for ((i = 0; i < 4; i++)); do
    [ "$(cat "$tmp/range$i")" = "206 $RANGE" ] || fail "range $i gave '$(cat "$tmp/range$i")', expected '206 $RANGE'"
  done
  echo "$took"
}

up1=() up4=() down1=() down4=() fin=()
for ((r = 0; r < RUNS; r++)); do
  # New paths each run; every run streams, hashes and stores all bytes again (identical content
  # is only deduplicated when the finished file is committed).
  read -r total finish < <(upload_session "/bench/big$r.bin")
  up1+=("$total"); fin+=("$finish")
  up4+=("$(upload_parallel "$r")")
done
# big0.bin is the download source: rename it once (RPC), then download RUNS times each way.
code=$(curl -sS -o "$tmp/mv.json" -w '%{http_code}' -X POST -H "$auth" -H 'Content-Type: application/json' \
  -d '{"from_path": "/bench/big0.bin", "to_path": "/bench/big.bin"}' "${EMU_URL}2/files/move_v2")
expect_200 "$code" move_v2 "$tmp/mv.json"
for ((r = 0; r < RUNS; r++)); do
  down1+=("$(download_whole)")
  down4+=("$(download_ranges)")
done

rss_peak=$(bench_peak_rss_mib)

# Context for the upload rows: what the same disk sustains for 1 GiB written and synced (uploads
# land in the emulator's blob files, so they cannot beat this for long).
disk=()
for ((r = 0; r < RUNS; r++)); do
  t0=$(now)
  cat "$tmp"/chunk? | dd of="$tmp/disk.bin" bs=1M iflag=fullblock conv=fdatasync status=none
  disk+=("$(since "$t0")")
  rm -f "$tmp/disk.bin"
done
m_up1=$(median "${up1[@]}") m_up4=$(median "${up4[@]}") m_down1=$(median "${down1[@]}") m_down4=$(median "${down4[@]}")
m_fin=$(median "${fin[@]}")

mbps() { awk -v b="$1" -v t="$2" 'BEGIN { printf "%.0f", b / t / 1e6 }'; }
row() { # what streams bytes seconds-list...
  local w=$1 s=$2 b=$3; shift 3
  local med; med=$(median "$@")
  printf '| %-37s | %7d | %9d | %7.2f | %6s | %-19s |\n' "$w" "$s" $((b / MiB)) "$med" "$(mbps "$b" "$med")" \
    "$(for t in "$@"; do printf '%s ' "$(mbps "$b" "$t")"; done)"
}
echo "emulator: ${EMU_URL} (Release build), curl over loopback, random data, median of $RUNS runs"
echo
echo "| measurement                           | streams | MiB moved | seconds | MB/s   | MB/s of each run    |"
echo "|---------------------------------------|---------|-----------|---------|--------|---------------------|"
row "upload (session, 8 x 128 MiB)" 1 "$TOTAL" "${up1[@]}"
row "upload (files/upload, 128 MiB each)" 4 $((4 * CHUNK)) "${up4[@]}"
row "download (whole file)" 1 "$TOTAL" "${down1[@]}"
row "download (Range, 256 MiB each)" 4 "$TOTAL" "${down4[@]}"
row "local disk write + fdatasync (dd)" 1 "$TOTAL" "${disk[@]}"
echo
echo "upload_session/finish (commit of the 1 GiB session) took ${m_fin} s of the 1-stream upload time (median)"
echo "emulator RSS: ${rss_idle} MiB after start, ${rss_peak} MiB peak (VmHWM) over the run"
echo "(MB/s = 10^6 bytes per second of wall time for all streams together)"

if [ -n "${BENCH_RESULTS:-}" ]; then
  {
    echo "EMU_UPLOAD_1_MBPS=$(mbps "$TOTAL" "$m_up1")"
    echo "EMU_UPLOAD_4_MBPS=$(mbps $((4 * CHUNK)) "$m_up4")"
    echo "EMU_DOWNLOAD_1_MBPS=$(mbps "$TOTAL" "$m_down1")"
    echo "EMU_DOWNLOAD_4_MBPS=$(mbps "$TOTAL" "$m_down4")"
    echo "EMU_PEAK_RSS_MIB=$rss_peak"
    echo "DISK_WRITE_MBPS=$(mbps "$TOTAL" "$(median "${disk[@]}")")"
  } >>"$BENCH_RESULTS/results.env"
fi

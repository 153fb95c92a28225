#!/usr/bin/env bash
# The write path of a read-write mount (real /dev/fuse) against the same emulator, in one run (issue 5,
# Performance table). "Committed" means the mount's upload queue is empty: polled every 50 ms over the
# status socket (what `dropboxfs status --json` reads), with failed rows counted as errors.
#   - cp -r of FILES x 4 KiB files at 20 ms injected latency: files/s from the start of cp to the queue
#     drained (default write-back delay, 2 s, included), rate-limit errors that reached the user (cp's
#     stderr, status last_error) and the commit calls made (a Dropbox namespace lock is taken per commit);
#   - a MIB sequential write (cp of a local file in the page cache), start of cp → committed, vs curl
#     uploading the same bytes through one upload session (128 MiB append_v2 chunks) at 0 ms, and (to
#     locate a gap) vs curl sending them in the mount's 8 MiB fragments on one connection;
#   - CAP_MIB written under a CAP_RATE bandwidth cap: commit time / writer-finish time (streaming: the
#     upload should end shortly after the writer);
#   - peak RSS (VmHWM) of dropboxfs in each part (a fresh mount per part).
#
#   scripts/bench/50-writes.sh
#   BENCH_WRITES_FILES=200 BENCH_WRITES_MIB=256 BENCH_WRITES_CAP_MIB=64 scripts/bench/50-writes.sh   quick look
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
source "$here/lib/emulator.sh"

files=${BENCH_WRITES_FILES:-1000}
mib=${BENCH_WRITES_MIB:-1024}
cap_mib=${BENCH_WRITES_CAP_MIB:-256}
cap_rate_mib=${BENCH_WRITES_CAP_RATE_MIB:-64}     # MiB/s per direction while the cap is on
latency_ms=${BENCH_WRITES_LATENCY_MS:-20}
MiB=$((1024 * 1024))
bytes=$((mib * MiB))
cap_bytes=$((cap_mib * MiB))
CHUNK=$((128 * MiB))
for tool in curl python3 dd split; do command -v $tool >/dev/null || { echo "50-writes: $tool is required" >&2; exit 1; }; done
[ $((bytes % CHUNK)) = 0 ] || [ "$bytes" -lt "$CHUNK" ] || { echo "50-writes: BENCH_WRITES_MIB must be a multiple of 128 (or below it)" >&2; exit 1; }

STOP_MOUNT_TENTHS=600
PART=50-writes
source "$here/lib/mount.sh"
diff_s() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'; }

# --- data (untimed) -----------------------------------------------------------------------------
mkdir -p "$tmp/small" "$mnt" "$tmp/run"
python3 - "$tmp/small" "$files" <<'EOF'
import os, sys
d, n = sys.argv[1], int(sys.argv[2])
for i in range(n):
    with open(f"{d}/f{i:05d}.bin", "wb") as f: f.write(os.urandom(4096))
EOF
head -c "$bytes" /dev/urandom > "$tmp/big.bin"
head -c "$cap_bytes" /dev/urandom > "$tmp/capped.bin"
(cd "$tmp" && split -b "$CHUNK" -d -a 2 big.bin chunk.)
# Dropbox content_hash (sha256 of the 4 MiB blocks' sha256s): what the server must report at the end.
content_hash() { python3 -c 'import hashlib,sys
h=hashlib.sha256(); f=open(sys.argv[1],"rb")
while (b := f.read(4 << 20)): h.update(hashlib.sha256(b).digest())
print(h.hexdigest())' "$1"; }
big_hash=$(content_hash "$tmp/big.bin")
capped_hash=$(content_hash "$tmp/capped.bin")

bench_start_emulator "$tmp/emu" --enable-control
bin="$root/src/DropboxFs.Cli/bin/Release/net10.0/dropboxfs"
base=${EMU_URL%/}
auth="Authorization: Bearer $EMU_TOKEN"
control() { curl -sS -f --max-time 60 -X POST "$base/_emulator/$1" -d "$2" >/dev/null; }
counters() { curl -sS -f "$base/_emulator/counters"; }

start_mount() { # a fresh read-write mount (own cache and journal) with the default write-back delay
  local log="$tmp/mount.log" i
  : > "$log"
  rm -rf "$tmp/cache" "$tmp/state"
  XDG_RUNTIME_DIR="$tmp/run" "$bin" mount "$mnt" --endpoint "$base" --token "$EMU_TOKEN" \
    --cache-dir "$tmp/cache" --state-dir "$tmp/state" >"$log" 2>&1 &
  MNT_PID=$!
  for ((i = 0; i < 6000; i++)); do
    grep -q '^Mounted ' "$log" && return 0
    kill -0 "$MNT_PID" 2>/dev/null || { cat "$log" >&2; fail "mount exited during start"; }
    sleep 0.01
  done
  cat "$log" >&2; fail "mount did not start within 60 s"
}

# Waits until the upload queue is empty; prints "end-epoch-seconds failed-rows rate-limit-errors".
wait_committed() {
  python3 - "$tmp/run/dropboxfs" <<'EOF'
import glob, json, socket, sys, time
sock = glob.glob(sys.argv[1] + "/*.sock")[0]
deadline = time.time() + 900
while True:
    s = socket.socket(socket.AF_UNIX); s.connect(sock); s.sendall(b"status\n")
    data = b""
    while (chunk := s.recv(1 << 16)): data += chunk
    s.close()
    u = json.loads(data)["uploads"]
    if u["pending_count"] == 0:
        limited = sum(1 for j in u["pending"] if "too_many" in (j["last_error"] or ""))
        print(f"{time.time():.3f} {u['failed_count']} {limited}"); break
    if time.time() > deadline: sys.exit("uploads still pending after 900 s")
    time.sleep(0.05)
EOF
}
remote_meta() { # path → "size content_hash" from get_metadata
  curl -sS -f -X POST -H "$auth" -H 'Content-Type: application/json' -d "{\"path\":\"$1\"}" "$base/2/files/get_metadata" |
    python3 -c 'import json,sys; m=json.load(sys.stdin); print(m.get("size"), m.get("content_hash"))'
}
route_calls() { # counters JSON on stdin, route names as args → their sum
  python3 -c 'import json,sys; r=json.load(sys.stdin)["routes"]; print(sum(r.get(k, 0) for k in sys.argv[1:]))' "$@"
}

# --- 1. cp -r of many small files at 20 ms ---------------------------------------------------------
start_mount
mkdir "$mnt/small"
control latency "{\"ms\":$latency_ms}"
control counters/reset '{}'
t0=$(now)
cp -r "$tmp/small" "$mnt/small/" 2>"$tmp/cp.err" || fail "cp -r failed: $(head -5 "$tmp/cp.err")"
cp_small_s=$(since "$t0")
read -r t_end small_failed small_limited <<< "$(wait_committed)"
small_s=$(diff_s "$t0" "$t_end")
small_rss=$(hwm_mib)
small_cpu=$(cpu_s)
control latency '{"ms":0}'
small_cp_limited=$(grep -ci 'too_many\|rate' "$tmp/cp.err" || true)
small_commits=$(counters | route_calls files/upload files/upload_session/finish files/upload_session/finish_batch_v2 files/upload_session/finish_batch)
small_calls=$(counters | python3 -c 'import json,sys; c=json.load(sys.stdin)["routes"]; print(sum(v for k,v in c.items() if "longpoll" not in k))')
listed=$(curl -sS -f -X POST -H "$auth" -H 'Content-Type: application/json' -d '{"path":"/small/small","limit":2000}' "$base/2/files/list_folder" |
  python3 -c 'import json,sys; print(len(json.load(sys.stdin)["entries"]))')
[ "$listed" = "$files" ] || fail "the server has $listed of $files small files"
[ "$small_failed" = 0 ] || fail "$small_failed small-file uploads failed"
small_fps=$(awk -v n="$files" -v s="$small_s" 'BEGIN { printf "%.1f", n / s }')
stop_mount

# --- 2. 1 GiB sequential write vs curl -------------------------------------------------------------
curl_upload() { # one session: start, append_v2 of each 128 MiB chunk, finish
  local sid off=0 c code
  sid=$(curl -sS -f -X POST -H "$auth" -H 'Dropbox-API-Arg: {}' -H 'Content-Type: application/octet-stream' \
    --data-binary '' "$base/2/files/upload_session/start" | sed -n 's/.*"session_id": *"\([^"]*\)".*/\1/p')
  for c in "$tmp"/chunk.*; do
    code=$(curl -sS -o /dev/null -w '%{http_code}' -X POST -H "$auth" -H 'Expect:' -H 'Content-Type: application/octet-stream' \
      -H "Dropbox-API-Arg: {\"cursor\":{\"session_id\":\"$sid\",\"offset\":$off}}" -T "$c" "$base/2/files/upload_session/append_v2")
    [ "$code" = 200 ] || fail "curl append_v2 at $off: HTTP $code"
    off=$((off + $(stat -c %s "$c")))
  done
  curl -sS -f -o /dev/null -X POST -H "$auth" -H 'Content-Type: application/octet-stream' \
    -H "Dropbox-API-Arg: {\"cursor\":{\"session_id\":\"$sid\",\"offset\":$off},\"commit\":{\"path\":\"$1\",\"mode\":\"overwrite\"}}" \
    --data-binary '' "$base/2/files/upload_session/finish"
}
# The same session in the mount's fragment size (8 MiB), all appends on one connection (curl --next): tells
# the emulator's per-request cost apart from the mount's own.
curl_upload_fragments() {
  local sid off=0 c args=()
  (cd "$tmp" && split -b $((8 * MiB)) -d -a 4 big.bin frag.)
  sid=$(curl -sS -f -X POST -H "$auth" -H 'Dropbox-API-Arg: {}' -H 'Content-Type: application/octet-stream' \
    --data-binary '' "$base/2/files/upload_session/start" | sed -n 's/.*"session_id": *"\([^"]*\)".*/\1/p')
  for c in "$tmp"/frag.*; do
    [ ${#args[@]} -gt 0 ] && args+=(--next)
    args+=(-sS -o /dev/null -w '%{http_code}\n' -X POST -H "$auth" -H 'Expect:' -H 'Content-Type: application/octet-stream'
      -H "Dropbox-API-Arg: {\"cursor\":{\"session_id\":\"$sid\",\"offset\":$off}}" -T "$c" "$base/2/files/upload_session/append_v2")
    off=$((off + $(stat -c %s "$c")))
  done
  t0=$(now)
  [ "$(curl "${args[@]}" | sort -u)" = 200 ] || fail "curl 8 MiB append_v2: not every answer was 200"
  curl -sS -f -o /dev/null -X POST -H "$auth" -H 'Content-Type: application/octet-stream' \
    -H "Dropbox-API-Arg: {\"cursor\":{\"session_id\":\"$sid\",\"offset\":$off},\"commit\":{\"path\":\"$1\",\"mode\":\"overwrite\"}}" \
    --data-binary '' "$base/2/files/upload_session/finish"
  curl8_s=$(since "$t0")   # from the first append: the session start is one small request either way
  rm -f "$tmp"/frag.*
}
cat "$tmp/big.bin" > /dev/null   # both sides read the source from the page cache
t0=$(now); curl_upload /curl/big.bin; curl_s=$(since "$t0")
[ "$(remote_meta /curl/big.bin)" = "$bytes $big_hash" ] || fail "curl's upload did not land intact"
curl_upload_fragments /curl/big8.bin
[ "$(remote_meta /curl/big8.bin)" = "$bytes $big_hash" ] || fail "curl's 8 MiB-append upload did not land intact"
start_mount
c0=$(cpu_s)
t0=$(now)
cp "$tmp/big.bin" "$mnt/big.bin"
big_writer_s=$(since "$t0")
read -r t_end big_failed _ <<< "$(wait_committed)"
big_s=$(diff_s "$t0" "$t_end")
big_rss=$(hwm_mib)
big_cpu=$(awk -v a="$c0" -v b="$(cpu_s)" 'BEGIN { printf "%.1f", b - a }')
[ "$big_failed" = 0 ] || fail "the $mib MiB upload failed"
[ "$(remote_meta /big.bin)" = "$bytes $big_hash" ] || fail "the mount's $mib MiB upload did not land intact: $(remote_meta /big.bin)"
stop_mount

# --- 3. CAP_MIB under a bandwidth cap: commit vs writer finish --------------------------------------
start_mount
control bandwidth "{\"bytes_per_second\":$((cap_rate_mib * MiB))}"
control counters/reset '{}'
t0=$(now)
dd if="$tmp/capped.bin" of="$mnt/capped.bin" bs=1M status=none
cap_writer_s=$(since "$t0")
appends_at_close=$(counters | route_calls files/upload_session/append_v2)
read -r t_end cap_failed _ <<< "$(wait_committed)"
cap_s=$(diff_s "$t0" "$t_end")
cap_rss=$(hwm_mib)
control bandwidth '{"bytes_per_second":0}'
[ "$cap_failed" = 0 ] || fail "the capped upload failed"
[ "$(remote_meta /capped.bin)" = "$cap_bytes $capped_hash" ] || fail "the capped upload did not land intact"
stop_mount
grep -q " $mnt " /proc/mounts && fail "a mount was left at $mnt"

# --- table ----------------------------------------------------------------------------------------
verdict() { awk -v v="$1" -v g="$2" -v d="$3" 'BEGIN { print ((d == "ge" && v >= g) || (d == "le" && v <= g)) ? "ok" : "MISS" }'; }
big_ratio=$(ratio "$curl_s" "$big_s")
cap_ratio=$(ratio "$cap_s" "$cap_writer_s")
limited=$((small_limited + small_cp_limited))
peak_rss=$(printf '%s\n' "$small_rss" "$big_rss" "$cap_rss" | sort -n | tail -1)
printf '\n50-writes: read-write mount, default write-back delay (2 s), load %s\n\n' "$(cut -d' ' -f1-3 /proc/loadavg)"
echo '| what | reference | mount | result | goal | |'
echo '|---|---:|---:|---:|---|---|'
printf '| cp -r %d x 4 KiB, %d ms latency, start → committed | | %.1f s (cp %.1f s; dropboxfs CPU %s s) | %s files/s | ≥20 files/s | %s |\n' "$files" "$latency_ms" "$small_s" "$cp_small_s" "$small_cpu" "$small_fps" "$(verdict "$small_fps" 20 ge)"
printf '| … rate-limit errors surfaced (cp, status) | | %s commit calls, %s API calls in all | %s | 0 | %s |\n' "$small_commits" "$small_calls" "$limited" "$(verdict "$limited" 0 le)"
printf '| %d MiB sequential write, start of cp → committed | curl %.2f s (%s MB/s) | %.2f s (%s MB/s; cp done at %.2f s; CPU %s s) | %sx | ≥0.8x | %s |\n' "$mib" "$curl_s" "$(mbps $bytes "$curl_s")" "$big_s" "$(mbps $bytes "$big_s")" "$big_writer_s" "$big_cpu" "$big_ratio" "$(verdict "$big_ratio" 0.8 ge)"
printf '| … the same vs curl in 8 MiB appends on one connection | curl %.2f s (%s MB/s) | | %sx | report | |\n' "$curl8_s" "$(mbps $bytes "$curl8_s")" "$(ratio "$curl8_s" "$big_s")"
printf '| %d MiB at a %d MiB/s cap: committed / writer finished | | %.2f s / %.2f s (%s appends before close) | %sx | ≤1.2x | %s |\n' "$cap_mib" "$cap_rate_mib" "$cap_s" "$cap_writer_s" "$appends_at_close" "$cap_ratio" "$(verdict "$cap_ratio" 1.2 le)"
printf '| peak RSS of dropboxfs (small files / %d MiB / capped) | | %s / %s / %s MiB | | ≤200 MiB | %s |\n' "$mib" "$small_rss" "$big_rss" "$cap_rss" "$(verdict "$peak_rss" 200 le)"

if [ -n "${BENCH_RESULTS:-}" ]; then
  mkdir -p "$BENCH_RESULTS"
  {
    echo "WRITES_SMALL_FILES_PER_S=$small_fps"
    echo "WRITES_SMALL_RATE_LIMIT_ERRORS=$limited"
    echo "WRITES_SEQ_RATIO=$big_ratio"
    echo "WRITES_CAPPED_COMMIT_RATIO=$cap_ratio"
    echo "WRITES_PEAK_RSS_MIB=$peak_rss"
  } >> "$BENCH_RESULTS/results.env"
fi

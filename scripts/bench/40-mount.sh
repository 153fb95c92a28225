#!/usr/bin/env bash
# The mount (issue 4) against curl moving the same bytes from the same emulator, in one run.
#
#   scripts/bench/40-mount.sh                      1 GiB file (the issue's size)
#   BENCH_MOUNT_MIB=256 scripts/bench/40-mount.sh  a quicker look
#
# Rows: cold sequential read (dd bs=1M) vs one curl files/download, at 0 ms and at 20 ms injected
# latency; warm read (block cache) vs reading the cache file directly; random 4 KiB O_DIRECT reads
# of the cold file at 20 ms (ops/s); the mount's peak RSS; remote change → visible (p50/p95 of 10).
# Cold means: fresh cache directory and the page cache dropped (needs root; otherwise the figure is
# marked "page cache not dropped"). Goals: cold ≥ 0.9× curl, warm ≥ 0.8× cache file, RSS ≤ 200 MiB.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
mib=${BENCH_MOUNT_MIB:-1024}
bytes=$((mib * 1024 * 1024))
command -v curl >/dev/null || { echo "40-mount: curl is required (apt-get install curl)" >&2; exit 1; }
[ -e /dev/fuse ] || { echo "40-mount: /dev/fuse is missing" >&2; exit 1; }

source "$root/scripts/bench/lib/emulator.sh"
work=$(mktemp -d "${TMPDIR:-/tmp}/dropboxfs-bench-mount.XXXXXX")
mnt=$work/mnt
mkdir -p "$mnt"
bin="$root/src/DropboxFs.Cli/bin/Release/net10.0/dropboxfs"
mount_pid=
stop_mount() {
  if mountpoint -q "$mnt" 2>/dev/null; then "$bin" unmount "$mnt" >/dev/null 2>&1 || true; fi
  if [ -n "$mount_pid" ]; then
    for ((i = 0; i < 100; i++)); do kill -0 "$mount_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$mount_pid" 2>/dev/null || true
    mount_pid=
  fi
}
cleanup() { stop_mount; bench_stop_emulator; rm -rf "$work"; }
trap cleanup EXIT

now() { date +%s.%N; }
mbps() { awk -v b="$bytes" -v s="$1" 'BEGIN { printf "%.0f", b / 1e6 / s }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
dropped="yes"
drop_caches() { sync; if [ "$(id -u)" = 0 ]; then echo 3 > /proc/sys/vm/drop_caches; else dropped="no (not root)"; fi; }

# Times `dd` of the whole file and checks the byte count; prints seconds.
time_dd() { # file
  local t0 t1 out
  t0=$(now)
  out=$(dd if="$1" of=/dev/null bs=1M 2>&1 | grep -o '^[0-9]* bytes')
  t1=$(now)
  [ "$out" = "$bytes bytes" ] || { echo "40-mount: read $out from $1, expected $bytes bytes" >&2; exit 1; }
  awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }'
}

time_curl() {
  local t0 t1 size
  t0=$(now)
  size=$(curl -s -o /dev/null -w '%{size_download}' -X POST -H "Authorization: Bearer $EMU_TOKEN" \
    -H 'Dropbox-API-Arg: {"path": "/bench/big.bin"}' "${EMU_URL}2/files/download")
  t1=$(now)
  [ "$size" = "$bytes" ] || { echo "40-mount: curl got $size bytes" >&2; exit 1; }
  awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }'
}

start_mount() { # cache-dir
  "$bin" mount "$mnt" --endpoint "$EMU_URL" --token "$EMU_TOKEN" --cache-dir "$1" --daemon \
    --log-file "$work/mount.log" > "$work/mount.out"
  mount_pid=$(grep -o 'pid [0-9]*' "$work/mount.out" | grep -o '[0-9]*')
}

peak_rss() { awk '/^VmHWM:/ { printf "%.0f", $2 / 1024 }' "/proc/$mount_pid/status"; }

# --- data (untimed) ------------------------------------------------------------------------------
head -c "$bytes" /dev/urandom > "$work/src.bin"
bench_start_emulator "$work/emu"
DROPBOXFS_ENDPOINT=${EMU_URL%/} DROPBOXFS_TOKEN=$EMU_TOKEN \
  "$bin" put "$work/src.bin" /bench/big.bin --resumable --fragment-size 134217728 > /dev/null
rm -f "$work/src.bin"

# --- 0 ms: cold, warm, cache file, RSS -----------------------------------------------------------
curl0=$(time_curl); curl0=$(time_curl) # second run: emulator warmed up like the mount will be
start_mount "$work/cache0"
drop_caches; cold0=$(time_dd "$mnt/bench/big.bin")
rss=$(peak_rss)
drop_caches; warm=$(time_dd "$mnt/bench/big.bin")
cachefile=$(find "$work/cache0" -type f -size +$((bytes / 2048))k -printf '%s %p\n' | sort -n | tail -1 | cut -d' ' -f2-)
direct=
if [ -n "$cachefile" ]; then
  drop_caches
  t0=$(now); dd if="$cachefile" of=/dev/null bs=1M 2>/dev/null; t1=$(now)
  direct=$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')
fi

# --- remote change → visible (p50/p95 of 10) -----------------------------------------------------
mkdir -p "$work/lat"
for i in $(seq 1 10); do
  t0=$(now)
  curl -s -o /dev/null -X POST -H "Authorization: Bearer $EMU_TOKEN" -H "Content-Type: application/octet-stream" \
    -H "Dropbox-API-Arg: {\"path\": \"/bench/change-$i.txt\"}" --data-binary "change $i" "${EMU_URL}2/files/upload"
  until [ -e "$mnt/bench/change-$i.txt" ]; do sleep 0.01; done
  t1=$(now)
  awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.0f\n", (b - a) * 1000 }' >> "$work/lat/ms"
done
p50=$(sort -n "$work/lat/ms" | awk '{ v[NR] = $1 } END { print v[int(NR * 0.5 + 0.5)] }')
p95=$(sort -n "$work/lat/ms" | awk '{ v[NR] = $1 } END { i = int(NR * 0.95 + 0.5); if (i > NR) i = NR; print v[i] }')
stop_mount

# --- 20 ms: cold read and random 4 KiB -----------------------------------------------------------
bench_stop_emulator
bench_start_emulator "$work/emu" --latency 20
curl20=$(time_curl)
start_mount "$work/cache20"
drop_caches; cold20=$(time_dd "$mnt/bench/big.bin")
stop_mount
start_mount "$work/cache20r"
ops=200
t0=$(now)
for i in $(seq 1 $ops); do
  dd if="$mnt/bench/big.bin" of=/dev/null bs=4096 count=1 skip=$(( (RANDOM * 32768 + RANDOM) % (bytes / 4096) )) iflag=direct 2>/dev/null
done
t1=$(now)
rand=$(awk -v a="$t0" -v b="$t1" -v n="$ops" 'BEGIN { printf "%.0f", n / (b - a) }')
stop_mount

# --- report --------------------------------------------------------------------------------------
echo
echo "### mount: $mib MiB file, one run (page cache dropped: $dropped)"
echo
echo "| what | mount | reference | ratio | goal |"
echo "|---|---|---|---|---|"
echo "| cold sequential read, 0 ms | $(mbps "$cold0") MB/s | curl $(mbps "$curl0") MB/s | $(ratio "$curl0" "$cold0")× | ≥ 0.9× |"
echo "| cold sequential read, 20 ms | $(mbps "$cold20") MB/s | curl $(mbps "$curl20") MB/s | $(ratio "$curl20" "$cold20")× | ≥ 0.9× |"
if [ -n "$direct" ]; then
  echo "| warm sequential read | $(mbps "$warm") MB/s | cache file $(mbps "$direct") MB/s | $(ratio "$direct" "$warm")× | ≥ 0.8× |"
else
  echo "| warm sequential read | $(mbps "$warm") MB/s | (cache file not found) | | ≥ 0.8× |"
fi
echo "| random 4 KiB reads (O_DIRECT), cold, 20 ms | $rand ops/s | | | report |"
echo "| peak RSS of the mount during the cold read | $rss MiB | | | ≤ 200 MiB |"
echo "| remote change → visible (10 uploads) | p50 $p50 ms, p95 $p95 ms | | | report |"
if [ -n "${BENCH_RESULTS:-}" ]; then
  {
    echo "MOUNT_COLD_0_MBPS=$(mbps "$cold0")"; echo "MOUNT_COLD_20_MBPS=$(mbps "$cold20")"
    echo "MOUNT_WARM_MBPS=$(mbps "$warm")"; echo "MOUNT_RANDOM_4K_OPS=$rand"; echo "MOUNT_PEAK_RSS_MIB=$rss"
    echo "MOUNT_CHANGE_P50_MS=$p50"; echo "MOUNT_CHANGE_P95_MS=$p95"
  } >> "$BENCH_RESULTS/results.env"
fi

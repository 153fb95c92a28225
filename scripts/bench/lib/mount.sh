# Shared by the bench parts that mount (40-mount, 45-crypto, 50-writes). Source it after lib/emulator.sh
# with PART set to the part's name: it makes $tmp (removed on exit) with the mountpoint $mnt, the
# MNT_PID bookkeeping and the timing helpers. `stop_mount` waits up to STOP_MOUNT_TENTHS × 0.1 s for a
# SIGTERMed mount (default 200; 50-writes sets 600 because the mount drains its queue first).
[ -e /dev/fuse ] || { echo "$PART: /dev/fuse is missing" >&2; exit 1; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/dropboxfs-bench-$PART.XXXXXX")
mnt="$tmp/mnt"
MNT_PID=
stop_mount() {
  [ -n "$MNT_PID" ] || return 0
  kill -TERM "$MNT_PID" 2>/dev/null || true
  local i
  for ((i = 0; i < ${STOP_MOUNT_TENTHS:-200}; i++)); do kill -0 "$MNT_PID" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$MNT_PID" 2>/dev/null || true
  wait "$MNT_PID" 2>/dev/null || true
  MNT_PID=
}
cleanup() {
  stop_mount
  grep -q " $mnt " /proc/mounts && { umount -l "$mnt" 2>/dev/null || fusermount3 -u -z "$mnt" 2>/dev/null || true; }
  bench_stop_emulator
  rm -rf "$tmp"
}
trap cleanup EXIT

now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.3f", b - a }'; }
fail() { echo "$PART: $*" >&2; exit 1; }
best() { awk -v a="$1" -v b="$2" 'BEGIN { print (a == "" || b < a) ? b : a }'; }
mbps() { awk -v b="$1" -v s="$2" 'BEGIN { printf "%.0f", b / 1e6 / s }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }   # reference secs / measured secs
cpu_s() { awk -v hz="$(getconf CLK_TCK)" '{ printf "%.2f", ($14 + $15) / hz }' "/proc/$MNT_PID/stat"; }  # utime+stime
hwm_mib() { awk '/^VmHWM:/ { printf "%.0f", $2 / 1024 }' "/proc/$MNT_PID/status"; }
# Reads FILE with dd bs=1M into /dev/null (as the references do: no pipe, no extra copy) and prints the
# byte count from dd's own summary line.
read_to_null() { LC_ALL=C dd if="$1" bs=1M of=/dev/null 2>&1 | awk '/bytes/ { print $1 }'; }

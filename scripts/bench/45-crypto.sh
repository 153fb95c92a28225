#!/usr/bin/env bash
# Encryption (issue 6, Performance table), A/B on one emulator in this one run:
#   - cold sequential read of a 1 GiB file (dd bs=1M): `mount --encrypt` of a file stored as rclone
#     crypt vs the plain mount of the same plaintext; each read gets a fresh mount and an empty cache
#     dir; plain and encrypted alternate within each run; best of RUNS; goal ≥0.8x;
#   - CPU seconds per GiB to decrypt: the mount process's CPU (utime+stime) over the encrypted read
#     minus over the plain read, and `get --password-file` minus plain `get` (CLI processes);
#   - CPU seconds per GiB to encrypt: `put --password-file` minus plain `put` of the same file.
# CPU seconds hold up on a busy machine; MB/s do not (compare the ratio, measured back to back).
#
#   scripts/bench/45-crypto.sh
#   BENCH_CRYPTO_MIB=256 BENCH_CRYPTO_RUNS=1 scripts/bench/45-crypto.sh   quick look
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
source "$here/lib/emulator.sh"

mib=${BENCH_CRYPTO_MIB:-1024}
runs=${BENCH_CRYPTO_RUNS:-2}
bytes=$((mib * 1024 * 1024))
for tool in curl python3 dd; do command -v $tool >/dev/null || { echo "45-crypto: $tool is required" >&2; exit 1; }; done

PART=45-crypto
source "$here/lib/mount.sh"
per_gib() { awk -v a="$1" -v b="$2" -v m="$mib" 'BEGIN { printf "%.2f", (a - b) * 1024 / m }'; }   # (a - b) CPU s scaled to 1 GiB
# Runs a command; prints the CPU seconds (user+sys) it and its children used.
cpu_of() { python3 -c 'import resource, subprocess, sys
r = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
if r.returncode: sys.exit(r.stderr.decode())
u = resource.getrusage(resource.RUSAGE_CHILDREN); print(f"{u.ru_utime + u.ru_stime:.2f}")' "$@"; }

# --- data (untimed except the puts) ---------------------------------------------------------------
mkdir -p "$tmp/seed" "$mnt"
head -c "$bytes" /dev/urandom > "$tmp/seed/big.bin"
big_sum=$(sha256sum < "$tmp/seed/big.bin" | cut -d' ' -f1)
printf 'bench password\n' > "$tmp/password"
bench_start_emulator "$tmp/emu" --enable-control
bin="$root/src/DropboxFs.Cli/bin/Release/net10.0/dropboxfs"
base=${EMU_URL%/}
cli=(--endpoint "$base" --token "$EMU_TOKEN")
crypt=(--password-file "$tmp/password")
curl -sS -f --max-time 900 -X POST "$base/_emulator/seed" -d "{\"local_path\":\"$tmp/seed\",\"remote_path\":\"/plain\"}" >/dev/null

# Encrypt: the same upload with and without --password-file (the difference is the encryption).
put_plain_cpu=$(cpu_of "$bin" put "$tmp/seed/big.bin" /plainput/big.bin "${cli[@]}")
put_crypt_cpu=$(cpu_of "$bin" put "$tmp/seed/big.bin" /big.bin --crypt-root /crypt "${crypt[@]}" "${cli[@]}")
get_plain_cpu=$(cpu_of "$bin" get /plain/big.bin "$tmp/get-plain.bin" "${cli[@]}")
get_crypt_cpu=$(cpu_of "$bin" get /big.bin "$tmp/get-crypt.bin" --crypt-root /crypt "${crypt[@]}" "${cli[@]}")
[ "$(sha256sum < "$tmp/get-crypt.bin" | cut -d' ' -f1)" = "$big_sum" ] || fail "get --password-file gave different bytes"
rm -f "$tmp/get-plain.bin" "$tmp/get-crypt.bin"

# Starts a mount of remote root $1 with a fresh cache, extra flags after it; sets MNT_PID.
start_mount() {
  local remote=$1 log="$tmp/mount.log" i; shift
  stop_mount; rm -rf "$tmp/cache"; : > "$log"
  "$bin" mount "$mnt" "${cli[@]}" --cache-dir "$tmp/cache" --read-only --remote-root "$remote" "$@" >"$log" 2>&1 &
  MNT_PID=$!
  for ((i = 0; i < 6000; i++)); do
    grep -q '^Mounted ' "$log" && return 0
    kill -0 "$MNT_PID" 2>/dev/null || { cat "$log" >&2; fail "mount exited during start"; }
    sleep 0.01
  done
  cat "$log" >&2; fail "mount did not start within 60 s"
}
cold_read() { # remote root, flags... → $elapsed and $cpu (mount process CPU over the read)
  local n c0 t
  start_mount "$@"
  c0=$(cpu_s); t=$(now)
  n=$(read_to_null "$mnt/big.bin")
  elapsed=$(since "$t"); cpu=$(awk -v a="$c0" -v b="$(cpu_s)" 'BEGIN { printf "%.2f", b - a }')
  [ "$n" = "$bytes" ] || fail "read $n bytes through $1, expected $bytes"
}

# --- cold sequential read, plain vs encrypted, alternating ----------------------------------------
plain_s="" crypt_s="" plain_cpu="" crypt_cpu=""
for ((run = 1; run <= runs; run++)); do
  cold_read /plain; plain_s=$(best "$plain_s" "$elapsed"); plain_cpu=$(best "$plain_cpu" "$cpu")
  cold_read /crypt --encrypt "${crypt[@]}"; crypt_s=$(best "$crypt_s" "$elapsed"); crypt_cpu=$(best "$crypt_cpu" "$cpu")
done
[ "$(sha256sum < "$mnt/big.bin" | cut -d' ' -f1)" = "$big_sum" ] || fail "the encrypted mount served different bytes"
stop_mount
grep -q " $mnt " /proc/mounts && fail "a mount was left at $mnt"

# --- table ----------------------------------------------------------------------------------------
ratio=$(awk -v a="$plain_s" -v b="$crypt_s" 'BEGIN { printf "%.2f", a / b }')
verdict=$(awk -v v="$ratio" 'BEGIN { print (v >= 0.8) ? "ok" : "MISS" }')
printf '\n45-crypto: %d MiB random file, best of %d runs, plain and encrypted alternating, load %s\n\n' "$mib" "$runs" "$(cut -d' ' -f1-3 /proc/loadavg)"
echo '| what | plain | encrypted | result | goal | |'
echo '|---|---:|---:|---:|---|---|'
printf '| cold sequential read through the mount | %s MB/s (CPU %s s) | %s MB/s (CPU %s s) | %sx | ≥0.8x | %s |\n' \
  "$(mbps $bytes "$plain_s")" "$plain_cpu" "$(mbps $bytes "$crypt_s")" "$crypt_cpu" "$ratio" "$verdict"
printf '| decrypt, mount process | | | %s CPU s/GiB | report | |\n' "$(per_gib "$crypt_cpu" "$plain_cpu")"
printf '| decrypt, `get --password-file` vs `get` | %s CPU s | %s CPU s | %s CPU s/GiB | report | |\n' "$get_plain_cpu" "$get_crypt_cpu" "$(per_gib "$get_crypt_cpu" "$get_plain_cpu")"
printf '| encrypt, `put --password-file` vs `put` | %s CPU s | %s CPU s | %s CPU s/GiB | report | |\n' "$put_plain_cpu" "$put_crypt_cpu" "$(per_gib "$put_crypt_cpu" "$put_plain_cpu")"
echo
echo "CPU s/GiB = (encrypted − plain) scaled to 1 GiB; the CLI figures include one scrypt (≈0.2 s)."

if [ -n "${BENCH_RESULTS:-}" ]; then
  mkdir -p "$BENCH_RESULTS"
  {
    echo "CRYPTO_COLD_READ_RATIO=$ratio"
    echo "CRYPTO_DECRYPT_CPU_S_PER_GIB=$(per_gib "$crypt_cpu" "$plain_cpu")"
    echo "CRYPTO_ENCRYPT_CPU_S_PER_GIB=$(per_gib "$put_crypt_cpu" "$put_plain_cpu")"
  } >> "$BENCH_RESULTS/results.env"
fi

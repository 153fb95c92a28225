# Shared by bench parts (source it): start/stop a standalone emulator and read its peak RSS.
# After bench_start_emulator DIR [flags...]: EMU_PID, EMU_URL (ends with /), EMU_TOKEN are set.

bench_start_emulator() {
  local dir=$1; shift
  local root; root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
  EMU_TOKEN=bench-token
  mkdir -p "$dir"
  "$root/scripts/run-emulator.sh" --data "$dir/data" --port 0 --token "$EMU_TOKEN" "$@" \
    >"$dir/emulator.log" 2>&1 &
  EMU_PID=$!
  local i line
  # 120 s: includes a Release build of the CLI when it is missing.
  for ((i = 0; i < 1200; i++)); do
    line=$(grep -m1 -o 'Emulator listening on http://127\.0\.0\.1:[0-9]*/' "$dir/emulator.log" 2>/dev/null || true)
    if [ -n "$line" ]; then
      EMU_URL=${line#Emulator listening on }
      return 0
    fi
    if ! kill -0 "$EMU_PID" 2>/dev/null; then
      echo "emulator exited during start:" >&2; tail -20 "$dir/emulator.log" >&2; return 1
    fi
    sleep 0.1
  done
  echo "emulator did not start within 120 s:" >&2; tail -20 "$dir/emulator.log" >&2
  return 1
}

# Peak resident set size (VmHWM) of the emulator so far, in MiB.
bench_peak_rss_mib() {
  awk '/^VmHWM:/ { printf "%.0f", $2 / 1024 }' "/proc/$EMU_PID/status"
}

bench_stop_emulator() {
  [ -n "${EMU_PID:-}" ] || return 0
  if kill -0 "$EMU_PID" 2>/dev/null; then
    kill -TERM "$EMU_PID" 2>/dev/null
    local i
    for ((i = 0; i < 50; i++)); do kill -0 "$EMU_PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$EMU_PID" 2>/dev/null || true
  fi
  wait "$EMU_PID" 2>/dev/null || true
  EMU_PID=
}

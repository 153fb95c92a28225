#!/usr/bin/env bash
# The one command that prepares a fresh machine and runs every test.
#   ./scripts/test.sh            everything
#   ./scripts/test.sh --quick    unit + in-process tests only (no SDK scenario, no mounts)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
quick=0
[ "${1:-}" = "--quick" ] && quick=1

log() { printf '\n== %s\n' "$*"; }

# --- 1. what a fresh machine lacks -------------------------------------------------------------
need_apt=()
command -v fusermount3 >/dev/null 2>&1 || need_apt+=(fuse3)
command -v gcc >/dev/null 2>&1 || need_apt+=(gcc libc6-dev)
[ -f /usr/include/linux/fuse.h ] || need_apt+=(linux-libc-dev)
command -v curl >/dev/null 2>&1 || need_apt+=(curl)
command -v rsync >/dev/null 2>&1 || need_apt+=(rsync)
command -v git >/dev/null 2>&1 || need_apt+=(git)          # the mount tests run git inside a mount
command -v diff >/dev/null 2>&1 || need_apt+=(diffutils)
command -v node >/dev/null 2>&1 || need_apt+=(nodejs npm)
command -v openssl >/dev/null 2>&1 || need_apt+=(openssl)
# the official Python SDK, as a second external client of the emulator (Debian's package, system python)
/usr/bin/python3 -c 'import dropbox' >/dev/null 2>&1 || need_apt+=(python3 python3-dropbox)
if [ ${#need_apt[@]} -gt 0 ]; then
  log "installing: ${need_apt[*]}"
  if [ "$(id -u)" = 0 ]; then
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}"
  elif sudo -n true 2>/dev/null; then
    sudo DEBIAN_FRONTEND=noninteractive apt-get update -qq
    sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}"
  else
    echo "missing packages: ${need_apt[*]}; run: sudo apt-get install ${need_apt[*]}" >&2
    exit 1
  fi
fi
command -v dotnet >/dev/null 2>&1 || { echo "dotnet SDK 10 is required (https://dot.net); install it and re-run." >&2; exit 1; }

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

# --- 2. build ----------------------------------------------------------------------------------
log "build"
dotnet build DropboxFs.sln -c Release -nologo -v q -clp:ErrorsOnly

# --- 3. unit and in-process tests (emulator over real loopback HTTP) ---------------------------
log "unit and in-process tests"
dotnet test tests/DropboxFs.Tests -c Release --no-build -nologo -v q \
  --logger "console;verbosity=minimal" -- RunConfiguration.TestSessionTimeout=1200000

[ $quick = 1 ] && exit 0

# --- 4. the official dropbox npm SDK against the emulator --------------------------------------
if [ -f tests/sdk-conformance/package.json ]; then
  log "dropbox npm SDK conformance"
  (cd tests/sdk-conformance && npm ci --no-audit --no-fund --loglevel=error)
  DROPBOXFS_BIN="$root/src/DropboxFs.Cli/bin/Release/net10.0/dropboxfs" \
    timeout 300 node tests/sdk-conformance/run.mjs
  log "dropbox Python SDK conformance"
  DROPBOXFS_BIN="$root/src/DropboxFs.Cli/bin/Release/net10.0/dropboxfs" \
    timeout 300 /usr/bin/python3 tests/sdk-conformance/python-sdk-scenario.py
fi

# --- 5. black-box mount tests (real /dev/fuse) -------------------------------------------------
if compgen -G "tests/DropboxFs.MountTests/*.cs" >/dev/null; then
  log "mount tests"
  DROPBOXFS_BIN="$root/src/DropboxFs.Cli/bin/Release/net10.0/dropboxfs" \
    dotnet test tests/DropboxFs.MountTests -c Release --no-build -nologo -v q \
    --logger "console;verbosity=minimal" -- RunConfiguration.TestSessionTimeout=1200000
  if grep -q " fuse" /proc/mounts; then
    echo "a FUSE mount was left behind:" >&2; grep " fuse" /proc/mounts >&2; exit 1
  fi
fi

log "all tests passed"

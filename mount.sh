#!/usr/bin/env bash
# Mount Dropbox at MOUNTPOINT on a fresh Linux machine:
#   ./mount.sh ~/Dropbox [--daemon] [--read-only] [--write-back-delay 2s] [--remote-root /Folder] [any `dropboxfs mount` flag]
# Builds dropboxfs once (Release) when needed, installs fuse3 when missing, checks /dev/fuse, then
# runs `dropboxfs mount` (read-write unless --read-only) in the foreground (Ctrl-C unmounts) or, with
# --daemon, in the background (`dropboxfs unmount MOUNTPOINT` uploads what is queued, then unmounts).
# With no linked account (no token.json, no --endpoint/--token, no DROPBOXFS_TOKEN/ENDPOINT) it
# mounts the built-in emulator (data in ~/.local/share/dropboxfs/emulator) and says so.
set -euo pipefail
cd "$(dirname "$0")"
root=$PWD
say() { printf 'mount.sh: %s\n' "$*" >&2; }

if [ $# -lt 1 ] || [ "${1:-}" = "-h" ] || [ "${1:-}" = "--help" ]; then
  echo "usage: ./mount.sh MOUNTPOINT [--daemon] [--read-only] [--remote-root /Folder] [--cache-dir DIR] [--cache-size 10G] [--state-dir DIR] [--write-back-delay 2s] [--sync-uploads] [--allow-other] [--log-file F] [--log-level L] [--endpoint URL --token T]" >&2
  exit 2
fi

# --- 1. .NET SDK ---------------------------------------------------------------------------------
if ! command -v dotnet >/dev/null 2>&1; then
  say "the .NET 10 SDK is missing. Install it (https://dot.net, or: sudo apt-get install dotnet-sdk-10.0) and run this again."
  exit 1
fi
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

# --- 2. fuse3 (fusermount3) ----------------------------------------------------------------------
if ! command -v fusermount3 >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then
    say "installing fuse3 (apt-get)..."
    DEBIAN_FRONTEND=noninteractive apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fuse3 >/dev/null
  elif sudo -n true 2>/dev/null; then
    say "installing fuse3 (sudo apt-get)..."
    sudo DEBIAN_FRONTEND=noninteractive apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fuse3 >/dev/null
  else
    say "fuse3 is missing and I cannot install it without a password. Run:"
    say "  sudo apt-get install -y fuse3"
    say "then run this again."
    exit 1
  fi
fi

# --- 3. /dev/fuse --------------------------------------------------------------------------------
if [ ! -e /dev/fuse ]; then
  say "/dev/fuse does not exist. Load the module (sudo modprobe fuse); in a container start it with --device /dev/fuse --cap-add SYS_ADMIN."
  exit 1
fi
if [ "$(id -u)" != 0 ] && ! [ -r /dev/fuse -a -w /dev/fuse ]; then
  say "/dev/fuse is not accessible to $(id -un). Run: sudo chmod 0666 /dev/fuse   (or run this script as root)"
  exit 1
fi

# --- 4. build once -------------------------------------------------------------------------------
bin=src/DropboxFs.Cli/bin/Release/net10.0/dropboxfs
if [ ! -x "$bin" ] || [ -n "$(find src Directory.Build.props Directory.Packages.props \
      \( -name '*.cs' -o -name '*.csproj' -o -name '*.props' \) -newer "$bin" -print -quit)" ]; then
  say "building dropboxfs (Release, once)..."
  if ! dotnet build src/DropboxFs.Cli -c Release -nologo -v q -clp:ErrorsOnly >&2; then
    say "the build failed; the messages above say why."
    exit 1
  fi
fi

# --- 5. account or emulator ----------------------------------------------------------------------
mountpoint=$1
shift
linked=0
config=${XDG_CONFIG_HOME:-$HOME/.config}
if [ -f "$config/dropboxfs/token.json" ] || [ -n "${DROPBOXFS_TOKEN:-}" ] || [ -n "${DROPBOXFS_ENDPOINT:-}" ]; then
  linked=1
fi
for a in "$@"; do
  case "$a" in --endpoint|--endpoint=*|--token|--token=*|--emulator) linked=1 ;; esac
done
extra=()
if [ $linked = 0 ]; then
  say "no Dropbox account is linked: mounting the built-in emulator (data in ~/.local/share/dropboxfs/emulator)."
  say "run '$root/$bin login' to link your Dropbox, then mount again."
  extra+=(--emulator)
fi

if [ ! -d "$mountpoint" ]; then
  say "creating the mountpoint $mountpoint"
  mkdir -p "$mountpoint"
fi

exec "$root/$bin" mount "$mountpoint" "${extra[@]}" "$@"

#!/usr/bin/env bash
# Runs the Dropbox-API emulator standalone: builds the CLI (Release) when it is missing or older
# than any source file, then execs `dropboxfs emulator` with every argument passed through, e.g.
#   scripts/run-emulator.sh --data /tmp/dbx --port 8787 --token dev --latency 20
# exec keeps the PID, so a caller that started this script in the background can signal the server.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=src/DropboxFs.Cli/bin/Release/net10.0/dropboxfs
if [ ! -x "$bin" ] || [ -n "$(find src Directory.Build.props Directory.Packages.props \
      \( -name '*.cs' -o -name '*.csproj' -o -name '*.props' \) -newer "$bin" -print -quit)" ]; then
  echo "building dropboxfs (Release)..." >&2
  dotnet build src/DropboxFs.Cli -c Release -nologo -v q -clp:ErrorsOnly >&2
fi
exec "$bin" emulator "$@"

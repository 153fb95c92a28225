#!/usr/bin/env bash
# Formatting plus the banned patterns of CONVENTIONS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
status=0
dotnet format DropboxFs.sln --verify-no-changes --severity warn || status=1
ban() { # pattern description
  if grep -rnE --include='*.cs' "$1" src tests; then echo "banned: $2" >&2; status=1; fi
}
ban '\.Result\b' 'blocking on a Task (.Result); go async'
ban '\.Wait\(\)' 'blocking on a Task (.Wait()); go async'
ban 'DateTime\.Now' 'DateTime.Now; inject TimeProvider'
ban 'Log[A-Za-z]*\(.*\{(Access)?Token\}' 'a token in a log template'
exit $status

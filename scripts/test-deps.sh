#!/usr/bin/env bash
# The system packages the test suite drives for real (a browser, tmux, Jupyter kernels,
# PostgreSQL, ...): installs the missing ones with apt-get (as root, or through passwordless
# sudo), else says which to install. Runs before `npm test` (the `pretest` script) and in CI,
# so `npm install && npm test` works on a fresh Debian machine as the README says.
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v tmux >/dev/null || missing+=(tmux)
command -v git >/dev/null || missing+=(git)
# Jupyter kernels for the workspace tests (test/images*.test.ts): two implementations, and
# jupyter_client for the benchmark's direct baseline.
[ -f /usr/share/jupyter/kernels/python3/kernel.json ] || missing+=(python3-ipykernel)
[ -x /usr/bin/xpython ] || missing+=(xpython)
/usr/bin/python3 -c "import jupyter_client" 2>/dev/null || missing+=(python3-jupyter-client)
# The TLS test makes a self-signed certificate.
command -v openssl >/dev/null || missing+=(openssl)
# `.recover` of a damaged database (src/store/recovery.ts; test/faults.test.ts).
command -v sqlite3 >/dev/null || missing+=(sqlite3)
# The sandbox of agent sessions (src/host/runtimes/sandbox.ts; test/sandbox.test.ts).
command -v bwrap >/dev/null || missing+=(bubblewrap)
# The PostgreSQL store: a server the tests start themselves, and libpq's headers so npm
# builds pg-native.
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
[ -f /usr/include/postgresql/libpq-fe.h ] || missing+=(libpq-dev)

if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ]; then
    as_root=()
  elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
    as_root=(sudo -n)
  else
    echo "the tests need these Debian packages: ${missing[*]}" >&2
    echo "install them with: sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
  echo "installing the packages the tests need: ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  "${as_root[@]}" apt-get update -qq
  "${as_root[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# pg-native is optional: `npm install` skips it when libpq's headers were missing then.
if ! node -e "require('pg-native')" 2>/dev/null; then
  echo "building pg-native (libpq) for the PostgreSQL store's tests" >&2
  npm install --no-save --no-audit --no-fund pg-native@"$(node -p "require('./package.json').optionalDependencies['pg-native']")" >/dev/null
fi

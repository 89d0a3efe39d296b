#!/usr/bin/env bash
# Idempotent set-up for `npm start` and `npm test` on a fresh Debian machine with Node 20.
# - Debian packages the tests use (real SIPp, tcpdump/dumpcap, tshark as an oracle, Chromium for the
#   HTML report, baresip as a third-party phone, a C compiler for the media relay's batched UDP
#   addon): installed when missing, if we are root.
# - npm packages: `npm ci` when node_modules is missing or older than the lockfile.
set -euo pipefail
cd "$(dirname "$0")/.."
# libc6-dev is only a Recommends of gcc: named, or --no-install-recommends leaves out the C headers
APT_PKGS="${MVSCT_APT_PKGS:-sip-tester tcpdump tshark chromium baresip-core iproute2 gcc libc6-dev}"
missing=""
for p in $APT_PKGS; do dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"; done
if [ -n "$missing" ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "setup: installing Debian packages:$missing" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get -o DPkg::Lock::Timeout=600 update -q >/dev/null
    # shellcheck disable=SC2086
    apt-get -o DPkg::Lock::Timeout=600 install -y -q --no-install-recommends $missing >/dev/null
  else
    echo "setup: not root; tests that need$missing will be skipped with a reason" >&2
  fi
fi
stamp=node_modules/.mvsct-installed
if [ ! -f "$stamp" ] || [ package-lock.json -nt "$stamp" ] || [ package.json -nt "$stamp" ]; then
  echo "setup: installing npm packages" >&2
  npm ci --no-audit --no-fund --loglevel=error >&2
  touch "$stamp"
fi
# the media relay's batched UDP addon (build/native/; without a compiler the relay uses node:dgram)
bash scripts/build-native.sh >&2
# the CLI bundle (bin/mvsct.mjs falls back to the TypeScript sources when it is missing or stale)
node scripts/build.mjs

#!/usr/bin/env bash
# Builds the media relay's batched UDP addon (protocol/native/udp-batch*.c) into
# build/native/udp-batch.node with one plain compiler call (no node-gyp). Idempotent and quiet:
# rebuilds only when a source is newer than the output (Node's own headers, else the vendored copy in
# protocol/native/vendor/node-headers). Without a compiler it
# says so in one line and exits 0: the relay then uses node:dgram (protocol/src/media/native-io.ts).
#   bash scripts/build-native.sh          # FORCE=1 rebuilds anyway; CC=clang picks the compiler
set -u
cd "$(dirname "$0")/.."
SRC_DIR=protocol/native
OUT=build/native/udp-batch.node
skip() {
  echo "native UDP batch path not built: $1"
  exit 0
}
[ "$(uname -s)" = Linux ] || skip "recvmmsg/sendmmsg/epoll need Linux"
CC=${CC:-cc}
command -v "$CC" > /dev/null 2>&1 || skip "no C compiler ($CC; Debian: apt-get install gcc libc6-dev)"
command -v node > /dev/null 2>&1 || skip "no node"
INC=""
for d in "$(dirname "$(dirname "$(node -p process.execPath)")")/include/node" /usr/include/node /usr/local/include/node; do
  if [ -f "$d/node_api.h" ] && [ -f "$d/uv.h" ]; then INC=$d; break; fi
done
# a Node binary installed alone has no headers: the vendored copy (Node-API and libuv are stable ABIs)
[ -n "$INC" ] || INC=$SRC_DIR/vendor/node-headers
[ -n "${NODE_HEADERS:-}" ] && INC=$NODE_HEADERS
SOURCES=("$SRC_DIR"/udp-batch*.c)
if [ "${FORCE:-0}" != 1 ] && [ -f "$OUT" ]; then
  stale=0
  for f in "${SOURCES[@]}" "$SRC_DIR"/udp-batch.h "$0"; do [ "$f" -nt "$OUT" ] && stale=1; done
  [ $stale = 0 ] && exit 0
fi
mkdir -p build/native
tmp=$(mktemp build/native/.udp-batch.XXXXXX)
if ! err=$("$CC" -std=c11 -O2 -g -Wall -Wextra -fPIC -shared -fvisibility=hidden -I"$INC" -o "$tmp" "${SOURCES[@]}" -lm 2>&1); then
  rm -f "$tmp"
  skip "compiler failed: $(echo "$err" | grep -m1 -i error || echo "$err" | head -1)"
fi
[ -n "$err" ] && echo "$err" >&2
chmod 0755 "$tmp"
mv -f "$tmp" "$OUT"

#!/usr/bin/env bash
# bench/analyze-vs-tshark.sh (`npm run bench`): `mvsct analyze` against `tshark -q -z rtp,streams` on
# captures of about 1 M and 4 M packets made from a real SIPp seed capture (see bench/README.md).
#
#   1. ensures bench/out/seed.pcap (make-seed.sh: real SIPp on loopback) and the 1M / 4M captures
#      (multiply.ts) exist; regenerates what is missing (BENCH_REGEN=1 regenerates the big ones);
#   2. checks that mvsct's analysis of each big capture finds what the seed's calls imply
#      (legs = calls x copies, RFC 2833 digits = 2 x legs, RTP streams = 4 x legs) and counts
#      tshark's streams too, so a fast but wrong analyzer cannot pass;
#   3. times both tools alternately (RUNS_1M=5, RUNS_4M=3 each by default), wall time and peak RSS
#      from /usr/bin/time, with the 1-min load average after each run;
#   4. writes bench/RESULTS.md (medians, every run, machine, versions) and prints the table.
# Exit 0 when the sanity checks pass (whatever the speed), 1 when they fail, 2 when a tool is missing.
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_DIR=$(cd "$BENCH_DIR/.." && pwd)
OUT=$BENCH_DIR/out
RUNS_1M=${RUNS_1M:-5}
RUNS_4M=${RUNS_4M:-3}
TSX=$REPO_DIR/node_modules/.bin/tsx
RUN_TIMEOUT_S=${RUN_TIMEOUT_S:-900}

log() { printf '[bench] %s\n' "$*" >&2; }

for tool in tshark node; do
  command -v "$tool" >/dev/null || { log "$tool is missing"; exit 2; }
done
if [[ ! -x /usr/bin/time ]]; then
  if [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null; then
    log "installing Debian package 'time' for /usr/bin/time"
    DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -q --no-install-recommends time >/dev/null
  else
    log "/usr/bin/time is missing (apt-get install time)"
    exit 2
  fi
fi

mkdir -p "$OUT"
cd "$REPO_DIR"

# --- 1. captures ------------------------------------------------------------------------------
if [[ ! -s $OUT/seed.pcap || ! -s $OUT/seed.json ]]; then
  log "no seed capture: recording one with SIPp (about 30 s)"
  bash "$BENCH_DIR/make-seed.sh" "$OUT/seed.pcap"
  rm -f "$OUT"/1m.pcap "$OUT"/4m.pcap
fi
declare -A TARGET=([1m]=1000000 [4m]=4000000)
SIZES=(1m 4m)
for size in "${SIZES[@]}"; do
  if [[ ${BENCH_REGEN:-0} == 1 || ! -s $OUT/$size.pcap || ! -s $OUT/$size.json || $OUT/seed.pcap -nt $OUT/$size.pcap ]]; then
    log "writing $size.pcap (at least ${TARGET[$size]} packets)"
    timeout 600 "$TSX" "$BENCH_DIR/multiply.ts" --seed "$OUT/seed.pcap" --packets "${TARGET[$size]}" --out "$OUT/$size.pcap"
  fi
done

# mvsct runs from a snapshot of the bundle built now: what `npm start` ships, and the same code for
# every run even if sources change meanwhile (bin/mvsct.mjs would fall back to tsx on a stale bundle)
log "building the bundle (scripts/build.mjs) and taking a snapshot of it"
node scripts/build.mjs
rm -rf "$OUT/dist"
cp -r dist "$OUT/dist"
export MVSCT_BUNDLE=$OUT/dist/mvsct.mjs

RUNS=$OUT/runs.tsv
: >"$RUNS"
load1() { cut -d' ' -f1 /proc/loadavg; }

# run_one SIZE TOOL N: one timed run, appended to runs.tsv as
# size, tool, run, wall s, user s, sys s, peak RSS KiB, exit code, load1 before, load1 after
run_one() {
  local size=$1 tool=$2 n=$3 file=$OUT/$1.pcap tf=$OUT/time.txt before rc=0
  before=$(load1)
  if [[ $tool == mvsct ]]; then
    timeout "$RUN_TIMEOUT_S" /usr/bin/time -f '%e %U %S %M' -o "$tf" node bin/mvsct.mjs analyze "$file" --json >/dev/null 2>"$OUT/mvsct.stderr" || rc=$?
  else
    timeout "$RUN_TIMEOUT_S" /usr/bin/time -f '%e %U %S %M' -o "$tf" tshark -q -z rtp,streams -r "$file" >/dev/null 2>"$OUT/tshark.stderr" || rc=$?
  fi
  # mvsct exits 1 when it has error findings: a normal outcome of an analysis
  if [[ $tool == mvsct && $rc == 1 ]] || [[ $rc == 0 ]]; then :; else
    log "$tool on $size.pcap exited $rc"
    cat "$OUT/$tool.stderr" >&2
    exit 1
  fi
  local t
  t=$(grep -E '^[0-9.]+ [0-9.]+ [0-9.]+ [0-9]+$' "$tf" | tail -1)
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$size" "$tool" "$n" ${t// /$'\t'} "$rc" "$before" "$(load1)" >>"$RUNS"
  log "$size $tool run $n: $(cut -d' ' -f1 <<<"$t") s, $(($(cut -d' ' -f4 <<<"$t") / 1024)) MiB peak, load $(load1)"
}

# --- 2. sanity (untimed): what mvsct and tshark find in each big capture ------------------------
for size in "${SIZES[@]}"; do
  cat "$OUT/$size.pcap" >/dev/null # page cache, for both tools alike
  rc=0
  timeout "$RUN_TIMEOUT_S" node bin/mvsct.mjs analyze "$OUT/$size.pcap" --json >"$OUT/$size.analysis.json" 2>/dev/null || rc=$?
  ((rc <= 1)) || { log "mvsct analyze $size.pcap exited $rc"; exit 1; }
  timeout "$RUN_TIMEOUT_S" tshark -q -z rtp,streams -r "$OUT/$size.pcap" 2>/dev/null >"$OUT/$size.tshark.txt"
done

# --- 3. timed runs, alternating the tools --------------------------------------------------------
UPTIME_BEFORE=$(uptime)
for size in "${SIZES[@]}"; do
  runs=$RUNS_1M
  [[ $size == 4m ]] && runs=$RUNS_4M
  for ((i = 1; i <= runs; i++)); do
    if ((i % 2 == 1)); then
      run_one "$size" mvsct "$i"
      run_one "$size" tshark "$i"
    else
      run_one "$size" tshark "$i"
      run_one "$size" mvsct "$i"
    fi
  done
done
UPTIME_AFTER=$(uptime)

# --- 4. RESULTS.md ------------------------------------------------------------------------------
export UPTIME_BEFORE UPTIME_AFTER
"$TSX" "$BENCH_DIR/write-results.ts" --out-dir "$OUT" --results "$BENCH_DIR/RESULTS.md"

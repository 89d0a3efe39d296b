#!/bin/bash
# bench/b2bua/cps.sh: calls per second, SIPp uac → system under test → SIPp uas, rising rates until
# the failed + incomplete calls of the median run pass 0.1 %. Systems under test:
#   kamailio  Kamailio as a stateful record-routing proxy (kamailio.cfg; with RTP: + rtpengine)
#   ours      mvsct b2bua --listen 127.0.0.1:22070 --next-hop 127.0.0.1:22080 --config b2bua.yaml, run
#             from an esbuild bundle of the tree built at the start (out/cps/mvsct.mjs, as `npm run
#             build` makes dist/mvsct.mjs), so neither tsx nor a stale dist/ is measured
#             (FROM_SOURCE=1: through tsx instead, recorded as runner "tsx")
# Kinds: sig (built-in uac/uas with route sets, no media) and rtp (uac_pcap: PCMA 7 s + RFC 2833
# digit, ~9 s calls, callee -rtp_echo; PCMA packets coming from the relay's ports 23000-24999
# counted by tcpdump both ways, so media that bypassed the relay counts as lost).
#   bash bench/b2bua/cps.sh [kamailio|ours|all] [sig|rtp|all]
#   env: REPS=3 S=5 (seconds of arrivals per step) RATES_SIG="100 ... 3000" RATES_RTP="10 25 50 75"
#        FRESH=1 (a new SUT per step; recorded as "<target>-fresh"), KEEP=1 (keep earlier runs),
#        PROFILE=1 (a V8 profile of mvsct b2bua at 500 cps)
#        MVSCT_BUNDLE=bench/b2bua/out/<file>.mjs: run that prebuilt bundle as "ours" (an A/B run of
#        another version; inside the repository so its imports resolve) and OURS_LABEL=ours-<x>:
#        the target name recorded for it
# Recorded per step besides SIPp's counts: the uac's INVITE and BYE retransmissions (answers later
# than T1 = 500 ms) and the kernel's UDP receive-buffer drops on the host during the step
# (/proc/net/snmp RcvbufErrors, every socket: SUT and SIPp alike).
# Every step is bounded by -m (rate × S calls) and timeout. Ports: SIP 22060 (Kamailio), 22070
# (ours), 22080 (uas), 22081 (uac); media 22010 (uas), 22100 (uac); rtpengine ng 22900; RTP
# relay ports 23000-24999. Results: out/cps/runs.jsonl (a re-run replaces that target+kind's lines),
# then RESULTS.md via write-results.ts.
set -u
cd "$(dirname "$0")/../.."
B=bench/b2bua
OUT=${CPS_OUT:-$B/out/cps} # CPS_OUT: another directory (a smoke run that must not touch the results)
D=$OUT/runs
RUN=/tmp/b2bench/kam
mkdir -p "$D" "$RUN"
TARGETS=${1:-all}
KINDS=${2:-all}
[ "$TARGETS" = all ] && TARGETS="kamailio ours"
[ "$KINDS" = all ] && KINDS="sig rtp"
REPS=${REPS:-3}
S=${S:-5}
RATES_SIG=${RATES_SIG:-"100 200 300 400 500 700 1000 1500 2000 3000"}
RATES_RTP=${RATES_RTP:-"10 25 50 75"}
# FRESH=1: a new SUT process for every step (after the previous one's transactions are gone), so
# the step measures processing capacity, not what earlier steps left in the transaction table;
# recorded as target "<name>-fresh"
FRESH=${FRESH:-0}
LABEL_SUFFIX=""
[ "$FRESH" = 1 ] && LABEL_SUFFIX="-fresh"
label() { [ "$1" = ours ] && echo "${OURS_LABEL:-ours}$LABEL_SUFFIX" || echo "$1$LABEL_SUFFIX"; }
RUNS=$OUT/runs.jsonl
touch "$RUNS"
RUNNER=bundle
[ "${FROM_SOURCE:-0}" = 1 ] && RUNNER=tsx
BUNDLE=$PWD/$B/out/cps/mvsct.mjs # inside the repository: its imports resolve from node_modules
[ -n "${MVSCT_BUNDLE:-}" ] && BUNDLE=$(realpath "$MVSCT_BUNDLE")

need() { command -v "$1" > /dev/null || DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y --no-install-recommends "$2" > /dev/null; }
need sipp sip-tester
need kamailio kamailio
need rtpengine rtpengine-daemon
need tcpdump tcpdump

{
  echo "date=$(date -u +%Y-%m-%dT%H:%M:%SZ) targets=$TARGETS kinds=$KINDS reps=$REPS arrivals_s=$S"
  echo "uptime_before=$(uptime)"
  echo "cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //') x $(nproc)"
  echo "kernel=$(uname -r) node=$(node --version)"
  echo "sipp=$(dpkg-query -W -f='${Version}' sip-tester) kamailio=$(dpkg-query -W -f='${Version}' kamailio) rtpengine=$(dpkg-query -W -f='${Version}' rtpengine-daemon)"
  echo "mvsct=$(git rev-parse --short HEAD 2> /dev/null) (working tree), runner=$RUNNER${MVSCT_BUNDLE:+, bundle $MVSCT_BUNDLE as ${OURS_LABEL:-ours}}"
} >> "$OUT/env.txt"

# ours runs from a bundle of the tree as it is now (the same esbuild options as scripts/build.mjs)
if [ "$RUNNER" = bundle ] && [ -z "${MVSCT_BUNDLE:-}" ] && [[ " $TARGETS " == *" ours "* ]]; then
  node --input-type=module -e '
    const { buildSync } = await import("esbuild");
    buildSync({ entryPoints: ["harness/src/cli/main.ts"], outfile: process.argv[1], bundle: true, platform: "node",
      target: "node20", format: "esm", packages: "external", sourcemap: "linked", logLevel: "warning" });' "$BUNDLE" || exit 1
fi
# MVSCT=(the command line that runs mvsct) from the bundle, or through tsx with FROM_SOURCE=1; the
# arguments are node flags. An array, not a function, so that `"${MVSCT[@]}" ... &` leaves node's
# own PID in $! (stop_sut signals it, sut_ticks reads its CPU time).
mvsct_cmd() {
  if [ "$RUNNER" = bundle ]; then
    MVSCT=(node "$@" --input-type=module -e 'const { main } = await import(process.argv[1]); process.exitCode = await main(process.argv.slice(2));' "$BUNDLE")
  else
    MVSCT=(env MVSCT_FROM_SOURCE=1 node "$@" bin/mvsct.mjs)
  fi
}
mvsct_cmd
rcvbuf_errors() { awk '/^Udp: [0-9]/{print $6; exit}' /proc/net/snmp; }

SUT_PIDS=""
SUT_PORT=0
start_sut() { # TARGET KIND
  if [ "$1" = kamailio ]; then
    local extra=""
    if [ "$2" = rtp ]; then
      rtpengine --config-file=none --foreground --log-stderr --log-level=4 --table=-1 --interface=127.0.0.1 \
        --listen-ng=127.0.0.1:22900 --port-min=23000 --port-max=24999 --num-threads=2 --delete-delay=0 \
        --pidfile=$RUN/rtpe.pid > "$OUT/rtpengine.log" 2>&1 &
      SUT_PIDS="$!"
      sleep 1.5 # Kamailio pings rtpengine at start and disables it for 60 s if that fails
      extra="-A WITH_RTPENGINE"
    fi
    # shellcheck disable=SC2086
    kamailio -f $B/kamailio.cfg -DD -E -m 512 -M 32 -A CHILDREN=4 $extra -Y $RUN -P $RUN/kam.pid > "$OUT/kamailio.log" 2>&1 &
    SUT_PIDS="$SUT_PIDS $!"
    SUT_PORT=22060
  else
    "${MVSCT[@]}" b2bua --listen 127.0.0.1:22070 --next-hop 127.0.0.1:22080 --config $B/b2bua.yaml --quiet > "$OUT/b2bua.log" 2>&1 &
    SUT_PIDS="$!"
    SUT_PORT=22070
  fi
  sleep 2
}
stop_sut() {
  # shellcheck disable=SC2086
  [ -n "$SUT_PIDS" ] && { kill -TERM $SUT_PIDS 2> /dev/null; wait $SUT_PIDS 2> /dev/null; }
  SUT_PIDS=""
}
trap stop_sut EXIT

sut_ticks() { # CPU ticks of the SUT processes and their children
  local t=0 p
  for p in $SUT_PIDS $(for q in $SUT_PIDS; do pgrep -P "$q"; done); do
    [ -r /proc/$p/stat ] && t=$((t + $(cut -d')' -f2 /proc/$p/stat | awk '{print $12+$13}')))
  done
  echo $t
}
stat_of() { grep "$2" "$1" | tail -1 | awk -F'|' '{print $3}' | tr -d ' '; }

step() { # TARGET KIND RATE REP -> prints 1 when the step failed
  local target=$1 kind=$2 rate=$3 rep=$4
  local label
  label=$(label "$target")_${kind}_${rate}_r$rep n=$((rate * S)) uas=$B/sipp/uas_rr.xml uac=$B/sipp/uac_rr.xml
  local tmo=$((S + 15)) echo="" td1="" td2=""
  if [ "$kind" = rtp ]; then
    uas=$B/sipp/uas_rtp_rr.xml; uac=$B/sipp/uac_pcap_rr.xml; tmo=$((S + 30)); echo="-rtp_echo"
    tcpdump -i lo -nn -B 16384 -w /dev/null 'udp and dst port 22010 and src portrange 23000-24999 and udp[9] & 0x7f = 8' > "$D/$label.td1" 2>&1 &
    td1=$!
    tcpdump -i lo -nn -B 16384 -w /dev/null 'udp and dst port 22100 and src portrange 23000-24999 and udp[9] & 0x7f = 8' > "$D/$label.td2" 2>&1 &
    td2=$!
    sleep 1
  fi
  # shellcheck disable=SC2086
  timeout $((tmo + 20)) sipp -sf $uas -i 127.0.0.1 -p 22080 -mi 127.0.0.1 -mp 22010 $echo -nostdin \
    -timeout $((tmo + 15))s -l 100000 -buff_size 4194304 > "$D/$label.uas.out" 2>&1 &
  local uaspid=$!
  sleep 0.5
  local c0 t0 c1 t1 e0 e1
  e0=$(rcvbuf_errors); c0=$(sut_ticks); t0=$(date +%s.%N)
  timeout $((tmo + 10)) sipp -sf $uac 127.0.0.1:$SUT_PORT -i 127.0.0.1 -p 22081 -mi 127.0.0.1 -mp 22100 \
    -r "$rate" -m $n -l 100000 -buff_size 4194304 -nostdin -timeout ${tmo}s \
    -default_behaviors all,-abortunexp -trace_err -error_file "$D/$label.uac.err" > "$D/$label.uac.out" 2>&1
  c1=$(sut_ticks); t1=$(date +%s.%N); e1=$(rcvbuf_errors)
  kill -INT $uaspid 2> /dev/null; wait $uaspid 2> /dev/null
  local rtpjson="" a=0 b=0
  if [ "$kind" = rtp ]; then
    sleep 0.5
    kill -INT $td1 $td2 2> /dev/null; wait $td1 $td2 2> /dev/null
    a=$(awk '/packets captured/{print $1}' "$D/$label.td1"); b=$(awk '/packets captured/{print $1}' "$D/$label.td2")
    rtpjson=",\"rtp_to_uas\":${a:-0},\"rtp_to_uac\":${b:-0}"
  fi
  local f=$D/$label.uac.out succ fail cps
  succ=$(stat_of "$f" "Successful call"); fail=$(stat_of "$f" "Failed call")
  cps=$(grep "Call Rate" "$f" | tail -1 | awk -F'|' '{print $3}' | awk '{print $1}')
  succ=${succ:-0}; fail=${fail:-0}; cps=${cps:-0}
  local inc=$((n - succ - fail)) cpu
  [ $inc -lt 0 ] && inc=0
  cpu=$(echo "$c0 $c1 $t0 $t1" | awk '{printf "%.1f", ($2-$1)/($4-$3)}')
  local pct
  pct=$(echo "$fail $inc $n" | awk '{printf "%.4f", 100*($1+$2)/$3}')
  [ "$kind" = rtp ] && rtpjson="$rtpjson,\"rtp_expected_each\":$((succ * 236))"
  local n503 rinv rbye
  n503=$(grep -c "SIP/2.0 503" "$D/$label.uac.err" 2> /dev/null)
  # SIPp's screen: "INVITE ---------->  <messages> <retrans> <timeouts>"
  rinv=$(grep "INVITE ---" "$f" | tail -1 | awk '{print $4}')
  rbye=$(grep "BYE ---" "$f" | tail -1 | awk '{print $4}')
  local runner=$RUNNER
  [ "$target" = kamailio ] && runner=native
  echo "{\"target\":\"$(label "$target")\",\"runner\":\"$runner\",\"retrans_invite\":${rinv:-0},\"retrans_bye\":${rbye:-0},\"rcvbuf_errors\":$((e1 - e0)),\"n503\":${n503:-0},\"kind\":\"$kind\",\"rate\":$rate,\"rep\":$rep,\"target_calls\":$n,\"succ\":$succ,\"fail\":$fail,\"incomplete\":$inc,\"fail_pct\":$pct,\"cum_cps\":$cps,\"sut_cpu_pct\":$cpu,\"load1\":$(cut -d' ' -f1 /proc/loadavg)$rtpjson}" | tee -a "$RUNS" >&2
  # with RTP a step also fails when more than 0.1 % of the PCMA packets did not cross the relay
  local rtploss=0
  [ "$kind" = rtp ] && rtploss=$(echo "${a:-0} ${b:-0} $((succ * 236))" | awk '{e=$3; if (e==0) {print 100; exit} l1=100*(e-$1)/e; l2=100*(e-$2)/e; print (l1>l2)?l1:l2}')
  # signalling only, a step also fails when SIPp achieved under 90 % of the offered rate
  awk -v p="$pct" -v r="$rtploss" -v k="$kind" -v c="$cps" -v o="$rate" \
    'BEGIN{print (p >= 0.1 || r >= 0.1 || (k == "sig" && c < 0.9 * o)) ? 1 : 0}'
}

for target in $TARGETS; do
  if [ "$target" = ours ] && ! "${MVSCT[@]}" b2bua --help 2>&1 | grep -q "usage: mvsct b2bua"; then
    echo "mvsct b2bua is not available yet: skipping ours" >&2
    continue
  fi
  for kind in $KINDS; do
    # a re-run replaces this target+kind's earlier lines (KEEP=1: adds to them, e.g. higher rates)
    [ "${KEEP:-0}" = 1 ] || node -e 'const fs=require("fs");const [f,t,k]=process.argv.slice(1);fs.writeFileSync(f,fs.readFileSync(f,"utf8").split("\n").filter(l=>l&&!(l.includes(`"target":"${t}"`)&&l.includes(`"kind":"${k}"`))).map(l=>l+"\n").join(""))' "$RUNS" "$(label "$target")" "$kind"
    rates=$RATES_SIG
    [ "$kind" = rtp ] && rates=$RATES_RTP
    start_sut "$target" "$kind"
    for rate in $rates; do
      failed=0
      for rep in $(seq 1 "$REPS"); do
        [ "$FRESH" = 1 ] && { stop_sut; start_sut "$target" "$kind"; }
        failed=$((failed + $(step "$target" "$kind" "$rate" "$rep")))
      done
      # stop rising once the median run failed
      [ $((failed * 2)) -gt "$REPS" ] && break
    done
    stop_sut
  done
done
# PROFILE=1: one V8 CPU profile of mvsct b2bua, fresh, 2500 calls at 500 cps (out/cps/profile-b2bua.txt)
if [ "${PROFILE:-0}" = 1 ]; then
  rm -rf "$OUT/prof"; mkdir -p "$OUT/prof"
  mvsct_cmd --cpu-prof --cpu-prof-dir="$OUT/prof"
  "${MVSCT[@]}" b2bua --listen 127.0.0.1:22070 --next-hop 127.0.0.1:22080 \
    --config $B/b2bua.yaml --quiet > "$OUT/b2bua-prof.log" 2>&1 &
  SUT_PIDS=$!; SUT_PORT=22070; sleep 2
  RUNS_KEPT=$RUNS; RUNS=$OUT/profile-run.jsonl # the profiled step is not a measurement
  S=5 step ours sig 500 1 > /dev/null 2>&1
  RUNS=$RUNS_KEPT
  stop_sut
  f=$(ls -S "$OUT"/prof/*.cpuprofile | head -1)
  npx tsx bench/profile-top.ts "$f" --top 30 > "$OUT/profile-b2bua.txt" 2>&1
  # self time per source file: the bundle's frames mapped back through its source map
  if [ "$RUNNER" = bundle ]; then
    node --input-type=module -e '
      import { readFileSync } from "node:fs";
      import { SourceMap } from "node:module";
      const [file, mapFile] = process.argv.slice(1);
      const p = JSON.parse(readFileSync(file, "utf8"));
      const sm = new SourceMap(JSON.parse(readFileSync(mapFile, "utf8")));
      const node = new Map(p.nodes.map((n) => [n.id, n]));
      const self = new Map();
      p.samples.forEach((s, i) => self.set(s, (self.get(s) ?? 0) + (p.timeDeltas[i] ?? 0)));
      const by = new Map();
      let total = 0, busy = 0;
      for (const [id, t] of self) {
        const cf = node.get(id).callFrame;
        total += t;
        let key = cf.url === "" ? cf.functionName : cf.url.startsWith("node:") ? "node: (dgram, net, crypto, timers ...)" : cf.url;
        if (cf.url.endsWith("mvsct.mjs"))
          key = (sm.findEntry(cf.lineNumber, cf.columnNumber)?.originalSource ?? "?").replace(/^.*?\/(protocol|harness|captures)\//, "$1/");
        if (key !== "(idle)") busy += t;
        by.set(key, (by.get(key) ?? 0) + t);
      }
      console.log(`self time per source file (busy ${(busy / 1000).toFixed(0)} ms of ${(total / 1000).toFixed(0)} ms sampled)`);
      for (const [k, t] of [...by].filter(([k]) => k !== "(idle)").sort((a, b) => b[1] - a[1]).slice(0, 30))
        console.log(`${(t / 1000).toFixed(0).padStart(7)} ms ${((100 * t) / busy).toFixed(1).padStart(5)} % of busy  ${k}`);
    ' "$f" "$BUNDLE.map" > "$OUT/profile-b2bua-files.txt" 2>&1
  fi
fi
echo "uptime_after=$(uptime)" >> "$OUT/env.txt"
[ -z "${CPS_OUT:-}" ] && npx tsx $B/write-results.ts

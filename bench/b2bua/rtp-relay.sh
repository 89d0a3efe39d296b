#!/bin/bash
# bench/b2bua/rtp-relay.sh: G.711 20 ms RTP + RFC 4733 relayed by our MediaRelay (relay-host.ts)
# and by rtpengine (userspace, --table=-1), driven by the same generator (rtp-relay.ts) through the
# ng protocol; "direct" (no relay) is the generator's own baseline. Results: out/rtp/runs.jsonl,
# then RESULTS.md via write-results.ts. Bounded: every run has a count and a timeout.
#   bash bench/b2bua/rtp-relay.sh            # full set (~9 min: split it under the bench lock, below)
#   PHASES=goal250 bash bench/b2bua/rtp-relay.sh            # the 250-call goal point only (~3 min)
#   PHASES="floor250 ceiling" bash bench/b2bua/rtp-relay.sh # the rest
#   PHASES=pin250 ...                        # the goal point with both relays pinned alike (CPU 1; generator CPU 0)
#   QUICK=1 bash bench/b2bua/rtp-relay.sh    # 1 rep, short runs (smoke)
#   PROFILE=1 ...                            # also one profiled run of ours at 490 calls (out/prof/)
#   PHASES=none PROFILE=1 ...                # the profiled run alone
#   GOAL_TARGETS="direct rtpengine ours ours-1loop" ...  # which targets the goal point compares
#   REPS=5 ...                               # repetitions at the goal point (default 3)
#   WARMUP=0 ...                             # no unrecorded warm-up runs when a relay starts (default 2 x 3 s)
# A run of a subset of PHASES replaces only those phases' rows in out/rtp/runs.jsonl.
# Targets: direct (no relay), rtpengine, ours (MediaRelayGroup: 2 worker event loops, connected
# sockets, the batched native UDP path: what the B2BUA runs; scripts/build-native.sh is run at the
# start), ours-dgram (the same on node:dgram: MediaRelayOptions.io "dgram"), ours-1loop (one MediaRelay per call on the main loop,
# connected sockets), ours-unconnected (the same without connect(): the code before 2026-11-26),
# node-raw / node-raw-connected (the bare dgram floor, lib/raw-relay.ts); all of these run from an
# esbuild bundle (out/rtp/bundle, built at the start); ours-tsx is `ours` run from source through tsx
# (its loader adds a hooks thread per isolate), ours-w1 is `ours` with one worker thread,
# ours-nofast is `ours` with every audio packet through JS (no C fast path: the code before 2026-11-26 11:00Z).
# RELAY_NODE_FLAGS="..." adds node/V8 flags to our relay processes (not to rtpengine).
# rtpengine-pin / ours-pin: the same relays with the same CPU pinning (relay on CPU 1, generator on
# CPU 0), a methodology row beside the unpinned ones.
# Ports: ng 22901 / 22916 (rtpengine / -pin), 22902-22909, 22913-22915 and 22917 (ours, its variants
# and the floors; 22918 ours-nofast), generator 22910-22912,
# RTP 23000-24999.
set -u
cd "$(dirname "$0")/../.."
B=bench/b2bua
OUT=$B/out/rtp
mkdir -p "$OUT" /tmp/b2bench
QUICK=${QUICK:-0}
PROFILE=${PROFILE:-0}
ALL_PHASES="goal250 floor250 ceiling"
PHASES=${PHASES:-$ALL_PHASES}
GOAL_TARGETS=${GOAL_TARGETS:-direct rtpengine ours ours-dgram}
FLOOR_TARGETS=${FLOOR_TARGETS:-node-raw node-raw-connected ours-unconnected}
CEIL_TARGETS=${CEIL_TARGETS:-rtpengine ours}
PIN_TARGETS=${PIN_TARGETS:-rtpengine-pin ours-pin}
# our relay is offered telephone-event 96 by the callee (the caller says 101), so every digit that
# arrives has had its PT rewritten in both directions; rtpengine does not rewrite PTs (same PT both sides)
TE_B_OURS=${TE_B_OURS:-96}
REPS=${REPS:-3}; SECS=10; SECS_CEIL=8
# seconds of the unrecorded warm-up run each relay gets when it starts (0: none)
WARMUP=${WARMUP:-3}
[ "$QUICK" = 1 ] && { REPS=1; SECS=4; SECS_CEIL=4; }
has_phase() { [[ " $PHASES " == *" $1 "* ]]; }
command -v rtpengine > /dev/null || DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y --no-install-recommends rtpengine-daemon > /dev/null

# our relay runs from an esbuild bundle of relay-host.ts + media-worker.ts built at the start (as the
# CLI ships: dist/mvsct.mjs), so no tsx loader threads run beside it; ours-tsx runs it from source
BUNDLE=$OUT/bundle
RUNS=$OUT/runs.jsonl
if [ "$PHASES" = "$ALL_PHASES" ] || [ ! -f "$RUNS" ]; then
  : > "$RUNS"
  : > "$OUT/env.txt"
else
  # keep the rows of the phases not re-run now
  node -e '
    const fs = require("fs"), [file, phases] = process.argv.slice(1), drop = new Set(phases.split(/\s+/));
    const keep = fs.readFileSync(file, "utf8").split("\n").filter((l) => l.trim() !== "" && !drop.has(JSON.parse(l).phase));
    fs.writeFileSync(file, keep.map((l) => l + "\n").join(""));' "$RUNS" "$PHASES $([ "$PROFILE" = 1 ] && echo profile)"
fi
{
  echo "date=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "phases=$PHASES"
  echo "uptime_before=$(uptime)"
  echo "cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //') x $(nproc)"
  echo "mem=$(free -g | awk '/Mem:/{print $2}') GiB"
  echo "kernel=$(uname -r)"
  echo "node=$(node --version)"
  echo "rtpengine=$(dpkg-query -W -f='${Version}' rtpengine-daemon 2>/dev/null)"
  echo "ours=bundle $BUNDLE (ours-tsx: from source through tsx)${RELAY_NODE_FLAGS:+, node flags $RELAY_NODE_FLAGS}"
  echo "native=$([ -f build/native/udp-batch.node ] && echo "build/native/udp-batch.node $(stat -c %y build/native/udp-batch.node | cut -d. -f1)" || echo "not built")"
} >> "$OUT/env.txt"

# relay processes, started on first use: target -> pid / ng port
declare -A PID=() NG=()
host_args() {
  case $1 in
    ours | ours-pin | ours-tsx | ours-stgc | ours-gc32 | ours-st32 | ours-nofast) echo "--workers 2" ;;
    ours-dgram) echo "--workers 2 --io dgram" ;;
    ours-w1) echo "--workers 1" ;;
    ours-1loop) echo "--workers 0" ;;
    ours-unconnected) echo "--workers 0 --connect off" ;;
    node-raw) echo "--impl raw" ;;
    node-raw-connected) echo "--impl raw-connected" ;;
  esac
}
host_port() {
  case $1 in
    ours) echo 22902 ;; ours-1loop) echo 22905 ;; ours-unconnected) echo 22906 ;;
    ours-tsx) echo 22907 ;; ours-w1) echo 22908 ;; ours-stgc) echo 22909 ;;
    ours-gc32) echo 22913 ;; ours-st32) echo 22914 ;; ours-pin) echo 22915 ;; ours-dgram) echo 22917 ;;
    ours-nofast) echo 22918 ;;
    node-raw) echo 22903 ;; node-raw-connected) echo 22904 ;;
  esac
}
relay_entry() {
  if [ "$1" = ours-tsx ]; then echo "--import tsx $B/relay-host.ts"; else echo "$BUNDLE/relay-host.mjs"; fi
}
# *-pin targets (rtpengine-pin, ours-pin): the relay, all its threads, on CPU 1 and the generator on
# CPU 0, the same for both relays; reported beside the unpinned rows, never instead of them
pin_relay() { [[ $1 == *-pin ]] && echo "taskset -c 1"; }
pin_gen() { [[ $1 == *-pin ]] && echo "taskset -c 0"; }
# ours-nofast: `ours` with its audio in JS (MVSCT_AUDIO_FAST_PATH=0; protocol/src/media/fast-path.ts)
relay_env() { [ "$1" = ours-nofast ] && echo "env MVSCT_AUDIO_FAST_PATH=0"; }
# V8 flags of a variant of ours (measured, not assumed)
relay_flags() {
  case $1 in
    ours-stgc) echo "--single-threaded-gc" ;;
    ours-gc32) echo "--single-threaded-gc --max-semi-space-size=32" ;;
    ours-st32) echo "--single-threaded --max-semi-space-size=32" ;;
  esac
}
build_bundle() {
  rm -rf "$BUNDLE"
  node -e '
    const { buildSync } = require("esbuild");
    buildSync({ entryPoints: { "relay-host": "bench/b2bua/relay-host.ts", "media-worker": "protocol/src/media/media-worker.ts" },
      outdir: process.argv[1], outExtension: { ".js": ".mjs" }, bundle: true, platform: "node", target: "node20",
      format: "esm", packages: "external", logLevel: "warning" });' "$BUNDLE"
}
build_bundle
# the native UDP path of `ours` (build/native/udp-batch.node); without it `ours` runs on dgram and
# its rows say so (relay.io in runs.jsonl)
bash scripts/build-native.sh
start_target() {
  local t=$1
  [ -n "${PID[$t]:-}" ] && return
  if [[ $t == rtpengine* ]]; then
    # rtpengine as in PERF-ANCHORS.md §3 (2 worker threads, userspace only)
    local ngp=22901
    [ "$t" = rtpengine-pin ] && ngp=22916
    # shellcheck disable=SC2046
    $(pin_relay "$t") rtpengine --config-file=none --foreground --log-stderr --log-level=4 --table=-1 --interface=127.0.0.1 \
      --listen-ng=127.0.0.1:$ngp --port-min=23000 --port-max=24999 --num-threads=2 --delete-delay=0 \
      --pidfile=/tmp/b2bench/$t.pid > "$OUT/$t.log" 2>&1 &
    PID[$t]=$!; NG[$t]=$ngp
  else
    local port
    port=$(host_port "$t")
    # shellcheck disable=SC2046
    # shellcheck disable=SC2046,SC2086
    $(relay_env "$t") $(pin_relay "$t") node ${RELAY_NODE_FLAGS:-} $(relay_flags "$t") $(relay_entry "$t") $(host_args "$t") --ng 127.0.0.1:$port --ports 23000-24999 \
      --max-s 900 > "$OUT/relay-$t.log" 2>&1 &
    PID[$t]=$!; NG[$t]=$port
  fi
  sleep 2
  # unrecorded runs first, the same for every relay: the measured runs see a relay in its
  # steady state (V8's JIT has compiled the packet path; rtpengine has nothing to warm)
  # Two of them: the first calls' deletes (closing sockets) make V8 re-optimise the packet path once
  # more, which would otherwise happen at the start of the first measured run.
  if [ "$WARMUP" != 0 ]; then
    local teb=101 w
    [[ $t == ours* ]] && teb=$TE_B_OURS
    for w in 1 2; do
      timeout $((WARMUP + 30)) node --import tsx $B/rtp-relay.ts --mode relay --ng 127.0.0.1:${NG[$t]} --calls 250 \
        --secs "$WARMUP" --ptime 20 --te-b "$teb" --label warmup > /dev/null 2>&1
    done
  fi
}
stop_target() {
  local p=${PID[$1]:-}
  [ -z "$p" ] && return
  kill -TERM "$p" 2> /dev/null; wait "$p" 2> /dev/null
  unset "PID[$1]"
}
cleanup() { for t in "${!PID[@]}"; do stop_target "$t"; done; }
trap cleanup EXIT

ticks() {
  # utime+stime of the process and all its threads (workers included)
  [ -r /proc/$1/stat ] && cut -d')' -f2 /proc/$1/stat | awk '{print $12+$13}' || echo 0
}

child_cpu() {
  # user+system seconds of this shell's finished children (the generator of the run just done)
  times | tail -1 | awk '{ for (i = 1; i <= 2; i++) { split($i, p, "m"); s += p[1] * 60 + p[2] } } END { printf "%.2f", s }'
}
box_ticks() {
  # busy jiffies of all CPUs (user+nice+system+irq+softirq+steal)
  awk '/^cpu /{print $2+$3+$4+$7+$8+$9}' /proc/stat
}
# The box is shared with other jobs (compilers, tests): before each run, of every target alike, wait
# (at most QUIET_MAX s) until the other CPU use over the last second is under QUIET_PCT % of one CPU
# (relays idle between runs, so all busy time then is others'). Prints the seconds waited.
QUIET_PCT=${QUIET_PCT:-25}
QUIET_MAX=${QUIET_MAX:-45}
wait_quiet() {
  local w=0 a b
  while [ "$w" -lt "$QUIET_MAX" ]; do
    a=$(box_ticks); sleep 1; b=$(box_ticks)
    [ $((b - a)) -lt "$QUIET_PCT" ] && break
    w=$((w + 1))
  done
  echo "$w"
}

# run TARGET CALLS SECS PTIME REP PHASE
run() {
  local target=$1 calls=$2 secs=$3 ptime=$4 rep=$5 phase=$6 pid=0 mode=relay ng=127.0.0.1:22901 teb=101
  if [ "$target" = direct ]; then
    mode=direct
  else
    # a relay is started in this shell only: a subshell's PID map would be lost with it
    if [ -z "${PID[$target]:-}" ] && [ "$BASH_SUBSHELL" -gt 0 ]; then
      echo '{"error":"relay not started before a subshell run"}'
      return
    fi
    start_target "$target"
    pid=${PID[$target]}; ng=127.0.0.1:${NG[$target]}
    [[ $target == ours* ]] && teb=$TE_B_OURS
  fi
  local c0 t0 c1 t1 line b0 b1 g0 g1 waited
  waited=$(wait_quiet)
  c0=$(ticks $pid); t0=$(date +%s.%N); b0=$(box_ticks); g0=$(child_cpu)
  # shellcheck disable=SC2046
  line=$(timeout $((secs + 40)) $(pin_gen "$target") node --import tsx $B/rtp-relay.ts --mode $mode --ng $ng --calls "$calls" \
    --secs "$secs" --ptime "$ptime" --te-b "$teb" --label "$target")
  c1=$(ticks $pid); t1=$(date +%s.%N); b1=$(box_ticks); g1=$(child_cpu)
  [ -z "$line" ] && line='{"error":"generator failed"}'
  local cpu box gen
  cpu=$(echo "$c0 $c1 $t0 $t1" | awk '{printf "%.1f", ($2-$1)/($4-$3)}')
  box=$(echo "$b0 $b1 $t0 $t1" | awk '{printf "%.1f", ($2-$1)/($4-$3)}')
  gen=$(echo "$g0 $g1 $t0 $t1" | awk '{printf "%.1f", 100*($2-$1)/($4-$3)}')
  echo "$line" | node -e '
    const [target, rep, phase, cpu, load, box, waited, gen] = process.argv.slice(1);
    const r = JSON.parse(require("fs").readFileSync(0, "utf8"));
    const relay = target === "direct" ? 0 : +cpu;
    // CPU the rest of the box used meanwhile (other jobs), % of one CPU: all busy time minus relay and generator
    const other = Math.max(0, +box - relay - +gen);
    Object.assign(r, { target, rep: +rep, phase, relay_cpu_pct: target === "direct" ? null : +cpu, load1: +load,
      other_cpu_pct: +other.toFixed(1), quiet_wait_s: +waited });
    console.log(JSON.stringify(r));' "$target" "$rep" "$phase" "$cpu" "$(cut -d' ' -f1 /proc/loadavg)" "$box" "$waited" "$gen" | tee -a "$RUNS"
}

# 1. the goal point: 250 calls (500 streams, 25 k packets/s) at 20 ms, REPS times, targets interleaved
if has_phase goal250; then
  for rep in $(seq 1 "$REPS"); do
    for target in $GOAL_TARGETS; do run "$target" 250 $SECS 20 "$rep" goal250; done
  done
fi

# 1b. the Node floor at the goal point: a bare dgram relay, unconnected and connected sockets, and
#     MediaRelay with unconnected sockets (what `ours` was before connect())
if has_phase floor250; then
  for rep in $(seq 1 "$REPS"); do
    for target in $FLOOR_TARGETS; do run "$target" 250 $SECS 20 "$rep" floor250; done
  done
  for t in $FLOOR_TARGETS; do [[ " $CEIL_TARGETS " == *" $t "* ]] || stop_target "$t"; done
fi

# 1c. the goal point again with the same CPU pinning for both relays (a methodology row, beside the
#     goal's unpinned rows): PIN_TARGETS, REPS times, interleaved
if has_phase pin250; then
  for rep in $(seq 1 "$REPS"); do
    for target in $PIN_TARGETS; do run "$target" 250 $SECS 20 "$rep" pin250; done
  done
  for t in $PIN_TARGETS; do stop_target "$t"; done
fi

# 2. rising load until loss: more calls up to 490 (the most the port range holds), then shorter
#    ptime (PERF-ANCHORS §3c did the same). Two reps per point; a target stops after a point lost
#    in both ("lost": a packet or digit missing, or an audio packet more than 100 ms late).
if has_phase ceiling; then
  for t in $CEIL_TARGETS; do start_target "$t"; done # run below goes through $(...), a subshell
  declare -A stopped=()
  for point in 330:20 400:20 490:20 490:15 490:12 490:10; do
    calls=${point%%:*}; ptime=${point##*:}
    for target in $CEIL_TARGETS; do
      [ "${stopped[$target]:-0}" = 1 ] && continue
      lost=0
      for rep in $(seq 1 $(( QUICK == 1 ? 1 : 2 ))); do
        l=$(run "$target" "$calls" $SECS_CEIL "$ptime" "$rep" ceiling | node -e 'const r=JSON.parse(require("fs").readFileSync(0,"utf8")); console.log(r.loss_pct>0 || r.digits_recv<r.digits_sent || r.late_over_100ms>0 || r.error ? 1 : 0)')
        lost=$((lost + l))
      done
      [ $lost -ge $(( QUICK == 1 ? 1 : 2 )) ] && stopped[$target]=1
    done
  done
fi

if [ "$PROFILE" = 1 ]; then
  stop_target ours
  rm -rf "$OUT/prof"; mkdir -p "$OUT/prof"
  # the main loop and both workers each write a .cpuprofile
  node --cpu-prof --cpu-prof-dir="$OUT/prof" --import tsx $B/relay-host.ts $(host_args ours) \
    --ng 127.0.0.1:22902 --ports 23000-24999 --max-s 120 > /dev/null 2>&1 &
  PID[ours]=$!; NG[ours]=22902
  sleep 2
  run ours 490 8 20 1 profile > /dev/null
  stop_target ours
  # one profile per thread (main, 2 media workers, loader threads): show the busiest, a media worker
  busiest=$(node -e '
    const fs = require("fs");
    let best = "", most = -1;
    for (const f of process.argv.slice(1)) {
      const p = JSON.parse(fs.readFileSync(f, "utf8"));
      const idle = new Set(p.nodes.filter((n) => n.callFrame.functionName === "(idle)").map((n) => n.id));
      let busy = 0;
      p.samples.forEach((s, i) => { if (!idle.has(s)) busy += p.timeDeltas[i] ?? 0; });
      if (busy > most) { most = busy; best = f; }
    }
    console.log(best);' "$OUT"/prof/*.cpuprofile)
  {
    echo "(the busiest of $(ls "$OUT"/prof/*.cpuprofile | wc -l) per-thread profiles)"
    npx tsx bench/profile-top.ts "$busiest" --top 25
  } > "$OUT/profile.txt" 2>&1
fi

echo "uptime_after=$(uptime)" >> "$OUT/env.txt"
cleanup
trap - EXIT
npx tsx $B/write-results.ts

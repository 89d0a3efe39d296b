#!/bin/bash
# bench/b2bua/rtp-relay.sh: G.711 20 ms RTP + RFC 4733 relayed by our MediaRelay (relay-host.ts)
# and by rtpengine (userspace, --table=-1), driven by the same generator (rtp-relay.ts) through the
# ng protocol; "direct" (no relay) is the generator's own baseline. Results: out/rtp/runs.jsonl,
# then RESULTS.md via write-results.ts. Bounded: every run has a count and a timeout; ~7 min.
#   bash bench/b2bua/rtp-relay.sh            # full set
#   QUICK=1 bash bench/b2bua/rtp-relay.sh    # 1 rep, short runs (smoke)
#   PROFILE=1 ...                            # also one profiled run of ours at 490 calls (out/prof/)
# Ports: ng 22901 (rtpengine) / 22902 (ours), generator 22910-22912, RTP 23000-24999.
set -u
cd "$(dirname "$0")/../.."
B=bench/b2bua
OUT=$B/out/rtp
mkdir -p "$OUT" /tmp/b2bench
QUICK=${QUICK:-0}
PROFILE=${PROFILE:-0}
REPS=3; SECS=10; SECS_CEIL=8
[ "$QUICK" = 1 ] && { REPS=1; SECS=4; SECS_CEIL=4; }
command -v rtpengine > /dev/null || DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y --no-install-recommends rtpengine-daemon > /dev/null

RUNS=$OUT/runs.jsonl
: > "$RUNS"
{
  echo "date=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "uptime_before=$(uptime)"
  echo "cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //') x $(nproc)"
  echo "mem=$(free -g | awk '/Mem:/{print $2}') GiB"
  echo "kernel=$(uname -r)"
  echo "node=$(node --version)"
  echo "rtpengine=$(dpkg-query -W -f='${Version}' rtpengine-daemon 2>/dev/null)"
} > "$OUT/env.txt"

# rtpengine as in PERF-ANCHORS.md §3 (2 worker threads, userspace only)
rtpengine --config-file=none --foreground --log-stderr --log-level=4 --table=-1 --interface=127.0.0.1 \
  --listen-ng=127.0.0.1:22901 --port-min=23000 --port-max=24999 --num-threads=2 --delete-delay=0 \
  --pidfile=/tmp/b2bench/rtpe.pid > "$OUT/rtpengine.log" 2>&1 &
RTPE=$!
# ours: one Node process, one MediaRelay per call
node --import tsx $B/relay-host.ts --ng 127.0.0.1:22902 --ports 23000-24999 --max-s 900 > "$OUT/relay-host.log" 2>&1 &
OURS=$!
# the bare Node dgram floor (lib/raw-relay.ts): what any Node relay pays before MediaRelay's own work
node --import tsx $B/relay-host.ts --impl raw --ng 127.0.0.1:22903 --ports 23000-24999 --max-s 900 > "$OUT/raw.log" 2>&1 &
RAW=$!
node --import tsx $B/relay-host.ts --impl raw-connected --ng 127.0.0.1:22904 --ports 23000-24999 --max-s 900 > "$OUT/raw-connected.log" 2>&1 &
RAWC=$!
cleanup() { kill -TERM $RTPE $OURS $RAW $RAWC 2> /dev/null; wait $RTPE $OURS $RAW $RAWC 2> /dev/null; }
trap cleanup EXIT
sleep 2

ticks() { [ -r /proc/$1/stat ] && cut -d')' -f2 /proc/$1/stat | awk '{print $12+$13}' || echo 0; }

# run TARGET CALLS SECS PTIME REP PHASE
run() {
  local target=$1 calls=$2 secs=$3 ptime=$4 rep=$5 phase=$6 pid=0 mode=relay ng=127.0.0.1:22901
  case $target in
    direct) mode=direct ;;
    rtpengine) pid=$RTPE ;;
    ours) pid=$OURS; ng=127.0.0.1:22902 ;;
    node-raw) pid=$RAW; ng=127.0.0.1:22903 ;;
    node-raw-connected) pid=$RAWC; ng=127.0.0.1:22904 ;;
  esac
  local c0 t0 c1 t1 line
  c0=$(ticks $pid); t0=$(date +%s.%N)
  line=$(timeout $((secs + 40)) node --import tsx $B/rtp-relay.ts --mode $mode --ng $ng --calls "$calls" \
    --secs "$secs" --ptime "$ptime" --label "$target")
  c1=$(ticks $pid); t1=$(date +%s.%N)
  [ -z "$line" ] && line='{"error":"generator failed"}'
  local cpu
  cpu=$(echo "$c0 $c1 $t0 $t1" | awk '{printf "%.1f", ($2-$1)/($4-$3)}')
  echo "$line" | node -e '
    const [target, rep, phase, cpu, load] = process.argv.slice(1);
    const r = JSON.parse(require("fs").readFileSync(0, "utf8"));
    Object.assign(r, { target, rep: +rep, phase, relay_cpu_pct: target === "direct" ? null : +cpu, load1: +load });
    console.log(JSON.stringify(r));' "$target" "$rep" "$phase" "$cpu" "$(cut -d' ' -f1 /proc/loadavg)" | tee -a "$RUNS"
}

# 1. the goal point: 250 calls (500 streams, 25 k packets/s) at 20 ms, REPS times, targets interleaved
for rep in $(seq 1 $REPS); do
  for target in direct rtpengine ours; do run $target 250 $SECS 20 "$rep" goal250; done
done

# 1b. the Node floor at the goal point: a bare dgram relay, unconnected and connected sockets
for rep in $(seq 1 $REPS); do
  for target in node-raw node-raw-connected; do run $target 250 $SECS 20 "$rep" floor250; done
done

# 2. rising load until loss: more calls up to 490 (the most the port range holds), then shorter
#    ptime (PERF-ANCHORS §3c did the same). Two reps per point; a target stops after a point lost
#    in both ("lost": a packet or digit missing, or an audio packet more than 100 ms late).
declare -A stopped=([rtpengine]=0 [ours]=0)
for point in 330:20 400:20 490:20 490:15 490:12 490:10; do
  calls=${point%%:*}; ptime=${point##*:}
  for target in rtpengine ours; do
    [ "${stopped[$target]}" = 1 ] && continue
    lost=0
    for rep in $(seq 1 $(( QUICK == 1 ? 1 : 2 ))); do
      l=$(run $target "$calls" $SECS_CEIL "$ptime" "$rep" ceiling | node -e 'const r=JSON.parse(require("fs").readFileSync(0,"utf8")); console.log(r.loss_pct>0 || r.digits_recv<r.digits_sent || r.late_over_100ms>0 || r.error ? 1 : 0)')
      lost=$((lost + l))
    done
    [ $lost -ge $(( QUICK == 1 ? 1 : 2 )) ] && stopped[$target]=1
  done
done

if [ "$PROFILE" = 1 ]; then
  kill -TERM $OURS; wait $OURS 2> /dev/null
  rm -rf "$OUT/prof"; mkdir -p "$OUT/prof"
  node --cpu-prof --cpu-prof-dir="$OUT/prof" --import tsx $B/relay-host.ts --ng 127.0.0.1:22902 --ports 23000-24999 --max-s 120 > /dev/null 2>&1 &
  OURS=$!
  sleep 2
  run ours 490 8 20 1 profile > /dev/null
  kill -TERM $OURS; wait $OURS 2> /dev/null
  npx tsx bench/profile-top.ts "$OUT"/prof/*.cpuprofile --top 25 > "$OUT/profile.txt" 2>&1
fi

echo "uptime_after=$(uptime)" >> "$OUT/env.txt"
cleanup
trap - EXIT
npx tsx $B/write-results.ts

#!/bin/bash
# bench/b2bua/cps.sh: calls per second, SIPp uac → system under test → SIPp uas, rising rates until
# the failed + incomplete calls of the median run pass 0.1 %. Systems under test:
#   kamailio  Kamailio as a stateful record-routing proxy (kamailio.cfg; with RTP: + rtpengine)
#   ours      mvsct b2bua --listen 127.0.0.1:22070 --next-hop 127.0.0.1:22080 --config b2bua.yaml, run
#             from an esbuild bundle of the tree built at the start (out/cps/mvsct.mjs, as `npm run
#             build` makes dist/mvsct.mjs), so neither tsx nor a stale dist/ is measured
#             (FROM_SOURCE=1: through tsx instead, recorded as runner "tsx")
# Kinds: sig (built-in uac/uas with route sets, no media), rtp (uac_pcap: PCMA 7 s + RFC 2833
# digit, ~9 s calls, callee -rtp_echo; PCMA packets coming from the relay's ports 23000-24999
# counted by tcpdump both ways, so media that bypassed the relay counts as lost: the concurrency
# measure, capped at 100 cps by the 500 calls those ports hold) and rtp-short (uac_pcap_short:
# 0.6 s PCMA + one RFC 2833 digit from out/media/short.pcap, made by make-short-pcap.ts when
# missing, ~1 s calls; RTP ports 26000-31999 for both systems (b2bua-rtp-short.yaml, rtpengine
# --port-min/--port-max); counted like rtp, expected packets from the pcap's sidecar; the per-call
# cost of setting up, carrying and tearing down media at high call rates).
#   bash bench/b2bua/cps.sh [kamailio|ours|direct|all] [sig|rtp|rtp-short|all]
#   (targets all = kamailio ours; direct = the uac calling the uas with no system in between, the
#   load generator's own limit, meant for rtp-short; kinds all = sig rtp rtp-short)
#   env: REPS=3 S=5 (seconds of arrivals per step) RATES_SIG="100 ... 3000" RATES_RTP="10 25 50 75"
#        RATES_RTP_SHORT="100 200 300 500 700 1000" HOLD_MARGIN_MS=300 (rtp-short: pause = the
#        pcap's play time + this, so the echo is back before the BYE)
#        FRESH=1 (a new SUT per step; recorded as "<target>-fresh"), KEEP=1 (keep earlier runs),
#        PROFILE=1 (a V8 profile of mvsct b2bua at 500 cps; PROFILE_KIND=rtp-short: with media)
#        MVSCT_BUNDLE=bench/b2bua/out/<file>.mjs: run that prebuilt bundle as "ours" (an A/B run of
#        another version; inside the repository so its imports resolve) and OURS_LABEL=ours-<x>:
#        the target name recorded for it
#        OURS_ARGS="--media-workers 0": more arguments for mvsct b2bua (record it under OURS_LABEL)
#        SHORT_MEDIA=stream: rtp-short's caller sends its audio with SIPp's rtp_stream (targets
#        recorded as "<name>-stream"; the series the goal is judged on, NOTES.md says why)
# Recorded per step besides SIPp's counts: the uac's INVITE and BYE retransmissions (answers later
# than T1 = 500 ms) and the kernel's UDP receive-buffer drops on the host during the step
# (/proc/net/snmp RcvbufErrors, every socket: SUT and SIPp alike), the CPU of the uac and uas SIPp
# and of the whole box (% of one core, /proc/stat) over the uac run, and SIPp's Total-time, from
# which "achieved" = calls / (Total-time - the scenario's pause) (the arrival rate SIPp kept up,
# the call hold taken out; for sig the pause is 0).
# rtp-short also counts PCMA entering the relay (uac -> relay, uas echo -> relay), so a shortfall of
# the load generator is told apart from relay loss, and the packets tcpdump's ring dropped.
# Every step is bounded by -m (rate × S calls) and timeout. Ports: SIP 22060 (Kamailio), 22070
# (ours), 22080 (uas), 22081 (uac); media 22010 (uas), 22100 (uac); rtpengine ng 22900; RTP
# relay ports 23000-24999 (rtp-short: 26000-31999). Results: out/cps/runs.jsonl (a re-run replaces that target+kind's lines),
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
[ "$KINDS" = all ] && KINDS="sig rtp rtp-short"
REPS=${REPS:-3}
S=${S:-5}
RATES_SIG=${RATES_SIG:-"100 200 300 400 500 700 1000 1500 2000 3000"}
RATES_RTP=${RATES_RTP:-"10 25 50 75"}
RATES_RTP_SHORT=${RATES_RTP_SHORT:-"100 200 300 500 700 1000"}
HOLD_MARGIN_MS=${HOLD_MARGIN_MS:-300}
# rtp-short's caller: "pcap" (one play_pcap_audio per call: audio + digit) or "stream" (the audio
# from SIPp's rtp_stream, only the digit from a pcap: sipp/uac_stream_short_rr.xml); recorded as
# the targets' "-stream" labels
SHORT_MEDIA=${SHORT_MEDIA:-pcap}
# rtp-short's media: generated once (out/ is not committed); the sidecar says what it holds
SHORT_PCAP=$B/out/media/short.pcap
SHORT_AUDIO=0
SHORT_HOLD_MS=0
if [[ " $KINDS " == *" rtp-short "* ]]; then
  mkdir -p "$(dirname "$SHORT_PCAP")"
  if [ ! -s "$SHORT_PCAP" ] || [ ! -s "${SHORT_PCAP%.pcap}.json" ]; then
    npx tsx $B/make-short-pcap.ts --out "$SHORT_PCAP" > /dev/null || exit 1
  fi
  SHORT_AUDIO=$(node -p 'require(process.argv[1]).audioPackets' "$PWD/${SHORT_PCAP%.pcap}.json")
  SHORT_HOLD_MS=$(($(node -p 'require(process.argv[1]).playMs' "$PWD/${SHORT_PCAP%.pcap}.json") + HOLD_MARGIN_MS))
  if [ "$SHORT_MEDIA" = stream ]; then
    # the same PCMA count from rtp_stream (raw 0xd5, 160 bytes a packet), then SIPp's 0.14 s digit pcap
    head -c $((SHORT_AUDIO * 160)) /dev/zero | tr '\0' '\325' > "$B/out/media/short-audio.pcma"
    sed -e "s|@AUDIO@|$PWD/$B/out/media/short-audio.pcma|" -e "s|@AUDIO_MS@|$((SHORT_AUDIO * 20))|" \
      $B/sipp/uac_stream_short_rr.xml > "$B/out/media/uac_stream_short_rr.xml"
    SHORT_HOLD_MS=$((140 + HOLD_MARGIN_MS))
  fi
fi
# FRESH=1: a new SUT process for every step (after the previous one's transactions are gone), so
# the step measures processing capacity, not what earlier steps left in the transaction table;
# recorded as target "<name>-fresh"
FRESH=${FRESH:-0}
LABEL_SUFFIX=""
[ "$FRESH" = 1 ] && LABEL_SUFFIX="-fresh"
MEDIA_SUFFIX=""
[ "$SHORT_MEDIA" = stream ] && MEDIA_SUFFIX="-stream"
label() { [ "$1" = ours ] && echo "${OURS_LABEL:-ours}$LABEL_SUFFIX$MEDIA_SUFFIX" || echo "$1$LABEL_SUFFIX$MEDIA_SUFFIX"; }
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

# ours runs from a bundle of the tree as it is now (the same esbuild options as scripts/build.mjs),
# with the media worker thread's bundle beside it (media-worker.mjs: MediaRelayGroup looks for it
# next to the bundle; `mvsct b2bua` relays RTP on 2 workers by default, so without it every call
# with media is refused 503 "no media"), and the native UDP batch addon built (scripts/build-native.sh;
# without a compiler the media workers use node:dgram, as the shipped CLI would)
if [[ " $TARGETS " == *" ours "* ]] && [ "$KINDS" != sig ]; then
  bash scripts/build-native.sh >&2
  echo "native_udp_addon=$([ -f build/native/udp-batch.node ] && echo built || echo "absent (node:dgram)")" >> "$OUT/env.txt"
fi
if [ "$RUNNER" = bundle ] && [ -z "${MVSCT_BUNDLE:-}" ] && [[ " $TARGETS " == *" ours "* ]]; then
  node --input-type=module -e '
    const { buildSync } = await import("esbuild");
    const base = { bundle: true, platform: "node", target: "node20", format: "esm", packages: "external",
      sourcemap: "linked", logLevel: "warning" };
    buildSync({ ...base, entryPoints: ["harness/src/cli/main.ts"], outfile: process.argv[1] });
    buildSync({ ...base, entryPoints: ["protocol/src/media/media-worker.ts"],
      outfile: process.argv[1].replace(/[^/]*$/, "media-worker.mjs") });' "$BUNDLE" || exit 1
fi
# MVSCT=(the command line that runs mvsct) from the bundle, or through tsx with FROM_SOURCE=1; the
# arguments are node flags. An array, not a function, so that `"${MVSCT[@]}" ... &` leaves node's
# own PID in $! (stop_sut signals it, sut_ticks reads its CPU time).
# The bundle runs through a one-line script file, not `node --input-type=module -e`: the media
# worker threads inherit the process's execArgv, and a Worker started with --input-type fails
# ("--input-type can only be used with string input"), which refused every call with media 503.
RUN_BUNDLE=$PWD/$B/out/cps/run-bundle.mjs
mkdir -p "$(dirname "$RUN_BUNDLE")"
[ "$RUNNER" = bundle ] && printf '%s\n' '// cps.sh: node run-bundle.mjs BUNDLE ARGS... runs the bundle'"'"'s main(ARGS)' \
  'const { main } = await import(process.argv[2]);' 'process.exitCode = await main(process.argv.slice(3));' > "$RUN_BUNDLE"
mvsct_cmd() {
  if [ "$RUNNER" = bundle ]; then
    MVSCT=(node "$@" "$RUN_BUNDLE" "$BUNDLE")
  else
    MVSCT=(env MVSCT_FROM_SOURCE=1 node "$@" bin/mvsct.mjs)
  fi
}
mvsct_cmd
rcvbuf_errors() { awk '/^Udp: [0-9]/{print $6; exit}' /proc/net/snmp; }
# receive-buffer drops of the UDP sockets bound to 127.0.0.1:PORT (/proc/net/udp, last column)
sock_drops() { awk -v p="$(printf '0100007F:%04X' "$1")" '$2 == p {d += $NF} END {print d + 0}' /proc/net/udp; }

SUT_PIDS=""
SUT_PORT=0
start_sut() { # TARGET KIND
  if [ "$1" = direct ]; then # no system under test: the uac calls the uas itself
    SUT_PIDS=""
    SUT_PORT=22080
    return
  fi
  if [ "$1" = kamailio ]; then
    local extra=""
    if [ "$2" != sig ]; then
      local pmin=23000 pmax=24999
      [ "$2" = rtp-short ] && { pmin=26000; pmax=31999; }
      rtpengine --config-file=none --foreground --log-stderr --log-level=4 --table=-1 --interface=127.0.0.1 \
        --listen-ng=127.0.0.1:22900 --port-min=$pmin --port-max=$pmax --num-threads=2 --delete-delay=0 \
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
    local cfg=$B/b2bua.yaml
    [ "$2" = rtp-short ] && cfg=$B/b2bua-rtp-short.yaml
    "${MVSCT[@]}" b2bua --listen 127.0.0.1:22070 --next-hop 127.0.0.1:22080 --config $cfg --quiet ${OURS_ARGS:-} > "$OUT/b2bua.log" 2>&1 &
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
pid_ticks() { # CPU ticks of one PID (0 when gone)
  [ -r "/proc/$1/stat" ] && cut -d')' -f2 "/proc/$1/stat" | awk '{print $12+$13}' || echo 0
}
box_ticks() { awk '/^cpu /{print $2+$3+$4+$7+$8, $2+$3+$4+$5+$6+$7+$8; exit}' /proc/stat; } # busy total
# tcpdump counting RTP PCMA (PT 8, any marker) matching FILTER into FILE; sets TD_PID
td_start() { tcpdump -i lo -nn -B 16384 -w /dev/null "udp and $1 and udp[9] & 0x7f = 8" > "$2" 2>&1 & TD_PID=$!; }
td_count() { # FILE -> "captured dropped-by-kernel"
  echo "$(awk '/packets captured/{print $1}' "$1") $(awk '/dropped by kernel/{print $1}' "$1")" | awk '{print ($1==""?0:$1), ($2==""?0:$2)}'
}
stat_of() { grep "$2" "$1" | tail -1 | awk -F'|' '{print $3}' | tr -d ' '; }

step() { # TARGET KIND RATE REP -> prints 1 when the step failed
  local target=$1 kind=$2 rate=$3 rep=$4
  local label
  label=$(label "$target")_${kind}_${rate}_r$rep n=$((rate * S)) uas=$B/sipp/uas_rr.xml uac=$B/sipp/uac_rr.xml
  local tmo=$((S + 15)) echo="" td1="" td2="" td3="" td4="" hold=0 dflag=""
  if [ "$kind" = rtp-short ]; then
    uas=$B/sipp/uas_rtp_rr.xml; uac=$B/sipp/uac_pcap_short_rr.xml; echo="-rtp_echo"; hold=$SHORT_HOLD_MS; dflag="-d $hold"
    [ "$SHORT_MEDIA" = stream ] && { uac=$B/out/media/uac_stream_short_rr.xml; hold=$((SHORT_HOLD_MS + SHORT_AUDIO * 20)); }
    # relay -> callee, relay -> caller, caller -> relay, callee's echo -> relay
    local f1='dst port 22010 and src portrange 26000-31999' f2='dst port 22100 and src portrange 26000-31999'
    local f3='src port 22100 and dst portrange 26000-31999' f4='src port 22010 and dst portrange 26000-31999'
    # direct: SIPp to SIPp, no relay (what the load generator alone can drive): the same packets
    # counted as they leave one SIPp and reach the other
    [ "$target" = direct ] && { f1='src port 22100 and dst port 22010'; f2='src port 22010 and dst port 22100'; f3=$f1; f4=$f2; }
    td_start "$f1" "$D/$label.td1"; td1=$TD_PID
    td_start "$f2" "$D/$label.td2"; td2=$TD_PID
    td_start "$f3" "$D/$label.td3"; td3=$TD_PID
    td_start "$f4" "$D/$label.td4"; td4=$TD_PID
    sleep 1
  elif [ "$kind" = rtp ]; then
    uas=$B/sipp/uas_rtp_rr.xml; uac=$B/sipp/uac_pcap_rr.xml; tmo=$((S + 30)); echo="-rtp_echo"; hold=9000
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
  local uassipp
  uassipp=$(pgrep -P $uaspid sipp | head -1)
  local c0 t0 c1 t1 e0 e1 u0 u1 b0 b1 uact
  local sd0 sd1 uasd
  sd0=$(sock_drops $SUT_PORT)
  e0=$(rcvbuf_errors); c0=$(sut_ticks); t0=$(date +%s.%N); u0=$(pid_ticks "$uassipp"); b0=$(box_ticks)
  # bash's `time` reports the user+sys of the uac SIPp (and its play threads) once it is waited for
  # shellcheck disable=SC2086
  uact=$({ TIMEFORMAT='%U %S'; time timeout $((tmo + 10)) sipp -sf $uac 127.0.0.1:$SUT_PORT -i 127.0.0.1 -p 22081 -mi 127.0.0.1 -mp 22100 \
    -r "$rate" -m $n -l 100000 -buff_size 4194304 -nostdin -timeout ${tmo}s $dflag \
    -default_behaviors all,-abortunexp -trace_err -error_file "$D/$label.uac.err" > "$D/$label.uac.out" 2>&1; } 2>&1)
  c1=$(sut_ticks); t1=$(date +%s.%N); e1=$(rcvbuf_errors); u1=$(pid_ticks "$uassipp"); b1=$(box_ticks)
  # drops on the SUT's SIP socket over the step; on the uas's SIP and media sockets (new each step)
  sd1=$(sock_drops $SUT_PORT)
  uasd="\"drops_sut_sip\":$((sd1 - sd0)),\"drops_uas_sip\":$(sock_drops 22080),\"drops_uas_media\":$(sock_drops 22010)"
  [ "$target" = direct ] && uasd="\"drops_uas_sip\":$(sock_drops 22080),\"drops_uas_media\":$(sock_drops 22010)"
  kill -INT $uaspid 2> /dev/null; wait $uaspid 2> /dev/null
  local rtpjson="" a=0 b=0 expect=0
  if [ "$kind" = rtp-short ]; then
    sleep 0.5
    kill -INT $td1 $td2 $td3 $td4 2> /dev/null; wait $td1 $td2 $td3 $td4 2> /dev/null
    local x1 x2 x3 x4
    read -r a x1 <<< "$(td_count "$D/$label.td1")"; read -r b x2 <<< "$(td_count "$D/$label.td2")"
    local f_uac f_uas
    read -r f_uac x3 <<< "$(td_count "$D/$label.td3")"; read -r f_uas x4 <<< "$(td_count "$D/$label.td4")"
    # a packet tcpdump's ring dropped was on the wire all the same: counted as carried (and recorded)
    a=$((a + x1)); b=$((b + x2)); f_uac=$((f_uac + x3)); f_uas=$((f_uas + x4))
    rtpjson=",\"rtp_to_uas\":$a,\"rtp_to_uac\":$b,\"rtp_from_uac\":$f_uac,\"rtp_from_uas\":$f_uas,\"td_drops\":$((x1 + x2 + x3 + x4)),\"hold_ms\":$hold,\"rtp_per_call\":$SHORT_AUDIO"
  elif [ "$kind" = rtp ]; then
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
  [ "$kind" = rtp ] && expect=$((succ * 236))
  [ "$kind" = rtp-short ] && expect=$((succ * SHORT_AUDIO))
  [ "$kind" != sig ] && rtpjson="$rtpjson,\"rtp_expected_each\":$expect"
  # SIPp's Total-time (scenario screen) and the arrival rate it kept up: calls / (Total-time - pause)
  local total ach peak
  total=$(grep -A1 "Total-time" "$f" | tail -1 | awk '{for (i = 1; i < NF; i++) if ($(i + 1) == "s") {print $i; exit}}')
  ach=$(echo "$n ${total:-0} $hold" | awk '{t=$2-$3/1000; printf "%.1f", (t>0)?$1/t:0}')
  peak=$(grep -o "Peak was [0-9]* calls" "$f" | tail -1 | awk '{print $3}')
  local cpujson
  cpujson=$(echo "$uact $u0 $u1 $b0 $b1 $t0 $t1" | awk '{el=$10-$9; if (el<=0) el=1; bt=$8-$6; if (bt<=0) bt=1;
    printf ",\"uac_cpu_pct\":%.1f,\"uas_cpu_pct\":%.1f,\"box_cpu_pct\":%.1f", 100*($1+$2)/el, ($4-$3)/el, 100*($7-$5)/bt*'"$(nproc)"'}')
  local n503 rinv rbye
  n503=$(grep -c "SIP/2.0 503" "$D/$label.uac.err" 2> /dev/null)
  # SIPp's screen: "INVITE ---------->  <messages> <retrans> <timeouts>"
  rinv=$(grep "INVITE ---" "$f" | tail -1 | awk '{print $4}')
  rbye=$(grep "BYE ---" "$f" | tail -1 | awk '{print $4}')
  local runner=$RUNNER
  [ "$target" = kamailio ] && runner=native
  [ "$target" = direct ] && runner=none
  echo "{\"target\":\"$(label "$target")\",\"runner\":\"$runner\",\"retrans_invite\":${rinv:-0},\"retrans_bye\":${rbye:-0},\"rcvbuf_errors\":$((e1 - e0)),\"n503\":${n503:-0},\"kind\":\"$kind\",\"rate\":$rate,\"rep\":$rep,\"target_calls\":$n,\"succ\":$succ,\"fail\":$fail,\"incomplete\":$inc,\"fail_pct\":$pct,\"cum_cps\":$cps,\"sut_cpu_pct\":$cpu,\"load1\":$(cut -d' ' -f1 /proc/loadavg),\"total_s\":${total:-0},\"achieved_cps\":$ach,\"peak_calls\":${peak:-0},$uasd$cpujson$rtpjson}" | tee -a "$RUNS" >&2
  # with RTP a step also fails when more than 0.1 % of the PCMA packets did not cross the relay:
  # rtp, against the packets the calls should have carried; rtp-short, against what entered the
  # relay each way (the callee SIPp's echo may drop some: the generator's, recorded), and the
  # caller must have sent all but 0.1 % of its pcaps (lib/render-cps-kinds.ts cpsShortClean)
  local rtploss=0
  [ "$kind" = rtp ] && rtploss=$(echo "${a:-0} ${b:-0} $expect" | awk '{e=$3; if (e==0) {print 100; exit} l1=100*(e-$1)/e; l2=100*(e-$2)/e; print (l1>l2)?l1:l2}')
  # (direct: no relay, the generator is what is measured, so the echo's shortfall counts too)
  [ "$kind" = rtp-short ] && rtploss=$(echo "$a $b $f_uac $f_uas $expect" | awk -v direct="$([ "$target" = direct ] && echo 1 || echo 0)" '
    function loss(sent, got) { return (sent <= 0) ? 100 : 100 * (sent - got) / sent }
    {m = loss($3, $1); x = loss($4, $2); if (x > m) m = x; x = loss($5, $3); if (x > m) m = x
     if (direct) { x = loss($1, $4); if (x > m) m = x }; print m}')
  # signalling only, a step also fails when SIPp achieved under 90 % of the offered rate (its
  # cumulative rate); rtp-short, when the arrival rate it kept up (calls / (Total-time - pause)) did
  awk -v p="$pct" -v r="$rtploss" -v k="$kind" -v c="$cps" -v a="$ach" -v o="$rate" \
    'BEGIN{print (p >= 0.1 || r >= 0.1 || (k == "sig" && c < 0.9 * o) || (k == "rtp-short" && a < 0.9 * o)) ? 1 : 0}'
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
    [ "$kind" = rtp-short ] && rates=$RATES_RTP_SHORT
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
  pkind=${PROFILE_KIND:-sig}
  pcfg=$B/b2bua.yaml
  [ "$pkind" = rtp-short ] && pcfg=$B/b2bua-rtp-short.yaml
  "${MVSCT[@]}" b2bua --listen 127.0.0.1:22070 --next-hop 127.0.0.1:22080 \
    --config "$pcfg" --quiet > "$OUT/b2bua-prof.log" 2>&1 &
  SUT_PIDS=$!; SUT_PORT=22070; sleep 2
  RUNS_KEPT=$RUNS; RUNS=$OUT/profile-run.jsonl # the profiled step is not a measurement
  S=5 step ours "$pkind" 500 1 > /dev/null 2>&1
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

#!/usr/bin/env bash
# bench/make-seed.sh [OUT.pcap]: records the benchmark's seed capture with REAL SIPp on loopback.
#
#   uac: SIPp's built-in uac_pcap: INVITE offering PCMA + telephone-event/101, then G.711 A-law
#        replayed from /usr/share/sip-tester/g711a.pcap (236 x 30 ms), then an RFC 2833 digit '1'
#        from dtmf_2833_1.pcap (10 packets, end packet sent 3 times), then BYE.
#   uas: bench/uas-pcma-2833.xml (built-in uas answering "8 101") with -rtp_echo, so every RTP
#        packet also travels back: about 498 packets per call.
#
# Ports: 127.0.0.1 only, 17000-17999 only. SIP 17000 (uas) / 17001 (uac); uas media 17004 (+RTCP
# 17006); uac media [auto_media_port] = 17020 + 4 x call, so at most 240 calls fit below 17999.
# Every process runs under `timeout`; tcpdump is started as its own statement and stopped by PID.
# Writes OUT.pcap (default bench/out/seed.pcap) and OUT.json: {calls, packets, dropped, ...}.
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
OUT=${1:-$BENCH_DIR/out/seed.pcap}
CALLS=${SEED_CALLS:-200}
RATE=${SEED_RATE:-20}
SIP_UAS=17000
SIP_UAC=17001
MEDIA_UAS=17004
MEDIA_UAC=17020

log() { printf '[make-seed] %s\n' "$*" >&2; }

if ((CALLS < 1 || MEDIA_UAC + 4 * (CALLS - 1) + 1 > 17999)); then
  log "SEED_CALLS=$CALLS does not fit the 17000-17999 port block (max 240)"
  exit 2
fi
for tool in sipp tcpdump; do
  command -v "$tool" >/dev/null || { log "$tool is missing (apt-get install sip-tester tcpdump)"; exit 2; }
done
[[ -r /usr/share/sip-tester/g711a.pcap && -r /usr/share/sip-tester/dtmf_2833_1.pcap ]] || {
  log "SIPp sample pcaps missing from /usr/share/sip-tester (Debian package sip-tester)"
  exit 2
}

mkdir -p "$(dirname "$OUT")"
OUT=$(cd "$(dirname "$OUT")" && pwd)/$(basename "$OUT")
WORK=$(mktemp -d /tmp/mvsct-bench-seed.XXXXXX)
CAP_PID=""
UAS_PID=""
cleanup() {
  # only the PIDs started here
  [[ -n $UAS_PID ]] && kill "$UAS_PID" 2>/dev/null
  [[ -n $CAP_PID ]] && kill -INT "$CAP_PID" 2>/dev/null
  return 0
}
trap cleanup EXIT

cd "$WORK"
# uac_pcap plays "pcap/g711a.pcap" and "pcap/dtmf_2833_1.pcap" relative to its working directory
ln -s /usr/share/sip-tester pcap
cp "$BENCH_DIR/uas-pcma-2833.xml" uas.xml

# arrivals take CALLS/RATE s, each call ~9.1 s, plus the uas's 4 s timewait
LIMIT_S=$((CALLS / RATE + 60))

timeout $((LIMIT_S + 30)) tcpdump -i lo -U -Z root -B 16384 -w seed.pcap 'udp portrange 17000-17999' 2>tcpdump.log &
CAP_PID=$!
sleep 1

timeout $((LIMIT_S + 10)) sipp -sf uas.xml -i 127.0.0.1 -p $SIP_UAS -mi 127.0.0.1 -mp $MEDIA_UAS -rtp_echo \
  -m "$CALLS" -nostdin -timeout "${LIMIT_S}s" -buff_size 4194304 >uas.out 2>&1 &
UAS_PID=$!
sleep 0.5

log "placing $CALLS calls at $RATE cps (about $((CALLS / RATE + 10)) s)"
uac_rc=0
timeout $((LIMIT_S + 10)) sipp -sn uac_pcap 127.0.0.1:$SIP_UAS -i 127.0.0.1 -p $SIP_UAC -mi 127.0.0.1 -mp $MEDIA_UAC \
  -r "$RATE" -m "$CALLS" -l $((CALLS + 10)) -nostdin -timeout "${LIMIT_S}s" -buff_size 4194304 >uac.out 2>&1 || uac_rc=$?
uas_rc=0
wait "$UAS_PID" || uas_rc=$?
UAS_PID=""
sleep 1
kill -INT "$CAP_PID" 2>/dev/null || true
wait "$CAP_PID" 2>/dev/null || true
CAP_PID=""

captured=$(grep -oE '^[0-9]+ packets captured' tcpdump.log | grep -oE '^[0-9]+' || echo 0)
dropped=$(grep -oE '^[0-9]+ packets dropped by kernel' tcpdump.log | grep -oE '^[0-9]+' || echo 0)
log "uac exit $uac_rc, uas exit $uas_rc; tcpdump: $captured captured, $dropped dropped by kernel"
if ((uac_rc != 0 || uas_rc != 0)); then
  log "a SIPp run failed; see $WORK/uac.out and $WORK/uas.out"
  trap - EXIT
  exit 1
fi
if ((dropped != 0)); then
  log "tcpdump dropped packets; seed not written (run again on a quieter moment)"
  exit 1
fi

cp seed.pcap "$OUT"
chmod 0644 "$OUT"
cat >"${OUT%.pcap}.json" <<EOF
{
  "calls": $CALLS,
  "ratePerS": $RATE,
  "packets": $captured,
  "dropped": $dropped,
  "recordedAt": "$(date -u +%Y-%m-%dT%H:%M:%SZ)",
  "sipp": "$(sipp -v 2>/dev/null | grep -oE 'SIPp v[0-9][^ ,]*[0-9A-Z]' | head -1)",
  "uac": "built-in uac_pcap: PCMA (g711a.pcap) + RFC 2833 '1' (dtmf_2833_1.pcap)",
  "uas": "bench/uas-pcma-2833.xml (answers 8 101) with -rtp_echo"
}
EOF
rm -rf "$WORK"
log "wrote $OUT ($captured packets, $(stat -c %s "$OUT") bytes) and ${OUT%.pcap}.json"

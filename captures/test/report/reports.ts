/**
 * Hand-built analysis reports for the renderer tests (not produced by the analyzer, so the tests
 * stand on their own): a healthy two-leg call, a DTMF PT mismatch followed by the "10 seconds after
 * answer" BYE, an empty capture, and one full of hostile strings.
 */
import type {
  AnalysisReport,
  DtmfEvent,
  Finding,
  LadderMessage,
  Leg,
  RtpStreamSummary,
} from "../../src/analysis/model.ts";

export const HOSTILE = "</script><img src=x onerror=alert(1)>";
export const CDATA_END = "]]>";
export const ESC_SEQ = "\u001b[31m";

const ISR = "127.0.0.1:5060";
const CUCM = "127.0.0.1:5070";
const MVS = "127.0.0.1:5080";

function nte(digit: string, atS: number, extra: Partial<DtmfEvent> = {}): DtmfEvent {
  return {
    digit,
    method: "rfc2833",
    direction: "caller->callee",
    atS,
    durationMs: 120,
    valid: true,
    pt: 101,
    ssrc: "0x1a2b3c4d",
    frames: [Math.round(atS * 100), Math.round(atS * 100) + 6],
    endPackets: 3,
    ...extra,
  };
}

function leg(callId: string, caller: string, callee: string, extra: Partial<Leg> = {}): Leg {
  return {
    callId,
    caller,
    callee,
    requestUser: "5551234",
    fromUser: "1001",
    toUser: "5551234",
    transport: "udp",
    inviteAtS: 0,
    finalStatus: 200,
    codec: { pt: 0, name: "PCMU", clockRate: 8000 },
    telephoneEventPt: 101,
    callerTelephoneEventPt: 101,
    calleeTelephoneEventPt: 101,
    offerIn: "invite",
    answeredAtS: 1.2,
    dtmf: [],
    bye: null,
    firstFrame: 1,
    ackSeen: true,
    ...extra,
  };
}

/** The SIP messages of one basic call leg: INVITE, 100, 180, 200, ACK, BYE, 200. */
function dialog(
  callId: string,
  a: string,
  b: string,
  t0: number,
  frame0: number,
  byeAtS: number,
  byeFromB = false,
): LadderMessage[] {
  const m = (
    i: number,
    atS: number,
    from: string,
    to: string,
    label: string,
    kind: LadderMessage["kind"],
  ): LadderMessage => ({
    frame: frame0 + i,
    atS,
    from,
    to,
    label,
    callId,
    kind,
  });
  const [bf, bt] = byeFromB ? [b, a] : [a, b];
  return [
    m(0, t0, a, b, "INVITE", "request"),
    m(1, t0 + 0.004, b, a, "100 Trying", "response"),
    m(2, t0 + 0.3, b, a, "180 Ringing", "response"),
    m(3, t0 + 1.2, b, a, "200 OK", "response"),
    m(4, t0 + 1.21, a, b, "ACK", "request"),
    m(5, byeAtS, bf, bt, "BYE", "request"),
    m(6, byeAtS + 0.003, bt, bf, "200 OK", "response"),
  ];
}

function stream(
  from: string,
  to: string,
  ssrc: string,
  extra: Partial<RtpStreamSummary> = {},
): RtpStreamSummary {
  return {
    from,
    to,
    ssrc,
    direction: "caller->callee",
    packets: 1500,
    payloadTypes: [0, 101],
    eventPackets: 24,
    firstS: 1.25,
    lastS: 31.2,
    lost: 0,
    unexpectedPts: [],
    firstFrame: 140,
    ...extra,
  };
}

/** One call, two legs (ISR→CUCM with NTE, CUCM→MVS with KPML), digits 1 2 3 4 conserved. */
export function healthyReport(): AnalysisReport {
  const digits = ["1", "2", "3", "4"];
  const legA = leg("isr-leg-1@10.1.1.1", ISR, CUCM, {
    dtmf: digits.map((d, i) => nte(d, 3 + i * 0.5)),
    bye: { sender: "caller", method: "BYE", afterAnswerS: 30, reason: null, frame: 900 },
    ciscoGuid: "A1B2C3D4-0001",
  });
  const legB = leg("mvs-leg-1@10.2.2.2", CUCM, MVS, {
    inviteAtS: 0.05,
    answeredAtS: 1.25,
    dtmf: digits.map((d, i) =>
      nte(d, 3.04 + i * 0.5, {
        method: "kpml",
        durationMs: null,
        pt: undefined,
        ssrc: undefined,
        endPackets: undefined,
        frames: [300 + i],
      }),
    ),
    bye: { sender: "caller", method: "BYE", afterAnswerS: 29.96, reason: "Q.850;cause=16", frame: 902 },
    ciscoGuid: "A1B2C3D4-0001",
  });
  return {
    schema: "mvsct.analysis/1",
    verdict: "healthy",
    capture: { file: "healthy-call.pcapng", format: "pcapng", packets: 3120, durationS: 31.5 },
    calls: [
      {
        id: "call-1",
        legs: [legA.callId, legB.callId],
        correlation: ["cisco-guid"],
        digitConservation: {
          entered: "1234",
          legs: [{ callId: legB.callId, digits: "1234", latencyMs: [40, 38, 41, 39] }],
          conserved: true,
        },
      },
    ],
    legs: [legA, legB],
    findings: [],
    ladder: [
      ...dialog(legA.callId, ISR, CUCM, 0, 1, 31.2),
      ...dialog(legB.callId, CUCM, MVS, 0.05, 20, 31.21),
    ].sort((x, y) => x.atS - y.atS),
    streams: [
      stream(ISR, CUCM, "0x1a2b3c4d"),
      stream(CUCM, MVS, "0x5e6f7081", { eventPackets: 0, payloadTypes: [0] }),
    ],
    otherSip: { OPTIONS: 4 },
  };
}

export const PT_MISMATCH: Finding = {
  rule: "dtmf-pt-mismatch",
  severity: "error",
  legs: ["isr-leg-2@10.1.1.1"],
  message:
    "The ISR sent telephone-event with PT 96 but CUCM declared PT 101 for this leg: the digits are dropped.",
  fix: "Set the same telephone-event payload type on the ISR dial-peer (rtp payload-type nte 101) and the CUCM SIP profile.",
  evidence: { frames: [310, 316, 322], filter: "rtp.p_type == 96 && udp.dstport == 20000" },
};

export const TEN_SECOND: Finding = {
  rule: "ten-second-disconnect",
  severity: "error",
  legs: ["mvs-leg-2@10.2.2.2"],
  message: "MVS sent BYE 10.02 s after answer (Reason: Q.850;cause=16): the DTMF validation timed out.",
  fix: "Fix the DTMF path first (see dtmf-pt-mismatch); MVS hangs up when it never receives the validation digits.",
  evidence: { frames: [1201], filter: 'sip.Method == "BYE" && sip.Call-ID == "mvs-leg-2@10.2.2.2"' },
  causedBy: "dtmf-pt-mismatch",
};

export const FEW_END_PACKETS: Finding = {
  rule: "nte-end-retransmits",
  severity: "warning",
  legs: ["isr-leg-2@10.1.1.1"],
  message:
    "Digit 5 ended with one end packet; RFC 4733 §2.5.1.4 says the final packet SHOULD be sent three times.",
  fix: "Usually harmless; check packet loss on the ISR uplink if digits go missing.",
  evidence: { frames: [322], filter: "rtpevent.end_of_event == 1" },
};

/** Two legs: NTE with the wrong PT on the ISR leg, nothing reaches MVS, MVS BYEs ~10 s after answer. */
export function mismatchReport(): AnalysisReport {
  const legA = leg("isr-leg-2@10.1.1.1", ISR, CUCM, {
    callerTelephoneEventPt: 96,
    calleeTelephoneEventPt: 101,
    telephoneEventPt: 101,
    dtmf: ["5", "6", "7"].map((d, i) =>
      nte(d, 3.1 + i * 0.4, {
        pt: 96,
        valid: false,
        invalidReason: "PT 96 not negotiated (telephone-event is 101)",
        endPackets: i === 0 ? 1 : 3,
      }),
    ),
    bye: { sender: "callee", method: "BYE", afterAnswerS: 10.05, reason: null, frame: 1205 },
  });
  const legB = leg("mvs-leg-2@10.2.2.2", CUCM, MVS, {
    inviteAtS: 0.05,
    answeredAtS: 1.25,
    bye: { sender: "callee", method: "BYE", afterAnswerS: 10.02, reason: "Q.850;cause=16", frame: 1201 },
  });
  return {
    schema: "mvsct.analysis/1",
    verdict: "dtmf-validation-failure",
    capture: {
      file: "ten-second-drop.pcap",
      format: "pcap",
      packets: 1310,
      durationS: 11.4,
      warnings: ["2 packets truncated by the capture snaplen"],
    },
    calls: [
      {
        id: "call-1",
        legs: [legA.callId, legB.callId],
        correlation: ["numbers+timing"],
        digitConservation: {
          entered: "567",
          legs: [{ callId: legB.callId, digits: "", latencyMs: [] }],
          conserved: false,
        },
      },
    ],
    legs: [legA, legB],
    findings: [FEW_END_PACKETS, TEN_SECOND, PT_MISMATCH],
    ladder: [
      ...dialog(legA.callId, ISR, CUCM, 0, 1, 11.25, true),
      ...dialog(legB.callId, CUCM, MVS, 0.05, 20, 11.27, true),
    ].sort((x, y) => x.atS - y.atS),
    streams: [
      stream(ISR, CUCM, "0x1a2b3c4d", { payloadTypes: [0, 96], unexpectedPts: [96], lastS: 11.2 }),
      stream("127.0.0.1:30000", "127.0.0.1:30002", "0x99", { direction: null, lost: 3 }),
    ],
  };
}

/** A capture with no SIP and no RTP at all. */
export function emptyReport(): AnalysisReport {
  return {
    schema: "mvsct.analysis/1",
    verdict: "healthy",
    capture: { file: "empty.pcap", format: "pcap", packets: 0, durationS: 0 },
    calls: [],
    legs: [],
    findings: [],
  };
}

/** Every capture-derived string is hostile: markup, CDATA terminators, ESC sequences, controls. */
export function hostileReport(): AnalysisReport {
  const evilId = `${HOSTILE}${CDATA_END}@evil`;
  const okId = `ok"leg'&${CDATA_END}\u0001\u202e`;
  const legA = leg(evilId, `${HOSTILE}:5060`, MVS, {
    fromUser: `<b>${HOSTILE}</b>`,
    toUser: CDATA_END,
    requestUser: `${ESC_SEQ}boss${"\u001b[0m"}`,
    dtmf: [nte("<", 2, { valid: false, invalidReason: HOSTILE })],
    bye: {
      sender: "callee",
      method: "BYE",
      afterAnswerS: 10,
      reason: `Q.850;cause=16;text="${HOSTILE}${CDATA_END}"`,
      frame: 77,
    },
    codec: { pt: 0, name: `PCMU${HOSTILE}` },
  });
  const legB = leg(okId, MVS, CUCM, { dtmf: [nte("9", 2.5, { method: "sip-info", pt: undefined })] });
  return {
    schema: "mvsct.analysis/1",
    verdict: `fail ${HOSTILE}`,
    capture: {
      file: `${HOSTILE}.pcap`,
      format: "pcap",
      packets: 10,
      durationS: 3,
      warnings: [HOSTILE, CDATA_END],
    },
    calls: [
      {
        id: HOSTILE,
        legs: [evilId, okId],
        correlation: [HOSTILE],
        digitConservation: {
          entered: HOSTILE,
          legs: [{ callId: okId, digits: CDATA_END, latencyMs: [null] }],
          conserved: false,
        },
      },
    ],
    legs: [legA, legB],
    findings: [
      {
        rule: "sip-malformed",
        severity: "error",
        legs: [evilId],
        message: `Bad header ${HOSTILE} ${CDATA_END} ${ESC_SEQ}red`,
        fix: `Do not send ${HOSTILE}`,
        evidence: { frames: [1, 2], filter: `sip.Call-ID == "${HOSTILE}${CDATA_END}"` },
        causedBy: HOSTILE,
      },
    ],
    ladder: [
      {
        frame: 1,
        atS: 0,
        from: `${HOSTILE}:5060`,
        to: MVS,
        label: `INVITE ${HOSTILE}`,
        callId: evilId,
        kind: "request",
      },
      {
        frame: 2,
        atS: 0.1,
        from: MVS,
        to: `${HOSTILE}:5060`,
        label: `200 ${CDATA_END}`,
        callId: evilId,
        kind: "response",
      },
      { frame: 3, atS: 0.2, from: MVS, to: CUCM, label: `INFO ${ESC_SEQ}`, callId: okId, kind: "request" },
      { frame: 4, atS: 0.3, from: CUCM, to: CUCM, label: "OPTIONS", callId: null, kind: "request" },
    ],
    streams: [stream(`${HOSTILE}:1`, MVS, CDATA_END)],
    otherSip: { [HOSTILE]: 1 },
  };
}

/** A report with `n` ladder messages (more than the drawing cap). */
export function longLadderReport(n: number): AnalysisReport {
  const r = healthyReport();
  const base = r.ladder ?? [];
  const ladder: LadderMessage[] = [];
  for (let i = 0; i < n; i++) {
    const m = base[i % base.length]!;
    ladder.push({ ...m, frame: i + 1, atS: i * 0.01 });
  }
  return { ...r, ladder };
}

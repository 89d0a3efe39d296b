/** Every rule, in evaluation order. Add a rule here and it runs in `mvsct analyze` and the suites. */
import { ackTimeout } from "./ack-timeout.ts";
import { codecMismatch } from "./codec-mismatch.ts";
import { dtmfMethodMismatch } from "./dtmf-method-mismatch.ts";
import { dtmfPtMismatch } from "./dtmf-pt-mismatch.ts";
import { dtmfTooShort } from "./dtmf-too-short.ts";
import { kpmlNotAdvertised } from "./kpml-not-advertised.ts";
import { rfc4733ClockRate } from "./rfc4733-clock-rate.ts";
import { rfc4733Duration } from "./rfc4733-duration.ts";
import { rfc4733EndRetransmit } from "./rfc4733-end-retransmit.ts";
import { rfc4733EventRange } from "./rfc4733-event-range.ts";
import { rfc4733Marker } from "./rfc4733-marker.ts";
import { rfc4733Timestamp } from "./rfc4733-timestamp.ts";
import type { Rule } from "./rule.ts";
import { tenSecondDisconnect } from "./ten-second-disconnect.ts";

export const RULES: readonly Rule[] = Object.freeze([
  dtmfMethodMismatch,
  dtmfPtMismatch,
  kpmlNotAdvertised,
  codecMismatch,
  dtmfTooShort,
  rfc4733Timestamp,
  rfc4733ClockRate,
  ackTimeout,
  rfc4733Marker,
  rfc4733Duration,
  rfc4733EventRange,
  rfc4733EndRetransmit,
  tenSecondDisconnect,
]);

export const RULE_IDS: readonly string[] = Object.freeze(RULES.map((r) => r.id));

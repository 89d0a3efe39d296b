import { test } from "node:test";
import assert from "node:assert/strict";
import { parseSip, serializeSip } from "../../src/wire/sip/index.ts";
import { buildAckForNonSuccess } from "../../src/transaction/invite-client.ts";
import { buildCancel } from "../../src/transaction/cancel.ts";
import { buildResponse } from "../../src/transaction/build-response.ts";
import { makeHeader } from "../../src/transaction/message-fields.ts";
import type { SipMessage } from "../../src/wire/sip/types.ts";
import { request, response } from "./helpers.ts";

/** The wire codec is an independent oracle: what the layer builds must parse strictly. */
function roundTrip(msg: SipMessage): SipMessage {
  const parsed = parseSip(serializeSip(msg), "strict");
  assert.ok(parsed.ok, parsed.ok ? "" : `${parsed.error.code}: ${parsed.error.message}`);
  return parsed.message;
}

test("the generated ACK, CANCEL, 100, 482 and 503 are messages the strict SIP parser accepts", () => {
  const invite = request({ routes: ["<sip:p1.example.com;lr>"] });
  const built: SipMessage[] = [
    buildAckForNonSuccess(invite, response(invite, 486)),
    buildCancel(invite),
    buildResponse(invite, 100),
    buildResponse(invite, 482, { toTag: "t1" }),
    buildResponse(invite, 503, { toTag: "t2", headers: [makeHeader("retry-after", "5")] }),
  ];
  for (const msg of built) {
    const back = roundTrip(msg);
    assert.deepEqual(
      back.headers.map((h) => [h.name, h.value]),
      msg.headers.map((h) => [h.name, h.value]),
    );
  }
});

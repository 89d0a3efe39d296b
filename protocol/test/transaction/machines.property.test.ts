import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { InviteClientTransaction, inviteClientTransitions } from "../../src/transaction/invite-client.ts";
import {
  NonInviteClientTransaction,
  nonInviteClientTransitions,
} from "../../src/transaction/non-invite-client.ts";
import { InviteServerTransaction, inviteServerTransitions } from "../../src/transaction/invite-server.ts";
import {
  NonInviteServerTransaction,
  nonInviteServerTransitions,
} from "../../src/transaction/non-invite-server.ts";
import { request, response, setup } from "./helpers.ts";

type Step =
  | { readonly kind: "advance"; readonly ms: number }
  | { readonly kind: "status"; readonly status: number }
  | { readonly kind: "retransmit" }
  | { readonly kind: "ack" }
  | { readonly kind: "error" };

const statusArb = fc.constantFrom(100, 180, 183, 200, 202, 302, 404, 486, 487, 503, 603);
const stepArb: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ kind: fc.constant("advance" as const), ms: fc.integer({ min: 0, max: 40_000 }) }),
  fc.record({ kind: fc.constant("status" as const), status: statusArb }),
  fc.record({ kind: fc.constant("retransmit" as const) }),
  fc.record({ kind: fc.constant("ack" as const) }),
  fc.record({ kind: fc.constant("error" as const) }),
);
const runArb = fc.record({ reliable: fc.boolean(), steps: fc.array(stepArb, { maxLength: 25 }) });

interface Machine {
  readonly state: string;
  start(): void;
  transportError(reason: string): void;
}

/**
 * Drives `machine` with random steps and checks the invariants every machine shares: state
 * changes follow its table, nothing is sent once terminated, and Terminated leaves no timer.
 */
function check(
  table: Readonly<Record<string, readonly string[]>>,
  build: (env: ReturnType<typeof setup>, reliable: boolean) => { machine: Machine; apply(step: Step): void },
): void {
  fc.assert(
    fc.property(runArb, ({ reliable, steps }) => {
      const env = setup();
      const { machine, apply } = build(env, reliable);
      machine.start();
      let before = machine.state;
      for (const step of steps) {
        const sentBefore = env.transport.sent.length;
        if (step.kind === "advance") env.clock.advance(step.ms);
        else if (step.kind === "error") machine.transportError("boom");
        else apply(step);
        const after = machine.state;
        if (after !== before)
          assert.ok(table[before]!.includes(after), `${before} -> ${after} is not in the table`);
        if (before === "terminated")
          assert.equal(env.transport.sent.length, sentBefore, "sent after Terminated");
        before = after;
      }
      if (machine.state === "terminated") assert.equal(env.clock.pendingCount(), 0);
    }),
    { numRuns: 250 },
  );
}

test("INVITE client: any event sequence follows Figure 5 and leaves nothing behind", () => {
  check(inviteClientTransitions, ({ clock, transport }, reliable) => {
    const invite = request();
    const tx = new InviteClientTransaction(
      invite,
      { clock, send: transport.send, reliable },
      { onResponse: () => {} },
    );
    return { machine: tx, apply: (s) => s.kind === "status" && tx.receive(response(invite, s.status)) };
  });
});

test("non-INVITE client: any event sequence follows Figure 6 and leaves nothing behind", () => {
  check(nonInviteClientTransitions, ({ clock, transport }, reliable) => {
    const bye = request({ method: "BYE", toTag: "t" });
    const tx = new NonInviteClientTransaction(
      bye,
      { clock, send: transport.send, reliable },
      { onResponse: () => {} },
    );
    return { machine: tx, apply: (s) => s.kind === "status" && tx.receive(response(bye, s.status)) };
  });
});

test("INVITE server: any event sequence follows Figure 7 and leaves nothing behind", () => {
  check(inviteServerTransitions, ({ clock, transport }, reliable) => {
    const invite = request();
    const tx = new InviteServerTransaction(invite, { clock, send: transport.send, reliable }, {});
    const ack = request({ method: "ACK", toTag: "99sa0xk" });
    return {
      machine: tx,
      apply: (s) => {
        if (s.kind === "status") tx.sendResponse(response(invite, s.status));
        else if (s.kind === "retransmit") tx.receive(invite);
        else if (s.kind === "ack") tx.receive(ack);
      },
    };
  });
});

test("non-INVITE server: any event sequence follows Figure 8 and leaves nothing behind", () => {
  check(nonInviteServerTransitions, ({ clock, transport }, reliable) => {
    const options = request({ method: "OPTIONS" });
    const tx = new NonInviteServerTransaction(options, { clock, send: transport.send, reliable }, {});
    return {
      machine: tx,
      apply: (s) => {
        if (s.kind === "status") tx.sendResponse(response(options, s.status));
        else if (s.kind === "retransmit") tx.receive(options);
      },
    };
  });
});

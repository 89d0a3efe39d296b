/**
 * `mvsct b2bua` configuration: the YAML is checked field by field and a bad one is refused (exit 2)
 * with the file, the field and the reason; bad flags too. Runs main() in-process (no socket is
 * bound on these paths).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { main } from "../src/cli/main.ts";
import { parseB2buaConfig, parseHostPort } from "../src/cli/b2bua-config.ts";

function io() {
  const o = { out: "", err: "" };
  return {
    o,
    io: { out: (t: string) => void (o.out += t), err: (t: string) => void (o.err += t), isTty: false },
  };
}

const dir = mkdtempSync(join(tmpdir(), "mvsct-b2bua-config-"));

test("an invalid DTMF method is refused with the file, the field and the allowed values (exit 2)", async () => {
  const file = join(dir, "b2bua.yaml");
  writeFileSync(file, "legs:\n  b:\n    dtmf: carrier-pigeon\n");
  const { o, io: sink } = io();
  const code = await main(
    ["b2bua", "--listen", "127.0.0.1:20990", "--next-hop", "127.0.0.1:20991", "--config", file],
    sink,
  );
  assert.equal(code, 2);
  assert.equal(o.err, "b2bua.yaml: legs.b.dtmf: must be one of rfc2833, kpml, info, notify, auto\n");
});

const cases: [string, string, string][] = [
  ["legs:\n  a:\n    codecs: [PCMU, OPUS]\n", "legs.a.codecs", 'unknown codec "OPUS"'],
  ["legs:\n  a:\n    codecs: []\n", "legs.a.codecs", "non-empty list"],
  ["legs:\n  b:\n    telephoneEventPt: 13\n", "legs.b.telephoneEventPt", "96..127"],
  ["legs:\n  a:\n    delayedOffer: true\n", "legs.a.delayedOffer", "unknown field"],
  ["legs:\n  c: {}\n", "legs.c", "unknown field"],
  ["timers:\n  T1: 500\n  T2: 100\n", "timers.T2", "not be below"],
  ["timers:\n  T1: fast\n", "timers.T1", "integer"],
  ["rtp:\n  ports: 21001-21001\n", "rtp.ports", "pair"],
  ["rtp:\n  ports: lots\n", "rtp.ports", "MIN-MAX"],
  ["rtp:\n  address: example.com\n", "rtp.address", "IP address"],
  ["maxCalls: 0\n", "maxCalls", "1..100000"],
  ["nextHop: somewhere\n", "nextHop", "IP:port"],
  ["transport: sctp\n", "transport", "udp or tcp"],
  ["colour: blue\n", "colour", "unknown field"],
  ["legs: [1, 2\n", "(yaml)", ""],
  ["legs:\n  a:\n    credentials: { username: u, password: p }\n", "legs.a.credentials", "unknown field"],
  ["legs:\n  b:\n    credentials: mvs:secret\n", "legs.b.credentials", "mapping of username, password"],
  ["legs:\n  b:\n    credentials: { password: p }\n", "legs.b.credentials.username", "is required"],
  ["legs:\n  b:\n    credentials: { username: u }\n", "legs.b.credentials.password", "is required"],
  ['legs:\n  b:\n    credentials: { username: "", password: p }\n', "legs.b.credentials.username", "empty"],
  ["legs:\n  b:\n    credentials: { username: [u], password: p }\n", "legs.b.credentials.username", "string"],
  [
    'legs:\n  b:\n    credentials: { username: u, password: "a\\nb" }\n',
    "legs.b.credentials.password",
    "control",
  ],
  [
    'legs:\n  b:\n    credentials: { username: u, password: p, realm: "" }\n',
    "legs.b.credentials.realm",
    "empty",
  ],
  [
    "legs:\n  b:\n    credentials: { username: u, password: p, nonce: x }\n",
    "legs.b.credentials.nonce",
    "unknown field",
  ],
  ["maxTransactions: 0\n", "maxTransactions", "1..10000000"],
  ["maxTransactions: many\n", "maxTransactions", "integer"],
];

for (const [yaml, field, reason] of cases) {
  test(`config ${JSON.stringify(yaml.trim())} -> ${field}`, () => {
    const r = parseB2buaConfig(yaml);
    assert.equal(r.ok, false);
    if (r.ok) return;
    assert.equal(r.field, field);
    assert.ok(r.reason.includes(reason), r.reason);
  });
}

test("a valid config sets policy per leg, timers, RTP and limits; absent fields keep their defaults", () => {
  const r = parseB2buaConfig(
    [
      "legs:",
      "  a: { codecs: [PCMU, PCMA], dtmf: auto }",
      "  b: { codecs: [PCMA], dtmf: kpml, telephoneEventPt: 96, delayedOffer: true }",
      "timers: { T1: 100, T2: 800, T4: 1000 }",
      "rtp: { address: 127.0.0.1, ports: 21000-21999, latching: true }",
      "maxCalls: 3",
      "retryAfterS: 9",
      "",
    ].join("\n"),
  );
  assert.ok(r.ok);
  const c = r.config;
  assert.deepEqual(c.policy.legs.a.codecs, ["PCMU", "PCMA"]);
  assert.equal(c.policy.legs.a.telephoneEventPt, 101);
  assert.deepEqual(c.policy.legs.b, {
    codecs: ["PCMA"],
    dtmf: "kpml",
    telephoneEventPt: 96,
    delayedOffer: true,
  });
  assert.deepEqual(c.timers, { T1: 100, T2: 800, T4: 1000 });
  assert.deepEqual(c.rtpPorts, { min: 21000, max: 21999 });
  assert.equal(c.rtpAddress, "127.0.0.1");
  assert.equal(c.policy.latching, true);
  assert.equal(c.policy.maxCalls, 3);
  assert.equal(c.policy.retryAfterS, 9);
  assert.equal(c.policy.minDtmfDurationMs, 100);
  assert.equal(parseB2buaConfig("").ok, true, "an empty file is the defaults");
  assert.equal(c.maxTransactions, null, "absent: the transaction layer's default");
  assert.equal(c.policy.legs.b.credentials, undefined, "no credentials unless configured");
});

test("legs.b.credentials (username, password, optional realm) and maxTransactions are read", () => {
  const r = parseB2buaConfig(
    [
      "legs:",
      "  b:",
      "    credentials: { username: 7001, password: Cisco123, realm: ccmsipline }",
      "maxTransactions: 20000",
      "",
    ].join("\n"),
  );
  assert.ok(r.ok);
  assert.deepEqual(r.config.policy.legs.b.credentials, {
    username: "7001",
    password: "Cisco123",
    realm: "ccmsipline",
  });
  assert.equal(r.config.maxTransactions, 20000);
  const anyRealm = parseB2buaConfig("legs:\n  b:\n    credentials: { username: u, password: '' }\n");
  assert.ok(anyRealm.ok);
  assert.deepEqual(anyRealm.config.policy.legs.b.credentials, { username: "u", password: "" });
});

test("flags: missing or malformed addresses are refused with exit 2", async () => {
  for (const [argv, msg] of [
    [["b2bua", "--next-hop", "127.0.0.1:5080"], "--listen is required"],
    [
      ["b2bua", "--listen", "localhost:5070", "--next-hop", "127.0.0.1:5080"],
      '--listen "localhost:5070" must be IP:port',
    ],
    [["b2bua", "--listen", "127.0.0.1:5070", "--next-hop", "127.0.0.1:99999"], "--next-hop"],
    [
      ["b2bua", "--listen", "127.0.0.1:5070", "--next-hop", "127.0.0.1:5080", "--rtp-ports", "9-8"],
      "--rtp-ports",
    ],
    [
      ["b2bua", "--listen", "127.0.0.1:5070", "--next-hop", "127.0.0.1:5080", "--media-workers", "two"],
      '--media-workers "two" must be 0..16',
    ],
    [
      ["b2bua", "--listen", "127.0.0.1:5070", "--next-hop", "127.0.0.1:5080", "--media-workers", "17"],
      "--media-workers",
    ],
    [["b2bua", "--bogus"], "unknown option --bogus"],
    [
      [
        "b2bua",
        "--listen",
        "127.0.0.1:5070",
        "--next-hop",
        "127.0.0.1:5080",
        "--config",
        join(dir, "nope.yaml"),
      ],
      "cannot read",
    ],
  ] as const) {
    const { o, io: sink } = io();
    assert.equal(await main([...argv], sink), 2, argv.join(" "));
    assert.ok(o.err.includes(msg), `${argv.join(" ")}: ${o.err}`);
  }
  assert.deepEqual(parseHostPort("[::1]:5060"), { host: "::1", port: 5060 });
  assert.equal(parseHostPort("300.1.1.1:5060"), null);
});

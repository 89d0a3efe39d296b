/**
 * The `mvsct b2bua --config FILE` YAML, checked field by field. A bad file is refused with the
 * field and the reason (`b2bua.yaml: legs.b.dtmf: must be one of rfc2833, kpml, info, notify, auto`).
 *
 *   listen: 127.0.0.1:5070          # overridden by --listen
 *   nextHop: 127.0.0.1:5080         # overridden by --next-hop
 *   transport: udp                  # towards the next hop: udp | tcp
 *   legs:
 *     a: { codecs: [PCMU, PCMA], dtmf: auto, telephoneEventPt: 101 }
 *     b: { codecs: [PCMU], dtmf: rfc2833, telephoneEventPt: 101, delayedOffer: false,
 *          credentials: { username: mvs, password: secret, realm: ccmsipline } }  # answers 401/407
 *                                    # from the next hop (realm optional: any realm)
 *   timers: { T1: 500, T2: 4000, T4: 5000 }
 *   rtp: { address: 127.0.0.1, ports: 21000-21999, latching: false }
 *   maxCalls: 500
 *   maxTransactions: 100000         # live SIP transactions; beyond, new requests get 503
 *   retryAfterS: 5
 *   minDtmfDurationMs: 100
 *   sessionExpiresS: 1800           # 0: no session timers
 */
import { parse } from "yaml";
import { DEFAULT_B2BUA_POLICY, DTMF_MODES, KNOWN_CODECS } from "../../../protocol/src/b2bua/index.ts";
import type { B2buaPolicy, DtmfMode, LegPolicy } from "../../../protocol/src/b2bua/index.ts";
import type { DigestCredentials } from "../../../protocol/src/auth/index.ts";
import type { BaseTimers } from "../../../protocol/src/transaction/index.ts";
import { defaultTimers } from "../../../protocol/src/transaction/index.ts";
import type { PortRange } from "../../../protocol/src/media/index.ts";

export interface HostPort {
  readonly host: string;
  readonly port: number;
}

export interface B2buaConfig {
  readonly listen: HostPort | null;
  readonly nextHop: HostPort | null;
  readonly transport: "udp" | "tcp";
  readonly policy: B2buaPolicy;
  readonly timers: BaseTimers;
  readonly rtpAddress: string | null;
  readonly rtpPorts: PortRange;
  /** 0: session timers off */
  readonly sessionExpiresS: number;
  /** live SIP transactions beyond which new requests get 503 (null: the transaction layer's default) */
  readonly maxTransactions: number | null;
}

export const DEFAULT_RTP_PORTS: PortRange = Object.freeze({ min: 30000, max: 39999 });

export const DEFAULT_B2BUA_CONFIG: B2buaConfig = Object.freeze({
  listen: null,
  nextHop: null,
  transport: "udp",
  policy: DEFAULT_B2BUA_POLICY,
  timers: defaultTimers,
  rtpAddress: null,
  rtpPorts: DEFAULT_RTP_PORTS,
  sessionExpiresS: 0,
  maxTransactions: null,
});

export type ConfigResult = { ok: true; config: B2buaConfig } | { ok: false; field: string; reason: string };

class ConfigError extends Error {
  constructor(
    readonly field: string,
    readonly reason: string,
  ) {
    super(`${field}: ${reason}`);
  }
}

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function only(o: Obj, path: string, keys: readonly string[]): void {
  for (const k of Object.keys(o))
    if (!keys.includes(k)) throw new ConfigError(join(path, k), `unknown field (known: ${keys.join(", ")})`);
}

function join(path: string, key: string): string {
  return path === "" ? key : `${path}.${key}`;
}

function int(v: unknown, field: string, min: number, max: number): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v < min || v > max)
    throw new ConfigError(field, `must be an integer in ${min}..${max}`);
  return v;
}

function bool(v: unknown, field: string): boolean {
  if (typeof v !== "boolean") throw new ConfigError(field, "must be true or false");
  return v;
}

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

/** "127.0.0.1:5070" or "[::1]:5070" (IP literals only: the B2BUA does no DNS). */
export function parseHostPort(text: string): HostPort | null {
  const m = /^\[([0-9a-fA-F:.]+)\]:(\d{1,5})$/.exec(text) ?? /^([0-9.]+):(\d{1,5})$/.exec(text);
  if (m === null) return null;
  const host = m[1]!;
  const port = Number(m[2]);
  if (port < 1 || port > 65535) return null;
  if (!host.includes(":") && !IPV4.test(host)) return null;
  return { host, port };
}

function hostPort(v: unknown, field: string): HostPort {
  const hp = typeof v === "string" ? parseHostPort(v) : null;
  if (hp === null) throw new ConfigError(field, "must be IP:port, e.g. 127.0.0.1:5070");
  return hp;
}

/** "21000-21999" or { min, max } */
export function parsePortRange(v: unknown, field: string): PortRange {
  let min: unknown;
  let max: unknown;
  if (typeof v === "string") {
    const m = /^(\d{1,5})\s*-\s*(\d{1,5})$/.exec(v);
    if (m === null) throw new ConfigError(field, "must be MIN-MAX, e.g. 21000-21999");
    min = Number(m[1]);
    max = Number(m[2]);
  } else if (isObj(v)) {
    only(v, field, ["min", "max"]);
    min = v["min"];
    max = v["max"];
  } else throw new ConfigError(field, "must be MIN-MAX, e.g. 21000-21999");
  const lo = int(min, `${field}.min`, 1024, 65535);
  const hi = int(max, `${field}.max`, 1024, 65535);
  if (hi < lo + 1) throw new ConfigError(field, "must hold at least one even/odd port pair");
  return { min: lo, max: hi };
}

function text(v: unknown, field: string, allowEmpty = false): string {
  if (typeof v !== "string" && typeof v !== "number") throw new ConfigError(field, "must be a string");
  const t = String(v);
  if (!allowEmpty && t === "") throw new ConfigError(field, "must not be empty");
  // the values go into a quoted-string of the Authorization header (RFC 3261 §25.1)
  if (/[\x00-\x1f\x7f]/.test(t)) throw new ConfigError(field, "must not contain control characters");
  return t;
}

/** legs.b.credentials: digest credentials answering a 401/407 from the next hop (RFC 3261 §22.2). */
function credentials(v: unknown, path: string): DigestCredentials {
  if (!isObj(v)) throw new ConfigError(path, "must be a mapping of username, password and optional realm");
  only(v, path, ["username", "password", "realm"]);
  if (v["username"] === undefined) throw new ConfigError(join(path, "username"), "is required");
  if (v["password"] === undefined) throw new ConfigError(join(path, "password"), "is required");
  const username = text(v["username"], join(path, "username"));
  const password = text(v["password"], join(path, "password"), true);
  if (v["realm"] === undefined) return { username, password };
  return { username, password, realm: text(v["realm"], join(path, "realm")) };
}

function leg(v: unknown, path: string, base: LegPolicy, id: "a" | "b"): LegPolicy {
  if (!isObj(v)) throw new ConfigError(path, "must be a mapping");
  only(
    v,
    path,
    id === "b"
      ? ["codecs", "dtmf", "telephoneEventPt", "delayedOffer", "credentials"]
      : ["codecs", "dtmf", "telephoneEventPt"],
  );
  let codecs = base.codecs;
  if (v["codecs"] !== undefined) {
    const list = v["codecs"];
    if (!Array.isArray(list) || list.length === 0 || list.some((c) => typeof c !== "string"))
      throw new ConfigError(join(path, "codecs"), "must be a non-empty list of codec names");
    for (const c of list as string[]) {
      if (KNOWN_CODECS[(c.split("/")[0] ?? "").toUpperCase()] === undefined)
        throw new ConfigError(
          join(path, "codecs"),
          `unknown codec "${c}" (known: ${Object.keys(KNOWN_CODECS).join(", ")})`,
        );
    }
    codecs = list as string[];
  }
  let dtmf = base.dtmf;
  if (v["dtmf"] !== undefined) {
    if (typeof v["dtmf"] !== "string" || !(DTMF_MODES as readonly string[]).includes(v["dtmf"]))
      throw new ConfigError(join(path, "dtmf"), `must be one of ${DTMF_MODES.join(", ")}`);
    dtmf = v["dtmf"] as DtmfMode;
  }
  const te =
    v["telephoneEventPt"] === undefined
      ? base.telephoneEventPt
      : int(v["telephoneEventPt"], join(path, "telephoneEventPt"), 96, 127);
  const delayed =
    v["delayedOffer"] === undefined ? base.delayedOffer : bool(v["delayedOffer"], join(path, "delayedOffer"));
  const creds =
    v["credentials"] === undefined
      ? base.credentials
      : credentials(v["credentials"], join(path, "credentials"));
  return {
    codecs,
    dtmf,
    telephoneEventPt: te,
    delayedOffer: delayed,
    ...(creds === undefined ? {} : { credentials: creds }),
  };
}

function build(doc: unknown): B2buaConfig {
  const d = DEFAULT_B2BUA_CONFIG;
  if (doc === null || doc === undefined) return d;
  if (!isObj(doc)) throw new ConfigError("(top)", "must be a mapping");
  only(doc, "", [
    "listen",
    "nextHop",
    "transport",
    "legs",
    "timers",
    "rtp",
    "maxCalls",
    "retryAfterS",
    "minDtmfDurationMs",
    "sessionExpiresS",
    "maxTransactions",
  ]);
  let legs = d.policy.legs;
  if (doc["legs"] !== undefined) {
    const l = doc["legs"];
    if (!isObj(l)) throw new ConfigError("legs", "must be a mapping with a and/or b");
    only(l, "legs", ["a", "b"]);
    legs = {
      a: l["a"] === undefined ? legs.a : leg(l["a"], "legs.a", legs.a, "a"),
      b: l["b"] === undefined ? legs.b : leg(l["b"], "legs.b", legs.b, "b"),
    };
  }
  let timers = d.timers;
  if (doc["timers"] !== undefined) {
    const t = doc["timers"];
    if (!isObj(t)) throw new ConfigError("timers", "must be a mapping of T1, T2, T4 (ms)");
    only(t, "timers", ["T1", "T2", "T4"]);
    const T1 = t["T1"] === undefined ? timers.T1 : int(t["T1"], "timers.T1", 10, 60_000);
    const T2 = t["T2"] === undefined ? timers.T2 : int(t["T2"], "timers.T2", 10, 600_000);
    const T4 = t["T4"] === undefined ? timers.T4 : int(t["T4"], "timers.T4", 10, 600_000);
    if (T2 < T1) throw new ConfigError("timers.T2", "must not be below timers.T1");
    timers = { T1, T2, T4 };
  }
  let rtpAddress = d.rtpAddress;
  let rtpPorts = d.rtpPorts;
  let latching = d.policy.latching;
  if (doc["rtp"] !== undefined) {
    const r = doc["rtp"];
    if (!isObj(r)) throw new ConfigError("rtp", "must be a mapping");
    only(r, "rtp", ["address", "ports", "latching"]);
    if (r["address"] !== undefined) {
      const a = r["address"];
      if (typeof a !== "string" || (!IPV4.test(a) && !/^[0-9a-fA-F:]+$/.test(a)))
        throw new ConfigError("rtp.address", "must be an IP address");
      rtpAddress = a;
    }
    if (r["ports"] !== undefined) rtpPorts = parsePortRange(r["ports"], "rtp.ports");
    if (r["latching"] !== undefined) latching = bool(r["latching"], "rtp.latching");
  }
  const transport = doc["transport"] ?? d.transport;
  if (transport !== "udp" && transport !== "tcp") throw new ConfigError("transport", "must be udp or tcp");
  return {
    listen: doc["listen"] === undefined ? null : hostPort(doc["listen"], "listen"),
    nextHop: doc["nextHop"] === undefined ? null : hostPort(doc["nextHop"], "nextHop"),
    transport,
    timers,
    rtpAddress,
    rtpPorts,
    sessionExpiresS:
      doc["sessionExpiresS"] === undefined
        ? d.sessionExpiresS
        : int(doc["sessionExpiresS"], "sessionExpiresS", 0, 86_400),
    maxTransactions:
      doc["maxTransactions"] === undefined
        ? d.maxTransactions
        : int(doc["maxTransactions"], "maxTransactions", 1, 10_000_000),
    policy: {
      ...d.policy,
      legs,
      latching,
      maxCalls:
        doc["maxCalls"] === undefined ? d.policy.maxCalls : int(doc["maxCalls"], "maxCalls", 1, 100_000),
      retryAfterS:
        doc["retryAfterS"] === undefined
          ? d.policy.retryAfterS
          : int(doc["retryAfterS"], "retryAfterS", 0, 3600),
      minDtmfDurationMs:
        doc["minDtmfDurationMs"] === undefined
          ? d.policy.minDtmfDurationMs
          : int(doc["minDtmfDurationMs"], "minDtmfDurationMs", 0, 2000),
    },
  };
}

/** Parses and checks the YAML text. */
export function parseB2buaConfig(text: string): ConfigResult {
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (e) {
    const msg = e instanceof Error ? e.message.split("\n")[0]! : String(e);
    return { ok: false, field: "(yaml)", reason: msg };
  }
  try {
    return { ok: true, config: build(doc) };
  } catch (e) {
    if (e instanceof ConfigError) return { ok: false, field: e.field, reason: e.reason };
    throw e;
  }
}

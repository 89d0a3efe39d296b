import { escapeXml, scanXml, type XmlToken } from "./xml-scan.ts";

/**
 * KPML, the SIP "kpml" event package (RFC 4730). The subscriber sends a kpml-request in SUBSCRIBE
 * (Content-Type application/kpml-request+xml, §4.3), the notifier reports each match in a NOTIFY
 * carrying a kpml-response (application/kpml-response+xml, §4.4). As Cisco IOS sends them:
 *
 *   <?xml version="1.0" encoding="UTF-8"?><kpml-request xmlns="urn:ietf:params:xml:ns:kpml-request"
 *     xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="..." version="1.0">
 *     <pattern persist="persist"><regex tag="dtmf">[x*#ABCD]</regex></pattern></kpml-request>
 *
 *   <?xml version="1.0" encoding="UTF-8"?><kpml-response version="1.0" code="200" text="OK"
 *     digits="1" tag="dtmf"/>
 *
 * Pattern attributes (RFC 4730 §5.2): persist = one-shot (the default) | persist | single-notify;
 * interdigittimer, criticaldigittimer, extradigittimer in milliseconds; enterkey. Each <regex>
 * may carry a tag that the response echoes. Response attributes: version, code, text, digits,
 * tag, suppressed, forced_flush. Parsing is by local name, so prefixed documents read the same.
 */
export const KPML_REQUEST_CONTENT_TYPE = "application/kpml-request+xml";
export const KPML_RESPONSE_CONTENT_TYPE = "application/kpml-response+xml";
export const KPML_REQUEST_NAMESPACE = "urn:ietf:params:xml:ns:kpml-request";
export const KPML_RESPONSE_NAMESPACE = "urn:ietf:params:xml:ns:kpml-response";

export type KpmlPersist = "one-shot" | "persist" | "single-notify";
const PERSIST: ReadonlySet<string> = new Set(["one-shot", "persist", "single-notify"]);

export interface KpmlRegex {
  /** the tag attribute, echoed in the response; null when absent */
  readonly tag: string | null;
  /** the regex text, entity-decoded and trimmed, e.g. "[x*#ABCD]" */
  readonly value: string;
}

export interface KpmlRequest {
  readonly version: string | null;
  /** the namespace URI bound to the root element's prefix, null when undeclared */
  readonly namespace: string | null;
  readonly persist: KpmlPersist;
  readonly interdigitTimerMs: number | null;
  readonly criticalDigitTimerMs: number | null;
  readonly extraDigitTimerMs: number | null;
  readonly enterKey: string | null;
  readonly regexes: readonly KpmlRegex[];
  /** every attribute of <pattern> as written (by local name) */
  readonly patternAttributes: Readonly<Record<string, string>>;
}

export interface KpmlResponse {
  readonly version: string | null;
  readonly namespace: string | null;
  /** 200 when digits matched; 4xx/5xx report why a subscription ended (RFC 4730 §5.4) */
  readonly code: number;
  readonly text: string | null;
  readonly digits: string | null;
  readonly tag: string | null;
  readonly suppressed: boolean;
  /** forced_flush="true": the digits were sent because the buffer was flushed, not matched */
  readonly forcedFlush: boolean;
}

export type KpmlErrorCode = "bad-xml" | "wrong-root" | "no-pattern" | "no-regex" | "bad-persist" | "bad-code";
export interface KpmlError {
  readonly code: KpmlErrorCode;
  readonly message: string;
}

export type KpmlRequestResult =
  { readonly ok: true; readonly request: KpmlRequest } | { readonly ok: false; readonly error: KpmlError };
export type KpmlResponseResult =
  { readonly ok: true; readonly response: KpmlResponse } | { readonly ok: false; readonly error: KpmlError };

type OpenToken = Extract<XmlToken, { kind: "open" }>;

function fail(code: KpmlErrorCode, message: string): { ok: false; error: KpmlError } {
  return { ok: false, error: { code, message } };
}

function rootOf(
  text: string,
  expected: string,
): { root: OpenToken; tokens: readonly XmlToken[]; at: number } | KpmlError {
  const scanned = scanXml(text);
  if (!scanned.ok) return { code: "bad-xml", message: scanned.message };
  const at = scanned.tokens.findIndex((t) => t.kind === "open");
  const root = scanned.tokens[at];
  if (root === undefined || root.kind !== "open") return { code: "wrong-root", message: "no element" };
  if (root.name !== expected)
    return { code: "wrong-root", message: `root element <${root.name}>, expected <${expected}>` };
  return { root, tokens: scanned.tokens, at };
}

function namespaceOf(root: OpenToken): string | null {
  return root.namespaces[root.prefix ?? ""] ?? null;
}

function timerMs(attrs: Readonly<Record<string, string>>, name: string): number | null {
  const v = attrs[name];
  return v !== undefined && /^\s*\d{1,9}\s*$/.test(v) ? Number(v) : null;
}

/** Reads an application/kpml-request+xml body. Never throws. */
export function parseKpmlRequest(text: string): KpmlRequestResult {
  const r = rootOf(text, "kpml-request");
  if ("code" in r) return { ok: false, error: r };
  const { root, tokens, at } = r;
  const patternAt = tokens.findIndex((t, i) => i > at && t.kind === "open" && t.name === "pattern");
  const pattern = tokens[patternAt];
  if (pattern === undefined || pattern.kind !== "open")
    return fail("no-pattern", "kpml-request without <pattern>");

  const persistRaw = (pattern.attrs["persist"] ?? "one-shot").trim();
  if (!PERSIST.has(persistRaw)) return fail("bad-persist", `persist="${persistRaw}"`);

  const regexes: KpmlRegex[] = [];
  if (!pattern.selfClosing) {
    for (let i = patternAt + 1; i < tokens.length; i++) {
      const t = tokens[i]!;
      if (t.kind === "close" && t.name === "pattern") break;
      if (t.kind !== "open" || t.name !== "regex") continue;
      let value = "";
      if (!t.selfClosing) {
        for (i = i + 1; i < tokens.length; i++) {
          const inner = tokens[i]!;
          if (inner.kind === "close" && inner.name === "regex") break;
          if (inner.kind === "text") value += inner.text;
        }
      }
      regexes.push({ tag: t.attrs["tag"] ?? null, value: value.trim() });
    }
  }
  if (regexes.length === 0) return fail("no-regex", "<pattern> without <regex>");

  return {
    ok: true,
    request: {
      version: root.attrs["version"] ?? null,
      namespace: namespaceOf(root),
      persist: persistRaw as KpmlPersist,
      interdigitTimerMs: timerMs(pattern.attrs, "interdigittimer"),
      criticalDigitTimerMs: timerMs(pattern.attrs, "criticaldigittimer"),
      extraDigitTimerMs: timerMs(pattern.attrs, "extradigittimer"),
      enterKey: pattern.attrs["enterkey"] ?? null,
      regexes,
      patternAttributes: pattern.attrs,
    },
  };
}

/** Reads an application/kpml-response+xml body. Never throws. */
export function parseKpmlResponse(text: string): KpmlResponseResult {
  const r = rootOf(text, "kpml-response");
  if ("code" in r) return { ok: false, error: r };
  const a = r.root.attrs;
  const code = (a["code"] ?? "").trim();
  if (!/^\d{3}$/.test(code)) return fail("bad-code", `code="${code}" is not a 3-digit status`);
  return {
    ok: true,
    response: {
      version: a["version"] ?? null,
      namespace: namespaceOf(r.root),
      code: Number(code),
      text: a["text"] ?? null,
      digits: a["digits"] ?? null,
      tag: a["tag"] ?? null,
      suppressed: isTrue(a["suppressed"]),
      forcedFlush: isTrue(a["forced_flush"]),
    },
  };
}

/** XML Schema boolean: "true" or "1" */
function isTrue(v: string | undefined): boolean {
  const s = v?.trim().toLowerCase();
  return s === "true" || s === "1";
}

const XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>';

export interface KpmlRequestFields {
  readonly persist?: KpmlPersist;
  readonly regexes: readonly KpmlRegex[];
  readonly interdigitTimerMs?: number;
  readonly criticalDigitTimerMs?: number;
  readonly extraDigitTimerMs?: number;
  readonly enterKey?: string;
}

/** A kpml-request body; pattern attributes are written only when given (persist defaults to one-shot). */
export function writeKpmlRequest(f: KpmlRequestFields): string {
  if (f.regexes.length === 0) throw new RangeError("a KPML pattern needs at least one regex");
  const attrs: [string, string | number | undefined][] = [
    ["persist", f.persist],
    ["interdigittimer", f.interdigitTimerMs],
    ["criticaldigittimer", f.criticalDigitTimerMs],
    ["extradigittimer", f.extraDigitTimerMs],
    ["enterkey", f.enterKey],
  ];
  const regexes = f.regexes.map(
    (r) => `<regex${r.tag === null ? "" : ` tag="${escapeXml(r.tag)}"`}>${escapeXml(r.value)}</regex>`,
  );
  return [
    XML_DECLARATION,
    `<kpml-request xmlns="${KPML_REQUEST_NAMESPACE}" version="1.0">`,
    `<pattern${attributes(attrs)}>`,
    ...regexes,
    "</pattern>",
    "</kpml-request>",
    "",
  ].join("\r\n");
}

export interface KpmlResponseFields {
  readonly code: number;
  readonly text: string;
  readonly digits?: string;
  readonly tag?: string;
  readonly suppressed?: boolean;
  readonly forcedFlush?: boolean;
}

/** A kpml-response body, e.g. code 200 "OK" digits "5" tag "dtmf". */
export function writeKpmlResponse(f: KpmlResponseFields): string {
  if (!Number.isInteger(f.code) || f.code < 100 || f.code > 999)
    throw new RangeError(`bad KPML code ${f.code}`);
  const attrs: [string, string | number | undefined][] = [
    ["version", "1.0"],
    ["code", f.code],
    ["text", f.text],
    ["digits", f.digits],
    ["tag", f.tag],
    ["suppressed", f.suppressed ? "true" : undefined],
    ["forced_flush", f.forcedFlush ? "true" : undefined],
  ];
  return `${XML_DECLARATION}\r\n<kpml-response xmlns="${KPML_RESPONSE_NAMESPACE}"${attributes(attrs)}/>\r\n`;
}

function attributes(list: readonly [string, string | number | undefined][]): string {
  return list
    .filter((kv): kv is [string, string | number] => kv[1] !== undefined)
    .map(([k, v]) => ` ${k}="${escapeXml(String(v))}"`)
    .join("");
}

/**
 * A tolerant scanner for the small XML documents SIP event packages carry (KPML, RFC 4730). It is
 * not a validating parser: it yields start tags (with attributes), end tags and text, skipping the
 * XML declaration, processing instructions, comments and DOCTYPE, and keeps CDATA as text.
 * Element and attribute names are reported by local name (`k:pattern` -> `pattern`) with the
 * prefix alongside; `xmlns` / `xmlns:p` declarations are collected apart from the attributes.
 * Attribute values may be in single or double quotes (XML 1.0 §3.1), or, tolerated, unquoted.
 */
export type XmlToken =
  | {
      readonly kind: "open";
      readonly name: string;
      readonly prefix: string | null;
      /** attributes by local name, entity-decoded; the first of duplicates wins */
      readonly attrs: Readonly<Record<string, string>>;
      /** namespace declarations on this element: "" for the default namespace, else the prefix */
      readonly namespaces: Readonly<Record<string, string>>;
      readonly selfClosing: boolean;
    }
  | { readonly kind: "close"; readonly name: string }
  | { readonly kind: "text"; readonly text: string };

export type XmlScanResult =
  | { readonly ok: true; readonly tokens: readonly XmlToken[] }
  | { readonly ok: false; readonly message: string };

const NAME = /[^\s/>=<"']+/y;

export function scanXml(text: string): XmlScanResult {
  const tokens: XmlToken[] = [];
  let i = 0;
  while (i < text.length) {
    const lt = text.indexOf("<", i);
    if (lt < 0) {
      pushText(tokens, text.slice(i));
      break;
    }
    if (lt > i) pushText(tokens, text.slice(i, lt));
    i = lt;
    if (text.startsWith("<?", i)) {
      const end = text.indexOf("?>", i + 2);
      if (end < 0) return { ok: false, message: "unterminated processing instruction" };
      i = end + 2;
    } else if (text.startsWith("<!--", i)) {
      const end = text.indexOf("-->", i + 4);
      if (end < 0) return { ok: false, message: "unterminated comment" };
      i = end + 3;
    } else if (text.startsWith("<![CDATA[", i)) {
      const end = text.indexOf("]]>", i + 9);
      if (end < 0) return { ok: false, message: "unterminated CDATA section" };
      tokens.push({ kind: "text", text: text.slice(i + 9, end) });
      i = end + 3;
    } else if (text.startsWith("<!", i)) {
      const bracket = text.indexOf("[", i);
      const gt = text.indexOf(">", i);
      const end = bracket >= 0 && bracket < gt ? text.indexOf("]>", bracket) : gt;
      if (end < 0 || gt < 0) return { ok: false, message: "unterminated declaration" };
      i = end + (end === gt ? 1 : 2);
    } else if (text.startsWith("</", i)) {
      const gt = text.indexOf(">", i + 2);
      if (gt < 0) return { ok: false, message: "unterminated end tag" };
      tokens.push({ kind: "close", name: localName(text.slice(i + 2, gt).trim()).name });
      i = gt + 1;
    } else {
      const open = scanStartTag(text, i + 1);
      if (!open.ok) return open;
      tokens.push(open.token);
      i = open.next;
    }
  }
  return { ok: true, tokens };
}

function scanStartTag(
  text: string,
  start: number,
): { ok: true; token: XmlToken; next: number } | { ok: false; message: string } {
  NAME.lastIndex = start;
  const nameMatch = NAME.exec(text);
  if (!nameMatch) return { ok: false, message: `bad start tag at ${start - 1}` };
  const { name, prefix } = localName(nameMatch[0]);
  const attrs: Record<string, string> = {};
  const namespaces: Record<string, string> = {};
  let i = start + nameMatch[0].length;
  for (;;) {
    while (i < text.length && /\s/.test(text[i]!)) i++;
    if (i >= text.length) return { ok: false, message: `unterminated start tag <${nameMatch[0]}>` };
    if (text.startsWith("/>", i)) {
      return {
        ok: true,
        token: { kind: "open", name, prefix, attrs, namespaces, selfClosing: true },
        next: i + 2,
      };
    }
    if (text[i] === ">") {
      return {
        ok: true,
        token: { kind: "open", name, prefix, attrs, namespaces, selfClosing: false },
        next: i + 1,
      };
    }
    NAME.lastIndex = i;
    const attrMatch = NAME.exec(text);
    if (!attrMatch) return { ok: false, message: `bad attribute in <${nameMatch[0]}> at ${i}` };
    const rawName = attrMatch[0];
    i += rawName.length;
    while (i < text.length && /\s/.test(text[i]!)) i++;
    let value = "";
    if (text[i] === "=") {
      i++;
      while (i < text.length && /\s/.test(text[i]!)) i++;
      const quote = text[i];
      if (quote === '"' || quote === "'") {
        const end = text.indexOf(quote, i + 1);
        if (end < 0) return { ok: false, message: `unterminated attribute value for ${rawName}` };
        value = decodeEntities(text.slice(i + 1, end));
        i = end + 1;
      } else {
        const m = /[^\s>]*/y;
        m.lastIndex = i;
        const unquoted = m.exec(text)![0].replace(/\/$/, "");
        value = decodeEntities(unquoted);
        i += unquoted.length;
      }
    }
    if (rawName === "xmlns") namespaces[""] ??= value;
    else if (rawName.startsWith("xmlns:")) namespaces[rawName.slice(6)] ??= value;
    else attrs[localName(rawName).name] ??= value;
  }
}

function pushText(tokens: XmlToken[], raw: string): void {
  tokens.push({ kind: "text", text: decodeEntities(raw) });
}

function localName(qname: string): { name: string; prefix: string | null } {
  const colon = qname.lastIndexOf(":");
  return colon < 0
    ? { name: qname, prefix: null }
    : { name: qname.slice(colon + 1), prefix: qname.slice(0, colon) };
}

const NAMED: Readonly<Record<string, string>> = Object.freeze({
  lt: "<",
  gt: ">",
  amp: "&",
  quot: '"',
  apos: "'",
});

/** XML 1.0 §4.6 predefined entities and §4.1 character references; unknown ones are left as written. */
export function decodeEntities(s: string): string {
  if (!s.includes("&")) return s;
  return s.replace(/&(#x[0-9a-fA-F]{1,6}|#[0-9]{1,7}|lt|gt|amp|quot|apos);/g, (whole, ref: string) => {
    if (ref[0] !== "#") return NAMED[ref] ?? whole;
    const code = ref[1] === "x" ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
    return code > 0 && code <= 0x10ffff && (code < 0xd800 || code > 0xdfff)
      ? String.fromCodePoint(code)
      : whole;
  });
}

/** Escapes text for an attribute value in double quotes or for element content. */
export function escapeXml(s: string): string {
  return s.replace(
    /[<>&"']/g,
    (c) => `&${{ "<": "lt", ">": "gt", "&": "amp", '"': "quot", "'": "apos" }[c]};`,
  );
}

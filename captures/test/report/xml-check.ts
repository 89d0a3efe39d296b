/**
 * A strict, tiny XML 1.0 well-formedness checker for the JUnit tests (no parser package needed):
 * one root element, proper nesting, unique quoted attributes, only the five predefined entities and
 * numeric character references, no raw `<` in attributes, no `]]>` in text, no forbidden chars
 * (XML 1.0 §2.2). It returns the element tree with entities decoded, or throws with a position.
 * No DTD, CDATA or namespaces: the renderer emits none of them, so meeting one is an error here.
 */

export interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  /** decoded text directly inside this element (children's text excluded) */
  text: string;
}

const NAME = /^[A-Za-z_:][A-Za-z0-9_:.-]*/;
const FORBIDDEN =
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const PREDEFINED: Readonly<Record<string, string>> = { lt: "<", gt: ">", amp: "&", quot: '"', apos: "'" };

export function parseXml(doc: string): XmlElement {
  const bad = FORBIDDEN.exec(doc);
  if (bad !== null)
    throw new Error(`forbidden character U+${bad[0].charCodeAt(0).toString(16)} at ${bad.index}`);
  let i = 0;
  const fail = (msg: string): never => {
    throw new Error(`${msg} at offset ${i}: ${JSON.stringify(doc.slice(i, i + 40))}`);
  };
  if (doc.startsWith("<?xml")) {
    const end = doc.indexOf("?>");
    if (end < 0) fail("unterminated XML declaration");
    if (
      !/^<\?xml\s+version="1\.[0-9]"(\s+encoding="[A-Za-z][A-Za-z0-9._-]*")?(\s+standalone="(yes|no)")?\s*\?>$/.test(
        doc.slice(0, end + 2),
      )
    )
      fail("malformed XML declaration");
    i = end + 2;
  }
  const stack: XmlElement[] = [];
  let root: XmlElement | null = null;

  const decode = (raw: string, where: string): string =>
    raw.replace(/&([^;]*);?/g, (m, ref: string) => {
      if (!m.endsWith(";")) fail(`bare & in ${where}`);
      if (ref in PREDEFINED) return PREDEFINED[ref]!;
      const num = /^#(?:x([0-9A-Fa-f]+)|([0-9]+))$/.exec(ref);
      if (num === null) return fail(`unknown entity &${ref}; in ${where}`);
      const cp = num[1] !== undefined ? parseInt(num[1], 16) : parseInt(num[2]!, 10);
      const ch = cp <= 0x10ffff ? String.fromCodePoint(cp) : "";
      if (ch === "" || (cp >= 0xd800 && cp <= 0xdfff) || FORBIDDEN.test(ch))
        fail(`reference to forbidden char &${ref};`);
      return ch;
    });

  while (i < doc.length) {
    const lt = doc.indexOf("<", i);
    const textEnd = lt < 0 ? doc.length : lt;
    const raw = doc.slice(i, textEnd);
    if (raw.includes("]]>")) fail("']]>' in text");
    const top = stack[stack.length - 1];
    if (top === undefined) {
      if (raw.trim() !== "") fail("text outside the root element");
    } else {
      top.text += decode(raw, "text");
    }
    i = textEnd;
    if (lt < 0) break;

    if (doc.startsWith("<!--", i)) {
      const end = doc.indexOf("-->", i + 4);
      if (end < 0 || doc.slice(i + 4, end).includes("--")) fail("bad comment");
      i = end + 3;
      continue;
    }
    if (doc.startsWith("<!", i) || doc.startsWith("<?", i)) fail("DTD, CDATA or PI not expected");
    if (doc.startsWith("</", i)) {
      i += 2;
      const name = NAME.exec(doc.slice(i))?.[0] ?? fail("bad end-tag name");
      i += name.length;
      while (/\s/.test(doc[i] ?? "")) i++;
      if (doc[i] !== ">") fail("bad end tag");
      i++;
      const open = stack.pop();
      if (open === undefined || open.name !== name)
        fail(`end tag </${name}> does not match <${open?.name ?? "(none)"}>`);
      continue;
    }
    i++;
    const name = NAME.exec(doc.slice(i))?.[0] ?? fail("bad element name");
    i += name.length;
    const el: XmlElement = { name, attrs: {}, children: [], text: "" };
    let selfClosing = false;
    for (;;) {
      const ws = /^\s*/.exec(doc.slice(i))![0].length;
      i += ws;
      if (doc.startsWith("/>", i)) {
        selfClosing = true;
        i += 2;
        break;
      }
      if (doc[i] === ">") {
        i++;
        break;
      }
      if (ws === 0) fail("missing whitespace before attribute");
      const an = NAME.exec(doc.slice(i))?.[0] ?? fail("bad attribute name");
      i += an.length;
      const eq = /^\s*=\s*/.exec(doc.slice(i))?.[0] ?? fail("missing = after attribute");
      i += eq.length;
      const q = doc[i];
      if (q !== '"' && q !== "'") fail("unquoted attribute value");
      const end = doc.indexOf(q!, i + 1);
      if (end < 0) fail("unterminated attribute value");
      const rawValue = doc.slice(i + 1, end);
      if (rawValue.includes("<")) fail("'<' in attribute value");
      if (an in el.attrs) fail(`duplicate attribute ${an}`);
      // XML 1.0 §3.3.3: literal TAB/LF/CR normalise to spaces; character references do not.
      el.attrs[an] = decode(rawValue.replace(/[\t\n\r]/g, " "), "attribute");
      i = end + 1;
    }
    const parent = stack[stack.length - 1];
    if (parent === undefined) {
      if (root !== null) fail("second root element");
      root = el;
    } else {
      parent.children.push(el);
    }
    if (!selfClosing) stack.push(el);
  }
  if (stack.length > 0) throw new Error(`unclosed element <${stack[stack.length - 1]!.name}>`);
  if (root === null) throw new Error("no root element");
  return root;
}

/** All descendants (depth first) named `name`. */
export function findAll(el: XmlElement, name: string): XmlElement[] {
  const out: XmlElement[] = [];
  const walk = (e: XmlElement): void => {
    for (const c of e.children) {
      if (c.name === name) out.push(c);
      walk(c);
    }
  };
  walk(el);
  return out;
}

/**
 * A strict scanner for the rendered report page (test oracle): every `<` must open a known tag,
 * attributes must be double-quoted, no event-handler attribute, no URL leaving the page. If capture
 * text ever leaked unescaped, it would show up here as an unknown tag or a stray `<`.
 */

export const ALLOWED_TAGS: ReadonlySet<string> = new Set([
  "html",
  "head",
  "meta",
  "title",
  "style",
  "body",
  "main",
  "header",
  "footer",
  "nav",
  "section",
  "article",
  "details",
  "summary",
  "div",
  "span",
  "p",
  "ul",
  "li",
  "h1",
  "h2",
  "h3",
  "b",
  "i",
  "a",
  "button",
  "code",
  "table",
  "thead",
  "tbody",
  "tr",
  "th",
  "td",
  "script",
  "svg",
  "g",
  "rect",
  "line",
  "path",
  "text",
  "defs",
  "marker",
]);

export interface Tag {
  name: string;
  closing: boolean;
  attrs: Map<string, string>;
}

const TAG = /<(\/?)([a-zA-Z][a-zA-Z0-9-]*)((?:\s+[a-zA-Z_:][a-zA-Z0-9_:.-]*(?:="[^"<]*")?)*)\s*\/?>/y;
const ATTR = /\s+([a-zA-Z_:][a-zA-Z0-9_:.-]*)(?:="([^"<]*)")?/g;

/** Scans the page; throws on anything that is not one of our tags. Style/script bodies are skipped. */
export function scanHtml(html: string): Tag[] {
  const tags: Tag[] = [];
  let i = 0;
  if (!html.startsWith("<!DOCTYPE html>")) throw new Error("no doctype");
  i = "<!DOCTYPE html>".length;
  for (;;) {
    const lt = html.indexOf("<", i);
    if (lt < 0) break;
    TAG.lastIndex = lt;
    const m = TAG.exec(html);
    if (m === null) throw new Error(`stray '<' at ${lt}: ${JSON.stringify(html.slice(lt, lt + 60))}`);
    const name = m[2]!.toLowerCase();
    if (!ALLOWED_TAGS.has(name)) throw new Error(`unexpected tag <${name}> at ${lt}`);
    const attrs = new Map<string, string>();
    for (const a of m[3]!.matchAll(ATTR)) {
      const an = a[1]!.toLowerCase();
      if (attrs.has(an)) throw new Error(`duplicate attribute ${an} on <${name}>`);
      if (an.startsWith("on")) throw new Error(`event handler attribute ${an} on <${name}>`);
      if (an === "src" || an === "srcset" || an === "xlink:href" || an === "action")
        throw new Error(`${an} attribute`);
      attrs.set(an, a[2] ?? "");
    }
    const href = attrs.get("href");
    if (href !== undefined && !href.startsWith("#")) throw new Error(`href leaving the page: ${href}`);
    tags.push({ name, closing: m[1] === "/", attrs });
    i = lt + m[0].length;
    if (!m[1] && (name === "style" || name === "script")) {
      const end = html.indexOf(`</${name}>`, i);
      if (end < 0) throw new Error(`unclosed <${name}>`);
      i = end;
    }
  }
  return tags;
}

/** Tags carrying `data-testid="<id>"`. */
export function byTestId(tags: readonly Tag[], id: string): Tag[] {
  return tags.filter((t) => !t.closing && t.attrs.get("data-testid") === id);
}

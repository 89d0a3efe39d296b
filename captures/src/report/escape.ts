/**
 * Escaping for everything the renderers take from a capture. SIP content is hostile input: a
 * Call-ID, a display name or a Reason phrase can hold `<script>`, `]]>` or raw control bytes, so
 * every string that came off the wire passes through one of these before it reaches a page or XML.
 */

/**
 * Characters XML 1.0 forbids even as character references (XML 1.0 §2.2 `Char` production):
 * C0 controls other than TAB, LF and CR, the non-characters U+FFFE/U+FFFF and lone surrogates.
 * HTML parsers tolerate some of them but flag them as parse errors, so both outputs drop them.
 */
const INVALID_CHARS =
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Replaces characters no XML/HTML document may carry with U+FFFD (the replacement character). */
export function sanitizeChars(s: string): string {
  return s.replace(INVALID_CHARS, "\uFFFD");
}

const HTML_ENTITIES: Readonly<Record<string, string>> = Object.freeze({
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
});

/** Escapes text for HTML element content and for double- or single-quoted attribute values. */
export function escapeHtml(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return "";
  return sanitizeChars(String(value)).replace(/[&<>"']/g, (c) => HTML_ENTITIES[c] ?? c);
}

const XML_ENTITIES: Readonly<Record<string, string>> = Object.freeze({
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&apos;",
  // XML 1.0 §3.3.3: a parser normalises literal TAB/LF/CR in attribute values to spaces, and §2.11
  // turns CR (and CR LF) into LF everywhere; character references survive both.
  "\t": "&#9;",
  "\n": "&#10;",
  "\r": "&#13;",
});

/** Escapes text for XML element content (no CDATA anywhere, so `]]>` cannot break out). */
export function escapeXml(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return "";
  return sanitizeChars(String(value)).replace(/[&<>"'\r]/g, (c) => XML_ENTITIES[c] ?? c);
}

/** Escapes text for an XML attribute value, keeping TAB/LF/CR through attribute normalisation. */
export function escapeXmlAttr(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return "";
  return sanitizeChars(String(value)).replace(/[&<>"'\t\n\r]/g, (c) => XML_ENTITIES[c] ?? c);
}

/** Shortens a string to at most `max` code points, marking the cut with an ellipsis. */
export function clip(s: string, max: number): string {
  const points = Array.from(s);
  if (points.length <= max) return s;
  return points.slice(0, Math.max(1, max - 1)).join("") + "…";
}

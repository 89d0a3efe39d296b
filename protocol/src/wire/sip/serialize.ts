/**
 * serializeSip: the wire form of a message. RFC 3261 §7: start-line, each header as
 * `name: value` CRLF, an empty CRLF line, then the body as is. Header names are written as they
 * were received (`raw`, so compact forms stay compact); Content-Length is never added or fixed:
 * the caller owns it (RFC 3261 §18.3 makes it mandatory on streams).
 */
import type { SipMessage } from "./types.ts";

export function serializeSip(msg: SipMessage): Buffer {
  const start =
    msg.kind === "request"
      ? `${msg.method} ${msg.uri} ${msg.version}`
      : `${msg.version} ${msg.status} ${msg.reason}`;
  let head = `${start}\r\n`;
  for (const h of msg.headers) head += `${h.raw}: ${h.value}\r\n`;
  head += "\r\n";
  return msg.body.length === 0
    ? Buffer.from(head, "utf8")
    : Buffer.concat([Buffer.from(head, "utf8"), msg.body]);
}

/**
 * The bytes a transport writes for a message.
 *
 * RFC 3261 §18.3: "The Content-Length header field MUST be used with stream oriented transports."
 * RFC 3261 §20.14: "The Content-Length header field value ... indicates the size of the
 * message-body ... If no body is present in a message, then the Content-Length header field value
 * MUST be set to zero." A message handed to a transport without one gets one, with the body's
 * length; one that has one is written as is (serializeSip never rewrites headers).
 */
import type { SipMessage } from "../wire/sip/index.ts";
import { serializeSip } from "../wire/sip/index.ts";

export function withContentLength(message: SipMessage): SipMessage {
  if (message.headers.some((h) => h.name === "content-length")) return message;
  return {
    ...message,
    headers: [
      ...message.headers,
      { name: "content-length", raw: "Content-Length", value: String(message.body.length) },
    ],
  };
}

export function toWire(message: SipMessage | Buffer): Buffer {
  return Buffer.isBuffer(message) ? message : serializeSip(withContentLength(message));
}

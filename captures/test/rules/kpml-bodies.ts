/** RFC 4730 KPML bodies and the SUBSCRIBE/NOTIFY headers that carry them (RFC 6665 §8.2.1, §7.2). */

export const KPML_REQUEST = [
  '<?xml version="1.0" encoding="UTF-8"?>',
  '<kpml-request xmlns="urn:ietf:params:xml:ns:kpml-request" version="1.0">',
  '  <pattern persist="persist"><regex tag="dtmf">[x*#ABCD]</regex></pattern>',
  "</kpml-request>",
].join("\r\n");

export const SUBSCRIBE_KPML = Object.freeze({
  headers: ["Event: kpml", "Expires: 7200", "Accept: application/kpml-response+xml"],
  body: KPML_REQUEST,
  contentType: "application/kpml-request+xml",
});

export function notifyKpml(digits: string): { headers: string[]; body: string; contentType: string } {
  return {
    headers: ["Event: kpml", "Subscription-State: active;expires=7000"],
    body: `<?xml version="1.0" encoding="UTF-8"?>\r\n<kpml-response version="1.0" code="200" text="OK" digits="${digits}" tag="dtmf"/>`,
    contentType: "application/kpml-response+xml",
  };
}

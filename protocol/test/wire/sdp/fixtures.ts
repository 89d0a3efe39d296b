/** SDP bodies shared by the SDP tests. Real ones say where they were copied from. */

const crlf = (lines: readonly string[]): string => lines.join("\r\n") + "\r\n";

/** DOMAIN.md §6.4: G.711 µ-law with telephone-event 101 and the default DTMF range written out. */
export const DOMAIN_OFFER = crlf([
  "v=0",
  "o=mvs 1000 1 IN IP4 192.0.2.10",
  "s=-",
  "c=IN IP4 192.0.2.10",
  "t=0 0",
  "m=audio 20000 RTP/AVP 0 101",
  "a=rtpmap:101 telephone-event/8000",
  "a=fmtp:101 0-15",
]);

/**
 * Delayed offer in a 200 OK: captures/public/ws-sample-sip-dtmf2-rfc2833.pcap frame 20
 * (SIP IP-DECT gateway, NEC Philips), body copied byte for byte (CRLF line ends).
 */
export const DELAYED_OFFER_200 = crlf([
  "v=0",
  "o=SIPDECT2504 4400 1459 IN IP4 192.168.105.110",
  "s=-",
  "c=IN IP4 192.168.105.110",
  "t=0 0",
  "m=audio 4376 RTP/AVP 8 0 18 96",
  "a=sendrecv",
  "a=ptime:30",
  "a=rtpmap:8 PCMA/8000",
  "a=rtpmap:0 PCMU/8000",
  "a=rtpmap:18 G729/8000",
  "a=rtpmap:96 telephone-event/8000",
  "a=fmtp:96 0-15",
]);

/** The answer in the ACK of the same call (frame 22). */
export const DELAYED_ANSWER_ACK = crlf([
  "v=0",
  "o=SIPDECT2502 11055 10755 IN IP4 192.168.105.110",
  "s=-",
  "c=IN IP4 192.168.105.110",
  "t=0 0",
  "m=audio 4374 RTP/AVP 8 96",
  "a=sendrecv",
  "a=ptime:30",
  "a=rtpmap:8 PCMA/8000",
  "a=rtpmap:96 telephone-event/8000",
  "a=fmtp:96 0-15",
]);

/**
 * Adapted from captures/public/ws-sample-fax-call-t38-multileg.pcap frame 56 (MEGACO): an audio
 * descriptor with events "0-15,32" and a T.38 descriptor `m=image 0 udptl t38`. They are two SDP
 * bodies in that frame; here the image m-line is appended to the audio body, with LF line ends.
 */
export const FAX_AUDIO_AND_T38 = [
  "v=0",
  "o=- 754580423 1 IN IP4 10.35.60.100",
  "s=-",
  "c=IN IP4 10.35.60.100",
  "t=0 0",
  "m=audio 15580 RTP/AVP 8 102",
  "a=rtpmap:102 telephone-event/8000",
  "a=fmtp:102 0-15,32",
  "a=ptime:20",
  "a=sendrecv",
  "m=image 0 udptl t38",
].join("\n");

/** Same capture, frame 22: telephone-event with an explicit channel count, G726-32 on dynamic 103. */
export const FAX_AUDIO_WITH_CHANNELS = crlf([
  "v=0",
  "o=- 191 1228500736 IN IP4 10.23.1.52",
  "s=-",
  "c=IN IP4 10.23.1.52",
  "t=0 0",
  "m=audio 16756 RTP/AVP 8 103 102",
  "a=rtpmap:103 G726-32/8000",
  "a=ptime:30",
  "a=rtpmap:102 telephone-event/8000/1",
  "a=fmtp:102 0-15",
]);

/**
 * Cisco IOS gateway answer, from the Cisco IOS 15M&T SIP configuration guide ("Configuring SIP
 * DTMF Features", KPML example): static PTs with rtpmaps, CN on 19, c= at both levels.
 */
export const CISCO_IOS_ANSWER = crlf([
  "v=0",
  "o=CiscoSystemsSIP-GW-UserAgent 9384 6237 IN IP4 172.18.193.250",
  "s=SIP Call",
  "c=IN IP4 172.18.193.250",
  "t=0 0",
  "m=audio 17468 RTP/AVP 0 19",
  "c=IN IP4 172.18.193.250",
  "a=rtpmap:0 PCMU/8000",
  "a=rtpmap:19 CN/8000",
  "a=ptime:20",
]);

/** Hand-written: media-level c= overriding the session one, session-level sendonly, T.38 attributes. */
export const MEDIA_LEVEL_CONNECTION = crlf([
  "v=0",
  "o=- 1 2 IN IP4 198.51.100.1",
  "s=-",
  "c=IN IP4 198.51.100.1",
  "t=0 0",
  "a=sendonly",
  "m=audio 30000 RTP/AVP 18 101",
  "c=IN IP4 203.0.113.7",
  "a=rtpmap:18 G729/8000",
  "a=fmtp:18 annexb=no",
  "a=rtpmap:101 telephone-event/8000",
  "a=fmtp:101 0-16",
  "m=audio 30002 RTP/AVP 0",
  "a=recvonly",
  "m=image 30004 udptl t38",
  "a=T38FaxVersion:0",
  "a=T38FaxRateManagement:transferredTCF",
  "a=T38FaxUdpEC:t38UDPRedundancy",
]);

/** Hand-written: RFC 2543 legacy hold (c=0.0.0.0) and static PTs without any rtpmap. */
export const LEGACY_HOLD_STATIC_ONLY = crlf([
  "v=0",
  "o=- 5 6 IN IP4 192.0.2.20",
  "s=-",
  "c=IN IP4 0.0.0.0",
  "t=0 0",
  "m=audio 40000 RTP/AVP 0 8 18 13 9",
]);

/** Hand-written: an answer rejecting the audio stream (RFC 3264 §6, port 0). */
export const REJECTED_ANSWER = crlf([
  "v=0",
  "o=- 7 8 IN IP4 192.0.2.30",
  "s=-",
  "c=IN IP4 192.0.2.30",
  "t=0 0",
  "m=audio 0 RTP/AVP 0",
]);

/**
 * Link-layer header types (https://www.tcpdump.org/linktypes.html) and EtherTypes
 * (IEEE registry) that the decoders understand. Data, not scattered literals.
 */
export const LINKTYPE = Object.freeze({
  /** BSD loopback: 4-byte address family in the capturing host's byte order */
  NULL: 0,
  ETHERNET: 1,
  /** DLT_RAW as most BSDs and Linux number it in their headers */
  RAW_DLT12: 12,
  /** DLT_RAW on OpenBSD */
  RAW_DLT14: 14,
  RAW: 101,
  /** OpenBSD loopback: 4-byte address family in network byte order */
  LOOP: 108,
  LINUX_SLL: 113,
  IPV4: 228,
  IPV6: 229,
  LINUX_SLL2: 276,
});

export const ETHERTYPE = Object.freeze({
  IPV4: 0x0800,
  ARP: 0x0806,
  VLAN_8021Q: 0x8100,
  IPV6: 0x86dd,
  PPPOE_SESSION: 0x8864,
  MPLS_UNICAST: 0x8847,
  MPLS_MULTICAST: 0x8848,
  QINQ_8021AD: 0x88a8,
  /** pre-standard stacked VLAN TPIDs */
  QINQ_9100: 0x9100,
  QINQ_9200: 0x9200,
  /** GRE "Transparent Ethernet Bridging" */
  TEB: 0x6558,
  /** GRE protocol of ERSPAN type I/II */
  ERSPAN_2: 0x88be,
  /** GRE protocol of ERSPAN type III */
  ERSPAN_3: 0x22eb,
  /** not an EtherType: an IEEE 802.3 length field followed by an 802.2 LLC header (not SNAP) */
  LLC: 0,
});

/** Address families seen in DLT_NULL / DLT_LOOP headers, by operating system. */
export const LOOPBACK_FAMILY = Object.freeze({
  INET: 2,
  /** AF_INET6 is 24 on NetBSD/OpenBSD/BSD/OS, 28 on FreeBSD/DragonFly, 30 on macOS, 10 on Linux, 23 on Windows */
  INET6: Object.freeze([24, 28, 30, 10, 23]) as readonly number[],
});

/** Point-to-Point protocol numbers inside PPPoE (RFC 1661 §2, RFC 1332, RFC 5072). */
export const PPP_PROTOCOL = Object.freeze({ IPV4: 0x0021, IPV6: 0x0057 });

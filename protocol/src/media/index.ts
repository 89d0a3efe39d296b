export { DtmfRelay } from "./dtmf-relay.ts";
export type { LegCounters } from "./dtmf-relay.ts";
export { DTMF_RELAY_DEFAULTS, LEG_IDS, otherLeg, resolveLeg } from "./dtmf-relay-config.ts";
export type {
  DtmfMethod,
  DtmfRelayConfig,
  EgressMethod,
  LegDtmfConfig,
  LegDtmfUpdate,
  LegId,
  OobMethod,
  ResolvedLeg,
} from "./dtmf-relay-config.ts";
export { CollectingSink, dtmfLogToJsonLines } from "./dtmf-relay-io.ts";
export type { DtmfLogEntry, RelayInput, RelayNoteCode, RelayOutput, RelaySink } from "./dtmf-relay-io.ts";
export { PortPool } from "./port-pool.ts";
export type { PortRange, PortSource } from "./port-pool.ts";
export { RTP_SOCKET_DEFAULTS, RtpSocket } from "./rtp-socket.ts";
export type {
  MediaIoBackend,
  MediaSocket,
  RtpEndpoint,
  RtpPacketHandler,
  RtpSocketCounters,
  RtpSocketOptions,
} from "./media-socket.ts";
export { NativeRtpSocket } from "./native-socket.ts";
export { MEDIA_IO_ENV, chooseMediaIo, openMediaSocket } from "./media-io.ts";
export type { MediaIoChoice } from "./media-io.ts";
export { nativeIoStatus } from "./native-io.ts";
export type { NativeIoStats } from "./native-io.ts";
export { MediaRelay, MediaRelayError } from "./media-relay.ts";
export type {
  MediaLegOptions,
  MediaLegStats,
  MediaRelayErrorCode,
  MediaRelayOptions,
} from "./media-relay.ts";
export { MEDIA_RELAY_GROUP_DEFAULTS, MediaRelayGroup, WorkerMediaRelay } from "./media-relay-group.ts";
export type { MediaRelayGroupOptions } from "./media-relay-group.ts";
export type { WorkerIoReport } from "./media-worker-protocol.ts";

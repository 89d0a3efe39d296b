import type { MediaIoBackend, MediaSocket, RtpSocketOptions } from "./media-socket.ts";
import { NativeIo } from "./native-io.ts";
import { NativeRtpSocket } from "./native-socket.ts";
import { RtpSocket } from "./rtp-socket.ts";

/**
 * Which I/O path a media socket gets: the batched native path (native-io.ts) when its addon is built
 * and loads in this thread, else node:dgram. `MVSCT_MEDIA_IO=dgram|native` overrides the default
 * for A/B runs (read per thread: a worker inherits the variable); a MediaRelay's `io` option
 * overrides both. Asking for "native" where it is unavailable gives dgram: the relay works either
 * way, and the socket's `io` (and MediaRelay.stats()) says which one it got.
 */

export const MEDIA_IO_ENV = "MVSCT_MEDIA_IO";

export interface MediaIoChoice {
  readonly backend: MediaIoBackend;
  /** why: "default", "MVSCT_MEDIA_IO=dgram", "option", or why native is unavailable */
  readonly reason: string;
}

/** The backend a socket opened now in this thread gets (`requested`: MediaRelayOptions.io). */
export function chooseMediaIo(requested?: MediaIoBackend): MediaIoChoice {
  const env = process.env[MEDIA_IO_ENV];
  const fromEnv = env === "dgram" || env === "native" ? env : undefined;
  const want = requested ?? fromEnv ?? "native";
  const why =
    requested !== undefined ? "option" : fromEnv !== undefined ? `${MEDIA_IO_ENV}=${fromEnv}` : "default";
  if (want === "dgram") return { backend: "dgram", reason: why };
  if (NativeIo.get() !== null) return { backend: "native", reason: why };
  return { backend: "dgram", reason: `native unavailable: ${NativeIo.failureReason}` };
}

/** Opens a media leg's socket on the chosen backend; rejects with the bind error. */
export function openMediaSocket(opts: RtpSocketOptions, requested?: MediaIoBackend): Promise<MediaSocket> {
  return chooseMediaIo(requested).backend === "native" ? NativeRtpSocket.open(opts) : RtpSocket.open(opts);
}

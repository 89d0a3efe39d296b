/** The media I/O backends the socket and relay tests run on (protocol/src/media/media-io.ts). */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { MediaIoBackend } from "../../src/media/media-socket.ts";
import { NATIVE_ADDON_RELATIVE_PATH, nativeIoStatus, packageRoot } from "../../src/media/native-io.ts";

const root = packageRoot(fileURLToPath(new URL(".", import.meta.url)));
const built = root !== null && existsSync(join(root, NATIVE_ADDON_RELATIVE_PATH));

/**
 * Skip the native cases ONLY when the addon was never built; a built addon that fails to load is a
 * failure (the cases then run, and fail on `io !== "native"`).
 */
export const NATIVE_SKIP: string | false = built
  ? false
  : `native UDP batch path not built (${nativeIoStatus().reason}): run scripts/build-native.sh`;

export const IO_BACKENDS: readonly { readonly io: MediaIoBackend; readonly skip: string | false }[] = [
  { io: "dgram", skip: false },
  { io: "native", skip: NATIVE_SKIP },
];

/** Where the CLI writes: injected so black-box tests can capture it. */
export interface Io {
  out(text: string): void;
  /** UTF-8 bytes for stdout, in order with `out` (optional: large documents skip a decode/encode) */
  outBytes?(bytes: Uint8Array): void;
  err(text: string): void;
  readonly isTty: boolean;
}

export const processIo: Io = {
  out: (t) => void process.stdout.write(t),
  outBytes: (b) => void process.stdout.write(b),
  err: (t) => void process.stderr.write(t),
  isTty: process.stdout.isTTY === true,
};

/** Where the CLI writes: injected so black-box tests can capture it. */
export interface Io {
  out(text: string): void;
  err(text: string): void;
  readonly isTty: boolean;
}

export const processIo: Io = {
  out: (t) => void process.stdout.write(t),
  err: (t) => void process.stderr.write(t),
  isTty: process.stdout.isTTY === true,
};

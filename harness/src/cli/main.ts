/** mvsct: the command-line entry. Never prints a stack trace: internal errors are one line, exit 3. */
import { type Io, processIo } from "./io.ts";

const USAGE = `mvsct — MVS / CUCM / ISR DTMF and codec conformance toolkit

usage:
  mvsct analyze <capture> [--json] [--junit FILE] [--html FILE] [--inband auto|all|off]
      explain a field capture: legs, codecs, DTMF per leg, findings with their fixes
  mvsct b2bua --listen IP:PORT --next-hop IP:PORT [--config FILE] [--dtmf-log FILE]
      relay every call to the next hop: media anchored, codecs per leg, DTMF interworked
  mvsct help
`;

export async function main(argv: readonly string[], io: Io = processIo): Promise<number> {
  const [cmd, ...rest] = argv;
  try {
    switch (cmd) {
      // each command loads only its own modules: `analyze` never pays for the SIP stack's start-up
      case "analyze":
        return (await import("./analyze-command.ts")).analyzeCommand(rest, io);
      case "b2bua":
        return (await import("./b2bua-command.ts")).b2buaCommand(rest, io);
      case undefined:
      case "help":
      case "--help":
      case "-h":
        io.out(USAGE);
        return cmd === undefined ? 2 : 0;
      default:
        io.err(`mvsct: unknown command "${cmd}"\n${USAGE}`);
        return 2;
    }
  } catch (e) {
    io.err(
      `mvsct: internal error: ${e instanceof Error ? e.message : String(e)} (please report it with the input)\n`,
    );
    return 3;
  }
}

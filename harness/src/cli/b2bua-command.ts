/**
 * `mvsct b2bua --listen 127.0.0.1:5070 --next-hop 127.0.0.1:5080 [--config b2bua.yaml]
 *  [--dtmf-log FILE] [--rtp-ports 21000-21999] [--rtp-address IP] [--transport udp|tcp]
 *  [--media-workers N] [--quiet]`
 *
 * Relays every call arriving on the listen address (UDP and TCP) to the next hop. Prints
 * `b2bua ready ...` on stdout once listening; one line per call event on stderr (unless --quiet);
 * the DTMF log as JSON lines. SIGINT/SIGTERM: BYE every call, wait (bounded) for the answers, exit
 * 0. Exit 2 on bad arguments or config, 1 when the address cannot be bound.
 */
import { createWriteStream, readFileSync } from "node:fs";
import type { WriteStream } from "node:fs";
import { basename } from "node:path";
import { B2bua } from "../../../protocol/src/b2bua/index.ts";
import type { B2buaEvent } from "../../../protocol/src/b2bua/index.ts";
import { createRealClock } from "../../../protocol/src/transaction/index.ts";
import { TcpTransport, TransportSet, UdpTransport } from "../../../protocol/src/transport/index.ts";
import type { SipTransport } from "../../../protocol/src/transport/index.ts";
import type { DtmfLogEntry } from "../../../protocol/src/media/index.ts";
import { parseArgs } from "./args.ts";
import { DEFAULT_B2BUA_CONFIG, parseB2buaConfig, parseHostPort, parsePortRange } from "./b2bua-config.ts";
import type { B2buaConfig } from "./b2bua-config.ts";
import type { Io } from "./io.ts";

/** RTP relayed on 2 worker threads: the lower median latency measured here (bench/b2bua/NOTES.md) */
const DEFAULT_MEDIA_WORKERS = 2;
const MAX_MEDIA_WORKERS = 16;

export const B2BUA_USAGE = `usage: mvsct b2bua --listen IP:PORT --next-hop IP:PORT [--config FILE] [--dtmf-log FILE]
                   [--rtp-ports MIN-MAX] [--rtp-address IP] [--transport udp|tcp]
                   [--media-workers N] [--quiet]
  --media-workers N  threads relaying RTP (0: the SIP thread; default ${DEFAULT_MEDIA_WORKERS})
`;

function describe(e: B2buaEvent): string {
  switch (e.kind) {
    case "call-started":
      return `call ${e.callId}: from ${e.from} to ${e.to}`;
    case "call-answered":
      return `call ${e.callId}: answered (${e.codec})`;
    case "call-ended":
      return `call ${e.callId}: ended (${e.reason})`;
    case "call-refused":
      return `call ${e.callId}: refused ${e.status} (${e.reason})`;
    case "note":
      return `call ${e.callId}${e.leg === null ? "" : ` leg ${e.leg}`}: ${e.message}`;
  }
}

export async function b2buaCommand(argv: readonly string[], io: Io): Promise<number> {
  const args = parseArgs(argv, [
    { name: "listen", takesValue: true },
    { name: "next-hop", takesValue: true },
    { name: "config", takesValue: true },
    { name: "dtmf-log", takesValue: true },
    { name: "rtp-ports", takesValue: true },
    { name: "rtp-address", takesValue: true },
    { name: "transport", takesValue: true, values: ["udp", "tcp"] },
    { name: "media-workers", takesValue: true },
    { name: "quiet", takesValue: false },
  ]);
  if (!args.ok) {
    io.err(`mvsct b2bua: ${args.message}\n${B2BUA_USAGE}`);
    return 2;
  }
  if (args.positional.length > 0) {
    io.err(`mvsct b2bua: unexpected argument "${args.positional[0]}"\n${B2BUA_USAGE}`);
    return 2;
  }
  const flag = (n: string): string | undefined => {
    const v = args.flags.get(n);
    return typeof v === "string" ? v : undefined;
  };

  let config: B2buaConfig = DEFAULT_B2BUA_CONFIG;
  const configFile = flag("config");
  if (configFile !== undefined) {
    let text: string;
    try {
      text = readFileSync(configFile, "utf8");
    } catch (e) {
      io.err(`mvsct b2bua: cannot read ${configFile}: ${e instanceof Error ? e.message : String(e)}\n`);
      return 2;
    }
    const parsed = parseB2buaConfig(text);
    if (!parsed.ok) {
      io.err(`${basename(configFile)}: ${parsed.field}: ${parsed.reason}\n`);
      return 2;
    }
    config = parsed.config;
  }

  const listenText = flag("listen");
  const hopText = flag("next-hop");
  const listen = listenText === undefined ? config.listen : parseHostPort(listenText);
  const nextHop = hopText === undefined ? config.nextHop : parseHostPort(hopText);
  if (listen === null || nextHop === null) {
    const which = listen === null ? "--listen" : "--next-hop";
    const given = listen === null ? listenText : hopText;
    io.err(
      `mvsct b2bua: ${which} ${given === undefined ? "is required" : `"${given}" must be IP:port`}\n${B2BUA_USAGE}`,
    );
    return 2;
  }
  let rtpPorts = config.rtpPorts;
  const portsText = flag("rtp-ports");
  if (portsText !== undefined) {
    try {
      rtpPorts = parsePortRange(portsText, "--rtp-ports");
    } catch (e) {
      io.err(`mvsct b2bua: ${e instanceof Error ? e.message : String(e)}\n`);
      return 2;
    }
  }
  const rtpAddress = flag("rtp-address") ?? config.rtpAddress ?? listen.host;
  const transport = (flag("transport") as "udp" | "tcp" | undefined) ?? config.transport;
  const quiet = args.flags.has("quiet");
  const workersText = flag("media-workers");
  const mediaWorkers = workersText === undefined ? DEFAULT_MEDIA_WORKERS : Number(workersText);
  if (!/^\d+$/.test(workersText ?? "0") || mediaWorkers > MAX_MEDIA_WORKERS) {
    io.err(`mvsct b2bua: --media-workers "${workersText}" must be 0..${MAX_MEDIA_WORKERS}\n${B2BUA_USAGE}`);
    return 2;
  }

  let sip: SipTransport;
  try {
    const udp = await UdpTransport.open({ host: listen.host, port: listen.port });
    let tcp: TcpTransport;
    try {
      tcp = await TcpTransport.open({ host: listen.host, port: listen.port });
    } catch (e) {
      await udp.close();
      throw e;
    }
    sip = new TransportSet([udp, tcp]);
  } catch (e) {
    io.err(
      `mvsct b2bua: cannot listen on ${listen.host}:${listen.port}: ${e instanceof Error ? e.message : String(e)}\n`,
    );
    return 1;
  }

  let dtmfLog: WriteStream | null = null;
  const dtmfFile = flag("dtmf-log");
  if (dtmfFile !== undefined) dtmfLog = createWriteStream(dtmfFile, { flags: "a" });
  const onDtmfLog = (entry: DtmfLogEntry): void => void dtmfLog?.write(JSON.stringify(entry) + "\n");

  const b2bua = new B2bua({
    transport: sip,
    nextHop: { host: nextHop.host, port: nextHop.port, transport },
    rtpAddress,
    rtpPorts,
    mediaWorkers,
    policy: config.policy,
    clock: createRealClock({ unref: true }),
    transactionConfig: { timers: config.timers },
    ...(config.maxTransactions === null ? {} : { maxTransactions: config.maxTransactions }),
    sessionTimer:
      config.sessionExpiresS === 0
        ? null
        : {
            sessionExpiresS: config.sessionExpiresS,
            minSeS: Math.min(90, config.sessionExpiresS),
            refresher: "uac",
          },
    onDtmfLog,
    onEvent: (e) => {
      if (!quiet) io.err(`mvsct b2bua: ${describe(e)}\n`);
    },
  });

  // "The process must not crash on anything a peer sends": a bug reached by a message is logged,
  // and the server keeps serving the other calls.
  const onUncaught = (e: unknown): void => {
    io.err(
      `mvsct b2bua: internal error (continuing): ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`,
    );
  };
  process.on("uncaughtException", onUncaught);

  io.out(
    `b2bua ready: udp+tcp ${listen.host}:${listen.port} -> ${transport} ${nextHop.host}:${nextHop.port}, rtp ${rtpAddress} ${rtpPorts.min}-${rtpPorts.max}\n`,
  );

  const signal = await new Promise<string>((resolve) => {
    process.once("SIGINT", () => resolve("SIGINT"));
    process.once("SIGTERM", () => resolve("SIGTERM"));
  });
  const active = b2bua.callCount;
  if (!quiet) io.err(`mvsct b2bua: ${signal}: ending ${active} call(s)\n`);
  const clean = await b2bua.shutdown();
  if (!clean && !quiet) io.err(`mvsct b2bua: ${b2bua.callCount} call(s) did not answer the BYE in time\n`);
  await b2bua.close();
  await sip.close();
  if (dtmfLog !== null) await new Promise<void>((r) => dtmfLog!.end(() => r()));
  process.off("uncaughtException", onUncaught);
  return 0;
}

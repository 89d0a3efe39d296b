/** A small, strict argv parser: known flags only, a clear message for anything else. */
export interface FlagSpec {
  readonly name: string;
  readonly takesValue: boolean;
  readonly values?: readonly string[];
}

export type ParsedArgs =
  { ok: true; positional: string[]; flags: Map<string, string | true> } | { ok: false; message: string };

export function parseArgs(argv: readonly string[], specs: readonly FlagSpec[]): ParsedArgs {
  const positional: string[] = [];
  const flags = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === "--") {
      positional.push(...argv.slice(i + 1));
      break;
    }
    if (!a.startsWith("--") || a === "-") {
      positional.push(a);
      continue;
    }
    const eq = a.indexOf("=");
    const name = eq > 0 ? a.slice(2, eq) : a.slice(2);
    const spec = specs.find((s) => s.name === name);
    if (spec === undefined) return { ok: false, message: `unknown option --${name}` };
    if (!spec.takesValue) {
      if (eq > 0) return { ok: false, message: `--${name} takes no value` };
      flags.set(name, true);
      continue;
    }
    const value = eq > 0 ? a.slice(eq + 1) : argv[++i];
    if (value === undefined || value === "") return { ok: false, message: `--${name} needs a value` };
    if (spec.values !== undefined && !spec.values.includes(value))
      return { ok: false, message: `--${name} must be one of ${spec.values.join(", ")}` };
    flags.set(name, value);
  }
  return { ok: true, positional, flags };
}

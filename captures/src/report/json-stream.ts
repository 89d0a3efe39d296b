/**
 * The JSON document in pieces: byte for byte what `JSON.stringify(doc, null, 2)` gives, but the
 * top-level arrays (legs, ladder, streams...) are written one element at a time, so a large capture
 * never needs the whole document as one string in memory.
 */
export function* prettyJsonChunks(doc: object): Generator<string> {
  const entries = Object.entries(doc).filter(([, v]) => v !== undefined && typeof v !== "function");
  if (entries.length === 0) {
    yield "{}";
    return;
  }
  yield "{\n";
  for (let i = 0; i < entries.length; i++) {
    const [key, value] = entries[i]!;
    const sep = i < entries.length - 1 ? ",\n" : "\n";
    if (Array.isArray(value) && value.length > 0) {
      yield `  ${JSON.stringify(key)}: [\n`;
      for (let j = 0; j < value.length; j++) {
        const text = JSON.stringify(value[j] ?? null, null, 2).replace(/\n/g, "\n    ");
        yield `    ${text}${j < value.length - 1 ? ",\n" : "\n"}`;
      }
      yield `  ]${sep}`;
    } else {
      yield `  ${JSON.stringify(key)}: ${JSON.stringify(value, null, 2).replace(/\n/g, "\n  ")}${sep}`;
    }
  }
  yield "}";
}

/** Compact: byte for byte `JSON.stringify(doc)`, the top-level arrays one element at a time. */
export function* compactJsonChunks(doc: object): Generator<string> {
  const entries = Object.entries(doc).filter(([, v]) => v !== undefined && typeof v !== "function");
  yield "{";
  for (let i = 0; i < entries.length; i++) {
    const [key, value] = entries[i]!;
    yield `${i > 0 ? "," : ""}${JSON.stringify(key)}:`;
    if (Array.isArray(value)) {
      yield "[";
      for (let j = 0; j < value.length; j++) yield `${j > 0 ? "," : ""}${JSON.stringify(value[j] ?? null)}`;
      yield "]";
    } else yield JSON.stringify(value);
  }
  yield "}";
}

/** Writes the document through `write` in batches of about 64 KiB, indented or compact. */
export function writeJson(doc: object, write: (text: string) => void, pretty: boolean): void {
  let batch = "";
  for (const chunk of pretty ? prettyJsonChunks(doc) : compactJsonChunks(doc)) {
    batch += chunk;
    if (batch.length >= 65536) {
      write(batch);
      batch = "";
    }
  }
  write(`${batch}\n`);
}

export function writePrettyJson(doc: object, write: (text: string) => void): void {
  writeJson(doc, write, true);
}

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

/** Writes the chunks through `write` in batches of about 64 KiB. */
export function writePrettyJson(doc: object, write: (text: string) => void): void {
  let batch = "";
  for (const chunk of prettyJsonChunks(doc)) {
    batch += chunk;
    if (batch.length >= 65536) {
      write(batch);
      batch = "";
    }
  }
  write(`${batch}\n`);
}

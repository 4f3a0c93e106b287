import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";
import { utf8Text } from "./utf8-text.js";

/**
 * Files of one key line, then a JSON value (`state_manifest.json`, `state_checksums.json`,
 * `manifest.state.json`): a reader compares the key before parsing the value, which may be
 * megabytes.
 */

/**
 * The key line of `file` and its value, parsed on demand (`text`: the value's JSON as written;
 * `bytes`: the file's, the value from byte `valueAt`); undefined when it cannot be read.
 */
export function readKeyed(
  file: string,
): { key: string; value(): unknown; text(): string; bytes: Buffer; valueAt: number } | undefined {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch {
    return undefined;
  }
  const text = utf8Text(bytes);
  const newline = text.indexOf("\n");
  if (newline < 0) return undefined;
  return {
    key: text.slice(0, newline),
    value: () => JSON.parse(text.slice(newline + 1)),
    text: () => text.slice(newline + 1),
    bytes,
    // The key line holds no raw newline: the first newline byte ends it.
    valueAt: bytes.indexOf(10) + 1,
  };
}

/**
 * Write `key`, a newline and `json` (a value's JSON text, or its pieces in order: texts and
 * UTF-8 bytes) to `file`, through a temporary file: a reader never sees half.
 */
export function writeKeyedText(
  file: string,
  key: string,
  json: string | readonly (string | Buffer)[],
): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  const pieces = typeof json === "string" ? [json] : json;
  writeFileSync(
    tmp,
    Buffer.concat([`${key}\n`, ...pieces].map((p) => (typeof p === "string" ? Buffer.from(p) : p))),
  );
  renameSync(tmp, file);
}

import { isAscii } from "node:buffer";
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";

/**
 * Files of one key line, then a JSON value (`state_manifest.json`, `state_checksums.json`,
 * `manifest.state.json`): a reader compares the key before parsing the value, which may be
 * megabytes.
 */

/**
 * The key line of `file` and its value, parsed on demand (`text`: the value's JSON as written);
 * undefined when it cannot be read.
 */
export function readKeyed(
  file: string,
): { key: string; value(): unknown; text(): string } | undefined {
  let text: string;
  try {
    text = utf8Text(readFileSync(file));
  } catch {
    return undefined;
  }
  const newline = text.indexOf("\n");
  if (newline < 0) return undefined;
  return {
    key: text.slice(0, newline),
    value: () => JSON.parse(text.slice(newline + 1)),
    text: () => text.slice(newline + 1),
  };
}

/**
 * Write `key`, a newline and `json` (a value's JSON text) to `file`, through a temporary file: a
 * reader never sees half.
 */
export function writeKeyedText(file: string, key: string, json: string): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${key}\n${json}`);
  renameSync(tmp, file);
}

/**
 * UTF-8 bytes as text, the same as `bytes.toString("utf8")`: decoded as Latin-1 when they are
 * all ASCII (then the same text, copied byte for byte). Node 20's UTF-8 decode took 70-90 ms
 * of CPU for a 5 MB sidecar at 10,000 models; reading the bytes, checking and copying them
 * 1-15 ms once the pages are in memory.
 *
 * @example utf8Text(Buffer.from("é")) // "é"
 */
export const utf8Text = (bytes: Buffer): string =>
  bytes.toString(isAscii(bytes) ? "latin1" : "utf8");

import { mkdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { writePieces } from "./chunk-writer.js";
import { utf8Text } from "./utf8-text.js";
import { replaceThroughTemp } from "./atomic-file.js";

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
  // Only the key line is decoded here: a reader that compares the key and stops (or splices the
  // value's bytes: the sidecar's one-edit path) never decodes the value (5.7 MB of sidecar at
  // 10,000 models, that many fresh pages for its text). A newline byte is never part of another
  // character in UTF-8, so the key decodes alone as it does in the whole text.
  const valueAt = bytes.indexOf(10) + 1;
  if (valueAt === 0) return undefined;
  let text: string | undefined;
  const valueText = (): string => (text ??= utf8Text(bytes.subarray(valueAt)));
  return {
    key: utf8Text(bytes.subarray(0, valueAt - 1)),
    value: () => JSON.parse(valueText()),
    text: valueText,
    bytes,
    valueAt,
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
  // Through one reused buffer, the pieces given as bytes written as they are: joined first, the
  // sidecar's 5.7 MB at 10,000 models were a fresh Buffer (and a fresh page per 4 KiB) per write.
  replaceThroughTemp(file, (tmp) =>
    writePieces(tmp, [`${key}\n`, ...(typeof json === "string" ? [json] : json)]),
  );
}

import { isAscii } from "node:buffer";
import { readFileSync } from "node:fs";

/**
 * UTF-8 bytes as text, the same as `bytes.toString("utf8")`: decoded as Latin-1 when they are
 * all ASCII (then the same text, copied byte for byte). Node 20's UTF-8 decode took 70-90 ms
 * of CPU for a 5 MB sidecar at 10,000 models; reading the bytes, checking and copying them
 * 1-15 ms once the pages are in memory. Every big artifact read (manifest, partial_parse.json,
 * the compile memo's segments) decodes through this.
 *
 * @example utf8Text(Buffer.from("é")) // "é"
 */
export const utf8Text = (bytes: Buffer): string =>
  bytes.toString(isAscii(bytes) ? "latin1" : "utf8");

/**
 * `file` as text, the same as `readFileSync(file, "utf8")` (decoded by {@link utf8Text}).
 *
 * @example JSON.parse(readUtf8("target/manifest.json"))
 */
export const readUtf8 = (file: string): string => utf8Text(readFileSync(file));

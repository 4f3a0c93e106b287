import { createHash } from "node:crypto";

/**
 * The end of a manifest sluice wrote: its state index's ranges (format 2), digest and offset
 * (libs/runner state-index.ts).
 */
const INDEX_TAIL = /(?:,"ranges":\[([\d,]*)\])?,"digest":"([0-9a-f]{64})","at":(\d+)\}\}\}\n$/;

const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

/**
 * The digest of `bytes` (a manifest's bytes before its index's tail) as its index names it:
 * cut in `ranges` (format 2), the sha256 of one line `<length> <sha256 of the range>` per range;
 * else (format 1) their sha256.
 */
function indexDigest(bytes: Buffer, ranges: string | undefined): string {
  if (ranges === undefined) return sha256(bytes);
  let from = 0;
  const lines = ranges
    .split(",")
    .map((length) => `${length} ${sha256(bytes.subarray(from, (from += Number(length))))}\n`);
  if (from !== bytes.length)
    throw new Error(`manifest.json: ranges cover ${from} of ${bytes.length} bytes`);
  return sha256(Buffer.from(lines.join("")));
}

/**
 * A manifest.json's text without what differs per invocation, to compare two compiles' output:
 * dbt's metadata (`generated_at`, `invocation_id`, each node's `created_at`) and the state
 * index's `ranges`, `digest` and `at` (a digest of every byte before it, so of those fields too,
 * the lengths of the ranges it was cut in, and the byte offset of the index, which follow
 * `created_at`'s digits). The index is checked before it is left out: its digest must be that of
 * the file's bytes before its tail (see `indexDigest`) and its offset must point at the index's
 * value, or this throws.
 */
export function manifestWithoutInvocation(text: string): string {
  const tail = INDEX_TAIL.exec(text);
  let body = text;
  if (tail) {
    const bytes = Buffer.from(text);
    const before = bytes.length - Buffer.byteLength(tail[0]);
    const actual = indexDigest(bytes.subarray(0, before), tail[1]);
    if (actual !== tail[2])
      throw new Error(`manifest.json: state index digest ${tail[2]}, bytes before it ${actual}`);
    const at = Number(tail[3]);
    if (!bytes.subarray(at, at + 10).equals(Buffer.from('{"format":')))
      throw new Error(`manifest.json: state index "at":${at} does not point at the index`);
    body = `${text.slice(0, tail.index)}${text.slice(tail.index + tail[0].length - 4)}`;
  }
  return body.replace(/"(generated_at|invocation_id)":"[^"]*"|"created_at":[\d.e+-]+/g, "");
}

/**
 * A manifest's text without the compile digests of its state index (`"digests":{...}`, see
 * libs/runner state-nodes.ts `StateDigests`): sha1s of the nodes' JSON, which holds absolute lake
 * paths, so they differ from one project folder to another where the rest of the text does not.
 */
export const withoutCompileDigests = (text: string): string =>
  text.replace(/,"digests":\{"key":"[^"]*","column":"[^"]*"\}/, "");

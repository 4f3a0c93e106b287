import { createHash } from "node:crypto";

/** The end of a manifest sluice wrote: its state index's digest and offset (state-index.ts). */
const INDEX_TAIL = /,"digest":"([0-9a-f]{64})","at":(\d+)\}\}\}\n$/;

/**
 * A manifest.json's text without what differs per invocation, to compare two compiles' output:
 * dbt's metadata (`generated_at`, `invocation_id`, each node's `created_at`) and the state
 * index's `digest` and `at` (a sha256 of every byte before it, so of those fields too, and the
 * byte offset of the index, which follows `created_at`'s digits). The index is checked before
 * it is left out: its digest must be the sha256 of the file's bytes before `,"digest"` and its
 * offset must point at the index's value, or this throws.
 */
export function manifestWithoutInvocation(text: string): string {
  const tail = INDEX_TAIL.exec(text);
  let body = text;
  if (tail) {
    const bytes = Buffer.from(text);
    const before = bytes.length - Buffer.byteLength(tail[0]);
    const actual = createHash("sha256").update(bytes.subarray(0, before)).digest("hex");
    if (actual !== tail[1])
      throw new Error(`manifest.json: state index digest ${tail[1]}, bytes before it ${actual}`);
    const at = Number(tail[2]);
    if (!bytes.subarray(at, at + 11).equals(Buffer.from('{"format":1')))
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

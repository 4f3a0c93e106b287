import { placeRead } from "./lazy-node.js";
import { readSegmentFields } from "./segment-store.js";

/**
 * Compiled nodes written once: `target/partial_parse.json` names a node the compile memo holds
 * by where the memo keeps its text (segment file, line, field) instead of holding a copy of it.
 * At 10,000 models the node texts were 40 of partial_parse.json's 47 MB, the same bytes as the
 * memo's, written twice by every compile that changed anything.
 *
 * A node read from the memo keeps the place it was read from (lazy-node.ts); a place is noted
 * when the memo is written, once its index names the segment (see `RecordCodec.located`); segments are named by their content's hash, so a place
 * read back is the very text noted, or is gone (a later memo write replaced the segment): the
 * cached compile is then not used (compiled again), never read wrong.
 *
 * @example
 * notePlace(node, "017.0a1b2c3d4e5f6a7b.json", 3, 4);
 * memoRef(node); // '"memo:017.0a1b2c3d4e5f6a7b.json:3:4"', the JSON text written for it
 */
const PREFIX = "memo:";
let places = new WeakMap<object, string>();

/** Note that `node`'s text is field `field` of line `line` of the memo's segment `segment`. */
export function notePlace(node: object, segment: string, line: number, field: number): void {
  places.set(node, `${PREFIX}${segment}:${line}:${field}`);
}

/** The JSON text that stands for `node` (a string naming its place), when the memo holds it. */
export function memoRef(node: object): string | undefined {
  let place = places.get(node);
  if (place === undefined) {
    const read = placeRead(node);
    if (read === undefined) return undefined;
    place = `${PREFIX}${read.segment}:${read.line}:${read.field}`;
  }
  return JSON.stringify(place);
}

/** Let go of every place noted (with the node texts, once the writers are done). */
export function forgetPlaces(): void {
  places = new WeakMap();
}

/**
 * Replace each place in `nodes` (a string written by {@link memoRef}) with the node parsed by
 * `parse` from the text there (with the segment it was read from and its position in `nodes`),
 * in the memo whose index is `memoFile`. Returns false when a
 * place cannot be read (its segment replaced or damaged): the caller compiles afresh.
 *
 * The places are grouped by segment, and each segment is let go once its nodes are parsed: at
 * 10,000 models, all 256 segments held until the last node was parsed were ~50 MB of the peak
 * memory of the first `ls` after a compile.
 */
export function resolveMemoRefs(
  nodes: unknown[],
  memoFile: string,
  parse: (text: string, segment: string, at: number) => unknown,
): boolean {
  // Per segment: the position in `nodes`, line and field of each node it holds.
  const bySegment = new Map<string, number[]>();
  for (let i = 0; i < nodes.length; i++) {
    const place = nodes[i];
    if (typeof place !== "string") continue;
    const [prefix, segment = "", line, field] = place.split(":");
    if (`${prefix}:` !== PREFIX) return false;
    let held = bySegment.get(segment);
    if (held === undefined) bySegment.set(segment, (held = []));
    held.push(i, Number(line), Number(field));
  }
  for (const [segment, held] of bySegment) {
    const fieldOf = readSegmentFields(memoFile, segment);
    if (fieldOf === undefined) return false;
    for (let k = 0; k < held.length; k += 3) {
      const text = fieldOf(held[k + 1]!, held[k + 2]!);
      if (text === undefined) return false;
      nodes[held[k]!] = parse(text, segment, held[k]!);
    }
  }
  return true;
}

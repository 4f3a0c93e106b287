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
 * `parse` from the text there, in the memo whose index is `memoFile`. Returns false when a
 * place cannot be read (its segment replaced or damaged): the caller compiles afresh.
 */
export function resolveMemoRefs(
  nodes: unknown[],
  memoFile: string,
  parse: (text: string) => unknown,
): boolean {
  const segments = new Map<string, ReturnType<typeof readSegmentFields>>();
  for (let i = 0; i < nodes.length; i++) {
    const place = nodes[i];
    if (typeof place !== "string") continue;
    const [prefix, segment = "", line, field] = place.split(":");
    if (`${prefix}:` !== PREFIX) return false;
    if (!segments.has(segment)) segments.set(segment, readSegmentFields(memoFile, segment));
    const text = segments.get(segment)?.(Number(line), Number(field));
    if (text === undefined) return false;
    nodes[i] = parse(text);
  }
  return true;
}

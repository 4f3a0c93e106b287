/**
 * `JSON.stringify(value)` in pieces: the objects and arrays down to `depth` levels are written
 * key by key and item by item, and what lies deeper as one `JSON.stringify` each. The pieces
 * joined are exactly `JSON.stringify(value)` (no replacer, no indentation) for plain data; a
 * value with `toJSON` is written with one `JSON.stringify` of its own (its `toJSON` is called
 * without the key). At 10,000 models the cached compile is a 47 MB text: written from pieces,
 * no string that large is ever built.
 *
 * @example [...jsonPieces({ a: [1, undefined], b: undefined }, 1)] // ["{", '"a":', "[1,null]", "}"]
 */
export function* jsonPieces(value: unknown, depth = 2): Generator<string> {
  if (isLeaf(value, depth)) {
    // As JSON.stringify at the top: undefined for what it cannot write (joined: "undefined").
    yield String(JSON.stringify(value));
    return;
  }
  if (Array.isArray(value)) {
    yield "[";
    for (let i = 0; i < value.length; i++) {
      if (i > 0) yield ",";
      const item: unknown = value[i];
      // As JSON.stringify: an item it cannot write (undefined, a function, a symbol) is null.
      if (isLeaf(item, depth - 1)) yield JSON.stringify(item) ?? "null";
      else yield* jsonPieces(item, depth - 1);
    }
    yield "]";
    return;
  }
  yield "{";
  let first = true;
  for (const key of Object.keys(value as object)) {
    const item: unknown = (value as Record<string, unknown>)[key];
    const text = isLeaf(item, depth - 1) ? JSON.stringify(item) : "";
    // As JSON.stringify: a property it cannot write is left out.
    if (text === undefined) continue;
    yield `${first ? "" : ","}${JSON.stringify(key)}:`;
    first = false;
    if (text !== "") yield text;
    else yield* jsonPieces(item, depth - 1);
  }
  yield "}";
}

/** Whether `value` is written with one JSON.stringify: below the depth, not a container, or toJSON. */
const isLeaf = (value: unknown, depth: number): boolean =>
  depth < 0 ||
  value === null ||
  typeof value !== "object" ||
  typeof (value as { toJSON?: unknown }).toJSON === "function";

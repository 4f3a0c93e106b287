/**
 * `JSON.stringify(value)` in pieces: the objects and arrays down to `depth` levels are written
 * key by key and item by item, and what lies deeper as one `JSON.stringify` each. The pieces
 * joined are exactly `JSON.stringify(value)` (no replacer, no indentation) for plain data; a
 * value with `toJSON` is written with one `JSON.stringify` of its own (its `toJSON` is called
 * without the key). At 10,000 models the cached compile is a 47 MB text: written from pieces,
 * no string that large is ever built. `known`: the JSON text of an object already at hand (e.g.
 * the text a compiled node was read from, see node-texts.ts), written instead of serializing the
 * object; it must be exactly `JSON.stringify` of it.
 *
 * @example [...jsonPieces({ a: [1, undefined], b: undefined }, 1)] // ["{", '"a":', "[1,null]", "}"]
 */
export function* jsonPieces(
  value: unknown,
  depth = 2,
  known: (value: object) => string | undefined = () => undefined,
): Generator<string> {
  const text = leafText(value, depth, known);
  if (text !== false) {
    // As JSON.stringify at the top: undefined for what it cannot write (joined: "undefined").
    yield String(text);
    return;
  }
  if (Array.isArray(value)) {
    yield "[";
    for (let i = 0; i < value.length; i++) {
      if (i > 0) yield ",";
      const item: unknown = value[i];
      const text = leafText(item, depth - 1, known);
      // As JSON.stringify: an item it cannot write (undefined, a function, a symbol) is null.
      if (text !== false) yield text ?? "null";
      else yield* jsonPieces(item, depth - 1, known);
    }
    yield "]";
    return;
  }
  yield "{";
  let first = true;
  for (const key of Object.keys(value as object)) {
    const item: unknown = (value as Record<string, unknown>)[key];
    const text = leafText(item, depth - 1, known);
    // As JSON.stringify: a property it cannot write is left out.
    if (text === undefined) continue;
    yield `${first ? "" : ","}${JSON.stringify(key)}:`;
    first = false;
    if (text !== false) yield text;
    else yield* jsonPieces(item, depth - 1, known);
  }
  yield "}";
}

/**
 * The text of `value` when it is written whole: its known text, or `JSON.stringify(value)` below
 * the depth, for what is not a container, or for a value with toJSON (undefined: nothing to
 * write); false when it is written in pieces.
 */
function leafText(
  value: unknown,
  depth: number,
  known: (value: object) => string | undefined,
): string | undefined | false {
  if (value !== null && typeof value === "object") {
    const text = known(value);
    if (text !== undefined) return text;
  }
  const leaf =
    depth < 0 ||
    value === null ||
    typeof value !== "object" ||
    typeof (value as { toJSON?: unknown }).toJSON === "function";
  return leaf ? JSON.stringify(value) : false;
}

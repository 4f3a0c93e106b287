import { utf8Text } from "@sluice/runner/utf8-text";
import { jsonPieces } from "./json-pieces.js";

/**
 * The layout of partial_parse.json's context, the text after its header line (cache format 7):
 * four lines, so that the fast path after an edit of model SQL (sql-edit-compile.ts) parses
 * the project without its model properties (at 10,000 models 4.5 MB of the 10 MB, the YAML
 * tests and columns of every model), and then only the edited models' entries; and so that a
 * command that reads no model file's text (`ls`, a `build -s` whose Athena check is kept) does
 * not parse them (4.7 MB of the 6 MB first line at 10,000 models: ~85 ms to decode and parse):
 *
 * ```
 * <JSON of the context, its project.models and project.modelProperties written as null>
 * <JSON.stringify(project.models)>
 * <JSON.stringify(project.modelProperties)>
 * <the properties' index: [[name, ...], [UTF-8 byte length, ...]], one of each per entry>
 * ```
 *
 * JSON text never holds a raw newline (JSON.stringify escapes them in strings), so newlines part
 * the lines (as bytes too: a UTF-8 newline byte is a newline). The index counts bytes, so that
 * the fast path finds an entry in the file's bytes without decoding the 4.5 MB line (cache
 * format 6; format 5 counted UTF-16 units; format 6 held the models in the first line). Parsed
 * whole ({@link parseContext}), the context is the one that was written, key order included
 * (the models and the properties go back in the places of the nulls).
 */
interface HasProperties {
  project: { models: readonly unknown[]; modelProperties: readonly unknown[] };
}

/**
 * `context` written in the layout above, as pieces (see json-pieces.ts: `known` gives the texts
 * of objects already at hand). The properties are serialized once, for their line and their
 * index's lengths.
 */
export function* contextPieces(
  context: HasProperties,
  known: (value: object) => string | undefined = () => undefined,
): Generator<string> {
  const properties = context.project.modelProperties;
  const head = {
    ...context,
    project: { ...context.project, models: null, modelProperties: null },
  };
  yield* jsonPieces(head, 2, known);
  yield "\n";
  yield* jsonPieces(context.project.models, 1, known);
  yield "\n[";
  const names: unknown[] = [];
  const lengths: number[] = [];
  for (let i = 0; i < properties.length; i++) {
    const entry = properties[i] as { name?: unknown } | null;
    // As jsonPieces writes an item below its depth.
    const text = (entry === null ? undefined : known(entry)) ?? JSON.stringify(entry) ?? "null";
    names.push(entry?.name ?? null);
    lengths.push(Buffer.byteLength(text));
    yield i > 0 ? `,${text}` : text;
  }
  yield "]\n";
  yield JSON.stringify([names, lengths]);
}

/** The four lines of a context text; undefined when it is not in the layout. */
function lines(
  text: string,
): { head: string; models: string; properties: string; index: string } | undefined {
  const first = text.indexOf("\n");
  const second = first < 0 ? -1 : text.indexOf("\n", first + 1);
  const last = text.lastIndexOf("\n");
  if (first < 0 || second < 0 || last === second) return undefined;
  return {
    head: text.slice(0, first),
    models: text.slice(first + 1, second),
    properties: text.slice(second + 1, last),
    index: text.slice(last + 1),
  };
}

/** A context in the layout above as UTF-8 bytes: its first line decoded, the rest kept as bytes. */
export interface ContextBytes {
  /** The first line (the context without its models and model properties), decoded. */
  head: string;
  /**
   * The bytes from the first newline to the end: the models' line, the properties' line and the
   * index.
   */
  rest: Buffer;
}

/**
 * The context a text in the layout above holds, parsed whole; undefined when the text is not in
 * the layout (the caller compiles afresh).
 */
export function parseContext<T extends HasProperties>(text: string): T | undefined {
  const parts = lines(text);
  if (parts === undefined) return undefined;
  // A line that does not parse (the file was damaged after it was written whole): not a cache.
  return orUndefined(() => {
    const context = JSON.parse(parts.head) as T;
    const project = context.project as { models: unknown; modelProperties: unknown };
    project.models = JSON.parse(parts.models) as unknown;
    project.modelProperties = JSON.parse(parts.properties) as unknown;
    return context;
  });
}

/** What `read` returns; undefined when it throws (JSON that does not parse). */
function orUndefined<T>(read: () => T): T | undefined {
  try {
    return read();
  } catch {
    return undefined;
  }
}

/**
 * A line of a compile cache read lazily (see {@link lazyContext}) that does not parse when a
 * command first reads it: the file was damaged after it was written (it is written whole, then
 * renamed into place), by hand or by the disk. The CLI removes `file`, so that the next command
 * compiles afresh, and says so.
 */
export class DamagedCacheError extends Error {
  constructor(
    readonly file: string | undefined,
    what: string,
    cause: unknown,
  ) {
    const why = cause instanceof Error ? cause.message : String(cause);
    super(`${file ?? "the compile cache"} is damaged: its ${what} do not parse (${why})`, {
      cause,
    });
    this.name = "DamagedCacheError";
  }
}

/**
 * The context a text in the layout above holds, its project's `models` and `modelProperties`
 * each parsed when first read (a getter that then leaves the array as a plain data property,
 * where the null was: `JSON.stringify` of the context is the same), and `propertiesOf(name)`: what
 * `new Map(modelProperties.map((p) => [p.name, p])).get(name)` gives (the last entry of that
 * name), parsed from the entry's text alone. Undefined when the text is not in the layout or its
 * index does not cover the properties' line exactly (the caller takes another path).
 *
 * For the fast path, which reads the properties of the edited models only: given the first line
 * decoded and the bytes after it (see `cachedContextBytes`), it decodes the index only, and hands
 * them back (`bytes`): the splice writes the bytes back as they are (compile-cache.ts).
 */
export function lazyContext<T extends HasProperties>(
  text: string | ContextBytes,
  /** The cache file the text is of, named by a {@link DamagedCacheError}. */
  file?: string,
): { context: T; propertiesOf: (name: string) => unknown; bytes: ContextBytes } | undefined {
  const read = typeof text === "string" ? contextBytes(text) : text;
  if (read === undefined) return undefined;
  const { head, rest } = read;
  // `rest` starts with the first line's newline.
  const second = rest.indexOf(10, 1);
  const last = rest.lastIndexOf(10);
  if (second <= 0 || last <= second) return undefined;
  // Only the first line and the index are decoded: the models and the properties stay bytes
  // until read.
  const models = rest.subarray(1, second);
  const properties = rest.subarray(second + 1, last);
  const index = orUndefined(
    () => JSON.parse(utf8Text(rest.subarray(last + 1))) as [unknown[], number[]],
  );
  if (!Array.isArray(index)) return undefined;
  const [names, lengths] = index;
  if (!Array.isArray(names) || !Array.isArray(lengths)) return undefined;
  // "[" + the entries joined by "," + "]" ("[]" when none).
  let covered = 1 + Math.max(lengths.length - 1, 0) + 1;
  for (const n of lengths) covered += n;
  if (names.length !== lengths.length || covered !== properties.length) return undefined;
  const context = orUndefined(() => JSON.parse(head) as T);
  if (typeof context?.project !== "object" || context.project === null) return undefined;
  const project = context.project as object;
  const damaged = (what: string) => (cause: unknown) => new DamagedCacheError(file, what, cause);
  parsedWhenRead(project, "models", models, damaged("models"));
  parsedWhenRead(project, "modelProperties", properties, damaged("model properties"));
  const propertiesOf = (name: string): unknown => {
    const at = names.lastIndexOf(name);
    if (at < 0) return undefined;
    let start = 1 + at;
    for (let i = 0; i < at; i++) start += lengths[i]!;
    return parsedOrThrow(
      properties.subarray(start, start + lengths[at]!),
      damaged("model properties"),
    );
  };
  return { context, propertiesOf, bytes: read };
}

/** `bytes` parsed as JSON; what `damaged` makes of the error when they do not parse. */
function parsedOrThrow(bytes: Buffer, damaged: (cause: unknown) => Error): unknown {
  try {
    return JSON.parse(utf8Text(bytes)) as unknown;
  } catch (error) {
    throw damaged(error);
  }
}

/**
 * `object[key]` a getter that parses `bytes` (JSON) when first read and then leaves the value as
 * a plain data property; a write sets it so too. Bytes that do not parse throw what `damaged`
 * makes of the error, at each read.
 */
function parsedWhenRead(
  object: object,
  key: string,
  bytes: Buffer,
  damaged: (cause: unknown) => Error,
): void {
  const settle = (value: unknown): void => {
    Object.defineProperty(object, key, {
      value,
      writable: true,
      enumerable: true,
      configurable: true,
    });
  };
  Object.defineProperty(object, key, {
    get() {
      const value = parsedOrThrow(bytes, damaged);
      settle(value);
      return value;
    },
    set: settle,
    enumerable: true,
    configurable: true,
  });
}

/** A context text as {@link ContextBytes}; undefined when it has no newline. */
function contextBytes(text: string): ContextBytes | undefined {
  const first = text.indexOf("\n");
  return first < 0
    ? undefined
    : { head: text.slice(0, first), rest: Buffer.from(text.slice(first)) };
}

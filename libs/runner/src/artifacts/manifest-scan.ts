import { readChunks } from "./file-chunks.js";

/**
 * A manifest.json read for `--state` without parsing it whole: a dbt manifest of 10,000 models
 * is 60 MB, and `JSON.parse` of it (after decoding it into one string) was most of reading a
 * state that has no sidecar. The file is read a MB at a time and walked once by a tokenizer
 * that checks JSON's grammar (brackets, colons, commas, literals, string escapes, no raw
 * control character in a string) and decodes only the fields `--state` reads (see
 * {@link scanManifest}). A token cut by a chunk's end is read again whole with the next chunk
 * (see `readChunks`), so the loop keeps its position in local variables and each byte is looked
 * at a bounded number of times.
 */

/** What to keep of a value: nothing, the value (a scalar), some keys of an object, or every key. */
type Spec = "skip" | "leaf" | { keys: Record<string, Spec> } | { each: Spec };

const NODE: Spec = {
  keys: {
    unique_id: "leaf",
    resource_type: "leaf",
    schema: "leaf",
    alias: "leaf",
    identifier: "leaf",
    name: "leaf",
    config: { keys: { materialized: "leaf" } },
    meta: { keys: { sluice: { keys: { checksums: { each: "leaf" }, location: "leaf" } } } },
  },
};
const MANIFEST: Spec = {
  keys: {
    metadata: { keys: { dbt_schema_version: "leaf", adapter_type: "leaf" } },
    nodes: { each: NODE },
    sources: { each: NODE },
  },
};

/** Something the scan does not take on itself: the caller parses the file with JSON.parse. */
class NotUnderstood extends Error {}

// Where a container is in its grammar.
const OBJ_KEY_OR_END = 0; // after `{`
const OBJ_KEY = 1; // after `,`
const OBJ_COLON = 2;
const OBJ_VALUE = 3;
const OBJ_COMMA_OR_END = 4;
const ARR_VALUE_OR_END = 5; // after `[`
const ARR_VALUE = 6; // after `,`
const ARR_COMMA_OR_END = 7;
const TOP_VALUE = 8;
const TOP_DONE = 9;

/** The state of a container once it has read a value. */
const AFTER_VALUE = [0, 0, 0, OBJ_COMMA_OR_END, 0, ARR_COMMA_OR_END, ARR_COMMA_OR_END, 0, TOP_DONE];

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/** Bytes that may follow `\` in a JSON string (`u` then takes four hex digits). */
const ESCAPES = new Uint8Array(256);
for (const c of '"\\/bfnrtu') ESCAPES[c.charCodeAt(0)] = 1;
const HEX = new Uint8Array(256);
for (const c of "0123456789abcdefABCDEF") HEX[c.charCodeAt(0)] = 1;
/** Bytes that end a literal: JSON whitespace and the structural characters. */
const DELIMITER = new Uint8Array(256);
for (const c of ' \n\r\t,:{}[]"') DELIMITER[c.charCodeAt(0)] = 1;

/** A spec's wanted keys as bytes, by byte length (index). */
type KeyTable = ([Buffer, string][] | undefined)[];

const keyTables = new WeakMap<object, KeyTable>();

/** The {@link KeyTable} of a spec's keys (made once per spec). */
function keyTable(spec: { keys: Record<string, Spec> }): KeyTable {
  let table = keyTables.get(spec);
  if (table === undefined) {
    table = [];
    for (const key of Object.keys(spec.keys)) {
      const b = Buffer.from(key, "utf8");
      (table[b.length] ??= []).push([b, key]);
    }
    keyTables.set(spec, table);
  }
  return table;
}

/**
 * The key of a table whose bytes are `bytes[start, end)` (a key without escapes), or
 * undefined: keys are compared as bytes, without making a string of each of a node's forty keys.
 */
function wantedKey(table: KeyTable, bytes: Buffer, start: number, end: number): string | undefined {
  const candidates = table[end - start];
  if (candidates === undefined) return undefined;
  for (const [b, key] of candidates) {
    let k = 0;
    while (k < b.length && b[k] === bytes[start + k]) k++;
    if (k === b.length) return key;
  }
  return undefined;
}

/** Set `key` of a parsed object as JSON.parse does (`__proto__` is an own key there). */
function setKey(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === "__proto__")
    Object.defineProperty(target, key, {
      value,
      writable: true,
      enumerable: true,
      configurable: true,
    });
  else target[key] = value;
}

/**
 * The parts of `file` (a manifest.json) that `--state` reads, as `JSON.parse` of the whole file
 * would give them: `metadata.dbt_schema_version` and `adapter_type`, and for every entry of
 * `nodes` and `sources` (same keys, same order) its `unique_id`, `resource_type`, `schema`,
 * `alias`, `identifier`, `name`, `config.materialized`, `meta.sluice.checksums` and
 * `meta.sluice.location`; other keys are left out. Undefined when the file cannot be read, is
 * not JSON, or holds at those places something other than what this reads (an array, an
 * object where a string is expected, a checksum that is not a string): the caller then parses
 * it whole, and says what is wrong with it.
 *
 * `entry`, when given, turns each entry of `nodes` and `sources` into what is kept in its place
 * as soon as it is read (e.g. a row of what `--state` keeps): the objects of 30,000 entries
 * then die young instead of living, and being copied by the garbage collector, to the end.
 *
 * @example scanManifest("prod-artifacts/manifest.json")?.nodes?.["model.shop.funnel"]
 */
export function scanManifest(
  file: string,
  chunkSize = 1 << 20,
  entry: (value: unknown) => unknown = (value) => value,
): Record<string, unknown> | undefined {
  const scan = new ManifestScan(entry);
  try {
    return readChunks(file, chunkSize, (chunk) => scan.feed(chunk)) ? scan.end() : undefined;
  } catch (err) {
    if (err instanceof NotUnderstood) return undefined;
    if ((err as NodeJS.ErrnoException).code !== undefined) return undefined;
    throw err;
  }
}

/** The tokenizer of {@link scanManifest}: fed chunks in order, each a whole number of tokens. */
class ManifestScan {
  private readonly root: Record<string, unknown> = {};
  // One entry per open container (plus the top level at 0). Containers deeper than `kept` are
  // skipped whole: only their grammar is checked.
  private states = new Uint8Array(64).fill(TOP_VALUE, 0, 1);
  private readonly specs: Spec[] = [MANIFEST];
  private readonly targets: (Record<string, unknown> | undefined)[] = [undefined];
  /** The key table of each kept object whose spec lists keys. */
  private readonly tables: (KeyTable | undefined)[] = [undefined];
  private depth = 0;
  private kept = 0;
  /** The key of the value being read in the innermost kept object (undefined: not wanted). */
  private key: string | undefined;
  /** The key each kept object was read under, in its parent. */
  private readonly keys: (string | undefined)[] = [undefined];
  /** Bytes of the last chunk not read (a token it cut): none at the end of a whole file. */
  private unread = 0;

  constructor(private readonly entry: (value: unknown) => unknown) {}

  /** Read the tokens of `buf`; returns how many bytes were read (a cut token is left). */
  feed(buf: Buffer): number {
    const n = buf.length;
    let states = this.states;
    let depth = this.depth;
    let i = 0;
    tokens: while (i < n) {
      const c = buf[i]!;
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) {
        i++;
        continue;
      }
      const state = states[depth]!;
      if (c === QUOTE) {
        const isKey = state === OBJ_KEY_OR_END || state === OBJ_KEY;
        if (!isKey && state !== OBJ_VALUE && state !== ARR_VALUE && state !== ARR_VALUE_OR_END)
          throw new NotUnderstood();
        // The string's end, its grammar checked on the way.
        let j = i + 1;
        let escaped = false;
        for (;;) {
          if (j >= n) break;
          const d = buf[j]!;
          if (d === QUOTE) break;
          if (d === BACKSLASH) {
            if (j + 1 >= n) {
              j = n;
              break;
            }
            const e = buf[j + 1]!;
            if (ESCAPES[e] !== 1) throw new NotUnderstood();
            if (e === 0x75) {
              // \uXXXX
              if (j + 5 >= n) {
                j = n;
                break;
              }
              if (!(HEX[buf[j + 2]!] && HEX[buf[j + 3]!] && HEX[buf[j + 4]!] && HEX[buf[j + 5]!]))
                throw new NotUnderstood();
              j += 6;
            } else j += 2;
            escaped = true;
            continue;
          }
          if (d < 0x20) throw new NotUnderstood();
          j++;
        }
        if (j >= n) break tokens; // cut: read again with the next chunk
        // Only the keys of kept objects, and the values of wanted keys, are looked at.
        if (depth === this.kept) {
          if (isKey) this.keyRead(buf, i + 1, j, escaped);
          else if (this.key !== undefined) this.valueRead(state, decode(buf, i + 1, j, escaped));
        }
        states[depth] = isKey ? OBJ_COLON : AFTER_VALUE[state]!;
        i = j + 1;
        continue;
      }
      switch (c) {
        case 0x7b: // {
        case 0x5b: {
          // [
          if (state !== OBJ_VALUE && state !== ARR_VALUE && state !== ARR_VALUE_OR_END)
            if (state !== TOP_VALUE) throw new NotUnderstood();
          if (depth === this.kept && (this.key !== undefined || state === TOP_VALUE))
            this.open(state, c === 0x7b);
          depth++;
          if (depth === states.length) {
            const deeper = new Uint8Array(states.length * 2);
            deeper.set(states);
            this.states = states = deeper;
          }
          states[depth] = c === 0x7b ? OBJ_KEY_OR_END : ARR_VALUE_OR_END;
          i++;
          break;
        }
        case 0x7d: // }
        case 0x5d: // ]
          if (
            c === 0x7d
              ? state !== OBJ_KEY_OR_END && state !== OBJ_COMMA_OR_END
              : state !== ARR_VALUE_OR_END && state !== ARR_COMMA_OR_END
          )
            throw new NotUnderstood();
          if (depth === this.kept) this.close();
          depth--;
          states[depth] = AFTER_VALUE[states[depth]!]!;
          i++;
          break;
        case 0x3a: // :
          if (state !== OBJ_COLON) throw new NotUnderstood();
          states[depth] = OBJ_VALUE;
          i++;
          break;
        case 0x2c: // ,
          if (state === OBJ_COMMA_OR_END) states[depth] = OBJ_KEY;
          else if (state === ARR_COMMA_OR_END) states[depth] = ARR_VALUE;
          else throw new NotUnderstood();
          i++;
          break;
        default: {
          // A literal: true, false, null or a number.
          if (state !== OBJ_VALUE && state !== ARR_VALUE && state !== ARR_VALUE_OR_END)
            throw new NotUnderstood();
          let j = i + 1;
          while (j < n && DELIMITER[buf[j]!] !== 1) j++;
          if (j >= n) break tokens; // cut (a whole manifest never ends in a literal)
          if (!isLiteral(buf, i, j)) throw new NotUnderstood();
          if (depth === this.kept && this.key !== undefined)
            this.valueRead(state, JSON.parse(buf.toString("latin1", i, j)));
          states[depth] = AFTER_VALUE[state]!;
          i = j;
        }
      }
    }
    this.depth = depth;
    this.unread = n - i;
    return i;
  }

  /** The manifest's parts (see {@link scanManifest}); throws {@link NotUnderstood} if unfinished. */
  end(): Record<string, unknown> {
    if (this.unread !== 0 || this.states[0] !== TOP_DONE || this.depth !== 0)
      throw new NotUnderstood();
    return this.root;
  }

  /** The spec of a value starting in the innermost kept container, in state `state`. */
  private valueSpec(state: number): Spec {
    if (state === TOP_VALUE) return MANIFEST;
    const parent = this.specs[this.kept]!;
    // Kept containers are objects: an array in their place is opened as skipped, and refused.
    if (state !== OBJ_VALUE || parent === "skip" || parent === "leaf") return "skip";
    if ("each" in parent) return parent.each;
    const key = this.key;
    return key !== undefined && Object.hasOwn(parent.keys, key) ? parent.keys[key]! : "skip";
  }

  /** A key of the innermost kept object: remembered when its value is wanted. */
  private keyRead(bytes: Buffer, start: number, end: number, escaped: boolean): void {
    const spec = this.specs[this.kept]!;
    if (spec === "skip" || spec === "leaf") this.key = undefined;
    else if ("keys" in spec && !escaped)
      this.key = wantedKey(this.tables[this.kept]!, bytes, start, end);
    else this.key = decode(bytes, start, end, escaped);
  }

  /** A scalar value in the innermost kept container: kept when its spec wants it. */
  private valueRead(state: number, value: unknown): void {
    if (state !== OBJ_VALUE) return;
    const spec = this.valueSpec(state);
    if (spec === "skip") return;
    const target = this.targets[this.kept];
    if (target !== undefined && this.key !== undefined)
      setKey(target, this.key, spec === NODE ? this.made(value) : value);
  }

  /** The innermost kept object closes: an entry is replaced by what `entry` makes of it. */
  private close(): void {
    const d = this.kept--;
    if (this.specs[d] === NODE)
      setKey(this.targets[d - 1]!, this.keys[d]!, this.made(this.targets[d]));
    this.key = undefined;
  }

  /**
   * What `entry` makes of an entry; an entry it cannot take (e.g. a number) leaves the file to
   * JSON.parse, whose reader then says what is wrong with the file, as without the scan.
   */
  private made(value: unknown): unknown {
    try {
      return this.entry(value);
    } catch {
      throw new NotUnderstood();
    }
  }

  /** A container opens in the innermost kept one: kept when its spec wants it. */
  private open(state: number, isObject: boolean): void {
    const spec = this.valueSpec(state);
    if (spec === "skip") return;
    if (spec === "leaf" || !isObject) throw new NotUnderstood();
    // A container the scan keeps: a new object in its parent (a repeated key replaces it).
    const target = this.kept === 0 ? this.root : {};
    // An entry is set in its parent when it closes (see close): no other key of the parent is
    // set in between, so it takes the same place (a repeated key keeps its first place).
    if (this.kept > 0 && spec !== NODE) {
      const parent = this.targets[this.kept];
      if (parent !== undefined && this.key !== undefined) setKey(parent, this.key, target);
    }
    const d = ++this.kept;
    this.keys[d] = this.key;
    this.specs[d] = spec;
    this.targets[d] = target;
    this.tables[d] = "keys" in spec ? keyTable(spec) : undefined;
    this.key = undefined;
  }
}

/** A string's text (its bytes without the quotes), as JSON.parse gives it. */
function decode(bytes: Buffer, start: number, end: number, escaped: boolean): string {
  if (!escaped) return bytes.toString("utf8", start, end);
  try {
    return JSON.parse(`"${bytes.toString("utf8", start, end)}"`) as string;
  } catch {
    throw new NotUnderstood();
  }
}

/** Whether `buf[start, end)` holds the ASCII text `text`. */
export function bytesAre(buf: Buffer, start: number, end: number, text: string): boolean {
  if (end - start !== text.length) return false;
  for (let k = 0; k < text.length; k++) if (buf[start + k] !== text.charCodeAt(k)) return false;
  return true;
}

/** Whether `buf[start, end)` is `true`, `false`, `null` or a JSON number (allocates nothing). */
export function isLiteral(buf: Buffer, start: number, end: number): boolean {
  const first = buf[start];
  if (first === 0x74) return bytesAre(buf, start, end, "true");
  if (first === 0x66) return bytesAre(buf, start, end, "false");
  if (first === 0x6e) return bytesAre(buf, start, end, "null");
  let k = start;
  if (buf[k] === 0x2d) k++; // -
  if (buf[k] === 0x30) k++;
  else {
    const from = k;
    k = digitsEnd(buf, k, end);
    if (k === from) return false;
  }
  if (buf[k] === 0x2e) {
    const from = ++k; // .
    k = digitsEnd(buf, k, end);
    if (k === from) return false;
  }
  if (buf[k] === 0x65 || buf[k] === 0x45) {
    k++; // e E
    if (buf[k] === 0x2b || buf[k] === 0x2d) k++;
    const from = k;
    k = digitsEnd(buf, k, end);
    if (k === from) return false;
  }
  return k === end;
}

/** The end of the run of ASCII digits starting at `k` (before `end`). */
function digitsEnd(buf: Buffer, k: number, end: number): number {
  while (k < end && buf[k]! >= 0x30 && buf[k]! <= 0x39) k++;
  return k;
}

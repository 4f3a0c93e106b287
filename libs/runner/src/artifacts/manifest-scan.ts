import { checksumParts } from "@sluice/compiler/run-time";
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

/**
 * What to keep of a value: nothing (`SKIP`), the value itself, a scalar (`LEAF`), some keys of
 * an object (`KEYS`), or every value of an object, as an array in the order `Object.values`
 * gives for `JSON.parse`'s object (`ENTRIES`: the 30,000 entries of `nodes` are never made the
 * properties of one object, which cost more than reading them).
 */
interface Spec {
  readonly kind: typeof SKIP_KIND | typeof LEAF_KIND | typeof KEYS_KIND | typeof ENTRIES_KIND;
  /** KEYS: the wanted keys, by their byte length (compared as bytes: no string made per key). */
  readonly table: (WantedKey[] | undefined)[];
  /** KEYS: the wanted keys by name (for a key written with escapes). */
  readonly byName: ReadonlyMap<string, Spec>;
  /** ENTRIES: what to keep of each value. */
  readonly each: Spec | undefined;
}

/** A key a KEYS spec wants: its bytes, its name and what to keep of its value. */
interface WantedKey {
  readonly bytes: Buffer;
  readonly name: string;
  readonly spec: Spec;
}

const SKIP_KIND = 0;
const LEAF_KIND = 1;
const KEYS_KIND = 2;
const ENTRIES_KIND = 3;

const spec = (kind: Spec["kind"], wanted: Record<string, Spec> = {}, each?: Spec): Spec => {
  const table: (WantedKey[] | undefined)[] = [];
  for (const [name, s] of Object.entries(wanted)) {
    const bytes = Buffer.from(name, "utf8");
    (table[bytes.length] ??= []).push({ bytes, name, spec: s });
  }
  return { kind, table, byName: new Map(Object.entries(wanted)), each };
};
const SKIP = spec(SKIP_KIND);
const LEAF = spec(LEAF_KIND);
const keys = (wanted: Record<string, Spec>): Spec => spec(KEYS_KIND, wanted);

const NODE = keys({
  unique_id: LEAF,
  resource_type: LEAF,
  schema: LEAF,
  alias: LEAF,
  identifier: LEAF,
  name: LEAF,
  config: keys({ materialized: LEAF }),
  meta: keys({
    sluice: keys({
      checksums: keys(Object.fromEntries(checksumParts.map((part) => [part, LEAF]))),
      location: LEAF,
    }),
  }),
});
const MANIFEST = keys({
  metadata: keys({ dbt_schema_version: LEAF, adapter_type: LEAF }),
  nodes: spec(ENTRIES_KIND, {}, NODE),
  sources: spec(ENTRIES_KIND, {}, NODE),
});

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
/** Bytes that may stand as they are in a JSON string: not `"`, `\\` or a control character. */
const IN_STRING = new Uint8Array(256).fill(1, 0x20);
IN_STRING[QUOTE] = 0;
IN_STRING[BACKSLASH] = 0;
/** Bytes that end a literal: JSON whitespace and the structural characters. */
const DELIMITER = new Uint8Array(256);
for (const c of ' \n\r\t,:{}[]"') DELIMITER[c.charCodeAt(0)] = 1;

/** The key of `table` whose bytes are `bytes[start, end)` (a key without escapes), if any. */
function wantedKey(
  table: (WantedKey[] | undefined)[],
  bytes: Buffer,
  start: number,
  end: number,
): WantedKey | undefined {
  const candidates = table[end - start];
  if (candidates === undefined) return undefined;
  for (const wanted of candidates) {
    const b = wanted.bytes;
    let k = 0;
    while (k < b.length && b[k] === bytes[start + k]) k++;
    if (k === b.length) return wanted;
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
 * `nodes` and `sources` its `unique_id`, `resource_type`, `schema`, `alias`, `identifier`,
 * `name`, `config.materialized`, the five parts of `meta.sluice.checksums` and
 * `meta.sluice.location`; other keys are left out. `nodes` and `sources` are arrays of their
 * entries, in the order `Object.values` gives of the parsed objects (so `Object.values` of
 * either reads the same). Undefined when the file cannot be read, is not JSON, or holds at
 * those places something other than what this reads (an array, an object where a string is
 * expected): the caller then parses it whole, and says what is wrong with it.
 *
 * `entry`, when given, turns each entry of `nodes` and `sources` into what is kept in its place
 * as soon as it is read (e.g. a row of what `--state` keeps): the objects of 30,000 entries
 * then die young instead of living, and being copied by the garbage collector, to the end.
 *
 * @example scanManifest("prod-artifacts/manifest.json")?.nodes // [{ unique_id: "model.shop.a", ... }]
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
  private depth = 0;
  // Kept containers (objects), 1 to `kept`: their spec, the key they were read under in their
  // parent, and what they hold (a KEYS object's target; an ENTRIES object's values by key, and
  // whether one of its keys may be an array index, which JSON.parse orders first).
  private kept = 0;
  private readonly specs: Spec[] = [SKIP];
  private readonly keys: (string | undefined)[] = [undefined];
  private readonly targets: (Record<string, unknown> | undefined)[] = [undefined];
  private readonly entries: (Map<string, unknown> | undefined)[] = [undefined];
  private readonly indexKeys: boolean[] = [false];
  /** The key of the value being read in the innermost kept object, and what to keep of it. */
  private key: string | undefined;
  private keySpec: Spec = MANIFEST;
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
          // Plain bytes in one tight loop: one table look-up each.
          while (j < n && IN_STRING[buf[j]!] === 1) j++;
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
          throw new NotUnderstood(); // a control character
        }
        if (j >= n) break tokens; // cut: read again with the next chunk
        // Only the keys of kept objects, and the values of wanted keys, are looked at.
        if (depth === this.kept) {
          if (isKey) this.keyRead(buf, i + 1, j, escaped);
          else if (this.keySpec !== SKIP) this.valueRead(decode(buf, i + 1, j, escaped));
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
          if (depth === this.kept && this.keySpec !== SKIP) this.open(c === 0x7b);
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
          if (depth === this.kept && this.keySpec !== SKIP)
            this.valueRead(JSON.parse(buf.toString("latin1", i, j)));
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

  /** A key of the innermost kept object: remembered, with what to keep of its value. */
  private keyRead(bytes: Buffer, start: number, end: number, escaped: boolean): void {
    const spec = this.specs[this.kept]!;
    if (spec.kind === ENTRIES_KIND) {
      this.key = decode(bytes, start, end, escaped);
      this.keySpec = spec.each!;
    } else if (!escaped) {
      const wanted = wantedKey(spec.table, bytes, start, end);
      this.key = wanted?.name;
      this.keySpec = wanted?.spec ?? SKIP;
    } else {
      this.key = decode(bytes, start, end, escaped);
      this.keySpec = spec.byName.get(this.key) ?? SKIP;
    }
  }

  /** A wanted scalar value in the innermost kept object (a top-level scalar is no manifest). */
  private valueRead(value: unknown): void {
    if (this.kept > 0) this.put(this.kept, this.key!, value);
  }

  /** Set a value of kept object `d`: an entry of an ENTRIES object is made by `entry` first. */
  private put(d: number, key: string, value: unknown): void {
    const entries = this.entries[d];
    if (entries === undefined) setKey(this.targets[d]!, key, value);
    else {
      const first = key.charCodeAt(0);
      if (first >= 0x30 && first <= 0x39) this.indexKeys[d] = true;
      entries.set(key, this.made(value));
    }
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

  /** A wanted container opens in the innermost kept object (kept containers are objects). */
  private open(isObject: boolean): void {
    const spec = this.keySpec;
    if (spec.kind === LEAF_KIND || !isObject) throw new NotUnderstood();
    const d = ++this.kept;
    this.specs[d] = spec;
    this.keys[d] = this.key;
    if (spec.kind === ENTRIES_KIND) {
      this.entries[d] = new Map();
      this.indexKeys[d] = false;
      this.targets[d] = undefined;
    } else {
      const target = d === 1 ? this.root : {};
      this.entries[d] = undefined;
      this.targets[d] = target;
      // Set now in a KEYS parent (a repeated key replaces it); an entry is set when it closes.
      if (d > 1 && this.entries[d - 1] === undefined)
        setKey(this.targets[d - 1]!, this.key!, target);
    }
    this.key = undefined;
    this.keySpec = SKIP;
  }

  /** The innermost kept object closes: an entry, or ENTRIES' values, are set in the parent. */
  private close(): void {
    const d = this.kept--;
    const entries = this.entries[d];
    if (d > 1) {
      if (entries !== undefined)
        this.put(d - 1, this.keys[d]!, entryValues(entries, this.indexKeys[d]!));
      else if (this.entries[d - 1] !== undefined) this.put(d - 1, this.keys[d]!, this.targets[d]);
    }
    this.entries[d] = undefined;
    this.targets[d] = undefined;
    this.key = undefined;
    this.keySpec = SKIP;
  }
}

/**
 * The values of an object read as `entries`, in the order `Object.values(JSON.parse(...))` gives
 * (a repeated key keeps its first place and last value, as in a Map; keys that may be array
 * indexes are ordered by an object made of them).
 */
function entryValues(entries: Map<string, unknown>, indexKeys: boolean): unknown[] {
  if (!indexKeys) return [...entries.values()];
  const ordered: Record<string, unknown> = {};
  for (const [key, value] of entries) setKey(ordered, key, value);
  return Object.values(ordered);
}

/** A string's text (its bytes without the quotes), as JSON.parse gives it. */
function decode(bytes: Buffer, start: number, end: number, escaped: boolean): string {
  // No encoding named: Buffer#toString then decodes UTF-8 without looking the encoding up.
  if (!escaped) return bytes.toString(undefined, start, end);
  try {
    return JSON.parse(`"${bytes.toString("utf8", start, end)}"`) as string;
  } catch {
    throw new NotUnderstood();
  }
}

const TRUE = Buffer.from("true");
const FALSE = Buffer.from("false");
const NULL = Buffer.from("null");

/**
 * Whether `buf[start, end)` holds the bytes of `word` (compared as bytes: comparing with a
 * string's char codes cost 5% of a 60 MB manifest's scan).
 */
function bytesAre(buf: Buffer, start: number, end: number, word: Buffer): boolean {
  if (end - start !== word.length) return false;
  for (let k = 0; k < word.length; k++) if (buf[start + k] !== word[k]) return false;
  return true;
}

/** Whether `buf[start, end)` is `true`, `false`, `null` or a JSON number (allocates nothing). */
export function isLiteral(buf: Buffer, start: number, end: number): boolean {
  const first = buf[start];
  if (first === 0x74) return bytesAre(buf, start, end, TRUE);
  if (first === 0x66) return bytesAre(buf, start, end, FALSE);
  if (first === 0x6e) return bytesAre(buf, start, end, NULL);
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

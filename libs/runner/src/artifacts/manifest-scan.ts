import { readChunks } from "./file-chunks.js";

/**
 * A manifest.json read for `--state` without parsing it whole: a dbt manifest of 10,000 models
 * is 60 MB, and `JSON.parse` of it (after decoding it into one string) was most of reading a
 * state that has no sidecar. The file is read a MB at a time and walked once by a resumable
 * tokenizer that checks JSON's structure (brackets, colons, commas, literals), skips the text
 * of strings it does not need with native searches for `"` and `\`, and decodes only the
 * fields `--state` reads (see {@link scanManifest}). No step backtracks: each byte is looked at
 * a bounded number of times, whatever the chunk boundaries.
 *
 * Not checked: the characters inside strings that are skipped (a raw control character there,
 * which `JSON.parse` rejects, is let through).
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

const LITERAL = /^(?:true|false|null|-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?)$/;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/** Each key wanted by a spec, as bytes, by length. */
const keyBytes = new WeakMap<object, Map<number, [Buffer, string][]>>();

/**
 * The key of `spec` whose bytes are `bytes[start, end)` (a key without escapes), or undefined:
 * keys are compared as bytes, without making a string of each of a node's forty keys.
 */
function wantedKey(
  spec: { keys: Record<string, Spec> },
  bytes: Buffer,
  start: number,
  end: number,
): string | undefined {
  let byLength = keyBytes.get(spec);
  if (byLength === undefined) {
    byLength = new Map();
    for (const key of Object.keys(spec.keys)) {
      const b = Buffer.from(key, "utf8");
      byLength.set(b.length, [...(byLength.get(b.length) ?? []), [b, key]]);
    }
    keyBytes.set(spec, byLength);
  }
  const candidates = byLength.get(end - start);
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
 * @example scanManifest("prod-artifacts/manifest.json")?.nodes?.["model.shop.funnel"]
 */
export function scanManifest(
  file: string,
  chunkSize = 1 << 20,
): Record<string, unknown> | undefined {
  const scan = new ManifestScan();
  try {
    return readChunks(file, chunkSize, (chunk) => scan.feed(chunk)) ? scan.end() : undefined;
  } catch (err) {
    if (err instanceof NotUnderstood) return undefined;
    if ((err as NodeJS.ErrnoException).code !== undefined) return undefined;
    throw err;
  }
}

/** The tokenizer of {@link scanManifest}: fed chunks in order, each byte once. */
class ManifestScan {
  private readonly root: Record<string, unknown> = {};
  // One entry per open container (plus the top level at 0).
  private readonly specs: Spec[] = [MANIFEST];
  private readonly targets: (Record<string, unknown> | undefined)[] = [undefined];
  private readonly states: number[] = [TOP_VALUE];
  private depth = 0;
  /** The key of the value being read in the innermost object (undefined: not decoded). */
  private key: string | undefined;
  // A string being read: in a string, its bytes when they are kept, an escape seen, a `\` last.
  private inString = false;
  private stringIsKey = false;
  private keep = false;
  private pieces: Buffer[] = [];
  private escaped = false;
  private afterBackslash = false;
  // A literal (number, true, false, null) being read: its bytes so far.
  private literal: string | undefined;
  // The next `\` at or after `backslashFrom` in `backslashIn` (-1: none to its end), searched
  // once per chunk stretch, not once per string (that would be quadratic).
  private backslashIn: Buffer | undefined;
  private backslashFrom = 0;
  private backslashAt = -1;

  private nextBackslash(buf: Buffer, pos: number): number {
    if (
      buf !== this.backslashIn ||
      pos < this.backslashFrom ||
      (this.backslashAt !== -1 && this.backslashAt < pos)
    ) {
      this.backslashIn = buf;
      this.backslashFrom = pos;
      this.backslashAt = buf.indexOf(BACKSLASH, pos);
    }
    return this.backslashAt;
  }

  feed(buf: Buffer): void {
    let i = 0;
    const len = buf.length;
    while (i < len) {
      if (this.inString) {
        i = this.readString(buf, i);
        continue;
      }
      if (this.literal !== undefined) {
        // Only a literal cut by a chunk's end: the others are read where they start.
        const start = i;
        while (i < len && !isDelimiter(buf[i]!)) i++;
        this.literal += buf.toString("latin1", start, i);
        if (i === len) return;
        this.endLiteral();
        continue;
      }
      const c = buf[i]!;
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) {
        i++;
        continue;
      }
      const state = this.states[this.depth]!;
      switch (c) {
        case QUOTE:
          if (state === TOP_VALUE) throw new NotUnderstood();
          if (state === OBJ_KEY_OR_END || state === OBJ_KEY) {
            this.startString(true, typeof this.specs[this.depth] === "object");
          } else {
            const spec = this.valueSpec(state);
            this.startString(false, spec !== "skip");
          }
          i++;
          this.inString = true;
          break;
        case 0x7b: // {
        case 0x5b: {
          // [
          const spec = this.valueSpec(state);
          this.open(c === 0x7b, spec);
          i++;
          break;
        }
        case 0x7d: // }
          if (state !== OBJ_KEY_OR_END && state !== OBJ_COMMA_OR_END) throw new NotUnderstood();
          this.close();
          i++;
          break;
        case 0x5d: // ]
          if (state !== ARR_VALUE_OR_END && state !== ARR_COMMA_OR_END) throw new NotUnderstood();
          this.close();
          i++;
          break;
        case 0x3a: // :
          if (state !== OBJ_COLON) throw new NotUnderstood();
          this.states[this.depth] = OBJ_VALUE;
          i++;
          break;
        case 0x2c: // ,
          if (state === OBJ_COMMA_OR_END) this.states[this.depth] = OBJ_KEY;
          else if (state === ARR_COMMA_OR_END) this.states[this.depth] = ARR_VALUE;
          else throw new NotUnderstood();
          i++;
          break;
        default:
          // A literal starts: its spec is checked when it ends.
          if (state === TOP_VALUE) throw new NotUnderstood();
          if (this.valueSpec(state) === "skip") {
            // Checked in place, no string made (a manifest has a million of them).
            const start = i;
            while (i < len && !isDelimiter(buf[i]!)) i++;
            if (i < len) {
              if (!isLiteral(buf, start, i)) throw new NotUnderstood();
              this.valueDone();
              break;
            }
            i = start;
          }
          this.literal = "";
      }
    }
  }

  /** The manifest's parts (see {@link scanManifest}); throws {@link NotUnderstood} if unfinished. */
  end(): Record<string, unknown> {
    if (this.literal !== undefined) this.endLiteral();
    if (this.inString || this.states[0] !== TOP_DONE || this.depth !== 0) throw new NotUnderstood();
    return this.root;
  }

  /** The spec of a value starting in the innermost container, which must be expecting one. */
  private valueSpec(state: number): Spec {
    if (state === TOP_VALUE) return MANIFEST;
    if (state === ARR_VALUE_OR_END || state === ARR_VALUE) {
      if (this.specs[this.depth] !== "skip") throw new NotUnderstood();
      return "skip";
    }
    if (state !== OBJ_VALUE) throw new NotUnderstood();
    const parent = this.specs[this.depth]!;
    if (parent === "skip" || parent === "leaf") return "skip";
    if ("each" in parent) return parent.each;
    return parent.keys[this.key!] ?? "skip";
  }

  /** The innermost container has read a value. */
  private valueDone(): void {
    const d = this.depth;
    const state = this.states[d]!;
    this.states[d] =
      state === TOP_VALUE ? TOP_DONE : state === OBJ_VALUE ? OBJ_COMMA_OR_END : ARR_COMMA_OR_END;
  }

  /** A value for the innermost object's current key: kept when its spec wants it. */
  private assign(value: unknown): void {
    const target = this.targets[this.depth];
    if (target !== undefined && this.key !== undefined) setKey(target, this.key, value);
  }

  private open(isObject: boolean, spec: Spec): void {
    if (spec === "leaf" || (!isObject && spec !== "skip")) throw new NotUnderstood();
    let target: Record<string, unknown> | undefined;
    if (spec !== "skip") {
      // A container the scan keeps: a new object in its parent (a repeated key replaces it).
      target = this.depth === 0 ? this.root : {};
      if (this.depth > 0) this.assign(target);
    }
    const d = ++this.depth;
    this.specs[d] = spec;
    this.targets[d] = target;
    this.states[d] = isObject ? OBJ_KEY_OR_END : ARR_VALUE_OR_END;
    this.key = undefined;
  }

  private close(): void {
    this.depth--;
    this.key = undefined;
    this.valueDone();
  }

  private startString(isKey: boolean, keep: boolean): void {
    this.stringIsKey = isKey;
    this.keep = keep;
    this.pieces = [];
    this.escaped = false;
    this.afterBackslash = false;
  }

  /** Read string bytes from `i`; returns where to go on (past the closing quote, or the chunk's end). */
  private readString(buf: Buffer, i: number): number {
    const len = buf.length;
    let pos = i;
    if (this.afterBackslash) {
      // The escaped byte was the first of this chunk.
      this.afterBackslash = false;
      pos++;
    }
    for (;;) {
      const quote = pos < len ? buf.indexOf(QUOTE, pos) : -1;
      const backslash = pos < len ? this.nextBackslash(buf, pos) : -1;
      if (backslash !== -1 && (quote === -1 || backslash < quote)) {
        this.escaped = true;
        if (backslash + 1 < len) {
          pos = backslash + 2;
          continue;
        }
        this.afterBackslash = true;
      }
      if (quote === -1 || this.afterBackslash) {
        // Goes on in the next chunk: the bytes kept are copied (the chunk's buffer is reused).
        if (this.keep) this.pieces.push(Buffer.from(buf.subarray(i, len)));
        return len;
      }
      this.inString = false;
      if (this.pieces.length === 0) this.endString(buf, i, quote);
      else {
        if (this.keep) this.pieces.push(buf.subarray(i, quote));
        const bytes = Buffer.concat(this.pieces);
        this.pieces = [];
        this.endString(bytes, 0, bytes.length);
      }
      return quote + 1;
    }
  }

  /** A string's bytes (without its quotes) are `bytes[start, end)`. */
  private endString(bytes: Buffer, start: number, end: number): void {
    if (this.stringIsKey) {
      this.states[this.depth] = OBJ_COLON;
      const spec = this.specs[this.depth]!;
      if (!this.keep || spec === "skip" || spec === "leaf") this.key = undefined;
      else if ("keys" in spec && !this.escaped) this.key = wantedKey(spec, bytes, start, end);
      else this.key = this.decode(bytes, start, end);
      return;
    }
    if (this.keep) this.assign(this.decode(bytes, start, end));
    this.valueDone();
  }

  /** A string's text, as JSON.parse gives it. */
  private decode(bytes: Buffer, start: number, end: number): string {
    if (this.escaped) {
      try {
        return JSON.parse(`"${bytes.toString("utf8", start, end)}"`) as string;
      } catch {
        throw new NotUnderstood();
      }
    }
    for (let k = start; k < end; k++) if (bytes[k]! < 0x20) throw new NotUnderstood();
    return bytes.toString("utf8", start, end);
  }

  private endLiteral(): void {
    const text = this.literal!;
    this.literal = undefined;
    if (!LITERAL.test(text)) throw new NotUnderstood();
    const spec = this.valueSpec(this.states[this.depth]!);
    if (spec !== "skip") this.assign(JSON.parse(text));
    this.valueDone();
  }
}

/** Whether `buf[start, end)` is `true`, `false`, `null` or a JSON number. */
function isLiteral(buf: Buffer, start: number, end: number): boolean {
  const first = buf[start];
  const word = first === 0x74 ? "true" : first === 0x66 ? "false" : first === 0x6e ? "null" : "";
  if (word !== "") {
    if (end - start !== word.length) return false;
    for (let k = 1; k < word.length; k++) if (buf[start + k] !== word.charCodeAt(k)) return false;
    return true;
  }
  let k = start;
  const digits = (): boolean => {
    const from = k;
    while (k < end && buf[k]! >= 0x30 && buf[k]! <= 0x39) k++;
    return k > from;
  };
  if (buf[k] === 0x2d) k++; // -
  if (buf[k] === 0x30) k++;
  else if (!digits()) return false;
  if (buf[k] === 0x2e) {
    k++; // .
    if (!digits()) return false;
  }
  if (buf[k] === 0x65 || buf[k] === 0x45) {
    k++; // e E
    if (buf[k] === 0x2b || buf[k] === 0x2d) k++;
    if (!digits()) return false;
  }
  return k === end;
}

/** Bytes that end a literal: JSON whitespace and the structural characters. */
const isDelimiter = (c: number): boolean =>
  c === 0x2c ||
  c === 0x7d ||
  c === 0x5d ||
  c === 0x20 ||
  c === 0x0a ||
  c === 0x0d ||
  c === 0x09 ||
  c === 0x3a ||
  c === 0x7b ||
  c === 0x5b ||
  c === QUOTE;

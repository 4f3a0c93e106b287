import type { CompiledNode, CompiledProject } from "../types.js";
import { isSpace } from "../is-space.js";

/**
 * Each node's relation, schema and name in lower case (as SQL matches them), in arrays by the
 * node's position, and the lengths their parts have: no object per relation (30,000 at 10,000
 * models).
 */
export interface Relations {
  /** Each node's position in {@link schemas} and {@link names}, by id. */
  byId: ReadonlyMap<string, number>;
  schemas: readonly string[];
  names: readonly string[];
  /**
   * 1 at each length some relation's schema has (the last slot: 255 or longer): a
   * `schema.name` whose schema length has none is no relation (most are `alias.column`).
   */
  schemaLengths: Uint8Array;
}

/**
 * The compiled project's {@link Relations}: what {@link neutralSql} looks parents up in. With
 * `ids`, those of these nodes and their parents only: all that {@link neutralSql} of these nodes
 * looks up (a one-model change's manifest hashes 3 of 30,000 nodes), and the same digests, since
 * a name whose schema length none of them has matches none of them either. `chosen`: the nodes
 * of `ids`, when the caller has them (not looked for again among every node).
 */
export function relationKeys(
  compiled: CompiledProject,
  ids?: ReadonlySet<string>,
  chosen?: readonly CompiledNode[],
): Relations {
  const byId = new Map<string, number>();
  const count = compiled.nodes.length;
  const schemas = new Array<string>(count);
  const names = new Array<string>(count);
  const schemaLengths = new Uint8Array(256);
  let wanted: Set<string> | undefined;
  // Every node chosen (a cold manifest): no set of them is worth building.
  if (ids && ids.size < count) {
    wanted = new Set(ids);
    if (chosen) for (const n of chosen) for (const d of n.dependsOn) wanted.add(d);
    else
      for (const n of compiled.nodes) if (ids.has(n.id)) for (const d of n.dependsOn) wanted.add(d);
  }
  for (let i = 0; i < count; i++) {
    const n = compiled.nodes[i]!;
    if (wanted && !wanted.has(n.id)) continue;
    byId.set(n.id, i);
    const schema = (schemas[i] = n.relation.schema.toLowerCase());
    names[i] = n.relation.name.toLowerCase();
    schemaLengths[Math.min(schema.length, 255)] = 1;
  }
  return { byId, schemas, names, schemaLengths };
}

/**
 * The node's SQL (full, then incremental after a `-- incremental` line) with each relation it
 * reads (and its own) written as `{{id}}`: of the node and its parents with the same relation,
 * the last in `[node, ...dependsOn]` order; `sluice_raw_window({{id}})` as `{{id}}`; whitespace
 * outside quoted literals and identifiers collapsed (see {@link collapseWhitespace}). What the
 * `body` checksum hashes: the same for a node compiled for the lake or for Athena.
 * `keys`: the project's {@link Relations} (see {@link relationKeys}).
 *
 * @example neutralSql(node, keys) // 'select * from {{model.stg}} where "x" = \'a  b\''
 */
export const neutralSql = (node: CompiledNode, keys: Relations): string =>
  utf8.decode(neutralSqlUtf8(node, keys, byteScratch()));

/**
 * {@link neutralSql} as UTF-8 bytes (see {@link collapsedUtf8}): what the `body` checksum hashes,
 * written into `scratch` without building the text.
 */
export function neutralSqlUtf8(
  node: CompiledNode,
  keys: Relations,
  scratch: ByteScratch,
): Uint8Array {
  const candidates = scratch.candidates?.keys === keys ? scratch.candidates : new Candidates(keys);
  scratch.candidates = candidates;
  candidates.reset(node);
  const text =
    node.incrementalSql === undefined
      ? `${node.sql}\n-- incremental\n`
      : `${node.sql}\n-- incremental\n${node.incrementalSql}`;
  let sql = replaceQualified(text, candidates.idOf);
  // Lake engines read raw sources through `sluice_raw_window(<relation>)`; Athena reads the table.
  if (sql.includes("sluice_raw_window("))
    sql = sql.replace(/\bsluice_raw_window\((\{\{[^}]+\}\})\)/g, "$1");
  // Whitespace outside quoted literals and identifiers means nothing to the engine.
  return collapsedUtf8(sql, scratch);
}

/**
 * The relations one node's SQL may name: the node (candidate 0) and its parents (candidate i is
 * `dependsOn[i - 1]`), each one's position in `keys` (-1: none) looked up when a name is first
 * compared. One per pass, {@link reset} for each node: no closures or array made per node.
 */
class Candidates {
  private node!: CompiledNode;
  /** Each candidate's position in `keys`; -2: not looked up yet. */
  private found = new Int32Array(16);

  constructor(readonly keys: Relations) {}

  /** Start on `node`'s SQL. */
  reset(node: CompiledNode): void {
    this.node = node;
    const count = node.dependsOn.length + 1;
    if (this.found.length < count) this.found = new Int32Array(count * 2);
    this.found.fill(-2, 0, count);
  }

  private keyOf(i: number): number {
    let at = this.found[i]!;
    if (at === -2) {
      const node = this.node;
      at = this.keys.byId.get(i === 0 ? node.id : node.dependsOn[i - 1]!) ?? -1;
      this.found[i] = at;
    }
    return at;
  }

  /** The last candidate publishing the schema and name at these positions (as lower case). */
  readonly idOf: QualifiedId = (text, schemaFrom, schemaTo, nameFrom, nameTo) => {
    const { keys, node } = this;
    if (keys.schemaLengths[Math.min(schemaTo - schemaFrom, 255)] === 0) return undefined;
    for (let i = node.dependsOn.length; i >= 0; i--) {
      const at = this.keyOf(i);
      if (at < 0) continue;
      const schema = keys.schemas[at]!;
      const name = keys.names[at]!;
      // Told apart by their lengths before any character is compared.
      if (
        name.length === nameTo - nameFrom &&
        schema.length === schemaTo - schemaFrom &&
        isLowerCaseOf(schema, text, schemaFrom) &&
        isLowerCaseOf(name, text, nameFrom)
      )
        return i === 0 ? node.id : node.dependsOn[i - 1];
    }
    return undefined;
  };
}

const DOUBLE_QUOTE = 34;
const SINGLE_QUOTE = 39;
const BACKTICK = 96;
const DOT = 46;
const DOLLAR = 36;

/** `[A-Za-z0-9_$]` (a regex's `[\w$]`) by char code below 128; nothing above is. */
const WORD = new Uint8Array(128);
for (let c = 0; c < 128; c++) WORD[c] = /[\w$]/.test(String.fromCharCode(c)) ? 1 : 0;
const isWord = (c: number): boolean => c < 128 && WORD[c] === 1;

/** Where the run of `[\w$]` characters from `i` ends. */
function wordEnd(text: string, i: number): number {
  while (i < text.length && isWord(text.charCodeAt(i))) i++;
  return i;
}

/** Whether `lower` is the text from `at` (`[\w$]` characters), lower-cased. */
function isLowerCaseOf(lower: string, text: string, at: number): boolean {
  for (let k = 0; k < lower.length; k++) {
    const c = text.charCodeAt(at + k);
    if ((c >= 65 && c <= 90 ? c + 32 : c) !== lower.charCodeAt(k)) return false;
  }
  return true;
}

/** A char that may not follow a qualified name: `[\w"`.]` (`$` may). */
const endsName = (c: number): boolean =>
  !(isWord(c) && c !== DOLLAR) && c !== DOUBLE_QUOTE && c !== BACKTICK && c !== DOT;

/**
 * The id a `schema.name` of `text` stands for, if any: the schema at `[schemaFrom, schemaTo)`,
 * the name at `[nameFrom, nameTo)`, without their quotes.
 */
export type QualifiedId = (
  text: string,
  schemaFrom: number,
  schemaTo: number,
  nameFrom: number,
  nameTo: number,
) => string | undefined;

/**
 * `text` with each `schema.name` (either part optionally in `"` or `` ` ``, whitespace around
 * the dot) for which `idOf` gives an id written as `{{id}}`. The text the replace of
 * `/(["`]?)([\w$]+)\1\s*\.\s*(["`]?)([\w$]+)\3(?![\w"`.])/g` gives (leftmost matches, a name
 * cut short before a `$` when what follows it may not end a name), without a regex or a
 * callback per match (138,000 matches at 10,000 models). Every match holds exactly one dot, so
 * the dots are found by `indexOf` and only the text around each is read: a first call runs
 * mostly in native code, where a loop over every character ran in the interpreter until it was
 * optimized (a third of hashing a 10,000-model project).
 */
export function replaceQualified(text: string, idOf: QualifiedId): string {
  const name = [0, 0, 0];
  const schema = [0, 0];
  let out = "";
  let copied = 0;
  // No match starts before `from`: the end of the last one (the pattern's lastIndex).
  let from = 0;
  for (let dot = text.indexOf("."); dot >= 0; dot = text.indexOf(".", Math.max(dot + 1, from))) {
    const start = schemaBefore(text, from, dot, schema);
    // The name is read from the schema's end (after its closing quote, when it has one).
    const schemaEnd = schema[1]! + (start < schema[0]! ? 1 : 0);
    if (start < 0 || !qualifiedName(text, schemaEnd, name)) continue;
    const id = idOf(text, schema[0]!, schema[1]!, name[0]!, name[1]!);
    if (id !== undefined) {
      out += `${text.slice(copied, start)}{{${id}}}`;
      copied = name[2]!;
    }
    from = name[2]!;
  }
  return copied === 0 ? text : out + text.slice(copied);
}

/**
 * Where a match whose dot is at `dot` starts, no earlier than `from`, or -1 when none can: the
 * schema (a word, or a word in matching quotes) and whitespace just before the dot. `schema`
 * gets where the schema's word starts and ends. A start inside the word would end it at the
 * same place and match alike, so the leftmost is the match the pattern finds.
 */
function schemaBefore(text: string, from: number, dot: number, schema: number[]): number {
  let end = dot;
  while (end > from && isSpace(text.charCodeAt(end - 1))) end--;
  if (end === from) return -1;
  const last = text.charCodeAt(end - 1);
  const quoted = last === DOUBLE_QUOTE || last === BACKTICK;
  if (quoted) end--;
  else if (!isWord(last)) return -1;
  let start = end;
  while (start > from && isWord(text.charCodeAt(start - 1))) start--;
  schema[0] = start;
  schema[1] = end;
  if (!quoted) return start;
  // The same quote must open the word, at or after `from`.
  return start === end || start === from || text.charCodeAt(start - 1) !== last ? -1 : start - 1;
}

/**
 * Whether a qualified name's `.name` part follows its schema (at `at`); if so `name` holds where
 * the name starts and ends and where the match ends (after a closing quote).
 */
function qualifiedName(text: string, at: number, name: number[]): boolean {
  const n = text.length;
  let i = at;
  while (i < n && isSpace(text.charCodeAt(i))) i++;
  if (i === n || text.charCodeAt(i) !== DOT) return false;
  i++;
  while (i < n && isSpace(text.charCodeAt(i))) i++;
  if (i === n) return false;
  const q = text.charCodeAt(i);
  if (q === DOUBLE_QUOTE || q === BACKTICK) {
    const j = wordEnd(text, i + 1);
    if (j === i + 1 || j === n || text.charCodeAt(j) !== q) return false;
    if (j + 1 < n && !endsName(text.charCodeAt(j + 1))) return false;
    name[0] = i + 1;
    name[1] = j;
    name[2] = j + 1;
    return true;
  }
  if (!isWord(q)) return false;
  let j = wordEnd(text, i + 1);
  if (j < n && !endsName(text.charCodeAt(j))) {
    // The pattern gives back characters of the name until a `$` follows it.
    do j--;
    while (j > i && text.charCodeAt(j) !== DOLLAR);
    if (j === i) return false;
  }
  name[0] = i;
  name[1] = name[2] = j;
  return true;
}

/**
 * Where the quoted literal or identifier opening at `open` (a `'` or `"`) ends (after its closing
 * quote), or -1 when no quote closes it: the longest `'(?:[^']|'')*'` (`"` alike), so doubled
 * quotes inside are escapes, and the first of the last pair closes it when nothing else does.
 */
function quotedEnd(sql: string, open: number): number {
  const q = sql.charCodeAt(open);
  let close = -1;
  let j = sql.indexOf(q === SINGLE_QUOTE ? "'" : '"', open + 1);
  while (j >= 0) {
    close = j;
    if (sql.charCodeAt(j + 1) !== q) return j + 1;
    j = sql.indexOf(q === SINGLE_QUOTE ? "'" : '"', j + 2);
  }
  return close < 0 ? -1 : close + 1;
}

/** A byte buffer reused from one text to the next (one per checksum pass), grown when short. */
export interface ByteScratch {
  bytes: Uint8Array;
  /** What {@link neutralSqlUtf8} reuses from node to node (of one `keys`). */
  candidates?: Candidates;
}

/** A new {@link ByteScratch}. */
export const byteScratch = (): ByteScratch => ({ bytes: new Uint8Array(1024) });

/**
 * {@link collapseWhitespace} of `sql` as UTF-8 bytes (a lone surrogate as U+FFFD, as Node encodes
 * strings to hash them), written in one pass into `scratch`: no string is built. The bytes are
 * a view of the scratch buffer, valid until its next use.
 */
export function collapsedUtf8(sql: string, scratch: ByteScratch): Uint8Array {
  const n = sql.length;
  if (scratch.bytes.length < n * 3) scratch.bytes = new Uint8Array(n * 3 + 1024);
  const b = scratch.bytes;
  let w = 0;
  let i = 0;
  while (i < n) {
    const c = sql.charCodeAt(i);
    if (c > 32 && c < 128 && c !== SINGLE_QUOTE && c !== DOUBLE_QUOTE) {
      b[w++] = c;
      i++;
    } else if (c === SINGLE_QUOTE || c === DOUBLE_QUOTE) {
      // A quoted literal or identifier is kept as it is; a quote that opens nothing is text.
      const end = quotedEnd(sql, i);
      w = utf8Into(sql, i, end < 0 ? i + 1 : end, b, w);
      i = end < 0 ? i + 1 : end;
    } else if (isSpace(c)) {
      let j = i + 1;
      while (j < n && isSpace(sql.charCodeAt(j))) j++;
      // One space between texts; none before the first or after the last.
      if (w > 0 && j < n) b[w++] = 32;
      i = j;
    } else {
      const to =
        c >= 0xd800 && c <= 0xdbff && isLowSurrogate(sql.charCodeAt(i + 1)) ? i + 2 : i + 1;
      w = utf8Into(sql, i, to, b, w);
      i = to;
    }
  }
  return b.subarray(0, w);
}

const isLowSurrogate = (c: number): boolean => c >= 0xdc00 && c <= 0xdfff;

/** Writes `text` from `from` to `to` as UTF-8 into `b` at `w`; returns where it stopped. */
function utf8Into(text: string, from: number, to: number, b: Uint8Array, w: number): number {
  for (let k = from; k < to; k++) {
    const c = text.charCodeAt(k);
    if (c < 0x80) b[w++] = c;
    else if (c < 0x800) {
      b[w++] = 0xc0 | (c >> 6);
      b[w++] = 0x80 | (c & 0x3f);
    } else if (c < 0xd800 || c > 0xdfff) {
      b[w++] = 0xe0 | (c >> 12);
      b[w++] = 0x80 | ((c >> 6) & 0x3f);
      b[w++] = 0x80 | (c & 0x3f);
    } else if (c <= 0xdbff && k + 1 < to && isLowSurrogate(text.charCodeAt(k + 1))) {
      const point = 0x10000 + ((c - 0xd800) << 10) + (text.charCodeAt(++k) - 0xdc00);
      b[w++] = 0xf0 | (point >> 18);
      b[w++] = 0x80 | ((point >> 12) & 0x3f);
      b[w++] = 0x80 | ((point >> 6) & 0x3f);
      b[w++] = 0x80 | (point & 0x3f);
    } else {
      // A lone surrogate: U+FFFD, as Node writes it.
      b[w++] = 0xef;
      b[w++] = 0xbf;
      b[w++] = 0xbd;
    }
  }
  return w;
}

const utf8 = new TextDecoder();

/**
 * Whitespace runs outside quoted literals and identifiers as one space, trimmed; a quote that
 * opens nothing (no quote closes it) is text. The text of {@link collapsedUtf8}'s bytes.
 *
 * @example collapseWhitespace(" select  'a  b' ,\n\t\"x  y\" ") // "select 'a  b' , \"x  y\""
 */
export const collapseWhitespace = (sql: string): string =>
  utf8.decode(collapsedUtf8(sql, byteScratch()));

import type { CompiledNode, CompiledProject } from "../types.js";

/** A relation's schema and name in lower case, as SQL matches them. */
export interface RelationKey {
  schema: string;
  name: string;
}

/** Each node's relation as a {@link RelationKey}, by id: what {@link neutralSql} looks parents up in. */
export function relationKeys(compiled: CompiledProject): Map<string, RelationKey> {
  const keys = new Map<string, RelationKey>();
  for (const n of compiled.nodes)
    keys.set(n.id, {
      schema: n.relation.schema.toLowerCase(),
      name: n.relation.name.toLowerCase(),
    });
  return keys;
}

/**
 * The node's SQL (full, then incremental after a `-- incremental` line) with each relation it
 * reads (and its own) written as `{{id}}`: of the node and its parents with the same relation,
 * the last in `[node, ...dependsOn]` order; `sluice_raw_window({{id}})` as `{{id}}`; whitespace
 * outside quoted literals and identifiers collapsed (see {@link collapseWhitespace}). What the
 * `body` checksum hashes: the same for a node compiled for the lake or for Athena.
 * `keys`: each node's {@link RelationKey} (see {@link relationKeys}).
 *
 * @example neutralSql(node, keys) // 'select * from {{model.stg}} where "x" = \'a  b\''
 */
export function neutralSql(node: CompiledNode, keys: ReadonlyMap<string, RelationKey>): string {
  const candidates = [node.id, ...node.dependsOn];
  const candidateKeys = candidates.map((id) => keys.get(id));
  /** The last of `candidates` publishing `schema.name` (compared as lower case). */
  const idOf = (schema: string, name: string): string | undefined => {
    let lower: RelationKey | undefined;
    for (let i = candidates.length - 1; i >= 0; i--) {
      const key = candidateKeys[i];
      // Most matches are `alias.column`: told apart by length before anything is lower-cased.
      if (!key || key.name.length !== name.length || key.schema.length !== schema.length) continue;
      lower ??= { schema: schema.toLowerCase(), name: name.toLowerCase() };
      if (key.name === lower.name && key.schema === lower.schema) return candidates[i];
    }
    return undefined;
  };
  const text =
    node.incrementalSql === undefined
      ? `${node.sql}\n-- incremental\n`
      : `${node.sql}\n-- incremental\n${node.incrementalSql}`;
  let sql = replaceQualified(text, idOf);
  // Lake engines read raw sources through `sluice_raw_window(<relation>)`; Athena reads the table.
  if (sql.includes("sluice_raw_window("))
    sql = sql.replace(/\bsluice_raw_window\((\{\{[^}]+\}\})\)/g, "$1");
  // Whitespace outside quoted literals and identifiers means nothing to the engine.
  return collapseWhitespace(sql);
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

/** Whether a char code is a regex's `\s` (what `trim` removes too). */
function isSpace(c: number): boolean {
  if (c <= 32) return c === 32 || (c >= 9 && c <= 13);
  if (c < 160) return false;
  return (
    c === 160 ||
    c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 ||
    c === 0x2029 ||
    c === 0x202f ||
    c === 0x205f ||
    c === 0x3000 ||
    c === 0xfeff
  );
}

/** Where the run of `[\w$]` characters from `i` ends. */
function wordEnd(text: string, i: number): number {
  while (i < text.length && isWord(text.charCodeAt(i))) i++;
  return i;
}

/** A char that may not follow a qualified name: `[\w"`.]` (`$` may). */
const endsName = (c: number): boolean =>
  !(isWord(c) && c !== DOLLAR) && c !== DOUBLE_QUOTE && c !== BACKTICK && c !== DOT;

/**
 * `text` with each `schema.name` (either part optionally in `"` or `` ` ``, whitespace around
 * the dot) for which `idOf` gives an id written as `{{id}}`. The text the replace of
 * `/(["`]?)([\w$]+)\1\s*\.\s*(["`]?)([\w$]+)\3(?![\w"`.])/g` gives (leftmost matches, a name
 * cut short before a `$` when what follows it may not end a name), found in one pass over the
 * characters without a regex or a callback per match (138,000 matches at 10,000 models).
 */
export function replaceQualified(
  text: string,
  idOf: (schema: string, name: string) => string | undefined,
): string {
  const n = text.length;
  let out = "";
  let from = 0;
  let p = 0;
  while (p < n) {
    const c = text.charCodeAt(p);
    let schemaEnd: number;
    let after: number;
    if (c === DOUBLE_QUOTE || c === BACKTICK) {
      const i = wordEnd(text, p + 1);
      // The same quote must close a word; else the next position is tried (a word may start it).
      if (i === p + 1 || i === n || text.charCodeAt(i) !== c) {
        p++;
        continue;
      }
      schemaEnd = i;
      after = i + 1;
    } else if (isWord(c)) {
      schemaEnd = after = wordEnd(text, p + 1);
    } else {
      p++;
      continue;
    }
    const end = qualifiedEnd(text, after);
    if (end === undefined) {
      // A match starting inside the word would end it at the same place (or at its closing
      // quote, which no dot follows) and fail alike.
      p = schemaEnd;
      continue;
    }
    const quoted = c === DOUBLE_QUOTE || c === BACKTICK ? 1 : 0;
    const id = idOf(text.slice(p + quoted, schemaEnd), text.slice(end.nameFrom, end.nameTo));
    if (id !== undefined) {
      out += `${text.slice(from, p)}{{${id}}}`;
      from = end.at;
    }
    p = end.at;
  }
  return from === 0 ? text : out + text.slice(from);
}

/** Where a qualified name's `.name` part (from `at`, after the schema) is, if there is one. */
function qualifiedEnd(
  text: string,
  at: number,
): { nameFrom: number; nameTo: number; at: number } | undefined {
  const n = text.length;
  let i = at;
  while (i < n && isSpace(text.charCodeAt(i))) i++;
  if (i === n || text.charCodeAt(i) !== DOT) return undefined;
  i++;
  while (i < n && isSpace(text.charCodeAt(i))) i++;
  if (i === n) return undefined;
  const q = text.charCodeAt(i);
  if (q === DOUBLE_QUOTE || q === BACKTICK) {
    const j = wordEnd(text, i + 1);
    if (j === i + 1 || j === n || text.charCodeAt(j) !== q) return undefined;
    if (j + 1 < n && !endsName(text.charCodeAt(j + 1))) return undefined;
    return { nameFrom: i + 1, nameTo: j, at: j + 1 };
  }
  if (!isWord(q)) return undefined;
  let j = wordEnd(text, i + 1);
  if (j < n && !endsName(text.charCodeAt(j))) {
    // The pattern gives back characters of the name until a `$` follows it.
    do j--;
    while (j > i && text.charCodeAt(j) !== DOLLAR);
    if (j === i) return undefined;
  }
  return { nameFrom: i, nameTo: j, at: j };
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

/**
 * Whitespace runs outside quoted literals and identifiers as one space, trimmed; a quote that
 * opens nothing (no quote closes it) is text. One pass over the characters, the text copied in
 * slices between the runs that change.
 *
 * @example collapseWhitespace(" select  'a  b' ,\n\t\"x  y\" ") // "select 'a  b' , \"x  y\""
 */
export function collapseWhitespace(sql: string): string {
  const n = sql.length;
  let out = "";
  let from = 0;
  let i = 0;
  while (i < n) {
    const c = sql.charCodeAt(i);
    if (c === SINGLE_QUOTE || c === DOUBLE_QUOTE) {
      const end = quotedEnd(sql, i);
      i = end < 0 ? i + 1 : end;
      continue;
    }
    if (!isSpace(c)) {
      i++;
      continue;
    }
    let j = i + 1;
    while (j < n && isSpace(sql.charCodeAt(j))) j++;
    // One space between text stays as it is; any other run (or one at either end) is rewritten.
    if (c === 32 && j === i + 1 && i > 0 && j < n) {
      i = j;
      continue;
    }
    out += sql.slice(from, i);
    if (i > 0 && j < n) out += " ";
    from = i = j;
  }
  return from === 0 ? sql : out + sql.slice(from);
}

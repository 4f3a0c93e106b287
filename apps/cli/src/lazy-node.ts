import { readBody } from "./segment-store.js";
import type { BodyPlace, SplitField } from "./segment-store.js";

/**
 * Compiled nodes read from the compile memo with their SQL left as text until asked for. A
 * node's `sql` and `statements` are ~2/3 of its JSON text (at 10,000 models, ~35 of the memo's
 * 51 MB), and a compile after one edit reads them for the few nodes it renders or writes again:
 * the rest is parsed only as far as its other members (id, relation, dependsOn, config, ...).
 *
 * A node's {@link NodeCut} says where in its text (`JSON.stringify(node)`) the two members sit.
 * {@link lazyNode} parses the text without them and gives the node both as enumerable accessors in
 * their places (key order, `JSON.stringify`, spreads and `Object.keys` see the same node as
 * `JSON.parse(text)`); the first read parses the member's text and turns it into a plain data
 * member, and a write replaces it.
 *
 * @example
 * const cut = nodeCut(node, JSON.stringify(node));   // [at, between, end], or 0
 * const lazy = lazyNode(JSON.stringify(node), cut);  // deep-equals node; sql parsed on first read
 */

/**
 * Where `,"sql":<sql>,"statements":<statements>` sits in a node's text: its start, the start of
 * `,"statements":`, and its end; then the number of statements (what `compile` prints, without
 * parsing them). 0 when the node is kept whole (not those two members in a row).
 */
export type NodeCut = [number, number, number, number] | 0;

const SQL = ',"sql":';
const STATEMENTS = ',"statements":';

/**
 * The {@link NodeCut} of `node`, whose JSON text is `text`. A node read by {@link lazyNode} keeps
 * the cut it was read with. Another is found by its `,"sql":<sql>,"statements":`: the node's own
 * members are in its text, so when that run of text occurs exactly once, it is theirs (0 when it
 * occurs twice, e.g. inside a member before them). Only the SQL and the members after the
 * statements (none for a model) are serialized for it, not the whole node.
 */
export function nodeCut(node: object, text: string): NodeCut {
  const kept = lazy.get(node);
  if (kept !== undefined) return kept.cut;
  const keys = Object.keys(node);
  const at = keys.indexOf("sql");
  const members = node as Record<string, unknown>;
  const { sql, statements } = members;
  if (at < 1 || keys[at + 1] !== "statements") return 0;
  if (typeof sql !== "string" || !Array.isArray(statements)) return 0;
  const sqlText = JSON.stringify(sql);
  const run = `${SQL}${sqlText}${STATEMENTS}`;
  const start = text.indexOf(run);
  if (start < 0 || text.includes(run, start + 1)) return 0;
  const rest = keys.slice(at + 2);
  const after =
    rest.length === 0 ? "{}" : JSON.stringify(Object.fromEntries(rest.map((k) => [k, members[k]])));
  // What follows the statements: `}`, or `,` and the members after them.
  const tail = after === "{}" ? "}" : `,${after.slice(1)}`;
  const end = text.length - tail.length;
  const between = start + SQL.length + sqlText.length;
  if (!text.endsWith(tail) || text[end - 1] !== "]" || end <= between) return 0;
  return [start, between, end, statements.length];
}

/**
 * Where a memo node's text is in the compile memo: segment file, line and field (see
 * memo-refs.ts).
 */
export interface MemoPlace {
  segment: string;
  line: number;
  field: number;
}

/**
 * A node read from the memo: its text (or, until first needed, its text without the run of its
 * `sql` and `statements`, and where that run is), cut and place; `parsed` once its statements
 * are a data member (or it has no cut). One record per node, in one map: at 30,000 nodes, a map
 * entry (and a closure or string) per node for its text and again for its place was ~15 % of
 * reading the memo.
 */
interface Lazy {
  text: string | undefined;
  head: string | undefined;
  body: BodyPlace | undefined;
  cut: NodeCut;
  parsed: boolean;
  place: MemoPlace | undefined;
}

/** The whole text of a lazily read node, its run read from its memo segment on first use. */
function textOf(read: Lazy): string {
  if (read.text !== undefined) return read.text;
  const [start, between, end] = read.cut as [number, number, number, number];
  const run = readBody(read.body!);
  if (!(
    run.startsWith(SQL) &&
    run.startsWith(STATEMENTS, between - start) &&
    run.length === end - start
  ))
    throw new Error("compile memo: a node's cut does not fit its text");
  read.text = read.head!.slice(0, start) + run + read.head!.slice(start);
  read.head = undefined;
  read.body = undefined;
  return read.text;
}

/**
 * A node's text for the compile memo's line: whole, or (cut) with the run of its `sql` and
 * `statements` apart, so that a later read parses the rest without reading the run.
 */
export function splitText(text: string, cut: NodeCut): string | SplitField {
  if (cut === 0) return text;
  const [start, , end] = cut;
  return { head: text.slice(0, start) + text.slice(end), at: start, body: text.slice(start, end) };
}

/** Each node read by {@link lazyNode} (one map: at 30,000 nodes, each map's entries cost). */
const lazy = new WeakMap<object, Lazy>();

/** The JSON text `node` was read from, when {@link lazyNode} read it (its run read now if not yet). */
export function readText(node: object): string | undefined {
  const read = lazy.get(node);
  return read && textOf(read);
}

/** Where the compile memo holds `node`'s text, when {@link lazyNode} read it from there. */
export const placeRead = (node: object): MemoPlace | undefined => lazy.get(node)?.place;

/** `node.statements.length`, without parsing them when they are still text. */
export function statementCount(node: { statements: readonly unknown[] }): number {
  const read = lazy.get(node);
  return read && !read.parsed
    ? (read.cut as [number, number, number, number])[3]
    : node.statements.length;
}

/**
 * The member's text of a pending node, parsed, and kept as a plain data member of the node (read
 * through an object made with the node as its prototype: the node's, found up the chain).
 */
function materialize(reader: object, name: "sql" | "statements"): unknown {
  let node: object | null = reader;
  while (node !== null && !lazy.has(node)) node = Object.getPrototypeOf(node) as object | null;
  if (node === null) throw new Error(`a lazily read node's ${name} was read from another object`);
  const read = lazy.get(node)!;
  const cut = read.cut as [number, number, number, number];
  const text = textOf(read);
  const value: unknown = JSON.parse(
    name === "sql"
      ? text.slice(cut[0] + SQL.length, cut[1])
      : text.slice(cut[1] + STATEMENTS.length, cut[2]),
  );
  define(node, name, value);
  return value;
}

function define(node: object, name: string, value: unknown): void {
  const read = lazy.get(node);
  if (read && name === "statements") read.parsed = true;
  Object.defineProperty(node, name, {
    value,
    writable: true,
    enumerable: true,
    configurable: true,
  });
}

// One getter and setter pair for every node (the node is `this`), in descriptors made once: V8
// keeps nodes given the same accessors in one shape (fast properties; a data member redefined
// as an accessor, or accessors made per node, would turn every node into a slow dictionary).
const accessor = (name: "sql" | "statements"): PropertyDescriptor => ({
  get(this: object) {
    return materialize(this, name);
  },
  set(this: object, value: unknown) {
    define(this, name, value);
  },
  enumerable: true,
  configurable: true,
});
const accessors = { sql: accessor("sql"), statements: accessor("statements") };

/**
 * The node whose JSON text is `text`, its text remembered ({@link readText}), and with `cut`
 * (from {@link nodeCut} of the same text) its `sql` and `statements` parsed when first read.
 * With `body`, `text` is the node's text without the run of those two members (the head of
 * {@link splitText}), and `body` says where the run is: it is read when the node's text or one
 * of the two members is first asked for. `place`: where the memo holds it ({@link placeRead}).
 */
export function lazyNode<T extends object>(
  text: string,
  cut: NodeCut,
  body?: BodyPlace,
  place?: MemoPlace,
): T {
  if (cut === 0) {
    if (body !== undefined) throw new Error("compile memo: a node kept whole has a split text");
    const node = JSON.parse(text) as T;
    lazy.set(node, { text, head: undefined, body, cut, parsed: true, place });
    return node;
  }
  const [start, between, end] = cut;
  // What follows the statements' run: `text` from `after` on.
  const after = body === undefined ? end : start;
  const fits =
    body === undefined
      ? text.startsWith(SQL, start) && text.startsWith(STATEMENTS, between) && end < text.length
      : body.at === start && start < text.length;
  if (!fits) throw new Error("compile memo: a node's cut does not fit its text");
  // The members before sql, then the two accessors, then the members after statements: the
  // node's keys in the order of its text.
  const node = JSON.parse(`${text.slice(0, start)}}`) as T;
  Object.defineProperty(node, "sql", accessors.sql);
  Object.defineProperty(node, "statements", accessors.statements);
  if (after < text.length - 1) Object.assign(node, JSON.parse(`{${text.slice(after + 1)}`));
  lazy.set(
    node,
    body === undefined
      ? { text, head: undefined, body, cut, parsed: false, place }
      : { text: undefined, head: text, body, cut, parsed: false, place },
  );
  return node;
}

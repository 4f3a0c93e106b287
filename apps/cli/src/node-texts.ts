import { readText } from "./lazy-node.js";

/**
 * Each compiled node's JSON text, made at most once per command: a node read from the compile
 * memo keeps the very text it was read from, and a node built afresh is serialized the first time
 * a writer asks for it. The compile memo, its node digests and `partial_parse.json` all write or
 * hash a node's JSON text: at 10,000 models (30,000 nodes) serializing each node once per writer
 * was a large part of every compile.
 *
 * Contract: a node is not changed after its text is first taken (nodes are plain data, replaced
 * rather than edited once compiled). A node edited anyway would be written with its old text.
 *
 * @example
 * const node = lazyNode(line, cut); // read from the memo (lazy-node.ts)
 * nodeText(node) === line;          // true, without serializing
 */
let texts = new WeakMap<object, string>();

/** `JSON.stringify(node)`, made once per node object (a memo node's is the text read). */
export function nodeText(node: object): string {
  let text = knownText(node);
  if (text === undefined) texts.set(node, (text = JSON.stringify(node)));
  return text;
}

/**
 * The text already taken or read for `value`, if any (nothing is serialized): a node read from
 * the compile memo keeps its own (see lazy-node.ts).
 */
export const knownText = (value: object): string | undefined => texts.get(value) ?? readText(value);

/**
 * Let go of every text kept for nodes not read from the memo (a memo node's text goes with the
 * node): call once the writers that use
 * them are done, so the rest of the command does not carry them.
 */
export function forgetNodeTexts(): void {
  texts = new WeakMap();
}

import { isCollection, isScalar, visit } from "yaml";
import type { Document, Node, YAMLParseError } from "yaml";

/** A YAML syntax error placed at the construct that caused it, with the fix to make. */
export interface PlacedYamlError {
  message: string;
  /** Offset in the text of the construct (an unclosed quote or bracket, a mis-indented line). */
  offset: number;
  hint?: string;
}

/**
 * Where a YAML syntax error really is. The `yaml` library reports where it noticed the problem:
 * an unclosed quote or `[` at the next line (or the end of the file), a mis-indented line at its
 * column 1. Point at the opening quote or bracket, or at the line's first character, instead,
 * and say what to change.
 *
 * @example
 * placeYamlError(doc, "a:\n  t: [x, y\n  c: x\n", doc.errors[0]!)
 * // { message: "'[' is never closed", offset: 8, hint: "add ']' at the end of the list, ..." }
 */
export function placeYamlError(
  doc: Document.Parsed,
  text: string,
  e: YAMLParseError,
): PlacedYamlError {
  const message = e.message.split("\n")[0]!;
  const at = e.pos[0];
  const quote = /^Missing closing (['"])quote/.exec(message)?.[1];
  if (quote) {
    const opened = lastNodeBefore(doc, at, (n) =>
      isScalar(n) ? n.type === (quote === "'" ? "QUOTE_SINGLE" : "QUOTE_DOUBLE") : false,
    );
    if (opened !== undefined)
      return {
        message: `the ${quote === "'" ? "single" : "double"} quote opened here is never closed`,
        offset: opened,
        hint: `end the value with ${quote} on the same line`,
      };
  }
  const flow = /^Flow (sequence|map) in block collection/.exec(message)?.[1];
  if (flow) {
    const [open, close] = flow === "sequence" ? ["[", "]"] : ["{", "}"];
    const opened = lastNodeBefore(doc, at, (n) => isCollection(n) && n.flow === true);
    if (opened !== undefined && text[opened] === open)
      return {
        message: `'${open}' is never closed`,
        offset: opened,
        hint: `add '${close}' at the end of the ${flow === "sequence" ? "list" : "mapping"}, or indent its next lines deeper than its key`,
      };
  }
  switch (e.code) {
    case "MULTILINE_IMPLICIT_KEY":
      return keyWithoutColon(at);
    case "TAB_AS_INDENT":
      return { message, offset: at, hint: "indent with spaces, not tabs" };
    case "DUPLICATE_KEY":
      return {
        message: `duplicate key${keyText(text, at)}`,
        offset: at,
        hint: firstKeyHint(doc, text, at),
      };
    case "BLOCK_AS_IMPLICIT_KEY":
      return {
        message,
        offset: at,
        hint: "a value holding ': ' must be quoted ('a: b'), or the next line is indented too deep",
      };
    default:
      if (/without - indicator/.test(message))
        return {
          message: "this line is indented like no key or list item above it",
          offset: firstCharOfLine(text, at),
          hint: "indent it like the line it belongs with (spaces only)",
        };
      if (/^Implicit map keys need to be followed/.test(message))
        return keyWithoutColon(firstCharOfLine(text, at));
      return { message, offset: at };
  }
}

const keyWithoutColon = (offset: number): PlacedYamlError => ({
  message: "a key without ':'",
  offset,
  hint: "add ': value' after the key",
});

/** The start of the last node (per `match`) starting before `offset`. */
function lastNodeBefore(
  doc: Document.Parsed,
  offset: number,
  match: (node: Node) => boolean,
): number | undefined {
  let best: number | undefined;
  visit(doc, (_key, node) => {
    // A pair with no key (`: value`) visits a null key node.
    if (node === null) return;
    const start = (node as Node).range?.[0];
    if (start !== undefined && start < offset && match(node as Node) && (best ?? -1) < start)
      best = start;
  });
  return best;
}

/** The first non-blank character of the line holding `offset` (tabs included: they are the error). */
function firstCharOfLine(text: string, offset: number): number {
  const start = text.lastIndexOf("\n", offset - 1) + 1;
  const lead = /^ */.exec(text.slice(start))![0].length;
  return start + lead;
}

/** ` 'description'`: the key starting at `offset`, for messages. */
function keyText(text: string, offset: number): string {
  const key = /^[^:\n]+/.exec(text.slice(offset))?.[0].trim();
  return key ? ` '${key}'` : "";
}

/** "the first is at line N": the earlier key with the same text in the mapping holding `offset`. */
function firstKeyHint(doc: Document.Parsed, text: string, offset: number): string {
  let first: number | undefined;
  visit(doc, {
    Map(_key, map) {
      const keys = map.items.map((p) => p.key as Node | null);
      const dup = keys.find((k) => k?.range?.[0] === offset);
      if (!isScalar(dup)) return;
      first = keys.find((k) => isScalar(k) && k.value === dup.value)?.range?.[0];
      return visit.BREAK;
    },
  });
  if (first === undefined || first === offset) return "keep one of them";
  return `the first is at line ${text.slice(0, first).split("\n").length}: keep one of them`;
}

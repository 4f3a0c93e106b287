import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument } from "yaml";
import type { Document, Node } from "yaml";
import { error } from "./diagnostics.js";
import { placeYamlError } from "./yaml-syntax-error.js";
import { parseYamlFast } from "./fast-yaml.js";
import type { Diagnostic, DiagnosticCode, SourceLocation } from "./diagnostics.js";

import type { YamlPath } from "./yaml-path.js";

export { formatPath, isMapping } from "./yaml-path.js";
export type { YamlPath } from "./yaml-path.js";

/** A parsed YAML file that can point at the node behind any key path. */
export interface YamlSource {
  /** Path shown in diagnostics (relative to the project dir). */
  file: string;
  /** The document as plain JS (aliases resolved); `undefined` for an empty file. */
  data: unknown;
  /** Syntax errors as diagnostics (code YAML_SYNTAX, or the code given to `parseYaml`). */
  syntaxErrors: Diagnostic[];
  /**
   * Where the node at `path` starts. `prefer: "value"` points at the value (falls back to its key
   * when the value is empty); `"key"` points at the mapping key. A path that does not exist points
   * at its deepest existing ancestor.
   */
  locate(path: YamlPath, prefer?: "key" | "value"): SourceLocation;
}

/** A node of a key path's trail: where it starts and whether it holds text (see `locate`). */
export interface Spot {
  start: number;
  hasText: boolean;
}

/** One step of a key path's trail: the mapping key and its value, or a sequence item. */
export interface TrailStep {
  key?: Spot;
  value?: Spot;
}

function keyOf(node: unknown): string | undefined {
  return isScalar(node) ? String(node.value) : undefined;
}

const spotOf = (node: Node | null | undefined): Spot | undefined =>
  node?.range ? { start: node.range[0], hasText: node.range[1] > node.range[0] } : undefined;

/**
 * The offset `YamlSource.locate` points at, from the trail of the path's lookup (document
 * first, deepest last); undefined when no node of it has a position.
 */
function offsetIn(trail: TrailStep[], depth: number, prefer: "key" | "value"): number | undefined {
  for (let i = trail.length - 1; i >= 0; i--) {
    const { key, value } = trail[i]!;
    const exact = i === depth;
    // A missing child is best shown at its parent's key (`prod:` for a missing `prod.region`).
    const first = !exact || prefer === "key" ? [key, value] : [value, key];
    const node = first.find((n) => n?.hasText) ?? first.find((n) => n !== undefined);
    if (node) return node.start;
  }
  return undefined;
}

/** 1-based line and column of an offset, lines split at `\n`. */
function lineColumns(text: string): (offset: number) => { line: number; column: number } {
  const starts = [0];
  for (let i = text.indexOf("\n"); i !== -1; i = text.indexOf("\n", i + 1)) starts.push(i + 1);
  return (offset) => {
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - starts[lo]! + 1 };
  };
}

/**
 * Parse YAML text, keeping node positions so diagnostics can carry line:column. A plain document
 * (a mapping, no anchors or tags; see fast-yaml.ts) is read by js-yaml, many times faster; any
 * other, and any with an error, by the `yaml` library. Both give the same data and positions.
 */
export function parseYaml(
  text: string,
  file: string,
  syntaxCode: DiagnosticCode = "YAML_SYNTAX",
): YamlSource {
  const fast = parseYamlFast(text);
  if (!fast) return parseYamlDocument(text, file, syntaxCode);
  const position = lineColumns(text);
  return {
    file,
    data: fast.data,
    syntaxErrors: [],
    locate(path, prefer = "value") {
      const offset = offsetIn(fast.trail(path), path.length, prefer);
      return offset === undefined ? { file, line: 1, column: 1 } : { file, ...position(offset) };
    },
  };
}

/**
 * {@link parseYaml} through the `yaml` library's document API only: what the fast path falls
 * back to, and what it is tested against.
 */
export function parseYamlDocument(
  text: string,
  file: string,
  syntaxCode: DiagnosticCode = "YAML_SYNTAX",
): YamlSource {
  const lineCounter = new LineCounter();
  const doc: Document.Parsed = parseDocument(text, { lineCounter, prettyErrors: false });
  const at = (offset: number): SourceLocation => {
    const { line, col } = lineCounter.linePos(offset);
    return { file, line, column: col };
  };
  // The first error only: the ones after it are mostly the same mistake seen again.
  const syntaxErrors = doc.errors.slice(0, 1).map((e) => {
    const placed = placeYamlError(doc, text, e);
    return error(syntaxCode, placed.message, at(placed.offset), placed.hint);
  });
  let data: unknown;
  if (syntaxErrors.length === 0) {
    try {
      data = doc.toJS({ maxAliasCount: 1000 });
    } catch (e) {
      syntaxErrors.push(error(syntaxCode, (e as Error).message, at(0)));
    }
  }

  const trail = (path: YamlPath): TrailStep[] => {
    const steps: TrailStep[] = [{ value: spotOf(doc.contents) }];
    let node: unknown = doc.contents;
    for (const seg of path) {
      if (isAlias(node)) node = node.resolve(doc);
      let next: { key?: Node; value?: Node } | undefined;
      if (isMap(node)) {
        const pair = node.items.find((p) => keyOf(p.key) === String(seg));
        if (pair)
          next = { key: pair.key as Node, value: (pair.value ?? undefined) as Node | undefined };
      } else if (isSeq(node) && typeof seg === "number") {
        const item = node.items[seg] as Node | undefined;
        if (item) next = { value: item };
      }
      if (!next) break;
      steps.push({ key: spotOf(next.key), value: spotOf(next.value) });
      node = next.value;
    }
    return steps;
  };

  return {
    file,
    data,
    syntaxErrors,
    locate(path, prefer = "value") {
      const offset = offsetIn(trail(path), path.length, prefer);
      return offset === undefined ? { file, line: 1, column: 1 } : at(offset);
    },
  };
}

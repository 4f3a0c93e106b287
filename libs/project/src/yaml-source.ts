import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument } from "yaml";
import type { Document, Node } from "yaml";
import { error } from "./diagnostics.js";
import { placeYamlError } from "./yaml-syntax-error.js";
import type { Diagnostic, DiagnosticCode, SourceLocation } from "./diagnostics.js";

/** A key path into a YAML document: mapping keys and sequence indexes. */
export type YamlPath = readonly (string | number)[];

/** `targets.prod.region`, `models[0].columns[1].tests[0]`; the document root is `(root)`. */
export function formatPath(path: YamlPath): string {
  let out = "";
  for (const seg of path)
    out += typeof seg === "number" ? `[${seg}]` : out === "" ? seg : `.${seg}`;
  return out === "" ? "(root)" : out;
}

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

interface Found {
  key?: Node;
  value?: Node;
}

function keyOf(node: unknown): string | undefined {
  return isScalar(node) ? String(node.value) : undefined;
}

function hasText(node: Node | undefined): node is Node {
  return !!node?.range && node.range[1] > node.range[0];
}

/** Parse YAML text, keeping node ranges so diagnostics can carry line:column. */
export function parseYaml(
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

  const walk = (path: YamlPath): { trail: Found[] } => {
    const trail: Found[] = [{ value: doc.contents ?? undefined }];
    let node: unknown = doc.contents;
    for (const seg of path) {
      if (isAlias(node)) node = node.resolve(doc);
      let next: Found | undefined;
      if (isMap(node)) {
        const pair = node.items.find((p) => keyOf(p.key) === String(seg));
        if (pair)
          next = { key: pair.key as Node, value: (pair.value ?? undefined) as Node | undefined };
      } else if (isSeq(node) && typeof seg === "number") {
        const item = node.items[seg] as Node | undefined;
        if (item) next = { value: item };
      }
      if (!next) break;
      trail.push(next);
      node = next.value;
    }
    return { trail };
  };

  return {
    file,
    data,
    syntaxErrors,
    locate(path, prefer = "value") {
      const { trail } = walk(path);
      for (let i = trail.length - 1; i >= 0; i--) {
        const { key, value } = trail[i]!;
        const exact = i === path.length;
        // A missing child is best shown at its parent's key (`prod:` for a missing `prod.region`).
        const first = !exact || prefer === "key" ? [key, value] : [value, key];
        const node = first.find(hasText) ?? first.find((n) => n?.range);
        if (node?.range) return at(node.range[0]);
      }
      return { file, line: 1, column: 1 };
    },
  };
}

/** A YAML mapping (a plain object as parsed): not null, not an array, not a scalar. */
export const isMapping = (v: unknown): v is Record<string, unknown> =>
  !!v && typeof v === "object" && !Array.isArray(v);

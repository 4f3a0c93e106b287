import { createHash, hash } from "node:crypto";
import type { MacroFile, Project } from "@sluice/project";
import type { CompiledNode, CompiledProject } from "../types.js";

/**
 * What `state:modified.<part>` compares, one digest per part: the first 16 hex digits (64 bits)
 * of the part's sha256 (see {@link sameDigest}). Each is target-neutral, so
 * a CI build on the local lake compares with production's manifest (an Athena target):
 *
 * - `body`: the rendered SQL (full and incremental), with every relation it reads (and `this`)
 *   written as its node id and whitespace outside quotes collapsed; for a seed its rows, for a source its declaration. A macro, var or
 *   env_var change shows here exactly when it changes the SQL.
 * - `configs`: the resolved config (materialization, strategy, partitions, tags, test severity).
 * - `relation`: the logical schema and name the node publishes.
 * - `macros`: the text of the project macros the node's template calls (transitively), changed
 *   or not in the SQL (dbt's `state:modified.macros`).
 * - `contract`: the declared columns.
 */
export interface NodeChecksums {
  body: string;
  configs: string;
  relation: string;
  macros: string;
  contract: string;
}

/** The parts `state:modified` (without a part) looks at: the SQL and config that would run. */
export const modifiedParts = ["body", "configs", "relation", "contract"] as const;
export type ChecksumPart = keyof NodeChecksums;
export const checksumParts: readonly ChecksumPart[] = [
  "body",
  "configs",
  "relation",
  "macros",
  "contract",
];

export const sha256 = (text: string): string => createHash("sha256").update(text).digest("hex");

/** Hex digits of a part's digest: 64 bits, enough to tell a change from none (2^-64 to miss one). */
const DIGEST_HEX = 16;

/**
 * A part digest: the first {@link DIGEST_HEX} hex digits of the text's sha256, each distinct text
 * hashed once per call site's `memo` (tests share their configs, most contracts are empty).
 */
function partDigest(text: string, memo: Map<string, string>): string {
  let digest = memo.get(text);
  if (digest === undefined) {
    digest = hash("sha256", text, "hex").slice(0, DIGEST_HEX);
    memo.set(text, digest);
  }
  return digest;
}

/**
 * Whether two digests of a part are equal. Compares their first 16 hex digits, so a state
 * written when parts held the whole sha256 (64 digits) still compares equal to an unchanged node.
 */
export const sameDigest = (a: string | undefined, b: string | undefined): boolean =>
  a !== undefined && b !== undefined && a.slice(0, DIGEST_HEX) === b.slice(0, DIGEST_HEX);

/**
 * JSON with object keys sorted, so equal values hash equal whatever their key order. The text is
 * what `JSON.stringify` gives for a copy of the value with each object's keys sorted (then, as
 * JavaScript orders an object's own keys, integer-like keys first in numeric order): the
 * digests of states written before stay comparable. Written directly, without copying every
 * object, because state selection hashes every node's config (30,000 nodes at 10,000 models).
 *
 * @example stableJson({ b: 1, a: [true, null] }) // '{"a":[true,null],"b":1}'
 */
export function stableJson(value: unknown): string {
  return jsonText(value, "") ?? (undefined as unknown as string);
}

/** A key JavaScript orders before the others, in numeric order (an array index). */
const INDEX_KEY = /^(?:0|[1-9]\d{0,9})$/;
const isIndexKey = (k: string): boolean => INDEX_KEY.test(k) && Number(k) < 4294967295;

/** Keys as `Object.fromEntries` of the sorted entries would order them. */
function sortedKeys(object: object): string[] {
  const keys = Object.keys(object).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  if (!keys.some(isIndexKey)) return keys;
  const indexes = keys.filter(isIndexKey).sort((a, b) => Number(a) - Number(b));
  return [...indexes, ...keys.filter((k) => !isIndexKey(k))];
}

/** `JSON.stringify` of one value with sorted keys; undefined where it would leave the value out. */
function jsonText(value: unknown, key: string): string | undefined {
  let v = value;
  if (
    v !== null &&
    typeof v === "object" &&
    typeof (v as { toJSON?: unknown }).toJSON === "function"
  )
    v = (v as { toJSON: (key: string) => unknown }).toJSON(key);
  if (v === null) return "null";
  switch (typeof v) {
    case "string":
      return JSON.stringify(v);
    case "number":
      return Number.isFinite(v) ? JSON.stringify(v) : "null";
    case "boolean":
      return v ? "true" : "false";
    case "object": {
      if (Array.isArray(v))
        return `[${v.map((item, i) => jsonText(item, String(i)) ?? "null").join(",")}]`;
      const parts: string[] = [];
      for (const k of sortedKeys(v)) {
        const text = jsonText((v as Record<string, unknown>)[k], k);
        if (text !== undefined) parts.push(`${JSON.stringify(k)}:${text}`);
      }
      return `{${parts.join(",")}}`;
    }
    case "bigint":
      return JSON.stringify(v); // throws, as JSON.stringify does
    default:
      return undefined;
  }
}

/** `schema.name` in any quoting (`"s"."n"`, `s.n`, `` `s`.`n` ``): one pass over the SQL. */
const QUALIFIED = /(["`]?)([\w$]+)\1\s*\.\s*(["`]?)([\w$]+)\3(?![\w"`.])/g;

const relationKey = (schema: string, name: string): string => `${schema}.${name}`.toLowerCase();

/** The node's SQL with each relation it reads (and its own) replaced by the node's id. */
function neutralSql(node: CompiledNode, byId: ReadonlyMap<string, CompiledNode>): string {
  const ids = new Map<string, string>();
  for (const n of [node, ...node.dependsOn.flatMap((d) => byId.get(d) ?? [])])
    ids.set(relationKey(n.relation.schema, n.relation.name), `{{${n.id}}}`);
  const sql = [node.sql, node.incrementalSql ?? ""]
    .join("\n-- incremental\n")
    .replace(
      QUALIFIED,
      (m, _q, schema: string, _r, name: string) => ids.get(relationKey(schema, name)) ?? m,
    )
    // Lake engines read raw sources through `sluice_raw_window(<relation>)`; Athena reads the table.
    .replace(/\bsluice_raw_window\((\{\{[^}]+\}\})\)/g, "$1");
  // Whitespace outside quoted literals and identifiers means nothing to the engine.
  return sql
    .replace(/('(?:[^']|'')*'|"(?:[^"]|"")*")|\s+/g, (_m, quoted?: string) => quoted ?? " ")
    .trim();
}

/** Names of project macros called in a template text: `name(` after `{{`, `{%` or `.`. */
function macroClosure(text: string, macros: ReadonlyMap<string, string>): string[] {
  const seen = new Set<string>();
  const visit = (t: string) => {
    for (const m of t.matchAll(/\b([A-Za-z_]\w*)\s*\(/g)) {
      const name = m[1]!;
      if (seen.has(name) || !macros.has(name)) continue;
      seen.add(name);
      visit(macros.get(name)!);
    }
  };
  visit(text);
  return [...seen].sort();
}

/** One `{% macro %}` block of a project macro file. */
export interface MacroBlock {
  name: string;
  /** The block's text, `{% macro %}` to `{% endmacro %}`. */
  text: string;
  file: MacroFile;
}

/** Every `{% macro name(...) %}` block of the project's macro files, in file order. */
export function macroBlocks(project: Project): MacroBlock[] {
  const re = /\{%-?\s*macro\s+(\w+)[\s\S]*?\{%-?\s*endmacro\s*-?%\}/g;
  return project.macros.flatMap((file) =>
    [...file.text.matchAll(re)].map((m) => ({ name: m[1]!, text: m[0], file })),
  );
}

/** Each project macro's name → its block text. */
const macroBodies = (project: Project): Map<string, string> =>
  new Map(macroBlocks(project).map((b) => [b.name, b.text]));

/** Each template file's text by project-relative path (model and singular test files). */
const templateTexts = (project: Project): Map<string, string> =>
  new Map([...project.models, ...project.singularTests].map((f) => [f.path, f.text]));

/**
 * The project macros each node's template calls (or only those of the nodes in `ids`), directly
 * or through other macros, by name (dbt's `depends_on.macros`).
 *
 * @example macrosUsed(project, compiled).get("model.stg_events") // ["json_str", ...]
 */
export function macrosUsed(
  project: Project,
  compiled: CompiledProject,
  ids?: ReadonlySet<string>,
): Map<string, string[]> {
  const macros = macroBodies(project);
  const texts = templateTexts(project);
  return new Map(
    chosenNodes(compiled, ids).map((n) => [n.id, macroClosure(texts.get(n.path) ?? "", macros)]),
  );
}

/** The compiled project's nodes, or those in `ids`. */
const chosenNodes = (compiled: CompiledProject, ids?: ReadonlySet<string>): CompiledNode[] =>
  ids ? compiled.nodes.filter((n) => ids.has(n.id)) : compiled.nodes;

/**
 * Checksums of every node of a compiled project, or of the nodes in `ids` (see
 * {@link NodeChecksums}). Pure.
 *
 * @example nodeChecksums(project, compiled).get("model.funnel")?.body // "3f1c…"
 */
export function nodeChecksums(
  project: Project,
  compiled: CompiledProject,
  ids?: ReadonlySet<string>,
): Map<string, NodeChecksums> {
  const byId = new Map(compiled.nodes.map((n) => [n.id, n]));
  const macros = macroBodies(project);
  const used = macrosUsed(project, compiled, ids);
  const sources = new Map(project.sources.map((s) => [`source.${s.sourceName}.${s.name}`, s]));
  const out = new Map<string, NodeChecksums>();
  const memo = new Map<string, string>();
  const digest = (text: string) => partDigest(text, memo);
  for (const node of chosenNodes(compiled, ids)) {
    const source = sources.get(node.id);
    const body =
      node.kind === "source"
        ? stableJson({ external: source?.external ?? null, schema: source?.schema ?? null })
        : neutralSql(node, byId);
    out.set(node.id, {
      body: digest(body),
      configs: digest(
        stableJson({
          config: node.config,
          materialization: node.materialization,
          strategy: node.incrementalStrategy ?? null,
          partitionedBy: node.partitionedBy,
          tags: [...node.tags].sort(),
          severity: node.severity ?? null,
          thresholds: node.thresholds ?? null,
        }),
      ),
      relation: digest(stableJson({ schema: node.schema, name: node.relation.name })),
      macros: digest(stableJson((used.get(node.id) ?? []).map((name) => [name, macros.get(name)]))),
      contract: digest(stableJson(node.columns.map((c) => c.name))),
    });
  }
  return out;
}

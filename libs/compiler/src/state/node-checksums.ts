import { createHash, hash } from "node:crypto";
import type { MacroFile, Project } from "@sluice/project";
import type { CompiledNode, CompiledProject } from "../types.js";
import { byteScratch, neutralSqlUtf8, relationKeys } from "./neutral-sql.js";
import type { Relations } from "./neutral-sql.js";
import { PackedById } from "./packed-by-id.js";
import type { ReusedChecksums } from "./checksum-reuse.js";

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

/**
 * Checksums as one string: the parts' digests in {@link checksumParts} order, space-separated,
 * an absent part (or one that is not a string without spaces) empty. What `--state` keeps and
 * compares: two nodes with equal packed strings and no empty part are unmodified in every part.
 *
 * @example packChecksums({ body: "3f1c", configs: "a0" }) // "3f1c a0   "
 */
export function packChecksums(sums: Partial<NodeChecksums>): string {
  return packDigests(
    checksumParts.map((p) => {
      const digest: unknown = sums[p];
      return typeof digest === "string" && !digest.includes(" ") ? digest : undefined;
    }),
  );
}

/**
 * {@link packChecksums} of digests already in {@link checksumParts} order (undefined: absent), each
 * a hex digest (no space). `join` builds one flat string: what is kept is that, not a tree of
 * pieces and the 64-digit hashes the digests are cut from (which every young-generation
 * collection until the end would copy, 30,000 nodes at 10,000 models).
 */
const packDigests = (digests: readonly (string | undefined)[]): string => digests.join(" ");

/** {@link packChecksums}'s string back to its parts (empty ones left out). */
export function unpackChecksums(packed: string): Partial<NodeChecksums> {
  const values = packed.split(" ");
  const out: Partial<NodeChecksums> = {};
  checksumParts.forEach((p, i) => {
    if (values[i]) out[p] = values[i];
  });
  return out;
}

export const sha256 = (text: string): string => createHash("sha256").update(text).digest("hex");

/** Hex digits of a part's digest: 64 bits, enough to tell a change from none (2^-64 to miss one). */
const DIGEST_HEX = 16;

/** A part digest: the first {@link DIGEST_HEX} hex digits of the text's (or bytes') sha256. */
const digestOf = (text: string | Uint8Array): string =>
  hash("sha256", text, "hex").slice(0, DIGEST_HEX);

/**
 * Whether two digests of a part are equal. Compares their first 16 hex digits, so a state
 * written when parts held the whole sha256 (64 digits) still compares equal to an unchanged node.
 */
export const sameDigest = (a: string | undefined, b: string | undefined): boolean =>
  a !== undefined && b !== undefined && a.slice(0, DIGEST_HEX) === b.slice(0, DIGEST_HEX);

/**
 * {@link sameDigest} of the `i`-th parts of two {@link packChecksums} strings (an empty or
 * missing field is absent), read in place: `sameDigest(a.split(" ")[i] || undefined, ...)`
 * without splitting.
 *
 * @example samePackedDigest("3f1c a0   ", "3f1c b1   ", 0) // true
 */
export const samePackedDigest = (a: string, b: string, i: number): boolean =>
  samePackedDigests(a, b, [i]);

/**
 * {@link samePackedDigest} of each of `fields` (field numbers, ascending), both strings walked
 * once: what state selection asks of every node (30,000 at 10,000 models), which scanned each
 * string again from its start for each part.
 *
 * @example samePackedDigests("3f1c a0 9e  c4", "3f1c a0 9e m c4", [0, 1, 2, 4]) // true
 */
export function samePackedDigests(a: string, b: string, fields: readonly number[]): boolean {
  let aFrom = 0;
  let bFrom = 0;
  let field = 0;
  for (const f of fields) {
    if (f < field) throw new Error(`samePackedDigests: fields not ascending (${fields.join()})`);
    for (; field < f; field++) {
      aFrom = a.indexOf(" ", aFrom) + 1;
      bFrom = b.indexOf(" ", bFrom) + 1;
      if (aFrom === 0 || bFrom === 0) return false;
    }
    const length = Math.min(fieldEnd(a, aFrom) - aFrom, DIGEST_HEX);
    if (length === 0 || length !== Math.min(fieldEnd(b, bFrom) - bFrom, DIGEST_HEX)) return false;
    for (let k = 0; k < length; k++)
      if (a.charCodeAt(aFrom + k) !== b.charCodeAt(bFrom + k)) return false;
  }
  return true;
}

/** Where the field starting at `from` ends (its space, or the end of the string). */
function fieldEnd(packed: string, from: number): number {
  const space = packed.indexOf(" ", from);
  return space < 0 ? packed.length : space;
}

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
const isIndexKey = (k: string): boolean => {
  const c = k.charCodeAt(0);
  return c >= 48 && c <= 57 && INDEX_KEY.test(k) && Number(k) < 4294967295;
};

/** Keys as `Object.fromEntries` of the sorted entries would order them. */
function sortedKeys(object: object): string[] {
  const keys = Object.keys(object);
  let sorted = true;
  for (let i = 1; i < keys.length && sorted; i++) sorted = keys[i - 1]! < keys[i]!;
  if (!sorted) keys.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
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
      // Concatenated in place: no array of parts per object (configs of 30,000 nodes).
      let out = "";
      if (Array.isArray(v)) {
        for (let i = 0; i < v.length; i++)
          out += `${i === 0 ? "" : ","}${jsonText(v[i], String(i)) ?? "null"}`;
        return `[${out}]`;
      }
      for (const k of sortedKeys(v)) {
        const text = jsonText((v as Record<string, unknown>)[k], k);
        if (text !== undefined) out += `${out === "" ? "" : ","}${JSON.stringify(k)}:${text}`;
      }
      return `{${out}}`;
    }
    case "bigint":
      return JSON.stringify(v); // throws, as JSON.stringify does
    default:
      return undefined;
  }
}

/** Project macros by name, and the pattern of a call of one: `name(` at the start of a word. */
interface MacroIndex {
  bodies: ReadonlyMap<string, string>;
  call: RegExp | undefined;
}

function macroIndex(bodies: ReadonlyMap<string, string>): MacroIndex {
  // Names are words (see macroBlocks), so the alternation needs no escaping; a call is a name
  // starting with a letter or `_`. Only these names are matched: most words followed by `(` in
  // a template are SQL functions and Jinja calls.
  const names = [...bodies.keys()].filter((name) => /^[A-Za-z_]/.test(name));
  const call = names.length === 0 ? undefined : new RegExp(`\\b(${names.join("|")})\\s*\\(`, "g");
  return { bodies, call };
}

/** Names of project macros called in a text: `name(` (after `{{`, `{%`, `.` or anything). */
function calledNames(text: string, macros: MacroIndex): string[] {
  const out: string[] = [];
  if (!macros.call) return out;
  macros.call.lastIndex = 0;
  for (let m = macros.call.exec(text); m; m = macros.call.exec(text)) out.push(m[1]!);
  return out;
}

/**
 * The project macros a template text calls, directly or through other macros, sorted. `closures`
 * keeps each macro's own (visited once per call site, not once per template calling it).
 */
function macroClosure(
  text: string,
  macros: MacroIndex,
  closures: Map<string, ReadonlySet<string>>,
): string[] {
  const seen = new Set<string>();
  for (const name of calledNames(text, macros)) {
    if (seen.has(name)) continue;
    for (const reached of closureOf(name, macros, closures)) seen.add(reached);
  }
  return [...seen].sort();
}

/** The macro `name` and every project macro it calls, transitively. */
function closureOf(
  name: string,
  macros: MacroIndex,
  closures: Map<string, ReadonlySet<string>>,
): ReadonlySet<string> {
  const known = closures.get(name);
  if (known) return known;
  const seen = new Set<string>([name]);
  const stack = [name];
  while (stack.length > 0)
    for (const called of calledNames(macros.bodies.get(stack.pop()!)!, macros))
      if (!seen.has(called)) {
        seen.add(called);
        stack.push(called);
      }
  closures.set(name, seen);
  return seen;
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

/**
 * Each template file's text by project-relative path (model and singular test files); with
 * `nodes`, only the files of these nodes.
 */
function templateTexts(project: Project, nodes?: readonly CompiledNode[]): Map<string, string> {
  const paths = nodes && new Set(nodes.map((n) => n.path));
  const texts = new Map<string, string>();
  for (const files of [project.models, project.singularTests])
    for (const f of files) if (!paths || paths.has(f.path)) texts.set(f.path, f.text);
  return texts;
}

/**
 * The project macros each node's template calls (or only those of the nodes in `ids`), directly
 * or through other macros, by name (dbt's `depends_on.macros`). Found once per node of a
 * compiled project in this process: do not change the lists. `chosen`: the nodes of `ids`, when
 * the caller has them (not looked for again among every node).
 *
 * @example macrosUsed(project, compiled).get("model.stg_events") // ["json_str", ...]
 */
export function macrosUsed(
  project: Project,
  compiled: CompiledProject,
  ids?: ReadonlySet<string>,
  chosen: readonly CompiledNode[] = chosenNodes(compiled, ids),
): Map<string, string[]> {
  let kept = usedKept.get(compiled);
  if (kept?.project !== project) usedKept.set(compiled, (kept = { project, used: new Map() }));
  const { used } = kept;
  const lacking = chosen.filter((n) => !used.has(n.id));
  if (lacking.length > 0) {
    const macros = macroIndex(macroBodies(project));
    const texts = templateTexts(
      project,
      lacking.length < compiled.nodes.length ? lacking : undefined,
    );
    const closures = new Map<string, ReadonlySet<string>>();
    for (const n of lacking)
      used.set(n.id, macroClosure(texts.get(n.path) ?? "", macros, closures));
  }
  return lacking.length === compiled.nodes.length
    ? new Map(used)
    : new Map(chosen.map((n) => [n.id, used.get(n.id)!]));
}

/**
 * The macros each node calls (see {@link macrosUsed}), by the compiled project (and project) they
 * were found for in this process: the manifest's checksums (`macros`) and its entries
 * (`depends_on.macros`) both read them, for 30,000 nodes at 10,000 models. A compiled project is
 * not changed after compiling (as for `sharedNodeChecksums`); the lists are shared, not copied.
 */
const usedKept = new WeakMap<CompiledProject, { project: Project; used: Map<string, string[]> }>();

/** The compiled project's nodes, or those in `ids`. */
export const chosenNodes = (
  compiled: CompiledProject,
  ids?: ReadonlySet<string>,
): CompiledNode[] => (ids ? compiled.nodes.filter((n) => ids.has(n.id)) : compiled.nodes);

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
  return partChecksums(project, compiled, checksumParts, ids) as Map<string, NodeChecksums>;
}

/**
 * {@link nodeChecksums} of the given parts only, the same digests (the others absent): what a
 * selector compares. `state:modified` needs no `macros` (finding the macros each template
 * calls was a sixth of hashing 30,000 nodes), `state:modified.body` only the body. Pure.
 *
 * @example partChecksums(project, compiled, ["body"]).get("model.funnel") // { body: "3f1c…" }
 */
export function partChecksums(
  project: Project,
  compiled: CompiledProject,
  parts: readonly ChecksumPart[],
  ids?: ReadonlySet<string>,
): Map<string, Partial<NodeChecksums>> {
  const out = new Map<string, Partial<NodeChecksums>>();
  eachNodeDigests(project, compiled, parts, ids, (id, digests) => {
    const sums: Partial<NodeChecksums> = {};
    for (let i = 0; i < checksumParts.length; i++) {
      const digest = digests[i];
      if (digest !== undefined) sums[checksumParts[i]!] = digest;
    }
    out.set(id, sums);
  });
  return out;
}

/**
 * {@link partChecksums} of every node, each node's digests packed (see {@link packChecksums})
 * as they are made: no object per node (30,000 at 10,000 models), what `--state` compares and
 * keeps; by id through the positions the body's digests looked parents up in (see
 * {@link PackedById}). `given`: the packed checksums of some nodes already known, by position
 * (undefined: to hash; see `reusedChecksums`), taken as they are, and where they were taken
 * from (kept with the rows, see `TakenRows`). Pure.
 *
 * @example packedPartChecksums(project, compiled, ["body"]).get("model.funnel") // "3f1c…    "
 */
export function packedPartChecksums(
  project: Project,
  compiled: CompiledProject,
  parts: readonly ChecksumPart[],
  given?: ReusedChecksums,
): ReadonlyMap<string, string> {
  const nodes = compiled.nodes;
  const packed = new Array<string>(nodes.length);
  let ids: Set<string> | undefined;
  if (given) {
    ids = new Set();
    for (let at = 0; at < nodes.length; at++)
      if (given.sums[at] === undefined) ids.add(nodes[at]!.id);
      else packed[at] = given.sums[at]!;
  }
  const keys =
    ids?.size === 0
      ? undefined
      : eachNodeDigests(project, compiled, parts, ids, (_, digests, at) => {
          packed[at] = packDigests(digests);
        });
  return keys && !ids
    ? new PackedById(compiled.nodes, keys.byId, packed)
    : PackedById.ofNodes(compiled.nodes, packed, given?.taken);
}

/**
 * Calls `emit` with each chosen node's id, its digests of `parts`, in {@link checksumParts}
 * order (undefined for a part not asked for), in one array reused from node to node, and its
 * position in the compiled project. Gives the {@link Relations} it made (when `parts` has body).
 */
function eachNodeDigests(
  project: Project,
  compiled: CompiledProject,
  parts: readonly ChecksumPart[],
  ids: ReadonlySet<string> | undefined,
  emit: (id: string, digests: readonly (string | undefined)[], at: number) => void,
): Relations | undefined {
  const want = (p: ChecksumPart) => parts.includes(p);
  const [body, configs, relation, macros, contract] = checksumParts.map(want);
  const nodes = compiled.nodes;
  // The chosen nodes' positions, found once (a one-model change's manifest builds 3 of 30,000
  // entries: each pass over every node shows).
  const chosenAt: number[] | undefined = ids && [];
  if (chosenAt)
    for (let at = 0; at < nodes.length; at++) if (ids!.has(nodes[at]!.id)) chosenAt.push(at);
  const chosen = chosenAt?.map((at) => nodes[at]!);
  const keys = body ? relationKeys(compiled, ids, chosen) : undefined;
  const macroTexts = macros ? macroBodies(project) : new Map<string, string>();
  const used = macros ? macrosUsed(project, compiled, ids, chosen) : new Map<string, string[]>();
  const sources = new Map(project.sources.map((s) => [`source.${s.sourceName}.${s.name}`, s]));
  // Digests by a cheaper key than their text: equal keys are equal texts (see each key).
  const configDigests = new Map<string, string>();
  const macroDigests = new Map<string, string>();
  const contractDigests = new Map<string, string>();
  const scratch = byteScratch();
  const digests: (string | undefined)[] = checksumParts.map(() => undefined);
  const count = chosenAt ? chosenAt.length : nodes.length;
  for (let k = 0; k < count; k++) {
    const at = chosenAt ? chosenAt[k]! : k;
    const node = nodes[at]!;
    if (body) {
      const source = node.kind === "source" ? sources.get(node.id) : undefined;
      digests[0] = digestOf(
        node.kind === "source"
          ? stableJson({ external: source?.external ?? null, schema: source?.schema ?? null })
          : neutralSqlUtf8(node, keys!, scratch),
      );
    }
    if (configs) {
      // The config's fields in a fixed order, tags as written: equal keys, equal configs.
      const configKey = JSON.stringify([
        node.config,
        node.materialization,
        node.incrementalStrategy ?? null,
        node.partitionedBy,
        node.tags,
        node.severity ?? null,
        node.thresholds ?? null,
      ]);
      let digest = configDigests.get(configKey);
      if (digest === undefined) configDigests.set(configKey, (digest = configDigest(node)));
      digests[1] = digest;
    }
    // stableJson of {schema, name}, written directly.
    if (relation)
      digests[2] = digestOf(
        `{"name":${JSON.stringify(node.relation.name)},"schema":${JSON.stringify(node.schema)}}`,
      );
    if (macros) {
      // Macro names are words: joined, they name the list (the bodies are the project's).
      const names = used.get(node.id) ?? [];
      const macrosKey = names.join(",");
      let digest = macroDigests.get(macrosKey);
      if (digest === undefined)
        macroDigests.set(
          macrosKey,
          (digest = digestOf(stableJson(names.map((name) => [name, macroTexts.get(name)])))),
        );
      digests[3] = digest;
    }
    if (contract) {
      // The native JSON of the names is the key; stableJson writes the same text for strings.
      const names = node.columns.map((c) => c.name);
      const contractKey = JSON.stringify(names);
      let digest = contractDigests.get(contractKey);
      if (digest === undefined)
        contractDigests.set(contractKey, (digest = digestOf(stableJson(names))));
      digests[4] = digest;
    }
    emit(node.id, digests, at);
  }
  return keys;
}

/** The `configs` digest: of the resolved config, tags sorted, as stable JSON. */
const configDigest = (node: CompiledNode): string =>
  digestOf(
    stableJson({
      config: node.config,
      materialization: node.materialization,
      strategy: node.incrementalStrategy ?? null,
      partitionedBy: node.partitionedBy,
      tags: [...node.tags].sort(),
      severity: node.severity ?? null,
      thresholds: node.thresholds ?? null,
    }),
  );

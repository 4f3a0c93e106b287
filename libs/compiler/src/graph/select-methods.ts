import type { CompiledExposure, CompiledNode } from "../types.js";
import type { SelectorItem } from "./selector.js";
import { stateIds } from "../state/state-methods.js";
import type { SelectionState } from "../state/selection-state.js";
import { escapeRegExp } from "../escape-regexp.js";

/** What a node looks like to selector methods: its folders and fqn, computed once. */
export interface NodeFacts {
  node: CompiledNode;
  /** Project-relative file path and the folders above it: `marts/funnel.sql`, `marts`. */
  paths: string[];
  /** The same, relative to the resource path (model/seed/test/rule path) that holds the file. */
  rootPaths: string[];
  /** dbt's fully qualified name: project, folders under the resource path, name. */
  fqn: string[];
  testType?: "generic" | "singular" | "dq" | "unit";
  /** A source whose newest row is newer than in the state's sources.json (`source_status:fresher`). */
  fresher?: boolean;
}

/** Strip `./` and trailing slashes; backslashes become slashes. */
export function normalizePath(p: string): string {
  return p
    .replace(/\\/g, "/")
    .replace(/^(\.\/)+/, "")
    .replace(/\/+$/, "");
}

/** The path and every folder above it: `a/b/c.sql` → `a/b/c.sql`, `a/b`, `a`. */
function withFolders(p: string): string[] {
  const parts = p.split("/").filter((s) => s !== "");
  return parts.map((_, i) => parts.slice(0, parts.length - i).join("/"));
}

/**
 * Facts for every node. `roots` are the project's resource paths (model-paths, seed-paths, ...):
 * a file under `models/marts/` has rootPaths `marts/...` and fqn `[project, marts, name]`. Each
 * is made when a selector first reads it: `+name` at 30,000 nodes reads names only (making every
 * node's folders and fqn up front was a tenth of such an `ls`).
 */
export function nodeFacts(
  nodes: readonly CompiledNode[],
  projectName: string,
  roots: readonly string[],
  fresherSources: ReadonlySet<string> = new Set(),
): NodeFacts[] {
  const normalized = roots
    .map(normalizePath)
    .filter((r) => r !== "" && r !== ".")
    .sort((a, b) => b.length - a.length);
  return nodes.map((node) => {
    const facts = new LazyFacts(node, projectName, normalized);
    if (fresherSources.has(node.id)) facts.fresher = true;
    return facts;
  });
}

/** A node's {@link NodeFacts}, each made on first use (see {@link nodeFacts}). */
class LazyFacts implements NodeFacts {
  fresher?: boolean;
  #path: string | undefined;
  #paths: string[] | undefined;
  #relative: string | undefined;
  #rootPaths: string[] | undefined;
  #fqn: string[] | undefined;

  constructor(
    readonly node: CompiledNode,
    private readonly projectName: string,
    /** The resource paths, normalized, longest first. */
    private readonly roots: readonly string[],
  ) {}

  get paths(): string[] {
    return (this.#paths ??= withFolders(this.path()));
  }

  get rootPaths(): string[] {
    return (this.#rootPaths ??= withFolders(this.relativePath()));
  }

  get fqn(): string[] {
    if (this.#fqn !== undefined) return this.#fqn;
    const folders = this.relativePath().split("/").slice(0, -1);
    const node = this.node;
    return (this.#fqn =
      node.kind === "source"
        ? [this.projectName, ...folders, ...node.id.split(".").slice(1)]
        : [this.projectName, ...folders, node.name]);
  }

  get testType(): NodeFacts["testType"] {
    const node = this.node;
    if (node.kind !== "test") return undefined;
    const assertion = node.assertion?.kind;
    if (assertion === "unit") return "unit";
    if (assertion === "dq_rule") return "dq";
    return /\.sql$/i.test(this.path()) ? "singular" : "generic";
  }

  /** The node's project-relative file path, normalized. */
  private path(): string {
    return (this.#path ??= normalizePath(this.node.path));
  }

  /** The path under the resource path that holds the file (the path itself if none does). */
  private relativePath(): string {
    if (this.#relative !== undefined) return this.#relative;
    const path = this.path();
    const root = this.roots.find((r) => path.startsWith(`${r}/`));
    return (this.#relative = root ? path.slice(root.length + 1) : path);
  }
}

/** dbt's resource type of a node: its kind, but `unit_test` for a unit test. */
export function resourceType(node: CompiledNode): string {
  return node.assertion?.kind === "unit" ? "unit_test" : node.kind;
}

const baseName = (f: NodeFacts): string => (f.paths[0] ?? "").split("/").pop()!;

const hasGlob = (s: string): boolean => /[*?[]/.test(s);

/**
 * fnmatch-style `*`, `?`, `[abc]`, `[!a]`; with `segment`, `*` and `?` stop at `/`. As Python's
 * fnmatch (dbt's): a `[` with no `]` after it is itself, and a class's leading `^` is a `^`. A
 * class the regex engine refuses (a range out of order, `[z-a]`) makes the pattern match only
 * its own text, not stop the command.
 */
function globRegex(pattern: string, segment: boolean): RegExp {
  const any = segment ? "[^/]" : ".";
  let re = "";
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]!;
    const close = ch === "[" ? pattern.indexOf("]", i + 2) : -1;
    if (ch === "*") re += `${any}*`;
    else if (ch === "?") re += any;
    else if (close !== -1) {
      const body = pattern.slice(i + 1, close).replace(/\\/g, "\\\\");
      re += `[${body.startsWith("!") ? `^${body.slice(1)}` : body.replace(/^\^/, "\\^")}]`;
      i = close;
    } else re += escapeRegExp(ch);
  }
  try {
    return new RegExp(`^${re}$`);
  } catch {
    return new RegExp(`^${escapeRegExp(pattern)}$`);
  }
}

/** `value` equals `text`, or matches it as a glob when it has wildcards. */
function matcher(value: string, segment = false): (text: string) => boolean {
  if (!hasGlob(value)) return (text) => text === value;
  const re = globRegex(value, segment);
  return (text) => re.test(text);
}

const configValue = (f: NodeFacts, key: string): unknown => {
  const n = f.node;
  if (key === "materialized") return n.kind === "source" ? undefined : n.materialization;
  // A test's schema is its model's: not a config of its own.
  if (key === "schema") return n.kind === "test" ? undefined : n.schema;
  if (key === "tags") return n.tags;
  if (key === "incremental_strategy") return n.incrementalStrategy;
  return n.config[key];
};

/** dbt's fqn match: a dotted prefix of the fqn, with or without the project name, or its last part. */
function fqnMatch(value: string): (f: NodeFacts) => boolean {
  const parts = value.split(".").map((p) => matcher(p));
  const prefix = (fqn: readonly string[]) =>
    parts.length <= fqn.length && parts.every((m, i) => m(fqn[i]!));
  return (f) =>
    prefix(f.fqn) ||
    prefix(f.fqn.slice(1)) ||
    (parts.length === 1 && parts[0]!(f.fqn[f.fqn.length - 1]!));
}

/** Bare words try these in turn; the first that matches any node wins (name, folder, file, fqn). */
const defaultChain = ["name", "folder", "file", "fqn"] as const;
type Method = Exclude<SelectorItem["method"], "default"> | (typeof defaultChain)[number];

/** A predicate for one method and value. */
function predicate(method: Method, item: SelectorItem): (f: NodeFacts) => boolean {
  const v = item.value;
  switch (method) {
    case "name": {
      const m = matcher(v);
      // A source is named `source_name.table` (a bare table name would shadow models like dbt's fqn does not).
      return (f) =>
        f.node.id === v ||
        (f.node.kind === "source" ? m(f.node.id.slice("source.".length)) : m(f.node.name));
    }
    case "tag": {
      const m = matcher(v);
      return (f) => f.node.tags.some(m);
    }
    case "path": {
      const m = matcher(normalizePath(v), true);
      return (f) => f.paths.some(m);
    }
    case "folder": {
      // Bare words: a folder or file path from the project dir or from the resource path.
      const m = matcher(normalizePath(v), true);
      return (f) => f.paths.some(m) || f.rootPaths.some(m);
    }
    case "file": {
      const m = matcher(normalizePath(v), true);
      return (f) => m(baseName(f)) || m(f.paths[0] ?? "") || m(f.rootPaths[0] ?? "");
    }
    case "fqn":
      return fqnMatch(v);
    case "source": {
      const [s = "", t = "*"] = v.split(".");
      const ms = matcher(s);
      const mt = matcher(t);
      return (f) =>
        f.node.kind === "source" &&
        ms(f.node.id.split(".")[1]!) &&
        mt(f.node.id.split(".").slice(2).join("."));
    }
    case "resource_type":
      return (f) => resourceType(f.node) === v;
    case "test_type":
      // dbt's `data` tests are every test that is not a unit test.
      return (f) =>
        v === "data" ? f.testType !== undefined && f.testType !== "unit" : f.testType === v;
    case "source_status":
      return (f) => f.fresher === true;
    case "exposure":
    case "state":
    case "result":
      // Exposures are not nodes: matchItem picks what they read; state methods read the state.
      return () => false;
    case "config": {
      const key = item.configKey!;
      const eq = (x: unknown) => x !== undefined && x !== null && String(x) === v;
      return (f) => {
        const x = configValue(f, key);
        return Array.isArray(x) ? x.some(eq) : eq(x);
      };
    }
  }
}

/**
 * The ids of the nodes an item's method picks (before graph operators). `exposure:name` picks
 * the nodes the exposure reads (its `depends_on`), so `+exposure:name` is all it needs.
 */
export function matchItem(
  facts: readonly NodeFacts[],
  item: SelectorItem,
  exposures: readonly CompiledExposure[] = [],
  state?: SelectionState,
): string[] {
  if (item.method === "state" || item.method === "result")
    return state ? stateIds(facts, item, state) : [];
  if (item.method === "exposure") {
    const m = matcher(item.value);
    return [...new Set(exposures.filter((e) => m(e.name)).flatMap((e) => e.dependsOn))];
  }
  const methods: readonly Method[] = item.method === "default" ? defaultChain : [item.method];
  for (const method of methods) {
    const test = predicate(method, item);
    const ids = facts.filter(test).map((f) => f.node.id);
    if (ids.length > 0) return ids;
  }
  return [];
}

/** Words a no-match could have meant, for a "did you mean" hint. */
export function candidates(
  facts: readonly NodeFacts[],
  item: SelectorItem,
  exposures: readonly CompiledExposure[] = [],
): string[] {
  if (item.method === "exposure") return exposures.map((e) => e.name);
  // `state:modified` or `result:error` matching nothing is an answer, not a typo (the method's
  // values are checked when parsed): no node name is a hint, and 30k names cost ~0.5 s.
  if (item.method === "state" || item.method === "result") return [];
  const all = (pick: (f: NodeFacts) => readonly unknown[]) => [
    ...new Set(facts.flatMap(pick).map(String)),
  ];
  switch (item.method) {
    case "tag":
      return all((f) => f.node.tags);
    case "path":
      return all((f) => f.paths);
    case "source":
      return all((f) =>
        f.node.kind === "source"
          ? [f.node.id.split(".")[1]!, f.node.id.slice("source.".length)]
          : [],
      );
    case "config":
      return all((f) =>
        [configValue(f, item.configKey!)].flat().filter((x) => x !== undefined && x !== null),
      );
    case "fqn":
      return all((f) => [f.fqn.join("."), f.fqn.slice(1).join(".")]);
    default:
      return all((f) => [f.node.name, ...f.paths.slice(1), ...f.rootPaths.slice(1), baseName(f)]);
  }
}

import { hash } from "node:crypto";
import type { ModelConfig, ModelFile, ModelProperties, Project } from "@sluice/project";
import { folderLayers } from "../config/merge-config.js";
import { throughEphemerals } from "../graph/ephemeral.js";
import { graphKey } from "../graph/dag.js";
import type { GraphNode } from "../graph/dag.js";
import type { CompiledNode } from "../types.js";
import type { CompileContext } from "./compile-context.js";
import type { ParsedModel } from "./parse-models.js";
import { testMacroName } from "../tests/custom-generic-test.js";
import { parentAnswer, uniqueName } from "../tests/test-nodes.js";
import type { GenericTestsDecl, GenericTestsRecord } from "../tests/test-nodes.js";
import type { ParentResolver } from "../tests/generic-tests.js";
import { ephemeralCtes } from "./render-node-sql.js";
import type { BuiltNodes } from "./render-node-sql.js";

/**
 * One model's entry in the compile memo: what its compile read and what it produced. Plain JSON.
 * The entry is reused while the model's own inputs hash the same and every value in `reads`
 * is still the same; its node is reused while, in addition, its dependencies look the same.
 */
export interface ModelMemo {
  /** Hash of the model's own inputs (path, text, folder config, properties) and the compile's. */
  inputs: string;
  /** What its renders read besides, and the value each had: `var:x`, `env:X`, `macro:<file>`. */
  reads: Record<string, string>;
  config: ModelConfig;
  refs: string[];
  sources: [string, string][];
  /** The node its render produced, the bare SQL (ephemerals), and the hash of its dependencies. */
  output?: MemoOutput;
  /** The generic tests declared on it in YAML (none with a custom `{% test %}`), when built. */
  tests?: TestsMemo;
}

/**
 * A model's render: its node, its bare SQL (ephemerals) and the hash of its dependencies.
 * `digest`: a hash of the node's JSON text, filled in by whoever saves the memo (the CLI) and kept
 * while the node is reused, so later steps tell an unchanged node without serializing it.
 */
export interface MemoOutput {
  deps: string;
  node: CompiledNode;
  bare: string;
  digest?: string;
}

/**
 * A model's generic test nodes and what building them read: reused while `key` (the compile's
 * own inputs, the model's node and the declaration) is the same, every relationships parent
 * resolves as it did, and each name is still free (a test of the same name elsewhere makes
 * the next one `_2`).
 */
export interface TestsMemo extends GenericTestsRecord {
  key: string;
  nodes: CompiledNode[];
  /** The hash of each node's JSON text, as {@link MemoOutput}'s `digest`. */
  digests?: string[];
}

/**
 * Reuse between compiles of one project (dbt's partial parsing, per model): `previous` is what
 * the last compile left in `next`. A model is parsed (rendered with placeholders) again only
 * when its file, folder config, properties, a macro file it called, a var or env var it read, or
 * the compile's own inputs (target, dialect, run id, sluice.yml but its vars) changed; and
 * rendered again when that or a dependency's relation or ephemeral SQL changed. Models with any
 * diagnostic are never memoized. `parsed` and `rendered` list the models done afresh.
 *
 * @example
 * const memo: CompileMemo = { previous: {}, next: {} };
 * compileProject(project, { ...options, memo });
 * compileProject(project, { ...options, memo: { previous: memo.next, next: {} } }); // renders nothing
 */
export interface CompileMemo {
  previous: Readonly<Record<string, ModelMemo>>;
  next: Record<string, ModelMemo>;
  /** The graphs' orders the last compile left in `nextOrders`, by graph (see {@link GraphOrder}). */
  previousOrders?: Readonly<Record<string, GraphOrder>>;
  nextOrders?: Record<string, GraphOrder>;
  /** Graphs ordered afresh (their order was not the previous compile's). */
  ordered?: string[];
  parsed?: string[];
  rendered?: string[];
  /**
   * Models whose generic tests were built afresh. Not listed: models with a custom test (never
   * memoized, always built).
   */
  tested?: string[];
}

/**
 * A graph's topological order, kept for the next compile: reused while the graph (each node's id
 * and dependencies, in the order given) hashes to the same `key`. Kept only for a graph without
 * cycles (a graph with one reports it again).
 */
export interface GraphOrder {
  key: string;
  order: string[];
}

// One-shot: at 10,000 models, a Hash object per key and an update per part cost ~2x the hashing.
const sha1 = (text: string): string => hash("sha1", text, "base64");

/** The memo as one compile uses it: lookups against `previous`, entries for `next`. */
export class MemoBook {
  private readonly global: string;
  private readonly macroHashes: Map<string, string>;
  private readonly inputsOf = new Map<string, string>();
  private readonly reused = new Set<string>();
  private readonly testKeys = new Map<string, string>();
  /** `[` + JSON of {@link global} + `,`: the start of every model's inputs text. */
  private readonly globalText: string;
  /** By folder path: the JSON of the folders and of their config layers. */
  private readonly folderTexts = new Map<string, [string, string]>();

  constructor(
    private readonly memo: CompileMemo,
    private readonly ctx: CompileContext,
    private readonly values: {
      vars: Record<string, unknown>;
      env: Record<string, string | undefined>;
    },
  ) {
    const { vars: _vars, ...config } = ctx.project.config;
    // Hashed once: it is part of every model's key.
    this.global = sha1(
      JSON.stringify([
        ctx.runId,
        ctx.dialect.name,
        ctx.target.name,
        config,
        ctx.renderer.macrosKey,
      ]),
    );
    this.globalText = `[${JSON.stringify(this.global)},`;
    this.macroHashes = new Map(ctx.project.macros.map((m) => [m.path, sha1(m.text)]));
    memo.parsed = [];
    memo.rendered = [];
    memo.tested = [];
    memo.ordered = [];
    memo.nextOrders = {};
  }

  /**
   * `order(nodes)` (a topological order of `nodes`, undefined when it has a cycle), or the
   * previous compile's order of the same graph under `name` without calling it. At 10,000
   * models, ordering the graph (and looking for cycles) twice was ~4% of a compile after one
   * edit, which leaves the graph as it was.
   */
  ordered(
    name: string,
    nodes: readonly GraphNode[],
    order: () => string[] | undefined,
  ): string[] | undefined {
    const key = graphKey(nodes);
    const previous = this.memo.previousOrders?.[name];
    if (previous?.key === key) {
      this.memo.nextOrders![name] = previous;
      return previous.order;
    }
    this.memo.ordered!.push(name);
    const computed = order();
    if (computed !== undefined) this.memo.nextOrders![name] = { key, order: computed };
    return computed;
  }

  /** The value a recorded read has now. */
  private valueOf(read: string): string {
    const colon = read.indexOf(":");
    const kind = read.slice(0, colon);
    const name = read.slice(colon + 1);
    if (kind === "macro") return this.macroHashes.get(name) ?? "";
    const value = kind === "var" ? this.values.vars[name] : this.values.env[name];
    return value === undefined ? "" : `=${JSON.stringify(value)}`;
  }

  /**
   * sha1 of `JSON.stringify([global, path, text, folders, properties, folder layers])`, its
   * parts joined: the folders and their layers (the same for every model of a folder) are
   * stringified once per folder.
   */
  private inputs(project: Project, file: ModelFile, properties?: ModelProperties): string {
    const folderKey = file.folders.join("/");
    let folderText = this.folderTexts.get(folderKey);
    if (folderText === undefined) {
      const layers = folderLayers(project.config.models, file.folders, project.config.name);
      folderText = [JSON.stringify(file.folders), JSON.stringify(layers)];
      this.folderTexts.set(folderKey, folderText);
    }
    const key = sha1(
      `${this.globalText}${JSON.stringify(file.path)},${JSON.stringify(file.text)},` +
        `${folderText[0]},${JSON.stringify(properties ?? null)},${folderText[1]}]`,
    );
    this.inputsOf.set(`model.${file.name}`, key);
    return key;
  }

  /** The memoized parse of `file`, when nothing it read changed; else undefined. */
  parse(file: ModelFile, properties?: ModelProperties): ParsedModel | undefined {
    const id = `model.${file.name}`;
    const inputs = this.inputs(this.ctx.project, file, properties);
    const prev = this.memo.previous[id];
    if (
      prev?.inputs !== inputs ||
      !Object.entries(prev.reads).every(([read, value]) => this.valueOf(read) === value)
    ) {
      this.memo.parsed!.push(id);
      return undefined;
    }
    this.reused.add(id);
    return {
      file,
      ...(properties ? { properties } : {}),
      config: prev.config,
      refs: prev.refs,
      sources: prev.sources,
      ok: true,
      reads: new Set(Object.keys(prev.reads)),
    };
  }

  /** Record a parse that reported nothing (a render adds its node with {@link rendered}). */
  record(parsed: ParsedModel): void {
    const id = `model.${parsed.file.name}`;
    this.memo.next[id] = {
      inputs: this.inputsOf.get(id)!,
      reads: this.readValues(parsed),
      config: parsed.config,
      refs: parsed.refs,
      sources: parsed.sources,
    };
  }

  private readValues(parsed: ParsedModel): Record<string, string> {
    const out: Record<string, string> = {};
    for (const read of [...parsed.reads].sort()) out[read] = this.valueOf(read);
    return out;
  }

  /** Hash of what a render of a model sees from its dependencies. */
  depsKey(dependsOn: readonly string[], built: BuiltNodes): string {
    const seen = dependsOn.map((id) => {
      const node = built.byId.get(id);
      return node ? [node.materialization, node.name, node.relation] : null;
    });
    return sha1(
      JSON.stringify([
        dependsOn,
        seen,
        throughEphemerals(dependsOn, built.byId),
        ephemeralCtes(dependsOn, built),
      ]),
    );
  }

  /**
   * The memoized node of a reused parse whose dependencies look the same (kept in the next memo
   * too, for the compile after this one); else undefined.
   */
  node(id: string, deps: string): MemoOutput | undefined {
    const output = this.reused.has(id) ? this.memo.previous[id]?.output : undefined;
    if (output?.deps === deps) {
      const entry = this.memo.next[id];
      if (entry) entry.output = output;
      return output;
    }
    this.memo.rendered!.push(id);
    return undefined;
  }

  /** Complete a recorded entry with the node and what its renders read. */
  rendered(parsed: ParsedModel, output: MemoOutput): void {
    const entry = this.memo.next[`model.${parsed.file.name}`];
    if (!entry) return;
    entry.output = output;
    entry.reads = this.readValues(parsed);
  }

  /**
   * Add the memoized generic tests of a model to `built` and return true when nothing they were
   * built from changed (see {@link TestsMemo}); else false: the caller builds them and hands
   * them to {@link recordTests}. Tests through a custom `{% test %}` macro (whose renders read
   * what no key covers) are never memoized.
   */
  reuseTests(
    subject: CompiledNode,
    decl: GenericTestsDecl,
    built: BuiltNodes,
    resolve: ParentResolver,
  ): boolean {
    const id = subject.id;
    const specs = [...decl.tests, ...decl.columns.flatMap((c) => c.tests)];
    if (specs.some((s) => this.ctx.renderer.hasMacro(testMacroName(s.name)))) return false;
    this.memo.tested!.push(id);
    const { schema, relation, materialization } = subject;
    const key = sha1(JSON.stringify([this.global, id, schema, relation, materialization, decl]));
    this.testKeys.set(id, key);
    const prev = this.memo.previous[id]?.tests;
    const entry = this.memo.next[id];
    if (!entry || prev?.key !== key) return false;
    if (!prev.parents.every((p) => parentAnswer(resolve(p.to, p.at)) === p.answer)) return false;
    const added: string[] = [];
    for (const [i, node] of prev.nodes.entries()) {
      if (uniqueName(prev.names[i]!, built) !== node.name) {
        added.forEach((a) => built.byId.delete(a));
        return false;
      }
      built.byId.set(node.id, node);
      added.push(node.id);
    }
    this.memo.tested!.pop();
    entry.tests = prev;
    return true;
  }

  /** Keep the generic tests a model's declaration built (see {@link reuseTests}). */
  recordTests(id: string, record: GenericTestsRecord, nodes: CompiledNode[]): void {
    const key = this.testKeys.get(id);
    const entry = this.memo.next[id];
    if (key !== undefined && entry) entry.tests = { key, ...record, nodes };
  }
}

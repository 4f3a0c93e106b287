import type { CompiledNode } from "@sluice/compiler";
import { CONFIG_FACTS, reconcileValue } from "@sluice/compiler/run-time";
import type { ConfigFacts } from "@sluice/compiler/run-time";
import { withRunId } from "./compile-cache.js";
import { statementCount } from "./lazy-node.js";
import { readSegmentFields } from "./segment-store.js";
import { SegmentGoneError } from "./segment-orphans.js";

/**
 * Compiled nodes revived from their facts alone (#14: one model's SQL changed at 10,000 models).
 * `compile` after an edit reads, of the 30,000 nodes it revives, only the few fields in a
 * {@link FactRow} (id, kind, name, path, dependsOn, renderAtRun, statement counts) but for ~230
 * nodes (the edited ones, the members of the packed shards they are in, the manifest entries
 * built again); parsing every node's text was a quarter of that compile.
 *
 * A fact node holds its facts as own data members. Any other member read (`sql`, `relation`,
 * `config`, ...), and `toJSON` (so `JSON.stringify(node)` is the text of the node as compiled),
 * goes up the prototype chain to a proxy that materializes the whole node from its compile memo
 * place (see memo-refs.ts) once, and answers from it; a write of such a member goes to the whole
 * node (a write of a fact would not: nothing writes them).
 *
 * `ls` (without `--state`) revives every node of a compile it finds unchanged as a fact node
 * (`loadProjectContext`'s `factsOnly`): selectors and its output read the facts that serve them
 * (materialization, schema, relation, tags, attachedTo, and whether there is an assertion), so at
 * 10,000 models it reads 3 MB of facts instead of the 51 MB memo. `build`, `run`, `test`, `seed`
 * and `snapshot` with `--select` and without `--state` do too, and then read their selected
 * nodes whole (see {@link wholeNodes}): what they read of the others is facts (the
 * reconciliation's `reconcile` config through the compiler's `reconcileValue`), or a few nodes
 * read whole on first use.
 *
 * What a fact node does not do: spreads, `Object.keys`, `structuredClone` and `Object.hasOwn`
 * see its facts only, and `key in node` throws (a proxy in the prototype chain is not told
 * which node asks). Only `compile` with no selector, no state and text output, and `ls` and the
 * run commands with `--select` and without `--state`, get them (see `loadProjectContext`'s
 * `factNodes` and `factsOnly`): their paths were audited for those (the run commands only for
 * the nodes they do not run).
 *
 * @example
 * const reader = new FactReader(memoFile(targetDir));
 * const node = reader.node(facts, 3, "memo:017.0a1b2c3d4e5f6a7b.json:3:4");
 * node.dependsOn; // from the facts: nothing read
 * node.sql;       // the segment read (once per reader), the node parsed (once)
 */

/**
 * A node's facts: id, kind, name, path, dependsOn, renderAtRun (1 or 0), its statements' count
 * and its incremental statements' count (-1: it has none); and what selectors and `ls` read:
 * materialization, schema, relation, tags, attachedTo (null: none) and whether it has an
 * assertion (1: read from the whole node; 0: it has none); and its `config.reconcile` as JSON
 * (null: none, see the compiler's `reconcileValue`).
 */
export type FactRow = [
  id: string,
  kind: CompiledNode["kind"],
  name: string,
  path: string,
  dependsOn: string[],
  renderAtRun: 0 | 1,
  statements: number,
  incremental: number,
  materialization: CompiledNode["materialization"],
  schema: string,
  relation: RelationFact,
  tags: string[],
  attachedTo: string | null,
  assertion: 0 | 1,
  reconcile: string | null,
];

/**
 * A node's relation as a fact: null when it is `{ schema, name }` of the node's own schema and
 * name (most nodes), else `[schema, name]`.
 */
export type RelationFact = [schema: string, name: string] | null;

/**
 * The {@link FactRow}s of a compile's nodes as columns, one array per member, each node's members
 * at its place (what compile_facts.json holds: parsed, 30,000 rows would be 30,000 arrays more).
 *
 * @example
 * factColumnsOf([a, b]).id; // ["model.a", "model.b"]
 */
export interface FactColumns {
  id: string[];
  kind: CompiledNode["kind"][];
  name: string[];
  path: string[];
  dependsOn: string[][];
  renderAtRun: (0 | 1)[];
  statements: number[];
  incremental: number[];
  materialization: CompiledNode["materialization"][];
  schema: string[];
  relation: RelationFact[];
  tags: string[][];
  attachedTo: (string | null)[];
  assertion: (0 | 1)[];
  reconcile: (string | null)[];
}

/** The members of {@link FactColumns}, in {@link FactRow}'s order. */
export const FACT_COLUMNS = [
  "id",
  "kind",
  "name",
  "path",
  "dependsOn",
  "renderAtRun",
  "statements",
  "incremental",
  "materialization",
  "schema",
  "relation",
  "tags",
  "attachedTo",
  "assertion",
  "reconcile",
] as const satisfies readonly (keyof FactColumns)[];

/** The {@link FactRow} at place `at` of `facts`. */
export const factRowAt = (facts: FactColumns, at: number): FactRow =>
  FACT_COLUMNS.map((column) => facts[column][at]) as FactRow;

/** The {@link FactColumns} of `nodes`, from each one's {@link factRowOf}. */
export function factColumnsOf(nodes: readonly CompiledNode[]): FactColumns {
  const facts = Object.fromEntries(FACT_COLUMNS.map((c) => [c, [] as unknown[]]));
  const columns = FACT_COLUMNS.map((c) => facts[c]!);
  for (const node of nodes) {
    const row = factRowOf(node);
    for (let i = 0; i < columns.length; i++) columns[i]!.push(row[i]);
  }
  return facts as unknown as FactColumns;
}

const counts = { made: 0, materialized: 0 };

/**
 * How many fact nodes this process has made, and materialized (read a member beyond their
 * facts): what the guard test of a one-edit compile counts.
 */
export const factNodeCounts = (): { made: number; materialized: number } => ({ ...counts });

class FactNode {
  id: string;
  kind: CompiledNode["kind"];
  name: string;
  path: string;
  dependsOn: string[];
  renderAtRun: true | undefined;
  materialization: CompiledNode["materialization"];
  schema: string;
  relation: Readonly<CompiledNode["relation"]>;
  tags: string[];
  attachedTo: string | undefined;
  readonly #statements: number;
  readonly #incremental: number;
  readonly #reconcile: string | null;
  readonly #place: string;
  readonly #reader: FactReader;
  #full: CompiledNode | undefined;

  constructor(facts: FactColumns, at: number, place: string, reader: FactReader) {
    this.id = facts.id[at]!;
    this.kind = facts.kind[at]!;
    this.name = facts.name[at]!;
    this.path = facts.path[at]!;
    this.dependsOn = facts.dependsOn[at]!;
    this.renderAtRun = facts.renderAtRun[at] === 1 ? true : undefined;
    this.materialization = facts.materialization[at]!;
    this.schema = facts.schema[at]!;
    const relation = facts.relation[at];
    // Frozen: a write would change this object only, not the whole node (see the file comment).
    this.relation = Object.freeze(
      relation
        ? { schema: relation[0], name: relation[1] }
        : { schema: this.schema, name: this.name },
    );
    this.tags = facts.tags[at]!;
    this.attachedTo = facts.attachedTo[at] ?? undefined;
    // A node without an assertion says so itself; one with an assertion reads it from the whole
    // node. Defined, not assigned: an assignment would go to the whole node (the proxy's `set`).
    if (facts.assertion[at] === 0)
      Object.defineProperty(this, "assertion", {
        value: undefined,
        writable: true,
        enumerable: true,
        configurable: true,
      });
    this.#statements = facts.statements[at]!;
    this.#incremental = facts.incremental[at]!;
    this.#reconcile = facts.reconcile[at] ?? null;
    this.#place = place;
    this.#reader = reader;
    counts.made += 1;
  }

  /** The fact node `value` is, or is made from (`Object.create(node)`); undefined if none. */
  static of(value: object): FactNode | undefined {
    for (let o: object | null = value; o !== null; o = Object.getPrototypeOf(o) as object | null)
      if (#place in o) return o;
    return undefined;
  }

  /** `value` when it is a fact node itself (not an object made from one). */
  static own(value: object): FactNode | undefined {
    return #place in value ? value : undefined;
  }

  // Static, not methods: the prototype holds no member a compiled node could be asked for (but
  // the compiler's CONFIG_FACTS symbol, below).

  /** Its statements' count and its incremental statements' (-1: none), as its row has them. */
  static counts(node: FactNode): [number, number] {
    return [node.#statements, node.#incremental];
  }

  /** Its `reconcile` fact: as made, or of its config once read whole (which could change it). */
  static reconcile(node: FactNode): string | null {
    return node.#full === undefined ? node.#reconcile : reconcileText(node.#full);
  }

  /** Whether its facts are `facts`' members at `at` themselves (the same strings and array). */
  static holds(node: FactNode, facts: FactColumns, at: number): boolean {
    return (
      node.id === facts.id[at] &&
      node.kind === facts.kind[at] &&
      node.name === facts.name[at] &&
      node.path === facts.path[at] &&
      node.dependsOn === facts.dependsOn[at] &&
      (node.renderAtRun ? 1 : 0) === facts.renderAtRun[at] &&
      node.#statements === facts.statements[at] &&
      node.#incremental === facts.incremental[at] &&
      node.materialization === facts.materialization[at] &&
      node.schema === facts.schema[at] &&
      sameRelation(node.relation, facts.relation[at], node.schema, node.name) &&
      node.tags === facts.tags[at] &&
      (node.attachedTo ?? null) === facts.attachedTo[at] &&
      // Its own `assertion` (read without reading the node whole), unless a write replaced it.
      (Object.hasOwn(node, "assertion") && (node as { assertion?: unknown }).assertion === undefined
        ? 0
        : 1) === facts.assertion[at] &&
      FactNode.reconcile(node) === facts.reconcile[at]
    );
  }

  /** The whole node, read from its memo place on first use. */
  static full(node: FactNode): CompiledNode {
    if (node.#full !== undefined) return node.#full;
    const full = node.#reader.load(node.#place);
    if (full.id !== node.id)
      throw new Error(`compile facts: ${node.#place} holds ${full.id}, not ${node.id}`);
    counts.materialized += 1;
    return (node.#full = full);
  }

  /**
   * What the compiler's `reconcileValue` asks of a fact node (or of an object made from one):
   * its config facts until it is read whole; then, undefined: its config is read, as it is now.
   */
  get [CONFIG_FACTS](): ConfigFacts | undefined {
    const node = FactNode.of(this);
    if (node === undefined || node.#full !== undefined) return undefined;
    return node.#reconcile === null
      ? NO_CONFIG_FACTS
      : { reconcile: JSON.parse(node.#reconcile) as object };
  }
}

/** The config facts of a node whose config has no `reconcile` (shared: never changed). */
const NO_CONFIG_FACTS: ConfigFacts = Object.freeze({ reconcile: null });

/** `node`'s `config.reconcile` as its fact holds it: JSON, or null when it has none. */
const reconcileText = (node: CompiledNode): string | null => {
  const value = reconcileValue(node);
  return value === null ? null : JSON.stringify(value);
};

/** The whole node of the fact node `receiver` is (or is made from). */
const wholeOf = (receiver: object): CompiledNode => {
  const node = FactNode.of(receiver);
  if (node === undefined) throw new Error("a fact node's member was read from another object");
  return FactNode.full(node);
};
function toJSON(this: object): CompiledNode {
  return wholeOf(this);
}
// Above every fact node: what is not a fact is read from the whole node.
Object.setPrototypeOf(
  FactNode.prototype,
  new Proxy(Object.create(null) as object, {
    get(_target, key, receiver: object) {
      if (key === "toJSON") return toJSON;
      // Never a member of a node: a node handed to `await` or a promise stays unread.
      if (key === "then") return undefined;
      return (wholeOf(receiver) as unknown as Record<PropertyKey, unknown>)[key];
    },
    set(_target, key, value, receiver: object) {
      (wholeOf(receiver) as unknown as Record<PropertyKey, unknown>)[key] = value;
      return true;
    },
    has(_target, key) {
      throw new Error(`a fact node was asked whether it has '${String(key)}' (see fact-nodes.ts)`);
    },
  }),
);

/**
 * Makes fact nodes of one compile memo and reads their whole nodes when asked: each segment read
 * once (a one-edit compile asks for ~230 nodes from ~150 of 256 segments).
 */
export class FactReader {
  private readonly segments = new Map<
    string,
    (line: number, field: number) => string | undefined
  >();

  /**
   * `memoFile`: the compile memo's index (see memo-refs.ts); `runId`: the run id put in each node
   * read whole where the compile has the placeholder (see `withRunId`), when not the placeholder.
   */
  constructor(
    private readonly memoFile: string,
    private readonly runId?: string,
  ) {}

  /**
   * A fact node of `facts`' members at `at`, whose whole node is the memo's text at `place`
   * (`memo:seg:line:field`).
   */
  node(facts: FactColumns, at: number, place: string): CompiledNode {
    return new FactNode(facts, at, place, this) as unknown as CompiledNode;
  }

  /** The node at `place`, parsed; throws when it cannot be read (its segment replaced since). */
  load(place: string): CompiledNode {
    const [, segment = "", line, field] = place.split(":");
    let fieldOf = this.segments.get(segment);
    if (fieldOf === undefined) {
      fieldOf = readSegmentFields(this.memoFile, segment);
      if (fieldOf !== undefined) this.segments.set(segment, fieldOf);
    }
    const text = fieldOf?.(Number(line), Number(field));
    if (text === undefined)
      throw new SegmentGoneError(
        `${place} of ${this.memoFile} is gone (another sluice command writing the same target/ ` +
          "at the same time?): run the command again",
      );
    return JSON.parse(
      this.runId === undefined ? text : withRunId(text, this.runId),
    ) as CompiledNode;
  }
}

/** The memo segment a place (`memo:seg:line:field`) names. */
export const segmentOfPlace = (place: string): string =>
  place.slice(place.indexOf(":") + 1, place.indexOf(":", place.indexOf(":") + 1));

/** Whether `node` is a fact node (see the file comment). */
export const isFactNode = (node: object): boolean => FactNode.own(node) !== undefined;

/** `node`'s statements' count and its incremental statements' (-1: none), nothing parsed. */
function countsOf(node: CompiledNode): [number, number] {
  const fact = FactNode.own(node);
  return fact !== undefined
    ? FactNode.counts(fact)
    : [statementCount(node), node.incrementalStatements?.length ?? -1];
}

/**
 * Whether `node` is a fact node whose facts are `facts`' members at `at` themselves (made from
 * them, none replaced since): then its {@link FactRow} is that place's, told without making it.
 */
export function factsAreAt(node: CompiledNode, facts: FactColumns, at: number): boolean {
  const fact = FactNode.own(node);
  return fact !== undefined && FactNode.holds(fact, facts, at);
}

/** `node`'s {@link FactRow}: a fact node's as it was made, another's from its members. */
export function factRowOf(node: CompiledNode): FactRow {
  const fact = FactNode.own(node);
  const [statements, incremental] = countsOf(node);
  const { id, kind, name, path, dependsOn, renderAtRun, materialization, schema, tags } = node;
  return [
    id,
    kind,
    name,
    path,
    dependsOn,
    renderAtRun ? 1 : 0,
    statements,
    incremental,
    materialization,
    schema,
    relationFact(node.relation, schema, name),
    tags,
    node.attachedTo ?? null,
    node.assertion === undefined ? 0 : 1,
    fact !== undefined ? FactNode.reconcile(fact) : reconcileText(node),
  ];
}

/** Whether `relation` is the one `fact` stands for (of a node of `schema` and `name`). */
const sameRelation = (
  relation: Readonly<CompiledNode["relation"]>,
  fact: RelationFact | undefined,
  schema: string,
  name: string,
): boolean =>
  fact === null
    ? relation.schema === schema && relation.name === name
    : relation.schema === fact?.[0] && relation.name === fact[1];

/**
 * `relation` as a {@link RelationFact}: null when it is the node's own schema and name.
 * (A fact node's own relation is made from its fact: null again, the same value.)
 */
function relationFact(
  relation: Readonly<CompiledNode["relation"]>,
  schema: string,
  name: string,
): RelationFact {
  return relation.schema === schema && relation.name === name
    ? null
    : [relation.schema, relation.name];
}

/**
 * How many statements `node` runs: its statements and incremental statements (what `compile`
 * prints), counted without reading them (a fact node's from its facts, see lazy-node.ts for a
 * memo node's).
 */
export function statementTotal(node: CompiledNode): number {
  const [statements, incremental] = countsOf(node);
  return statements + Math.max(incremental, 0);
}

/**
 * Put in `nodes`, for each fact node whose id is in `ids`, its whole node (read from the memo):
 * what a run command runs is read whole and is a plain object (a fact node spread, as a snapshot
 * plan spreads the node it runs, would copy its facts only).
 */
export function wholeNodes(nodes: CompiledNode[], ids: ReadonlySet<string>): void {
  for (let at = 0; at < nodes.length; at++) {
    const fact = FactNode.own(nodes[at]!);
    if (fact !== undefined && ids.has(fact.id)) nodes[at] = FactNode.full(fact);
  }
}

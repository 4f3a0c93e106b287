import { error, warning } from "@sluice/project/diagnostics";
import type { Diagnostic } from "@sluice/project";
import { closestHint } from "@sluice/project/suggest";
import type { CompiledExposure, CompiledNode, CompiledProject } from "../types.js";
import { reachable } from "./dag.js";
import { candidates, matchItem, nodeFacts } from "./select-methods.js";
import type { NodeFacts } from "./select-methods.js";
import { parseSelectorItem, stateMethods } from "./selector.js";
import type { SelectionState } from "../state/selection-state.js";
import type { SelectorItem, SelectorProblem } from "./selector.js";

/** Re-exported for `ls` and the Athena check, which need no more of the compiler than selection. */
export { resourceType } from "./select-methods.js";
export { reachable } from "./dag.js";

export interface SelectOptions {
  /** Each entry may hold several space-separated items (union); `a,b` is an intersection. */
  select?: string[];
  exclude?: string[];
  /**
   * The project's resource paths (model-paths, seed-paths, test-paths, rule-paths), so a bare
   * `marts` also finds `models/marts/...` and fqns start below them. Default: none.
   */
  resourcePaths?: string[];
  /**
   * `--state DIR`: the previous run's artifacts the `state:` and `result:` methods compare with.
   * Without it, those methods are SELECTOR_INVALID.
   */
  state?: SelectionState;
  /**
   * Source node ids whose newest row is newer now than in a previous run's sources.json, for
   * `source_status:fresher` (the caller compares the two files); none when absent.
   */
  fresherSources?: ReadonlySet<string>;
}

class Graph {
  readonly tests: readonly CompiledNode[];
  readonly testIds: ReadonlySet<string>;
  #parents: Map<string, string[]> | undefined;
  #children: Map<string, string[]> | undefined;
  constructor(private readonly nodes: readonly CompiledNode[]) {
    this.tests = nodes.filter((n) => n.kind === "test");
    this.testIds = new Set(this.tests.map((t) => t.id));
  }

  /**
   * Each node's parents, made on first use: a selector without graph operators (`build -s
   * model`) needs no edges (at 10,000 models, making both maps was ~70 ms of such a build).
   */
  get parents(): Map<string, string[]> {
    return (this.#parents ??= new Map(this.nodes.map((n) => [n.id, n.dependsOn])));
  }

  /**
   * Each node's children, tests left out (`+test` reaches what a test reads; tests join other
   * selections only indirectly), made on first use.
   */
  get children(): Map<string, string[]> {
    if (this.#children !== undefined) return this.#children;
    const children = new Map<string, string[]>();
    for (const n of this.nodes) {
      if (n.kind === "test") continue;
      for (const d of n.dependsOn) {
        const list = children.get(d);
        if (list) list.push(n.id);
        else children.set(d, [n.id]);
      }
    }
    return (this.#children = children);
  }

  /** Apply an item's graph operators to the nodes its method picked. */
  expand(direct: readonly string[], item: SelectorItem): Set<string> {
    const out = new Set(direct);
    const add = (ids: Iterable<string>) => {
      for (const id of ids) out.add(id);
    };
    if (item.childrensParents) {
      add(reachable(direct, this.children));
      add(reachable([...out], this.parents));
      return out;
    }
    if (item.parents !== undefined) add(reachable(direct, this.parents, item.parents));
    if (item.children !== undefined) add(reachable(direct, this.children, item.children));
    return out;
  }

  /**
   * `ids` and the tests of what it holds: a test whose node (`attachedTo`) is in it, or that reads
   * only nodes in it. What an intersection's item picks for tests (dbt's indirect selection).
   */
  withTests(ids: ReadonlySet<string>): Set<string> {
    const out = new Set(ids);
    for (const t of this.tests)
      if (
        (t.attachedTo !== undefined && ids.has(t.attachedTo)) ||
        (t.dependsOn.length > 0 && t.dependsOn.every((d) => ids.has(d)))
      )
        out.add(t.id);
    return out;
  }
}

/**
 * An intersection (`a,b`) of the items' picks. As in dbt, each item's pick includes the tests of
 * the nodes it picks, so `test_type:dq,events` is the DQDL rules of events and
 * `test_type:generic,+funnel` the generic tests of funnel and its parents. Tests join only when
 * an item picks tests itself (a `test_type:`, a test's name or tag): else what the intersection
 * picks is the same as before and its tests come along as in any selection (see selectNodes).
 */
function intersect(graph: Graph, picks: readonly Set<string>[]): Set<string> {
  const withTests =
    picks.length > 1 && picks.some((p) => [...p].some((id) => graph.testIds.has(id)))
      ? picks.map((p) => graph.withTests(p))
      : picks;
  const [first, ...rest] = withTests;
  return new Set([...(first ?? [])].filter((id) => rest.every((p) => p.has(id))));
}

interface Evaluated {
  ids: Set<string>;
  /** Union members that matched nothing, with a "did you mean" when one is close. */
  empty: { expr: string; hint?: string }[];
}

/** Union of expressions, each an intersection of comma-separated items. */
function evaluate(
  lazy: () => { graph: Graph; facts: readonly NodeFacts[] },
  exposures: readonly CompiledExposure[],
  exprs: readonly string[],
  flag: string,
  diagnostics: Diagnostic[],
  state: SelectionState | undefined,
): Evaluated {
  const result: Evaluated = { ids: new Set(), empty: [] };
  for (const expr of exprs.flatMap((e) => e.split(/\s+/)).filter((e) => e !== "")) {
    let hint: string | undefined;
    const items = expr.split(",").map((part) => parseSelectorItem(part));
    const invalid = items.filter((i): i is SelectorProblem => "message" in i);
    for (const problem of invalid)
      diagnostics.push(
        error("SELECTOR_INVALID", `--${flag} ${expr}: ${problem.message}`, undefined, problem.hint),
      );
    const missing = (items as SelectorItem[]).filter((i) => stateProblem(i, state));
    for (const item of missing)
      diagnostics.push(
        error(
          "SELECTOR_INVALID",
          `--${flag} ${expr}: ${item.method}: ${stateProblem(item, state)}`,
          undefined,
          "pass --state DIR, a folder holding a previous run's manifest.json and run_results.json (its target/)",
        ),
      );
    if (invalid.length > 0 || missing.length > 0) continue;
    const { graph, facts } = lazy();
    const picks = (items as SelectorItem[]).map((item) => {
      const direct = matchItem(facts, item, exposures, state);
      if (direct.length === 0) hint ??= closestHint(item.value, candidates(facts, item, exposures));
      return graph.expand(direct, item);
    });
    const acc = intersect(graph, picks);
    if (acc.size === 0) result.empty.push({ expr, ...(hint ? { hint } : {}) });
    else acc.forEach((id) => result.ids.add(id));
  }
  return result;
}

/** Why a state method cannot be evaluated without (the right part of) `--state`, if it cannot. */
function stateProblem(item: SelectorItem, state: SelectionState | undefined): string | undefined {
  const needs = stateMethods[item.method];
  if (!needs) return undefined;
  if (!state) return "compares with a previous run, and no --state was given";
  if (needs === "run_results" && !state.results)
    return "reads the previous run's results, and the --state folder has no run_results.json";
  return undefined;
}

const joinHints = (empty: Evaluated["empty"]): string | undefined => {
  const hints = empty.flatMap((e) =>
    e.hint ? [empty.length > 1 ? `${e.expr}: ${e.hint}` : e.hint] : [],
  );
  return hints.length > 0 ? hints.join("; ") : undefined;
};

/**
 * The node ids a `--select`/`--exclude` pair picks, in the project's topological order, with
 * dbt's semantics: bare words are a name, else a folder, else a file, else an fqn; methods
 * `tag:`, `path:`, `file:`, `fqn:`, `source:`, `resource_type:`, `test_type:`,
 * `config.<key>:`, `exposure:` (the nodes an exposure reads), `state:` and `result:` (compared
 * with `options.state`, see `stateIds`); `*`/`?`/`[..]` wildcards; `+`, `n+`, `@` graph operators; spaces unite,
 * commas intersect. Tests come along when every node they test is selected and none is excluded
 * (indirect selection). Warns `nothing to do` when the selection is empty.
 *
 * @example selectNodes(compiled, { select: ["+fct_orders", "tag:daily"], exclude: ["stg_legacy"] })
 */
export function selectNodes(
  compiled: CompiledProject,
  options: SelectOptions,
): { ids: string[]; diagnostics: Diagnostic[] } {
  // Built on the first selector: `compile` with no --select/--exclude needs neither.
  let built: { graph: Graph; facts: readonly NodeFacts[] } | undefined;
  const lazy = () =>
    (built ??= {
      graph: new Graph(compiled.nodes),
      facts: nodeFacts(
        compiled.nodes,
        compiled.projectName,
        options.resourcePaths ?? [],
        options.fresherSources,
      ),
    });
  const exposures = compiled.exposures ?? [];
  const diagnostics: Diagnostic[] = [];
  const words = (values?: string[]) =>
    (values ?? []).flatMap((v) => v.split(/\s+/)).filter((v) => v !== "");
  const select = words(options.select);
  const exclude = words(options.exclude);

  const selected =
    select.length > 0
      ? evaluate(lazy, exposures, select, "select", diagnostics, options.state)
      : undefined;
  const excluded = evaluate(lazy, exposures, exclude, "exclude", diagnostics, options.state);
  // Excluding a node excludes the tests that read it (dbt's eager indirect exclusion). Nothing
  // excluded (`compile` at 10,000 models: 30,000 nodes), nothing to look for.
  const excluding = excluded.ids.size > 0;
  if (excluding)
    for (const n of compiled.nodes)
      if (n.kind === "test" && n.dependsOn.some((d) => excluded.ids.has(d))) excluded.ids.add(n.id);
  const base =
    selected?.ids ?? new Set(compiled.nodes.filter((n) => n.kind !== "test").map((n) => n.id));
  const chosen = new Set(excluding ? [...base].filter((id) => !excluded.ids.has(id)) : base);
  // Tests come with the nodes they read (dbt's eager indirect selection); with no --select every
  // test runs, also one that reads no node (`select 1 where ...`): it was never run, unsaid.
  for (const n of compiled.nodes) {
    if (n.kind !== "test" || chosen.has(n.id) || excluded.ids.has(n.id)) continue;
    if (
      (selected === undefined && n.dependsOn.length === 0) ||
      (n.dependsOn.length > 0 && n.dependsOn.every((d) => chosen.has(d)))
    )
      chosen.add(n.id);
  }

  const valid = !diagnostics.some((d) => d.severity === "error");
  if (valid && chosen.size === 0 && (select.length > 0 || exclude.length > 0)) {
    const flags = [
      select.length > 0 ? `--select ${select.join(" ")}` : "",
      exclude.length > 0 ? `--exclude ${exclude.join(" ")}` : "",
    ];
    const what = selected && selected.ids.size === 0 ? "matched no node" : "left no node";
    diagnostics.push(
      warning(
        "SELECTOR_NO_MATCH",
        `nothing to do: ${flags.filter(Boolean).join(" ")} ${what}`,
        undefined,
        joinHints(selected?.empty ?? []),
      ),
    );
  } else {
    for (const [flag, r] of [
      ["select", selected],
      ["exclude", excluded],
    ] as const) {
      for (const e of r?.empty ?? [])
        diagnostics.push(
          warning("SELECTOR_NO_MATCH", `--${flag} ${e.expr} matches no node`, undefined, e.hint),
        );
    }
  }
  return { ids: compiled.nodes.filter((n) => chosen.has(n.id)).map((n) => n.id), diagnostics };
}

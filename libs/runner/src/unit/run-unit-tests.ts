import type { CompiledProject } from "@sluice/compiler";
import type { NodeResult, RunCommand, RunEvent, RunResults } from "../types.js";
import { runUnitTest } from "./run-unit-test.js";
import { unitTestSessionFor, type UnitTestMemoOption } from "./unit-test-session.js";

/** Whether every one of `ids` is a unit test: such a run needs no engine of the target. */
export function onlyUnitTests(compiled: CompiledProject, ids: readonly string[]): boolean {
  if (ids.length === 0) return false;
  // One pass, no map of every node (30,000 at 10,000 models, for a one-model build's few ids):
  // the first selected node that is not a unit test answers.
  const wanted = new Set(ids);
  let found = 0;
  for (const n of compiled.nodes) {
    if (!wanted.has(n.id)) continue;
    if (n.assertion?.kind !== "unit") return false;
    found += 1;
  }
  return found === wanted.size;
}

/**
 * Run a selection of unit tests alone (`sluice test -s test_type:unit`), on the embedded
 * database only: no lake opened, no warehouse reached, whatever the target. Same results as
 * `runProject` gives for them.
 */
export async function runUnitTestsOnly(options: {
  command: RunCommand;
  compiled: CompiledProject;
  selected: readonly string[];
  runId: string;
  sqlDialect?: "trino" | "duckdb";
  /** Unit-test passes kept between runs (see `RunOptions.unitTestMemo`). */
  unitTestMemo?: UnitTestMemoOption;
  onEvent?: (event: RunEvent) => void;
  now?: () => Date;
}): Promise<RunResults> {
  const startedAt = (options.now ?? (() => new Date()))();
  const t0 = performance.now();
  const chosen = new Set(options.selected);
  const nodes = options.compiled.nodes.filter((n) => chosen.has(n.id));
  const session = unitTestSessionFor(options.compiled.nodes, options);
  const results: NodeResult[] = [];
  try {
    for (const [i, node] of nodes.entries()) {
      if (node.assertion?.kind !== "unit") continue;
      const index = i + 1;
      const total = nodes.length;
      options.onEvent?.({
        type: "start",
        index,
        total,
        id: node.id,
        description: `unit test ${node.name}`,
      });
      const started = performance.now();
      const result: NodeResult = {
        id: node.id,
        kind: node.kind,
        name: node.name,
        materialization: node.materialization,
        status: "pass",
        message: "",
        elapsedMs: 0,
        queryIds: [],
      };
      await runUnitTest(node, node.assertion, session, result);
      result.elapsedMs = Math.round(performance.now() - started);
      results.push(result);
      options.onEvent?.({ type: "end", index, total, result });
    }
  } finally {
    await session.close();
  }
  return {
    command: options.command,
    target: options.compiled.targetName,
    runId: options.runId,
    startedAt: startedAt.toISOString(),
    elapsedMs: Math.round(performance.now() - t0),
    results,
  };
}

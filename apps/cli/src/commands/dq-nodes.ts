import path from "node:path";
import type { CompiledNode, CompiledProject } from "@sluice/compiler";
import type { Dialect } from "@sluice/dialects";
import { error, glueNameProblem, glueNameSuggestion } from "@sluice/project";
import type { Diagnostic, Project, TargetConfig } from "@sluice/project";

/** Rows kept per failing test in its audit table. */
export const STORE_FAILURES_LIMIT = 100;

/**
 * Append one test node per DQDL rule to a compiled project (after the nodes they test, so the
 * order stays topological), and give every test that stores its failures an audit table
 * `<schema>_audit.<test name>` at a fresh location of this run: with `storeFailures`
 * (`--store-failures`) every test but those whose dbt config says `store_failures: false`,
 * without it those whose config says `store_failures: true`. Returns the DQDL diagnostics, and
 * NAME_INVALID for an audit table whose name Glue would refuse or that would leave its folder
 * (a test named after a column like `../x`).
 */
export async function appendDqNodes(options: {
  project: Project;
  compiled: CompiledProject;
  dialect: Dialect;
  target: TargetConfig;
  runId: string;
  storeFailures: boolean;
}): Promise<Diagnostic[]> {
  const { dqTestNodes } = await import("@sluice/runner");
  const { nodes, diagnostics } = dqTestNodes(options);
  options.compiled.nodes.push(...nodes);
  const stores = (node: CompiledNode) =>
    node.kind === "test" && (node.storeFailuresConfig ?? options.storeFailures);
  if (options.compiled.nodes.some(stores)) {
    const t = options.target;
    const lakeRoot =
      t.engine === "duckdb"
        ? path.resolve(options.project.dir, t.lake)
        : t.s3_lake_root.replace(/\/+$/, "");
    // Each node is replaced by an edited copy, not edited: a node may be the compile memo's, kept
    // for compiles without --store-failures (and keeping the text it was read from, see lazy-node.ts).
    const all = options.compiled.nodes;
    for (const [i, original] of all.entries()) {
      if (!stores(original)) continue;
      const node: CompiledNode = (all[i] = {
        ...original,
        storeFailures: {
          relation: { schema: `${original.relation.schema}_audit`, name: original.name },
          location: `${lakeRoot}/${original.schema}_audit/${original.name}/v_${options.runId}`,
          limit: STORE_FAILURES_LIMIT,
        },
      });
      const problem = glueNameProblem(node.name);
      if (problem) {
        const message = `test '${node.name}': its --store-failures table name ${problem}`;
        const fixed = glueNameSuggestion(node.name);
        const hint = `name the column or test file so the test is '${fixed}'`;
        const at = { file: node.path, line: 1, column: 1 };
        diagnostics.push(error("NAME_INVALID", message, at, hint));
      }
    }
  }
  return diagnostics;
}

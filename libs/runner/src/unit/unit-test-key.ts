import { createHash } from "node:crypto";
import type { CompiledNode } from "@sluice/compiler";
import { trinoCompatStatements } from "@sluice/dialects";
import { EMBEDDED_DUCKDB_VERSION } from "@sluice/engines";

/** Bumped when how a unit test runs changes in a way its inputs below do not show. */
const FORMAT = 1;

/** What a unit test runs on besides its project: the embedded DuckDB and its SQL layer. */
export interface UnitTestRuntime {
  /** Whether the Trino-compat layer is installed (target `sql_dialect: trino`). */
  trinoCompat: boolean;
  /** The running sluice build (`buildId()` of the CLI): a rebuilt sluice runs them again. */
  build: string;
}

/**
 * The content key of a unit test's result: everything its outcome depends on. That is the test
 * (its model's SQL rendered over the mocks with the test's overrides and the project's macros,
 * its given and expected rows), the nodes whose columns and types its mocks take (each mock's
 * upstream and their ancestors: their compiled SQL, declared columns, relations), the embedded
 * DuckDB's version, the Trino-compat macros' text and the sluice build. Equal keys give the same
 * result; the data of the lake plays no part.
 *
 * @example
 * unitTestKey(node, byId, { trinoCompat: true, build: buildId() }); // "9f2c…" (sha256 hex)
 */
export function unitTestKey(
  node: CompiledNode,
  byId: ReadonlyMap<string, CompiledNode>,
  runtime: UnitTestRuntime,
): string {
  const hash = createHash("sha256");
  const part = (value: unknown) => hash.update(JSON.stringify(value) ?? "null").update("\0");
  part([FORMAT, EMBEDDED_DUCKDB_VERSION, runtime.build, runtime.trinoCompat]);
  if (runtime.trinoCompat) part(trinoCompatStatements().map((s) => s.sql));
  part([node.id, node.sql, node.assertion]);
  const upstreams =
    node.assertion?.kind === "unit" ? node.assertion.inputs.map((i) => i.upstream) : [];
  for (const id of [...ancestry(upstreams, byId)].sort()) {
    const n = byId.get(id);
    part(
      n === undefined
        ? [id]
        : [
            id,
            n.kind,
            n.materialization,
            n.relation,
            // A source with a location is raw (`line`, `dt`); a table's location names its run.
            n.kind === "source" && n.location !== undefined,
            n.columns.map((c) => c.name),
            n.dependsOn,
            n.sql,
          ],
    );
  }
  return hash.digest("hex");
}

/** `ids` and every node they depend on, transitively. */
function ancestry(ids: readonly string[], byId: ReadonlyMap<string, CompiledNode>): Set<string> {
  const seen = new Set<string>();
  const stack = [...ids];
  while (stack.length > 0) {
    const id = stack.pop()!;
    if (seen.has(id)) continue;
    seen.add(id);
    stack.push(...(byId.get(id)?.dependsOn ?? []));
  }
  return seen;
}

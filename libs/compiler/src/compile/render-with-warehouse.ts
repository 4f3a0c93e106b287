import type { Diagnostic, Project } from "@sluice/project";
import { error } from "@sluice/project/diagnostics";
import { compileProject } from "../compile-project.js";
import type { CompileOptions } from "../compile-project.js";
import type { QueryRows, WarehouseSession } from "../render/warehouse.js";
import type { CompiledNode } from "../types.js";

/** More distinct queries than this in one model's render is a template that never settles. */
const MAX_QUERIES = 200;

/**
 * Compile one model with its warehouse calls answered by `query` (the runner's engine): dbt's
 * `execute`-time render. Rendering is synchronous, so this renders, runs the first query the
 * render had no result for, and renders again with it, until a render needs nothing new (n
 * queries: n + 1 compiles of the project, each query sent once). Each compile is the project's
 * whole, so the model sees the same relations, config and schema names as the offline compile.
 * The model's render errors (those at its file) are returned instead of a node.
 *
 * @example
 * const node = await renderWithWarehouse(project, options, compiledNode, (sql) =>
 *   engine.execute(sql),
 * );
 */
export async function renderWithWarehouse(
  project: Project,
  options: Omit<CompileOptions, "warehouse" | "memo">,
  target: Pick<CompiledNode, "id" | "path">,
  query: (sql: string) => Promise<QueryRows>,
): Promise<CompiledNode | Diagnostic[]> {
  const nodeId = target.id;
  const results = new Map<string, QueryRows>();
  for (;;) {
    const session: WarehouseSession = { results, missing: [], calls: 0 };
    const compiled = compileProject(project, { ...options, warehouse: { nodeId, session } });
    const pending = [...new Set(session.missing)];
    if (pending.length === 0) {
      const node = compiled.nodes.find((n) => n.id === nodeId);
      const errors = compiled.diagnostics.filter(
        (d) => d.severity === "error" && d.at?.file === target.path,
      );
      if (node && errors.length === 0) return node;
      return errors.length > 0
        ? errors
        : [error("TEMPLATE_SYNTAX", `${nodeId} did not compile`, undefined, "run sluice compile")];
    }
    if (results.size + pending.length > MAX_QUERIES) {
      return [
        error(
          "TEMPLATE_SYNTAX",
          `${nodeId} sent more than ${MAX_QUERIES} distinct warehouse queries while rendering`,
          undefined,
          "a query whose text changes on every render (e.g. a timestamp) never settles: make it stable",
        ),
      ];
    }
    for (const sql of pending) results.set(sql, await query(sql));
  }
}

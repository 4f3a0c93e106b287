import type { Project } from "@sluice/project";
import type { Dialect } from "@sluice/dialects";
import type { DiagnosticBag } from "../diagnostic-bag.js";
import type { ConfigCache } from "../config/merge-config.js";
import type { Renderer } from "../render/nunjucks-env.js";
import type { ResolvedTarget } from "../target/resolve-target.js";
import type { WarehouseSession } from "../render/warehouse.js";

/** The one node a compile renders with warehouse results (see `renderWithWarehouse`). */
export interface WarehouseAnswers {
  nodeId: string;
  session: WarehouseSession;
}

/** Everything the compile phases share for one run. */
export interface CompileContext {
  project: Project;
  dialect: Dialect;
  target: ResolvedTarget;
  runId: string;
  renderer: Renderer;
  diagnostics: DiagnosticBag;
  warehouse?: WarehouseAnswers;
  /** Merged model configs already validated in this compile (see `mergeConfig`). */
  configs?: ConfigCache;
}

/** Rendered model SQL without the trailing `;` a user may type (it would break CTAS wrapping). */
export function cleanSql(sql: string): string {
  return sql
    .trim()
    .replace(/;+\s*$/, "")
    .trimEnd();
}

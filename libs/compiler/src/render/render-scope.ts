import type { Diagnostic } from "@sluice/project";
import type { QueryRows, WarehouseSession } from "./warehouse.js";

/** A relation as templates see it: `{{ this }}` prints the quoted name, `{{ this.schema }}` a part. */
export interface TemplateRelation {
  schema: string;
  name: string;
  identifier: string;
  /** An ephemeral model's CTE (dbt's `is_cte`). */
  isCte?: boolean;
  toString(): string;
}

/** One render of one template: how names resolve, and what the render recorded. */
export interface RenderScope {
  /** Project-relative file, for diagnostics. */
  file: string;
  /** Template text, to locate calls. */
  text: string;
  isIncremental: boolean;
  /**
   * dbt's parse render: `execute` is false, and what needs the warehouse (`run_query`,
   * `statement`) returns none, as dbt's parse does; the compile render has `execute` true.
   */
  parsing?: boolean;
  self?: TemplateRelation;
  /** SQL text for `ref(name)`; called after the name is recorded. */
  resolveRef(name: string): string;
  resolveSource(sourceName: string, table: string): string;
  /** The relation `ref(name)` reads, by parts (dbt projects' `ref()` returns a Relation). */
  refRelation?(name: string): TemplateRelation | undefined;
  /** The relation `source(s, t)` reads, by parts. */
  sourceRelation?(sourceName: string, table: string): TemplateRelation | undefined;
  /** Recorded while rendering, in call order. */
  refs: string[];
  sources: [string, string][];
  configs: Record<string, unknown>[];
  diagnostics: Diagnostic[];
  /**
   * What the render read besides the template: `var:<name>`, `env:<name>`, `macro:<macro file>`.
   * Renders of one model share one set; the compile memo keys its reuse on these values.
   */
  reads: Set<string>;
  /** A unit test's `overrides`: values var(), env_var() and project macros give in this render. */
  overrides?: RenderOverrides;
  /**
   * A model's render: what `run_query` and friends read (see {@link WarehouseSession}).
   * Without it (tests, descriptions, macros), a warehouse call is an error at the call.
   */
  warehouse?: WarehouseSession;
  /** Set at this render's first query without a result: later calls answer empty. */
  warehouseBlocked?: boolean;
  /** `{% call statement('name', fetch_result=True) %}` results of this render, for load_result. */
  statements?: Map<string, QueryRows>;
}

/** What a render sees instead of the project's vars, the environment and project macros. */
export interface RenderOverrides {
  vars: Record<string, unknown>;
  env: Record<string, string>;
  /** Macro name → the value a call returns (the macro itself is not called). */
  macros: Record<string, unknown>;
}

/** A fresh scope for one render: `init`, taken over (not copied), with empty records. */
export function newScope(
  init: Pick<RenderScope, "file" | "text" | "isIncremental" | "resolveRef" | "resolveSource"> &
    Partial<Pick<RenderScope, "refRelation" | "sourceRelation">> & {
      self?: TemplateRelation;
      parsing?: boolean;
      reads?: Set<string>;
      overrides?: RenderOverrides;
      warehouse?: WarehouseSession;
    },
): RenderScope {
  // `init` becomes the scope (every caller passes a fresh literal): copying it with a spread was
  // 3.7% of a 10k-model compile, the spread being generic over the callers' many shapes.
  const scope = init as RenderScope;
  scope.refs = [];
  scope.sources = [];
  scope.configs = [];
  scope.diagnostics = [];
  scope.reads = init.reads ?? new Set();
  return scope;
}

/**
 * A scope for a render outside a model (a macro file, the schema macro, a test file's first
 * pass): not incremental, `ref('x')` and `source('s', 't')` resolved to the names as written.
 *
 * @example namesAsWrittenScope("macros/cents.sql", text).resolveSource("raw", "events") // "raw.events"
 */
export const namesAsWrittenScope = (file: string, text = ""): RenderScope =>
  newScope({
    file,
    text,
    isIncremental: false,
    resolveRef: (n) => n,
    resolveSource: (s, t) => `${s}.${t}`,
  });

export function templateRelation(schema: string, name: string, quoted: string): TemplateRelation {
  return { schema, name, identifier: name, toString: () => quoted };
}

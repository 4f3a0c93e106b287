import type { Project } from "@sluice/project";
import type { Dialect } from "@sluice/dialects";
import type { DiagnosticBag } from "../diagnostic-bag.js";
import type { DbtContextInputs } from "../render/dbt-context.js";
import type { Renderer } from "../render/nunjucks-env.js";
import { namesAsWrittenScope } from "../render/render-scope.js";
import { sqlDialectOf } from "./dialect-for.js";
import type { ResolvedTarget } from "./resolve-target.js";

/** The name of dbt's schema-naming macro a project may override. */
export const SCHEMA_MACRO = "generate_schema_name";

/** dbt's context inputs for a project's compile on one target. */
export function dbtInputs(
  project: Project,
  target: ResolvedTarget,
  dialect: Dialect,
): DbtContextInputs {
  return {
    projectName: project.config.name,
    ...(project.config.dbt ? { profileName: project.config.dbt.profile } : {}),
    targetName: target.name,
    target: target.config,
    targetSchema: target.schemaName(undefined),
    docs: project.docs ?? [],
    quote: (name) => dialect.quoteIdentifier(name),
    sqlDialect: sqlDialectOf(target.config),
    modelFiles: project.models.map((m) => m.path),
    literal: (value) => dialect.literal(value),
  };
}

/**
 * The target, naming schemas with the project's own `generate_schema_name(custom_schema_name,
 * node)` macro when it defines one (as dbt does); its errors are diagnostics at the macro, and
 * the default name is used for that model.
 */
export function withSchemaMacro(
  target: ResolvedTarget,
  renderer: Renderer,
  bag: DiagnosticBag,
): ResolvedTarget {
  if (!renderer.hasMacro(SCHEMA_MACRO)) return target;
  return {
    ...target,
    schemaName: (custom) => {
      const scope = namesAsWrittenScope(`macro ${SCHEMA_MACRO}`);
      const out = renderer.callMacro(
        SCHEMA_MACRO,
        { custom_schema_name: custom ?? null, node: {} },
        scope,
      );
      scope.diagnostics.forEach((d) => bag.add(d));
      const name = out?.trim();
      return name ? name : target.schemaName(custom);
    },
  };
}

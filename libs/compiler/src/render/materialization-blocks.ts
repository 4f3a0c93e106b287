import type { Diagnostic } from "@sluice/project";
import { positionAt, warning } from "@sluice/project/diagnostics";

/** A `{% materialization name, ... %}...{% endmaterialization %}` block (dbt's own kind of macro). */
const BLOCK =
  /\{%-?\s*materialization\s+(\w+)[\s\S]*?-?%\}[\s\S]*?\{%-?\s*endmaterialization\s*-?%\}/g;

/**
 * A macro file without its `{% materialization %}` blocks (each replaced by its newlines, so the
 * lines after it keep their numbers), and a warning at each: sluice builds its own
 * materializations only, and a model configured with a custom one is an error at its config
 * (CONFIG_VALUE_INVALID). Before, the whole project stopped at the tag ("unknown block tag"),
 * even when no model used it (a package's materialization for another adapter).
 *
 * @example withoutMaterializations("macros/m.sql", "{% materialization x, default %}..{% endmaterialization %}")
 * // { text: "", warnings: [<custom materialization 'x' is not run by sluice ...>] }
 */
export function withoutMaterializations(
  file: string,
  text: string,
): { text: string; warnings: Diagnostic[] } {
  if (!text.includes("materialization")) return { text, warnings: [] };
  const warnings: Diagnostic[] = [];
  const kept = text.replace(BLOCK, (block: string, name: string, at: number) => {
    warnings.push(
      warning(
        "TEMPLATE_SYNTAX",
        `custom materialization '${name}' is not run by sluice: its block is skipped`,
        { file, ...positionAt(text, at) },
        `a model with materialized='${name}' is an error; sluice builds view, table, incremental, ephemeral and snapshot models`,
      ),
    );
    return block.replace(/[^\n]/g, "");
  });
  return { text: kept, warnings };
}

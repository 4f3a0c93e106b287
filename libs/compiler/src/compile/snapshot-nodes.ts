import { error } from "@sluice/project/diagnostics";
import type { SnapshotFile } from "@sluice/project";
import type { CompileContext } from "./compile-context.js";
import type { NameIndex } from "./name-index.js";
import { parseModel, type ParsedModel } from "./parse-models.js";

/**
 * Parse a dbt project's snapshots as models of materialization `snapshot` (their config from
 * `snapshots:` folder config, the YAML entry and `config()`), registered for `ref()` under their
 * name. A snapshot named as a model or seed is an error at the snapshot (a ref must name one
 * node); a disabled one is left out, as a disabled model is.
 *
 * @example parseSnapshots(ctx, project.snapshots ?? [], index) // [{ file: orders_snapshot, config: { materialized: "snapshot", ... } }]
 */
export function parseSnapshots(
  ctx: CompileContext,
  snapshots: readonly SnapshotFile[],
  index: NameIndex,
): ParsedModel[] {
  const parsed: ParsedModel[] = [];
  for (const file of snapshots) {
    const taken = index.refs.get(file.name);
    if (taken) {
      ctx.diagnostics.add(
        error(
          "SNAPSHOT_INVALID",
          `snapshot '${file.name}' has the name of ${taken}: ref('${file.name}') would name both`,
          file.at,
          "rename the snapshot",
        ),
      );
      continue;
    }
    const p = parseModel(ctx, file, file.properties, "snapshot");
    if (!p.config.enabled) {
      index.disabled.add(file.name);
      continue;
    }
    index.refs.set(file.name, `snapshot.${file.name}`);
    parsed.push(p);
  }
  return parsed;
}

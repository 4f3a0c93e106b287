import { error, warning } from "../diagnostics.js";
import type { Diagnostic } from "../diagnostics.js";
import type { ProjectFile, SnapshotFile, SnapshotProperties } from "../types.js";
import { snapshotBlocks, yamlSnapshot } from "./snapshots.js";

/**
 * A dbt project's snapshots: the `{% snapshot %}` blocks of the `.sql` files under the snapshot
 * paths, with the `snapshots:` YAML entry of their name (config, description, columns, tests),
 * and the YAML snapshots (entries with `relation:`). A name defined twice is an error at the
 * second definition; an entry without `relation:` naming no block is a warning.
 *
 * @example loadSnapshots(dir, [ordersSnapshotSql], [], ["snapshots"]).snapshots.map((s) => s.name) // ["orders_snapshot"]
 */
export function loadSnapshots(
  absDir: string,
  files: readonly ProjectFile[],
  entries: readonly SnapshotProperties[],
  roots: readonly string[],
): { snapshots: SnapshotFile[]; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const found: SnapshotFile[] = [];
  for (const file of files) {
    const blocks = snapshotBlocks(file, roots);
    found.push(...blocks.snapshots);
    diagnostics.push(...blocks.diagnostics);
  }
  const blockNames = new Set(found.map((s) => s.name));
  for (const entry of entries) {
    const { relation } = entry;
    if (relation !== undefined) {
      const made = yamlSnapshot({ ...entry, relation }, absDir, roots);
      if (made.snapshot) found.push(made.snapshot);
      if (made.diagnostic) diagnostics.push(made.diagnostic);
      continue;
    }
    const block = found.find((s) => s.name === entry.name && s.properties === undefined);
    if (block) block.properties = entry;
    else if (!blockNames.has(entry.name))
      diagnostics.push(
        warning(
          "SNAPSHOT_INVALID",
          `snapshots: entry '${entry.name}' names no {% snapshot %} block and has no relation:`,
          entry.at,
          "add relation: ref('<model>') to define a YAML snapshot, or fix the name",
        ),
      );
  }
  const seen = new Map<string, SnapshotFile>();
  const snapshots: SnapshotFile[] = [];
  for (const s of found) {
    const first = seen.get(s.name);
    if (!first) {
      seen.set(s.name, s);
      snapshots.push(s);
      continue;
    }
    diagnostics.push(
      error(
        "SNAPSHOT_INVALID",
        `snapshot '${s.name}' is defined twice (first at ${first.at.file}:${first.at.line})`,
        s.at,
        "rename one of them; snapshot names are unique across the project",
      ),
    );
  }
  return { snapshots, diagnostics };
}

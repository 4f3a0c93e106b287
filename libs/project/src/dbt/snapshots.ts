import path from "node:path";
import { error, positionAt, warning } from "../diagnostics.js";
import type { Diagnostic } from "../diagnostics.js";
import type { ProjectFile, SnapshotFile, SnapshotProperties } from "../types.js";

const OPEN = /\{%-?\s*snapshot\s+([A-Za-z_]\w*)\s*-?%\}/g;
const CLOSE = /\{%-?\s*endsnapshot\s*-?%\}/g;
const COMMENT = /\{#[\s\S]*?#\}/g;

/** Every character but line breaks as a space: blanked text keeps its lines and columns. */
const blank = (text: string) => text.replace(/[^\n]/g, " ");

/** Folder segments of `path` under the first root holding it (dbt counts config folders from there). */
function foldersUnder(path: string, roots: readonly string[]): string[] {
  const root = roots.find((r) => path.startsWith(`${r.replace(/\/+$/, "")}/`));
  const rest = root ? path.slice(root.replace(/\/+$/, "").length + 1) : path;
  return rest.split("/").slice(0, -1);
}

/**
 * The `{% snapshot name %}...{% endsnapshot %}` blocks of one `.sql` file under the snapshot
 * paths, each as a template whose text is the file with everything outside the block's body
 * blanked (so a template error's line and column are the file's). Text outside the blocks
 * (other than `{# comments #}`) is a warning: dbt does not run it either; a file without a block,
 * or with an unclosed one, is an error.
 *
 * @example snapshotBlocks({ path: "snapshots/orders.sql", absPath, text: "{% snapshot orders_snapshot %}select 1{% endsnapshot %}" }, ["snapshots"])
 * // { snapshots: [{ name: "orders_snapshot", text: "                              select 1                  ", ... }] }
 */
export function snapshotBlocks(
  file: ProjectFile,
  roots: readonly string[],
): { snapshots: SnapshotFile[]; diagnostics: Diagnostic[] } {
  const { text } = file;
  const path = file.path;
  const snapshots: SnapshotFile[] = [];
  const diagnostics: Diagnostic[] = [];
  const at = (offset: number) => ({ file: path, ...positionAt(text, offset) });
  let outside = "";
  let from = 0;
  for (const open of text.matchAll(OPEN)) {
    if (open.index < from) continue;
    outside += text.slice(from, open.index);
    const bodyStart = open.index + open[0].length;
    CLOSE.lastIndex = bodyStart;
    const close = CLOSE.exec(text);
    if (!close) {
      diagnostics.push(
        error(
          "SNAPSHOT_INVALID",
          `snapshot '${open[1]}' has no {% endsnapshot %}`,
          at(open.index),
          "close the block with {% endsnapshot %}",
        ),
      );
      return { snapshots, diagnostics };
    }
    const body = text.slice(bodyStart, close.index);
    snapshots.push({
      path,
      absPath: file.absPath,
      name: open[1]!,
      folders: foldersUnder(path, roots),
      text: blank(text.slice(0, bodyStart)) + body + blank(text.slice(close.index)),
      at: at(open.index),
    });
    from = close.index + close[0].length;
  }
  outside += text.slice(from);
  const stray = outside.replace(COMMENT, "").search(/\S/);
  if (snapshots.length === 0)
    diagnostics.push(
      error(
        "SNAPSHOT_INVALID",
        `${path} holds no {% snapshot %} block`,
        { file: path, line: 1, column: 1 },
        "wrap the snapshot's SELECT in {% snapshot name %} ... {% endsnapshot %}, or move the file out of the snapshot paths",
      ),
    );
  else if (stray >= 0) {
    const offset = text.indexOf(outside.replace(COMMENT, "").trim().slice(0, 20));
    diagnostics.push(
      warning(
        "SNAPSHOT_INVALID",
        "text outside {% snapshot %} blocks is ignored",
        at(Math.max(0, offset)),
        "move it into the block, or into a macro file",
      ),
    );
  }
  return { snapshots, diagnostics };
}

const RELATION = /^\s*(ref\(\s*(['"])\w+\2\s*\)|source\(\s*(['"])\w+\3\s*,\s*(['"])\w+\4\s*\))\s*$/;

/**
 * YAML snapshots (dbt 1.9: a `snapshots:` entry with `relation: ref('m')` or
 * `source('s', 't')`) as snapshot templates selecting the whole relation; a `relation` of
 * another shape is an error at it.
 *
 * @example yamlSnapshot({ name: "orders_snapshot", relation: { text: "ref('orders')", at }, ... }, ["snapshots"])
 * // { snapshot: { name: "orders_snapshot", text: "select * from {{ ref('orders') }}", ... } }
 */
export function yamlSnapshot(
  entry: SnapshotProperties & { relation: NonNullable<SnapshotProperties["relation"]> },
  absDir: string,
  roots: readonly string[],
): { snapshot?: SnapshotFile; diagnostic?: Diagnostic } {
  const { relation } = entry;
  if (!RELATION.test(relation.text))
    return {
      diagnostic: error(
        "SNAPSHOT_INVALID",
        `snapshot '${entry.name}': relation must be ref('model') or source('source', 'table'), not '${relation.text}'`,
        relation.at,
        "relation: ref('orders')",
      ),
    };
  const file = entry.at.file;
  return {
    snapshot: {
      path: file,
      absPath: path.join(absDir, file),
      name: entry.name,
      folders: foldersUnder(file, roots),
      text: `select * from {{ ${relation.text.trim()} }}`,
      at: entry.at,
      properties: entry,
    },
  };
}

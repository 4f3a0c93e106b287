/** A column as a catalog or a query result names it (engine type, lower case). */
export interface ColumnInfo {
  name: string;
  type: string;
}

/** How a SELECT's columns differ from a table's (on_schema_change). */
export interface ColumnDiff {
  added: ColumnInfo[];
  removed: ColumnInfo[];
  changed: { name: string; from: string; to: string }[];
}

/** Columns added, removed and retyped from `existing` to `incoming`, by name. */
export function diffColumns(
  existing: readonly ColumnInfo[],
  incoming: readonly ColumnInfo[],
): ColumnDiff {
  const before = new Map(existing.map((c) => [c.name, c]));
  const after = new Map(incoming.map((c) => [c.name, c]));
  return {
    added: incoming.filter((c) => !before.has(c.name)),
    removed: existing.filter((c) => !after.has(c.name)),
    changed: incoming
      .filter((c) => before.has(c.name) && before.get(c.name)!.type !== c.type)
      .map((c) => ({ name: c.name, from: before.get(c.name)!.type, to: c.type })),
  };
}

export const hasChanges = (d: ColumnDiff): boolean =>
  d.added.length + d.removed.length + d.changed.length > 0;

/** `added: a varchar; removed: b bigint; changed: c bigint -> varchar` */
export function describeDiff(d: ColumnDiff): string {
  const parts: string[] = [];
  if (d.added.length) parts.push(`added: ${d.added.map((c) => `${c.name} ${c.type}`).join(", ")}`);
  if (d.removed.length)
    parts.push(`removed: ${d.removed.map((c) => `${c.name} ${c.type}`).join(", ")}`);
  if (d.changed.length)
    parts.push(`changed: ${d.changed.map((c) => `${c.name} ${c.from} -> ${c.to}`).join(", ")}`);
  return parts.join("; ");
}

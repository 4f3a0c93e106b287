import type { Relation } from "@sluice/dialects";
import { CLONE_OF_PARAMETER } from "../engine.js";

export { CLONE_OF_PARAMETER };
/** Glue parameter of a clone: the S3 location it shares with the table it points at. */
export const CLONE_LOCATION_PARAMETER = "sluice_clone_location";

/** The `database.table` a Glue entry is a clone of (its {@link CLONE_OF_PARAMETER}), if any. */
export function cloneOf(
  parameters: Readonly<Record<string, string>> | undefined,
): string | undefined {
  const value = parameters?.[CLONE_OF_PARAMETER];
  return value === undefined || value === "" ? undefined : value;
}

/**
 * A write aimed at a clone: it would write (or delete) objects under the S3 location of the
 * table the clone points at, i.e. production's data. Never done; the message says what to do.
 */
export class CloneWriteError extends Error {
  constructor(
    readonly relation: Relation,
    readonly source: string,
    what: string,
  ) {
    super(
      `refusing to ${what} ${relation.schema}.${relation.name}: it is a clone of ${source} ` +
        `(a Glue entry made by sluice clone that shares ${source}'s S3 location), so the write ` +
        `would change ${source}'s data. Build the model with sluice build/run, which replaces ` +
        `a clone by a table of its own, or delete the clone's Glue entry (its data is ${source}'s)`,
    );
    this.name = "CloneWriteError";
  }
}

/**
 * The guard every Athena write path calls first: throws {@link CloneWriteError} when the entry
 * of `relation` (as just read) is a clone.
 *
 * @example refuseCloneWrite(target, previousEntry, "publish a new version over")
 */
export function refuseCloneWrite(
  relation: Relation,
  entry: { Parameters?: Record<string, string> } | undefined,
  what: string,
): void {
  const source = cloneOf(entry?.Parameters);
  if (source !== undefined) throw new CloneWriteError(relation, source, what);
}

/**
 * The table a write statement writes into (INSERT INTO, MERGE INTO, DELETE FROM, UPDATE,
 * DROP TABLE, ALTER TABLE, TRUNCATE, OPTIMIZE, VACUUM), as `schema.name` without quotes;
 * undefined for reads and for other statements. Leading comments are skipped.
 *
 * @example writtenRelation('insert into "ci_marts"."funnel" select 1') // { schema: "ci_marts", name: "funnel" }
 */
export function writtenRelation(sql: string): Relation | undefined {
  const text = sql.replace(/^(\s+|--[^\n]*\n|\/\*[\s\S]*?\*\/)*/, "");
  const match =
    /^(?:insert\s+(?:into|overwrite)|merge\s+into|delete\s+from|update|drop\s+table(?:\s+if\s+exists)?|alter\s+table|truncate(?:\s+table)?|optimize|vacuum)\s+((?:"[^"]+"|`[^`]+`|[\w$]+)(?:\s*\.\s*(?:"[^"]+"|`[^`]+`|[\w$]+))*)/i.exec(
      text,
    );
  if (!match) return undefined;
  const parts = match[1]!.split(/\s*\.\s*/).map((p) => p.replace(/^["`]|["`]$/g, ""));
  if (parts.length < 2) return undefined;
  const [schema, name] = parts.slice(-2) as [string, string];
  return { schema, name };
}

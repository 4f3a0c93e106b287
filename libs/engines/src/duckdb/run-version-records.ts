import type { Relation } from "@sluice/dialects";

/** One recorded version as the run read it (see `DUCKDB_VERSIONS`). */
export interface VersionRecord {
  version: string;
  status: string;
  /** JSON of the version's files; null while writing or when published without them. */
  files: unknown;
  /** JSON of the version's `CarryRecord`; null when it carried none (or before it was recorded). */
  carried: unknown;
}

const keyOf = (schema: unknown, table: unknown): string =>
  JSON.stringify([String(schema), String(table)]);

/**
 * The lake's version records as a run read them, once (`allVersionsQuery`), instead of two reads
 * per table (its current version's files before a node reads it, its other versions when it is
 * cleaned up). A run changes a table's records only by publishing it, and a published version's
 * files never change, so the read answers:
 * - the files of a version that was published when read (a version still 'writing' then, or not
 *   recorded, may have been published since: undefined, the caller reads it);
 * - a table's other versions right after the run published it: the read's rows with the
 *   version published before marked 'replaced', as the publish did, whether the read came
 *   before the publish or after it. Once per table: a second cleanup of the same table in
 *   one run gets undefined (its records changed since the read).
 *
 * @example const records = new RunVersionRecords(rows);
 * records.filesOf(events, "v_7"); // { files: '{"part-7.parquet":41}' }
 */
export class RunVersionRecords {
  private readonly byTable = new Map<string, VersionRecord[]>();
  /** Tables this run published and cleaned since the read. */
  private readonly cleaned = new Set<string>();

  /** `rows`: `{ schema_name, table_name, version, status, files, carried }`, each table's newest first. */
  constructor(rows: readonly Record<string, unknown>[]) {
    for (const row of rows) {
      const key = keyOf(row["schema_name"], row["table_name"]);
      let list = this.byTable.get(key);
      if (!list) this.byTable.set(key, (list = []));
      list.push({
        version: String(row["version"]),
        status: String(row["status"]),
        files: row["files"] ?? null,
        carried: row["carried"] ?? null,
      });
    }
  }

  /** The recorded files of `version` when the read can tell (see the class comment). */
  filesOf(
    relation: Relation,
    version: string,
  ): Pick<VersionRecord, "files" | "carried"> | undefined {
    const key = keyOf(relation.schema, relation.name);
    if (this.cleaned.has(key)) return undefined;
    const row = this.byTable.get(key)?.find((r) => r.version === version);
    return row && row.status !== "writing" ? { files: row.files, carried: row.carried } : undefined;
  }

  /**
   * The table's versions but `keep`, newest first, once `keep` is published (see the class
   * comment); undefined for a table already cleaned in this run.
   */
  othersAfterPublish(relation: Relation, keep: string): VersionRecord[] | undefined {
    const key = keyOf(relation.schema, relation.name);
    if (this.cleaned.has(key)) return undefined;
    this.cleaned.add(key);
    return (this.byTable.get(key) ?? [])
      .filter((r) => r.version !== keep)
      .map((r) => (r.status === "published" ? { ...r, status: "replaced" } : r));
  }
}

import type { Table, TableInput } from "@aws-sdk/client-glue";
import type { Relation } from "@sluice/dialects";
import type { AthenaContext } from "./athena-clients.js";
import { listTables } from "./glue-cleanup.js";

/**
 * The Glue entries of each database a run writes to, listed once (one GetTables per database,
 * which the staging sweep needs anyway), so a node's first look at a table costs no GetTable.
 * An entry is served from the listing once, and only while nothing this engine did changed it;
 * after that, reads go to Glue. Within a run only a table's own node changes it, after reading it.
 * The entry a publish just wrote is kept too, so a parameter update after it (the reconciliation
 * clearing the hours it balanced) needs no read: under the build lease nothing else writes it.
 */
export function catalogSnapshot(ctx: AthenaContext) {
  const listings = new Map<string, Promise<Table[]>>();
  const listed = new Map<string, ReadonlyMap<string, Table>>();
  const live = new Set<string>();
  const written = new Map<string, Table>();
  const seen = new Map<string, Table>();
  const key = (r: Relation) => `${r.schema}.${r.name}`.toLowerCase();
  return {
    /** The database's tables, listed on first use (none when the database does not exist yet). */
    tables(database: string): Promise<Table[]> {
      let listing = listings.get(database);
      if (listing === undefined) {
        // A database not created yet (the run creates it while this lists) has no tables.
        const tablesOf = listTables(ctx, database).catch((error: unknown) => {
          if (error instanceof Error && error.name === "EntityNotFoundException") return [];
          throw error;
        });
        listing = tablesOf.then((tables) => {
          listed.set(database, new Map(tables.map((t) => [(t.Name ?? "").toLowerCase(), t])));
          return tables;
        });
        listings.set(database, listing);
      }
      return listing;
    },
    /**
     * The entry as listed (undefined: no such table), the first time it is asked for and only
     * if nothing changed it since; `"unlisted"` when Glue must be asked.
     */
    take(relation: Relation): Table | undefined | "unlisted" {
      const tables = listed.get(relation.schema);
      if (tables === undefined || live.has(key(relation))) return "unlisted";
      live.add(key(relation));
      const table = tables.get(relation.name.toLowerCase());
      if (table !== undefined) seen.set(key(relation), table);
      return table;
    },
    /**
     * The entry as listed, without taking it (a later {@link take} still gets it), while nothing
     * this engine did changed it; `"unlisted"` when Glue must be asked.
     */
    peek(relation: Relation): Table | undefined | "unlisted" {
      const tables = listed.get(relation.schema);
      if (tables === undefined || live.has(key(relation))) return "unlisted";
      return tables.get(relation.name.toLowerCase());
    },
    /**
     * The entry as listed and handed out by {@link take} (with its `VersionId`), while nothing
     * this engine did changed it: a publish may write under that version without reading it again.
     */
    listed(relation: Relation): Table | undefined {
      return seen.get(key(relation));
    },
    /** This engine changed (or is about to change) the table: read it from Glue from now on. */
    changed(...relations: Relation[]): void {
      for (const r of relations) {
        live.add(key(r));
        written.delete(key(r));
        seen.delete(key(r));
      }
    },
    /** This engine just wrote the table's entry as `entry` (no VersionId: updates go under the lease). */
    wrote(relation: Relation, entry: TableInput): void {
      written.set(key(relation), { ...entry, Name: entry.Name, DatabaseName: relation.schema });
    },
    /** The entry as this engine last wrote it, if nothing changed it since. */
    written(relation: Relation): Table | undefined {
      return written.get(key(relation));
    },
  };
}

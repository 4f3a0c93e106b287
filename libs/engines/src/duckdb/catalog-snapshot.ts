import { copyFile, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EngineOpenError } from "../open-error.js";

/** A private copy of a lake's catalog, opened instead of the catalog so no lock is taken. */
export interface CatalogSnapshot {
  /** The copied catalog file. */
  catalog: string;
  /** The temp folder holding the copy (DuckDB may spill there too). */
  dir: string;
  remove(): Promise<void>;
}

/**
 * Copy `catalog` (and its `.wal` when there is one) to a fresh temp folder. Readers open the
 * copy, so a build can always take the real catalog's lock; the copy shows the catalog as
 * of the copy (tables are views over immutable Parquet versions, which builds keep until the
 * next version is published).
 *
 * @example
 * const snap = await snapshotCatalog("/abs/.lake/catalog.duckdb");
 * // open snap.catalog read-only ... then
 * await snap.remove();
 */
export async function snapshotCatalog(catalog: string): Promise<CatalogSnapshot> {
  const dir = await mkdtemp(join(tmpdir(), "sluice-catalog-"));
  const remove = () => rm(dir, { recursive: true, force: true });
  const copy = join(dir, "catalog.duckdb");
  try {
    await copyFile(catalog, copy);
    await copyFile(`${catalog}.wal`, `${copy}.wal`).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== "ENOENT") throw error;
    });
  } catch (error) {
    await remove();
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    const hint = "run `sluice build` (or `sluice seed`) to create it";
    throw new EngineOpenError(`the lake has no catalog yet: ${catalog} does not exist (${hint})`);
  }
  return { catalog: copy, dir, remove };
}

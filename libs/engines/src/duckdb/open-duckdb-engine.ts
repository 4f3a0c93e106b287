import type { Engine } from "../engine.js";
import type { DuckdbEngineOptions } from "./duckdb-engine.js";

/** Name of the catalog file inside the lake. */
export const DUCKDB_CATALOG_FILE = "catalog.duckdb";

/**
 * Open the local lake engine; the DuckDB native binding loads only on this call, so importing
 * `@sluice/engines` stays cheap (e.g. for `sluice --help`).
 */
export async function openDuckdbEngine(options: DuckdbEngineOptions): Promise<Engine> {
  const { openDuckdbEngine: open } = await import("./duckdb-engine.js");
  return open(options);
}

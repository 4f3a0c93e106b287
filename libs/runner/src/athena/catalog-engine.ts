import type { Engine } from "@sluice/engines";

/** The optional Engine methods a catalog swap needs, all present. */
export type CatalogEngine = Engine &
  Required<
    Pick<
      Engine,
      | "publishTable"
      | "dropStagingTables"
      | "dropTableWithData"
      | "publishPartitions"
      | "setTableParameters"
    >
  >;

/** The engine as a catalog engine; a dialect without view publishing paired with an engine without these methods is a bug. */
export function catalogEngine(engine: Engine): CatalogEngine {
  if (
    !engine.publishTable ||
    !engine.dropStagingTables ||
    !engine.dropTableWithData ||
    !engine.publishPartitions ||
    !engine.setTableParameters
  ) {
    throw new Error(
      `engine ${engine.name} cannot publish tables through a catalog, but its dialect needs it`,
    );
  }
  return engine as CatalogEngine;
}

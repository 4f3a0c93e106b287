import { isCatalogEngine, type CatalogEngine, type Engine } from "@sluice/engines";

export type { CatalogEngine };

/** The engine as a catalog engine; a dialect without view publishing paired with another engine is a bug. */
export function catalogEngine(engine: Engine): CatalogEngine {
  if (!isCatalogEngine(engine))
    throw new Error(
      `engine ${engine.name} cannot publish tables through a catalog, but its dialect needs it`,
    );
  return engine;
}

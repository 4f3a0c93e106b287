export type * from "./types.js";
export { buildLineage } from "./project-lineage.js";
export type { CatalogColumns, LineageCache } from "./project-lineage.js";
export { traceColumn } from "./trace.js";
export type { TraceStep } from "./trace.js";

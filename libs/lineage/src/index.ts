export type * from "./types.js";
export { buildLineage } from "./project-lineage.js";
export type { CatalogColumns, LineageCache, LineageOptions } from "./project-lineage.js";
export { traceColumn } from "./trace.js";
export type { TraceStep } from "./trace.js";
export { simpleSelect } from "./simple-select.js";

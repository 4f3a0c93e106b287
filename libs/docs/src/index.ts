export { buildDocsData, dataScript } from "./docs-data.js";
export type {
  CatalogTypes,
  DocsColumn,
  DocsData,
  DocsNode,
  LastResult,
  RunResultsFile,
} from "./docs-data.js";
export { athenaProperties, semanticRole, tableauDatatype, tdsXml } from "./tableau-tds.js";
export { twbXml } from "./tableau-twb.js";
export type { SheetField, SheetSpec, TwbInput } from "./tableau-twb.js";
export { SEED_SHEETS } from "./dashboard-sheets.js";
export type { TdsInput } from "./tableau-tds.js";
export { siteData } from "./site-data.js";
export type {
  DocsIndex,
  IndexNode,
  NodeDetails,
  SearchData,
  TestEntry,
  TestSummary,
} from "./site-data.js";

import type { Materializer } from "./materializer.js";
import { viewSwapMaterializer } from "./view-swap.js";

/**
 * Athena + Glue: tables are built by CTAS into a staging table at a fresh S3 location and
 * published by a Glue swap. Until that lands (issue #3), it runs the plain statements.
 */
export const catalogSwapMaterializer: Materializer = (node, ctx) => viewSwapMaterializer(node, ctx);

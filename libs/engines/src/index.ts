import type { AthenaEngine, AthenaEngineOptions } from "./athena/athena-engine.js";
import type { AthenaTarget } from "@sluice/project";
import type { PublishChange, RulesetToPublish } from "./athena/glue-dq-rulesets.js";

export * from "./engine.js";
// Concrete engines load their drivers (DuckDB native binding, AWS SDK) only through openEngine,
// so importing this package stays cheap for the CLI.
export { openEngine, type OpenEngineOptions } from "./open-engine.js";
export { EngineOpenError, fileSystemReason } from "./open-error.js";
/** A lake's raw zone listed from its folders (no engine open: a dry run before the lake exists). */
export { listRawZone as listLakeRawZone } from "./duckdb/raw-hours.js";
/** Whether two partition values or bounds compare as their text does (pure). */
export { comparableAsText } from "./duckdb/version-files.js";
export type { DuckdbEngineOptions } from "./duckdb/duckdb-engine.js";
import type { MemoryDatabase } from "./duckdb/memory-database.js";
export type { MemoryDatabase };
export { EMBEDDED_DUCKDB_VERSION } from "./duckdb/embedded-version.js";

/** An in-memory DuckDB (unit tests); the native binding loads only when this is called. */
export async function openMemoryDatabase(
  options: { trinoCompat?: boolean } = {},
): Promise<MemoryDatabase> {
  const { openMemoryDatabase: open } = await import("./duckdb/memory-database.js");
  return open(options);
}
export type { AthenaEngine, AthenaEngineOptions } from "./athena/athena-engine.js";
export type { AthenaClients } from "./athena/athena-clients.js";
export type { PublishResult } from "./athena/glue-publisher.js";

/**
 * Open the Athena engine with injected client slices (tests, benchmarks); the SDK loads only
 * when this is called.
 */
export async function openAthenaEngineWith(options: AthenaEngineOptions): Promise<AthenaEngine> {
  const { openAthenaEngine } = await import("./athena/athena-engine.js");
  return openAthenaEngine(options);
}

export type { PublishAction, PublishChange, RulesetToPublish } from "./athena/glue-dq-rulesets.js";

/**
 * Create or update DQDL rulesets in the target's Glue Data Quality (idempotent; see
 * publishRulesets). The Glue SDK loads only when this is called.
 */
export async function publishDqRulesets(
  target: AthenaTarget,
  rulesets: readonly RulesetToPublish[],
): Promise<PublishChange[]> {
  const { publishRulesetsToTarget } = await import("./athena/glue-dq-rulesets.js");
  return publishRulesetsToTarget(target, rulesets);
}

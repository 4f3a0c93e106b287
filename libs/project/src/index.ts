export * from "./diagnostics.js";
export type * from "./types.js";
export { loadProject } from "./load-project.js";
export type { PropertiesMemo } from "./load-project.js";
export type { LoadOptions } from "./load-project.js";
export { DBT_PROJECT_FILE, parseDbtProject } from "./dbt/dbt-project-file.js";
export { packageAt, PACKAGES_INSTALL_DIR, readPackageEntries } from "./dbt/packages.js";
export type { PackageEntry } from "./dbt/packages.js";
export { parseProfiles } from "./dbt/profiles.js";
export { dbtTargetObject } from "./dbt/target-object.js";
export type { TargetObjectInputs } from "./dbt/target-object.js";
export { parseVarsOption } from "./vars-option.js";
export { CONFIG_FILE, defaultProjectConfig, parseProjectConfig } from "./project-config.js";
export type { ParsedProjectConfig } from "./project-config.js";
export { parseProperties } from "./properties.js";
export { exposureTypes } from "./exposures.js";
export type { ParsedProperties } from "./properties.js";
export { parseFolderConfig } from "./folder-config.js";
export { parseGenericTests, setTestConfig } from "./generic-tests.js";
export { FAILURE_CONDITION_HELP, failureCondition } from "./failure-condition.js";
export { parseSeed } from "./seeds.js";
export { GLUE_NAME_MAX, glueNameProblem, glueNameSuggestion } from "./glue-name.js";
export { decodeUtf8, firstInvalidByte } from "./utf8.js";
export {
  defaultModelConfig,
  hardDeletePolicies,
  incrementalStrategies,
  LOOKBACK_PATTERN,
  materializations,
  modelConfigKeys,
  modelConfigSchema,
  resolvedModelConfigSchema,
  schemaChangePolicies,
  snapshotStrategies,
} from "./model-config-schema.js";
export { unknownConfigKeyWarnings } from "./config-key-warnings.js";
export { closest, closestHint, didYouMean } from "./suggest.js";
export { formatPath, parseYaml } from "./yaml-source.js";
export type { YamlPath, YamlSource } from "./yaml-source.js";
export { thresholdSeconds } from "./source-freshness.js";
export { foldersUnder, mergeTestConfig, resolveTestConfig } from "./dbt/dbt-test-config.js";

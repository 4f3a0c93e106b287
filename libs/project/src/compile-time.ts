/**
 * `@sluice/project/compile-time`: what the compiler uses from this lib besides diagnostics and
 * suggestions (their own entries), and nothing that loads the YAML or CSV parsers: the model
 * config schema (zod), the unknown-key warnings, Glue name checks and the test config helpers.
 * The package root loads the parsers (~0.4 MB of bundle): through it, the compile after a model's
 * SQL changed (#14: it renders a few models, reading no YAML) loaded them too.
 * tests/compile/cached-build-loads.e2e.test.ts checks that it loads none of them now.
 *
 * @example
 * import { defaultModelConfig } from "@sluice/project/compile-time";
 * defaultModelConfig.materialized; // "view"
 */
export { unknownConfigKeyWarnings } from "./config-key-warnings.js";
export { foldersUnder, resolveTestConfig } from "./dbt/dbt-test-config.js";
export { setTestConfig } from "./generic-tests.js";
export { glueNameProblem, glueNameSuggestion } from "./glue-name.js";
export { defaultModelConfig, resolvedModelConfigSchema } from "./model-config-schema.js";
export { dbtTargetObject } from "./dbt/target-object.js";

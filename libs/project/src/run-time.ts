/**
 * `@sluice/project/run-time`: what running an already compiled project uses from this lib, and
 * nothing that loads the YAML or CSV parsers or the zod schemas (the package root does: loading
 * it costs a cached `sluice build` ~60 ms of CPU). tests/compile/cached-build-loads.e2e.test.ts
 * checks that a cached build loads none of them.
 *
 * @example
 * import { failureCondition } from "@sluice/project/run-time";
 * failureCondition(">=10")?.(12); // true
 */
export { FAILURE_CONDITION_HELP, failureCondition } from "./failure-condition.js";
export { thresholdSeconds } from "./freshness-threshold.js";
export { LOOKBACK_PATTERN } from "./lookback.js";

// One ESM bundle of the CLI and its pure dependencies (dist/bundle/main.js), which bin/sluice.js
// runs: resolving and compiling ~400 modules (and wrapping the CommonJS ones) was ~40 % of every
// command's start-up. The native DuckDB binding and the AWS SDK clients (loaded only for the prod
// target) stay external and load from node_modules on demand.
import { defineConfig } from "rolldown";

export default defineConfig({
  input: "dist/main.js",
  platform: "node",
  external: [/^@duckdb\/node-bindings/, /^@aws-sdk\//, /^@smithy\//],
  output: { dir: "dist/bundle", format: "esm", cleanDir: true },
  logLevel: "warn",
});

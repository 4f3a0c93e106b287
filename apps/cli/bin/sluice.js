#!/usr/bin/env node
// Thin launcher: the CLI is compiled to dist/ by `npm ci` (root prepare) or `nx run cli:build`.
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const main = fileURLToPath(new URL("../dist/main.js", import.meta.url));
if (!existsSync(main)) {
  process.stderr.write("sluice is not built yet: run `npx nx run cli:build` (npm ci does it for you).\n");
  process.exit(2);
}
await import(main);

#!/usr/bin/env node
// Thin launcher: the CLI is compiled to dist/ and bundled to dist/bundle/ by `npm ci` (root
// prepare) or `nx run cli:build`. The bundle starts faster; dist/main.js is the fallback.
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const candidates = ["../dist/bundle/main.js", "../dist/main.js"].map((p) => fileURLToPath(new URL(p, import.meta.url)));
const main = candidates.find((p) => existsSync(p));
if (!main) {
  process.stderr.write("sluice is not built yet: run `npx nx run cli:build` (npm ci does it for you).\n");
  process.exit(2);
}
await import(main);

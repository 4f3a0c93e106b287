#!/usr/bin/env node
// Thin launcher: the CLI is compiled to dist/ and bundled to dist/bundle/ (CommonJS) by `npm ci`
// (root prepare) or `nx run cli:build`. The bundle starts faster, with a V8 code cache kept in
// dist/bundle/.v8-cache (see src/code-cache.ts); dist/main.js is the fallback.
// CommonJS (bin/package.json): an ES module entry costs every command ~15 ms of Node's ESM
// loader before any of sluice runs.
"use strict";
const { existsSync } = require("node:fs");
const path = require("node:path");

// No signal handler here: Ctrl-C and SIGTERM end the process at once while it loads and
// compiles (a handler would run only after the synchronous work); a command installs main.ts's
// once it has queries to stop (io.catchTerm).

// `sluice ls | head -1`: the reader has gone, so there is nobody left to tell; end quietly (0).
// Here, before the replay gate: a replayed `ls` writes its whole listing at once, and at 10,000
// models that outgrows the pipe (an unhandled EPIPE printed a stack trace and exited 1).
process.stdout.on("error", (error) => {
  if (error.code !== "EPIPE") throw error;
  process.exit(0);
});

// The AWS SDK prints a 9-line NodeVersionSupportWarning on every AWS command under Node < 22:
// its releases after January 2027 need Node 22, and this sluice's SDK is pinned by its lockfile,
// so nothing is for the user to do then and there. `sluice debug` says it once, as a check
// (node-support.ts); AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=false brings it back.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

const at = (p) => path.join(__dirname, p);
const bundle = at("../dist/bundle/main.cjs");
if (existsSync(bundle)) {
  // `compile` or `ls` again on an unchanged project: printed from its replay, main not loaded.
  // The gate's few small chunks load before the code cache: its hook (node:vm, a stat and a
  // read per file) costs the gate more than compiling them saves (#14: ~15 ms of a no-change
  // compile's CPU at load 6). Main then reuses them from require's cache.
  const gate = at("../dist/bundle/replay-gate.cjs");
  let replayed = false;
  try {
    replayed = existsSync(gate) && require(gate).replayThroughGate(process.argv.slice(2));
  } catch (error) {
    // The gate listed the project from inside its folders and could not return: stop here.
    if (error?.name !== "WorkingDirectoryLost") throw error;
    process.stderr.write(`error: ${error.message}; nothing was done, run it again\n`);
    process.exit(2);
  }
  if (!replayed) {
    const { installCodeCache } = require(at("../dist/bundle/code-cache.cjs"));
    installCodeCache({ sourceDir: at("../dist/bundle"), cacheDir: at("../dist/bundle/.v8-cache") });
    require(bundle);
  }
} else if (existsSync(at("../dist/main.js"))) {
  import(require("node:url").pathToFileURL(at("../dist/main.js")).href);
} else {
  process.stderr.write(
    "sluice is not built yet: run `npx nx run cli:build` (npm ci does it for you).\n",
  );
  process.exit(2);
}

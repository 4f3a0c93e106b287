// One bundle of the CLI and its pure dependencies (dist/bundle/main.cjs), which bin/sluice.js
// runs: resolving and compiling ~400 modules (and wrapping the CommonJS ones) was ~40 % of every
// command's start-up. CommonJS, because Node 20 can give a code cache only to CommonJS code
// (src/code-cache.ts): V8 then skips parsing and compiling the bundle on every command. The
// native DuckDB binding and the AWS SDK clients (loaded only for the prod target) stay external
// and load from node_modules on demand, through require(): a cached script loses import().
import { defineConfig } from "rolldown";

const lazyVendors = /[\\/]node_modules[\\/](nunjucks|yaml|js-yaml|csv-parse|zod)[\\/]/;

/** string-width's entry (7.x under yargs' cliui and wrap-ansi, 8.x for our tables). */
const stringWidthEntry = /[\\/]node_modules[\\/]string-width[\\/]index\.js$/;
const eagerSegmenter = "const segmenter = new Intl.Segmenter();";

/**
 * string-width builds an `Intl.Segmenter` when it loads, and the first one in a process loads
 * ICU's break-iterator data: 15-24 ms on every command (31% of `sluice --version`'s samples),
 * though our tables measure printable ASCII without it (output/table.ts) and yargs' cliui only
 * wraps help text. Each copy gets a segmenter made on its first `segment()` call, the only use it
 * makes of it. A string-width whose source no longer matches is bundled as it is, with a warning.
 */
const lazySegmenter = {
  name: "sluice-lazy-segmenter",
  transform(code, id) {
    if (!stringWidthEntry.test(id)) return null;
    if (!code.includes(eagerSegmenter)) {
      this.warn(`${id}: no "${eagerSegmenter}" to make lazy (string-width changed?)`);
      return null;
    }
    const lazy =
      "let eagerlessSegmenter;\n" +
      "const segmenter = { segment: (text) => (eagerlessSegmenter ??= new Intl.Segmenter()).segment(text) };";
    return { code: code.replace(eagerSegmenter, lazy), map: null };
  },
};

export default defineConfig({
  // replay-gate: what bin/sluice.js runs before main, to print an unchanged command's replay
  // without loading main (src/replay-gate.ts). It shares main's compile-cache chunk, so both
  // name the same sluice build in partial-parse headers.
  // code-cache: bin/sluice.js (CommonJS) installs it when the gate does not replay, before main.
  input: {
    main: "dist/main.js",
    "replay-gate": "dist/replay-gate.js",
    "code-cache": "dist/code-cache.js",
  },
  platform: "node",
  plugins: [lazySegmenter],
  external: [/^@duckdb\/node-bindings/, /^@aws-sdk\//, /^@smithy\//],
  output: {
    dir: "dist/bundle",
    format: "cjs",
    dynamicImportInCjs: false,
    entryFileNames: "[name].cjs",
    chunkFileNames: "[name]-[hash].cjs",
    cleanDir: true,
    // The parsers, template engine and schema library a command on an already compiled project
    // never needs, each in a chunk named for it (vendor-yaml-<hash>.cjs, ...): what a run loaded
    // is then visible in the files it required (tests/compile/cached-build-loads.e2e.test.ts).
    codeSplitting: {
      groups: [
        {
          test: lazyVendors,
          name: (id) => `vendor-${lazyVendors.exec(id)[1]}`,
        },
      ],
    },
  },
  // yargs resolves a config `extends` module with import.meta.resolve, which CommonJS lacks
  // (rolldown would replace import.meta with {} and warn on every install): require.resolve is
  // the CommonJS way, and what yargs 17 used.
  transform: { define: { "import.meta.resolve": "require.resolve" } },
  logLevel: "warn",
});

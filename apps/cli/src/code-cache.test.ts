import { mkdirSync, mkdtempSync, readdirSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { installCodeCache } from "./code-cache.js";

const hooks: (() => void)[] = [];
afterEach(() => hooks.splice(0).forEach((uninstall) => uninstall()));

/** A fresh "process" as far as CommonJS goes: the module is evaluated again. */
function load(file: string): unknown {
  const require = createRequire(file);
  delete require.cache[file];
  return require(file);
}

function install(sourceDir: string, cacheDir: string) {
  const hook = installCodeCache({ sourceDir, cacheDir });
  hooks.push(hook.uninstall);
  return hook;
}

describe("installCodeCache", () => {
  it("saves the bytecode of the bundle's files and compiles from it next time", () => {
    const root = mkdtempSync(path.join(os.tmpdir(), "sluice-code-cache-"));
    const sourceDir = path.join(root, "bundle");
    const cacheDir = path.join(sourceDir, ".v8-cache");
    const file = path.join(sourceDir, "main.cjs");
    const other = path.join(root, "elsewhere.cjs");
    mkdirSync(sourceDir);
    writeFileSync(
      file,
      "exports.answer = () => 6 * 7;\nexports.dir = __dirname;\nexports.path = require('node:path').sep;\n",
    );
    writeFileSync(other, "module.exports = 1;\n");

    const first = install(sourceDir, cacheDir);
    const m = load(file) as { answer: () => number; dir: string; path: string };
    expect([m.answer(), m.dir, m.path]).toEqual([42, sourceDir, path.sep]);
    expect(load(other)).toBe(1);
    expect(first.stats).toEqual({ fromCache: 0, compiled: 1, rejected: 0 });
    first.save();
    expect(readdirSync(cacheDir)).toEqual([expect.stringMatching(/^main\.cjs\.\d+-\d+\.v8$/)]);
    first.uninstall();

    const second = install(sourceDir, cacheDir);
    expect((load(file) as { answer: () => number }).answer()).toBe(42);
    expect(second.stats).toEqual({ fromCache: 1, compiled: 0, rejected: 0 });
  });

  it("never runs stale bytecode: an edited file of the same length compiles from its source", () => {
    const root = mkdtempSync(path.join(os.tmpdir(), "sluice-code-cache-"));
    const cacheDir = path.join(root, ".v8-cache");
    const file = path.join(root, "main.cjs");
    writeFileSync(file, "module.exports = 'old';\n");
    const first = install(root, cacheDir);
    expect(load(file)).toBe("old");
    first.save();
    first.uninstall();

    writeFileSync(file, "module.exports = 'new';\n");
    const later = new Date(Date.now() + 5000);
    utimesSync(file, later, later);
    const second = install(root, cacheDir);
    expect(load(file)).toBe("new");
    expect(second.stats.fromCache).toBe(0);
  });

  it("caches package files under node_modules by their path and text, but not one that uses import()", () => {
    const root = mkdtempSync(path.join(os.tmpdir(), "sluice-code-cache-"));
    const sourceDir = path.join(root, "bundle");
    const cacheDir = path.join(sourceDir, ".v8-cache");
    const packages = ["a", "b"].map((name) => path.join(root, "node_modules", name));
    for (const dir of packages) mkdirSync(dir, { recursive: true });
    const [a, b] = packages.map((dir) => path.join(dir, "index.js")) as [string, string];
    writeFileSync(a, "module.exports = 'a';\n");
    writeFileSync(b, "module.exports = 'b';\n");
    const lazy = path.join(packages[0]!, "lazy.js");
    writeFileSync(lazy, "module.exports = () => import('node:path');\n");

    const first = install(sourceDir, cacheDir);
    expect([load(a), load(b), typeof load(lazy)]).toEqual(["a", "b", "function"]);
    expect(first.stats).toEqual({ fromCache: 0, compiled: 2, rejected: 0 });
    first.save();
    const names = readdirSync(cacheDir);
    expect(names).toHaveLength(2);
    expect(names.every((n) => /^index\.js\.[0-9a-f]{16}\.\d+-\d+\.v8$/.test(n))).toBe(true);
    first.uninstall();

    const second = install(sourceDir, cacheDir);
    expect([load(a), load(b)]).toEqual(["a", "b"]);
    expect(second.stats).toEqual({ fromCache: 2, compiled: 0, rejected: 0 });
    second.uninstall();

    // An upgraded package file with the same size and modification time: compiled afresh.
    const { atime, mtime } = statSync(a);
    writeFileSync(a, "module.exports = 'A';\n");
    utimesSync(a, atime, mtime);
    const third = install(sourceDir, cacheDir);
    expect(load(a)).toBe("A");
    expect(third.stats.fromCache).toBe(0);
    third.uninstall();

    const bundleOnly = installCodeCache({ sourceDir, cacheDir, packages: false });
    hooks.push(bundleOnly.uninstall);
    expect([load(a), load(b)]).toEqual(["A", "b"]);
    expect(bundleOnly.stats).toEqual({ fromCache: 0, compiled: 0, rejected: 0 });
  });
});

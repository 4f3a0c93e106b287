import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { GrammarCheck } from "./athena-syntax.js";
import { GrammarCache, userCacheDir } from "./grammar-cache.js";

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));
const tempDir = (): string => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "sluice-grammar-cache-"));
  dirs.push(dir);
  return dir;
};

/** A parser that rejects statements containing `bad`, counting its loads and parses. */
function fakeParser() {
  const calls = { loads: 0, parses: [] as string[] };
  const parse: GrammarCheck = (sql) => {
    calls.parses.push(sql);
    return sql.includes("bad") ? [{ line: 1, column: 8, message: "no viable alternative" }] : [];
  };
  const load = async (): Promise<GrammarCheck> => {
    calls.loads++;
    return parse;
  };
  return { calls, load };
}

const runA = "20261203T170000Z_aaaa";
const runB = "20261203T180000Z_bbbb";
const ctas = (run: string) =>
  `CREATE TABLE t WITH (external_location = 's3://lake/t/${run}') AS SELECT 1`;

describe("GrammarCache", () => {
  it("parses a statement once: another run, in another project, reads the answer", async () => {
    const dir = tempDir();
    const first = fakeParser();
    const check = new GrammarCache(dir, runA).check(first.load);
    expect(await check(ctas(runA), "trino")).toEqual([]);
    expect(await check("select bad", "trino")).toEqual([
      { line: 1, column: 8, message: "no viable alternative" },
    ]);
    expect(first.calls.loads).toBe(1);
    // The run id is masked before parsing and hashing: the same statement of the next run hits.
    expect(first.calls.parses[0]).toBe(ctas("x".repeat(runA.length)));

    const second = fakeParser();
    const again = new GrammarCache(dir, runB).check(second.load);
    expect(await again(ctas(runB), "trino")).toEqual([]);
    expect(await again("select bad", "trino")).toHaveLength(1);
    expect(second.calls.loads).toBe(0);
    // The same text under the other grammar is another entry.
    expect(await again("select bad", "hive")).toHaveLength(1);
    expect(second.calls.parses).toEqual(["select bad"]);
    const files = readdirSync(path.join(dir, "athena-syntax"), { recursive: true });
    expect(files.filter((f) => String(f).endsWith(".json"))).toHaveLength(3);
  });

  it("a cache folder that cannot be created: every check parses, none fails", async () => {
    // Under a regular file: mkdir fails (ENOTDIR) even for root.
    const dir = path.join(tempDir(), "file");
    writeFileSync(dir, "");
    const parser = fakeParser();
    const check = new GrammarCache(dir, runA).check(parser.load);
    expect(await check("select bad", "trino")).toHaveLength(1);
    expect(await check("select bad", "trino")).toHaveLength(1);
    expect(parser.calls.parses).toHaveLength(2);
  });

  it("a damaged entry is parsed again and rewritten", async () => {
    const dir = tempDir();
    await new GrammarCache(dir, runA).check(fakeParser().load)("select bad", "trino");
    const [version] = readdirSync(path.join(dir, "athena-syntax"));
    const [entry] = readdirSync(path.join(dir, "athena-syntax", version!));
    const file = path.join(dir, "athena-syntax", version!, entry!);
    writeFileSync(file, "{trunc");
    const parser = fakeParser();
    expect(
      await new GrammarCache(dir, runA).check(parser.load)("select bad", "trino"),
    ).toHaveLength(1);
    expect(parser.calls.loads).toBe(1);
    expect(JSON.parse(readFileSync(file, "utf8"))).toHaveLength(1);
  });
});

describe("userCacheDir", () => {
  it("SLUICE_CACHE_DIR, else XDG_CACHE_HOME/sluice, else ~/.cache/sluice", () => {
    expect(userCacheDir({ SLUICE_CACHE_DIR: "/c/s", XDG_CACHE_HOME: "/x" })).toBe("/c/s");
    expect(userCacheDir({ XDG_CACHE_HOME: "/x" })).toBe("/x/sluice");
    expect(userCacheDir({})).toBe(path.join(os.homedir(), ".cache", "sluice"));
  });
});

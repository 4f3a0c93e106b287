import { hash } from "node:crypto";
import { cpSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { compileCommand } from "./commands/compile.js";
import { cacheRequest, loadProjectContext } from "./project-context.js";
import { compileSqlEdits } from "./sql-edit-compile.js";
import { age, agedModelsCopy, removeAll } from "../test/aged-models.js";

/**
 * The fast path after an edit of model SQL literals (#14) against the full path: on a copy of the
 * models project compiled once, the same edit is compiled by compileSqlEdits and, from the same
 * target/ restored, by a full compile; the files both write (partial_parse.json, its edits base,
 * the compile memo's index and segments) are equal byte for byte.
 */
const io = { out: () => undefined, err: () => undefined, isTty: false };
const dirs: string[] = [];
let dir: string;
let saved: string;
const target = (): string => path.join(dir, "target");

async function fullCompile(): Promise<void> {
  process.env["SLUICE_SQL_EDITS"] = "1";
  try {
    expect(await loadProjectContext({ projectDir: dir }, io)).toBeDefined();
  } finally {
    delete process.env["SLUICE_SQL_EDITS"];
  }
}

/** The files of target/ both paths write (all of target/ with `all`), by name: their sha1. */
function written(all = false): Map<string, string> {
  const files = new Map<string, string>();
  // The manifest index records manifest.json's modification time, from the file system's clock.
  const masked = (name: string, bytes: Buffer) =>
    name === ".manifest-index.json"
      ? bytes.toString("latin1").replace(/"mtimeMs":[\d.]+/, '"mtimeMs":0')
      : bytes;
  const add = (name: string) =>
    files.set(name, hash("sha1", masked(name, readFileSync(path.join(target(), name)))));
  if (all) {
    for (const e of readdirSync(target(), { recursive: true, withFileTypes: true }))
      if (e.isFile()) add(path.relative(target(), path.join(e.parentPath, e.name)));
    return files;
  }
  ["partial_parse.json", "partial_parse.edits.json", "compile_memo.json"].forEach(add);
  for (const f of readdirSync(path.join(target(), "compile_memo"))) add(`compile_memo/${f}`);
  return files;
}

function restore(): void {
  rmSync(target(), { recursive: true, force: true });
  cpSync(saved, target(), { recursive: true });
}

function edit(rel: string, change: (text: string) => string, when: Date): void {
  const file = path.join(dir, rel);
  writeFileSync(file, change(readFileSync(file, "utf8")));
  utimesSync(file, when, when);
}

beforeAll(async () => {
  dir = agedModelsCopy(dirs, "sluice-fast-");
  age(dir, new Date(Date.now() - 60_000));
  await fullCompile();
  saved = path.join(path.dirname(dir), "target-saved");
  cpSync(target(), saved, { recursive: true });
});
afterAll(() => removeAll(dirs));

describe("compileSqlEdits", () => {
  it("writes what the full compile writes, byte for byte", async () => {
    edit("marts/funnel.sql", (t) => `${t}-- fast edit 1\n`, new Date(Date.now() - 40_000));
    edit(
      "marts/channel_performance.sql",
      (t) => t.replace("select", "select /* é */"),
      new Date(Date.now() - 30_000),
    );
    const before = written();
    const fast = await compileSqlEdits(target(), cacheRequest({ projectDir: dir }), new Map());
    if ("refused" in fast) throw new Error(fast.refused);
    expect(fast.nodes.map((n) => n.id)).toEqual(["model.channel_performance", "model.funnel"]);
    expect(fast.nodes[1]!.sql).toContain("-- fast edit 1");
    const afterFast = written();
    restore();
    await fullCompile();
    const afterFull = written();
    expect([...afterFast.keys()].sort()).toEqual([...afterFull.keys()].sort());
    for (const [f, text] of afterFull) expect(afterFast.get(f), f).toBe(text);
    // The files did change (not two copies of the saved ones).
    expect(afterFast.get("partial_parse.json")).not.toBe(before.get("partial_parse.json"));
    // And the cached path reads them: the next command revives the fast path's compile.
    const ctx = await loadProjectContext({ projectDir: dir }, io);
    expect(ctx?.cacheHeader).toBe(fast.header);
  });

  it("refuses a model with unit tests, writing nothing", async () => {
    restore();
    edit(
      "marts/sales_by_country.sql",
      (t) => `${t}-- fast edit 2\n`,
      new Date(Date.now() - 20_000),
    );
    const before = written();
    const fast = await compileSqlEdits(target(), cacheRequest({ projectDir: dir }), new Map());
    expect(fast).toEqual({ refused: "model.sales_by_country: it has unit tests" });
    expect(written()).toEqual(before);
  });
});

describe("sluice compile with SLUICE_SQL_EDITS=1", () => {
  /** `sluice compile` in-process, the switch on. */
  async function compile(): Promise<void> {
    process.env["SLUICE_SQL_EDITS"] = "1";
    const args = { projectDir: dir, _: ["compile"], format: "text", artifacts: "auto" } as const;
    try {
      expect(await compileCommand.handler(args as never, io)).toBe(0);
    } finally {
      delete process.env["SLUICE_SQL_EDITS"];
    }
  }

  it("leaves target/ as the full path leaves it, byte for byte", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(new Date());
    try {
      restore();
      rmSync(path.join(target(), "partial_parse.edits.json"));
      await compile();
      const artifacts = path.join(path.dirname(dir), "target-artifacts");
      cpSync(target(), artifacts, { recursive: true });
      edit("marts/funnel.sql", (t) => `${t}-- fast edit 3\n`, new Date(Date.now() - 10_000));
      // A load of this state takes the fast path: digests of the one node it rendered (the full
      // path's are of every node the memo holds). So does the compile's, from the same state.
      process.env["SLUICE_SQL_EDITS"] = "1";
      try {
        const ctx = await loadProjectContext({ projectDir: dir }, io);
        expect([...(ctx?.nodeDigests?.keys() ?? [])]).toEqual(["model.funnel"]);
      } finally {
        delete process.env["SLUICE_SQL_EDITS"];
      }
      rmSync(target(), { recursive: true, force: true });
      cpSync(artifacts, target(), { recursive: true });
      await compile();
      const fast = written(true);
      rmSync(target(), { recursive: true, force: true });
      cpSync(artifacts, target(), { recursive: true });
      rmSync(path.join(target(), "partial_parse.edits.json"));
      await compile();
      const full = written(true);
      expect([...fast.keys()].sort()).toEqual([...full.keys()].sort());
      for (const [f, sha] of full) expect(fast.get(f), f).toBe(sha);
      expect(fast.has("manifest.json")).toBe(true);
    } finally {
      vi.useRealTimers();
    }
  });
});

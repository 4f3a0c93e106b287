import { hash } from "node:crypto";
import { cpSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { compileCommand } from "./commands/compile.js";
import { cacheRequest, loadProjectContext } from "./project-context.js";
import { compileSqlEdits } from "./sql-edit-compile.js";
import { age, agedModelsCopy, removeAll } from "../test/aged-models.js";

/**
 * The fast path after an edit of model SQL literals (#14) against the full path, on a copy of
 * the models project: `sluice compile` after the same edit, from the same target/, through the
 * fast path and through a full compile, leaves every file of target/ equal byte for byte (the
 * clock frozen); and what the fast path refuses, it leaves as it was.
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

describe("the switch", () => {
  it("is on by default; SLUICE_SQL_EDITS=0 compiles through the full path", async () => {
    const load = async (value?: string) => {
      if (value === undefined) delete process.env["SLUICE_SQL_EDITS"];
      else process.env["SLUICE_SQL_EDITS"] = value;
      try {
        const ctx = await loadProjectContext({ projectDir: dir }, io);
        expect(ctx).toBeDefined();
        return ctx?.sqlEdits;
      } finally {
        delete process.env["SLUICE_SQL_EDITS"];
      }
    };
    // A target/ that has compiled the edits of the tests before (a full compile), kept aside.
    restore();
    rmSync(path.join(target(), "partial_parse.edits.json"));
    await load();
    const before = path.join(path.dirname(dir), "target-switch");
    cpSync(target(), before, { recursive: true });
    edit("marts/funnel.sql", (t) => `${t}-- switch\n`, new Date(Date.now() - 15_000));
    expect(await load("0")).toBeUndefined();
    rmSync(target(), { recursive: true, force: true });
    cpSync(before, target(), { recursive: true });
    expect(await load()).toEqual(["model.funnel"]);
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
      edit(
        "marts/channel_performance.sql",
        (t) => t.replace("select", "select /* é */"),
        new Date(Date.now() - 10_000),
      );
      // A load of this state takes the fast path (so does the compile's, from the same state),
      // and hands the artifact writers the digests the full path hands them.
      const load = async () => {
        process.env["SLUICE_SQL_EDITS"] = "1";
        try {
          const ctx = await loadProjectContext({ projectDir: dir }, io);
          return { edits: ctx?.sqlEdits, digests: [...(ctx?.nodeDigests ?? [])].sort() };
        } finally {
          delete process.env["SLUICE_SQL_EDITS"];
        }
      };
      const fastLoad = await load();
      expect(fastLoad.edits).toEqual(["model.channel_performance", "model.funnel"]);
      rmSync(target(), { recursive: true, force: true });
      cpSync(artifacts, target(), { recursive: true });
      rmSync(path.join(target(), "partial_parse.edits.json"));
      const fullLoad = await load();
      expect(fullLoad.edits).toBeUndefined();
      expect(fastLoad.digests.length).toBeGreaterThan(30);
      expect(fastLoad.digests).toEqual(fullLoad.digests);
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

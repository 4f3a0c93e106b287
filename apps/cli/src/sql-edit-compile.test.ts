import { hash } from "node:crypto";
import { cpSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
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

/** The files of target/ both paths write, by name: the sha1 of each one's bytes. */
function written(): Map<string, string> {
  const files = new Map<string, string>();
  const add = (name: string, file: string) => files.set(name, hash("sha1", readFileSync(file)));
  for (const f of ["partial_parse.json", "partial_parse.edits.json", "compile_memo.json"])
    add(f, path.join(target(), f));
  for (const f of readdirSync(path.join(target(), "compile_memo")))
    add(f, path.join(target(), "compile_memo", f));
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

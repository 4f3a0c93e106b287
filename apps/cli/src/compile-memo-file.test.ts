import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { CompiledNode, ModelMemo } from "@sluice/compiler";
import { afterEach, describe, expect, it } from "vitest";
import { buildId } from "./compile-cache.js";
import {
  MEMO_FORMAT,
  memoModel,
  readLoadMemo,
  replaceMemoModels,
  writeLoadMemo,
} from "./compile-memo-file.js";
import type { LoadMemo } from "./compile-memo-file.js";
import { statementCount } from "./lazy-node.js";
import { knownText } from "./node-texts.js";
import { bucketOf } from "./segment-store.js";
import { liveSegmentFiles as live } from "./segment-orphans.js";

describe("compile memo file", () => {
  const dirs: string[] = [];
  afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));
  const targetDir = (): string => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "sluice-memo-"));
    dirs.push(dir);
    return dir;
  };
  const PROJECT = "/projects/shop";
  // Models' nodes end with their statements, tests' have members after them (lazy-node.ts).
  const node = (id: string, extra: object = {}): CompiledNode =>
    ({
      id,
      name: id.split(".")[1],
      sql: `select '\t"${id}"\n'`,
      statements: [{ kind: "select", sql: `select ',"sql":"${id}"'`, grammar: "duckdb" }],
      ...(id.startsWith("test.") ? { attachedTo: "model.m_0", severity: "warn" } : {}),
      ...extra,
    }) as unknown as CompiledNode;
  /** 50 models, each with a node, every other one with two test nodes. */
  const models = (): Record<string, ModelMemo> =>
    Object.fromEntries(
      Array.from({ length: 50 }, (_, i) => {
        const id = `model.m_${i}`;
        const memo = {
          inputs: `in${i}`,
          reads: { "var:x": "=1" },
          config: { materialized: "table" },
          refs: [],
          sources: [],
          output: { deps: `d${i}`, node: node(id, { dependsOn: [] }), bare: "", digest: `g${i}` },
          ...(i % 2 === 0
            ? {
                tests: {
                  key: `k${i}`,
                  parents: [],
                  names: [`a_${i}`, `b_${i}`],
                  nodes: [node(`test.a_${i}`), node(`test.b_${i}`)],
                },
              }
            : {}),
        };
        return [id, memo as unknown as ModelMemo];
      }),
    );
  const memoOf = (next: Record<string, ModelMemo>): LoadMemo => ({
    properties: { previous: {}, next: { "models/a.yml": { tests: [] } as never } },
    models: { previous: {}, next },
  });

  it("reads back every entry, each node remembered with the text it was read from", () => {
    const dir = targetDir();
    const written = models();
    writeLoadMemo(dir, PROJECT, memoOf(written));
    const read = readLoadMemo(dir, PROJECT);
    for (const entry of Object.values(read.models.previous)) {
      const nodes = [entry.output!.node, ...(entry.tests?.nodes ?? [])];
      for (const n of nodes) {
        // Read with its SQL still text (parsed on first read, see lazy-node.ts)...
        expect(Object.getOwnPropertyDescriptor(n, "statements")?.get).toBeTypeOf("function");
        expect(statementCount(n)).toBe(1);
        expect(knownText(n)).toBe(JSON.stringify(n));
      }
    }
    expect(read.models.previous).toEqual(written);
    expect(read.properties.previous).toEqual({ "models/a.yml": { tests: [] } });
    // ... and written again with the same cuts: the same bytes.
    const segments = (): string[] =>
      readdirSync(path.join(dir, "compile_memo")).map((f) =>
        readFileSync(path.join(dir, "compile_memo", f), "utf8"),
      );
    const before = segments();
    rmSync(path.join(dir, "compile_memo.json"));
    writeLoadMemo(dir, PROJECT, memoOf(read.models.previous as Record<string, ModelMemo>));
    expect(segments().sort()).toEqual(before.sort());
    // Another project folder: nothing is reused.
    expect(readLoadMemo(dir, "/projects/other").models.previous).toEqual({});
  });

  it("reads one model's entry from its segment alone, as the whole read gives it", () => {
    const dir = targetDir();
    const written = models();
    writeLoadMemo(dir, PROJECT, memoOf(written));
    // Every model, those sharing a segment with others among them.
    const ids = Object.keys(written);
    expect(new Set(ids.map(bucketOf)).size).toBeLessThan(ids.length);
    for (const id of ids) expect(memoModel(dir, PROJECT, id)).toEqual(written[id]);
    // In another memo, every segment but one's gone (before any read: a segment read stays
    // readable through its open descriptor): that one read, the others not.
    const other = targetDir();
    writeLoadMemo(other, PROJECT, memoOf(models()));
    const segmentOf = (id: string): string =>
      (
        JSON.parse(
          readFileSync(path.join(other, "compile_memo.json"), "utf8").split("\n")[1]!,
        ) as Record<string, string>
      )[bucketOf(id)]!;
    const kept = segmentOf("model.m_7");
    expect(segmentOf("model.m_8")).not.toBe(kept);
    for (const f of readdirSync(path.join(other, "compile_memo")))
      if (f !== kept) rmSync(path.join(other, "compile_memo", f));
    expect(memoModel(other, PROJECT, "model.m_7")).toEqual(written["model.m_7"]);
    expect(memoModel(other, PROJECT, "model.m_8")).toBeUndefined();
    expect(memoModel(dir, PROJECT, "model.nope")).toBeUndefined();
    expect(memoModel(dir, "/projects/other", "model.m_7")).toBeUndefined();
  });

  it("ignores a memo of the previous format, and the next write replaces it whole", () => {
    const dir = targetDir();
    const written = models();
    // Format 3: one JSON object per segment, `{"models":{...}}`, under a format-3 header.
    const oldHeader = JSON.stringify({ format: 3, build: buildId(), dir: PROJECT });
    mkdirSync(path.join(dir, "compile_memo"));
    const segments: Record<string, string> = {};
    for (const [id, entry] of Object.entries(written)) {
      const name = `${String(bucketOf(id)).padStart(3, "0")}.0000000000000000.json`;
      segments[bucketOf(id)] = name;
      writeFileSync(
        path.join(dir, "compile_memo", name),
        JSON.stringify({ models: { [id]: entry } }),
      );
    }
    writeFileSync(path.join(dir, "compile_memo.json"), `${oldHeader}\n${JSON.stringify(segments)}`);
    const stale = readLoadMemo(dir, PROJECT);
    expect(stale.models.previous).toEqual({});
    expect(stale.store).toBeUndefined();
    // The same old segments under this format's header (a layout change without a format
    // change) are not misread either: none ends with its record count.
    const header = JSON.stringify({ format: MEMO_FORMAT, build: buildId(), dir: PROJECT });
    writeFileSync(path.join(dir, "compile_memo.json"), `${header}\n${JSON.stringify(segments)}`);
    expect(readLoadMemo(dir, PROJECT).store).toBeUndefined();

    writeLoadMemo(dir, PROJECT, memoOf(written));
    expect(readLoadMemo(dir, PROJECT).models.previous).toEqual(written);
    const index = JSON.parse(
      readFileSync(path.join(dir, "compile_memo.json"), "utf8").split("\n")[1]!,
    ) as Record<string, string>;
    expect(live(path.join(dir, "compile_memo")).sort()).toEqual(Object.values(index).sort());
  });

  it("reads a node's sql and statements from its segment only when first asked for", () => {
    const dir = targetDir();
    const written = models();
    writeLoadMemo(dir, PROJECT, memoOf(written));
    const segmentDir = path.join(dir, "compile_memo");
    // The lines hold no SQL: each segment's runs come after its lines.
    for (const f of readdirSync(segmentDir)) {
      const lines = readFileSync(path.join(segmentDir, f), "utf8").split("\n.\t")[0]!;
      expect(lines).not.toContain('"sql":');
    }
    const read = readLoadMemo(dir, PROJECT);
    const m2 = read.models.previous["model.m_2"]!;
    const [model, test] = [m2.output!.node, m2.tests!.nodes[0]!];
    // Read now: the same SQL as written, and the text that was read.
    expect(model.sql).toBe(written["model.m_2"]!.output!.node.sql);
    expect(knownText(model)).toBe(JSON.stringify(written["model.m_2"]!.output!.node));
    // The others' runs were never read. With the segments removed since (as another command's
    // write of the memo removes those it replaces), their other members are all there, and
    // their SQL is still the one listed: read through the descriptors kept open on them.
    rmSync(segmentDir, { recursive: true });
    expect(test.name).toBe("a_2");
    expect((test as unknown as { attachedTo: string }).attachedTo).toBe("model.m_0");
    expect(statementCount(test)).toBe(1);
    expect(test.statements).toEqual(written["model.m_2"]!.tests!.nodes[0]!.statements);
    expect(model.statements).toEqual(written["model.m_2"]!.output!.node.statements);
  });

  it("keeps the graphs' orders; a memo of format 4 (before them), 5 or 6 (nodes whole on their lines) is not read", () => {
    const dir = targetDir();
    const orders = { models: { key: "k1", order: ["model.m_0"] }, nodes: { key: "k2", order: [] } };
    writeLoadMemo(dir, PROJECT, {
      ...memoOf(models()),
      models: { previous: {}, next: models(), nextOrders: orders },
    });
    expect(readLoadMemo(dir, PROJECT).models.previousOrders).toEqual(orders);
    // The same files under a format-4, 5 or 6 header: nothing is reused.
    const file = path.join(dir, "compile_memo.json");
    const [header, index] = readFileSync(file, "utf8").split("\n");
    for (const format of [4, 5, 6]) {
      const old = JSON.stringify({ ...JSON.parse(header!), format });
      writeFileSync(file, `${old}\n${index}`);
      const stale = readLoadMemo(dir, PROJECT);
      expect(stale.store).toBeUndefined();
      expect(stale.models).toMatchObject({ previous: {}, previousOrders: {} });
    }
  });

  it("does not read a record that names fewer or more nodes than its line holds", () => {
    const dir = targetDir();
    writeLoadMemo(dir, PROJECT, memoOf(models()));
    const segmentDir = path.join(dir, "compile_memo");
    const name = readdirSync(segmentDir).find((f) =>
      readFileSync(path.join(segmentDir, f), "utf8").includes("test.a_"),
    )!;
    const text = readFileSync(path.join(segmentDir, name), "utf8");
    // Drop the last test node's text of the first record with tests.
    const lines = text.split("\n");
    const at = lines.findIndex((l) => l.includes("test.b_"));
    lines[at] = lines[at]!.slice(0, lines[at]!.lastIndexOf("\t"));
    writeFileSync(path.join(segmentDir, name), lines.join("\n"));
    expect(readLoadMemo(dir, PROJECT).store).toBeUndefined();
  });
  it("replaces edited models' entries: the files a whole write leaves, and the segments renamed", () => {
    const whole = targetDir();
    const fast = targetDir();
    writeLoadMemo(whole, PROJECT, memoOf(models()));
    writeLoadMemo(fast, PROJECT, memoOf(models()));
    const read = readLoadMemo(whole, PROJECT);
    const edited = (id: string): ModelMemo => {
      const was = read.models.previous[id]!;
      const sql = `select 'edited ${id}'`;
      return {
        ...was,
        inputs: `${was.inputs}'`,
        output: { ...was.output!, node: { ...node(id, { dependsOn: [] }), sql }, digest: `e${id}` },
      };
    };
    const edits = { "model.m_4": edited("model.m_4"), "model.m_31": edited("model.m_31") };
    const next = { ...read.models.previous, ...edits } as Record<string, ModelMemo>;
    writeLoadMemo(whole, PROJECT, { ...memoOf(next), store: read.store! });
    const before = new Set(readdirSync(path.join(fast, "compile_memo")));
    const renamed = replaceMemoModels(fast, PROJECT, edits)!;
    const files = (dir: string) =>
      live(path.join(dir, "compile_memo")).map((f) => [
        f,
        readFileSync(path.join(dir, "compile_memo", f), "utf8"),
      ]);
    expect(files(fast)).toEqual(files(whole));
    expect(readFileSync(path.join(fast, "compile_memo.json"), "utf8")).toBe(
      readFileSync(path.join(whole, "compile_memo.json"), "utf8"),
    );
    expect(renamed.size).toBe(2);
    for (const [from, to] of renamed) {
      expect(before.has(from)).toBe(true);
      expect(before.has(to)).toBe(false);
    }
    expect(memoModel(fast, PROJECT, "model.m_4")?.output?.node.sql).toBe(
      "select 'edited model.m_4'",
    );
    // An entry the memo does not hold, or another project folder: nothing replaced.
    expect(replaceMemoModels(fast, PROJECT, { "model.new": edits["model.m_4"] })).toBeUndefined();
    expect(replaceMemoModels(fast, "/projects/other", edits)).toBeUndefined();
  });
});

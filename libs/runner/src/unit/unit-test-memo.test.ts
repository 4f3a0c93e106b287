import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { CompiledNode } from "@sluice/compiler";
import type { NodeResult } from "../types.js";
import { unitTestKey } from "./unit-test-key.js";
import { openUnitTestMemo } from "./unit-test-memo.js";

const result = (status: NodeResult["status"], message: string): NodeResult => ({
  id: "unit_test.m.t",
  kind: "test",
  name: "t",
  materialization: "test",
  status,
  message,
  elapsedMs: 1,
  queryIds: [],
});

describe("openUnitTestMemo", () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "unit-memo-"));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it("keeps a pass under its key for the next run; a failure forgets it", async () => {
    const memo = await openUnitTestMemo(dir, { reuse: true });
    memo.record("unit_test.m.t", "k1", result("pass", "2 rows as expected"), "run1");
    await memo.save();
    const next = await openUnitTestMemo(dir, { reuse: true });
    expect(next.reusable("unit_test.m.t", "k1")).toEqual({
      message: "2 rows as expected",
      runId: "run1",
    });
    expect(next.reusable("unit_test.m.t", "k2")).toBeUndefined();
    expect(next.reusable("unit_test.m.other", "k1")).toBeUndefined();
    // Reuse off (--no-unit-test-cache, --full-refresh): nothing reused, results still kept.
    expect((await openUnitTestMemo(dir, { reuse: false })).reusable("unit_test.m.t", "k1")).toBe(
      undefined,
    );
    next.record("unit_test.m.t", "k1", result("fail", "1 expected row(s) missing"), "run2");
    await next.save();
    const after = await openUnitTestMemo(dir, { reuse: true });
    expect(after.reusable("unit_test.m.t", "k1")).toBeUndefined();
  });

  it("reads a torn or foreign file as empty, and a target it cannot write keeps nothing", async () => {
    await writeFile(path.join(dir, "unit_test_results.json"), '{"format": 1, "tests": {"a": ');
    const memo = await openUnitTestMemo(dir, { reuse: true });
    expect(memo.reusable("a", "k")).toBeUndefined();
    await writeFile(
      path.join(dir, "unit_test_results.json"),
      JSON.stringify({ format: 99, tests: { a: { key: "k", message: "m", runId: "r" } } }),
    );
    expect((await openUnitTestMemo(dir, { reuse: true })).reusable("a", "k")).toBeUndefined();
    const blocked = path.join(dir, "unit_test_results.json", "target");
    const unwritable = await openUnitTestMemo(blocked, { reuse: true });
    unwritable.record("a", "k", result("pass", "m"), "r");
    await expect(unwritable.save()).resolves.toBeUndefined();
    expect(await readFile(path.join(dir, "unit_test_results.json"), "utf8")).toContain(
      '"format":99',
    );
  });
});

const node = (id: string, sql: string, more: Partial<CompiledNode> = {}): CompiledNode =>
  ({
    id,
    kind: "model",
    name: id.split(".").pop(),
    relation: { schema: "s", name: id.split(".").pop() },
    materialization: "table",
    columns: [],
    dependsOn: [],
    sql,
    ...more,
  }) as unknown as CompiledNode;

describe("unitTestKey", () => {
  const test = node("unit_test.b.t", "select x from sluice_unit.ref__a", {
    kind: "test",
    dependsOn: ["model.b"],
    assertion: {
      kind: "unit",
      model: "model.b",
      isIncremental: false,
      inputs: [
        {
          relation: { schema: "sluice_unit", name: "ref__a" },
          upstream: "model.a",
          input: "ref('a')",
        },
      ],
      expect: { format: "dict", columns: ["x"], rows: [["1"]] },
    },
  } as Partial<CompiledNode>);
  const graph = (over: Record<string, CompiledNode> = {}) =>
    new Map(
      Object.entries({
        "model.a": node("model.a", "select x from s.raw", { dependsOn: ["source.s.raw"] }),
        "source.s.raw": node("source.s.raw", "", { kind: "source", location: "s3://b/raw/" }),
        "model.b": node("model.b", "select x from s.a", { dependsOn: ["model.a"] }),
        "model.other": node("model.other", "select 1"),
        ...over,
      }),
    );
  const runtime = { trinoCompat: true, build: "b1" };
  const base = unitTestKey(test, graph(), runtime);

  it("changes with what the result depends on", () => {
    const changed = [
      unitTestKey({ ...test, sql: `${test.sql} where true` }, graph(), runtime),
      unitTestKey(
        test,
        graph({
          "model.a": node("model.a", "select x, y from s.raw", { dependsOn: ["source.s.raw"] }),
        }),
        runtime,
      ),
      // The source's kind of columns: raw (line, dt) or declared.
      unitTestKey(
        test,
        graph({ "source.s.raw": node("source.s.raw", "", { kind: "source" }) }),
        runtime,
      ),
      unitTestKey(test, graph(), { ...runtime, trinoCompat: false }),
      unitTestKey(test, graph(), { ...runtime, build: "b2" }),
    ];
    for (const k of changed) expect(k).not.toBe(base);
    expect(new Set(changed).size).toBe(changed.length);
  });

  it("does not change with what it does not read: other nodes, a table's versioned location", () => {
    expect(
      unitTestKey(test, graph({ "model.other": node("model.other", "select 2") }), runtime),
    ).toBe(base);
    expect(
      unitTestKey(
        test,
        graph({
          "model.a": node("model.a", "select x from s.raw", {
            dependsOn: ["source.s.raw"],
            location: "/lake/a/v_2",
          }),
        }),
        runtime,
      ),
    ).toBe(base);
    // The tested model's own SQL is in the test's SQL already (rendered over the mocks).
    expect(
      unitTestKey(test, graph({ "model.b": node("model.b", "select y from s.a") }), runtime),
    ).toBe(base);
  });
});

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { CompiledNode } from "@sluice/compiler";
import { reconcileConfigOf, reconcileValue } from "@sluice/compiler/plan";
import { afterEach, describe, expect, it } from "vitest";
import { readCompileFacts, writeCompileFacts } from "./compile-facts.js";
import { decodeFacts, encodeFacts } from "./fact-encoding.js";
import { FactReader, factColumnsOf, factRowAt, factRowOf } from "./fact-nodes.js";
import type { FactColumns } from "./fact-nodes.js";

const node = (id: string, dependsOn: string[], statements = 1): CompiledNode =>
  ({
    id,
    kind: "model",
    name: id.slice(6),
    path: `models/${id.slice(6)}.sql`,
    schema: "marts",
    relation: { schema: "marts", name: id.slice(6) },
    materialization: "table",
    tags: [],
    dependsOn,
    statements: Array.from({ length: statements }, () => ({ kind: "create", sql: "select 1" })),
  }) as unknown as CompiledNode;

/** A test of model.a, under another relation name, tagged, with an assertion. */
const test = (): CompiledNode =>
  ({
    ...node("test.t", ["model.a"]),
    kind: "test",
    name: "t",
    path: "models/schema.yml",
    relation: { schema: "marts_audit", name: "t_failures" },
    materialization: "test",
    tags: ["nightly"],
    attachedTo: "model.a",
    assertion: { kind: "unit" },
  }) as unknown as CompiledNode;

const nodes = (): CompiledNode[] => [
  node("model.a", []),
  node("model.b", ["model.a"]),
  node("model.c", ["model.a", "model.b"], 2),
];

/** model.c reconciling model.a (staging) and model.b (rejected), as models/silver/events.sql. */
const reconciling = (): CompiledNode[] => {
  const [a, b, c] = nodes();
  const reconcile = { staging: "a", rejected: "b", key: "event_id" };
  return [
    { ...a!, config: {} },
    { ...b!, config: {} },
    { ...c!, config: { reconcile } },
  ];
};

describe("compile_facts.json", () => {
  const dirs: string[] = [];
  const tmp = (): string => {
    const d = mkdtempSync(path.join(os.tmpdir(), "sluice-facts-"));
    dirs.push(d);
    return d;
  };
  afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));
  const body = (dir: string): string => {
    const text = readFileSync(path.join(dir, "compile_facts.json"), "utf8");
    return text.slice(text.indexOf("\n") + 1);
  };

  it("keeps each node's row, tied to the partial-parse header", () => {
    const dir = tmp();
    writeCompileFacts(dir, "h1", nodes());
    expect(readCompileFacts(dir, "h2", 3)).toBeUndefined();
    expect(readCompileFacts(dir, "h1", 2)).toBeUndefined();
    const read = readCompileFacts(dir, "h1", 3)!;
    const rows = [0, 1, 2].map((at) => factRowAt(read.facts, at));
    expect(rows).toEqual(nodes().map(factRowOf));
    // Columnar, told from outside: one array per member, written by hand here; dependencies by
    // their place in `id`, and the values that repeat as a dictionary.
    expect(JSON.parse(read.body)).toEqual({
      id: ["model.a", "model.b", "model.c"],
      kind: { values: ["model"], at: [0, 0, 0] },
      name: ["a", "b", "c"],
      path: { values: ["models/a.sql", "models/b.sql", "models/c.sql"], at: [0, 1, 2] },
      dependsOn: [[], [0], [0, 1]],
      renderAtRun: [0, 0, 0],
      statements: [1, 1, 2],
      incremental: [-1, -1, -1],
      materialization: { values: ["table"], at: [0, 0, 0] },
      schema: { values: ["marts"], at: [0, 0, 0] },
      relation: [null, null, null],
      tags: [[], [], []],
      attachedTo: [null, null, null],
      assertion: [0, 0, 0],
      reconcile: [null, null, null],
    });
    expect(body(dir)).toBe(read.body);
    // A relation of its own, tags, the tested node and an assertion (not kept: only that it has one).
    writeCompileFacts(dir, "h1", [...nodes(), test()]);
    const four = readCompileFacts(dir, "h1", 4)!;
    // The test's tested node by its place; a dependency no node has, by its id.
    expect((JSON.parse(body(dir)) as { attachedTo: unknown[] }).attachedTo).toEqual([
      null,
      null,
      null,
      0,
    ]);
    expect(factRowAt(four.facts, 3).slice(8)).toEqual([
      "test",
      "marts",
      ["marts_audit", "t_failures"],
      ["nightly"],
      "model.a",
      1,
      null,
    ]);
    // A model's reconcile config, as JSON.
    writeCompileFacts(dir, "h1", reconciling());
    expect(readCompileFacts(dir, "h1", 3)!.facts.reconcile).toEqual([
      null,
      null,
      '{"staging":"a","rejected":"b","key":"event_id"}',
    ]);
  });

  it("reads no file of another format or with a column of another length", () => {
    const dir = tmp();
    writeCompileFacts(dir, "h1", nodes());
    const file = path.join(dir, "compile_facts.json");
    const [head, text] = readFileSync(file, "utf8").split("\n") as [string, string];
    const tie = JSON.parse(head) as [number, string];
    expect(tie[0]).toBe(5);
    // Format 1's body (an array of rows) under format 1's header, and under format 5's.
    const rows = JSON.stringify(nodes().map(factRowOf));
    writeFileSync(file, `${JSON.stringify([1, tie[1]])}\n${rows}`);
    expect(readCompileFacts(dir, "h1", 3)).toBeUndefined();
    writeFileSync(file, `${head}\n${rows}`);
    expect(readCompileFacts(dir, "h1", 3)).toBeUndefined();
    // Format 4's columns (each value written out) under format 4's header, and under format 5's.
    const four = JSON.stringify(factColumnsOf(nodes()));
    writeFileSync(file, `${JSON.stringify([4, tie[1]])}\n${four}`);
    expect(readCompileFacts(dir, "h1", 3)).toBeUndefined();
    writeFileSync(file, `${head}\n${four}`);
    expect(readCompileFacts(dir, "h1", 3)).toBeUndefined();
    for (const column of ["id", "dependsOn", "incremental", "reconcile"]) {
      const facts = JSON.parse(text) as Record<string, unknown[]>;
      facts[column]!.pop();
      writeFileSync(file, `${head}\n${JSON.stringify(facts)}`);
      expect(readCompileFacts(dir, "h1", 3), column).toBeUndefined();
    }
    // A dictionary's row missing, a value's place or a dependency's place out of range.
    const broken: ((facts: Record<string, { at: number[] } & unknown[][]>) => void)[] = [
      (facts) => facts["path"]!.at.pop(),
      (facts) => (facts["kind"]!.at[1] = 7),
      (facts) => (facts["dependsOn"]![2]![1] = 3),
      (facts) => (facts["dependsOn"]![1]![0] = -1),
    ];
    for (const [i, breakIt] of broken.entries()) {
      const facts = JSON.parse(text) as Parameters<(typeof broken)[number]>[0];
      breakIt(facts);
      writeFileSync(file, `${head}\n${JSON.stringify(facts)}`);
      expect(readCompileFacts(dir, "h1", 3), String(i)).toBeUndefined();
    }
    writeFileSync(file, `${head}\n${text}`);
    expect(readCompileFacts(dir, "h1", 3)).toBeDefined();
  });

  it("writes the rows read again as read when every row is the same, else serializes them", () => {
    const dir = tmp();
    writeCompileFacts(dir, "h1", nodes());
    const read = readCompileFacts(dir, "h1", 3)!;
    // A text of the same rows that JSON.stringify would not write: it is written as it was.
    const spaced = { facts: read.facts, body: JSON.stringify(encodeFacts(read.facts), null, 1) };
    writeCompileFacts(dir, "h2", nodes(), spaced);
    expect(body(dir)).toBe(spaced.body);
    expect(readCompileFacts(dir, "h2", 3)!.facts).toEqual(read.facts);
    // Any member of any row changed: the rows are serialized from the nodes.
    const changed: [string, CompiledNode[]][] = [
      ["statements", [...nodes().slice(0, 2), node("model.c", ["model.a", "model.b"], 3)]],
      ["a dependency", [...nodes().slice(0, 2), node("model.c", ["model.a", "model.x"], 2)]],
      ["one dependency less", [...nodes().slice(0, 2), node("model.c", ["model.a"], 2)]],
      [
        "one dependency more",
        [...nodes().slice(0, 2), node("model.c", ["model.a", "model.b", "model.x"], 2)],
      ],
      ["a path", [nodes()[0]!, { ...nodes()[1]!, path: "models/x.sql" }, nodes()[2]!]],
      ["tags", [nodes()[0]!, { ...nodes()[1]!, tags: ["x"] }, nodes()[2]!]],
      [
        "a relation",
        [nodes()[0]!, { ...nodes()[1]!, relation: { schema: "marts", name: "x" } }, nodes()[2]!],
      ],
      [
        "a materialization",
        [nodes()[0]!, { ...nodes()[1]!, materialization: "view" }, nodes()[2]!],
      ],
      ["a node less", nodes().slice(0, 2)],
    ];
    for (const [what, now] of changed) {
      writeCompileFacts(dir, "h3", now, spaced);
      expect(body(dir), what).toBe(JSON.stringify(encodeFacts(factColumnsOf(now))));
    }
  });

  it("tells fact nodes made from the rows read by their members, without reading them whole", () => {
    const dir = tmp();
    writeCompileFacts(dir, "h1", nodes());
    const read = readCompileFacts(dir, "h1", 3)!;
    const spaced = { facts: read.facts, body: JSON.stringify(encodeFacts(read.facts), null, 1) };
    // Their memo is not there: a fact node read whole would throw.
    const reader = new FactReader(path.join(dir, "no-memo.json"));
    const facts = (columns: FactColumns) =>
      columns.id.map((_, i) => reader.node(columns, i, `memo:s:${i}:0`));
    writeCompileFacts(dir, "h2", facts(read.facts), spaced);
    expect(body(dir)).toBe(spaced.body);
    // Made from equal facts (other objects): compared by value, carried.
    const copies = decodeFacts(JSON.parse(read.body), 3)!;
    writeCompileFacts(dir, "h3", facts(copies), spaced);
    expect(body(dir)).toBe(spaced.body);
    // A member replaced, or a row of other counts: serialized.
    const moved = facts(read.facts);
    moved[1]!.path = "models/x.sql";
    const recounted = facts({ ...copies, statements: [1, 1, 5] });
    // One that had no assertion given one (its own member written).
    const asserted = facts(read.facts);
    asserted[2]!.assertion = { kind: "failing_rows" } as CompiledNode["assertion"];
    for (const now of [moved, recounted, asserted]) {
      writeCompileFacts(dir, "h4", now, spaced);
      expect(body(dir)).toBe(JSON.stringify(encodeFacts(factColumnsOf(now))));
    }
  });

  it("freezes the dependencies and tags read: a row is never changed in place", () => {
    const dir = tmp();
    writeCompileFacts(dir, "h1", nodes());
    const read = readCompileFacts(dir, "h1", 3)!;
    expect(() => read.facts.dependsOn[2]!.push("model.x")).toThrow(TypeError);
    expect(() => read.facts.tags[2]!.push("x")).toThrow(TypeError);
  });

  it("answers from the facts what selectors and ls read, and the rest from the whole node", () => {
    const dir = tmp();
    const all = [...nodes(), test()];
    writeCompileFacts(dir, "h1", all);
    const read = readCompileFacts(dir, "h1", 4)!;
    // Their memo is not there: a fact node read whole throws.
    const reader = new FactReader(path.join(dir, "no-memo.json"));
    const [a, , , t] = all.map((_, i) => reader.node(read.facts, i, `memo:s:${i}:0`));
    expect([a!.materialization, a!.schema, a!.relation, a!.tags, a!.attachedTo]).toEqual([
      "table",
      "marts",
      { schema: "marts", name: "a" },
      [],
      undefined,
    ]);
    expect(a!.assertion).toBeUndefined();
    expect([t!.relation, t!.tags, t!.attachedTo]).toEqual([
      { schema: "marts_audit", name: "t_failures" },
      ["nightly"],
      "model.a",
    ]);
    expect(() => t!.assertion).toThrow(/no-memo\.json is gone/);
    expect(() => t!.sql).toThrow(/is gone/);
  });

  it("tells the reconciliation each node's reconcile config without reading it whole", () => {
    const dir = tmp();
    writeCompileFacts(dir, "h1", reconciling());
    const read = readCompileFacts(dir, "h1", 3)!;
    // Their memo is not there: a fact node read whole throws.
    const reader = new FactReader(path.join(dir, "no-memo.json"));
    const facts = read.facts.id.map((_, i) => reader.node(read.facts, i, `memo:s:${i}:0`));
    // What the runner's reconciliation reads of every node (written by hand: c reconciles a, b).
    expect(facts.map(reconcileValue)).toEqual([
      null,
      null,
      { staging: "a", rejected: "b", key: "event_id" },
    ]);
    expect(reconcileConfigOf(facts[2]!)).toEqual({
      staging: "a",
      rejected: "b",
      key: "event_id",
      reason: "reject_reason",
    });
    expect(reconcileConfigOf(facts[0]!)).toBeUndefined();
    expect(() => facts[0]!.config).toThrow(/is gone/);
    // The rows of nodes that answered from their facts are the rows read: written as read.
    const spaced = { facts: read.facts, body: JSON.stringify(encodeFacts(read.facts), null, 1) };
    writeCompileFacts(dir, "h2", facts, spaced);
    expect(body(dir)).toBe(spaced.body);
    // A reconcile config changed: the rows are serialized from the nodes.
    const [a, b, c] = reconciling();
    const changed = [a!, b!, { ...c!, config: { reconcile: { staging: "b", rejected: "a" } } }];
    writeCompileFacts(dir, "h3", changed, spaced);
    expect(body(dir)).toBe(JSON.stringify(encodeFacts(factColumnsOf(changed))));
  });
});

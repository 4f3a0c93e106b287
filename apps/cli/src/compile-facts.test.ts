import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { CompiledNode } from "@sluice/compiler";
import { afterEach, describe, expect, it } from "vitest";
import { readCompileFacts, writeCompileFacts } from "./compile-facts.js";
import { FactReader, factRowOf } from "./fact-nodes.js";
import type { FactRow } from "./fact-nodes.js";

const node = (id: string, dependsOn: string[], statements = 1): CompiledNode =>
  ({
    id,
    kind: "model",
    name: id.slice(6),
    path: `models/${id.slice(6)}.sql`,
    dependsOn,
    statements: Array.from({ length: statements }, () => ({ kind: "create", sql: "select 1" })),
  }) as unknown as CompiledNode;

const nodes = (): CompiledNode[] => [
  node("model.a", []),
  node("model.b", ["model.a"]),
  node("model.c", ["model.a", "model.b"], 2),
];

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
    expect(read.rows).toEqual(nodes().map(factRowOf));
    expect(read.body).toBe(JSON.stringify(nodes().map(factRowOf)));
  });

  it("writes the rows read again as read when every row is the same, else serializes them", () => {
    const dir = tmp();
    writeCompileFacts(dir, "h1", nodes());
    const read = readCompileFacts(dir, "h1", 3)!;
    // A text of the same rows that JSON.stringify would not write: it is written as it was.
    const spaced = { rows: read.rows, body: JSON.stringify(read.rows, null, 1) };
    writeCompileFacts(dir, "h2", nodes(), spaced);
    expect(body(dir)).toBe(spaced.body);
    expect(readCompileFacts(dir, "h2", 3)!.rows).toEqual(read.rows);
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
      ["a node less", nodes().slice(0, 2)],
    ];
    for (const [what, now] of changed) {
      writeCompileFacts(dir, "h3", now, spaced);
      expect(body(dir), what).toBe(JSON.stringify(now.map(factRowOf)));
    }
  });

  it("tells fact nodes made from the rows read by their members, without reading them whole", () => {
    const dir = tmp();
    writeCompileFacts(dir, "h1", nodes());
    const read = readCompileFacts(dir, "h1", 3)!;
    const spaced = { rows: read.rows, body: JSON.stringify(read.rows, null, 1) };
    // Their memo is not there: a fact node read whole would throw.
    const reader = new FactReader(path.join(dir, "no-memo.json"));
    const facts = (rows: FactRow[]) => rows.map((r, i) => reader.node(r, `memo:s:${i}:0`));
    writeCompileFacts(dir, "h2", facts(read.rows), spaced);
    expect(body(dir)).toBe(spaced.body);
    // Made from equal rows (other objects): compared by value, carried.
    const copies = JSON.parse(read.body) as FactRow[];
    writeCompileFacts(dir, "h3", facts(copies), spaced);
    expect(body(dir)).toBe(spaced.body);
    // A member replaced, or a row of other counts: serialized.
    const moved = facts(read.rows);
    moved[1]!.path = "models/x.sql";
    const recounted = facts([
      read.rows[0]!,
      read.rows[1]!,
      [...copies[2]!.slice(0, 6), 5, -1] as FactRow,
    ]);
    for (const now of [moved, recounted]) {
      writeCompileFacts(dir, "h4", now, spaced);
      expect(body(dir)).toBe(JSON.stringify(now.map(factRowOf)));
    }
  });

  it("freezes the dependencies read: a row is never changed in place", () => {
    const dir = tmp();
    writeCompileFacts(dir, "h1", nodes());
    const read = readCompileFacts(dir, "h1", 3)!;
    expect(() => read.rows[2]![4].push("model.x")).toThrow(TypeError);
  });
});

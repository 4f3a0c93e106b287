import { describe, expect, it } from "vitest";
import { jsonPieces } from "./json-pieces.js";

const joined = (value: unknown, depth?: number) => [...jsonPieces(value, depth)].join("");

describe("jsonPieces", () => {
  const tricky = {
    text: 'quote " backslash \\ newline \n naïve — ü 😀 \u2028',
    numbers: [0, -0, 1.5e300, NaN, Infinity, -1],
    holes: [undefined, () => 1, Symbol("s"), null, { a: undefined }],
    skipped: undefined,
    fn: () => 1,
    when: new Date("2026-12-04T00:00:00Z"),
    nested: { empty: {}, list: [], deep: { deeper: { deepest: [1, { x: "y" }] } } },
    'key "quoted"': true,
    custom: { toJSON: () => ({ replaced: 1 }) },
  };

  it("joins to exactly JSON.stringify's text at every depth", () => {
    for (const depth of [0, 1, 2, 3, 4, 10])
      expect(joined(tricky, depth), `depth ${depth}`).toBe(JSON.stringify(tricky));
    for (const value of [null, 1, "s", [], {}, [[[]]], [undefined], { a: [undefined] }, true])
      expect(joined(value)).toBe(JSON.stringify(value));
  });

  it("splits containers down to the depth and no further", () => {
    const value = { a: [{ b: 1 }, { c: 2 }], d: "e" };
    expect([...jsonPieces(value, 1)]).toEqual([
      "{",
      '"a":',
      "[",
      '{"b":1}',
      ",",
      '{"c":2}',
      "]",
      ',"d":',
      '"e"',
      "}",
    ]);
    expect([...jsonPieces(value, 0)]).toEqual([
      "{",
      '"a":',
      '[{"b":1},{"c":2}]',
      ',"d":',
      '"e"',
      "}",
    ]);
  });

  it("writes a known object's text instead of serializing it, at any depth", () => {
    const node = { id: "model.a", sql: "select 1" };
    const value = { compiled: { nodes: [node, { id: "model.b" }] }, first: node };
    const known = (v: object) => (v === node ? '{"id":"model.a","sql":"select 1"}' : undefined);
    for (const depth of [0, 1, 2, 5])
      expect([...jsonPieces(value, depth, known)].join("")).toBe(JSON.stringify(value));
    // The text given is what is written: the object itself is not read.
    const stale = () => '{"stale":true}';
    expect([...jsonPieces({ a: [node] }, 2, (v) => (v === node ? stale() : undefined))]).toEqual([
      "{",
      '"a":',
      "[",
      '{"stale":true}',
      "]",
      "}",
    ]);
  });
});

import { describe, expect, it } from "vitest";
import { contextFunctions } from "../src/render/context.js";
import { namesAsWrittenScope, newScope } from "../src/render/render-scope.js";
import type { RenderScope } from "../src/render/render-scope.js";
import { fakeDialect } from "./fake-dialect.js";

describe("var() and env_var() reads", () => {
  it("records each read by kind and name, in every scope, whatever was read before", () => {
    let scope: RenderScope = namesAsWrittenScope("m.sql");
    const fns = contextFunctions(
      { dialect: fakeDialect(), vars: { x: 1, y: 2 }, env: { x: "e", z: "f" } },
      () => scope,
    ) as Record<string, (...a: unknown[]) => unknown>;
    const calls: [string, string][] = [
      ["var", "x"],
      ["env_var", "x"],
      ["var", "x"],
      ["env_var", "z"],
      ["var", "y"],
      ["env_var", "x"],
    ];
    const reads: string[][] = [];
    for (const order of [calls, [...calls].reverse()]) {
      scope = newScope({ ...scope, reads: new Set() });
      for (const [fn, name] of order) fns[fn]!(name);
      reads.push([...scope.reads]);
    }
    expect(reads).toEqual([
      ["var:x", "env:x", "env:z", "var:y"],
      ["env:x", "var:y", "env:z", "var:x"],
    ]);
  });
});

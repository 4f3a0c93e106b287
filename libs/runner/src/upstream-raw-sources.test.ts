import type { CompiledNode } from "@sluice/compiler";
import { createDuckdbDialect } from "@sluice/dialects";
import { describe, expect, it } from "vitest";
import { upstreamRawSources } from "./run-project.js";

const node = (i: number, over: Partial<CompiledNode> = {}): CompiledNode => ({
  id: `model.c${i}`,
  kind: "model",
  name: `c${i}`,
  path: `models/c${i}.sql`,
  schema: "s",
  relation: { schema: "s", name: `c${i}` },
  materialization: "view",
  partitionedBy: [],
  config: {},
  tags: [],
  columns: [],
  dependsOn: [`model.c${i + 1}`],
  sql: "",
  statements: [],
  ...over,
});

describe("upstreamRawSources", () => {
  it("finds the raw source at the end of a 100,000-model chain (no recursion per level)", () => {
    const n = 100_000;
    const chain = Array.from({ length: n }, (_, i) => node(i));
    chain.push(
      node(n, {
        id: "source.raw.events",
        kind: "source",
        materialization: "source",
        relation: { schema: "raw", name: "events" },
        location: "/lake/raw/events",
        dependsOn: [],
      }),
    );
    chain[n - 1] = node(n - 1, { dependsOn: ["source.raw.events"] });
    const found = upstreamRawSources(chain[0]!, chain, createDuckdbDialect());
    expect([...found.values()]).toEqual([{ location: "/lake/raw/events" }]);
  });
});

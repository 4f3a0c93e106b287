import { describe, expect, it } from "vitest";
import { sluiceNodeId } from "./dbt-ids.js";
import { entryRow, manifestStateNode } from "./read-state.js";
import type { ManifestNode } from "./read-state.js";
import { nodeRow } from "./state-sidecar.js";

describe("entryRow: a manifest entry as the row --state keeps, made directly", () => {
  it("equals nodeRow of the entry's state node, for every shape of the fields it reads", () => {
    const sums = { body: "b1", configs: "c1", relation: "r1", macros: "m1", contract: "k1" };
    const entries: unknown[] = [
      { unique_id: "model.shop.a", resource_type: "model", schema: "s", name: "a" },
      { unique_id: "model.shop.a", resource_type: "model", schema: "s", name: "a", alias: null },
      {
        unique_id: "source.shop.raw.e",
        resource_type: "source",
        schema: "raw",
        name: "e",
        identifier: "e2",
      },
      {
        unique_id: "model.shop.b",
        resource_type: "model",
        schema: "s",
        name: "b",
        alias: "bb",
        identifier: "x",
      },
      {
        unique_id: "model.shop.c",
        resource_type: "model",
        schema: "s",
        name: "c",
        config: null,
        meta: null,
      },
      {
        unique_id: "model.shop.c",
        resource_type: "model",
        schema: "s",
        name: "c",
        config: { materialized: null },
      },
      {
        unique_id: "model.shop.c",
        resource_type: "model",
        schema: "s",
        name: "c",
        config: { materialized: "" },
      },
      {
        unique_id: "model.shop.d",
        resource_type: "model",
        schema: "s",
        name: "d",
        config: { materialized: "table" },
      },
      {
        unique_id: "model.shop.e",
        resource_type: "model",
        schema: "s",
        name: "e",
        meta: { sluice: null },
      },
      {
        unique_id: "model.shop.e",
        resource_type: "model",
        schema: "s",
        name: "e",
        meta: { sluice: { checksums: null } },
      },
      {
        unique_id: "model.shop.f",
        resource_type: "model",
        schema: "s",
        name: "f",
        meta: { sluice: { checksums: sums, location: "s3://b/f" } },
      },
      // Parts that are not digests (a number, a space) pack as empty, as packChecksums writes them.
      {
        unique_id: "model.shop.g",
        resource_type: "model",
        schema: "s",
        name: "g",
        meta: { sluice: { checksums: { body: 7, configs: "a b", macros: "m" }, location: "" } },
      },
      { unique_id: "model.shop.h.v2", resource_type: "model", schema: "s", name: "h" },
      { unique_id: "model.shop", resource_type: "model", schema: "s", name: "i" },
      { unique_id: "model", resource_type: "model", schema: "s", name: "j" },
      { unique_id: "test.shop.unique_a_id.1f2e", resource_type: "test", name: "t" },
    ];
    for (const e of entries) {
      const n = e as ManifestNode;
      expect(entryRow(e), JSON.stringify(e)).toEqual(
        nodeRow(sluiceNodeId(n.unique_id), manifestStateNode(n)),
      );
    }
    expect(entryRow(entries[10])).toEqual([
      "model.f",
      "b1 c1 r1 m1 k1",
      "s",
      "f",
      "model",
      "",
      "s3://b/f",
    ]);
  });

  it("sluiceNodeId drops the package, the second part of a dbt unique id", () => {
    expect(sluiceNodeId("model.shop.funnel")).toBe("model.funnel");
    expect(sluiceNodeId("source.shop.raw.events")).toBe("source.raw.events");
    expect(sluiceNodeId("model.shop.a.v2")).toBe("model.a.v2");
    expect(sluiceNodeId("model.shop")).toBe("model");
    expect(sluiceNodeId("model")).toBe("model");
    expect(sluiceNodeId("model..x")).toBe("model.x");
    // What the split-and-join it replaces gave, on each of these.
    for (const id of ["a.b.c.d", "a.b", "a", "", "..", "a..", ".b.c"]) {
      const [kind, , ...rest] = id.split(".");
      expect(sluiceNodeId(id), id).toBe([kind, ...rest].join("."));
    }
  });
});

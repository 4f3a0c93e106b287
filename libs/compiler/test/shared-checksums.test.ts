import { describe, expect, it } from "vitest";
import {
  checksumParts,
  compileProject,
  nodeChecksums,
  packChecksums,
  partChecksums,
  sharedNodeChecksums,
  sharedPackedChecksums,
} from "../src/index.js";
import type { ChecksumPart } from "../src/index.js";
import { packedPartChecksums } from "../src/state/node-checksums.js";
import { fakeDialect } from "./fake-dialect.js";
import { model, project, rawEvents } from "./fixture-project.js";

const files = (report: string) =>
  project({
    config: { "model-paths": ["models"] },
    models: [
      model("models/stg.sql", "select line from {{ source('raw','events') }}"),
      model("models/daily.sql", "select line, 1 as n from {{ ref('stg') }}"),
      model("models/report.sql", report),
    ],
    sources: [rawEvents()],
  });
const compile = (p: ReturnType<typeof files>) => {
  const c = compileProject(p, { runId: "r1", dialect: fakeDialect() });
  expect(c.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  return c;
};
const REPORT = "select * from {{ ref('daily') }}";

describe("sharedNodeChecksums", () => {
  it("gives nodeChecksums' values, of the nodes asked for, in the compiled project's order", () => {
    const p = files(REPORT);
    const c = compile(p);
    const some = new Set(["model.report", "model.stg", "model.nowhere"]);
    expect([...sharedNodeChecksums(p, c, some)]).toEqual([...nodeChecksums(p, c, some)]);
    expect([...sharedNodeChecksums(p, c)]).toEqual([...nodeChecksums(p, c)]);
    expect([...sharedNodeChecksums(p, c, some).keys()]).toEqual(
      ["source.raw.events", "model.stg", "model.report"].filter((id) => some.has(id)),
    );
  });

  it("keeps each node's parts in part order, whichever were asked for first", () => {
    const p = files(REPORT);
    const c = compile(p);
    sharedNodeChecksums(p, c, undefined, ["macros"]);
    for (const sums of sharedNodeChecksums(p, c).values())
      expect(Object.keys(sums)).toEqual(checksumParts.filter((part) => part in sums));
    expect(JSON.stringify([...sharedNodeChecksums(p, c)])).toBe(
      JSON.stringify([...nodeChecksums(p, c)]),
    );
  });

  it("hashes a node once per compiled project: a second call returns the same objects", () => {
    const p = files(REPORT);
    const c = compile(p);
    const first = sharedNodeChecksums(p, c, new Set(["model.daily"]));
    const all = sharedNodeChecksums(p, c);
    expect(all.get("model.daily")).toBe(first.get("model.daily"));
    expect(sharedNodeChecksums(p, c).get("model.report")).toBe(all.get("model.report"));
    // A fresh computation makes new objects of the same values.
    expect(nodeChecksums(p, c).get("model.report")).not.toBe(all.get("model.report"));
  });

  it("keeps nothing across compiled projects: a changed model's new compile has its new body", () => {
    const before = files(REPORT);
    const old = sharedNodeChecksums(before, compile(before));
    const now = files(`${REPORT} where line is not null`);
    const current = sharedNodeChecksums(now, compile(now));
    expect(current.get("model.report")!.body).not.toBe(old.get("model.report")!.body);
    expect(current.get("model.daily")).toEqual(old.get("model.daily"));
  });
});

describe("sharedPackedChecksums", () => {
  const packedOf = (sums: Map<string, Partial<Record<ChecksumPart, string>>>) =>
    [...sums].map(([id, s]) => [id, packChecksums(s)]);

  it("packs partChecksums' digests of every node, of exactly the parts asked for", () => {
    const p = files(REPORT);
    for (const parts of [["body"], ["configs", "contract"], checksumParts] as ChecksumPart[][]) {
      const c = compile(p);
      expect([...sharedPackedChecksums(p, c, parts)]).toEqual(packedOf(partChecksums(p, c, parts)));
    }
  });

  it("then gives sharedNodeChecksums every part, those packed and those not hashed yet", () => {
    const p = files(REPORT);
    const c = compile(p);
    const packed = sharedPackedChecksums(p, c, ["body", "relation"]);
    expect(sharedPackedChecksums(p, c, ["body"])).toBe(packed);
    expect([...sharedNodeChecksums(p, c)]).toEqual([...nodeChecksums(p, c)]);
    const some = new Set(["model.daily"]);
    expect([...sharedNodeChecksums(p, c, some)]).toEqual([...nodeChecksums(p, c, some)]);
    // More parts than packed: the kept objects, completed, packed again.
    expect([...sharedPackedChecksums(p, c, checksumParts)]).toEqual(packedOf(nodeChecksums(p, c)));
  });

  it("packs the objects a manifest write kept, completed with the parts asked for", () => {
    const p = files(REPORT);
    const c = compile(p);
    sharedNodeChecksums(p, c, new Set(["model.daily"]), ["body"]);
    expect([...sharedPackedChecksums(p, c, ["body", "configs"])]).toEqual(
      packedOf(partChecksums(p, c, ["body", "configs"])),
    );
  });

  it("is not hashed again by sharedNodeChecksums: what was packed is what it gives", () => {
    const p = files(REPORT);
    const c = compile(p);
    const before = nodeChecksums(p, c).get("model.report")!.body;
    sharedPackedChecksums(p, c, ["body"]);
    // Compiled projects do not change; one that did shows which digests were hashed again.
    c.nodes.find((n) => n.id === "model.report")!.sql += " where false";
    expect(sharedNodeChecksums(p, c).get("model.report")!.body).toBe(before);
    expect(nodeChecksums(p, c).get("model.report")!.body).not.toBe(before);
  });
});

describe("packedPartChecksums' map (PackedById)", () => {
  it("reads as the Map of each node's packed checksums, in node order, with or without body", () => {
    const p = files(REPORT);
    const c = compile(p);
    for (const parts of [["body", "configs"], ["configs"]] satisfies ChecksumPart[][]) {
      const want = new Map(
        [...partChecksums(p, c, parts)].map(([id, sums]) => [id, packChecksums(sums)]),
      );
      const got = packedPartChecksums(p, c, parts);
      expect(got.size).toBe(want.size);
      expect([...got]).toEqual([...want]);
      expect([...got.keys()]).toEqual([...want.keys()]);
      expect([...got.values()]).toEqual([...want.values()]);
      expect([...got.entries()]).toEqual([...want.entries()]);
      const each: [string, string][] = [];
      got.forEach((v, k) => each.push([k, v]));
      expect(each).toEqual([...want]);
      for (const id of ["model.report", "source.raw.events", "model.nowhere"]) {
        expect(got.get(id)).toBe(want.get(id));
        expect(got.has(id)).toBe(want.has(id));
      }
    }
  });
});

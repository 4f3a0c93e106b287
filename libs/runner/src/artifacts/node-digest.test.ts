import { fileURLToPath } from "node:url";
import { compileProject } from "@sluice/compiler";
import type { CompiledNode } from "@sluice/compiler";
import { createDuckdbDialect } from "@sluice/dialects";
import { loadProject } from "@sluice/project";
import { describe, expect, it } from "vitest";
import { nodeDigest, placelessDigest, rootlessDigest } from "./node-digest.js";

const modelsDir = fileURLToPath(new URL("../../../../models", import.meta.url));

/** `node`'s JSON with every `from` written as `to` (a copy compiled in another folder or run). */
const moved = (node: CompiledNode, from: string, to: string): CompiledNode =>
  JSON.parse(JSON.stringify(node).replaceAll(from, to)) as CompiledNode;

/** {@link rootlessDigest} of `node` in folder `root`, compiled with run id `runId`. */
const rootless = (node: CompiledNode, root: string, runId: string) =>
  rootlessDigest(node, nodeDigest(node), root, runId);

describe("rootlessDigest: a node's digest without its project's folder and run id", () => {
  it("is the same for a table compiled in another folder with another run id", async () => {
    const project = await loadProject(modelsDir, { env: {} });
    const compiled = compileProject(project, { runId: "r1", dialect: createDuckdbDialect() });
    const tables = compiled.nodes.filter(
      (n) => n.location?.startsWith(project.dir) && !JSON.stringify(n.sql).includes(project.dir),
    );
    expect(tables.length).toBeGreaterThan(3);
    for (const node of tables) {
      const there = moved(moved(node, project.dir, "/ci/checkout"), "r1", "r2");
      expect(nodeDigest(there)).not.toBe(nodeDigest(node));
      expect(rootless(there, "/ci/checkout", "r2")).toBe(rootless(node, project.dir, "r1"));
      // Not the digest of any plain text (its text holds a placeholder no JSON text holds).
      expect(rootless(node, project.dir, "r1")).not.toBe(nodeDigest(node));
    }
  });

  const table = {
    id: "model.t",
    kind: "model",
    sql: "select 1 as x",
    relation: { schema: "marts", name: "t" },
    location: "/home/a/proj/.lake/marts/t/v_r1",
    statements: [{ kind: "ctas", sql: "COPY (select 1) TO '/home/a/proj/.lake/marts/t/v_r1'" }],
  } as unknown as CompiledNode;

  it("keeps the plain digest when neither the folder nor the run id is in the node", () => {
    const node = { ...table, location: "/srv/lake/t", statements: [] } as CompiledNode;
    expect(rootless(node, "/home/a/proj", "r1")).toBe(nodeDigest(node));
  });

  it("tells apart nodes that differ outside the folder and run id", () => {
    const other = { ...table, location: "/home/a/proj/.lake/marts/t/v_r1/other" } as CompiledNode;
    expect(rootless(moved(other, "/home/a/proj", "/b"), "/b", "r1")).not.toBe(
      rootless(table, "/home/a/proj", "r1"),
    );
    // A lake outside the project: its path is not taken out, so a change of it shows.
    const lake = { ...table, location: "/srv/lake-1/t" } as CompiledNode;
    const lake2 = { ...table, location: "/srv/lake-2/t" } as CompiledNode;
    expect(rootless(lake, "/home/a/proj", "r1")).not.toBe(rootless(lake2, "/home/b/proj", "r1"));
  });

  it("keeps the plain digest when a field the checksums read holds the folder or run id", () => {
    for (const sql of ["select '/home/a/proj/data.csv' as p", "select 'r1' as run"]) {
      const node = { ...table, sql } as CompiledNode;
      expect(rootless(node, "/home/a/proj", "r1")).toBe(nodeDigest(node));
      // In another folder (or run) it does not match: hashed, as its SQL is not the same.
      const there = moved(moved(node, "/home/a/proj", "/b"), "r1", "r2");
      expect(rootless(there, "/b", "r2")).not.toBe(rootless(node, "/home/a/proj", "r1"));
    }
  });

  it("has a placeless digest, the same in every run, only when no field it reads holds either", () => {
    const placeless = (node: CompiledNode, root: string, runId: string) =>
      placelessDigest(node, nodeDigest(node), root, runId);
    const run2 = moved(table, "r1", "r2");
    expect(placeless(table, "/home/a/proj", "r1")).toBe(rootless(table, "/home/a/proj", "r1"));
    expect(placeless(run2, "/home/a/proj", "r2")).toBe(placeless(table, "/home/a/proj", "r1"));
    for (const sql of ["select '/home/a/proj/data.csv' as p", "select 'r1' as run"])
      expect(placeless({ ...table, sql } as CompiledNode, "/home/a/proj", "r1")).toBe(undefined);
    // A run id also written in lower case (a name made of it): no placeholder covers that copy.
    const upper = moved(table, "r1", "20261201T000000Z_ab12");
    const named = {
      ...upper,
      statements: [{ kind: "ctas", sql: "create table tmp_20261201t000000z_ab12 as select 1" }],
    } as unknown as CompiledNode;
    expect(placeless(upper, "/home/a/proj", "20261201T000000Z_ab12")).toBeDefined();
    expect(placeless(named, "/home/a/proj", "20261201T000000Z_ab12")).toBe(undefined);
    expect(rootless(named, "/home/a/proj", "20261201T000000Z_ab12")).toBe(nodeDigest(named));
  });
});

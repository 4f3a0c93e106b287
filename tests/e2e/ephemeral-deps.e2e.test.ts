import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { copyModelsProject, runSluice } from "../support/cli.js";

// A view over an ephemeral over a table: the view depends on the table the ephemeral reads, so a
// parallel build on an empty lake creates the table first (the runner never runs ephemerals).
describe("a model inlining an ephemeral depends on what the ephemeral reads", () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    ({ dir, cleanup } = await copyModelsProject());
    const marts = path.join(dir, "marts");
    await writeFile(
      path.join(marts, "eph_base.sql"),
      "{{ config(materialized='table') }}\nselect iso2, country from {{ ref('country_codes') }}\n",
    );
    await writeFile(
      path.join(marts, "eph_middle.sql"),
      "{{ config(materialized='ephemeral') }}\nselect iso2 from {{ ref('eph_base') }} where iso2 like 'F%'\n",
    );
    await writeFile(
      path.join(marts, "eph_top.sql"),
      "{{ config(materialized='view') }}\nselect count(*) as n from {{ ref('eph_middle') }}\n",
    );
  });
  afterAll(async () => cleanup());
  const sluice = (...args: string[]) => runSluice(["--project-dir", dir, ...args]);

  it("ls -s +eph_top lists the table and seed upstream of the ephemeral", async () => {
    const r = await sluice("ls", "--format", "name", "-s", "+eph_top");
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim().split("\n").sort()).toEqual([
      "model.eph_base",
      "model.eph_middle",
      "model.eph_top",
      "seed.country_codes",
    ]);
  });

  it("build -s +eph_top --threads 4 on an empty lake succeeds and the view reads the table", async () => {
    const build = await sluice("build", "-s", "+eph_top", "--threads", "4");
    expect(build.code, build.stdout + build.stderr).toBe(0);
    const q = await sluice("query", "select n from marts.eph_top", "--format", "json");
    expect(q.code, q.stderr).toBe(0);
    // Counted from the seed's bytes: rows whose iso2 (second to last cell) starts with F.
    const csv = await readFile(path.join(dir, "seeds/country_codes.csv"), "utf8");
    const expected = csv.split("\n").filter((l) => /,F[A-Z],[A-Z]{3}\r?$/.test(l)).length;
    expect(expected).toBeGreaterThan(0);
    expect(JSON.parse(q.stdout)).toEqual([{ n: expected }]);
  });
});

import { describe, expect, it } from "vitest";
import { createDuckdbDialect } from "@sluice/dialects";
import type { Relation } from "@sluice/dialects";
import { QueryError, type LakeEngine, type VersionDamage } from "@sluice/engines";
import { assertUpstreamIntact, assertVersionIntact, damageMessage } from "./version-check.js";

const stg: Relation = { schema: "staging", name: "stg_events" };
const missing = (n: number): VersionDamage => ({
  table: "staging.stg_events",
  version: "/lake/staging/stg_events/v_1",
  path: `/lake/staging/stg_events/v_1/part-${n}.parquet`,
  problem: "missing file",
});

/** A lake engine whose only table version has `damage`; counts the checks (the rest: not used). */
function fakeEngine(damage: VersionDamage[]): LakeEngine & { checks: number } {
  const unused = () => Promise.reject(new Error("not used"));
  const engine = {
    name: "duckdb" as const,
    family: "lake" as const,
    checks: 0,
    execute: unused,
    carryVersionFiles: unused,
    carriedFilePath: () => "",
    listRawHours: unused,
    rawHoursChangedSince: unused,
    loadRawWindow: unused,
    versionFilesFrom: unused,
    versionFileOrigins: unused,
    versionFiles: unused,
    carryRecord: unused,
    verifyLake: unused,
    finishRun: unused,
    describeRelation: () =>
      Promise.resolve({
        exists: true,
        kind: "table" as const,
        location: "/lake/staging/stg_events/v_1",
      }),
    removeStaleLocations: () => Promise.resolve(),
    checkTableVersion: () => {
      engine.checks += 1;
      return Promise.resolve(damage);
    },
    close: () => Promise.resolve(),
  };
  return engine;
}

describe("checking table versions before they are read", () => {
  it("names the damage (at most five files) and the command that recovers", () => {
    const message = damageMessage("stg_events", [1, 2, 3, 4, 5, 6, 7].map(missing));
    expect(message).toContain(
      "staging.stg_events: its published version /lake/staging/stg_events/v_1 is damaged: " +
        "missing file /lake/staging/stg_events/v_1/part-1.parquet; ",
    );
    expect(message).toContain("part-5.parquet, and 2 more.");
    expect(message).not.toContain("part-6");
    expect(message).toMatch(/`sluice build --full-refresh --select stg_events\+`$/);
    const changed: VersionDamage = {
      ...missing(1),
      problem: "size changed",
      expectedBytes: 9,
      actualBytes: 4,
    };
    expect(damageMessage("stg_events", [changed])).toContain("(9 bytes recorded, 4 found)");
  });

  it("throws a QueryError (the node fails, the build goes on with what does not depend on it)", async () => {
    const engine = fakeEngine([missing(1)]);
    await expect(
      assertVersionIntact(engine, stg, "/lake/staging/stg_events/v_1", "stg_events"),
    ).rejects.toThrow(QueryError);
    await expect(
      assertVersionIntact(fakeEngine([]), stg, "/x", "stg_events"),
    ).resolves.toBeUndefined();
  });

  it("checks an upstream table once per run, however many nodes read it", async () => {
    const engine = fakeEngine([]);
    const ctx = {
      engine,
      dialect: createDuckdbDialect(),
      fullRefresh: false,
      writeId: "1",
      upstreamTables: [{ name: "stg_events", relation: stg }],
      checkedVersions: new Map<string, Promise<void>>(),
    };
    await Promise.all([assertUpstreamIntact(ctx), assertUpstreamIntact(ctx)]);
    await assertUpstreamIntact(ctx);
    expect(engine.checks).toBe(1);
    const damaged = { ...ctx, engine: fakeEngine([missing(1)]), checkedVersions: new Map() };
    await expect(assertUpstreamIntact(damaged)).rejects.toThrow(/--select stg_events\+/);
  });
});

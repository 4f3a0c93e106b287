import { rm } from "node:fs/promises";
import path from "node:path";
import { DuckDBConnection } from "@duckdb/node-api";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { copyModelsProject, readRunResults } from "../support/cli.js";
import { loadProject, runInProcess } from "./in-process.js";
import { chaos, SILVER, sluice, TABLES } from "./incremental-fixture.js";
import {
  copyDir,
  expose,
  lakeState,
  publishedFiles,
  rawHours,
  tableHashes,
} from "./lake-fixture.js";

/** Three days of incremental silver on the local lake, hour by hour (see incremental.e2e.test.ts). */
let root: string;
let cleanup: () => Promise<void>;
let fullDir: string;

beforeAll(async () => {
  const project = await copyModelsProject();
  cleanup = project.cleanup;
  root = path.dirname(project.dir);
  fullDir = project.dir;
});

afterAll(async () => cleanup?.());

describe("incremental silver on the local lake", () => {
  it("three days hour by hour (72 runs) equal one full build, reconcile every run, and a re-run changes nothing", async () => {
    // The 72 hourly runs go through the libraries in this process (silver + its reconciliation);
    // the full build and the final re-run go through the CLI, marts included.
    const days = path.join(root, "days");
    await copyDir(fullDir, days);
    await rm(path.join(days, ".lake"), { recursive: true, force: true });
    const gen = await sluice(days, [
      "generate",
      "--events",
      "2880",
      "--start",
      "2026-11-24T00:00:00Z",
      "--hours",
      "72",
      "--seed",
      "7",
      ...chaos,
    ]);
    expect(gen.code, gen.stderr).toBe(0);
    const dayRaw = path.join(root, "days-raw");
    await copyDir(path.join(days, ".lake/raw/events"), dayRaw);
    const dayHours = await rawHours(dayRaw);
    expect(dayHours.length).toBeGreaterThanOrEqual(72);
    const full = await sluice(days, ["build"]);
    expect(full.code, full.stderr).toBe(0);
    const expected = await tableHashes(days, TABLES);

    const dir = path.join(root, "hourly");
    await copyDir(days, dir);
    await rm(path.join(dir, ".lake"), { recursive: true, force: true });
    await rm(path.join(dir, "target"), { recursive: true, force: true });
    const project = await loadProject(dir);
    expect(project.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    let balanced = 0;
    for (const hour of dayHours) {
      await expose(dayRaw, dir, [hour]);
      // Each write over history (the first build) keeps DuckDB's threads; each over new data
      // (every later hour) runs on one (ExecuteOptions.newDataOnly).
      const writes: (boolean | undefined)[] = [];
      // Every incremental model's window is planned from one read of the lake's table state.
      const stateReads: string[] = [];
      // The engine reads the version records once per run (not per table checked or cleaned).
      const sent = vi.spyOn(DuckDBConnection.prototype, "runAndReadAll");
      const r = await runInProcess(project, SILVER, {
        onExecute: (sql, o) => {
          if (/^\s*copy\b/i.test(sql)) writes.push(o?.newDataOnly);
          if (/^\s*select\b[^;]*\bfrom main\.sluice_table_state\b/i.test(sql)) stateReads.push(sql);
        },
      });
      const versionReads = sent.mock.calls.filter(([sql]) =>
        /^\s*select\b[^;]*\bfrom main\.sluice_versions\b/i.test(String(sql)),
      );
      sent.mockRestore();
      expect(versionReads.length, hour).toBe(1);
      expect(writes.length, hour).toBeGreaterThan(0);
      expect(new Set(writes), hour).toEqual(new Set([hour !== dayHours[0]]));
      expect(stateReads, hour).toEqual(
        hour === dayHours[0] ? [] : ["SELECT * FROM main.sluice_table_state"],
      );
      const failed = r.results.filter((x) => !["success", "pass"].includes(x.status));
      expect(failed.map((x) => `${hour} ${x.id}: ${x.message}`)).toEqual([]);
      const check = r.results.find((x) => x.id === "reconcile.events");
      expect(check?.message, hour).toMatch(/^reconciled \d+ raw partitions from /);
      if (hour !== dayHours[0]) expect(check?.message, hour).not.toContain("from 0000/00/00/00");
      balanced += 1;
    }
    expect(balanced).toBe(dayHours.length);
    // Closed days are packed (libs/engines version-packs.ts): the published stg_events holds one
    // file for each of 11/24 and 11/25, not 48 hourly ones; the last day's hours stay as they are.
    const staged = await publishedFiles(dir, "staging.stg_events");
    expect(staged.filter((f) => /^dt=2026%2F11%2F2[45]/.test(f))).toEqual([
      expect.stringMatching(
        /^dt=2026%2F11%2F24%2F00%%dt=2026%2F11%2F24%2F23~pack-v_[^/]+\.parquet$/,
      ),
      expect.stringMatching(
        /^dt=2026%2F11%2F25%2F00%%dt=2026%2F11%2F25%2F23~pack-v_[^/]+\.parquet$/,
      ),
    ]);
    expect(staged.filter((f) => /^dt=2026%2F11%2F26/.test(f)).length).toBe(24);
    const silver = TABLES.filter((t) => t.startsWith("silver.") && t !== "silver.order_items");
    const pick = (h: Record<string, string>) => Object.fromEntries(silver.map((t) => [t, h[t]]));
    expect(pick(await tableHashes(dir, silver))).toEqual(pick(expected));

    // A CLI build with no new raw data: silver unchanged, marts built, everything equals the full build.
    const again = await sluice(dir, ["build"]);
    expect(again.code, again.stdout + again.stderr).toBe(0);
    expect(again.stderr).toMatch(/PASS\s+test reconcile_events .* reconciled \d+ raw partitions/);
    const state = await lakeState(dir, TABLES);
    expect(state.hashes).toEqual(expected);
    const results = (await readRunResults(dir)) as {
      results: { id: string; status: string; reconciliation?: unknown[] }[];
    };
    const check = results.results.find((r) => r.id === "reconcile.events");
    expect(check?.status).toBe("pass");
    // Nothing new and no late file: no raw hour is read again.
    expect(check?.reconciliation).toEqual([]);
    expect(state.leftovers).toEqual([]);
  }, 600_000);
});

import { mkdir, readFile, utimes, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { copyModelsProject, runSluice } from "../support/cli.js";

interface SourcesJson {
  metadata: { dbt_schema_version: string };
  results: {
    unique_id: string;
    status: string;
    max_loaded_at?: string;
    snapshotted_at: string;
    max_loaded_at_time_ago_in_s?: number;
    criteria: { warn_after: unknown; error_after: unknown; filter: string | null };
  }[];
}

/**
 * `sluice source freshness` on a temp copy of the models project: the raw events source
 * (warn after 2 hours, error after 6) judged from its newest hour folder's file times, which the
 * test sets; a loaded_at_field with a filter read by SQL; source_status:fresher against --state.
 */
describe("sluice source freshness", () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  const sluice = (...args: string[]) => runSluice(["--project-dir", dir, ...args]);
  const sourcesJson = async (file = path.join(dir, "target/sources.json")) =>
    JSON.parse(await readFile(file, "utf8")) as SourcesJson;
  const hourFile = (hour: string) => path.join(dir, ".lake/raw/events", hour, "events-1");
  const writeHour = async (hour: string, hoursAgo: number) => {
    await mkdir(path.dirname(hourFile(hour)), { recursive: true });
    await writeFile(
      hourFile(hour),
      '{"event_id":"e1","event_type":"product_view","event_timestamp":"2026-01-01T10:30:00Z"}\n',
    );
    const t = new Date(Date.now() - hoursAgo * 3_600_000);
    await utimes(hourFile(hour), t, t);
    return t;
  };

  beforeAll(async () => {
    ({ dir, cleanup } = await copyModelsProject());
    // The catalog and the raw view (a freshness check reads a snapshot of the catalog).
    await writeHour("2026/01/01/08", 10);
    const registered = await sluice("sources", "register");
    expect(registered.code, registered.stderr).toBe(0);
  });
  afterAll(() => cleanup());

  it("pass, warn and error by the newest hour's file time, with dbt's exit codes", async () => {
    // An older hour with a newer file does not count: the newest hour folder does.
    await writeHour("2026/01/01/09", 0);
    const landed = await writeHour("2026/01/01/10", 1);
    const pass = await sluice("source", "freshness");
    expect(pass.code, pass.stdout + pass.stderr).toBe(0);
    expect(pass.stdout).toMatch(
      /^PASS  raw\.events: newest hour 2026\/01\/01\/10, its last file landed 1\.0 h ago \(warn after 2 hours, error after 6 hours\)$/m,
    );
    const json = await sourcesJson();
    expect(json.metadata.dbt_schema_version).toBe("https://schemas.getdbt.com/dbt/sources/v3.json");
    expect(json.results).toHaveLength(1);
    const [r] = json.results;
    expect(r).toMatchObject({
      unique_id: "source.raw.events",
      status: "pass",
      criteria: {
        warn_after: { count: 2, period: "hour" },
        error_after: { count: 6, period: "hour" },
        filter: null,
      },
    });
    expect(Math.abs(Date.parse(r!.max_loaded_at!) - landed.getTime())).toBeLessThan(1000);
    expect(r!.max_loaded_at_time_ago_in_s).toBeGreaterThanOrEqual(3599);
    expect(r!.max_loaded_at_time_ago_in_s).toBeLessThan(3700);

    await writeHour("2026/01/01/10", 3);
    await writeHour("2026/01/01/09", 3);
    const warn = await sluice("source", "freshness");
    expect(warn.code).toBe(0);
    expect(warn.stdout).toMatch(/^WARN  raw\.events: .* 3\.0 h ago/m);
    expect((await sourcesJson()).results[0]!.status).toBe("warn");

    await writeHour("2026/01/01/10", 7);
    await writeHour("2026/01/01/09", 7);
    const error = await sluice("source", "freshness", "--format", "json");
    expect(error.code).toBe(1);
    expect((JSON.parse(error.stdout) as SourcesJson["results"])[0]!.status).toBe("error");
    expect((await sourcesJson()).results[0]!.status).toBe("error");
  });

  it("source_status:fresher selects the sources with newer data than --state's sources.json, + their children", async () => {
    const state = path.join(dir, "..", "prod-artifacts");
    await mkdir(state, { recursive: true });
    await writeHour("2026/01/01/10", 7);
    expect((await sluice("source", "freshness")).code).toBe(1);
    await writeFile(
      path.join(state, "sources.json"),
      await readFile(path.join(dir, "target/sources.json")),
    );
    // A state folder is a previous run's target/: --state reads its manifest.json too.
    expect((await sluice("compile")).code).toBe(0);
    await writeFile(
      path.join(state, "manifest.json"),
      await readFile(path.join(dir, "target/manifest.json")),
    );
    const ls = (...args: string[]) => sluice("ls", "--format", "name", ...args);
    const same = await ls("-s", "source_status:fresher+", "--state", state);
    expect(same.code).toBe(0);
    expect(same.stdout.trim()).toBe("");
    await writeHour("2026/01/01/11", 0);
    expect((await sluice("source", "freshness")).code).toBe(0);
    const fresher = await ls("-s", "source_status:fresher+", "--state", state);
    const ids = fresher.stdout.trim().split("\n");
    expect(ids[0]).toBe("source.raw.events");
    expect(ids).toContain("model.stg_events");
    expect(ids).toContain("model.sales_by_country");
    expect(ids).not.toContain("seed.country_codes");
    const noState = await ls("-s", "source_status:fresher");
    expect(noState.code).toBe(2);
    expect(noState.stderr).toContain("pass --state DIR");
  });

  it("loaded_at_field with a filter: the newest value by SQL; a bad threshold is refused at its position", async () => {
    const raw = path.join(dir, "sources/raw.yml");
    const text = await readFile(raw, "utf8");
    await writeFile(
      raw,
      text.replace(
        "        freshness:\n",
        `        loaded_at_field: "cast(from_iso8601_timestamp(json_extract_scalar(line, '$.event_timestamp')) as timestamp)"\n        freshness:\n          filter: "dt >= '2026/01/01/10'"\n`,
      ),
    );
    const r = await sluice("source", "freshness");
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(r.stdout).toContain("ERROR raw.events: max(cast(from_iso8601_timestamp");
    const [result] = (await sourcesJson()).results;
    expect(result).toMatchObject({
      status: "error",
      max_loaded_at: "2026-01-01T10:30:00.000Z",
      criteria: { filter: "dt >= '2026/01/01/10'" },
    });
    await writeFile(raw, text.replace("count: 2, period: hour", "count: 2, period: fortnight"));
    const bad = await sluice("source", "freshness");
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(
      /sources\/raw\.yml:\d+:\d+: error PROPERTIES_INVALID: sources\[0\]\.tables\[0\]\.freshness\.warn_after\.period/,
    );
    await writeFile(raw, text);
  });
});

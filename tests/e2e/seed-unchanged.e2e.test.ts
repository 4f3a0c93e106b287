import { readdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { copyModelsProject, runSluice } from "../support/cli.js";

/**
 * A seed whose rows and definition did not change is not loaded again on the local lake (its
 * version records the fingerprint it was loaded from); a changed CSV is, and so is any seed on
 * --full-refresh. Checked from outside: the run's message, the version folders on disk, the
 * table state's location, and the rows read back.
 */
describe("seeds: an unchanged seed is left as it is, a changed one reloaded", () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  const sluice = async (...args: string[]) => {
    const r = await runSluice(["--project-dir", dir, ...args]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    return r.stdout;
  };
  /** The seed's result message, as `--format json` prints it. */
  const seed = async (...args: string[]) => {
    const out = JSON.parse(await sluice("seed", "--format", "json", ...args)) as {
      results: { id: string; message: string }[];
    };
    return out.results.find((r) => r.id === "seed.country_codes")?.message;
  };
  const query = async (sql: string) =>
    JSON.parse(await sluice("query", "--format", "json", sql)) as Record<string, unknown>[];
  const location = async () =>
    (
      await query(
        "select location from main.sluice_table_state where schema_name = 'seeds' and table_name = 'country_codes'",
      )
    )[0]?.["location"];
  const versions = async () => readdir(path.join(dir, ".lake/seeds/country_codes"));
  const csv = () => path.join(dir, "seeds/country_codes.csv");

  beforeAll(async () => {
    ({ dir, cleanup } = await copyModelsProject());
  });
  afterAll(async () => cleanup());

  it("loads, skips while unchanged, reloads a changed CSV and on --full-refresh", async () => {
    const rows = (await readFile(csv(), "utf8")).trim().split("\n").length - 1;
    expect(await seed()).toBe(`created table ${rows} rows`);
    const first = await location();
    expect(first).toMatch(/\/seeds\/country_codes\/v_/);

    expect(await seed()).toBe("unchanged: the same rows and definition as its version");
    expect(await location()).toBe(first);
    expect(await versions()).toEqual([path.basename(String(first))]);
    expect(await query("select count(*) as n from seeds.country_codes")).toEqual([{ n: rows }]);

    // One cell changed: reloaded, and the new value is what the table reads.
    const text = await readFile(csv(), "utf8");
    expect(text).toContain("Germany,DE,DEU\n");
    await writeFile(csv(), text.replace("Germany,DE,DEU\n", "Germany,DE,DEX\n"));
    expect(await seed()).toBe(`created table ${rows} rows`);
    const second = await location();
    expect(second).not.toBe(first);
    expect(await query("select iso3 from seeds.country_codes where iso2 = 'DE'")).toEqual([
      { iso3: "DEX" },
    ]);
    expect(await seed()).toMatch(/^unchanged/);
    // The summary counts it as unchanged, not as a seed built with 0 rows.
    expect(await sluice("seed")).toMatch(
      /^Done in [\d.]+ m?s\. 0 models and 0 seeds built \(0 rows\), 1 seed unchanged, 0 errors, 0 skipped\.$/m,
    );

    // --full-refresh loads it whatever it recorded.
    expect(await seed("--full-refresh")).toBe(`created table ${rows} rows`);
    expect(await location()).not.toBe(second);
  }, 120_000);
});

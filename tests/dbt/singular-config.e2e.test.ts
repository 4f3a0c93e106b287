import { cp, readFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repoRoot } from "../support/cli.js";
import { copyJaffleShop, dbtCli } from "../support/dbt-fixture.js";

/**
 * Singular tests' `config(...)` applied as dbt applies it (tests/fixtures/dbt/singular_tests,
 * added to a copy of jaffle_shop). Failure counts by hand from raw_payments (cents / 100):
 * 10.5 20 1 9.5 25.25 3 0.01.
 */
let dir: string;
let cleanup: () => Promise<void>;
const { sluice } = dbtCli(() => dir);
let build: Awaited<ReturnType<typeof sluice>>;
let results: Record<string, { status: string; failures: number | null }>;

const readResults = async () =>
  Object.fromEntries(
    (
      JSON.parse(await readFile(path.join(dir, "target/run_results.json"), "utf8")).results as {
        unique_id: string;
        status: string;
        failures: number | null;
      }[]
    ).map((r) => [r.unique_id.replace("test.jaffle_shop.", ""), r]),
  );

beforeAll(async () => {
  ({ dir, cleanup } = await copyJaffleShop());
  await cp(
    path.join(repoRoot, "tests/fixtures/dbt/singular_tests"),
    path.join(dir, "tests/singular"),
    { recursive: true },
  );
  build = await sluice("build", "--select", "+stg_payments", "+stg_orders");
  results = await readResults();
}, 240_000);
afterAll(async () => cleanup());

describe("a singular test's config (dbt project)", () => {
  it("builds: warnings do not fail it (exit 0)", () => {
    expect(build.code, build.stdout + build.stderr).toBe(0);
  });

  it("severity='warn': 2 failing rows are a warning", () => {
    expect(results["big_payments_warn"]).toMatchObject({ status: "warn", failures: 2 });
  });

  it("warn_if/error_if: 3 failing rows warn (>1) and do not fail (>5)", () => {
    expect(results["small_payments_thresholds"]).toMatchObject({ status: "warn", failures: 3 });
  });

  it("limit=2: 7 failing rows, 2 counted, so error_if '>2' does not fail", () => {
    expect(results["all_payments_limited"]).toMatchObject({ status: "warn", failures: 2 });
  });

  it("enabled=false: never runs", () => {
    expect(Object.keys(results)).not.toContain("disabled_check");
    expect(results["nightly_orders"]).toMatchObject({ status: "pass", failures: 0 });
  });

  it("where is warned about at file:line:column, with why", () => {
    expect(build.stderr).toMatch(
      /tests\/singular\/nightly_orders\.sql:2:29: warn TEST_INVALID: config 'where' of a singular test is not applied/,
    );
  });

  it("tags select it: test --select tag:nightly runs only it", async () => {
    const run = await sluice("test", "--select", "tag:nightly");
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(Object.keys(await readResults())).toEqual(["nightly_orders"]);
  });
});

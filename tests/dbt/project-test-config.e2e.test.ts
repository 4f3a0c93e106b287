import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { copyJaffleShop, dbtCli, jaffleShopDir } from "../support/dbt-fixture.js";

/**
 * dbt_project.yml's `data_tests:` config, applied as dbt applies it: by the folder of the yml
 * (or, for a singular test, of the .sql file under the test paths) and by package, the test's own
 * `config:` over it. A copy of jaffle_shop gets a model `audit/audit_orders` (raw_orders as is)
 * with two failing tests, a failing singular test under `tests/audit/`, and project config.
 * Expected failure counts are counted here from raw_orders.csv.
 */
let dir: string;
let cleanup: () => Promise<void>;
const { sluice, query } = dbtCli(() => dir);
let orders: { id: number; status: string }[];

const AUDIT_YML = `version: 2
models:
  - name: audit_orders
    data_tests:
      - mini_utils.expression_is_true:
          expression: "status = 'completed'"
      - mini_utils.expression_is_true:
          expression: "order_id <= 3"
          config:
            severity: error
`;

interface Result {
  unique_id: string;
  status: string;
  failures?: number | null;
}
const results = async (): Promise<Map<string, Result>> => {
  const text = await readFile(path.join(dir, "target/run_results.json"), "utf8");
  const all = (JSON.parse(text) as { results: Result[] }).results;
  return new Map(all.map((r) => [r.unique_id.split(".").slice(2).join("."), r]));
};
const setTestConfig = async (block: string) => {
  const file = path.join(dir, "dbt_project.yml");
  const text = await readFile(path.join(jaffleShopDir, "dbt_project.yml"), "utf8");
  await writeFile(file, `${text}\ndata_tests:\n${block}`);
};

beforeAll(async () => {
  ({ dir, cleanup } = await copyJaffleShop());
  const csv = await readFile(path.join(dir, "seeds/raw_orders.csv"), "utf8");
  orders = csv
    .trim()
    .split("\n")
    .slice(1)
    .map((line) => line.split(","))
    .map(([id, , , status]) => ({ id: Number(id), status: status! }));
  await mkdir(path.join(dir, "models/audit"));
  await writeFile(
    path.join(dir, "models/audit/audit_orders.sql"),
    "select * from {{ ref('stg_orders') }}\n",
  );
  await writeFile(path.join(dir, "models/audit/schema.yml"), AUDIT_YML);
  await mkdir(path.join(dir, "tests/audit"));
  await writeFile(
    path.join(dir, "tests/audit/assert_nothing_shipped.sql"),
    "select * from {{ ref('audit_orders') }} where status = 'shipped'\n",
  );
}, 60_000);
afterAll(async () => cleanup());

describe("dbt_project.yml data_tests: config", () => {
  it("folder +severity: warn warns, the test's own severity wins, +enabled: false removes a folder's tests, a package's config leaves the project's tests alone", async () => {
    await setTestConfig(
      [
        "  +tags: ['every_test']",
        "  jaffle_shop:",
        "    audit:",
        "      +severity: warn",
        "      +tags: ['audit']",
        "    staging:",
        "      +enabled: false",
        "  mini_utils:",
        "    +severity: warn",
        "    +enabled: false",
        "",
      ].join("\n"),
    );
    const build = await sluice("build");
    // The test whose own config says error fails the build.
    expect(build.code, build.stdout + build.stderr).toBe(1);
    expect(build.stderr).not.toMatch(/DBT_KEY_IGNORED: '(data_)?tests'/);
    const r = await results();
    const notCompleted = orders.filter((o) => o.status !== "completed").length;
    const above3 = orders.filter((o) => o.id > 3).length;
    const shipped = orders.filter((o) => o.status === "shipped").length;
    expect([notCompleted, above3, shipped]).toEqual([3, 2, 1]);
    expect(r.get("expression_is_true_audit_orders")).toMatchObject({
      status: "warn",
      failures: notCompleted,
    });
    expect(r.get("expression_is_true_audit_orders_2")).toMatchObject({
      status: "fail",
      failures: above3,
    });
    // A singular test takes the config of its folder under the test paths.
    expect(r.get("assert_nothing_shipped")).toMatchObject({ status: "warn", failures: shipped });
    // staging/schema.yml declares 9 tests: none is built; the marts' tests still run.
    const ids = [...r.values()]
      .filter((x) => x.unique_id.startsWith("test."))
      .map((x) => x.unique_id.split(".").slice(2).join("."));
    expect(ids.filter((id) => id.includes("stg_"))).toEqual([]);
    expect(ids).toContain("unique_customers_customer_id");
    // mini_utils' config is for the package's own tests: the project's tests that call its
    // generic tests (order_keys in marts/schema.yml) run, and fail as errors would.
    expect(ids.filter((id) => id.includes("order_keys")).length).toBe(5);
    for (const id of ids.filter((id) => id.includes("order_keys")))
      expect(r.get(id)!.status).toBe("pass");
    const manifest = JSON.parse(await readFile(path.join(dir, "target/manifest.json"), "utf8")) as {
      nodes: Record<string, { resource_type: string; tags: string[] }>;
    };
    const tests = Object.entries(manifest.nodes).filter(([, n]) => n.resource_type === "test");
    expect(tests.filter(([id]) => id.includes("stg_"))).toEqual([]);
    const audit = tests.filter(([, n]) => n.tags.includes("audit")).map(([id]) => id);
    expect(audit.sort()).toEqual([
      "test.jaffle_shop.assert_nothing_shipped",
      "test.jaffle_shop.expression_is_true_audit_orders",
      "test.jaffle_shop.expression_is_true_audit_orders_2",
    ]);
    expect(tests.every(([, n]) => n.tags.includes("every_test"))).toBe(true);
  }, 240_000);

  it("with only project-level severity, the failing tests warn and the run exits 0; tags select them", async () => {
    await writeFile(
      path.join(dir, "models/audit/schema.yml"),
      AUDIT_YML.replace(/\n {6}- mini_utils\.expression_is_true:\n.*order_id[^]*$/, "\n"),
    );
    const run = await sluice("test", "--select", "tag:audit");
    expect(run.code, run.stdout + run.stderr).toBe(0);
    const r = await results();
    expect([...r.keys()].sort()).toEqual([
      "assert_nothing_shipped",
      "expression_is_true_audit_orders",
    ]);
    expect([...r.values()].map((x) => x.status)).toEqual(["warn", "warn"]);
  }, 120_000);

  it("+where narrows a generic test's rows (not a singular test's); +store_failures keeps them without the flag", async () => {
    await setTestConfig(
      [
        "  jaffle_shop:",
        "    audit:",
        "      +severity: warn",
        "      +tags: ['audit']",
        '      +where: "order_id >= 2"',
        "      +store_failures: true",
        "",
      ].join("\n"),
    );
    const run = await sluice("test", "--select", "tag:audit");
    expect(run.code, run.stdout + run.stderr).toBe(0);
    const r = await results();
    const failing = orders.filter((o) => o.id >= 2 && o.status !== "completed");
    expect(failing.length).toBe(2);
    expect(r.get("expression_is_true_audit_orders")).toMatchObject({
      status: "warn",
      failures: failing.length,
    });
    expect(r.get("assert_nothing_shipped")).toMatchObject({ status: "warn", failures: 1 });
    // The package's expression_is_true selects `1` per failing row (dbt_utils' shape).
    const stored = await query<{ n: number }>(
      "select count(*) as n from main_audit.expression_is_true_audit_orders",
    );
    expect(stored.map((s) => Number(s.n))).toEqual([failing.length]);
  }, 120_000);

  it("+error_if / +warn_if on the failure count: 3 failures are not '>3', so the test passes", async () => {
    await setTestConfig(
      [
        "  jaffle_shop:",
        "    audit:",
        "      +tags: ['audit']",
        "      +error_if: '>3'",
        "      +warn_if: '>3'",
        "",
      ].join("\n"),
    );
    const run = await sluice("test", "--select", "tag:audit");
    expect(run.code, run.stdout + run.stderr).toBe(0);
    const r = await results();
    expect(r.get("expression_is_true_audit_orders")).toMatchObject({ status: "pass", failures: 3 });
  }, 120_000);

  it("a {% test %} block's config(): over the project's, under the test's own; what it cannot apply is a warning", async () => {
    await writeFile(
      path.join(dir, "tests/generic/status_is.sql"),
      [
        "{% test status_is(model, column_name, value) %}",
        "{{ config(severity='warn', fail_calc='count(*)') }}",
        "select * from {{ model }} where {{ column_name }} != '{{ value }}'",
        "{% endtest %}",
        "",
      ].join("\n"),
    );
    await writeFile(
      path.join(dir, "models/audit/schema.yml"),
      [
        "version: 2",
        "models:",
        "  - name: audit_orders",
        "    columns:",
        "      - name: status",
        "        data_tests:",
        "          - status_is:",
        "              value: completed",
        "          - status_is:",
        "              value: placed",
        "              config:",
        "                severity: error",
        "",
      ].join("\n"),
    );
    await setTestConfig(
      ["  jaffle_shop:", "    audit:", "      +severity: error", "      +tags: ['audit']", ""].join(
        "\n",
      ),
    );
    const run = await sluice("test", "--select", "tag:audit");
    expect(run.code, run.stdout + run.stderr).toBe(1);
    expect(run.stderr).toMatch(
      /models\/audit\/schema\.yml:7:13: warn TEST_INVALID: config\(severity, fail_calc\) of the \{% test status_is %\} block: 'fail_calc' is not applied/,
    );
    const r = await results();
    const not = (status: string) => orders.filter((o) => o.status !== status).length;
    expect(r.get("status_is_audit_orders_status")).toMatchObject({
      status: "warn",
      failures: not("completed"),
    });
    expect(r.get("status_is_audit_orders_status_2")).toMatchObject({
      status: "fail",
      failures: not("placed"),
    });
  }, 120_000);
});

import { createHash } from "node:crypto";
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readRunResults } from "../support/cli.js";
import { copyJaffleShop, dbtCli } from "../support/dbt-fixture.js";

/**
 * The jaffle_shop fixture's two snapshots, run three times with the seeds changed between, equal
 * the type-2 history computed by hand as dbt computes it:
 *
 * customers_snapshot ({% snapshot %} block; timestamp on updated_at; invalidate_hard_deletes):
 *   run 1: 1 bronze @01-01, 2 silver @01-01, 3 gold @01-01            (build)
 *   run 2: 1 silver @02-01 (updated), 2 unchanged, 3 gone, 4 bronze @02-01 (new)  (seed + snapshot)
 *   run 3: 1 gold @03-01, 3 back gold @03-01                          (build --select raw_customer_tiers+)
 * order_status_snapshot (YAML, dbt 1.9; check on status; hard_deletes new_record) over stg_orders:
 *   run 2: order 4 placed -> shipped, order 5 deleted; run 3: order 5 back as completed.
 * Rows of the check strategy are dated by each run's time (T1 < T2 < T3), read back from the rows.
 */
let dir: string;
let cleanup: () => Promise<void>;
const { sluice, query } = dbtCli(() => dir);

const md5 = (text: string) => createHash("md5").update(text).digest("hex");
const seed = (name: string, text: string) => writeFile(path.join(dir, "seeds", name), text);

interface CustomerRow {
  customer_id: number;
  tier: string;
  scd: string;
  updated: string;
  valid_from: string;
  valid_to: string | null;
}
const customerHistory = () =>
  query<CustomerRow>(
    "select customer_id, tier, dbt_scd_id as scd, cast(dbt_updated_at as varchar) as updated, " +
      "cast(dbt_valid_from as varchar) as valid_from, cast(dbt_valid_to as varchar) as valid_to " +
      "from main_snapshots.customers_snapshot order by customer_id, dbt_valid_from",
  );

interface OrderRow {
  order_id: number;
  status: string;
  scd: string;
  valid_from: string;
  valid_to: string | null;
  deleted: string;
}
const orderHistory = () =>
  query<OrderRow>(
    "select order_id, status, dbt_scd_id as scd, cast(dbt_valid_from as varchar) as valid_from, " +
      "cast(dbt_valid_to as varchar) as valid_to, dbt_is_deleted as deleted " +
      "from main_snapshots.order_status_snapshot order by order_id, dbt_valid_from",
  );

/** A timestamp strategy row: dbt_scd_id is md5('<key>|<updated_at>'), dbt_updated_at its updated_at. */
const tsRow = (id: number, tier: string, from: string, to: string | null): CustomerRow => ({
  customer_id: id,
  tier,
  scd: md5(`${id}|${from}`),
  updated: from,
  valid_from: from,
  valid_to: to,
});

const runs: Record<string, Awaited<ReturnType<typeof sluice>>> = {};
const history: { customers: CustomerRow[][]; orders: OrderRow[][] } = {
  customers: [],
  orders: [],
};

beforeAll(async () => {
  ({ dir, cleanup } = await copyJaffleShop());
  runs["1"] = await sluice("build");
  history.customers.push(await customerHistory());
  history.orders.push(await orderHistory());

  await seed(
    "raw_customer_tiers.csv",
    "customer_id,tier,updated_at\n1,silver,2018-02-01 00:00:00\n2,silver,2018-01-01 00:00:00\n" +
      "4,bronze,2018-02-01 00:00:00\n",
  );
  const orders = await readFile(path.join(dir, "seeds/raw_orders.csv"), "utf8");
  await seed(
    "raw_orders.csv",
    orders.replace("4,2,2018-01-05,placed", "4,2,2018-01-05,shipped").replace(/^5,3,.*\n/m, ""),
  );
  runs["2-seed"] = await sluice("seed");
  runs["2"] = await sluice("snapshot");
  history.customers.push(await customerHistory());
  history.orders.push(await orderHistory());

  await seed(
    "raw_customer_tiers.csv",
    "customer_id,tier,updated_at\n1,gold,2018-03-01 00:00:00\n2,silver,2018-01-01 00:00:00\n" +
      "3,gold,2018-03-01 00:00:00\n4,bronze,2018-02-01 00:00:00\n",
  );
  await seed(
    "raw_orders.csv",
    orders
      .replace("4,2,2018-01-05,placed", "4,2,2018-01-05,shipped")
      .replace("5,3,2018-01-05,shipped", "5,3,2018-01-05,completed"),
  );
  runs["3"] = await sluice("build", "--select", "raw_customer_tiers+");
  runs["3-seed"] = await sluice("seed", "--select", "raw_orders");
  runs["3-snapshot"] = await sluice("snapshot", "--select", "order_status_snapshot");
  history.customers.push(await customerHistory());
  history.orders.push(await orderHistory());
}, 300_000);
afterAll(async () => cleanup());

describe("dbt snapshots on the lake, three runs", () => {
  it("every run succeeds; build runs the snapshot before the model that refs it", async () => {
    for (const [name, r] of Object.entries(runs))
      expect([name, r.code, r.stderr]).toEqual([name, 0, expect.any(String)]);
    const ids = (await readRunResults(dir)).results.map((r) => r.id);
    expect(ids).toEqual(["snapshot.order_status_snapshot"]);
    const build = runs["3"]!.stdout + runs["3"]!.stderr;
    expect(build.indexOf("customers_snapshot")).toBeGreaterThan(-1);
    expect(build.indexOf("customers_snapshot")).toBeLessThan(build.indexOf("current_tiers"));
    expect(build).toMatch(/not_null_customers_snapshot_customer_id/);
    expect(build).toMatch(/1 model, 1 seed and 1 snapshot built/);
    expect(runs["2"]!.stdout).toMatch(/2 snapshots built/);
  });

  it("ls lists the snapshots as their own resource type", async () => {
    const r = await sluice("ls", "--resource-type", "snapshot", "--format", "name");
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim().split("\n").sort()).toEqual([
      "snapshot.customers_snapshot",
      "snapshot.order_status_snapshot",
    ]);
  });

  it("timestamp strategy: run 1 snapshots every row as current", () => {
    const t = "2018-01-01 00:00:00";
    expect(history.customers[0]).toEqual([
      tsRow(1, "bronze", t, null),
      tsRow(2, "silver", t, null),
      tsRow(3, "gold", t, null),
    ]);
  });

  it("run 2: an updated row is closed at its new updated_at, a new row added, a deleted row invalidated", () => {
    const [jan, feb] = ["2018-01-01 00:00:00", "2018-02-01 00:00:00"];
    const rows = history.customers[1]!;
    const deleted = rows.find((r) => r.customer_id === 3)!;
    expect(rows).toEqual([
      tsRow(1, "bronze", jan, feb),
      tsRow(1, "silver", feb, null),
      tsRow(2, "silver", jan, null),
      // invalidate_hard_deletes: closed at the run's time (checked below)
      { ...tsRow(3, "gold", jan, null), valid_to: deleted.valid_to },
      tsRow(4, "bronze", feb, null),
    ]);
    expect(deleted.valid_to).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d/);
    expect(Date.parse(`${deleted.valid_to}Z`)).toBeGreaterThan(Date.now() - 10 * 60_000);
  });

  it("run 3: history is kept, a returning key gets a new current row", () => {
    const [jan, feb, mar] = ["2018-01-01 00:00:00", "2018-02-01 00:00:00", "2018-03-01 00:00:00"];
    const gone = history.customers[1]!.find((r) => r.customer_id === 3)!.valid_to;
    expect(history.customers[2]).toEqual([
      tsRow(1, "bronze", jan, feb),
      tsRow(1, "silver", feb, mar),
      tsRow(1, "gold", mar, null),
      tsRow(2, "silver", jan, null),
      { ...tsRow(3, "gold", jan, null), valid_to: gone },
      tsRow(3, "gold", mar, null),
      tsRow(4, "bronze", feb, null),
    ]);
  });

  it("a model reading the snapshot sees the current rows", async () => {
    const rows = await query<{ customer_id: number; tier: string }>(
      "select customer_id, tier from main.current_tiers order by customer_id",
    );
    expect(rows.map((r) => [Number(r.customer_id), r.tier])).toEqual([
      [1, "gold"],
      [2, "silver"],
      [3, "gold"],
      [4, "bronze"],
    ]);
  });

  it("build --dry-run --full-refresh plans a snapshot as the build runs it: merged into, never rebuilt", async () => {
    const dry = await sluice(
      ...["build", "--dry-run", "--full-refresh", "--select", "customers_snapshot"],
    );
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toMatch(
      /^main_snapshots\.customers_snapshot \(snapshot, snapshot\) on lake: snapshot rewrite$/m,
    );
    expect(dry.stdout).not.toMatch(/first snapshot/);
    const before = await customerHistory();
    const build = await sluice("build", "--full-refresh", "--select", "customers_snapshot");
    expect(build.code, build.stderr).toBe(0);
    // The source did not change since run 3: the history is as it was, not one row per key.
    expect(await customerHistory()).toEqual(before);
    expect(before).toEqual(history.customers[2]);
  });

  it("check strategy with hard_deletes new_record: the history as dbt 1.9 writes it", () => {
    const rows = history.orders[2]!;
    const t1 = rows[0]!.valid_from;
    const t2 = rows.find((r) => r.order_id === 4 && r.status === "shipped")!.valid_from;
    const t3 = rows.find((r) => r.order_id === 5 && r.status === "completed")!.valid_from;
    expect(t1 < t2 && t2 < t3).toBe(true);
    const row = (
      id: number,
      status: string,
      from: string,
      to: string | null,
      deleted = "False",
    ) => ({
      order_id: id,
      status,
      scd: expect.any(String),
      valid_from: from,
      valid_to: to,
      deleted,
    });
    expect(rows).toEqual([
      row(1, "returned", t1, null),
      row(2, "completed", t1, null),
      row(3, "completed", t1, null),
      row(4, "placed", t1, t2),
      row(4, "shipped", t2, null),
      row(5, "shipped", t1, t2),
      row(5, "shipped", t2, t3, "True"),
      row(5, "completed", t3, null),
    ]);
    // check strategy: md5('<key>|<the run's time>'); a deletion record: md5('<closed scd>|<time>').
    expect(rows[0]!.scd).toBe(md5(`1|${t1}`));
    expect(rows[4]!.scd).toBe(md5(`4|${t2}`));
    expect(rows[6]!.scd).toBe(md5(`${rows[5]!.scd}|${t2}`));
    // run 1 and 2 saw the same rows, as far as they existed then
    expect(history.orders[0]!.map((r) => [r.order_id, r.status, r.valid_to])).toEqual([
      [1, "returned", null],
      [2, "completed", null],
      [3, "completed", null],
      [4, "placed", null],
      [5, "shipped", null],
    ]);
    expect(history.orders[1]!.length).toBe(7);
  });
});

describe("a Hive-format snapshot on Athena", () => {
  it("is an error before any query, at the snapshot, naming the fix", async () => {
    const copy = await copyJaffleShop();
    try {
      const file = path.join(copy.dir, "dbt_project.yml");
      const text = await readFile(file, "utf8");
      await writeFile(file, text.replace(/^ +\+table_type: iceberg\n/m, ""));
      const r = await dbtCli(() => copy.dir).sluice("--target", "prod", "compile");
      expect(r.code, r.stdout + r.stderr).toBe(2);
      expect(r.stderr).toMatch(
        /snapshots\/customers_snapshot\.sql:2:1: error SNAPSHOT_INVALID: a snapshot on Athena needs an Iceberg table: MERGE INTO cannot change a Hive table's rows\n {2}hint: config\(table_type='iceberg'\)/,
      );
      expect(r.stderr).toMatch(
        /snapshots\/snapshots\.yml:3:5: error SNAPSHOT_INVALID: a snapshot on Athena needs an Iceberg table/,
      );
    } finally {
      await copy.cleanup();
    }
  });
});

import { appendFile, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { GetTableCommand, GlueClient, type Column } from "@aws-sdk/client-glue";
import { compileProject, dialectFor } from "@sluice/compiler";
import { openEngine } from "@sluice/engines";
import { runProject } from "@sluice/runner";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { awsEnv } from "../support/athena-local.js";
import { jaffleOnAthenaLocal, type JaffleOnAthenaLocal } from "../support/dbt-fixture.js";

/**
 * dbt's persist_docs on `sluice athena-local`: the jaffle_shop fixture sets `+persist_docs:
 * {relation: true, columns: true}` for its models. A table's Glue entry gets the model's
 * description and its columns' comments (within Glue's limits: a comment is one line of at most
 * 255 characters), and keeps them through an incremental build. Expected texts by hand from the
 * fixture's YAML and docs blocks.
 */
let lake: JaffleOnAthenaLocal;
let glue: GlueClient;
const warnings = new Set<string>();
/** Each model's Glue database, as the compile placed it. */
const databases = new Map<string, string>();

/** `sluice seed` then `sluice run` on prod (a data test of the fixture fails by design). */
async function build(): Promise<void> {
  for (const command of ["seed", "run"] as const) await runOnProd(command);
}

async function runOnProd(command: "seed" | "run"): Promise<void> {
  const { project, target } = await lake.load();
  const dialect = dialectFor(target);
  const runId = `r${Date.now()}`;
  const compiled = compileProject(project, { targetName: "prod", runId, dialect, env: {} });
  expect(compiled.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  for (const n of compiled.nodes) databases.set(n.name, n.relation.schema);
  for (const d of compiled.diagnostics) if (d.severity === "warn") warnings.add(d.message);
  const engine = await openEngine(target, lake.dir, { runId });
  try {
    // The models documented here and what they read (current_tiers reads a snapshot: not run).
    const models = ["stg_customers", "stg_orders", "stg_payments", "customers", "orders"];
    const selected = compiled.nodes
      .filter((n) => n.kind === "seed" || [...models, "completed_orders"].includes(n.name))
      .map((n) => n.id);
    const run = await runProject({
      ...{ command, compiled, selected, engine, dialect, runId, threads: 2 },
    });
    const failed = run.results.filter((r) => r.status !== "success");
    expect(failed.map((r) => `${r.id}: ${r.message}`)).toEqual([]);
  } finally {
    await engine.close();
  }
}

const entry = async (name: string) =>
  (await glue.send(new GetTableCommand({ DatabaseName: databases.get(name), Name: name }))).Table!;
const comments = (columns: Column[] | undefined) =>
  Object.fromEntries((columns ?? []).map((c) => [c.Name, c.Comment]));

beforeAll(async () => {
  lake = await jaffleOnAthenaLocal();
  // completed_orders (incremental) documented too, to follow its entry through a second build.
  const schema = path.join(lake.dir, "models/marts/schema.yml");
  await writeFile(
    schema,
    (await readFile(schema, "utf8")).replace(
      "  - name: completed_orders\n    columns:\n      - name: order_id\n",
      "  - name: completed_orders\n    description: Completed orders only\n    columns:\n      - name: order_id\n        description: The order\n",
    ),
  );
  glue = new GlueClient({
    region: "eu-west-1",
    endpoint: lake.endpoint.url,
    credentials: {
      accessKeyId: awsEnv.AWS_ACCESS_KEY_ID,
      secretAccessKey: awsEnv.AWS_SECRET_ACCESS_KEY,
    },
  });
  await build();
}, 240_000);

afterAll(async () => {
  glue?.destroy();
  await lake?.stop();
});

describe("persist_docs on Athena (Glue)", () => {
  it("writes a table's description and its described columns' comments", async () => {
    const table = await entry("customers");
    expect(table.Description).toBe(
      "One row per customer, with their first and latest order and what they paid in total.",
    );
    expect(comments(table.StorageDescriptor?.Columns)).toMatchObject({
      customer_id: "This is a unique identifier for a customer",
      customer_lifetime_value: "Customer lifetime value, in dollars",
      number_of_orders: undefined,
    });
  });

  it("makes a multi-line description one line of at most 255 characters, and says so", async () => {
    const status = comments((await entry("orders")).StorageDescriptor?.Columns)["status"]!;
    const flat =
      "Orders can be one of the following statuses: " +
      "| status         | description                                                      | " +
      "|----------------|------------------------------------------------------------------| " +
      "| placed         | The order has been placed but has not yet left the warehouse     | ";
    expect(status).toBe(`${flat.slice(0, 254)}…`);
    expect([...warnings].join("\n")).toMatch(
      /persist_docs: descriptions of orders are longer than Glue keeps .*: cut, ending in "…"/,
    );
  });

  it("leaves views alone, and says so once", async () => {
    expect((await entry("stg_orders")).Description).toBeUndefined();
    expect(
      [...warnings].filter((w) => w.startsWith("persist_docs is not applied to views")),
    ).toEqual([
      "persist_docs is not applied to views on Athena (stg_customers, stg_orders, stg_payments): their Glue entries are written by CREATE VIEW",
    ]);
  });

  it("an incremental build writes them with its own update of the entry", async () => {
    const before = await entry("completed_orders");
    expect(before.Description).toBe("Completed orders only");
    // A new completed order, and a new description: the incremental run's update carries it.
    await appendFile(path.join(lake.dir, "seeds/raw_orders.csv"), "6,4,2018-01-06,completed\n");
    const schema = path.join(lake.dir, "models/marts/schema.yml");
    await writeFile(
      schema,
      (await readFile(schema, "utf8")).replace("Completed orders only", "Completed orders, kept"),
    );
    await build();
    const after = await entry("completed_orders");
    expect(after.VersionId).not.toBe(before.VersionId);
    expect(after.Description).toBe("Completed orders, kept");
    expect(comments(after.StorageDescriptor?.Columns)["order_id"]).toBe("The order");
  }, 240_000);
});

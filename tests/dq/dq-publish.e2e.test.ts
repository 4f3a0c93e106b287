import { readFile, writeFile } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { copyModelsProject, runSluice } from "../support/cli.js";

interface Stored {
  Name: string;
  Ruleset: string;
  Description?: string;
  TargetTable?: { DatabaseName: string; TableName: string };
}

/** Glue's JSON 1.1 protocol for the three ruleset operations sluice uses. */
function fakeGlueServer() {
  const store = new Map<string, Stored>();
  const calls: string[] = [];
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (d: Buffer) => (body += d.toString()));
    req.on("end", () => {
      const op = String(req.headers["x-amz-target"] ?? "").replace(/^AWSGlue\./, "");
      const input = JSON.parse(body || "{}") as Stored;
      calls.push(`${op} ${input.Name}`);
      const reply = (status: number, payload: unknown) => {
        res.writeHead(status, { "content-type": "application/x-amz-json-1.1" });
        res.end(JSON.stringify(payload));
      };
      const existing = store.get(input.Name);
      if (op === "GetDataQualityRuleset") {
        if (!existing)
          return reply(400, {
            __type: "EntityNotFoundException",
            Message: `Cannot find Data Quality Ruleset ${input.Name}`,
          });
        return reply(200, existing);
      }
      if (op === "CreateDataQualityRuleset") {
        if (existing) return reply(400, { __type: "AlreadyExistsException", Message: "exists" });
        store.set(input.Name, {
          Name: input.Name,
          Ruleset: input.Ruleset,
          Description: input.Description,
          TargetTable: input.TargetTable,
        });
        return reply(200, { Name: input.Name });
      }
      if (op === "UpdateDataQualityRuleset" && existing) {
        Object.assign(existing, { Ruleset: input.Ruleset, Description: input.Description });
        return reply(200, { Name: input.Name });
      }
      return reply(400, { __type: "InvalidInputException", Message: `unexpected ${op}` });
    });
  });
  return { server, store, calls };
}

describe("sluice dq publish", () => {
  const glue = fakeGlueServer();
  let dir = "";
  let cleanup = async (): Promise<void> => {};
  const env = {
    AWS_ACCESS_KEY_ID: "test",
    AWS_SECRET_ACCESS_KEY: "test",
    AWS_PROFILE: "",
    AWS_SDK_JS_SUPPRESS_NODE_VERSION_WARNING: "1",
  };
  const sluice = (...args: string[]) => runSluice(["--project-dir", dir, ...args], { env });

  beforeAll(async () => {
    await new Promise<void>((resolve) => glue.server.listen(0, "127.0.0.1", resolve));
    const port = (glue.server.address() as AddressInfo).port;
    ({ dir, cleanup } = await copyModelsProject());
    const yml = path.join(dir, "sluice.yml");
    const text = await readFile(yml, "utf8");
    await writeFile(
      yml,
      text.replace(/(\n {4}region: eu-west-1\n)/, `$1    endpoint: http://127.0.0.1:${port}\n`),
    );
  });
  afterAll(async () => {
    glue.server.close();
    await cleanup();
  });

  it("creates one ruleset per table of the target, then reports them unchanged, then updates an edited one", async () => {
    const first = await sluice("dq", "publish", "--target", "prod");
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain(
      "created   ecommerce_ecommerce_silver_events (ecommerce_silver.events)",
    );
    expect(first.stdout).toContain(
      "created   ecommerce_ecommerce_raw_events (ecommerce_raw.events)",
    );
    expect(first.stdout).toContain("3 created, 0 updated, 0 unchanged, 0 conflicts.");
    const events = glue.store.get("ecommerce_ecommerce_silver_events");
    expect(events?.TargetTable).toEqual({ DatabaseName: "ecommerce_silver", TableName: "events" });
    expect(events?.Ruleset).toBe(await readFile(path.join(dir, "rules/events.dqdl"), "utf8"));

    glue.calls.length = 0;
    const second = await sluice("dq", "publish", "--target", "prod");
    expect(second.stdout).toContain("0 created, 0 updated, 3 unchanged, 0 conflicts.");
    expect(glue.calls.every((c) => c.startsWith("GetDataQualityRuleset"))).toBe(true);

    const file = path.join(dir, "rules/order_items.dqdl");
    await writeFile(file, (await readFile(file, "utf8")).replace("RowCount > 0", "RowCount > 10"));
    const third = await sluice("dq", "publish", "--target", "prod");
    expect(third.stdout).toContain(
      "updated   ecommerce_ecommerce_silver_order_items (ecommerce_silver.order_items)",
    );
    expect(third.stdout).toContain("0 created, 1 updated, 2 unchanged, 0 conflicts.");
    expect(glue.store.get("ecommerce_ecommerce_silver_order_items")?.Ruleset).toContain(
      "RowCount > 10",
    );
  });
});

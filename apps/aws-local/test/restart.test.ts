import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import {
  CreateDatabaseCommand,
  CreateTableCommand,
  GetTableCommand,
  GlueClient,
} from "@aws-sdk/client-glue";
import { expect, it } from "vitest";
import { startAthenaLocal } from "../src/index.js";
import { localAws } from "./helpers.js";

it("keeps the Glue catalog across a restart on the same dir, like the buckets", async () => {
  const dir = await mkdtemp(path.join(tmpdir(), "aws-local-restart-"));
  const client = (url: string) =>
    new GlueClient({
      region: "eu-west-1",
      endpoint: url,
      credentials: { accessKeyId: "local", secretAccessKey: "local" },
    });
  try {
    const first = await startAthenaLocal({ dir });
    const glue = client(first.url);
    await glue.send(new CreateDatabaseCommand({ DatabaseInput: { Name: "db" } }));
    await glue.send(
      new CreateTableCommand({
        DatabaseName: "db",
        TableInput: { Name: "t", StorageDescriptor: { Location: "s3://lake/t" } },
      }),
    );
    glue.destroy();
    await first.close();

    const second = await startAthenaLocal({ dir });
    const again = client(second.url);
    const { Table } = await again.send(new GetTableCommand({ DatabaseName: "db", Name: "t" }));
    expect(Table?.StorageDescriptor?.Location).toBe("s3://lake/t");
    again.destroy();
    await second.close();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

it("writes the catalog again only when it changed, not on every poll of a query", async () => {
  const aws = await localAws();
  const file = path.join(aws.dir, ".aws-local", "glue.json");
  const mtime = () =>
    stat(file).then(
      (s) => s.mtimeMs,
      () => undefined,
    );
  const saved = async (after: number | undefined) => {
    for (let i = 0; i < 100 && (await mtime()) === after; i++)
      await new Promise((r) => setTimeout(r, 20));
    return mtime();
  };
  try {
    await aws.glue.send(new CreateDatabaseCommand({ DatabaseInput: { Name: "db" } }));
    const first = await saved(undefined);
    expect(first).toBeDefined();
    for (let i = 0; i < 3; i++)
      expect((await aws.query("select 1")).Status?.State).toBe("SUCCEEDED");
    await new Promise((r) => setTimeout(r, 600));
    expect(await mtime()).toBe(first);
    // A query that changes the catalog is saved, though only Athena calls were made.
    const created = await aws.query("create database other");
    expect(created.Status?.State).toBe("SUCCEEDED");
    expect(await saved(first)).not.toBe(first);
    expect(JSON.stringify(JSON.parse(await readFile(file, "utf8")))).toContain("other");
  } finally {
    await aws.close();
  }
});

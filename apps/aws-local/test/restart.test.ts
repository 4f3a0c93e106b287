import { mkdtemp, rm } from "node:fs/promises";
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

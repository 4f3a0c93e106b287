import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import {
  AthenaClient,
  GetQueryExecutionCommand,
  StartQueryExecutionCommand,
  type QueryExecution,
} from "@aws-sdk/client-athena";
import { GlueClient } from "@aws-sdk/client-glue";
import { S3Client } from "@aws-sdk/client-s3";
import { startAthenaLocal, type AthenaLocal } from "../src/index.js";

/** A running endpoint over a temp dir, with real SDK v3 clients pointed at it. */
export async function localAws(options: { latencyMs?: number } = {}) {
  const dir = await mkdtemp(path.join(tmpdir(), "aws-local-"));
  const local: AthenaLocal = await startAthenaLocal({ dir, latencyMs: options.latencyMs ?? 0 });
  const config = {
    region: "eu-west-1",
    endpoint: local.url,
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
    maxAttempts: 1,
  };
  const athena = new AthenaClient(config);
  const glue = new GlueClient(config);
  const s3 = new S3Client({ ...config, forcePathStyle: true });
  return {
    dir,
    local,
    athena,
    glue,
    s3,
    /** Start a query and poll until it leaves QUEUED/RUNNING. */
    async query(sql: string, database = "default"): Promise<QueryExecution> {
      const { QueryExecutionId } = await athena.send(
        new StartQueryExecutionCommand({
          QueryString: sql,
          QueryExecutionContext: { Database: database },
          ResultConfiguration: { OutputLocation: "s3://results/q/" },
          WorkGroup: "primary",
        }),
      );
      for (;;) {
        const { QueryExecution } = await athena.send(
          new GetQueryExecutionCommand({ QueryExecutionId }),
        );
        if (!["QUEUED", "RUNNING"].includes(QueryExecution!.Status!.State!)) return QueryExecution!;
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    },
    async close() {
      for (const c of [athena, glue, s3]) c.destroy();
      await local.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

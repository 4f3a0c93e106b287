import { AthenaClient } from "@aws-sdk/client-athena";
import { GlueClient } from "@aws-sdk/client-glue";
import { S3Client } from "@aws-sdk/client-s3";
import { rowsToJson } from "@sluice/cli";
import { openAthenaEngineWith, openEngine } from "@sluice/engines";
import { loadProject } from "@sluice/project";
import { awsEnv } from "./athena-local.js";

/** Reads one target, as `sluice query --format json` prints it. */
export interface RelationReader {
  /** One statement's rows as the CLI's JSON prints them (exact DECIMAL text, ISO timestamps). */
  query<T = Record<string, unknown>>(sql: string): Promise<T[]>;
  /** `select * from <relation>`, as {@link RelationReader.query}. */
  rows(relation: string): Promise<Record<string, unknown>[]>;
  close(): Promise<void>;
}

/**
 * Open a project's target once to read many relations in this process: the engine `sluice query`
 * opens (the local lake read-only from a snapshot of its catalog; Athena through the real SDK v3
 * clients at the target's endpoint, with athena-local's credentials) and the CLI's JSON
 * serialiser, without a CLI start-up per relation. `targetName` defaults to the project's default
 * target; `lakeOnly` refuses a target that is not a local lake.
 */
export async function openRelationReader(
  projectDir: string,
  targetName?: string,
  options: { lakeOnly?: boolean } = {},
): Promise<RelationReader> {
  const project = await loadProject(projectDir, { env: {} });
  const errors = project.diagnostics.filter((d) => d.severity === "error");
  if (errors.length > 0) throw new Error(errors.map((d) => d.message).join("; "));
  const name = targetName ?? project.config["default-target"];
  const target = project.config.targets[name];
  if (!target) throw new Error(`no target ${name} in ${projectDir}`);
  if (options.lakeOnly && target.engine !== "duckdb")
    throw new Error(`${projectDir}: target ${name} is no lake`);
  let engine;
  const clients: { destroy(): void }[] = [];
  if (target.engine === "duckdb")
    engine = await openEngine(target, project.dir, { readOnly: true, snapshot: true });
  else {
    const config = {
      region: target.region,
      ...(target.endpoint === undefined ? {} : { endpoint: target.endpoint }),
      credentials: {
        accessKeyId: awsEnv.AWS_ACCESS_KEY_ID,
        secretAccessKey: awsEnv.AWS_SECRET_ACCESS_KEY,
      },
    };
    const athena = new AthenaClient(config);
    const glue = new GlueClient(config);
    const s3 = new S3Client({ ...config, forcePathStyle: true });
    clients.push(athena, glue, s3);
    engine = await openAthenaEngineWith({ target, clients: { athena, glue, s3 } });
  }
  const opened = engine;
  const query = async <T>(sql: string) => {
    const result = await opened.execute(sql, { label: "query" });
    return JSON.parse(rowsToJson(result.columns, result.rows)) as T[];
  };
  return {
    query,
    rows: (relation) => query(`select * from ${relation}`),
    close: async () => {
      await opened.close();
      for (const client of clients) client.destroy();
    },
  };
}

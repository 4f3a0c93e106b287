import { cp, mkdir, mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { loadProject, type AthenaTarget, type Project } from "@sluice/project";
import { awsEnv, FAST_POLL_SECONDS, startEndpoint, type Endpoint } from "./athena-local.js";
import { repoRoot, runSluice, type CliRun } from "./cli.js";

/** The jaffle_shop-style dbt project the dbt tests build unmodified. */
export const jaffleShopDir = path.join(repoRoot, "tests/fixtures/dbt/jaffle_shop");

/** A temp copy of the jaffle_shop fixture; `dir` is the project folder. */
export async function copyJaffleShop(): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const root = await mkdtemp(path.join(os.tmpdir(), "sluice-dbt-"));
  const dir = path.join(root, "jaffle_shop");
  await cp(jaffleShopDir, dir, { recursive: true });
  return { dir, cleanup: () => rm(root, { recursive: true, force: true }) };
}

/**
 * The CLI on a dbt project folder (`dir()`: read at each call, for a folder made in beforeAll),
 * with DBT_PROFILES_DIR cleared so its own profiles.yml is read; `query` returns the rows of a
 * `sluice query --format json`, and throws with the CLI's stderr if it fails.
 */
export function dbtCli(dir: () => string): {
  sluice: (...args: string[]) => Promise<CliRun>;
  query: <T>(sql: string) => Promise<T[]>;
} {
  const sluice = (...args: string[]) =>
    runSluice(["--project-dir", dir(), ...args], { env: { DBT_PROFILES_DIR: "" } });
  const query = async <T>(sql: string): Promise<T[]> => {
    const r = await sluice("query", sql, "--format", "json");
    if (r.code !== 0) throw new Error(`query failed: ${r.stderr}`);
    return JSON.parse(r.stdout) as T[];
  };
  return { sluice, query };
}

/** A copy of jaffle_shop whose profile's Athena output (`prod`) points at a running athena-local. */
export interface JaffleOnAthenaLocal {
  dir: string;
  endpoint: Endpoint;
  /** The project loaded, its `prod` target pointed at the endpoint. */
  load(): Promise<{ project: Project; target: AthenaTarget }>;
  stop(): Promise<void>;
}

/**
 * Start athena-local (its buckets for the jaffle_shop profile made) with a copy of jaffle_shop;
 * `files` (copy path → fixture path under the repository) are added to the copy first.
 */
export async function jaffleOnAthenaLocal(
  files: Record<string, string> = {},
): Promise<JaffleOnAthenaLocal> {
  Object.assign(process.env, awsEnv);
  const { dir, cleanup } = await copyJaffleShop();
  for (const [to, from] of Object.entries(files))
    await cp(path.join(repoRoot, from), path.join(dir, to), { recursive: true });
  const aws = await mkdtemp(path.join(os.tmpdir(), "sluice-aws-local-"));
  await mkdir(path.join(aws, "jaffle-lake"), { recursive: true });
  await mkdir(path.join(aws, "jaffle-athena-results"), { recursive: true });
  const endpoint = await startEndpoint(aws, 0);
  return {
    dir,
    endpoint,
    load: async () => {
      const project = await loadProject(dir, { env: {} });
      const target: AthenaTarget = {
        ...(project.config.targets["prod"] as AthenaTarget),
        endpoint: endpoint.url,
        poll_interval: FAST_POLL_SECONDS,
      };
      project.config.targets["prod"] = target;
      return { project, target };
    },
    stop: async () => {
      await endpoint.stop();
      await cleanup();
      await rm(aws, { recursive: true, force: true });
    },
  };
}

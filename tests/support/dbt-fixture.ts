import { cp, mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
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

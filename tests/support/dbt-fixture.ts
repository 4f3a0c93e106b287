import { cp, mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { repoRoot } from "./cli.js";

/** The jaffle_shop-style dbt project the dbt tests build unmodified. */
export const jaffleShopDir = path.join(repoRoot, "tests/fixtures/dbt/jaffle_shop");

/** A temp copy of the jaffle_shop fixture; `dir` is the project folder. */
export async function copyJaffleShop(): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const root = await mkdtemp(path.join(os.tmpdir(), "sluice-dbt-"));
  const dir = path.join(root, "jaffle_shop");
  await cp(jaffleShopDir, dir, { recursive: true });
  return { dir, cleanup: () => rm(root, { recursive: true, force: true }) };
}

import { rm } from "node:fs/promises";
import path from "node:path";
import { runSluice } from "../support/cli.js";
import { builtModelsProject, type LakeRecipe } from "../support/built-lake.js";
import { copyDir, rawHours, tableHashes } from "./lake-fixture.js";

/** The silver tables and marts the incremental files compare. */
export const TABLES = [
  "silver.events",
  "silver.rejected_events",
  "silver.order_items",
  "marts.funnel",
  "marts.sales_by_country",
];
/** What the hourly runs build: silver.events and silver.rejected_events with everything upstream. */
export const SILVER = ["+events", "+rejected_events"];
/** Malformed, duplicate and late events, as the incremental files inject. */
export const chaos = [
  "--malformed-rate",
  "0.005",
  "--duplicate-rate",
  "0.02",
  "--late-rate",
  "0.05",
];

/** The recipe of {@link fullLake}'s project (support/built-lake.ts caches it per machine). */
export const FULL_RECIPE: LakeRecipe = {
  generate: [
    ...["--events", "3000", "--start", "2026-11-27T00:00:00Z", "--hours", "12"],
    ...["--seed", "11", ...chaos],
  ],
};

/** `sluice --project-dir dir ...args` with the test CLI environment, plus `env`. */
export const sluice = (dir: string, args: string[], env?: Record<string, string>) =>
  runSluice(["--project-dir", dir, ...args], env ? { env } : {});

/** The twelve chaos hours every incremental file starts from, and their full build. */
export interface FullLake {
  /** Temp folder holding the project and the copies made from it. */
  root: string;
  /** The models project, generated (3000 events, 12 hours, seed 11, chaos) and built once. */
  fullDir: string;
  /** A copy of its raw zone, out of any lake. */
  hidden: string;
  /** The raw hour folders (`YYYY/MM/DD/HH`), sorted. */
  hours: string[];
  /** {@link TABLES}' row counts and content hashes after the full build. */
  fullHashes: Record<string, string>;
  /** A copy of the project with no lake, and its own copy of the hidden raw hours. */
  emptyProject(name: string): Promise<{ dir: string; hidden: string }>;
  cleanup(): Promise<void>;
}

/**
 * The full build the incremental files compare with: `generate --events 3000 --start
 * 2026-11-27T00:00:00Z --hours 12 --seed 11` with {@link chaos}, then `build`, made once per
 * machine (support/built-lake.ts) and copied here.
 */
export async function fullLake(): Promise<FullLake> {
  const project = await builtModelsProject(FULL_RECIPE);
  const root = path.dirname(project.dir);
  const fullDir = project.dir;
  const hidden = path.join(root, "hidden-raw");
  await copyDir(path.join(fullDir, ".lake/raw/events"), hidden);
  const hours = await rawHours(hidden);
  const fullHashes = await tableHashes(fullDir, TABLES);
  return {
    root,
    fullDir,
    hidden,
    hours,
    fullHashes,
    cleanup: project.cleanup,
    async emptyProject(name) {
      const dir = path.join(root, name);
      await copyDir(fullDir, dir);
      await rm(path.join(dir, ".lake"), { recursive: true, force: true });
      await rm(path.join(dir, "target"), { recursive: true, force: true });
      const own = path.join(root, `${name}-raw`);
      await copyDir(hidden, own);
      return { dir, hidden: own };
    },
  };
}

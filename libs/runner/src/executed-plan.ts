import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import type { CompiledNode } from "@sluice/compiler";
import { formatPlans, type NodePlan } from "@sluice/compiler/plan";
import { artifactName } from "./artifacts.js";

/**
 * Write the plan a node ran (its steps that ran, in order) next to its statements in
 * `target/run/`: `<model path without .sql>.plan.txt` as `build --dry-run` prints plans, and `.plan.json` as
 * its `--format json` gives them, so a run can be compared with the plan printed before it.
 *
 * @example
 * await writeExecutedPlan("models/target", node, ran); // target/run/silver/events.plan.json
 */
export async function writeExecutedPlan(
  targetDir: string,
  node: CompiledNode,
  ran: NodePlan,
): Promise<void> {
  const file = path.join(targetDir, "run", `${artifactName(node).replace(/\.sql$/, "")}.plan`);
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(`${file}.json`, `${JSON.stringify(ran, null, 2)}\n`);
  await writeFile(`${file}.txt`, `${formatPlans([ran])}\n`);
}

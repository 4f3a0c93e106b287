import { compileProject, dialectFor } from "@sluice/compiler";
import { loadProject } from "@sluice/project";
import { modelsDir } from "../support/cli.js";

/** The compiled SQL of one node of the models project for a target (`local`, `prod`). */
export async function compiledModelSql(target: string, nodeId: string): Promise<string> {
  const project = await loadProject(modelsDir);
  const compiled = compileProject(project, {
    targetName: target,
    runId: "20261128T000000Z_json",
    dialect: dialectFor(project.config.targets[target]!),
    env: {},
  });
  const node = compiled.nodes.find((n) => n.id === nodeId);
  if (!node) throw new Error(`${nodeId} is not in the models project`);
  return node.sql;
}

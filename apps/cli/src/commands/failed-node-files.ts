import { readFileSync } from "node:fs";
import path from "node:path";
import type { CompiledNode } from "@sluice/compiler";
import type { NodeResult } from "@sluice/runner";
import { materializeCompiled } from "@sluice/runner";
import { errorLocation } from "../output/error-location.js";
import type { ProjectContext } from "../project-context.js";

/**
 * For a node that failed with an engine error: its source file and compiled file, relative to
 * the current directory, at the line the engine named when it named one:
 * `at models/marts/funnel.sql:14:9 (compiled: models/target/compiled/marts/funnel.sql:12:9)`.
 */
export function failedNodeFiles(ctx: ProjectContext): (r: NodeResult) => string | undefined {
  const here = (file: string): string => path.relative(process.cwd(), file) || file;
  let byId: Map<string, CompiledNode> | undefined;
  return (r) => {
    if (r.status !== "error") return undefined;
    byId ??= new Map(ctx.compiled.nodes.map((n) => [n.id, n]));
    const node = byId.get(r.id);
    if (!node || (node.kind !== "model" && node.kind !== "test")) return undefined;
    const compiledFile = materializeCompiled(ctx.targetDir, node);
    const sourcePath = path.join(ctx.project.dir, node.path);
    const sourceFile = here(sourcePath);
    let compiledText: string;
    try {
      compiledText = readFileSync(compiledFile, "utf8");
    } catch {
      return `at ${sourceFile}`;
    }
    // A model's or singular test's SQL file as the compile read it (its cache is checked against
    // the files at the start), read alone, not through the project's models (a cached compile's
    // are parsed from partial_parse.json when first read: 4.7 MB at 10,000 models, for one
    // file). A generic test's path is its YAML file: no source to map the error to.
    const sourceText = node.path.endsWith(".sql") ? readOrUndefined(sourcePath) : undefined;
    const at = errorLocation(r.message, compiledText, sourceText);
    if (!at) return `at ${sourceFile} (compiled: ${here(compiledFile)})`;
    const compiled = `${here(compiledFile)}:${at.compiled.line}:${at.compiled.column}`;
    return at.source
      ? `at ${sourceFile}:${at.source.line}:${at.source.column} (compiled: ${compiled})`
      : `at ${sourceFile} (compiled: ${compiled})`;
  };
}

function readOrUndefined(file: string): string | undefined {
  try {
    return readFileSync(file, "utf8");
  } catch {
    return undefined;
  }
}

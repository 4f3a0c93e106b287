import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import type { CompiledNode, CompiledProject } from "@sluice/compiler";
import type { Project } from "@sluice/project";
import type { RunResults } from "./types.js";
import { writeChangedFiles } from "./write-changed-files.js";
import { dbtManifest } from "./artifacts/dbt-manifest.js";
import type { ArtifactInvocation } from "./artifacts/dbt-manifest.js";
import { dbtRunResults } from "./artifacts/dbt-run-results.js";

/**
 * Write `target/manifest.json` (dbt's v12 shape, every node: see {@link dbtManifest}),
 * `target/compiled/<node path>` (the rendered SELECT) and `target/run/<node path>` (every
 * statement, `;`-separated) for the chosen nodes. Returns the run/ path of each node, for error
 * messages.
 */
export async function writeCompiledArtifacts(
  targetDir: string,
  compiled: CompiledProject,
  chosen: ReadonlySet<string> | undefined,
  manifest: { project: Project } & ArtifactInvocation,
): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  const runPaths = new Map<string, string>();
  for (const node of compiled.nodes.filter((n) => !chosen || chosen.has(n.id))) {
    const file = artifactName(node);
    const runPath = path.join(targetDir, "run", file);
    files.set(path.join(targetDir, "compiled", file), `${node.sql.trim()}\n`);
    const statements = node.incrementalStatements
      ? [
          ...node.statements,
          { kind: "comment", sql: "-- when the table exists (incremental run):" },
          ...node.incrementalStatements,
        ]
      : node.statements;
    files.set(
      runPath,
      statements.map((s) => (s.kind === "comment" ? s.sql : `${s.sql.trim()};`)).join("\n\n") +
        "\n",
    );
    runPaths.set(node.id, runPath);
  }
  const manifestFile = path.join(targetDir, "manifest.json");
  files.set(
    manifestFile,
    await manifestText(manifestFile, dbtManifest(manifest.project, compiled, manifest)),
  );
  writeChangedFiles([path.join(targetDir, "compiled"), path.join(targetDir, "run")], files, {
    index: path.join(targetDir, ".artifact-hashes.json"),
  });
  return runPaths;
}

/**
 * The manifest's text; the file's own text when only its invocation (`generated_at`,
 * `invocation_id`, each node's `created_at`) would change, so a compile with no change rewrites
 * nothing.
 */
async function manifestText(file: string, manifest: Record<string, unknown>): Promise<string> {
  const text = JSON.stringify(manifest, null, 2) + "\n";
  const sameProject = (json: string) =>
    json.replace(/^ *"(generated_at|invocation_id|created_at)": .*\n/gm, "");
  const previous = await readFile(file, "utf8").catch(() => undefined);
  return previous !== undefined && sameProject(previous) === sameProject(text) ? previous : text;
}

/**
 * Replace a node's `target/run/` file with the statements it executed, in order (what the run
 * decided at run time, e.g. an INSERT's column list from the catalog, the staging table's name),
 * after a comment saying so. Nothing is written for a node that executed nothing.
 */
export async function writeExecutedStatements(
  targetDir: string,
  node: CompiledNode,
  statements: readonly string[],
): Promise<void> {
  if (statements.length === 0) return;
  const file = path.join(targetDir, "run", artifactName(node));
  await mkdir(path.dirname(file), { recursive: true });
  const body = statements.map((sql) => `${sql.trim().replace(/;\s*$/, "")};`).join("\n\n");
  await writeFile(file, `-- executed by the last run, in order:\n\n${body}\n`);
}

/** A node's file under target/compiled and target/run: its model path, else `<kind>s/<name>.sql`. */
export function artifactName(node: CompiledNode): string {
  if (node.kind === "model" && node.path.endsWith(".sql")) return node.path;
  return path.join(node.kind === "test" ? "tests" : `${node.kind}s`, `${node.name}.sql`);
}

/**
 * Write `target/run_results.json` in dbt's v6 shape (see {@link dbtRunResults}); `args` are the
 * invocation's flags (snake_case), which `sluice retry` repeats.
 */
export async function writeRunResults(
  targetDir: string,
  results: RunResults,
  compiled: CompiledProject,
  args: Record<string, unknown>,
): Promise<string> {
  await mkdir(targetDir, { recursive: true });
  const file = path.join(targetDir, "run_results.json");
  await writeFile(file, JSON.stringify(dbtRunResults(results, compiled, args), null, 2) + "\n");
  return file;
}

import { mkdir, readFile } from "node:fs/promises";
import path from "node:path";
import type { CompiledNode } from "@sluice/compiler";
import type { RunResults } from "@sluice/runner";
import { writeFileAtomic } from "@sluice/runner/atomic-file";
import type { Io } from "../command.js";
import { fileSystemRefusal } from "../file-system-refusal.js";
import type { ProjectContext } from "../project-context.js";
import type { FailingSamples } from "./failing-samples.js";
import { githubAnnotations } from "./github-annotations.js";
import { junitXml } from "./junit-xml.js";
import type { ReportContext } from "./junit-xml.js";
import { nodeLocation } from "./test-location.js";

/**
 * After a run: the JUnit report (`--junit-xml PATH`) and, on GitHub Actions
 * (`GITHUB_ACTIONS=true`), one annotation per failure on stdout. `runPaths` gives the nodes'
 * target/run files (from writeCompiledArtifacts). False when the report could not be written
 * (said on stderr: the path was checked before the run, so the disk filled or the folder went
 * away since).
 */
export async function writeCiReports(
  ctx: ProjectContext,
  results: RunResults,
  samples: FailingSamples,
  junitPath: string | undefined,
  runPaths: (id: string) => string | undefined,
  io: Io,
): Promise<boolean> {
  const texts = new Map<string, string | undefined>();
  // By id once: a lookup through every node per result was 30,000 x 30,000 on a full build.
  const nodes = new Map(ctx.compiled.nodes.map((n) => [n.id, n]));
  for (const r of results.results) {
    const file = nodes.get(r.id)?.path;
    if (file !== undefined && !texts.has(file))
      texts.set(
        file,
        await readFile(path.join(ctx.project.dir, file), "utf8").catch(() => undefined),
      );
  }
  const report: ReportContext = {
    nodes,
    location: (node: CompiledNode) => nodeLocation(node, texts.get(node.path)),
    sqlPath: (node) => path.relative(process.cwd(), runPaths(node.id) ?? ctx.targetDir),
    samples,
  };
  let written = true;
  if (junitPath !== undefined) {
    try {
      await mkdir(path.dirname(path.resolve(junitPath)), { recursive: true });
      // Whole or not at all: a CI reading half a report would miss the failures cut off.
      await writeFileAtomic(junitPath, junitXml(results, report));
    } catch (error) {
      const refusal = fileSystemRefusal(error, junitPath);
      const why = (error as NodeJS.ErrnoException).code ?? String(error);
      io.err(
        refusal === undefined
          ? `error: --junit-xml: the report could not be written to '${junitPath}' (${why})`
          : `error: --junit-xml: the report was not written: ${refusal}`,
      );
      written = false;
    }
  }
  if (process.env["GITHUB_ACTIONS"] === "true") {
    const root = path.relative(process.cwd(), ctx.project.dir).split(path.sep).join("/");
    for (const line of githubAnnotations(results.results, report, root)) io.out(line);
  }
  return written;
}

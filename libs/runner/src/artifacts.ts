import { hash } from "node:crypto";
import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import type { CompiledNode, CompiledProject } from "@sluice/compiler";
import type { HookKey } from "@sluice/compiler/run-time";
import type { Project } from "@sluice/project";
import type { RunResults } from "./types.js";
import { artifactsStamp, stampFile } from "./artifacts-stamp.js";
import { isPacked, packArtifacts, packedDir } from "./packed-artifacts.js";
import type { ArtifactLayout } from "./packed-artifacts.js";
import { readOr, writeChangedFiles } from "./write-changed-files.js";
import { dropPackedKeys, packedShards } from "./packed-keys.js";
import type { ArtifactInvocation } from "./artifacts/dbt-manifest.js";
import { writeManifest } from "./artifacts/manifest-file.js";
import type { ByNodeId, ManifestSource } from "./artifacts/manifest-keys.js";
import { removeDeadTemps } from "./artifacts/dead-temps.js";
import { writeFileAtomic } from "./artifacts/atomic-file.js";
import { dbtRunResults } from "./artifacts/dbt-run-results.js";

/**
 * Write `target/manifest.json` (dbt's v12 shape, every node: see {@link writeManifest}),
 * `target/compiled/<node path>` (the rendered SELECT) and
 * `target/run/<node path>` (every statement, `;`-separated) for the chosen nodes. With layout
 * `packed`, or `auto` (the default) and more than {@link PER_FILE_LIMIT} chosen nodes, the same
 * texts go to `target/packed/` instead (see packed-artifacts.ts), and a node's own files are
 * written when something names them ({@link materializeCompiled}). Only files whose text
 * changed are written. A few nodes of a packed project written as files of their own (`build
 * -s m_1`) leave `target/packed/` as the last compile of the whole project wrote it (as dbt
 * leaves other models' compiled files), so the next compile keeps its shards.
 * Returns the run/ path of each chosen node by node id, for error messages (made when first
 * asked for: at 10,000 models, 30,000 paths were 3% of a one-model-changed compile, which asks
 * for none).
 */
export async function writeCompiledArtifacts(
  targetDir: string,
  compiled: CompiledProject,
  chosen: ReadonlySet<string> | undefined,
  options: { project: Project } & ArtifactInvocation & {
      /** The running sluice build: the manifest reuses entries written by the same build. */
      build: string;
      layout?: ArtifactLayout;
      /**
       * Identity of `compiled` (equal fingerprints: equal projects). When the artifacts on disk
       * were written from the same fingerprint, layout and nodes, nothing is rebuilt or compared.
       */
      fingerprint?: string;
      /**
       * `compiled` is the compile fingerprinted `since` (see `fingerprint`) but for `nodes`,
       * rendered again after an edit of their files' literal SQL: see {@link ManifestSource}.
       */
      edits?: ManifestSource["edits"];
      /** The partial-parse header `compiled` was cached under, recorded in the manifest's sidecar. */
      compileKey?: string;
      /** Hashes of nodes' JSON texts by node id (the compile memo's): see {@link writeManifest}. */
      digests?: ByNodeId;
      /**
       * The manifest's state records the nodes' digests, for checksum reuse (see
       * {@link writeManifest}): of `digests` when given (they must describe these very nodes),
       * else hashed from the nodes.
       */
      recordDigests?: boolean;
      /** Rootless digests of nodes of `digests` by node id, when known: see {@link writeManifest}. */
      rootless?: ByNodeId;
      /**
       * Placeless digests the compile recorded, by node id, of nodes as it made them (a run's, its
       * run id put in): see {@link writeManifest}.
       */
      placeless?: ByNodeId;
      /**
       * Every node of `compiled` is as the compile `compileKey` names made it (none replaced, e.g.
       * by `--defer`): see {@link writeManifest}.
       */
      asCompiled?: boolean;
      /**
       * Nodes whose `target/run/` files the run about to start writes itself (executed
       * statements and plan): left as they are here, then settled by {@link settleRunFiles}.
       */
      runWrites?: ReadonlySet<string>;
    },
): Promise<RunPathOf> {
  const nodes = compiled.nodes.filter((n) => !chosen || chosen.has(n.id));
  const runPaths = runPathsOf(targetDir, nodes);
  const layout = options.layout ?? "auto";
  const stamp =
    options.fingerprint === undefined
      ? undefined
      : hash("sha1", [options.fingerprint, layout, ...nodes.map((n) => n.id)].join("\n"));
  const packed = isPacked(layout, nodes.length);
  const folders = ["compiled", "run"].map((kind) =>
    path.join(targetDir, ...(packed ? ["packed"] : []), kind),
  );
  // Written from the same compile, and not deleted by hand since.
  if (stamp !== undefined && artifactsStamp(targetDir) === stamp && folders.every(existsSync))
    return runPaths;
  // A first compile without the parse cache (`--no-partial-parse`, which writes nothing into
  // target/ before this) finds no folder yet.
  mkdirSync(targetDir, { recursive: true });
  // Gone until the new artifacts are all written: an interrupted write is never trusted.
  rmSync(stampFile(targetDir), { force: true });
  // And what a killed process's writes left in target/ goes.
  removeDeadTemps(targetDir);
  // The manifest first: its entries are built and written before the node texts below exist
  // (both held at once were a cold compile's peak memory).
  const source: ManifestSource | undefined =
    options.fingerprint === undefined
      ? undefined
      : { fingerprint: options.fingerprint, ...(options.edits ? { edits: options.edits } : {}) };
  writeManifest(targetDir, options.project, compiled, options, options.build, {
    ...options,
    ...(source ? { source } : {}),
  });
  const roots = ["compiled", "run", "packed"].map((folder) => path.join(targetDir, folder));
  const index = path.join(targetDir, ".artifact-hashes.json");
  // Written by the run: the compiled statements (holding the last run's ids, so changed every
  // run) would be written now only to be replaced, and the last plans removed to be written again.
  const spared = new Set(
    nodes.filter((n) => options.runWrites?.has(n.id)).flatMap((n) => runFiles(targetDir, n)),
  );
  if (packed && options.digests) {
    // Only the shards holding a node whose digest changed are built (see packed-keys.ts).
    const shards = packedShards(
      targetDir,
      nodes,
      artifactName,
      { compiled: compiledText, run: runText },
      options.digests,
      source,
      index,
    );
    writeChangedFiles(roots, shards.files, { index, kept: shards.kept, spared });
    shards.commit();
  } else {
    // A few nodes of the project chosen (`build -s m_1`) get files of their own; the packed
    // shards of the whole project (a compile's) stay as they are, with their keys and hashes:
    // the next compile of it keeps them instead of building 30,000 texts again. Every node
    // written this way (`--artifacts files`, or a project of few nodes) replaces them.
    const keepShards = !packed && nodes.length < compiled.nodes.length && layout !== "files";
    if (!keepShards) dropPackedKeys(targetDir);
    const texts = { compiled: new Map<string, string>(), run: new Map<string, string>() };
    for (const node of nodes) {
      const file = artifactName(node);
      texts.compiled.set(file, compiledText(node));
      texts.run.set(file, runText(node));
    }
    const files = new Map<string, string>();
    for (const kind of ["compiled", "run"] as const) {
      const placed = packed
        ? packArtifacts(packedDir(targetDir, kind), texts[kind])
        : new Map([...texts[kind]].map(([file, text]) => [path.join(targetDir, kind, file), text]));
      for (const [file, text] of placed) if (!spared.has(file)) files.set(file, text);
    }
    writeChangedFiles(keepShards ? roots.slice(0, 2) : roots, files, {
      index,
      spared,
      ...(keepShards ? { carried: roots[2]! } : {}),
    });
  }
  if (stamp !== undefined) writeFileSync(stampFile(targetDir), stamp);
  return runPaths;
}

/** A node's `target/run/` path by node id; undefined for a node not written. */
export type RunPathOf = (id: string) => string | undefined;

/** {@link RunPathOf} `nodes`, each path made when first asked for (a later node of an id wins). */
function runPathsOf(targetDir: string, nodes: readonly CompiledNode[]): RunPathOf {
  let paths: Map<string, string> | undefined;
  return (id) =>
    (paths ??= new Map(
      nodes.map((node) => [node.id, path.join(targetDir, "run", artifactName(node))]),
    )).get(id);
}

/** A node's files in `target/run/` that a run writes: its statements and its plan (both forms). */
function runFiles(targetDir: string, node: CompiledNode): string[] {
  const file = path.join(targetDir, "run", artifactName(node));
  const plan = `${file.replace(/\.sql$/, "")}.plan`;
  return [file, `${plan}.json`, `${plan}.txt`];
}

/**
 * After a run whose artifacts were written with `runWrites` (see {@link writeCompiledArtifacts},
 * same `chosen` and layout): a node of it that wrote no executed statements gets its compiled
 * ones in `target/run/` (packed layout: no file there), and one that wrote no plan keeps none:
 * what writing them all before the run would have left.
 *
 * @example
 * settleRunFiles("models/target", compiled, chosen, runWrites, { ran, planned }); // after runProject
 */
export function settleRunFiles(
  targetDir: string,
  compiled: CompiledProject,
  chosen: ReadonlySet<string>,
  runWrites: ReadonlySet<string>,
  wrote: { ran: ReadonlySet<string>; planned: ReadonlySet<string>; layout?: ArtifactLayout },
): void {
  const nodes = compiled.nodes.filter((n) => chosen.has(n.id));
  const packed = isPacked(wrote.layout ?? "auto", nodes.length);
  for (const node of nodes) {
    if (!runWrites.has(node.id)) continue;
    const [file, ...plans] = runFiles(targetDir, node) as [string, string, string];
    if (!wrote.planned.has(node.id)) for (const plan of plans) rmSync(plan, { force: true });
    if (wrote.ran.has(node.id)) continue;
    if (packed) rmSync(file, { force: true });
    else if (readOr(file) !== runText(node)) {
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, runText(node));
    }
  }
}

/** What `target/compiled/<node path>` holds: the rendered SELECT. */
const compiledText = (node: CompiledNode): string => `${node.sql.trim()}\n`;

/**
 * What `target/run/<node path>` holds: every statement, `;`-separated, the model's hooks around
 * its build (as the run sends them).
 */
function runText(node: CompiledNode): string {
  const hooks = (key: HookKey) => (node.config[key] ?? []).map((sql) => ({ kind: "hook", sql }));
  const build = node.incrementalStatements
    ? [
        ...node.statements,
        { kind: "comment", sql: "-- when the table exists (incremental run):" },
        ...node.incrementalStatements,
      ]
    : node.statements;
  const statements = [...hooks("pre_hook"), ...build, ...hooks("post_hook")];
  return (
    statements.map((s) => (s.kind === "comment" ? s.sql : `${s.sql.trim()};`)).join("\n\n") + "\n"
  );
}

/**
 * Make sure `target/compiled/<node path>` exists, for a message that names it: written from the
 * node when compile packed the artifacts (or the file is missing). Returns its path.
 */
export function materializeCompiled(targetDir: string, node: CompiledNode): string {
  const file = path.join(targetDir, "compiled", artifactName(node));
  if (!existsSync(file)) {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, compiledText(node));
  }
  return file;
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
  const folder = node.kind === "test" ? "tests" : `${node.kind}s`;
  // A name with no separator in it is one segment: path.join would only put path.sep between
  // (at 10,000 models, 20,000 tests' joins were ~2% of a one-edit compile).
  if (!node.name.includes("/") && !node.name.includes("\\"))
    return `${folder}${path.sep}${node.name}.sql`;
  return path.join(folder, `${node.name}.sql`);
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
  // Whole or not at all: `sluice retry` and `result:` selectors read it (a full disk mid-write
  // left half of it).
  await writeFileAtomic(
    file,
    JSON.stringify(dbtRunResults(results, compiled, args), null, 2) + "\n",
  );
  return file;
}

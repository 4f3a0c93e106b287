import { existsSync } from "node:fs";
import path from "node:path";
import type { ContextOptions, ProjectContext } from "./project-context.js";
import type { GlobalArgs, Io } from "./command.js";
import type { SelectionArgs } from "./commands/shared-options.js";
import { printDiagnostics } from "./output/diagnostics.js";
import type { ChecksumPart, ChecksumReuse, CompiledNode, SelectionState } from "@sluice/compiler";
import { compileDigestLines, lineRootless } from "./compile-digests.js";
import { nodeText } from "./node-texts.js";
import type { RunState, rootlessDigest as RootlessDigest } from "@sluice/runner/state";

/**
 * What the state selectors compare: the state's checksums and results, and this project's. This
 * project's are read or hashed when a selector first compares them, of the parts it compares
 * (see `partChecksums`): `--defer`, `state:new` and `result:` hash nothing; the nodes compiled as
 * the state recorded them are not hashed either (see {@link reuseOf}).
 */
async function selectionState(ctx: ProjectContext, state: RunState): Promise<SelectionState> {
  const { cachedChecksums, rootlessDigest } = await import("@sluice/runner/state");
  let made: { parts: readonly ChecksumPart[]; sums: ReadonlyMap<string, string> } | undefined;
  const current = (parts: readonly ChecksumPart[]) => {
    if (!made || !parts.every((p) => made!.parts.includes(p))) {
      const all = [...new Set([...(made?.parts ?? []), ...parts])];
      made = {
        parts: all,
        sums: cachedChecksums(ctx.project, ctx.compiled, ctx.targetDir, ctx.cacheHeader, all, () =>
          reuseOf(ctx, state, rootlessDigest),
        ),
      };
    }
    return made.sums;
  };
  return {
    previous: state.nodes.packedChecksums(),
    current,
    ...(state.results
      ? { results: new Map(state.results.results.map((r) => [r.id, r.status])) }
      : {}),
  };
}

/**
 * What this project's checksums may take from the state instead of hashing (see
 * `reusedChecksums`): the state's recorded compile digests, and this compile's (made by this
 * command, or kept in compile_digests.json for the compile it revived).
 */
function reuseOf(
  ctx: ProjectContext,
  state: RunState,
  rootlessDigest: typeof RootlessDigest,
): ChecksumReuse | undefined {
  // A state of another target (the CI recipe: production's Athena manifest, a lake build here)
  // compiled every node otherwise: no digest can match, so none is read or compared.
  const before = state.adapter === ctx.compiled.dialect ? state.nodes.checksumsBefore() : undefined;
  if (!before) return undefined;
  // As the state records them: rootless (see `rootlessDigest`), kept with the compile's digests.
  const kept = compileDigestLines(ctx, ctx.compiled.nodes);
  if (kept) return { before, digests: kept.map(lineRootless) };
  const made = ctx.nodeDigests;
  if (!made) return undefined;
  const { nodes } = ctx.compiled;
  const dir = ctx.project.dir;
  const digests = nodes.map((n) => {
    const digest = made.get(n.id);
    return digest && rootlessDigest(n, digest, dir, ctx.runId, nodeText(n));
  });
  return { before, digests };
}

/** `--state DIR` read, or undefined (after printing why) when it cannot be. */
export async function loadRunState(
  dir: string,
  io: Io,
  cacheDir?: string,
): Promise<RunState | undefined> {
  const { readRunState, StateError } = await import("@sluice/runner/state");
  try {
    const warn = (message: string) => io.err(`warning: ${message}`);
    return await readRunState(dir, { warn, ...(cacheDir === undefined ? {} : { cacheDir }) });
  } catch (err) {
    if (!(err instanceof StateError)) throw err;
    io.err(`error: ${err.message}`);
    return undefined;
  }
}

/**
 * Apply --select/--exclude (with --state's artifacts, when given); undefined (after printing
 * why) when a selector is invalid or the state cannot be read.
 */
export async function selectedIds(
  ctx: ProjectContext,
  args: SelectionArgs,
  io: Io,
  runState?: RunState,
): Promise<string[] | undefined> {
  const { selectNodes } = await import("@sluice/compiler/select");
  const state = runState ? await selectionState(ctx, runState) : undefined;
  const split = (values?: string[]): string[] | undefined =>
    values?.flatMap((v) => v.split(/\s+/)).filter(Boolean);
  const c = ctx.project.config;
  const resourcePaths = [
    ...c["model-paths"],
    ...c["seed-paths"],
    ...(c["snapshot-paths"] ?? []),
    ...c["test-paths"],
    ...c["rule-paths"],
  ];
  const select = split(args.select);
  const exclude = split(args.exclude);
  let fresher: Set<string> | undefined;
  if ([...(select ?? []), ...(exclude ?? [])].some((s) => /(^|[,+@])source_status:/.test(s))) {
    if (args.state === undefined) {
      io.err("error: source_status: compares with a previous run: pass --state DIR");
      return undefined;
    }
    const { fresherSources } = await import("./source-status.js");
    const found = await fresherSources(ctx.targetDir, path.resolve(args.state));
    if (typeof found === "string") {
      io.err(`error: source_status: ${found}`);
      return undefined;
    }
    fresher = found;
  }
  const { ids, diagnostics } = selectNodes(ctx.compiled, {
    select,
    exclude,
    resourcePaths,
    ...(state ? { state } : {}),
    ...(fresher ? { fresherSources: fresher } : {}),
  });
  printDiagnostics(io, diagnostics, ctx.project.dir);
  if (diagnostics.some((d) => d.severity === "error")) return undefined;
  return ofResourceTypes(ctx, ids, args);
}

/** `ids` of the resource types --resource-type keeps and --exclude-resource-type does not drop. */
async function ofResourceTypes(
  ctx: ProjectContext,
  ids: string[],
  args: SelectionArgs,
): Promise<string[]> {
  const only = args.resourceType?.length ? new Set(args.resourceType) : undefined;
  const without = new Set(args.excludeResourceType ?? []);
  if (!only && without.size === 0) return ids;
  const { resourceType } = await import("@sluice/compiler/select");
  const typeOf = new Map(ctx.compiled.nodes.map((n) => [n.id, resourceType(n)]));
  return ids.filter((id) => {
    const type = typeOf.get(id)!;
    return (!only || only.has(type)) && !without.has(type);
  });
}

/**
 * Whether `--state` must hold a manifest.json: state:/result: selectors and --defer compare with
 * it; a folder that has one is read whatever the selectors (its errors are the user's to see).
 */
function needsManifest(args: SelectionArgs & { defer?: boolean }): boolean {
  const selectors = [...(args.select ?? []), ...(args.exclude ?? [])].join(" ");
  return (
    args.defer === true ||
    /(^|[\s,+@])(state|result):/.test(selectors) ||
    existsSync(path.join(path.resolve(args.state!), "manifest.json"))
  );
}

/**
 * Load + compile the project and apply --select/--exclude: what compile, ls and the run
 * commands start with. Undefined (after printing why) on any user error: exit 2.
 */
export async function loadSelection(
  args: GlobalArgs & SelectionArgs,
  io: Io,
  /** Called as soon as the project is loaded, before the selection (e.g. to start opening the engine). */
  onContext?: (ctx: ProjectContext) => void,
  /**
   * See {@link loadProjectContext}; `wholeSelected`: with `factsOnly`, the selected nodes are read
   * whole (see fact-nodes.ts `wholeNodes`), for a command that runs them.
   */
  options: Omit<ContextOptions, "dqRules"> & { wholeSelected?: boolean } = {},
): Promise<{ ctx: ProjectContext; ids: string[]; state?: RunState } | undefined> {
  const { loadProjectContext } = await import("./project-context.js");
  // A state that cannot be read stops the command before any work starts. A folder with only
  // sources.json serves source_status: selectors (dbt's source freshness artifacts).
  const readState = args.state !== undefined && needsManifest(args);
  const cacheDir = path.join(path.resolve(args.projectDir), "target");
  const state = readState ? await loadRunState(args.state!, io, cacheDir) : undefined;
  if (readState && !state) return undefined;
  const ctx = await loadProjectContext(args, io, options);
  if (!ctx) return undefined;
  onContext?.(ctx);
  const ids = await selectedIds(ctx, args, io, state);
  if (ids && options.factsOnly === true && options.wholeSelected === true) {
    const { wholeNodes } = await import("./fact-nodes.js");
    wholeNodes(ctx.compiled.nodes, new Set(ids));
  }
  return ids ? { ctx, ids, ...(state ? { state } : {}) } : undefined;
}

/**
 * The nodes a selection names for one node's SQL (show, compile -s): a model's selection takes
 * its tests too (dbt's build selection), which are left out here.
 */
export function namedNodes(ctx: ProjectContext, ids: readonly string[]): CompiledNode[] {
  const chosen = new Set(ids);
  return ctx.compiled.nodes.filter(
    (n) => chosen.has(n.id) && !(n.attachedTo !== undefined && chosen.has(n.attachedTo)),
  );
}

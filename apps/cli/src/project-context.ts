import { randomBytes } from "node:crypto";
import path from "node:path";
import type { CompiledNode, CompiledProject } from "@sluice/compiler";
import type { Dialect } from "@sluice/dialects";
import type { Diagnostic, LoadOptions, Project, TargetConfig } from "@sluice/project";
import type { GlobalArgs, Io } from "./command.js";
import { printDiagnostics } from "./output/diagnostics.js";
import {
  invocationListings,
  cacheFilePath,
  readCachedContext,
  recordingEnv,
  flagVar,
  invocationEnv,
  setInvocationCommand,
  RUN_ID_PLACEHOLDER,
  setInvocationStart,
  withRunId,
  writeCachedContext,
} from "./compile-cache.js";
import type { CacheRequest } from "./compile-cache.js";
import { memoFile, nodeDigests, readLoadMemo, writeLoadMemo } from "./compile-memo-file.js";
import { keptDigestLines, lineDigest, writeCompileDigests } from "./compile-digests.js";
import { readCompileFacts, writeCompileFacts } from "./compile-facts.js";
import type { KeptFacts } from "./compile-facts.js";
import { FactReader, segmentOfPlace } from "./fact-nodes.js";
import type { FactColumns } from "./fact-nodes.js";
import { contextPieces, DamagedCacheError, lazyContext, parseContext } from "./context-text.js";
import type { ContextBytes } from "./context-text.js";
import { forgetPlaces, memoRef, resolveMemoRefs } from "./memo-refs.js";
import { forgetNodeTexts, knownText, nodeText } from "./node-texts.js";

/** A loaded and compiled project, ready to run on its target. */
export interface ProjectContext {
  project: Project;
  compiled: CompiledProject;
  targetName: string;
  target: TargetConfig;
  dialect: Dialect;
  runId: string;
  /** `<project>/target` */
  targetDir: string;
  /**
   * The partial-parse header `compiled` is cached under: two contexts with the same header and
   * run id hold the same compiled project. Undefined when the compile was not cached.
   */
  cacheHeader?: string;
  /**
   * Digests of the nodes the compile memo holds, by node id, when this command compiled (see
   * `nodeDigests`): the artifact writers tell unchanged nodes by them. A revived compile's are
   * in compile_digests.json (see `readCompileDigests`), read when a selection needs them.
   */
  nodeDigests?: ReadonlyMap<string, string>;
  /**
   * When this command took the fast path after an edit of model SQL literals (see
   * sql-edit-compile.ts): the node ids of the models it rendered again, and the partial-parse
   * header of the compile they were edited from (every other node is as that compile left it).
   */
  sqlEdits?: { nodes: string[]; since: string };
  /**
   * compile_digests.json's lines of this compile by position (each node's rootless and placeless
   * digest: see `lineRootless`, `linePlaceless`), when this command wrote them: read from there
   * (`compileDigestLines`, which keeps them here) only when the command did not.
   */
  digestLines?: readonly string[];
}

/**
 * Whether a compile saves what tells a later one that only model SQL changed
 * (`target/partial_parse.edits.json`, see sql-edits.ts) and a load takes the fast path of
 * sql-edit-compile.ts when it did: on unless `SLUICE_SQL_EDITS=0` (the full path then always
 * compiles; the fast path writes the same target/, tested byte for byte in
 * sql-edit-compile.test.ts).
 */
const sqlEditsOn = (): boolean => process.env["SLUICE_SQL_EDITS"] !== "0";

/** A sortable, unique id for this invocation: `20261128T154501Z_3f9a`. */
export function newRunId(now = new Date()): string {
  return `${now
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d+Z$/, "Z")}_${randomBytes(2).toString("hex")}`;
}

/** How {@link loadProjectContext} loads (see there). */
export interface ContextOptions {
  /** One test node per DQDL rule (default: true). */
  dqRules?: boolean;
  /** The run id the statements get (default: a new one). */
  runId?: string;
  /** `compile`: the nodes a one-edit compile does not render again revived as fact nodes. */
  factNodes?: boolean;
  /**
   * `ls` and the run commands with `--select` (without `--state`): every node of an unchanged
   * compile revived as a fact node (see fact-nodes.ts; the run commands then read their selected
   * nodes whole).
   */
  factsOnly?: boolean;
}

/**
 * Load, validate and compile the project for the chosen target, with one test node per DQDL rule
 * (unless `dqRules: false`). Prints every diagnostic; returns undefined when any is an error (the
 * caller exits 2). `runId` (default: a new one) goes into the statements (staging names, version
 * locations); `compile` passes {@link RUN_ID_PLACEHOLDER}, so what it writes only changes when
 * the project does.
 */
export async function loadProjectContext(
  args: GlobalArgs & { storeFailures?: boolean },
  io: Io,
  options: ContextOptions = {},
): Promise<ProjectContext | undefined> {
  const dir = path.resolve(args.projectDir);
  const targetDir = path.join(dir, "target");
  const now = new Date();
  const runId = options.runId ?? newRunId(now);
  setInvocationStart(now);
  const command = (args as { _?: unknown[] })._?.[0];
  const flags = args as { fullRefresh?: boolean; storeFailures?: boolean };
  if (typeof command === "string")
    setInvocationCommand(command, {
      fullRefresh: flags.fullRefresh === true,
      storeFailures: flags.storeFailures === true,
    });
  const request = cacheRequest(args, options);
  const useCache = args.partialParse !== false;
  const listings = invocationListings(args);
  let cached = useCache ? readCachedContext(targetDir, request, listings) : undefined;
  // After the fast path: the digests of the memo's nodes, taken from their texts as revived or
  // kept from the compile before the edit (the full path hands the artifact writers the memo's;
  // otherwise they serialize and hash each node).
  let digests: Map<string, string> | undefined;
  let kept: KeptDigests | undefined;
  let parsed: CachedContext | undefined;
  let sqlEdits: ProjectContext["sqlEdits"];
  if (cached === undefined && useCache && sqlEditsOn()) {
    // Only model SQL literals changed: partial_parse.json and the memo spliced, then read.
    const { compileSqlEdits } = await import("./sql-edit-compile.js");
    // A damaged cache line the fast path reads (see DamagedCacheError): the full compile.
    const fast = await compileSqlEdits(targetDir, request, listings).catch((error: unknown) => {
      if (error instanceof DamagedCacheError) return { refused: error.message };
      throw error;
    });
    if (!("refused" in fast)) {
      // What it wrote, as readCachedContext would read it back (not read and checked again).
      // Its text is decoded only when the revive needs it (no parse to hand over).
      cached = {
        get context() {
          return fast.context();
        },
        header: fast.header,
      };
      // Its parse, when the fast path has it and no other run id goes in.
      if (runId === RUN_ID_PLACEHOLDER) parsed = fast.parsed as CachedContext | undefined;
      digests = new Map();
      sqlEdits = { nodes: fast.nodes.map((n) => n.id), since: fast.since };
      kept = { since: fast.since, rewritten: fast.rewritten };
    }
  }
  // A cached compile whose nodes' memo segments were replaced since is compiled afresh.
  // The nodes the fast path left alone revived as fact nodes (see fact-nodes.ts), when asked.
  if (kept && options.factNodes === true && runId === RUN_ID_PLACEHOLDER) kept.facts = true;
  // `ls` and the run commands: a compile revived as cached, every node a fact node (what they
  // read beyond the facts is read from the memo, on first use, node by node).
  const everyFact =
    options.factsOnly === true && digests === undefined ? cached?.header : undefined;
  // `ls` and the run commands read no model files or properties: they are parsed only if
  // something asks (see context-text.ts; at 10,000 models, 9 MB of 10.5). Not for `compile`,
  // which reads them: measured ~120 ms slower that way (more fresh memory than one decode).
  const lazy =
    parsed ?? (everyFact !== undefined ? lazyCached(cached, runId, targetDir) : undefined);
  const revived =
    cached &&
    (await revive(lazy ?? cached.context, runId, targetDir, io, dir, digests, kept, everyFact));
  if (revived) {
    if (digests === undefined) return withCacheHeader(revived, cached!.header);
    writeCompileFacts(targetDir, cached!.header, revived.compiled.nodes, kept?.factsRead);
    // The fast path's compile is cached under a new header: its digests go with it.
    const placelessOf = await placelessOfNodes(revived.project.dir, runId);
    const lines = writeCompileDigests(
      targetDir,
      cached!.header,
      revived.compiled,
      digests,
      placelessOf,
      kept?.digestLines,
    );
    return withCacheHeader(
      { ...revived, nodeDigests: digests, sqlEdits: sqlEdits!, digestLines: lines },
      cached!.header,
    );
  }

  const loadStarted = Date.now();
  const fresh = await loadAndCompile(dir, args, request, useCache ? targetDir : undefined);
  if ("failed" in fresh) {
    printDiagnostics(
      io,
      fresh.failed.filter((d) => d.severity === "warn"),
      dir,
    );
    return fail(io, fresh.failed, dir);
  }
  // Written in pieces, each memo node as its place there (see memo-refs.ts).
  const header = useCache
    ? writeCachedContext(
        targetDir,
        request,
        fresh.folders,
        fresh.envRead,
        () => contextPieces(fresh.cached, writtenAs(fresh.cached.compiled)),
        loadStarted,
        listings,
      )
    : undefined;
  let lines: string[] | undefined;
  if (header !== undefined) writeCompileFacts(targetDir, header, fresh.cached.compiled.nodes);
  if (header !== undefined && fresh.digests) {
    const placelessOf = await placelessOfNodes(fresh.cached.project.dir, RUN_ID_PLACEHOLDER);
    lines = writeCompileDigests(
      targetDir,
      header,
      fresh.cached.compiled,
      fresh.digests,
      placelessOf,
    );
  }
  if (header !== undefined && sqlEditsOn()) {
    const { saveSqlEditsBase } = await import("./sql-edits.js");
    const { project } = fresh.cached;
    saveSqlEditsBase(
      targetDir,
      header,
      request,
      fresh.folders,
      listings,
      project.config["model-paths"],
      project.models,
    );
  }
  // The compile memo, its digests and partial_parse.json are written: their node texts can go.
  forgetNodeTexts();
  forgetPlaces();
  // The placeholder run id needs no substitution: keep the objects instead of parsing the text.
  const ctx =
    runId === RUN_ID_PLACEHOLDER
      ? await reviveContext(fresh.cached, runId, targetDir, io, dir)
      : await revive(fresh.context(), runId, targetDir, io, dir);
  // fresh.context() names no memo place: it always revives.
  if (ctx === undefined) throw new Error("a fresh compile's context did not revive");
  return withCacheHeader(
    fresh.digests === undefined ? ctx : { ...ctx, nodeDigests: fresh.digests, digestLines: lines },
    header,
  );
}

/**
 * How partial_parse.json writes an object it holds: a compiled node the compile memo holds as
 * the name of its place there (see memo-refs.ts), else the text it was read or serialized as.
 */
function writtenAs(compiled: CompiledProject): (value: object) => string | undefined {
  const nodes = new Set<object>(compiled.nodes);
  return (value) => (nodes.has(value) ? memoRef(value) : undefined) ?? knownText(value);
}

const withCacheHeader = (ctx: ProjectContext, header: string | undefined): ProjectContext =>
  header === undefined ? ctx : { ...ctx, cacheHeader: header };

/** What, besides the project's files, decides what {@link loadProjectContext} loads. */
export function cacheRequest(
  args: GlobalArgs & { storeFailures?: boolean },
  options: { dqRules?: boolean } = {},
): CacheRequest {
  return {
    dir: path.resolve(args.projectDir),
    target: args.target ?? null,
    vars: args.vars ?? null,
    profilesDir: args.profilesDir === undefined ? null : path.resolve(args.profilesDir),
    profile: args.profile ?? null,
    storeFailures: args.storeFailures === true,
    dqRules: options.dqRules !== false,
  };
}

/** How to read the project's settings: for a dbt project, which profiles.yml and profile. */
export function loadOptions(
  args: GlobalArgs,
  env: Record<string, string | undefined>,
): LoadOptions {
  return {
    env,
    ...(args.profilesDir === undefined ? {} : { profilesDir: args.profilesDir }),
    ...(args.profile === undefined ? {} : { profile: args.profile }),
    // dbt_project.yml's config values may read `target`.
    ...(args.target === undefined ? {} : { target: args.target }),
  };
}

/** What {@link loadProjectContext} caches: everything but the dialect (rebuilt from the target). */
interface CachedContext {
  project: Project;
  compiled: CompiledProject;
  targetName: string;
  target: TargetConfig;
  /** Warnings, printed again on every run that uses the cache. */
  warnings: Diagnostic[];
}

/**
 * Load and compile with the placeholder run id; the result, its text in partial_parse.json's
 * layout (see context-text.ts; built when first asked for: a compile whose cache is not written and needs no other run id never builds it),
 * or the errors.
 */
async function loadAndCompile(
  dir: string,
  args: GlobalArgs,
  request: CacheRequest,
  memoDir: string | undefined,
): Promise<
  | {
      context: () => string;
      cached: CachedContext;
      folders: string[];
      envRead: string[];
      digests?: Map<string, string>;
    }
  | { failed: Diagnostic[] }
> {
  const [{ loadProject, parseVarsOption, hasErrors, error }, { compileProject, dialectFor }] =
    await Promise.all([import("@sluice/project"), import("@sluice/compiler")]);
  const memo = memoDir === undefined ? undefined : readLoadMemo(memoDir, dir);
  const env = recordingEnv(invocationEnv());
  const varsParsed = args.vars ? parseVarsOption(args.vars) : { vars: {}, diagnostics: [] };
  const project = await loadProject(dir, {
    ...loadOptions(args, env.env),
    // dbt_project.yml's config values may read var(): --vars over its own.
    vars: varsParsed.vars,
    ...(memo ? { properties: memo.properties } : {}),
  });
  const diagnostics: Diagnostic[] = [...project.diagnostics];
  diagnostics.push(...varsParsed.diagnostics);
  if (hasErrors(diagnostics)) return { failed: diagnostics };

  const targetName = args.target ?? project.config["default-target"];
  const target = project.config.targets[targetName];
  if (!target) {
    return {
      failed: [
        error(
          "UNKNOWN_TARGET",
          `target '${targetName}' is not defined in ${project.config.dbt ? `profile '${project.config.dbt.profile}'` : "sluice.yml"}`,
          undefined,
          `defined targets: ${Object.keys(project.config.targets).join(", ")}`,
        ),
      ],
    };
  }
  const dialect = dialectFor(target);
  const compiled = compileProject(project, {
    targetName,
    vars: varsParsed.vars,
    env: env.env,
    runId: RUN_ID_PLACEHOLDER,
    dialect,
    flag: (name) => env.env[flagVar(name)],
    ...(memo ? { memo: memo.models } : {}),
  });
  diagnostics.push(...compiled.diagnostics);
  if (
    request.dqRules &&
    (project.rules.length > 0 ||
      request.storeFailures ||
      compiled.nodes.some((n) => n.storeFailuresConfig)) &&
    !hasErrors(diagnostics)
  ) {
    const { appendDqNodes } = await import("./commands/dq-nodes.js");
    diagnostics.push(
      ...(await appendDqNodes({
        project,
        compiled,
        dialect,
        target,
        runId: RUN_ID_PLACEHOLDER,
        storeFailures: request.storeFailures,
      })),
    );
  }
  if (hasErrors(diagnostics)) return { failed: diagnostics };
  // Only a compile that succeeded leaves target/ behind (a failed build creates nothing).
  const { textDigest } = await import("@sluice/runner");
  const digests = memo && nodeDigests(memo, compiled, (node) => textDigest(nodeText(node)));
  if (memo && memoDir !== undefined) writeLoadMemo(memoDir, dir, memo);
  const cached: CachedContext = {
    project,
    compiled,
    targetName,
    target,
    warnings: diagnostics.filter((d) => d.severity === "warn"),
  };
  let text: string | undefined;
  return {
    context: () => (text ??= [...contextPieces(cached)].join("")),
    cached,
    folders: project.scannedFolders ?? [],
    envRead: [...env.read].sort(),
    ...(digests ? { digests } : {}),
  };
}

/**
 * A node's placeless digest (see the runner's `placelessDigest`) from its digest, for nodes of
 * the project in `root` compiled with `runId`; its text is serialized only when not known.
 */
async function placelessOfNodes(
  root: string,
  runId: string,
): Promise<(node: CompiledNode, digest: string) => string | undefined> {
  const { placelessDigest } = await import("@sluice/runner/state");
  return (node, digest) => placelessDigest(node, digest, root, runId, nodeText(node));
}

/**
 * What the fast path leaves of the compile it edited: the partial-parse header it was cached
 * under (`since`: its digests are in compile_digests.json, a line per node in the context's
 * order) and the memo segments it `rewritten`. A node read from any other segment has the text
 * it had then (segments are named by their content's hash): its digest is kept, not hashed.
 */
interface KeptDigests {
  since: string;
  rewritten: ReadonlySet<string>;
  /**
   * Revive every node of a segment not rewritten as a fact node, from compile_facts.json of
   * `since` (when it has them, with their digests): only for `compile` (see fact-nodes.ts).
   */
  facts?: boolean;
  /** Set by the revive: compile_facts.json of `since` as read, when its fact nodes were made. */
  factsRead?: KeptFacts;
  /** Set by the revive: compile_digests.json's lines of `since`, when read (see `keptDigestLines`). */
  digestLines?: string[];
}

/**
 * The context of a cached compile's text (in partial_parse.json's layout, see context-text.ts;
 * or of the text as parsed, with the placeholder run id), its nodes read from their memo places;
 * undefined when a place is gone (see memo-refs.ts) or the text is not in that layout.
 * `digests`, when given, gets each memo node's digest, hashed from its text or taken from `kept`.
 * `everyFact`: the partial-parse header of the compile revived unchanged, whose facts (when
 * compile_facts.json has them) make every memo node a fact node (see fact-nodes.ts).
 */
async function revive(
  context: string | CachedContext,
  runId: string,
  targetDir: string,
  io: Io,
  dir: string,
  digests?: Map<string, string>,
  kept?: KeptDigests,
  everyFact?: string,
): Promise<ProjectContext | undefined> {
  const c =
    typeof context === "string" ? parseContext<CachedContext>(withRunId(context, runId)) : context;
  if (c === undefined) return undefined;
  const nodes = c.compiled.nodes as unknown[];
  const textDigest = digests && (await import("@sluice/runner")).textDigest;
  if (kept) kept.digestLines = keptDigestLines(targetDir, kept.since, nodes.length);
  const lines = kept?.digestLines?.map(lineDigest);
  const read = kept?.facts && lines && readCompileFacts(targetDir, kept.since, nodes.length);
  if (read && digests) {
    factNodes(nodes, read.facts, memoFile(targetDir), {
      lines: lines!,
      rewritten: kept!.rewritten,
      digests,
    });
    kept!.factsRead = read;
  }
  const listed =
    everyFact === undefined ? undefined : readCompileFacts(targetDir, everyFact, nodes.length);
  // Facts hold no run id: with another one, facts that name the placeholder are not used.
  if (listed && (runId === RUN_ID_PLACEHOLDER || !namesRunIdPlaceholder(listed.body)))
    factNodes(nodes, listed.facts, memoFile(targetDir), undefined, runId);
  const parse = (text: string, segment: string, at: number): unknown => {
    const node = JSON.parse(withRunId(text, runId)) as CompiledNode;
    // The memo's digest of a node is of its text as compiled (the placeholder run id).
    if (textDigest) {
      const same = lines && !kept!.rewritten.has(segment) ? lines[at] : undefined;
      digests!.set(node.id, same || textDigest(text));
    }
    return node;
  };
  if (!resolveMemoRefs(nodes, memoFile(targetDir), parse)) return undefined;
  return reviveContext(c, runId, targetDir, io, dir);
}

/**
 * The context `cached` holds, its models and model properties parsed when first read (see
 * context-text.ts), when it was read as bytes and, for another run id than the placeholder,
 * names no placeholder (its nodes are memo places, read with the run id put in); else undefined:
 * the text is parsed whole, the run id put in first (see `withRunId`).
 */
function lazyCached(
  cached: { bytes?: ContextBytes } | undefined,
  runId: string,
  targetDir: string,
): CachedContext | undefined {
  const bytes = cached?.bytes;
  if (bytes === undefined) return undefined;
  const other = runId !== RUN_ID_PLACEHOLDER;
  if (other && (namesRunIdPlaceholder(bytes.head) || namesRunIdPlaceholder(bytes.rest)))
    return undefined;
  return lazyContext<CachedContext>(bytes, cacheFilePath(targetDir))?.context;
}

/** The start of the placeholder run id, the same in upper and lower case. */
const PLACEHOLDER_DATE = RUN_ID_PLACEHOLDER.slice(0, RUN_ID_PLACEHOLDER.indexOf("T"));

/**
 * Whether `text` holds the placeholder run id (as `withRunId` looks for it, in either case). Its
 * date part is the same in both cases: where that is not found, one search answers (at 10,000
 * models the texts asked about are ~12 MB).
 */
const namesRunIdPlaceholder = (text: string | Buffer): boolean =>
  text.includes(PLACEHOLDER_DATE) &&
  (text.includes(RUN_ID_PLACEHOLDER) || text.includes(RUN_ID_PLACEHOLDER.toLowerCase()));

/**
 * Replace each memo place in `nodes` with a fact node of its facts. After an edit (`edited`),
 * only the places whose segment was not `rewritten` (the node's text is the one `facts` and
 * `lines` were kept for: segments are named by their content's hash), each one's digest from
 * `lines` into `digests`. The other places are left for `resolveMemoRefs`. A node read whole
 * gets `runId` where the compile has the placeholder.
 */
function factNodes(
  nodes: unknown[],
  facts: FactColumns,
  memo: string,
  edited?: {
    lines: readonly string[];
    rewritten: ReadonlySet<string>;
    digests: Map<string, string>;
  },
  runId: string = RUN_ID_PLACEHOLDER,
): void {
  const reader = new FactReader(memo, runId === RUN_ID_PLACEHOLDER ? undefined : runId);
  for (let at = 0; at < nodes.length; at++) {
    const place = nodes[at];
    if (typeof place !== "string" || !place.startsWith("memo:")) continue;
    if (edited) {
      if (edited.lines[at] === "" || edited.rewritten.has(segmentOfPlace(place))) continue;
      edited.digests.set(facts.id[at]!, edited.lines[at]!);
    }
    nodes[at] = reader.node(facts, at, place);
  }
}

async function reviveContext(
  c: CachedContext,
  runId: string,
  targetDir: string,
  io: Io,
  dir: string,
): Promise<ProjectContext> {
  const { dialectFor } = await import("@sluice/compiler/run-time");
  printDiagnostics(io, c.warnings, dir);
  const dialect = dialectFor(c.target);
  return {
    project: c.project,
    compiled: c.compiled,
    targetName: c.targetName,
    target: c.target,
    dialect,
    runId,
    targetDir,
  };
}

function fail(io: Io, diagnostics: readonly Diagnostic[], dir: string): undefined {
  printDiagnostics(
    io,
    diagnostics.filter((d) => d.severity === "error"),
    dir,
  );
  return undefined;
}

import type { CompiledNode, ModelMemo } from "@sluice/compiler";
import type { Diagnostic, ModelProperties, Project, TargetConfig } from "@sluice/project";
import type { CacheRequest, Listings } from "./compile-cache.js";
import {
  cacheFilePath,
  cachedContextBytes,
  flagVar,
  invocationEnv,
  RUN_ID_PLACEHOLDER,
  spliceCachedContext,
} from "./compile-cache.js";
import { memoModel, replaceMemoModels } from "./compile-memo-file.js";
import { lazyContext } from "./context-text.js";
import { nodeText } from "./node-texts.js";
import { memoEdits, rebaseSqlEdits, sqlEdits } from "./sql-edits.js";

/** What partial_parse.json's context holds that this path reads (see project-context.ts). */
interface SavedContext {
  project: Project;
  compiled: { nodes: (CompiledNode | string)[] };
  targetName: string;
  target: TargetConfig;
  warnings: Diagnostic[];
}

/**
 * The compile after an edit of model SQL literals only (#14: one model's SQL changed at 10,000
 * models), without loading the project or building its other nodes: {@link sqlEdits} finds the
 * edited models, each is rendered again by `renderModels` from partial_parse.json's project (the
 * render kit) and its compile memo entry, and what the full path would write is written by
 * splicing: the memo's segments holding them (`replaceMemoModels`), `partial_parse.json` (its
 * header, the models' texts, the renamed segments: `spliceCachedContext`) and the edits base.
 * Afterwards the cached path reads `partial_parse.json` as after a full compile.
 *
 * Returns the new header and context (as `readCachedContext` reads them), the edited nodes
 * with their digests, the header they were edited `since` (partial_parse.json's before), the
 * compile memo segments `rewritten` (their new names: every other segment is as it was) and the
 * context `parsed` (when it could be told without parsing it again); or why not, and then
 * nothing was written but, possibly, memo segments (a fast path that fails after them leaves a
 * partial_parse.json whose places are gone: the next command compiles afresh).
 *
 * loadProjectContext takes it (unless `SLUICE_SQL_EDITS=0`) and then revives the whole compile:
 * manifest.json and the other artifacts of target/ are still written over every node (#14), the
 * manifest taking the keys of the entries the edits leave alone from its index (`compile` hands
 * the writer `ManifestSource.edits`).
 */
export async function compileSqlEdits(
  targetDir: string,
  request: CacheRequest,
  listings: Listings,
): Promise<
  | {
      header: string;
      /** The context written, decoded (the properties' 4.5 MB at 10,000 models) when called. */
      context: () => string;
      nodes: CompiledNode[];
      digests: Map<string, string>;
      since: string;
      rewritten: Set<string>;
      parsed?: unknown;
    }
  | { refused: string }
> {
  if (request.storeFailures) return { refused: "--store-failures" };
  const found = sqlEdits(targetDir, request, listings);
  if ("refused" in found) return found;
  if (found.models.length === 0) return { refused: "nothing edited" };
  const dir = request.dir;
  const memo = memoEdits(targetDir, dir, found.models);
  if ("refused" in memo) return memo;
  const text = cachedContextBytes(targetDir, found.header);
  if (text === undefined) return { refused: "partial_parse.json was replaced" };
  // The project without its model properties: the edited models' are parsed alone.
  const read = lazyContext<SavedContext>(text, cacheFilePath(targetDir));
  if (read === undefined) return { refused: "partial_parse.json is not in its layout" };
  const saved = read.context;
  const { project } = saved;
  const [{ renderModels, dialectFor }, { textDigest }] = await Promise.all([
    import("@sluice/compiler"),
    import("@sluice/runner"),
  ]);
  const files = new Map(project.models.map((m) => [m.path, m]));
  const models = [];
  for (const m of memo.models) {
    const file = files.get(m.path);
    if (file === undefined) return { refused: `'${m.path}' is not a model of partial_parse.json` };
    const own = read.propertiesOf(file.name) as ModelProperties | undefined;
    models.push({
      file: { ...file, text: m.text },
      ...(own ? { properties: own } : {}),
      memo: m.memo,
    });
  }
  // The nodes partial_parse.json holds inline (sources, seeds, ...), not as memo references.
  const inline = saved.compiled.nodes.filter((n): n is CompiledNode => typeof n !== "string");
  const { nodes, ephemeralSql } = readNodes(
    targetDir,
    dir,
    inline,
    memo.models.map((m) => m.memo),
  );
  // The project's package root loads the YAML and CSV parsers: only --vars needs one here.
  const vars =
    request.vars === null
      ? { vars: {}, diagnostics: [] }
      : (await import("@sluice/project")).parseVarsOption(request.vars);
  if (vars.diagnostics.length > 0) return { refused: "--vars reports a problem" };
  const env = invocationEnv();
  // What the render reads of the project, picked: spreading the project would read (and parse)
  // its model properties.
  const { dir: root, config, macros, unitTests } = project;
  const out = renderModels(
    { dir: root, config, macros, ...(unitTests ? { unitTests } : {}) },
    {
      targetName: saved.targetName,
      vars: vars.vars,
      env,
      runId: RUN_ID_PLACEHOLDER,
      dialect: dialectFor(saved.target),
      flag: (name) => env[flagVar(name)],
    },
    { models, nodes, ephemeralSql },
  );
  if ("refused" in out) return out;
  // A node partial_parse.json holds inline would be read back as it was: only the memo's
  // entries are rewritten.
  const stale = out.nodes.find((n) => inline.some((i) => i.id === n.id));
  if (stale) return { refused: `${stale.id} is held inline in partial_parse.json` };
  const digests = new Map<string, string>();
  for (const entry of Object.values(out.memo)) {
    const output = entry.output!;
    output.digest ??= textDigest(nodeText(output.node));
    digests.set(output.node.id, output.digest);
  }
  const renamed = replaceMemoModels(targetDir, dir, out.memo);
  if (renamed === undefined) return { refused: "the compile memo changed" };
  const edited = models.map((m) => m.file);
  const spliced = spliceCachedContext(
    targetDir,
    request,
    found.header,
    read.bytes,
    edited,
    renamed,
    listings,
  );
  if (spliced === undefined) return { refused: "partial_parse.json cannot be spliced" };
  rebaseSqlEdits(targetDir, found.base, spliced.header, request, listings);
  const rewritten = new Set(renamed.values());
  const parsed = splicedObject(saved, edited, renamed, spliced.places);
  return {
    header: spliced.header,
    context: spliced.context,
    nodes: out.nodes,
    digests,
    since: found.header,
    rewritten,
    ...(parsed ? { parsed } : {}),
  };
}

/**
 * `saved` (the context partial_parse.json held, as parsed) changed as `spliceCachedContext`
 * changed its text: the `edited` models' texts, and the memo places of the segments `renamed`,
 * of which the text had `places`. What the written text parses to, without parsing its 10 MB
 * again; undefined when that cannot be told: an edited model not found once among the project's
 * models, or a renamed place's text found elsewhere in the text than as a node's place.
 */
function splicedObject(
  saved: SavedContext,
  edited: readonly { path: string; absPath: string; text: string }[],
  renamed: ReadonlyMap<string, string>,
  places: number,
): SavedContext | undefined {
  const nodes = saved.compiled.nodes;
  let seen = 0;
  for (const [from, to] of renamed) {
    const prefix = `memo:${from}:`;
    nodes.forEach((n, i) => {
      if (typeof n !== "string" || !n.startsWith(prefix)) return;
      nodes[i] = `memo:${to}:${n.slice(prefix.length)}`;
      seen += 1;
    });
  }
  if (seen !== places) return undefined;
  for (const m of edited) {
    const held = saved.project.models.filter((f) => f.path === m.path && f.absPath === m.absPath);
    if (held.length !== 1) return undefined;
    held[0]!.text = m.text;
  }
  return saved;
}

/**
 * The nodes the edited models' renders and tests read, as the last compile built them: the
 * nodes partial_parse.json holds inline (sources, seeds, ...), and from the compile memo each
 * model a ref or relationships test names, with the ephemerals those read (and their bare SQL).
 */
function readNodes(
  targetDir: string,
  dir: string,
  inline: readonly CompiledNode[],
  entries: readonly ModelMemo[],
): { nodes: CompiledNode[]; ephemeralSql: Record<string, string> } {
  const nodes = [...inline];
  const ephemeralSql: Record<string, string> = {};
  const seen = new Set(nodes.map((n) => n.id));
  const wanted = entries.flatMap((e) => [
    ...e.refs,
    ...(e.tests?.parents ?? []).flatMap((p) => (p.to.kind === "ref" ? [p.to.name] : [])),
  ]);
  const visit = (id: string): void => {
    if (seen.has(id)) return;
    seen.add(id);
    const output = memoModel(targetDir, dir, id)?.output;
    if (output === undefined) return;
    nodes.push(output.node);
    if (output.node.materialization !== "ephemeral") return;
    ephemeralSql[id] = output.bare;
    output.node.dependsOn.forEach(visit);
  };
  for (const name of wanted) visit(`model.${name}`);
  return { nodes, ephemeralSql };
}

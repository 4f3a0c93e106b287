import { createHash, hash } from "node:crypto";
import {
  graphKey,
  macroBlocks,
  macrosUsed,
  sharedNodeChecksums,
  stableJson,
} from "@sluice/compiler/run-time";
import type { CompiledNode, CompiledProject, NodeChecksums } from "@sluice/compiler";
import type { Project } from "@sluice/project";
import { dbtRelationName, dbtSchemas, dbtUniqueId } from "./dbt-ids.js";

/** Who wrote an artifact and when: dbt's `metadata` (`invocation_id` is sluice's run id). */
export interface ArtifactInvocation {
  invocationId: string;
  generatedAt: Date;
}

/**
 * What sluice keeps of a node beyond dbt's fields, under `meta.sluice` (dbt's nodes admit no
 * other key): the {@link NodeChecksums} `--state` compares and, for tables and seeds, the folder
 * their versions are written under (for a source with `external`, its raw zone). Nothing dbt's
 * own fields already say (id: `unique_id`, kind: `resource_type`, materialization:
 * `config.materialized`, relation: `schema` and `alias`/`identifier`, tested node:
 * `attached_node`) is repeated here.
 */
export interface SluiceNodeMeta {
  checksums: NodeChecksums;
  location?: string;
}

const resourceType = (n: CompiledNode): string => n.kind;

/**
 * The folder a table's versions are written under: its location without the run's own version
 * folder (`…/marts/funnel/v_<run id>` -> `…/marts/funnel`). The same in every run, unlike the
 * version, which a run that does not build the table never writes: so an entry built in one run
 * is the entry of the next (see manifest-keys.ts), and a build that changes nothing in the
 * project leaves the manifest as it is.
 *
 * @example versionsFolder("/p/.lake/marts/funnel/v_20261127T000000Z_ab12") // "/p/.lake/marts/funnel"
 */
export const versionsFolder = (location: string): string => location.replace(/\/v_[^/]+\/?$/, "");

/** dbt's `columns`: a map by name (a later column of the same name wins, as fromEntries does). */
function columnsOf(n: CompiledNode): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const c of n.columns) {
    // Assignment would set the prototype; fromEntries defines the key.
    if (c.name === "__proto__")
      return Object.fromEntries(n.columns.map((d) => [d.name, column(d)]));
    out[c.name] = column(c);
  }
  return out;
}

function column(c: CompiledNode["columns"][number]): Record<string, unknown> {
  return {
    name: c.name,
    description: c.description ?? "",
    meta: {},
    data_type: null,
    constraints: [],
    quote: null,
    tags: [],
  };
}

/**
 * `stableJson(sums)`, written directly when `sums` holds exactly the five string parts (every
 * node's case); otherwise through stableJson. Keys in sorted order, as stableJson writes them.
 */
function checksumsJson(sums: NodeChecksums): string {
  const { body, configs, contract, macros, relation } = sums;
  if (
    Object.keys(sums).length !== 5 ||
    typeof body !== "string" ||
    typeof configs !== "string" ||
    typeof contract !== "string" ||
    typeof macros !== "string" ||
    typeof relation !== "string"
  )
    return stableJson(sums);
  const q = JSON.stringify;
  return `{"body":${q(body)},"configs":${q(configs)},"contract":${q(contract)},"macros":${q(macros)},"relation":${q(relation)}}`;
}

/** A node's entry in the manifest: under `nodes`, or under `sources` for a source. */
export interface ManifestEntry {
  section: "nodes" | "sources";
  /** dbt's unique id, the entry's key. */
  uid: string;
  entry: Record<string, unknown>;
}

/**
 * The manifest entries (see {@link dbtManifest}) of the nodes in `ids` (default: every node), in
 * the compiled project's order, one at a time: a caller that serializes each as it comes never
 * holds every entry's object (at 10,000 models, hundreds of MB). Only those nodes' checksums are
 * computed, and only if this process has not computed them for `compiled` already.
 */
export function* dbtNodeEntries(
  project: Project,
  compiled: CompiledProject,
  invocation: ArtifactInvocation,
  ids?: ReadonlySet<string>,
): Generator<ManifestEntry> {
  const pkg = compiled.projectName;
  const uid = (id: string) => dbtUniqueId(id, pkg);
  // Those a `--state` comparison of the same command computed are not hashed again.
  const checksums = sharedNodeChecksums(project, compiled, ids);
  // Found once: each pass over every node shows when a one-model change builds 3 of 30,000.
  const chosen = ids ? compiled.nodes.filter((n) => ids.has(n.id)) : compiled.nodes;
  const macros = macrosUsed(project, compiled, ids, chosen);
  // With `ids`, the texts of their files only.
  const paths =
    ids && ids.size < compiled.nodes.length ? new Set(chosen.map((n) => n.path)) : undefined;
  const rawCode = new Map<string, string>();
  for (const files of [project.models, project.singularTests, project.rules])
    for (const f of files) if (!paths || paths.has(f.path)) rawCode.set(f.path, f.text);
  const createdAt = invocation.generatedAt.getTime() / 1000;
  // Each entry starts as the literal of the fields all nodes share, and gets the others by
  // Object.assign and assignment. Spreading the shared fields into a bigger literal, with kind-
  // specific spreads after it, was 4 of a 10k-model cold compile's 17 CPU seconds: the spread
  // builds each entry's 40 keys one by one. Key order, hence the manifest's text, is unchanged.
  const sluiceMeta = (n: CompiledNode): { sluice: SluiceNodeMeta } => ({
    sluice: n.location
      ? { checksums: checksums.get(n.id)!, location: versionsFolder(n.location) }
      : { checksums: checksums.get(n.id)! },
  });
  // sha256 of stableJson(checksums), as before, one-shot (no Hash object per node).
  const checksum = (n: CompiledNode) => ({
    name: "sha256",
    checksum: hash("sha256", checksumsJson(checksums.get(n.id)!), "hex"),
  });
  const folderFqn = (n: CompiledNode): string[] => [pkg, ...n.path.split("/").slice(0, -1), n.name];
  const head = (n: CompiledNode, id: string, fqn: string[]): Record<string, unknown> => ({
    database: null,
    schema: n.relation.schema,
    name: n.name,
    resource_type: resourceType(n),
    package_name: pkg,
    path: n.path,
    original_file_path: n.path,
    unique_id: id,
    fqn,
    description: n.description ?? "",
    columns: columnsOf(n),
    meta: sluiceMeta(n),
    tags: n.tags,
    relation_name: n.kind === "test" ? null : dbtRelationName(n.relation),
    created_at: createdAt,
    checksum: checksum(n),
  });
  // The keys after head's are assigned one by one in the manifest's order: Object.assign of a
  // second literal built (and dropped) a 25-key object per node.
  for (const n of chosen) {
    const id = uid(n.id);
    if (n.kind === "source") {
      const [, sourceName = "", ...table] = n.id.split(".");
      const entry = head(n, id, [pkg, sourceName, ...table]);
      entry.source_name = sourceName;
      entry.source_description = "";
      entry.loader = "";
      entry.identifier = n.relation.name;
      entry.quoting = {};
      entry.loaded_at_field = null;
      entry.freshness = null;
      entry.external = n.location ? { location: n.location } : null;
      entry.source_meta = {};
      entry.config = { enabled: true };
      entry.patch_path = null;
      entry.unrendered_config = {};
      yield { section: "sources", uid: id, entry };
      continue;
    }
    const entry = head(n, id, folderFqn(n));
    let config: Record<string, unknown> = {
      enabled: true,
      alias: null,
      schema: n.schema,
      database: null,
      tags: n.tags,
      meta: {},
    };
    if (n.incrementalStrategy) config.incremental_strategy = n.incrementalStrategy;
    if (n.partitionedBy.length > 0) config.partitioned_by = n.partitionedBy;
    if (n.severity) config.severity = n.severity.toUpperCase();
    // Object.assign would set the prototype from a `__proto__` key; the spread defines it.
    if (n.config && Object.hasOwn(n.config, "__proto__")) config = { ...config, ...n.config };
    else Object.assign(config, n.config);
    // The resolved materialization (what `--state` and `clone` read back), whatever config() said.
    config.materialized = n.materialization;
    // Hooks as dbt's manifest holds them: `pre-hook: [{ sql, transaction, index }]`.
    for (const key of ["pre_hook", "post_hook"] as const) {
      const hooks = config[key] as string[] | undefined;
      if (hooks === undefined) continue;
      delete config[key];
      config[key.replace("_", "-")] = hooks.map((sql) => ({ sql, transaction: true, index: null }));
    }
    const refs: { name: string; package: null; version: null }[] = [];
    const sources: string[][] = [];
    for (const d of n.dependsOn) {
      if (d.startsWith("source.")) sources.push(d.split(".").slice(1));
      else refs.push({ name: d.slice(d.indexOf(".") + 1), package: null, version: null });
    }
    entry.alias = n.relation.name;
    entry.config = config;
    entry.unrendered_config = {};
    entry.group = null;
    entry.docs = { show: true, node_color: null };
    entry.patch_path = null;
    entry.build_path = null;
    entry.language = "sql";
    entry.raw_code = rawCode.get(n.path) ?? n.sql;
    entry.compiled_path = null;
    entry.compiled = true;
    entry.compiled_code = n.sql;
    entry.extra_ctes_injected = true;
    entry.extra_ctes = [];
    entry.refs = refs;
    entry.sources = sources;
    entry.metrics = [];
    entry.depends_on =
      n.kind === "seed"
        ? { macros: [] }
        : {
            macros: (macros.get(n.id) ?? []).map((m) => `macro.${pkg}.${m}`),
            nodes: n.dependsOn.map(uid),
          };
    entry.contract = { enforced: false, alias_types: true, checksum: null };
    if (n.kind === "model") {
      entry.access = "protected";
      entry.constraints = [];
      entry.version = null;
      entry.latest_version = null;
      entry.deprecation_date = null;
    } else if (n.kind === "seed") {
      entry.root_path = project.dir;
    } else if (n.kind === "test") {
      entry.attached_node = n.attachedTo ? uid(n.attachedTo) : null;
      entry.column_name = null;
      entry.file_key_name = null;
    }
    yield { section: "nodes", uid: id, entry };
  }
}

/**
 * `target/manifest.json` in dbt 1.8/1.9's shape (schema v12): every node of the project (models,
 * seeds, tests including DQDL rules, sources), macros, exposures, parent_map and child_map, each
 * node with its resolved config, checksum (sha256 of its {@link NodeChecksums}), raw and compiled
 * code, depends_on, relation_name, fqn and columns. sluice's own fields are under `meta.sluice`
 * ({@link SluiceNodeMeta}).
 */
export function dbtManifest(
  project: Project,
  compiled: CompiledProject,
  invocation: ArtifactInvocation,
): Record<string, unknown> {
  const manifest = dbtManifestFrame(project, compiled, invocation);
  const sections = { nodes: {}, sources: {} } as Record<string, Record<string, unknown>>;
  for (const { section, uid, entry } of dbtNodeEntries(project, compiled, invocation))
    sections[section]![uid] = entry;
  return { ...manifest, ...sections };
}

/** The manifest's `metadata` (what {@link dbtManifestFrame} holds under it). */
export function dbtManifestMetadata(
  compiled: CompiledProject,
  invocation: ArtifactInvocation,
): Record<string, unknown> {
  const pkg = compiled.projectName;
  return {
    dbt_schema_version: dbtSchemas.manifest,
    dbt_version: dbtSchemas.dbtVersion,
    generated_at: invocation.generatedAt.toISOString(),
    invocation_id: invocation.invocationId,
    env: {},
    project_name: pkg,
    project_id: createHash("md5").update(pkg).digest("hex"),
    user_id: null,
    send_anonymous_usage_stats: false,
    adapter_type: compiled.dialect,
  };
}

/**
 * What {@link dbtManifestFrame} is made of besides the invocation: the project's name, dialect,
 * exposures, disabled models and macro files, and each node's id and dependencies (in order).
 * Equal inputs, equal frames but for the invocation's fields (`metadata`'s, `created_at`).
 */
export function dbtManifestFrameInputs(project: Project, compiled: CompiledProject): string {
  const digest = createHash("sha1").update(
    JSON.stringify([
      compiled.projectName,
      compiled.dialect,
      compiled.exposures ?? [],
      compiled.disabled ?? [],
      project.macros.map((m) => [m.path, m.package ?? null, m.text]),
    ]),
  );
  return digest.update(graphKey(compiled.nodes)).digest("base64");
}

/**
 * The manifest of {@link dbtManifest} with its `nodes` and `sources` empty (in their places):
 * what does not depend on one node alone. Made only of {@link dbtManifestFrameInputs} and the
 * invocation.
 */
export function dbtManifestFrame(
  project: Project,
  compiled: CompiledProject,
  invocation: ArtifactInvocation,
): Record<string, unknown> {
  const pkg = compiled.projectName;
  const uid = (id: string) => dbtUniqueId(id, pkg);
  const createdAt = invocation.generatedAt.getTime() / 1000;
  const exposures = Object.fromEntries(
    (compiled.exposures ?? []).map((e) => [
      dbtUniqueId(e.id, pkg),
      {
        name: e.name,
        resource_type: "exposure",
        package_name: pkg,
        path: e.at.file,
        original_file_path: e.at.file,
        unique_id: dbtUniqueId(e.id, pkg),
        fqn: [pkg, e.name],
        type: e.type,
        owner: { email: e.owner.email ?? null, name: e.owner.name ?? null },
        description: e.description ?? "",
        label: e.label ?? null,
        maturity: e.maturity ?? null,
        meta: {},
        tags: e.tags,
        config: { enabled: true },
        unrendered_config: {},
        url: e.url ?? null,
        depends_on: { macros: [], nodes: e.dependsOn.map(uid) },
        refs: [],
        sources: [],
        metrics: [],
        created_at: createdAt,
      },
    ]),
  );
  const macroNodes = Object.fromEntries(
    macroBlocks(project).map(({ name, text, file }) => [
      `macro.${pkg}.${name}`,
      {
        name,
        resource_type: "macro",
        package_name: file.package ?? pkg,
        path: file.path,
        original_file_path: file.path,
        unique_id: `macro.${pkg}.${name}`,
        macro_sql: text,
        depends_on: { macros: [] },
        description: "",
        meta: {},
        docs: { show: true, node_color: null },
        patch_path: null,
        arguments: [],
        created_at: createdAt,
        supported_languages: null,
      },
    ]),
  );
  const parentMap: Record<string, string[]> = {};
  const childMap: Record<string, string[]> = {};
  // Each node's unique id made once, not once per edge naming it.
  const uids = new Map(compiled.nodes.map((n) => [n.id, uid(n.id)]));
  const uidOf = (id: string): string => uids.get(id) ?? uid(id);
  const edges = [
    ...compiled.nodes.map((n) => [uids.get(n.id)!, n.dependsOn.map(uidOf)] as const),
    ...Object.entries(exposures).map(
      ([id, e]) => [id, (e as { depends_on: { nodes: string[] } }).depends_on.nodes] as const,
    ),
  ];
  for (const [id] of edges) childMap[id] = [];
  for (const [id, parents] of edges) {
    parentMap[id] = [...parents].sort();
    for (const p of parents) (childMap[p] ??= []).push(id);
  }
  for (const list of Object.values(childMap)) list.sort();
  return {
    metadata: dbtManifestMetadata(compiled, invocation),
    nodes: {},
    sources: {},
    macros: macroNodes,
    docs: {},
    exposures,
    metrics: {},
    groups: {},
    // dbt lists each disabled node under its unique id (a list: versions of one name).
    disabled: Object.fromEntries(
      (compiled.disabled ?? []).map((d) => {
        const id = uid(d.id);
        const entry = {
          database: null,
          schema: "",
          name: d.name,
          resource_type: "model",
          package_name: pkg,
          path: d.path,
          original_file_path: d.path,
          unique_id: id,
          fqn: [pkg, ...d.path.split("/").slice(1, -1), d.name],
          alias: d.name,
          checksum: { name: "none", checksum: "" },
          config: { enabled: false },
        };
        return [id, [entry]];
      }),
    ),
    parent_map: parentMap,
    child_map: childMap,
    group_map: {},
    saved_queries: {},
    semantic_models: {},
    unit_tests: {},
    // Last: manifest.json's state index is written as its last key (see state-index.ts).
    selectors: {},
  };
}

import { readFile } from "node:fs/promises";
import path from "node:path";
import type { NodeChecksums } from "@sluice/compiler";
import { readSluiceRunResults } from "./dbt-run-results.js";
import type { SluiceRunResults } from "./dbt-run-results.js";
import type { SluiceNodeMeta } from "./dbt-manifest.js";
import { sluiceNodeId } from "./dbt-ids.js";
import { scanManifest } from "./manifest-scan.js";
import { cachedManifestNodes } from "./state-cache.js";
import type { StateNodes } from "./state-nodes.js";
import { packSums } from "./state-sidecar.js";
import { readStateIndex } from "./state-index.js";
import type { NodeRow, SidecarBody, SidecarValue } from "./state-sidecar.js";

/** One node of a state manifest, as `--state` and `--defer` use it. */
export interface StateNode {
  /** Checksums sluice recorded (absent in a manifest dbt wrote: every node then reads as modified). */
  checksums: Partial<NodeChecksums>;
  /** The relation the state's run published (`--defer` reads it instead of this target's). */
  relation: { schema: string; name: string };
  kind: string;
  materialization?: string;
  /** Where the node's data lives (tables, seeds): `sluice clone` points at it. */
  location?: string;
}

/**
 * A previous run's artifacts (`--state DIR`): its manifest's nodes and, if present, its results.
 */
export interface RunState {
  dir: string;
  /** Target the state's manifest was compiled for (`adapter_type`: athena | duckdb). */
  adapter: string;
  /** By sluice node id; `nodes.packedChecksums()` is what state selection compares. */
  nodes: StateNodes;
  results?: SluiceRunResults;
}

/** Why a state folder cannot be used: the message names the file and what to do. */
export class StateError extends Error {}

/** The fields of a manifest entry `--state` reads. */
export interface ManifestNode {
  unique_id: string;
  resource_type: string;
  schema: string;
  alias?: string;
  identifier?: string;
  name: string;
  config?: { materialized?: string };
  meta?: { sluice?: Partial<SluiceNodeMeta> };
}

async function readJson(file: string, required: boolean): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (err) {
    if (!required && (err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new StateError(
      `--state: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); ` +
        "pass the folder holding a previous run's manifest.json, e.g. a copy of its target/",
    );
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new StateError(`--state: ${file} is not JSON (${(err as Error).message})`);
  }
}

/**
 * Read `DIR/manifest.json` (required) and `DIR/run_results.json` (optional) of a previous run,
 * as sluice or dbt 1.8+ wrote them. A {@link StateError} when the manifest is missing or is not
 * a v12-shaped manifest. With `cacheDir` (this project's target/), the manifest's nodes are kept
 * there and read back while the manifest file is unchanged (see state-cache.ts).
 *
 * @example const state = await readRunState("prod-artifacts"); state.nodes.get("model.funnel")?.relation
 */
export async function readRunState(
  dir: string,
  options: { cacheDir?: string; warn?: (message: string) => void } = {},
): Promise<RunState> {
  const manifestFile = path.join(dir, "manifest.json");
  const { adapter, nodes } = await cachedManifestNodes(manifestFile, options.cacheDir, () =>
    readManifestRows(manifestFile, options.warn),
  );
  const results = await readJson(path.join(dir, "run_results.json"), false);
  return {
    dir,
    adapter,
    nodes,
    ...(results ? { results: readSluiceRunResults(results) } : {}),
  };
}

/**
 * The nodes (and sources) of a manifest: the columns of its state index when sluice wrote it
 * (see state-index.ts), else rows (see `NodeRow`) from a scan of the fields they need (see
 * manifest-scan.ts), each entry made a row as soon as it is read, or from the whole file parsed
 * when the scan does not take the file on. An index that does not match the file is `warn`ed.
 */
async function readManifestRows(
  manifestFile: string,
  warn: (message: string) => void = () => {},
): Promise<SidecarValue> {
  const indexed = readStateIndex(manifestFile);
  if (indexed && "value" in indexed) return indexed.value;
  if (indexed) warn(`--state: ${indexed.problem}`);
  const scanned = scanManifest(manifestFile, undefined, entryRow);
  if (scanned) return manifestRows(manifestFile, scanned, (row) => row as NodeRow);
  return manifestRows(manifestFile, await readJson(manifestFile, true));
}

/**
 * A manifest entry (under `nodes` or `sources`) as the row `--state` keeps of it: what
 * `nodeRow(sluiceNodeId(unique_id), manifestStateNode(entry))` gives, without the node between
 * (made for each of 30,000 entries of a state read from its manifest).
 */
export function entryRow(entry: unknown): NodeRow {
  const n = entry as ManifestNode;
  const meta = n.meta?.sluice;
  return [
    sluiceNodeId(n.unique_id),
    packSums(meta?.checksums ?? {}),
    n.schema,
    n.alias ?? n.identifier ?? n.name,
    n.resource_type,
    n.config?.materialized || "",
    meta?.location || "",
  ];
}

/**
 * The rows of a parsed manifest (or of what {@link scanManifest} kept of it, its entries made
 * rows by `row`): a {@link StateError} when it is not a v12-shaped manifest.
 */
export function manifestRows(
  manifestFile: string,
  parsed: unknown,
  row: (entry: unknown) => NodeRow = entryRow,
): SidecarBody {
  const manifest = parsed as {
    metadata?: { dbt_schema_version?: string; adapter_type?: string };
    nodes?: Record<string, unknown>;
    sources?: Record<string, unknown>;
  };
  if (!manifest?.nodes || !manifest.metadata?.dbt_schema_version)
    throw new StateError(
      `--state: ${manifestFile} is not a dbt v12 manifest (no metadata.dbt_schema_version or nodes); ` +
        "it was written by an older sluice: build once with this version to record state",
    );
  const nodes = [...Object.values(manifest.nodes), ...Object.values(manifest.sources ?? {})].map(
    (n) => row(n),
  );
  return { adapter: manifest.metadata.adapter_type ?? "", nodes };
}

/** What `--state` keeps of one manifest entry (under `nodes` or `sources`). */
export function manifestStateNode(n: ManifestNode): StateNode {
  const meta = n.meta?.sluice;
  const materialization = n.config?.materialized;
  return {
    checksums: meta?.checksums ?? {},
    relation: { schema: n.schema, name: n.alias ?? n.identifier ?? n.name },
    kind: n.resource_type,
    ...(materialization ? { materialization } : {}),
    ...(meta?.location ? { location: meta.location } : {}),
  };
}

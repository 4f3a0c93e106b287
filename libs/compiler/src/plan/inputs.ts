import { createHash } from "node:crypto";
import type { CompiledNode } from "../types.js";
import { walkDepthFirst } from "../graph/dag.js";

/**
 * Catalog table parameter: the fingerprint of what the table's current version was built from
 * (see {@link inputsFingerprint}). A build whose inputs have the same fingerprint leaves the
 * table as it is.
 */
export const INPUTS_PARAMETER = "sluice_inputs";

/**
 * Catalog table parameter: the id of the write that made the table's current version (a new one
 * for every write, kept when a build leaves the table unchanged). Tables built from it record
 * it among their inputs.
 */
export const VERSION_PARAMETER = "sluice_version";

/** What one version of a node's table is built from, besides the node's own definition. */
export interface NodeInputs {
  /** The tables the node reads (`schema.name`) → the version each has ({@link VERSION_PARAMETER}, "" when none is recorded). */
  tables: Readonly<Record<string, string>>;
  /** The raw hours the node's window reads directly → their file signatures (raw readers only). */
  rawHours?: Readonly<Record<string, string>>;
}

/**
 * A fingerprint of a node's definition (compiled SQL, materialization, strategy, partitioning,
 * config; not the run-specific location), of the views it reads through, and of its inputs: the same fingerprint means that
 * building the node again would write the rows its table has. Pure.
 *
 * @example
 * inputsFingerprint(node, [], { tables: { "ecommerce_silver.events": "r1_3" } }) // "sha256:9f2c…"
 */
export function inputsFingerprint(
  node: CompiledNode,
  views: readonly string[],
  inputs: NodeInputs,
): string {
  const definition = {
    relation: node.relation,
    materialization: node.materialization,
    strategy: node.incrementalStrategy ?? null,
    partitionedBy: node.partitionedBy,
    sql: node.sql,
    incrementalSql: node.incrementalSql ?? null,
    config: sorted(node.config),
  };
  const text = JSON.stringify({
    definition,
    views,
    tables: sorted(inputs.tables),
    rawHours: inputs.rawHours === undefined ? null : sorted(inputs.rawHours),
  });
  return sha256Of(text);
}

/** `sha256:<hex>` of `text`: the form of every fingerprint a catalog parameter records. */
export function sha256Of(text: string): string {
  return `sha256:${createHash("sha256").update(text).digest("hex")}`;
}

/** A copy with keys in order, nested objects too: one JSON text per value. */
export function sorted(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sorted);
  if (value === null || typeof value !== "object") return value;
  return Object.fromEntries(
    Object.entries(value)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([k, v]) => [k, sorted(v)]),
  );
}

/** What a node reads, through views and ephemeral models, as far as a build can see changes. */
export interface InputSources {
  /** Tables built by the project (table, incremental, seed models, snapshots) the node reads. */
  tables: CompiledNode["relation"][];
  /** Raw zones (external sources' locations) the node reads: their listed hours are inputs. */
  rawLocations: string[];
  /** The DDL of those external sources' raw tables (their columns), one text per source. */
  rawTables: string[];
  /** The SQL of the views it reads through (a changed view is a changed input). */
  views: string[];
  /** Sources whose changes a build cannot see (not external): the node is always built. */
  opaque: string[];
}

/**
 * Materializations whose table has versions of its own. A snapshot is one: its MERGE can change
 * rows when its source did not (check strategy, hard deletes, current_timestamp), so a model
 * reading it depends on the snapshot's version, not on the snapshot's source.
 */
const TABLE_KINDS: ReadonlySet<string> = new Set(["table", "incremental", "seed", "snapshot"]);

/**
 * The inputs of `node`: the tables and raw zones it reads, directly or through views and
 * ephemeral models (an ephemeral model's SQL is inlined in the node's own). Pure.
 */
export function inputSources(node: CompiledNode, all: readonly CompiledNode[]): InputSources {
  const byId = new Map(all.map((n) => [n.id, n]));
  const out: InputSources = { tables: [], rawLocations: [], rawTables: [], views: [], opaque: [] };
  const seen = new Set<string>([node.id]);
  walkDepthFirst(node.dependsOn, (id) => {
    if (seen.has(id)) return undefined;
    seen.add(id);
    const dep = byId.get(id);
    if (dep === undefined) out.opaque.push(id);
    else if (TABLE_KINDS.has(dep.materialization)) out.tables.push(dep.relation);
    else if (dep.kind === "source" && dep.location !== undefined) {
      out.rawLocations.push(dep.location);
      out.rawTables.push(dep.statements.map((st) => st.sql).join(";\n"));
    } else if (dep.kind === "source") out.opaque.push(id);
    else {
      if (dep.materialization === "view") out.views.push(dep.sql);
      return dep.dependsOn;
    }
    return undefined;
  });
  return out;
}

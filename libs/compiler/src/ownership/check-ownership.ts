import path from "node:path";
import type { SourceTable } from "@sluice/project";
import type { CompileContext } from "../compile/compile-context.js";
import type { ParsedModel } from "../compile/parse-models.js";
import type { CompiledNode } from "../types.js";
import { claimConflicts } from "./claims.js";
import type { Claim } from "./claims.js";
import { locateConfigKey, relationNameDiagnostics } from "./relation-names.js";
import type { NamedPart } from "./relation-names.js";

const OWNS_FOLDER = new Set(["table", "incremental", "snapshot"]);

function modelClaim(
  ctx: CompileContext,
  id: string,
  p: ParsedModel,
): { claim: Claim; parts: NamedPart[] } {
  const { file, config } = p;
  const table = config.alias ?? file.name;
  // Positions are found in the text only when a diagnostic asks for one (most models have none).
  const at = (key: string) => locateConfigKey(file.path, file.text, key);
  const parts: NamedPart[] = [
    {
      key: "schema",
      value: config.schema,
      get at() {
        return at("schema");
      },
      hint: (s) => `set schema='${s}'`,
    },
    config.alias === undefined
      ? {
          key: "name",
          value: file.name,
          at: { file: file.path, line: 1, column: 1 },
          hint: (s) => `rename the file to ${s}.sql or set alias='${s}'`,
        }
      : {
          key: "alias",
          value: config.alias,
          get at() {
            return at("alias");
          },
          hint: (s) => `set alias='${s}'`,
        },
  ];
  const named = parts[1]!;
  const claim: Claim = {
    id,
    label: `${config.materialized === "snapshot" ? "snapshot" : "model"} '${file.name}'`,
    path: file.path,
    get at() {
      return named.at;
    },
    ...(config.materialized === "ephemeral"
      ? {}
      : { relation: ctx.target.relation(config.schema, table) }),
    ...(OWNS_FOLDER.has(config.materialized) ? { folder: `${config.schema}/${table}` } : {}),
    source: false,
    suspect: config.alias !== undefined,
  };
  return { claim, parts };
}

function seedClaim(node: CompiledNode): { claim: Claim; parts: NamedPart[] } {
  const at = { file: node.path, line: 1, column: 1 };
  const parts: NamedPart[] = [
    {
      key: "schema",
      value: node.schema,
      at,
      hint: (s) => `set +schema: ${s} under seeds: in sluice.yml`,
    },
    { key: "name", value: node.name, at, hint: (s) => `rename the file to ${s}.csv` },
  ];
  const claim: Claim = {
    id: node.id,
    label: `seed '${node.name}'`,
    path: node.path,
    at,
    relation: node.relation,
    folder: `${node.schema}/${node.name}`,
    source: false,
  };
  return { claim, parts };
}

function sourceClaim(node: CompiledNode, table: SourceTable): Claim {
  const location =
    table.external && path.posix.normalize(table.external.location).replace(/^\/+|\/+$/g, "");
  return {
    id: node.id,
    label: `source ${table.sourceName}.${table.name}`,
    path: node.path,
    at: table.at,
    relation: node.relation,
    ...(location ? { folder: location } : {}),
    source: true,
  };
}

/**
 * Check that every node publishes under valid Glue names inside its own lake folder, and that
 * no two nodes (or a node and a source) claim the same relation or overlapping files. Problems
 * go to `ctx.diagnostics`; returns the ids of models and seeds at fault (never to be built).
 */
export function checkOwnership(
  ctx: CompileContext,
  models: ReadonlyMap<string, ParsedModel>,
  seeds: readonly CompiledNode[],
  sources: readonly { node: CompiledNode; table: SourceTable }[],
): Set<string> {
  const claims: Claim[] = sources.map((s) => sourceClaim(s.node, s.table));
  const atFault = new Set<string>();
  const owned = [...seeds.map(seedClaim), ...[...models].map(([id, p]) => modelClaim(ctx, id, p))];
  for (const { claim, parts } of owned) {
    const schema = parts.find((x) => x.key === "schema")!.value;
    const bad = relationNameDiagnostics(ctx.target, claim.label, parts, schema);
    bad.forEach((d) => ctx.diagnostics.add(d));
    if (bad.length > 0) atFault.add(claim.id);
    // Relations compare without case; a bad name is no folder, so compare it as none.
    claims.push(bad.length > 0 ? { ...claim, folder: undefined, suspect: true } : claim);
  }
  const conflicts = claimConflicts(claims);
  conflicts.diagnostics.forEach((d) => ctx.diagnostics.add(d));
  conflicts.atFault.forEach((id) => atFault.add(id));
  return atFault;
}

import { error } from "@sluice/project/diagnostics";
import type { Diagnostic, SourceLocation } from "@sluice/project";
import type { Relation } from "@sluice/dialects";

/** What one node takes in the catalog and the lake, and where to report a clash with it. */
export interface Claim {
  id: string;
  /** `model 'funnel'`, `seed 'country_codes'`, `source raw.events`. */
  label: string;
  path: string;
  at: SourceLocation;
  /** Physical relation; absent for ephemeral models (they create nothing). */
  relation?: Relation;
  /**
   * Lake-relative folder: the one a table, incremental or seed owns (cleanup empties it), or
   * the external location a source reads.
   */
  folder?: string;
  source: boolean;
  /** Named by an alias or by an invalid name: the likelier culprit when two nodes clash. */
  suspect?: boolean;
}

const overlaps = (a: string, b: string) =>
  a === b || a.startsWith(`${b}/`) || b.startsWith(`${a}/`);
const bySuspectThenPath = (a: Claim, b: Claim) =>
  Number(Boolean(a.suspect)) - Number(Boolean(b.suspect)) ||
  (a.path < b.path ? -1 : a.path > b.path ? 1 : 0);
const described = (c: Claim) => `${c.label} (${c.path})`;

/**
 * RELATION_CONFLICT when claims resolve to the same relation (schema and name compared without
 * case, as Glue does), reported once per relation naming every file, at a suspect claim if
 * any (else the last by path); LOCATION_CONFLICT when a node's folder equals, lies inside or contains a source's
 * external location. Returns the ids of the nodes at fault, which must not be built.
 */
export function claimConflicts(claims: readonly Claim[]): {
  diagnostics: Diagnostic[];
  atFault: Set<string>;
} {
  const diagnostics: Diagnostic[] = [];
  const atFault = new Set<string>();
  const byRelation = new Map<string, Claim[]>();
  for (const c of claims) {
    if (!c.relation) continue;
    const key = `${c.relation.schema}.${c.relation.name}`.toLowerCase();
    const group = byRelation.get(key);
    if (group) group.push(c);
    else byRelation.set(key, [c]);
  }
  for (const group of byRelation.values()) {
    const owners = group.filter((c) => !c.source).sort(bySuspectThenPath);
    if (group.length < 2 || owners.length === 0) continue;
    const reported = owners[owners.length - 1]!;
    const others = group.filter((c) => c !== reported);
    const { schema, name } = reported.relation!;
    const readsSource = others.some((c) => c.source);
    diagnostics.push(
      error(
        "RELATION_CONFLICT",
        `${described(reported)} resolves to ${schema}.${name}, the relation of ${others.map(described).join(" and ")}`,
        reported.at,
        readsSource
          ? "a model cannot replace a source; set another schema or alias"
          : "give each node its own relation: set another alias or schema",
      ),
    );
    owners.forEach((c) => atFault.add(c.id));
  }
  const sources = claims.filter((c) => c.source && c.folder !== undefined);
  for (const c of claims) {
    if (c.source || c.folder === undefined || atFault.has(c.id)) continue;
    const folder = c.folder.toLowerCase();
    const hit = sources.find((s) => overlaps(folder, s.folder!.toLowerCase()));
    if (!hit) continue;
    diagnostics.push(
      error(
        "LOCATION_CONFLICT",
        `${described(c)} would write <lake>/${c.folder}, which overlaps the files of ${described(hit)} at <lake>/${hit.folder}`,
        c.at,
        "a model cannot write where a source's files are; set another schema or alias",
      ),
    );
    atFault.add(c.id);
  }
  return { diagnostics, atFault };
}

import type { CompiledNode } from "@sluice/compiler";
import { QueryError, rawZoneLayout, type QuarantinedRaw } from "@sluice/engines";
import type { NodeResult } from "../types.js";
import type { ListedRawHours } from "./raw-hours.js";
import type { RawReads } from "./raw-reads.js";
import { rawZoneOf } from "./raw-zone.js";
import { grouped } from "../grouped-number.js";

/** What quarantined raw input does to a run: a warning (exit 0), or a failure (exit 1). */
export type QuarantinePolicy = "warn" | "fail";

/** A quarantine check's result: a test-like node result plus what was set aside. */
export type QuarantineResult = NodeResult & {
  quarantined?: readonly QuarantinedRaw[];
  strays?: readonly string[];
};

const SHOWN = 5;

/**
 * One result per raw source read this run that set something aside: files that could not be read
 * (empty, bad gzip, binary), lines quarantined or flagged (oversized, invalid UTF-8; their bytes
 * are kept under the lake's `.sluice/quarantine/`), and paths outside the hour-folder layout (not
 * read). Status `warn` or `fail` by `policy`; nothing when everything was read.
 */
export async function quarantineResults(
  nodes: readonly CompiledNode[],
  raw: RawReads | undefined,
  listed: ReadonlyMap<string, ListedRawHours>,
  policy: QuarantinePolicy,
): Promise<QuarantineResult[]> {
  const out: QuarantineResult[] = [];
  for (const source of nodes) {
    const load =
      source.kind === "source" && source.location !== undefined
        ? raw?.loads.get(source.location)
        : undefined;
    if (!load || source.location === undefined) continue;
    const base: QuarantineResult = {
      id: `quarantine.${source.schema}.${source.name}`,
      kind: "test",
      name: `quarantine_${source.schema}_${source.name}`,
      materialization: "test",
      status: "pass",
      message: "",
      elapsedMs: 0,
      queryIds: [],
    };
    let quarantined: readonly QuarantinedRaw[];
    try {
      quarantined = (await load).quarantined;
    } catch (error) {
      out.push({
        ...base,
        status: "error",
        message: error instanceof QueryError ? error.details.engineMessage : String(error),
      });
      continue;
    }
    const strays = (await listed.get(source.location)?.strays) ?? [];
    if (quarantined.length === 0 && strays.length === 0) continue;
    const root = source.location.replace(/\/+$/, "") + "/";
    const at = (q: QuarantinedRaw): string =>
      `${q.path.startsWith(root) ? q.path.slice(root.length) : q.path}${q.line ? `:${q.line}` : ""}`;
    const files = quarantined.filter((q) => q.kind === "file");
    const lines = quarantined.filter((q) => q.kind === "line");
    const parts: string[] = [];
    const list = (items: readonly string[]): string =>
      items.slice(0, SHOWN).join(", ") +
      (items.length > SHOWN ? `, … ${items.length - SHOWN} more` : "");
    if (files.length > 0)
      parts.push(
        `${plural(files.length, "file")} quarantined, not read (${list(files.map((q) => `${at(q)}: ${q.reason}`))})`,
      );
    if (lines.length > 0)
      parts.push(
        `${plural(lines.length, "line")} quarantined with their bytes (${list(lines.map((q) => `${at(q)}: ${q.reason}`))})`,
      );
    if (strays.length > 0)
      parts.push(
        `${plural(strays.length, "path")} outside the ${rawZoneLayout(rawZoneOf(source)!)} layout, not read (${list(strays)})`,
      );
    out.push({
      ...base,
      status: policy === "fail" ? "fail" : "warn",
      failures: files.length + lines.length + strays.length,
      message: `${source.schema}.${source.name}: ${parts.join("; ")}`,
      quarantined,
      strays,
    });
  }
  return out;
}

const plural = (n: number, word: string): string => `${grouped(n)} ${word}${n === 1 ? "" : "s"}`;

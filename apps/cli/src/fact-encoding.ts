import { FACT_COLUMNS } from "./fact-nodes.js";
import type { FactColumns } from "./fact-nodes.js";

/**
 * How compile_facts.json writes {@link FactColumns} (#14): what repeats is written once. At
 * 10,000 models the columns as they are in memory were 4.5 MB of JSON, ~150,000 strings to
 * make when parsed: each dependency and tested node an id written out again, each test's path,
 * kind, materialization and schema one of a few values. Written this way, 2.8 MB:
 *
 * - `dependsOn`: each dependency the place of its id in the `id` column (a number), or its id
 *   when no node has it; `attachedTo` the same (null: none).
 * - `kind`, `path`, `materialization`, `schema`: `{ "values": [...], "at": [...] }`, each row's
 *   value the place of it in `values`.
 * - The others as they are.
 *
 * Decoded, the columns are as they were (the same values; a dependency list is one array, made
 * from the array parsed).
 *
 * @example
 * encodeFacts(facts).dependsOn // [[], [0], [0, 1]]
 */
export function encodeFacts(facts: FactColumns): Record<string, unknown> {
  const at = new Map<string, number>();
  facts.id.forEach((id, i) => at.set(id, i));
  const place = (id: string): number | string => at.get(id) ?? id;
  const out: Record<string, unknown> = { ...facts };
  out["dependsOn"] = facts.dependsOn.map((ids) => ids.map(place));
  out["attachedTo"] = facts.attachedTo.map((id) => (id === null ? null : place(id)));
  for (const column of DICTIONARY_COLUMNS) out[column] = dictionary(facts[column]);
  return out;
}

/** The columns written as a dictionary (see {@link encodeFacts}). */
const DICTIONARY_COLUMNS = ["kind", "path", "materialization", "schema"] as const;

/** `values` as its distinct values and each one's place among them. */
function dictionary(values: readonly string[]): { values: string[]; at: number[] } {
  const distinct: string[] = [];
  const seen = new Map<string, number>();
  const at = values.map((v) => {
    let i = seen.get(v);
    if (i === undefined) seen.set(v, (i = distinct.push(v) - 1));
    return i;
  });
  return { values: distinct, at };
}

/**
 * The {@link FactColumns} `parsed` (compile_facts.json's body, parsed) encodes for `count`
 * nodes; undefined when it is not such an encoding (a column missing or of another length, a
 * place out of range).
 */
export function decodeFacts(parsed: unknown, count: number): FactColumns | undefined {
  if (typeof parsed !== "object" || parsed === null) return undefined;
  const columns = parsed as Record<string, unknown>;
  for (const column of DICTIONARY_COLUMNS) {
    const values = undictionary(columns[column], count);
    if (values === undefined) return undefined;
    columns[column] = values;
  }
  for (const column of FACT_COLUMNS) {
    const values = columns[column];
    if (!Array.isArray(values) || values.length !== count) return undefined;
  }
  const facts = columns as unknown as FactColumns;
  const ids = facts.id;
  const idOf = (value: unknown): string | undefined =>
    typeof value === "string"
      ? value
      : typeof value === "number" && value >= 0 && value < count
        ? ids[value]
        : undefined;
  for (const dependsOn of facts.dependsOn as unknown[]) {
    if (!Array.isArray(dependsOn)) return undefined;
    for (let j = 0; j < dependsOn.length; j++) {
      const id = idOf(dependsOn[j]);
      if (id === undefined) return undefined;
      dependsOn[j] = id;
    }
  }
  const attachedTo = facts.attachedTo as unknown[];
  for (let i = 0; i < count; i++) {
    if (attachedTo[i] === null) continue;
    const id = idOf(attachedTo[i]);
    if (id === undefined) return undefined;
    attachedTo[i] = id;
  }
  return facts;
}

/** The values a dictionary (see {@link dictionary}) of `count` rows stands for, if it is one. */
function undictionary(encoded: unknown, count: number): string[] | undefined {
  if (typeof encoded !== "object" || encoded === null) return undefined;
  const { values, at } = encoded as { values?: unknown; at?: unknown };
  if (!Array.isArray(values) || !Array.isArray(at) || at.length !== count) return undefined;
  const out = new Array<string>(count);
  for (let i = 0; i < count; i++) {
    const value: unknown = values[at[i] as number];
    if (typeof value !== "string") return undefined;
    out[i] = value;
  }
  return out;
}

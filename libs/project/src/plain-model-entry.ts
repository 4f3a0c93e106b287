/** A model entry of a properties file as parseProperties reads it (what zod's modelSchema gives). */
export interface PlainModelEntry {
  name: string;
  description?: string;
  columns?: PlainColumnEntry[];
  tests?: unknown[];
  data_tests?: unknown[];
}

interface PlainColumnEntry {
  name: string;
  description?: string;
  data_type?: string;
  tests?: unknown[];
  data_tests?: unknown[];
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * `raw` when it is an object of a non-empty string `name` and only `texts` keys (a string, or
 * null: absent) and `lists` keys (an array, or null), as zod's schema of those keys gives it;
 * otherwise `undefined`.
 */
function plainEntry<T extends { name: string }>(
  raw: unknown,
  texts: readonly string[],
  lists: readonly string[],
): T | undefined {
  if (!isRecord(raw)) return undefined;
  const out: Record<string, unknown> = {};
  for (const key in raw) {
    if (!Object.prototype.hasOwnProperty.call(raw, key)) return undefined;
    const v = raw[key];
    const absent = v === null || v === undefined;
    if (key === "name") {
      if (typeof v !== "string" || v.length === 0) return undefined;
      out.name = v;
    } else if (texts.includes(key)) {
      if (typeof v === "string") out[key] = v;
      else if (!absent) return undefined;
    } else if (lists.includes(key)) {
      if (Array.isArray(v)) out[key] = v.slice();
      else if (!absent) return undefined;
    } else return undefined;
  }
  return out.name === undefined ? undefined : (out as T);
}

/**
 * A properties file's model entry in the common plain shape (name, description, columns with
 * name/description/data_type and tests, tests) checked by hand, as `modelSchema` would accept
 * and give it; `undefined` for anything else (a `config:`, `meta:`, an unknown key, a wrong
 * type...), which zod then validates and reports. At 10,000 models zod's per-entry parse was
 * ~30% of loading the project (its containers track cycles for every value).
 *
 * @example
 * plainModelEntry({ name: "m", columns: [{ name: "id", tests: ["unique"] }] });
 * // { name: "m", columns: [{ name: "id", tests: ["unique"] }] }
 * plainModelEntry({ name: "m", config: { tags: ["a"] } }); // undefined: zod parses it
 */
export function plainModelEntry(raw: unknown): PlainModelEntry | undefined {
  type Raw = Omit<PlainModelEntry, "columns"> & { columns?: unknown[] };
  const entry = plainEntry<Raw>(raw, ["description"], ["columns", "tests", "data_tests"]);
  const columns = entry?.columns?.map((c) =>
    plainEntry<PlainColumnEntry>(c, ["description", "data_type"], ["tests", "data_tests"]),
  );
  if (!entry || columns?.includes(undefined)) return undefined;
  return columns
    ? { ...entry, columns: columns as PlainColumnEntry[] }
    : (entry as PlainModelEntry);
}

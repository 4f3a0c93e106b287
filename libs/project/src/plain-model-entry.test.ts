import { describe, expect, it } from "vitest";
import { plainModelEntry } from "./plain-model-entry.js";
import { modelSchema } from "./properties.js";

// Values each key may take: what zod accepts (strings, null, arrays) and what it rejects.
const values: unknown[] = ["", "x", null, 0, true, [], ["not_null"], {}, { a: 1 }, undefined];
const columns: unknown[] = [
  { name: "id" },
  { name: "id", tests: ["unique", { accepted_values: { values: [1] } }], data_type: "int" },
  { name: "id", description: null, data_tests: null },
  { name: "" },
  { name: "id", meta: { a: 1 } },
  { name: "id", tests: "unique" },
  { name: "id", extra: 1 },
  ["id"],
  null,
  "id",
];

/** Every entry built from one base by setting one or two keys to each value. */
function entries(): unknown[] {
  const keys = ["name", "description", "columns", "tests", "data_tests", "config", "meta", "x"];
  const out: unknown[] = [];
  const base = { name: "m" };
  for (const k of keys) {
    for (const v of values) {
      out.push({ ...base, [k]: v });
      for (const c of columns) out.push({ ...base, [k]: v, columns: [c] });
    }
  }
  for (const a of columns) for (const b of columns) out.push({ name: "m", columns: [a, b] });
  out.push(null, [], "m", 1, new Date(0), Object.create({ name: "m" }));
  const inherited = Object.create({ extra: 1 }) as Record<string, unknown>;
  inherited.name = "m";
  out.push(inherited);
  return out;
}

describe("plainModelEntry", () => {
  it("answers only entries zod accepts, with what zod gives", () => {
    let answered = 0;
    for (const raw of entries()) {
      const fast = plainModelEntry(raw);
      if (fast === undefined) continue;
      answered++;
      const parsed = modelSchema.safeParse(raw);
      expect(parsed.success, JSON.stringify(raw)).toBe(true);
      expect(fast, JSON.stringify(raw)).toEqual(parsed.data);
    }
    // The plain shapes are answered (null and string values of the known keys, plain columns).
    expect(answered).toBeGreaterThan(80);
  });

  it("answers the entry every synthetic-project model has, and leaves config: to zod", () => {
    const raw = { name: "m_1", columns: [{ name: "id", tests: ["not_null", "unique"] }] };
    expect(plainModelEntry(raw)).toEqual(raw);
    expect(plainModelEntry({ ...raw, config: { tags: ["a"] } })).toBeUndefined();
  });
});

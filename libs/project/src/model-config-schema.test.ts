import { describe, expect, it } from "vitest";
import type { z } from "zod";
import { unknownConfigKeyWarnings } from "./config-key-warnings.js";
import {
  defaultModelConfig,
  modelConfigSchema,
  resolvedModelConfigSchema,
} from "./model-config-schema.js";

const issues = (value: unknown, schema: z.ZodType = modelConfigSchema) => {
  const r = schema.safeParse(value);
  return r.success ? [] : r.error.issues.map((i) => [i.path.join("."), i.message]);
};

describe("model config schema (one schema for every layer and the merged config)", () => {
  it("normalizes lists and keeps keys it does not know (macros may read them)", () => {
    expect(modelConfigSchema.parse({ tags: "nightly", partitioned_by: "dt", owner: "x" })).toEqual({
      tags: ["nightly"],
      partitioned_by: ["dt"],
      owner: "x",
    });
  });

  it("lookback is a whole number of hours: 'abc' is an error at its key, never the default", () => {
    expect(modelConfigSchema.parse({ lookback: "6 hours" })).toEqual({ lookback: "6 hours" });
    expect(modelConfigSchema.parse({ lookback: 6 })).toEqual({ lookback: 6 });
    expect(issues({ lookback: "abc" })).toEqual([
      ["lookback", "expected a whole number of hours (3 or '3 hours')"],
    ]);
    expect(issues({ lookback: -1 })).toHaveLength(1);
  });

  it("errors carry key paths and say what is expected", () => {
    expect(issues({ materialized: "tabel", unique_key: [], enabled: "yes" })).toEqual([
      ["materialized", "expected one of view, table, incremental, ephemeral, snapshot"],
      ["unique_key", "expected a column or a list of them"],
      ["enabled", "expected true or false"],
    ]);
  });

  it("the merged config requires the keys that have defaults; the defaults pass", () => {
    expect(resolvedModelConfigSchema.parse(defaultModelConfig)).toEqual(defaultModelConfig);
    expect(issues({ schema: "x" }, resolvedModelConfigSchema).map(([p]) => p)).toEqual([
      "materialized",
      "tags",
      "partitioned_by",
      "incremental_strategy",
      "on_schema_change",
      "enabled",
    ]);
  });

  it("unknown keys are warnings with the closest known key, spelled as written", () => {
    const at = { file: "sluice.yml", line: 3, column: 5 };
    expect(
      unknownConfigKeyWarnings({ materialised: "table", schema: "s" }, () => at, "x", "+"),
    ).toEqual([
      {
        code: "CONFIG_KEY_UNKNOWN",
        severity: "warn",
        message: "unknown model config key '+materialised' in x: sluice does not read it",
        at,
        hint: "did you mean '+materialized'?",
      },
    ]);
  });
});

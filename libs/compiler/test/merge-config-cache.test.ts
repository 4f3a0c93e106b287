import { describe, expect, it } from "vitest";
import { mergeConfig } from "../src/config/merge-config.js";
import type { ConfigCache, ConfigLayer } from "../src/config/merge-config.js";

const folder: ConfigLayer = {
  origin: "sluice.yml models.marts",
  values: { materialized: "table", schema: "marts", meta: { owner: "a" } },
};
const call = (values: Record<string, unknown>): ConfigLayer => ({
  origin: "config() in m.sql",
  values,
});

describe("mergeConfig with a compile's config cache", () => {
  it("gives what an uncached merge gives, a separate object each time", () => {
    const cache: ConfigCache = new Map();
    const layers = [folder, call({ tags: "t1", partitioned_by: "d" })];
    const first = mergeConfig(layers, cache);
    const second = mergeConfig(layers, cache);
    const plain = mergeConfig(layers);
    expect(cache.size).toBe(1);
    expect(JSON.stringify(second.config)).toBe(JSON.stringify(plain.config));
    expect(JSON.stringify(first.config)).toBe(JSON.stringify(plain.config));
    expect(second.config).not.toBe(first.config);
    expect(second.config.tags).not.toBe(first.config.tags);
    second.config.schema = "changed";
    (second.config.meta as Record<string, unknown>).owner = "b";
    expect(mergeConfig(layers, cache).config).toMatchObject({
      schema: "marts",
      meta: { owner: "a" },
    });
    expect(second.setBy.get("tags")).toBe(layers[1]);
  });

  it("reports an invalid config every time and keeps values JSON cannot state apart", () => {
    const cache: ConfigCache = new Map();
    const bad = [call({ lookback: "abc" })];
    expect(mergeConfig(bad, cache).diagnostics.map((d) => d.code)).toEqual([
      "CONFIG_VALUE_INVALID",
    ]);
    expect(mergeConfig(bad, cache).diagnostics.map((d) => d.code)).toEqual([
      "CONFIG_VALUE_INVALID",
    ]);
    // A Date and its ISO text have one JSON text (so do NaN and null): such values are not
    // cached, each is validated as itself.
    const at = new Date(0);
    const dated = mergeConfig([call({ meta: { at } })], cache);
    const text = mergeConfig([call({ meta: { at: at.toISOString() } })], cache);
    expect((dated.config.meta as { at: unknown }).at).toBeInstanceOf(Date);
    expect((text.config.meta as { at: unknown }).at).toBe("1970-01-01T00:00:00.000Z");
    expect(mergeConfig([call({ versions_to_keep: Number.NaN })], cache).diagnostics).toHaveLength(
      1,
    );
    expect(cache.size).toBe(1);
  });
});

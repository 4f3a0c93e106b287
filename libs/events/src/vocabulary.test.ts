import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { countries } from "./countries.js";
import { vocabulary } from "./vocabulary.js";

/** SHA-256 of every country's pools, in order. */
function poolsHash(seed: number): string {
  const hash = createHash("sha256");
  for (const words of vocabulary(seed)) {
    for (const city of words.cities) hash.update(city).update("\0");
    hash.update("\n");
    for (const name of words.emailNames) hash.update(name).update("\0");
    hash.update("\n");
  }
  return hash.digest("hex");
}

describe("vocabulary", () => {
  it("has pools for every country", () => {
    const pools = vocabulary(42);
    expect(pools).toHaveLength(countries.length);
    for (const words of pools) {
      expect(words.cities.length).toBeGreaterThan(5);
      expect(words.emailNames.length).toBeGreaterThan(20);
      for (const name of words.emailNames) expect(name.toString()).toMatch(/^[a-z]+\.[a-z]+$/);
    }
  });

  // Pinned before faker's locales were imported one by one (issue #18's memory budget): each
  // country must keep its locale chain (its own locale, then English, then base) and draws.
  it("is the same pools for a seed as before (every country, two seeds)", () => {
    expect([poolsHash(42), poolsHash(11)]).toEqual([
      "995bfaaffb77e2366e4161b753a46daba3fd057b30788c0d5ed7cabc06c54474",
      "897e4e0a0ea096915216828ea2762cff8a7b734f574c68687757c70f316a5e1c",
    ]);
  });
});

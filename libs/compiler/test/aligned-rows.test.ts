import { describe, expect, it } from "vitest";
import { alignedRows } from "../src/state/aligned-rows.js";

/** Rows of `ids` (as a state lists them), and what looking each of `wanted` up by id gives. */
function check(wanted: string[], ids: string[]) {
  const index = new Map(ids.map((id, row) => [id, row]));
  const byId = wanted.map((id) => index.get(id) ?? -1);
  expect([...alignedRows(wanted, { ids, rowOf: (id) => index.get(id) })]).toEqual(byId);
}

describe("alignedRows: each id's row, walked in step", () => {
  const ids = Array.from({ length: 40 }, (_, i) => `model.m_${i}`);
  it("is the row an id lookup gives, whatever the two orders", () => {
    check(ids, ids);
    check(["source.s", ...ids], [...ids, "source.s"]);
    check(ids, [...ids].reverse());
    check(ids, [...ids.slice(20), ...ids.slice(0, 20)]);
    check(
      ids,
      ids.map((id, i) => ids[i % 2 === 0 ? i + 1 : i - 1] ?? id),
    );
    // Ids missing on either side, and ids only the rows have.
    check(
      ids,
      ids.filter((_, i) => i % 3 !== 0),
    );
    check(
      ids.filter((_, i) => i % 3 !== 0),
      [...ids, "model.extra"],
    );
    check([], ids);
    check(ids, []);
  });

  it("checks a guess: an id that follows in this order but not in the rows is looked up", () => {
    // After m_1 (row 2) the guess is row 3, m_3: m_2 is looked up (row 0).
    check(
      ["model.m_1", "model.m_2", "model.m_3"],
      ["model.m_2", "model.x", "model.m_1", "model.m_3"],
    );
  });
});

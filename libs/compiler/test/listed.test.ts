import { describe, expect, it } from "vitest";
import { bindListed, listedSubqueries } from "../src/plan/listed.js";
import { bindWindowReads } from "../src/plan/window.js";

const SQL =
  "select * from t where d in (sluice_listed((\n  select cast(ts as date) from s where k = ')(' \n))) and x = 1";

describe("sluice_listed((subquery))", () => {
  it("finds each call's subquery, skipping parentheses inside string literals", () => {
    expect(listedSubqueries(SQL)).toEqual(["select cast(ts as date) from s where k = ')('"]);
    expect(listedSubqueries("select 1")).toEqual([]);
  });

  it("skips parentheses in comments and in strings with '' escapes, and calls inside them", () => {
    const sql =
      "select * from t -- sluice_listed((x))\nwhere d in (sluice_listed((select d from s /* ) */ where k = 'it''s )')))";
    expect(listedSubqueries(sql)).toEqual(["select d from s /* ) */ where k = 'it''s )'"]);
    expect(bindListed(sql)).toBe(
      "select * from t -- sluice_listed((x))\nwhere d in (select d from s /* ) */ where k = 'it''s )')",
    );
  });

  it("binds a call to the literal list the run gives, the rest of the statement unchanged", () => {
    expect(bindListed(SQL, () => "DATE '2026-11-27', DATE '2026-11-26'")).toBe(
      "select * from t where d in (DATE '2026-11-27', DATE '2026-11-26') and x = 1",
    );
  });

  it("falls back to the subquery itself when there is no list (Athena, a unit test, a probe)", () => {
    expect(bindListed(SQL)).toBe(
      "select * from t where d in (select cast(ts as date) from s where k = ')(') and x = 1",
    );
    expect(bindListed(SQL, () => undefined)).toBe(bindListed(SQL));
  });

  it("binds several calls, and window calls inside a fallback subquery", () => {
    const sql =
      'a in (sluice_listed((select a from sluice_ref_window("s"."t", \'dt\')))) or b in (sluice_listed((select b from u)))';
    expect(
      bindWindowReads(sql, { listed: (q) => (q === "select b from u" ? "1, 2" : undefined) }),
    ).toBe('a in (select a from "s"."t") or b in (1, 2)');
  });

  it("leaves a call whose parentheses never close as it is", () => {
    expect(bindListed("d in (sluice_listed((select 1)")).toBe("d in (sluice_listed((select 1)");
  });
});

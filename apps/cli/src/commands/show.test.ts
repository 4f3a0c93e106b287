import { describe, expect, it } from "vitest";
import { loadAthenaGrammars } from "../athena-syntax.js";
import { limitedSql } from "./show.js";

describe("limitedSql", () => {
  it("wraps the SQL in a subquery with the limit, as dbt's get_limit_subquery_sql", () => {
    expect(limitedSql("select 1 as n;\n", 5)).toBe(
      "select * from (\nselect 1 as n\n) as model_limit_subq limit 5",
    );
  });

  it("parses as Trino SQL, a model ending with a line comment included", async () => {
    const check = await loadAthenaGrammars();
    const model = "with a as (select 1 as n)\nselect n from a -- the last line\n";
    expect(check(limitedSql(model, 3), "trino")).toEqual([]);
  });
});

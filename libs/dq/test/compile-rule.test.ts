import { createDuckdbDialect, type Relation } from "@sluice/dialects";
import { describe, expect, test } from "vitest";
import {
  compileRule,
  parseDqdl,
  rulesetTarget,
  type CompileRuleContext,
  type CompiledRule,
} from "../src/index.js";

const ctx: CompileRuleContext = {
  dialect: createDuckdbDialect(),
  relation: { schema: "silver", name: "events" },
  resolve: (name): Relation | undefined =>
    name === "ref" ? { schema: "silver", name: "products" } : undefined,
  now: "2024-06-01T12:00:00Z",
};

function compile(ruleText: string): CompiledRule {
  const { ruleset, diagnostics } = parseDqdl(`Rules = [ ${ruleText} ]`, "r.dqdl");
  expect(diagnostics).toEqual([]);
  return compileRule(ruleset!.rules[0]!, ctx);
}

function sql(ruleText: string): string {
  const c = compile(ruleText);
  if ("unsupported" in c) throw new Error(c.unsupported);
  return c.sql;
}

describe("rule SQL text", () => {
  test("RowCount with where", () => {
    expect(sql("RowCount > 0 where \"event_type = 'purchase'\"")).toBe(
      "SELECT CAST(m AS DOUBLE) AS metric, coalesce(coalesce(m > 0, FALSE), FALSE) AS passed FROM " +
        `(SELECT count(*) AS m FROM "silver"."events" WHERE (event_type = 'purchase')) AS dq`,
    );
  });

  test("between is exclusive, not between inclusive", () => {
    expect(sql('Mean "price" between 1 and 10')).toContain("coalesce(m > 1 AND m < 10, FALSE)");
    expect(sql('Mean "price" not between 1 and 10')).toContain(
      "coalesce(m <= 1 OR m >= 10, FALSE)",
    );
  });

  test("population statistics", () => {
    expect(sql('StandardDeviation "price" < 5')).toContain('stddev_pop("price")');
    expect(sql('Variance "price" < 5')).toContain('var_pop("price")');
  });

  test("ColumnValues NULL rules and no NULL inside IN", () => {
    const inList = compile('ColumnValues "t" in ["a", "b"]');
    expect(inList).toMatchObject({ rowLevel: true });
    expect("sql" in inList && inList.sql).toContain(
      `("t" IS NOT NULL AND coalesce("t" IN ('a', 'b'), FALSE))`,
    );
    expect(sql('ColumnValues "t" not in ["a", NULL]')).toContain(
      `("t" IS NOT NULL AND NOT coalesce("t" = 'a', FALSE))`,
    );
    expect(sql('ColumnValues "t" != "a"')).toContain(
      `("t" IS NULL OR NOT coalesce("t" = 'a', FALSE))`,
    );
    expect(sql('ColumnValues "t" matches "[a-z]+"')).toContain(`regexp_like("t", '^(?:[a-z]+)$')`);
  });

  test("threshold applies to the pass ratio; failing rows keep the where", () => {
    const c = compile('ColumnValues "q" > 0 where "q IS NOT NULL" with threshold > 0.9');
    if ("unsupported" in c) throw new Error(c.unsupported);
    expect(c.sql).toContain(
      'CAST(count_if(coalesce("q" > 0, FALSE)) AS DOUBLE) / NULLIF(count(*), 0)',
    );
    expect(c.sql).toContain("coalesce(coalesce(m > 0.9, FALSE), FALSE) AS passed");
    expect(c.failingRowsSql).toBe(
      `SELECT * FROM "silver"."events" WHERE (q IS NOT NULL) AND NOT (coalesce("q" > 0, FALSE))`,
    );
  });

  test("dates use the injected clock, truncated to the minute", () => {
    expect(sql('ColumnValues "ts" > (now() - 3 days)')).toContain(
      "CAST(\"ts\" AS TIMESTAMP) > date_add('day', -3, date_trunc('minute', TIMESTAMP '2024-06-01 12:00:00.000'))",
    );
    expect(sql('DataFreshness "ts" <= 90 minutes')).toContain("<= 1.5");
  });

  test("CustomSql quotes the primary alias outside strings", () => {
    expect(sql(`CustomSql "select count(*) from primary where note <> 'primary'" > 0`)).toBe(
      `WITH "primary" AS (SELECT * FROM "silver"."events") SELECT CAST(m AS DOUBLE) AS metric, coalesce(n = 1 AND coalesce(m > 0, FALSE), FALSE) AS passed ` +
        `FROM (SELECT max(v) AS m, count(*) AS n FROM (select count(*) from "primary" where note <> 'primary') AS r(v)) AS dq`,
    );
  });

  test("hostile identifiers and strings are escaped by the dialect", () => {
    expect(sql('ColumnValues "a\\"b" = "it\'s"')).toContain(`"a\\""b" = 'it''s'`);
  });

  test("reference relations come from resolve()", () => {
    expect(sql('ReferentialIntegrity "product_id" "ref.{id}" = 1.0')).toContain(
      `LEFT JOIN (SELECT DISTINCT "id" AS k0 FROM "silver"."products" WHERE "id" IN (SELECT "product_id" FROM "silver"."events")) AS r ON p."product_id" = r.k0`,
    );
    expect(compile('RowCountMatch "nope" > 0.9')).toEqual({
      unsupported: "RowCountMatch: no data source, model or source named 'nope'",
    });
  });

  test("composite rules combine the parts' passed", () => {
    expect(sql("(RowCount > 0) or (RowCount < 5)")).toMatch(
      /^SELECT CASE WHEN \(l\.passed OR r\.passed\) THEN 1\.0 ELSE 0\.0 END AS metric/,
    );
  });

  test.each([
    ['DetectAnomalies "RowCount"', "DetectAnomalies needs a metric history"],
    ['FileFreshness "s3://b/" > (now() - 1 days)', "FileFreshness checks S3 object metadata"],
    ["RowCount > avg(last(3))", "dynamic rules (avg(...))"],
    ['DatasetMatch "ref" "id" > 0.9', "DatasetMatch without match column mappings"],
    ['ColumnDataType "a" = "Varchar"', 'unknown data type "Varchar"'],
    ['(RowCount > 0) and (DetectAnomalies "RowCount")', "DetectAnomalies"],
  ])("unsupported: %s", (rule, reason) => {
    const c = compile(rule);
    expect("unsupported" in c && c.unsupported).toContain(reason);
  });
});

describe("rulesetTarget", () => {
  test("DataSources Primary wins over the file name", () => {
    const { ruleset } = parseDqdl(
      'DataSources = { "Primary": "raw.events" }\nRules = [ RowCount > 0 ]',
      "rules/x.dqdl",
    );
    expect(rulesetTarget(ruleset!, "rules/stg_events.dqdl")).toEqual({
      name: "raw.events",
      via: "DataSources",
      at: { file: "rules/x.dqdl", line: 1, column: 1 },
    });
  });

  test("file name convention", () => {
    const { ruleset } = parseDqdl("Rules = [ RowCount > 0 ]", "rules/stg_events.dqdl");
    expect(rulesetTarget(ruleset!, "rules/stg_events.dqdl")).toEqual({
      name: "stg_events",
      via: "file name",
    });
  });
});

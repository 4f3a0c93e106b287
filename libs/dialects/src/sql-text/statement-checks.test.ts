import { describe, expect, it } from "vitest";
import {
  checkReadOnlyQuery,
  checkSelectStatement,
  checkSqlExpression,
} from "./statement-checks.js";

describe("checkSqlExpression (DQDL where clauses)", () => {
  it.each([
    ["1=1)) AS dq; DROP VIEW marts.funnel; --", "closes a parenthesis"],
    ["x) OR (1=1", "closes a parenthesis"],
    ["1=1; drop view marts.funnel", "';' would end the where clause"],
    ["1=1 -- ", "comment"],
    ["1=1 /* x */", "comment"],
    ["(a = 1", "never closed"],
    ["a = 'unterminated", "unterminated string"],
    ["a in (delete from t returning a)", "DELETE is not allowed"],
    ["copy = 1", "COPY is not allowed"],
  ])("refuses %j", (sql, message) => {
    expect(checkSqlExpression(sql)?.message).toContain(message);
  });

  it.each([
    "name = 'a'';drop'",
    "\"weird;name\" > 0 and `x)` = '('",
    "status in ('paid', 'refunded') and (amount > 0 or t.update is null)",
    "x in (select y from z)",
    '"set" = 1',
  ])("accepts %j", (sql) => {
    expect(checkSqlExpression(sql)).toBeUndefined();
  });

  it("points at the offending character", () => {
    expect(checkSqlExpression("x) OR (1=1")?.offset).toBe(1);
    expect(checkSqlExpression("a = 1; drop")?.offset).toBe(5);
  });
});

describe("checkSelectStatement (CustomSql)", () => {
  it("accepts one SELECT or WITH, with an optional trailing ';'", () => {
    expect(checkSelectStatement("select count(*) from primary;")).toBeUndefined();
    expect(checkSelectStatement("(with a as (select 1) select * from a)")).toBeUndefined();
  });
  it.each([
    ["select 1; drop view marts.funnel", "';'"],
    ["drop view marts.funnel", "must start with SELECT, WITH"],
    ["values (1)", "must start with SELECT, WITH"],
    ["select 1 -- hide", "comment"],
    ["select 1) x, (select 2", "closes a parenthesis"],
  ])("refuses %j", (sql, message) => {
    expect(checkSelectStatement(sql)?.message).toContain(message);
  });
});

describe("checkReadOnlyQuery (sluice query)", () => {
  it.each([
    "select 1",
    "-- the funnel\nwith f as (select * from marts.funnel) select * from f;",
    "/* x */ (select 1)",
    "from marts.funnel",
    "describe marts.funnel",
    "summarize marts.funnel",
    "explain select 1",
    "show tables",
    "values (1), (2)",
    "select 'drop table x; --' as s",
  ])("accepts %j", (sql) => {
    expect(checkReadOnlyQuery(sql)).toBeUndefined();
  });
  it.each([
    "copy (select 1 x) to '/lake/marts/funnel/v1/data.parquet'",
    "attach 'other.duckdb'",
    "install httpfs",
    "load httpfs",
    "create table t (x int)",
    "pragma enable_profiling",
    "set threads = 1",
    "call pragma_version()",
    "checkpoint",
    "export database '/tmp/x'",
    "select 1; drop view marts.funnel",
    "explain analyze copy (select 1) to 'x.csv'",
    "with x as (select 1) insert into t select * from x",
  ])("refuses %j", (sql) => {
    expect(checkReadOnlyQuery(sql)).toBeDefined();
  });
});

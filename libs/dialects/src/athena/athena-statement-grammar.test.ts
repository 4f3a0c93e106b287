import { describe, expect, it } from "vitest";
import { athenaStatementGrammar } from "./athena-statement-grammar.js";

describe("athenaStatementGrammar", () => {
  it.each([
    ["msck repair table `s`.`t`", "hive"],
    ["-- refresh\nALTER TABLE `s`.`t` ADD PARTITION (dt='2026-12-01')", "hive"],
    ["create external table `s`.`t` (a int) location 's3://b/p/'", "hive"],
    ["create table `s`.`t` (a int) stored as parquet", "hive"],
    ["CREATE DATABASE IF NOT EXISTS `s`", "hive"],
    ["drop table if exists `s`.`t`", "hive"],
    ["show partitions `s`.`t`", "hive"],
    ["describe `s`.`t`", "hive"],
    ['create table "s"."t" with (format = \'PARQUET\') as select 1 as a', "trino"],
    ['create table "s"."t" as (select 1)', "trino"],
    ['create or replace view "s"."v" as select 1', "trino"],
    ['drop view if exists "s"."v"', "trino"],
    ['insert into "s"."t" select 1', "trino"],
    ['/* audit */ select count(*) from "s"."t"', "trino"],
    ["describe output q", "trino"],
    ['analyze "s"."t"', "trino"],
  ] as const)("%s -> %s", (sql, grammar) => {
    expect(athenaStatementGrammar(sql)).toBe(grammar);
  });
});

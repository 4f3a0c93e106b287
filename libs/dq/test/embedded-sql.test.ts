import { describe, expect, test } from "vitest";
import { parseDqdl } from "../src/parser.js";
import { markSource } from "./mark-source.js";

/** Hostile SQL in a rule: each must be a diagnostic at the marked character, before any engine. */
const hostile: [string, string][] = [
  [
    'Rules = [ RowCount > 0 where "1=1‸)) AS dq; DROP VIEW marts.funnel; --" ]',
    "closes a parenthesis",
  ],
  ['Rules = [ IsComplete "a" where "x‸) OR (1=1" ]', "closes a parenthesis"],
  [
    'Rules = [ IsComplete "a" where "1=1‸; drop view marts.funnel" ]',
    "';' would end the where clause",
  ],
  ['Rules = [ IsComplete "a" where "1=1 ‸-- " ]', "comment"],
  ['Rules = [ IsComplete "a" where "‸(a = 1" ]', "'(' is never closed"],
  ['Rules = [ IsComplete "a" where "a = 1 or ‸delete = 2" ]', "DELETE is not allowed"],
  ['Rules = [ CustomSql "select count(*) from primary‸; drop view marts.funnel" > 0 ]', "';'"],
  ['Rules = [ CustomSql "‸drop view marts.funnel" ]', "must start with SELECT, WITH"],
  ['Rules = [ CustomSql "select 1 ‸/* x */" > 0 ]', "comment"],
  ['Rules = [\n  RowCount > 0,\n  IsComplete "a" where "b = 1 ‸-- x"\n]', "comment"],
];

describe("SQL inside rules cannot leave its wrapper", () => {
  test.each(hostile)("%s", (marked, message) => {
    const { text, line, column } = markSource(marked);
    const { ruleset, diagnostics } = parseDqdl(text, "rules/x.dqdl");
    expect(ruleset).toBeUndefined();
    expect(diagnostics[0]?.code).toBe("DQDL_SYNTAX");
    expect(diagnostics[0]?.message).toContain(message);
    expect(diagnostics[0]?.at).toEqual({ file: "rules/x.dqdl", line, column });
  });

  test("a CustomSql statement from a variable is reported where the rule names it", () => {
    const { text, line, column } = markSource(
      'sql = "select 1; drop view v"\nRules = [ CustomSql ‸$sql > 0 ]',
    );
    const [d] = parseDqdl(text, "f").diagnostics;
    expect(d?.message).toContain("';'");
    expect(d?.at).toMatchObject({ line, column });
  });

  test.each([
    `Rules = [ IsComplete "a" where "b = 'a'';drop'" ]`,
    `Rules = [ IsComplete "a" where "(status in ('paid', 'x)')) and t.update is null" ]`,
    'Rules = [ CustomSql "with p as (select * from primary) select count(*) from p;" > 0 ]',
    'Rules = [ ColumnValues "a" > 0 where "b in (select c from d)" ]',
  ])("accepts %s", (text) => {
    expect(parseDqdl(text, "f").diagnostics).toEqual([]);
  });
});

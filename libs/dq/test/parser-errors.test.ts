import { formatDiagnostic } from "@sluice/project";
import { describe, expect, test } from "vitest";
import { parseDqdl } from "../src/index.js";
import { markSource } from "./mark-source.js";

// [source with ‸ at the expected error position, a fragment of the message]
const invalid: [string, string][] = [
  // lexing traps
  ['Rules = [ IsComplete ‸"2022-01-01" ]', "expected a parameter or a condition"],
  ['Rules = [ ColumnValues "a" ‸in ["2022-06-01", "x"] ]', "cannot mix"],
  ["Rules = [ IsComplete ‸B ]", "expected a parameter or a condition, found 'B'"],
  ["Rules = [ IsComplete ‸days ]", "expected a parameter or a condition, found 'days'"],
  ["Rules = [ IsComplete ‸with ]", "expected a tag name"].map((s, i) =>
    i === 0 ? s.replace("‸with ]", "with ‸]") : s,
  ) as [string, string],
  ['Rules = [ ColumnValues "a" > ‸now () ]', "expected a value"],
  ['Rules = [ ColumnValues "a" > ‸NOW() ]', "expected a value"],
  ['Rules = [ ColumnValues "a" = ‸Null ]', "expected a value"],
  [
    'Rules = [ ‸ColumnValues "a" Or ColumnValues "b" = 1 ]',
    "ColumnValues takes 1 parameter, found 4",
  ],
  ["Rules = [ RowCount > ‸1e5 ]", "expected a number"],
  ["Rules = [ RowCount > ‸.5 ]", "expected a number"],
  ["Rules = [ RowCount > ‸+5 ]", "expected a number"],
  ['Rules = [ DataFreshness "d" <= ‸1.5 hours ]', "expected a whole number before a unit"],
  ['Rules = [ DataFreshness "d" <= 3 ‸weeks ]', "expected ']' or ','"],
  ['Rules = [ DataFreshness "d" <= 3 ‸Days ]', "expected ']' or ','"],
  ["Rules = [ RowCount > 0 ‸' ]", "unexpected character"],
  ["Rules = [ IsComplete ‸'a' ]", "unexpected character"],
  // A character that does not print (a binary file): its code point, not an empty quote.
  ["Rules = [ RowCount > 0 ‸\u0000 ]", "unexpected character U+0000"],
  ["Rules = [ RowCount > 0 ‸\u200b ]", "unexpected character U+200B"],
  ["Rules = [ RowCount > 0 ‸é ]", "unexpected character 'é'"],
  ['Rules = [ IsComplete "a ‸]'.replace("‸", "").replace('"a ]', '‸"a ]'), "unterminated string"],
  ["Rules = [ RowCount ‸<> 0 ]", "expected a number"].map((s, i) =>
    i === 0 ? "Rules = [ RowCount <‸> 0 ]" : s,
  ) as [string, string],
  ["Rules = [ RowCount =‸= 0 ]", "expected a number"],
  ["Rules = [ RowCount ! ‸> 0 ]", "expected '=' after '!'"],
  // structure
  ["Rules = [ RowCount > 0 ] ‸garbage", "expected end of input after the Rules section"],
  [
    "Analyzers = [ RowCount ] ‸Rules = [ RowCount > 0 ]",
    "expected end of input after the Analyzers section",
  ],
  ['Rules = [ RowCount > 0 ] ‸Metadata = { "Version": "1.0" }', "expected end of input"],
  [
    'DataSources = { "Primary": "x" } ‸Metadata = { "Version": "1.0" } Rules = [ RowCount > 0 ]',
    "expected a variable, 'DefaultLabels', 'Rules' or 'Analyzers'",
  ],
  ["‸rules = [ RowCount > 0 ]", "section names are case-sensitive"],
  ["Rules = [ RowCount > 0, ‸]", "expected a rule"],
  [
    "Rules = [ RowCount > 0‸ RowCount > 1 ]",
    "missing ',' between rules (found 'RowCount' after a complete rule)",
  ],
  ['Rules = [ IsComplete "a"‸\n  (IsUnique "a") or (IsUnique "b") ]', "missing ',' between rules"],
  ["Rules = ‸( RowCount > 0 )", "expected '['"],
  ["‸Rules = []", "no rules or analyzers provided"],
  ["Rules = [ RowCount > 0‸", "expected ']' or ',' after a rule, found end of input"],
  ["Metadata = ‸{} Rules = [ RowCount > 0 ]", ""].map((s, i) =>
    i === 0 ? "Metadata = {‸} Rules = [ RowCount > 0 ]" : "expected a quoted key",
  ) as [string, string],
  ['Metadata = { ‸"Owner": "me" } Rules = [ RowCount > 0 ]', 'unsupported key "Owner"'],
  ['DataSources = { ‸"AdditionalDataSources": "x" } Rules = [ RowCount > 0 ]', "must be a list"],
  ["x = ‸100 Rules = [ RowCount > 0 ]", "expected a quoted string or a list of strings"],
  ['‸_x = "a" Rules = [ RowCount > 0 ]', "must not start with '_' or '.'"],
  ['x = "a" ‸x = "b" Rules = [ RowCount > 0 ]', "already defined"],
  ["Rules = [ IsComplete ‸$nope ]", "unknown variable '$nope'"],
  ['x = ["a"] Rules = [ IsComplete ‸$x ]', "a parameter needs a string variable"],
  ['x = "a" Rules = [ ColumnValues "a" = ‸$x ]', "expected a value"],
  // rule semantics
  ['Rules = [ ‸IsComplete "a" and IsUnique "a" ]', "IsComplete takes 1 parameter, found 3"],
  ['Rules = [ ‸Iscomplete "a" ]', "unknown rule type 'Iscomplete'"],
  ['Rules = [ ‸RowCount "id" > 100 ]', "RowCount takes 0 parameters, found 1"],
  ['Rules = [ ‸ColumnCorrelation "a" > 0.5 ]', "ColumnCorrelation takes 2 parameters, found 1"],
  ['Rules = [ Completeness "a" ‸]', "Completeness needs a condition"],
  ['Rules = [ IsComplete "a" ‸= 1 ]', "IsComplete takes no condition"],
  ['Rules = [ ColumnDataType "a" ‸= NULL ]', "takes a string condition, found a number condition"],
  ['Rules = [ Completeness "a" ‸= "x" ]', "takes a number condition, found a string condition"],
  ['Rules = [ ColumnValues "a" ‸> "x" ]', "'>' does not compare strings"],
  ['Rules = [ DataFreshness "d" ‸> 3 ]', "takes a duration condition"],
  ['Rules = [ ‸AllStatistics "a" ]', "only allowed in Analyzers"],
  ['Analyzers = [ ‸IsComplete "a" ]', "returns a boolean"],
  ['Analyzers = [ Completeness "a" ‸> 0 ]', "expected ',' or ']' after an analyzer"],
  [
    'Rules = [ Completeness "a" > 0.5 with threshold ‸> 0.9 ]',
    "threshold condition not supported for rule type Completeness",
  ],
  ['Rules = [ ColumnCount > 1 where ‸"x > 0" ]', "ColumnCount does not support a where clause"],
  ['Rules = [ ColumnValues "a" > 0 where ‸"" ]', "the where clause is empty"],
  [
    'Rules = [ ColumnValues "a" > 0 with threshold > 0.9 ‸where "b > 0" ]',
    "expected ',' or the end of the rule",
  ],
  [
    'Rules = [ ColumnValues "a" > 0 with threshold > 0.8 ‸labels=["k"="v"] ]',
    "expected ',' or the end of the rule",
  ],
  ['Rules = [ ColumnValues "a" > 0 labels=‸[] ]', "must not be empty"],
  ['Rules = [ ColumnValues "a" > 0 labels=["k"="v", ‸"k"="w"] ]', 'duplicate label key "k"'],
  ['Rules = [ ColumnValues "a" > 0 labels=[‸""="w"] ]', "must not be empty"],
  [
    'Rules = [ ColumnValues "a" > 0 with threshold > 0.5 ‸with threshold > 0.6 ]',
    "at most one threshold",
  ],
  ['Rules = [ ColumnValues "a" > 0 with timeZone ‸!= "UTC" ]', "takes '= \"value\"'"],
  [
    'Rules = [ ColumnValues "d" > "9:30 AM" with timeZone ‸= "America/New_Chicago" ]',
    "unknown time zone",
  ],
  ['Rules = [ ColumnValues "d" > ‸"25:30" ]', 'invalid time "25:30"'],
  ['Rules = [ ColumnValues "d" > ‸"13:50 PM" ]', "invalid time"],
  ['Rules = [ ColumnValues "d" > now() ‸- 3 days ]', "expected the end of the rule, found '-'"],
  ['Rules = [ ColumnValues "a" in ‸[] ]'.replace("‸[] ", "[‸] "), "expected a value, found ']'"],
  ['Rules = [ ColumnValues "a" between 1 ‸or 5 ]', "expected 'and' between the bounds"],
  ["Rules = [ (RowCount > 0 ‸]", "expected ')'"],
  ["Rules = [ (RowCount > 0) or ‸]", "expected a rule"],
  [
    'Rules = [ ColumnValues "a" not ‸like "x" ]',
    "expected 'between', 'in' or 'matches' after 'not'",
  ],
  ['Rules = [ StandardDeviation "a" > avg(last(10) + 0.1 ‸]', "expected ')' or ','"],
];

describe("invalid rulesets: message and exact position", () => {
  test.each(invalid)("%s", (marked, message) => {
    const { text, line, column } = markSource(marked);
    const { ruleset, diagnostics } = parseDqdl(text, "rules/x.dqdl");
    expect(ruleset).toBeUndefined();
    expect(diagnostics.length).toBeGreaterThan(0);
    const [first] = diagnostics;
    expect(first?.code).toBe("DQDL_SYNTAX");
    expect(first?.message).toContain(message);
    expect(first?.at).toEqual({ file: "rules/x.dqdl", line, column });
  });

  test("a position on a later line, printed compiler style", () => {
    const { text, line, column } = markSource(
      'Rules = [\n  RowCount > 0,\n  Completeness "a" ‸= "x"\n]',
    );
    const [d] = parseDqdl(text, "rules/x.dqdl").diagnostics;
    expect([line, column]).toEqual([3, 20]);
    expect(formatDiagnostic(d!)).toBe(
      "rules/x.dqdl:3:20: error DQDL_SYNTAX: Completeness takes a number condition, found a string condition",
    );
  });

  test("hints explain the traps", () => {
    const hint = (text: string) => parseDqdl(text, "f").diagnostics[0]?.hint;
    expect(hint('Rules = [ IsComplete "a" and IsUnique "a" ]')).toContain(
      "wrap each rule of a composite rule in parentheses",
    );
    expect(hint('Rules = [ Iscomplete "a" ]')).toContain("did you mean 'IsComplete'?");
    expect(hint("Rules = [ IsComplete B ]")).toContain('quote column names ("B")');
    expect(hint("Rules = [ IsComplete 'a' ]")).toContain("double quotes");
    expect(hint("Rules = [ RowCount > 0 ] trailing")).toContain("sluice rejects trailing input");
    expect(hint('Rules = [ ColumnValues "d" > now() - 3 days ]')).toContain(
      "write date arithmetic in parentheses",
    );
    expect(hint('Rules = [ ColumnValues "a" in [] ]')).toContain("must not be empty");
  });
});

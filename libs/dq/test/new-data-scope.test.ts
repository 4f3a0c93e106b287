import { describe, expect, test } from "vitest";
import { newDataScope, parseDqdl } from "../src/index.js";

/** The new-data scope of one rule, parsed from its DQDL text. */
function scopeOf(ruleText: string) {
  const { ruleset, diagnostics } = parseDqdl(`Rules = [ ${ruleText} ]`, "r.dqdl");
  expect(diagnostics).toEqual([]);
  return newDataScope(ruleset!.rules[0]!);
}

const LOOKUP = { column: "id", field: "id" };

describe("newDataScope: what an incremental run may check of a rule on new data alone", () => {
  test.each([
    ['IsComplete "id"', { kind: "rows" }],
    ['ColumnValues "qty" > 0', { kind: "rows" }],
    ['IsUnique "id"', { kind: "keys", columns: ["id"] }],
    ['IsPrimaryKey "id" "n"', { kind: "keys", columns: ["id", "n"] }],
    // Every row must find its key: the new rows, each looked up in the whole reference.
    ['ReferentialIntegrity "id" "events.id" = 1.0', { kind: "rows", lookup: LOOKUP }],
    ['ReferentialIntegrity "id" "events.id" >= 1', { kind: "rows", lookup: LOOKUP }],
    [
      'ReferentialIntegrity "id" "events.{event_id}" = 1.0',
      { kind: "rows", lookup: { column: "id", field: "event_id" } },
    ],
    // Two columns: no one-column lookup (the reference is read whole).
    ['ReferentialIntegrity "a,b" "events.{a,b}" = 1.0', { kind: "rows" }],
    // A share of the rows: the ratio over new rows is not the table's.
    ['ReferentialIntegrity "id" "events.id" >= 0.9', undefined],
    ['ReferentialIntegrity "id" "events.id" < 1.0', undefined],
    ["RowCount > 0", undefined],
    ['ColumnValues "qty" > 0 with threshold > 0.9', undefined],
    ['RowCountMatch "events" = 1.0', undefined],
  ])("%s", (rule, expected) => {
    expect(scopeOf(rule)).toEqual(expected);
  });
});

import { describe, expect, it } from "vitest";
import { statementPosition, stripStatement } from "./sql-statements.js";

describe("a statement's leading comments and blank space", () => {
  const sent = "\n  -- model.events\n/* sluice\n   run 1 */ CREATE TABLE t AS SELECT 1 ;\n";

  it("stripStatement drops them and a trailing ;", () => {
    expect(stripStatement(sent)).toBe("CREATE TABLE t AS SELECT 1");
    expect(stripStatement("-- only a comment")).toBe("");
    expect(stripStatement("SELECT '--' -- trailing\n")).toBe("SELECT '--' -- trailing");
  });

  it("statementPosition is Athena's line:column of the first keyword", () => {
    expect(statementPosition(sent)).toBe("line 4:13");
    expect(statementPosition("SELECT 1")).toBe("line 1:1");
    expect(statementPosition("-- c\nSELECT 1")).toBe("line 2:1");
  });
});

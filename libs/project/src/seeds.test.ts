import { describe, expect, it } from "vitest";
import { formatDiagnostic } from "./diagnostics.js";
import { parseSeed } from "./seeds.js";

const seedFile = (text: string) => ({
  path: "seeds/people.csv",
  absPath: "/p/seeds/people.csv",
  text,
});
const where = (text: string) =>
  parseSeed(seedFile(text)).diagnostics.map((d) => [d.code, d.at?.line, d.at?.column]);

describe("parseSeed", () => {
  it("a stray quote inside an unquoted cell is SEED_INVALID at the quote, not a thrown CsvError", () => {
    const out = parseSeed(seedFile('name,height\nann,5 ft 11"\nbob,6 ft\n'));
    expect(out.seed).toBeUndefined();
    expect(out.diagnostics).toHaveLength(1);
    expect(formatDiagnostic(out.diagnostics[0]!)).toBe(
      "seeds/people.csv:2:12: error SEED_INVALID: seed 'people': Invalid Opening Quote: a quote is found on field 1 at line 2, " +
        'value is "5 ft 11"\n  hint: quote the whole cell and double inner quotes: "5 ft 11"""',
    );
  });

  it("other quote mistakes point at the offending character, an unclosed quote at its opening", () => {
    expect(where('a,b\n1,"x"y\n')).toEqual([["SEED_INVALID", 2, 6]]);
    expect(where('a,b\n1,2\n3,"open\n4,5\n')).toEqual([["SEED_INVALID", 3, 3]]);
    expect(where('a,b\n1,"say ""hi"""\n2,x"\n')).toEqual([["SEED_INVALID", 3, 4]]);
  });

  it("a record of the wrong length is SEED_INVALID at its line", () => {
    expect(where("a,b\n1,2\n3\n")).toEqual([["SEED_INVALID", 3, 1]]);
  });

  it("header names equal but for case are SEED_INVALID at the second one", () => {
    const out = parseSeed(seedFile("id,Name,name\n1,a,b\n"));
    expect(out.seed).toBeUndefined();
    expect(out.diagnostics.map((d) => [d.code, d.at?.column, d.message])).toEqual([
      [
        "SEED_INVALID",
        9,
        "seed 'people': column 'name' and 'Name' differ only in case in the header",
      ],
    ]);
    expect(where("a,a\n1,2\n")).toEqual([["SEED_INVALID", 1, 3]]);
  });

  it("column names Glue rejects are NAME_INVALID with the suggested name; the seed still loads", () => {
    const out = parseSeed(seedFile('id,"Full Name",zip\n1,Ann,1\n'));
    expect(out.seed?.columns).toEqual(["id", "Full Name", "zip"]);
    expect(
      out.diagnostics.map((d) => [d.code, d.at?.line, d.at?.column, d.message, d.hint]),
    ).toEqual([
      [
        "NAME_INVALID",
        1,
        4,
        "seed 'people': column name 'Full Name' has characters Glue does not accept (only lowercase letters, digits and underscores)",
        "rename the column to 'full_name'",
      ],
    ]);
  });

  it("the project's own seed header is accepted", () => {
    expect(parseSeed(seedFile("country,iso2,iso3\nFrance,FR,FRA\n")).diagnostics).toEqual([]);
  });
});

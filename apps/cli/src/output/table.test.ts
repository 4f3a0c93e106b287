import { describe, expect, it } from "vitest";
import { formatCell, renderCsv, renderTable } from "./table.js";

describe("renderTable", () => {
  it("aligns text left and numbers right under a header rule", () => {
    expect(
      renderTable(
        ["model", "rows"],
        [
          ["silver.events", 50123],
          ["marts.funnel", 4],
        ],
      ),
    ).toBe(
      [
        "model            rows",
        "-------------  ------",
        "silver.events  50,123",
        "marts.funnel        4",
      ].join("\n"),
    );
  });

  it("prints NULL for missing values and clips long cells to one line", () => {
    const out = renderTable(["v"], [[null], ["a\nb"], ["x".repeat(80)]], 10);
    expect(out.split("\n")).toEqual(["v", "----------", "NULL", "a b", "xxxxxxxxx…"]);
  });
});

describe("renderCsv", () => {
  it("quotes commas, quotes and newlines (RFC 4180)", () => {
    expect(
      renderCsv(
        ["a", "b"],
        [
          ["x,y", 'say "hi"'],
          ["line\nbreak", null],
        ],
      ),
    ).toBe('a,b\n"x,y","say ""hi"""\n"line\nbreak",');
  });
});

describe("renderTable widths", () => {
  it("lines up CJK and emoji by terminal columns, not code units", () => {
    const out = renderTable(
      ["name", "n"],
      [
        ["日本語", 1],
        ["abc", 22],
        ["😀😀", 3],
      ],
    ).split("\n");
    expect(out).toEqual(["name     n", "------  --", "日本語   1", "abc     22", "😀😀     3"]);
  });

  it("clips wide text to its width in columns", () => {
    expect(renderTable(["v"], [["日本語日本語"]], 7).split("\n")[2]).toBe("日本語…");
  });
});

describe("formatCell numbers", () => {
  it("groups integers as toLocaleString('en-US') does, other numbers to four decimals", () => {
    const ints = [0, -0, 5, -1234, 1234567, 2 ** 53 - 1, -(2 ** 53), 1e21, 12345678901234567890n];
    for (const v of ints) expect(formatCell(v), String(v)).toBe(v.toLocaleString("en-US"));
    expect(formatCell(-5n)).toBe("-5");
    expect(formatCell(1234.56789)).toBe("1234.5679");
  });
});

describe("renderCsv values", () => {
  it("writes bigint, booleans and lists as text", () => {
    expect(renderCsv(["a", "b", "c"], [[9223372036854775807n, true, [1, 2]]])).toBe(
      'a,b,c\n9223372036854775807,true,"[1,2]"',
    );
  });
});

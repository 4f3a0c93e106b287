import { describe, expect, it } from "vitest";
import { renderCsv, renderTable } from "./table.js";

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

describe("renderCsv values", () => {
  it("writes bigint, booleans and lists as text", () => {
    expect(renderCsv(["a", "b", "c"], [[9223372036854775807n, true, [1, 2]]])).toBe(
      'a,b,c\n9223372036854775807,true,"[1,2]"',
    );
  });
});

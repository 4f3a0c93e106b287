import { describe, expect, it } from "vitest";
import { at } from "../test/support.js";
import { parseYaml } from "./yaml-source.js";

const file = "marts/marts.yml";

// Each broken file, the token (» marks the spot) the error must point at, its message and hint.
// The yaml library itself reports most of these where it noticed them: the next line, the end of
// the file, or column 1.
describe("YAML syntax errors at the construct that caused them", () => {
  it.each([
    [
      "an unclosed single quote, at the quote",
      "models:\n  - name: a\n    description: 'Paid orders\n  - name: b\n",
      "description: »'Paid",
      "the single quote opened here is never closed",
      "end the value with ' on the same line",
    ],
    [
      "an unclosed double quote, at the quote",
      'models:\n  - name: a\n    description: "Paid orders\n',
      'description: »"Paid',
      "the double quote opened here is never closed",
      'end the value with " on the same line',
    ],
    [
      "an unclosed [, at the bracket",
      "models:\n  - name: a\n    tests: [not_null, unique\n  - name: b\n",
      "tests: »[",
      "'[' is never closed",
      "add ']' at the end of the list, or indent its next lines deeper than its key",
    ],
    [
      "an unclosed {, at the brace",
      "models:\n  - name: a\n    config: {materialized: table\n  - name: b\n",
      "config: »{",
      "'{' is never closed",
      "add '}' at the end of the mapping, or indent its next lines deeper than its key",
    ],
    [
      "a line indented one space too little, at its first character",
      "models:\n  - name: a\n    description: x\n   columns: []\n",
      "   »columns",
      "this line is indented like no key or list item above it",
      "indent it like the line it belongs with (spaces only)",
    ],
    [
      "a duplicate key, with the first one's line",
      "models:\n  - name: a\n    description: x\n    description: y\n",
      "description: y",
      "duplicate key 'description'",
      "the first is at line 3: keep one of them",
    ],
    [
      "a key without ':', at the key",
      "models:\n  - name: a\n    description\n    columns: []\n",
      "description",
      "a key without ':'",
      "add ': value' after the key",
    ],
    [
      "an unquoted value holding ': '",
      "models:\n  - name: a\n    description: Paid: orders\n",
      "»Paid",
      "Nested mappings are not allowed in compact mappings",
      "a value holding ': ' must be quoted ('a: b'), or the next line is indented too deep",
    ],
    [
      "a tab in the indentation",
      "models:\n  - name: a\n\t description: x\n",
      "\t description",
      "Tabs are not allowed as indentation",
      "indent with spaces, not tabs",
    ],
  ])("%s", (_what, text, token, message, hint) => {
    const { syntaxErrors } = parseYaml(text, file);
    expect(syntaxErrors).toEqual([
      { code: "YAML_SYNTAX", severity: "error", message, at: at(file, text, token), hint },
    ]);
  });
});

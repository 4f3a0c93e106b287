import { readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { copyModelsProject, runSluice } from "../support/cli.js";

// Errors point at the user's file, from where the command ran (`models/...`, clickable), with
// a code frame at the construct's own position and a suggested fix; exit 2 before anything runs.
describe("error positions and code frames", () => {
  let root: string;
  let dir: string;
  let cleanup: () => Promise<void>;
  // Run from the folder holding models/, as a user would (the default --project-dir).
  const sluice = (...args: string[]) => runSluice(args, { cwd: root });
  const write = (rel: string, text: string) => writeFile(path.join(dir, rel), text);

  /** With `text` in the project file `rel`, the command prints exactly one error, then exit 2. */
  const refusedWith = async (rel: string, text: string, args: string[], error: string[]) => {
    await write(rel, text);
    try {
      const r = await sluice(...args);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe("");
      expect(r.stderr).toBe(`${error.join("\n")}\n\n1 error found; nothing was run.\n`);
    } finally {
      await rm(path.join(dir, rel));
    }
  };

  beforeAll(async () => {
    ({ dir, cleanup } = await copyModelsProject());
    root = path.dirname(dir);
  });
  afterAll(async () => cleanup());

  it.each([
    [
      "an unclosed {% if %}, at its opening tag",
      "select 1 as x\n{% if true %}\nwhere 1 = 1\n",
      [
        "models/staging/broken.sql:2:1: error TEMPLATE_SYNTAX: {% if %} is never closed: expected {% endif %}",
        "  hint: add {% endif %} after the block",
        "    1 | select 1 as x",
        "  > 2 | {% if true %}",
        "      | ^",
        "    3 | where 1 = 1",
      ],
    ],
    [
      "an unclosed {% for %}, at its opening tag",
      "select 1 as x\n  {% for c in [1, 2] %}\n, {{ c }} as y\n",
      [
        "models/staging/broken.sql:2:3: error TEMPLATE_SYNTAX: {% for %} is never closed: expected {% endfor %}",
        "  hint: add {% endfor %} after the block",
        "    1 | select 1 as x",
        "  > 2 |   {% for c in [1, 2] %}",
        "      |   ^",
        "    3 | , {{ c }} as y",
      ],
    ],
    [
      "an unclosed {#, at its opening",
      "select 1 as x\n{# a note\nthat never ends\n",
      [
        "models/staging/broken.sql:2:1: error TEMPLATE_SYNTAX: {# is never closed: expected #}",
        "  hint: close the comment with #}",
        "    1 | select 1 as x",
        "  > 2 | {# a note",
        "      | ^",
        "    3 | that never ends",
      ],
    ],
    [
      "an unknown macro, with did you mean",
      "select\n    {{ json_txt('event_id') }} as event_id\nfrom {{ ref('stg_events') }}\n",
      [
        "models/staging/broken.sql:2:8: error TEMPLATE_SYNTAX: 'json_txt' is not a macro or function",
        "  hint: did you mean 'json_text'?",
        "    1 | select",
        "  > 2 |     {{ json_txt('event_id') }} as event_id",
        "      |        ^",
        "    3 | from {{ ref('stg_events') }}",
      ],
    ],
    [
      "an unknown filter, with did you mean",
      "select {{ 'a' | uper }} as x\n",
      [
        "models/staging/broken.sql:1:15: error TEMPLATE_SYNTAX: unknown filter 'uper'",
        "  hint: did you mean 'upper'?",
        "  > 1 | select {{ 'a' | uper }} as x",
        "      |               ^",
        "    2 |",
      ],
    ],
  ])("%s: exit 2, path from here, code frame", async (_what, sql, expected) => {
    await refusedWith("staging/broken.sql", sql, ["compile"], expected);
  });

  it.each([
    [
      "a missing ',' between rules, at the end of the rule before it",
      'Rules = [\n    RowCount > 0\n    IsComplete "event_id"\n]\n',
      [
        "models/rules/broken.dqdl:2:17: error DQDL_SYNTAX: missing ',' between rules (found 'IsComplete' after a complete rule)",
        "  hint: add ',' after the previous rule",
        "    1 | Rules = [",
        "  > 2 |     RowCount > 0",
        "      |                 ^",
        '    3 |     IsComplete "event_id"',
      ],
    ],
    [
      "an unknown rule type, with did you mean",
      'Rules = [\n    RowCount > 0,\n    IsComplet "event_id"\n]\n',
      [
        "models/rules/broken.dqdl:3:5: error DQDL_SYNTAX: unknown rule type 'IsComplet'",
        "  hint: did you mean 'IsComplete'?",
        "    1 | Rules = [",
        "    2 |     RowCount > 0,",
        '  > 3 |     IsComplet "event_id"',
        "      |     ^",
        "    4 | ]",
      ],
    ],
  ])("DQDL, %s: exit 2 with a code frame", async (_what, text, expected) => {
    await refusedWith(
      "rules/broken.dqdl",
      text,
      ["dq", "parse", "models/rules/broken.dqdl"],
      expected,
    );
  });

  /** `rel` with some of its lines (1-based number → expected text, new text) replaced. */
  const withLines = async (
    rel: string,
    edits: Record<number, [string, string]>,
    check: () => Promise<void>,
  ) => {
    const file = path.join(dir, rel);
    const original = await readFile(file, "utf8");
    const lines = original.split("\n");
    for (const [n, [was, now]] of Object.entries(edits)) {
      expect(lines[Number(n) - 1]).toBe(was);
      lines[Number(n) - 1] = now;
    }
    await writeFile(file, lines.join("\n"));
    try {
      await check();
    } finally {
      await writeFile(file, original);
    }
  };
  const compileFails = async (stderr: string[]) => {
    const r = await sluice("compile");
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toBe(`${stderr.join("\n")}\n`);
  };

  it("YAML: an unclosed '[' in a properties file, at the bracket, with a code frame", async () => {
    await withLines(
      "marts/marts.yml",
      { 9: ["        tests: [not_null]", "        tests: [not_null, unique"] },
      () =>
        compileFails([
          "models/marts/marts.yml:9:16: error YAML_SYNTAX: '[' is never closed",
          "  hint: add ']' at the end of the list, or indent its next lines deeper than its key",
          "     7 |       - name: country",
          "     8 |         description: Customer country (English name).",
          "  >  9 |         tests: [not_null, unique",
          "       |                ^",
          "    10 |       - name: country_iso2",
          "",
          "1 error found; nothing was run.",
        ]),
    );
  });

  it("YAML: an unclosed quote in sluice.yml, at the quote", async () => {
    await withLines(
      "sluice.yml",
      { 12: ['  raw_projection_start: "2026/01/01/00"', '  raw_projection_start: "2026/01/01/00'] },
      () =>
        compileFails([
          "models/sluice.yml:12:25: error YAML_SYNTAX: the double quote opened here is never closed",
          '  hint: end the value with " on the same line',
          "    10 | vars:",
          "    11 |   # First hour Athena's partition projection on the raw table covers ('YYYY/MM/DD/HH').",
          '  > 12 |   raw_projection_start: "2026/01/01/00',
          "       |                         ^",
          "    13 |   # Incremental silver runs re-read this many hours of raw partitions before the watermark.",
          "",
          "1 error found; nothing was run.",
        ]),
    );
  });

  it("sluice.yml: an unknown key and a wrong type, each at its own line, in line order", async () => {
    await withLines(
      "sluice.yml",
      {
        5: ["seed-paths: [seeds]", "seed-pathz: [seeds]"],
        41: ["    threads: 2", "    threads: abc"],
      },
      () =>
        compileFails([
          "models/sluice.yml:5:1: error CONFIG_INVALID: seed-pathz: unknown key 'seed-pathz'",
          "  hint: did you mean 'seed-paths'?",
          "    3 |",
          "    4 | model-paths: [sources, staging, silver, marts]",
          "  > 5 | seed-pathz: [seeds]",
          "      | ^",
          "    6 | macro-paths: [macros]",
          "models/sluice.yml:41:14: error CONFIG_INVALID: targets.local.threads: expected a number, got 'abc'",
          "    39 |     engine: duckdb",
          "    40 |     lake: .lake",
          "  > 41 |     threads: abc",
          "       |              ^",
          "    42 |   prod:",
          "",
          "2 errors found; nothing was run.",
        ]),
    );
  });

  it("properties YAML: a bad value deep in a test's config, at the value", async () => {
    await withLines(
      "marts/marts.yml",
      {
        9: [
          "        tests: [not_null]",
          "        tests: [not_null, {unique: {config: {severity: fatal}}}]",
        ],
      },
      () =>
        compileFails([
          "models/marts/marts.yml:9:56: error TEST_INVALID: models[0].columns[0].tests[1].unique.config.severity: severity must be 'warn' or 'error', got 'fatal'",
          "  hint: allowed values: warn, error",
          "     7 |       - name: country",
          "     8 |         description: Customer country (English name).",
          "  >  9 |         tests: [not_null, {unique: {config: {severity: fatal}}}]",
          "       |                                                        ^",
          "    10 |       - name: country_iso2",
          "",
          "1 error found; nothing was run.",
        ]),
    );
  });

  it("a query error during build names the model's file and the compiled file at the line", async () => {
    const gen = ["--events", "500", "--start", "2026-11-27T00:00:00Z", "--hours", "2"];
    expect((await sluice("generate", ...gen)).code).toBe(0);
    const file = path.join(dir, "marts/channel_performance.sql");
    const original = await readFile(file, "utf8");
    const lines = original.split("\n");
    // Line 22, in the `paid` CTE: `        channel,` misspelled.
    expect(lines[21]).toBe("        channel,");
    lines[21] = "        chanel,";
    await writeFile(file, lines.join("\n"));
    try {
      const r = await sluice("build", "-s", "+channel_performance", "--no-athena-check");
      expect(r.code).toBe(1);
      expect(r.stdout).toContain(
        'ERROR model.channel_performance: Binder Error: Referenced column "chanel" not found in FROM clause!',
      );
      // The compiled SELECT lacks the model's config and comment lines: line 15 there.
      expect(r.stdout).toContain(
        "  at models/marts/channel_performance.sql:22:9 (compiled: models/target/compiled/marts/channel_performance.sql:15:9)",
      );
      const compiled = await readFile(
        path.join(dir, "target/compiled/marts/channel_performance.sql"),
        "utf8",
      );
      expect(compiled.split("\n")[14]!.slice(8)).toBe("chanel,");
      expect(r.stdout).toContain("Results: models/target/run_results.json");
    } finally {
      await writeFile(file, original);
    }
  }, 120_000);
});

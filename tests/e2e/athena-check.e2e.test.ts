import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ageProject } from "../support/aged-project.js";
import { copyModelsProject, repoRoot, runSluice } from "../support/cli.js";

// Athena's grammars (dt-sql-parser TrinoSQL / HiveSQL) over the compiled statements: DuckDB takes
// `group by channel,` (a trailing comma), Athena does not. compile --target prod refuses it at
// the model's line (exit 2, nothing written to run); a local build warns and still builds.
describe("Athena grammar check", () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  const sluice = (...args: string[]) => runSluice(["--project-dir", dir, ...args]);
  const model = () => path.join(dir, "marts/channel_performance.sql");
  const shown = () => path.relative(repoRoot, model());

  beforeAll(async () => {
    ({ dir, cleanup } = await copyModelsProject());
    const sql = await readFile(model(), "utf8");
    // Line 30 of the model: `    group by event_date, channel` closing the `paid` CTE.
    expect(sql.split("\n")[29]).toBe("    group by event_date, channel");
    await writeFile(
      model(),
      sql.replace("    group by event_date, channel\n)", "    group by event_date, channel,\n)"),
    );
    // The copy and the edit dated back: a file changed within 2 s of a compile is racy, and a
    // racy compile keeps no partial_parse.json, so the build would keep no athena_check.json (on
    // a quiet machine the build below starts within 2 s of the copy).
    await ageProject(dir, 0);
    const gen = ["--events", "500", "--start", "2026-11-27T00:00:00Z", "--hours", "2"];
    expect((await sluice("generate", ...gen)).code).toBe(0);
  });
  afterAll(async () => cleanup());

  it("the models project as shipped: compile --target prod passes the check", async () => {
    const clean = await copyModelsProject();
    try {
      const r = await runSluice(["--project-dir", clean.dir, "compile", "--target", "prod"]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toBe("");
    } finally {
      await clean.cleanup();
    }
  }, 180_000);

  it("compile --target prod: exit 2 at the model's line, with the compiled file's line", async () => {
    const r = await sluice("compile", "--target", "prod");
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    // The comma is accepted; the ')' after it (line 31, column 1) is where Trino's grammar stops.
    expect(r.stderr).toBe(
      `${shown()}:31:1: error ATHENA_SYNTAX: Athena would reject model.channel_performance: ')' is not valid at this position, expecting an existing column or an existing function or a keyword in \`)\` (compiled: ${path.relative(repoRoot, path.join(dir, "target/compiled/marts/channel_performance.sql"))}:22:1)\n` +
        "  hint: fix the model's SQL (compile --target prod checks every statement Athena would run)\n" +
        "    29 |     {% endif %}\n" +
        "    30 |     group by event_date, channel,\n" +
        "  > 31 | )\n" +
        "       | ^\n" +
        "    32 |\n" +
        "\n1 error found; nothing was run.\n",
    );
    const compiled = await readFile(
      path.join(dir, "target/compiled/marts/channel_performance.sql"),
      "utf8",
    );
    expect(compiled.split("\n")[21]).toBe(")");
  }, 180_000);

  it("build on the local target: a warning, and the model builds (DuckDB accepts it)", async () => {
    const r = await sluice("build", "-s", "+channel_performance");
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(
      `${shown()}:31:1: warn ATHENA_SYNTAX: Athena would reject model.channel_performance: ')' is not valid at this position`,
    );
    expect(r.stderr).toContain("--no-athena-check turns this check off");
    expect(r.stderr).toMatch(/OK +incremental marts\.channel_performance/);
  }, 180_000);

  it("the next local build of the same compile reads the warning from target/athena_check.json", async () => {
    const memo = path.join(dir, "target/athena_check.json");
    const kept = await readFile(memo, "utf8");
    expect(kept).toContain("Athena would reject model.channel_performance");
    // A planted finding proves the check was not run again; the build still runs.
    await writeFile(memo, kept.replace("Athena would reject", "planted: Athena would reject"));
    const r = await sluice("build", "-s", "+channel_performance");
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(
      `${shown()}:31:1: warn ATHENA_SYNTAX: planted: Athena would reject model.channel_performance`,
    );
    // Another selection is checked again (and kept).
    const other = await sluice("build", "-s", "channel_performance");
    expect(other.code, other.stderr).toBe(0);
    expect(other.stderr).toContain(
      `${shown()}:31:1: warn ATHENA_SYNTAX: Athena would reject model.channel_performance`,
    );
    expect(await readFile(memo, "utf8")).not.toContain("planted");
  }, 180_000);

  it("--no-athena-check: no warning", async () => {
    const r = await sluice("build", "-s", "channel_performance", "--no-athena-check");
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toContain("ATHENA_SYNTAX");
  }, 180_000);

  it("results are shared by projects through the user cache (SLUICE_CACHE_DIR), by content", async () => {
    const cache = await mkdtemp(path.join(os.tmpdir(), "sluice-cache-"));
    const [a, b] = [await copyModelsProject(), await copyModelsProject()];
    try {
      const compile = (project: string) =>
        runSluice(["--project-dir", project, "compile", "--target", "prod"], {
          env: { SLUICE_CACHE_DIR: cache },
        });
      expect((await compile(a.dir)).code).toBe(0);
      const folder = path.join(cache, "athena-syntax");
      const [version] = await readdir(folder);
      // The parser's version, the check's version and a digest of the functions it knows.
      expect(version).toMatch(/^dt-sql-parser-\d+\.\d+\.\d+-check-3-[0-9a-f]{8}$/);
      const entries = await readdir(path.join(folder, version!));
      expect(entries.length).toBeGreaterThan(10);
      expect(entries.every((e) => /^[0-9a-f]{64}\.json$/.test(e))).toBe(true);
      // Another copy, another run id, the same statements: answered from what the first stored
      // (planted answers prove the parser was not asked), nothing added.
      for (const e of entries)
        await writeFile(
          path.join(folder, version!, e),
          JSON.stringify([{ line: 1, column: 1, message: "planted in the cache" }]),
        );
      const r = await compile(b.dir);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(
        "error ATHENA_SYNTAX: Athena would reject model.funnel: planted in the cache",
      );
      expect(await readdir(path.join(folder, version!))).toHaveLength(entries.length);
    } finally {
      await Promise.all([a.cleanup(), b.cleanup(), rm(cache, { recursive: true, force: true })]);
    }
  }, 180_000);
});

// A call of a function Trino does not have parses, so the grammar lets it through: DuckDB's
// strftime runs on the lake and fails on Athena (FUNCTION_NOT_FOUND). compile --target prod
// refuses it at the call with Trino's spelling; a local build warns and builds.
describe("Athena function check", () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  const sluice = (...args: string[]) => runSluice(["--project-dir", dir, ...args]);
  const model = () => path.join(dir, "marts/hourly_sales_by_category.sql");
  const call = "strftime(max(event_timestamp), '%H:%M') as last_order_at,";
  const second = "epoch_ms(max(event_timestamp)) as last_order_ms,";

  beforeAll(async () => {
    ({ dir, cleanup } = await copyModelsProject());
    const sql = await readFile(model(), "utf8");
    // Line 7 of the model; the call goes in as line 8.
    const line = "    hour(event_timestamp) as hour_of_day,";
    expect(sql.split("\n")[6]).toBe(line);
    await writeFile(model(), sql.replace(`${line}\n`, `${line}\n    ${call}\n    ${second}\n`));
    await ageProject(dir, 0);
    const gen = ["--events", "300", "--start", "2026-11-27T00:00:00Z", "--hours", "2"];
    expect((await sluice("generate", ...gen)).code).toBe(0);
  });
  afterAll(async () => cleanup());

  it("compile --target prod: exit 2 at each call, with Trino's spelling", async () => {
    const r = await sluice("compile", "--target", "prod");
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      `${path.relative(repoRoot, model())}:8:5: error ATHENA_FUNCTION: Athena would reject ` +
        `model.hourly_sales_by_category: Function 'strftime' not registered (FUNCTION_NOT_FOUND) in \`${call}\``,
    );
    expect(r.stderr).toContain("  hint: Trino writes it date_format(ts, '%Y-%m-%d')");
    // Each function Athena lacks, at its own call, in one run.
    expect(r.stderr).toContain(
      ":9:5: error ATHENA_FUNCTION: Athena would reject model.hourly_sales_by_category: Function 'epoch_ms' not registered",
    );
    expect(r.stderr).toContain("  hint: Trino writes it to_unixtime(ts) * 1000");
    expect(r.stderr).toMatch(/2 errors found; nothing was run/);
  }, 180_000);

  it("build on the local target: a warning, and the mart builds (DuckDB has strftime)", async () => {
    const r = await sluice("build", "-s", "+hourly_sales_by_category");
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(
      ":8:5: warn ATHENA_FUNCTION: Athena would reject model.hourly_sales_by_category",
    );
    expect(r.stderr).toContain("the lake's DuckDB has it, Athena does not");
    expect(r.stderr).toMatch(/OK +incremental marts\.hourly_sales_by_category/);
  }, 180_000);
});

// Trino checks the columns a CTAS or view makes before reading anything; DuckDB names and types
// them itself (`count_star()`, a second `a` as `a_1`, NULL as INTEGER), so such a model built
// on the lake and failed on Athena. compile --target prod refuses it at the column; a local build
// warns and builds.
describe("Athena column check", () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  const sluice = (...args: string[]) => runSluice(["--project-dir", dir, ...args]);
  const file = (name: string) => path.relative(repoRoot, path.join(dir, `marts/${name}.sql`));

  beforeAll(async () => {
    ({ dir, cleanup } = await copyModelsProject());
    const models: Record<string, string> = {
      unnamed_col:
        "{{ config(materialized='table') }}\nselect\n    1 as id,\n    1 + 1,\n    'x' as note\n",
      twice_col: "select 1 as id, 2 as ID\n",
      untyped_col: "select 1 as id, null as note\n",
      // A UNION types the NULL from its other SELECT; an ephemeral model is never created.
      union_col: "select 1 as id, null as note\nunion all\nselect 2, 'b'\n",
      inlined_col: "{{ config(materialized='ephemeral') }}\nselect 1 + 1\n",
    };
    for (const [name, sql] of Object.entries(models))
      await writeFile(path.join(dir, `marts/${name}.sql`), sql);
    await ageProject(dir, 0);
  });
  afterAll(async () => cleanup());

  it("compile --target prod: exit 2 at the column, Trino's words and a fix", async () => {
    const r = await sluice("compile", "--target", "prod");
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      `${file("unnamed_col")}:4:5: error ATHENA_COLUMNS: Athena would reject model.unnamed_col: ` +
        "Column name not specified at position 2 (MISSING_COLUMN_NAME) in `1 + 1,`",
    );
    expect(r.stderr).toContain("  hint: name the column: <expression> AS <name>");
    expect(r.stderr).toContain(
      `${file("twice_col")}:1:17: error ATHENA_COLUMNS: Athena would reject model.twice_col: ` +
        "Column name 'id' specified more than once (DUPLICATE_COLUMN_NAME)",
    );
    expect(r.stderr).toContain(
      `${file("untyped_col")}:1:17: error ATHENA_COLUMNS: Athena would reject model.untyped_col: ` +
        "Column type is unknown: note (COLUMN_TYPE_UNKNOWN)",
    );
    expect(r.stderr).toContain("  hint: give the NULL a type: CAST(NULL AS varchar) AS note");
    expect(r.stderr).not.toMatch(/union_col|inlined_col/);
    expect(r.stderr).toMatch(/3 errors found; nothing was run/);
  }, 180_000);

  it("build on the local target: a warning, and the model builds", async () => {
    const r = await sluice("build", "-s", "unnamed_col");
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(
      `${file("unnamed_col")}:4:5: warn ATHENA_COLUMNS: Athena would reject model.unnamed_col`,
    );
    expect(r.stderr).toContain("--no-athena-check turns this check off");
    expect(r.stdout).toMatch(/marts\.unnamed_col +OK +1 /);
  }, 180_000);
});

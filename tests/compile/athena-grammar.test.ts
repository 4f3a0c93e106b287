import { compileProject, dialectFor } from "@sluice/compiler";
import { planStatements } from "@sluice/compiler/plan";
import { loadProject } from "@sluice/project";
import { describe, expect, it } from "vitest";
import { modelsDir } from "../support/cli.js";
import { grammarErrors } from "../support/sql-grammar.js";

/**
 * Every statement the models project compiles to for Athena parses under the grammar Athena
 * itself routes it to: Hive DDL under HiveSQL, the rest under TrinoSQL.
 */
describe("models project compiled for Athena", async () => {
  const project = await loadProject(modelsDir);
  const target = project.config.targets["prod"]!;
  const compiled = compileProject(project, {
    targetName: "prod",
    runId: "20261128T000000Z_test",
    dialect: dialectFor(target),
    env: {},
  });

  it("compiles without diagnostics", () => {
    expect(project.diagnostics).toEqual([]);
    expect(compiled.diagnostics).toEqual([]);
    expect(compiled.dialect).toBe("athena");
  });

  const statements = compiled.nodes.flatMap((n) =>
    [...n.statements, ...(n.incrementalStatements ?? [])].map((s, i) => ({
      id: `${n.id}#${i} ${s.kind}`,
      statement: s,
    })),
  );

  it("covers CTAS, INSERT, external table DDL and test queries", () => {
    // (The models project has no view model; views are covered by the Athena dialect's tests.)
    const kinds = new Set(statements.map((s) => s.statement.kind));
    for (const k of ["create_table_as", "insert", "create_external_table", "select"])
      expect(kinds).toContain(k);
    expect(
      statements.every((s) => s.statement.grammar === "hive" || s.statement.grammar === "trino"),
    ).toBe(true);
  });

  it.each(statements.map((s) => [s.id, s.statement] as const))("%s parses", (_id, statement) => {
    expect(grammarErrors(statement)).toEqual([]);
  });

  it("an incremental INSERT names the table's columns in its order (as the runner plans it), and parses", () => {
    const inserts = compiled.nodes
      .filter((n) => n.materialization === "incremental")
      .map((n) => {
        const columns = [...n.columns.map((c) => c.name), 'odd"name', ...n.partitionedBy];
        const planned = planStatements(n, dialectFor(target), {
          exists: true,
          location: n.location,
          fullRefresh: false,
          writeId: "r2",
          columns,
        });
        return { columns, planned };
      });
    expect(inserts.length).toBeGreaterThanOrEqual(3);
    for (const { columns, planned } of inserts) {
      expect(planned.map((s) => s.kind)).toEqual(["insert"]);
      expect(planned[0]!.sql.split("\n")[0]).toMatch(
        new RegExp(
          `^INSERT INTO "[^"]+"\\."[^"]+" \\(${columns.map((c) => `"${c.replaceAll('"', '""')}"`).join(", ")}\\)$`,
        ),
      );
      expect(grammarErrors(planned[0]!)).toEqual([]);
    }
  });

  it("writes CTAS as Parquet + ZSTD under the lake root, partition columns last", () => {
    const events = compiled.nodes.find((n) => n.id === "model.events")!;
    const ctas = events.statements.find((s) => s.kind === "create_table_as")!.sql;
    expect(ctas).toMatch(/format\s*=\s*'PARQUET'/i);
    expect(ctas).toMatch(/write_compression\s*=\s*'ZSTD'/i);
    expect(ctas).toContain(
      "external_location = 's3://sluice-lake/silver/events/v_20261128T000000Z_test",
    );
    expect(ctas).toMatch(/partitioned_by\s*=\s*ARRAY\['event_date'\]/i);
    // The SELECT's last column is the partition column.
    expect(ctas).toMatch(/cast\(event_timestamp as date\) as event_date\s*\n\s*from ranked/);
  });
});

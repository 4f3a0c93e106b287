import { compileProject, dialectFor, planStatements, type CompiledNode } from "@sluice/compiler";
import { loadProject } from "@sluice/project";
import { describe, expect, it } from "vitest";
import { modelsDir } from "../support/cli.js";
import { grammarErrors } from "../support/sql-grammar.js";

/** `sluice compile --target prod` shows the statement that runs: a MERGE for merge models on Athena. */
describe("compiled incremental statement of a merge model on Athena", async () => {
  const project = await loadProject(modelsDir);
  const target = project.config.targets["prod"]!;
  const dialect = dialectFor(target);
  const compiled = compileProject(project, { targetName: "prod", runId: "r1", dialect, env: {} });
  const events = compiled.nodes.find((n) => n.id === "model.events")!;
  const merge = (n: CompiledNode, config: Record<string, unknown> = {}): CompiledNode => ({
    ...n,
    incrementalStrategy: "merge",
    config: { ...n.config, table_type: "iceberg", unique_key: "event_id", ...config },
  });
  const plan = (n: CompiledNode, columns?: string[]) =>
    planStatements(n, dialect, {
      exists: true,
      location: n.location,
      fullRefresh: false,
      writeId: "r1",
      ...(columns ? { columns } : {}),
    });

  it("is a MERGE on the unique key, with the table's columns when known, and parses", () => {
    const [statement, ...rest] = plan(merge(events), ["event_id", "id", "event_date"]);
    expect(rest).toEqual([]);
    expect(statement?.kind).toBe("merge");
    expect(statement?.sql).toMatch(
      /^MERGE INTO "ecommerce_silver"."events" AS sluice_target\nUSING \(\n/,
    );
    expect(statement?.sql).toContain(
      'ON sluice_target."event_id" = sluice_src."event_id"\nWHEN MATCHED THEN UPDATE SET "id" = sluice_src."id", "event_date" = sluice_src."event_date"\n',
    );
    expect(statement?.sql).toContain(events.incrementalSql ?? events.sql);
    expect(grammarErrors(statement!)).toEqual([]);
  });

  it("offline, uses the documented columns, else the key columns; the statement still parses", () => {
    const documented = plan({
      ...merge(events),
      columns: [{ name: "event_id" }, { name: "event_type" }],
    })[0]!;
    expect(documented.sql).toContain(
      'WHEN MATCHED THEN UPDATE SET "event_type" = sluice_src."event_type"\nWHEN NOT MATCHED THEN INSERT ("event_id", "event_type")',
    );
    const bare = plan({ ...merge(events), columns: [] })[0]!;
    expect(bare.sql).toContain(
      'WHEN NOT MATCHED THEN INSERT ("event_id") VALUES (sluice_src."event_id")',
    );
    for (const s of [documented, bare]) expect(grammarErrors(s)).toEqual([]);
  });

  it("stays an INSERT without a unique key, for other strategies, and on first builds a CTAS", () => {
    expect(plan(merge(events, { unique_key: undefined }))[0]?.kind).toBe("insert");
    expect(plan({ ...events, incrementalStrategy: "append" })[0]?.kind).toBe("insert");
    expect(
      planStatements(merge(events), dialect, {
        exists: false,
        fullRefresh: false,
        writeId: "r1",
      })[0]?.kind,
    ).toBe("create_table_as");
  });
});

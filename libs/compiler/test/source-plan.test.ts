import { createDuckdbDialect, DUCKDB_SOURCE_COMMENT_PREFIX } from "@sluice/dialects";
import { describe, expect, it } from "vitest";
import { compileProject } from "../src/index.js";
import type { CatalogState } from "../src/plan/node-plan.js";
import { planNode } from "../src/plan/plan-node.js";
import { project, rawEvents } from "./fixture-project.js";

/** A raw source on the lake is registered again only when the statements that made its view changed. */
describe("lake plan of a raw source", () => {
  const dialect = createDuckdbDialect();
  const sourceAt = (location: string) => {
    const table = { ...rawEvents(), external: { ...rawEvents().external!, location } };
    const compiled = compileProject(project({ sources: [table] }), { runId: "r2", dialect });
    return compiled.nodes.find((n) => n.kind === "source")!;
  };
  const node = sourceAt("raw/events");
  const plan = (state: CatalogState, fullRefresh = false, of = node) =>
    planNode(of, dialect, { fullRefresh, writeId: "r2", state });
  const sqlOf = (p: ReturnType<typeof plan>) =>
    p.steps.map((s) => ("statement" in s ? s.statement.sql : ""));
  /** The definition the plan's last statement records on the view (its comment), as DuckDB keeps it. */
  const recorded = (p: ReturnType<typeof plan>) => {
    const mark = new RegExp(`^COMMENT ON VIEW .* IS '${DUCKDB_SOURCE_COMMENT_PREFIX}([^']+)'$`);
    return mark.exec(sqlOf(p).at(-1) ?? "")?.[1];
  };
  const view = (definition?: string): CatalogState => ({
    exists: true,
    kind: "view",
    ...(definition === undefined ? {} : { definition }),
  });

  it("makes the view and records its definition, then leaves it as it is", () => {
    const first = plan({ exists: false });
    expect(first.action).toBe("register source");
    // The compiled statements as they are, then the mark.
    expect(sqlOf(first).slice(0, -1)).toEqual(node.statements.map((s) => s.sql));
    const definition = recorded(first);
    expect(definition).toMatch(/^sha256:[0-9a-f]{64}$/);
    const again = plan(view(definition));
    expect(again.action).toBe("unchanged");
    expect(again.steps).toEqual([]);
  });

  it("makes it again when the view is unmarked, marked otherwise, another relation kind, or on --full-refresh", () => {
    const definition = recorded(plan({ exists: false }))!;
    for (const [why, p] of [
      ["unmarked", plan(view())],
      ["other definition", plan(view("sha256:other"))],
      ["a table", plan({ exists: true, kind: "table", definition })],
      ["--full-refresh", plan(view(definition), true)],
    ] as const) {
      expect(p.action, why).toBe("register source");
      expect(recorded(p), why).toBe(definition);
    }
  });

  it("another raw location (a moved project: the view names the zone's path) is another definition", () => {
    const definition = recorded(plan({ exists: false }))!;
    const moved = sourceAt("elsewhere/events");
    const p = plan(view(definition), false, moved);
    expect(p.action).toBe("register source");
    expect(recorded(p)).not.toBe(definition);
  });
});

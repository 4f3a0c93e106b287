import { createAthenaDialect, createDuckdbDialect } from "@sluice/dialects";
import { describe, expect, it } from "vitest";
import { compileProject } from "../src/index.js";
import { tableDocs } from "../src/plan/table-docs.js";
import { model, project, props } from "./fixture-project.js";

/** dbt's persist_docs: what a catalog gets of a model's docs, and what is said when it cannot. */
describe("persist_docs", () => {
  const at = { file: "schema.yml", line: 5, column: 7 };
  const docs = "{{ config(persist_docs={'relation': true, 'columns': true}) }}\n";
  const shop = (dialect: Parameters<typeof compileProject>[1]["dialect"]) =>
    compileProject(
      project({
        models: [
          model(
            "orders.sql",
            `${docs}{{ config(materialized='table') }}\nselect 1 as id, 2 as note`,
          ),
          model("stg.sql", `${docs}{{ config(materialized='view') }}\nselect 1 as id`),
          model("plain.sql", "{{ config(materialized='table') }}\nselect 1 as id"),
        ],
        modelProperties: [
          props("orders", {
            description: "  Orders,\none per row  ",
            columns: [
              {
                name: "ID",
                description: `first\n  second\u0007 ${"x".repeat(300)}`,
                tests: [],
                at,
              },
              { name: "note", tests: [], at },
            ],
          }),
          props("plain", { description: "not persisted" }),
        ],
      }),
      { runId: "r1", dialect },
    );

  it("gives the description as it is and each comment on one line, within Glue's limits", () => {
    const nodes = shop(createAthenaDialect()).nodes;
    const orders = tableDocs(nodes.find((n) => n.name === "orders")!)!;
    expect(orders.description).toBe("Orders,\none per row");
    // Line breaks and the blanks around them one space, the bell dropped, cut to 255 with "…".
    const comment = `first second ${"x".repeat(300)}`.slice(0, 254) + "…";
    expect(orders.columns).toEqual({ id: comment });
    expect(orders.columns!["id"]).toHaveLength(255);
    expect(tableDocs(nodes.find((n) => n.name === "plain")!)).toBeUndefined();
  });

  it("on Athena: says views are not documented and which texts were cut, once each", () => {
    const warnings = shop(createAthenaDialect())
      .diagnostics.filter((d) => d.severity === "warn")
      .map((d) => `${d.code}: ${d.message}`);
    expect(warnings).toEqual([
      "DBT_KEY_IGNORED: persist_docs is not applied to views on Athena (stg): their Glue entries are written by CREATE VIEW",
      'DBT_KEY_IGNORED: persist_docs: descriptions of orders are longer than Glue keeps (a column comment 255 characters, a table description 2,048): cut, ending in "…"',
    ]);
  });

  it("on the lake: says once that nothing is written", () => {
    const warnings = shop(createDuckdbDialect()).diagnostics.filter((d) => d.severity === "warn");
    expect(warnings.map((d) => d.message)).toEqual([
      "persist_docs (orders, stg) is applied on Athena targets only: the local lake keeps no table or column comments",
    ]);
  });
});

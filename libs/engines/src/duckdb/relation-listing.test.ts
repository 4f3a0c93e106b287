import { describe, expect, it } from "vitest";
import { mayChangeCatalog } from "./relation-listing.js";

describe("mayChangeCatalog", () => {
  it("keeps the listing for one plain SELECT only", () => {
    expect(mayChangeCatalog("SELECT * FROM main.sluice_table_state WHERE table_name = 'e'")).toBe(
      false,
    );
    expect(mayChangeCatalog("\n  select count(*) as failures from silver.events")).toBe(false);
  });

  it("drops it for anything else: DDL, DML, COPY, transactions, a second statement, CTEs", () => {
    for (const sql of [
      'CREATE OR REPLACE VIEW "marts"."ids" AS SELECT 1 AS id',
      'BEGIN TRANSACTION; CREATE OR REPLACE VIEW "s"."t" AS SELECT 1; COMMIT;',
      "select 1; drop view marts.ids",
      "COPY (SELECT 1) TO '/lake/t/v_1' (FORMAT parquet)",
      'DROP VIEW IF EXISTS "marts"."ids"',
      "INSERT INTO main.sluice_versions SELECT * FROM main.sluice_versions",
      "with x as (select 1) select * from x",
      "selected_rows",
    ])
      expect(mayChangeCatalog(sql), sql).toBe(true);
  });
});

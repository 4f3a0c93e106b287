import { describe, expect, it } from "vitest";
import { bindWindow, incrementalFrom, lookbackHours, refWindowCalls } from "../src/plan/window.js";

describe("incremental window", () => {
  it("starts the lookback window hours before the watermark, across days", () => {
    expect(incrementalFrom("2026/11/28/01", 3)).toBe("2026/11/27/22");
    expect(incrementalFrom(undefined, 3)).toBe("0000/00/00/00");
    expect(incrementalFrom("garbage", 3)).toBe("0000/00/00/00");
  });

  it("reads lookback from config, defaulting to 3 hours", () => {
    expect(lookbackHours({ lookback: 6 })).toBe(6);
    expect(lookbackHours({ lookback: "12 hours" })).toBe(12);
    expect(lookbackHours({})).toBe(3);
  });

  it("binds every window call to the literal", () => {
    expect(
      bindWindow(
        "where dt >= sluice_incremental_from() and x < SLUICE_INCREMENTAL_FROM( )",
        "'2026/11/27/22'",
      ),
    ).toBe("where dt >= '2026/11/27/22' and x < '2026/11/27/22'");
  });

  it("binds sluice_raw_window(relation) to the window's read, or to the relation itself", () => {
    const sql =
      'select * from sluice_raw_window("raw"."events") where dt >= sluice_incremental_from() union all select * from sluice_raw_window( "o""k"."t" )';
    const windowed = (relation: string) =>
      relation === '"raw"."events"' ? "(select 1) AS raw_hours" : undefined;
    expect(bindWindow(sql, "'2026/11/27/22'", { raw: windowed })).toBe(
      `select * from (select 1) AS raw_hours where dt >= '2026/11/27/22' union all select * from "o""k"."t"`,
    );
    expect(bindWindow(sql, "'0'")).toBe(
      `select * from "raw"."events" where dt >= '0' union all select * from "o""k"."t"`,
    );
  });

  it("binds sluice_ref_window(relation, column) to the partitions' files, or to the relation itself", () => {
    const sql = `select * from sluice_ref_window("staging"."stg_events", 'dt') s where dt >= sluice_incremental_from() union all select * from sluice_ref_window("a"."b", 'it''s')`;
    expect(refWindowCalls(sql)).toEqual([
      { relation: '"staging"."stg_events"', column: "dt" },
      { relation: '"a"."b"', column: "it's" },
    ]);
    const files = (relation: string, column: string) =>
      relation === '"staging"."stg_events"' && column === "dt" ? "(select * from f)" : undefined;
    expect(bindWindow(sql, "'2026/11/27/22'", { ref: files })).toBe(
      `select * from (select * from f) s where dt >= '2026/11/27/22' union all select * from "a"."b"`,
    );
  });
});

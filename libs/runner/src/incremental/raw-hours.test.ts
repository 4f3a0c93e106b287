import { describe, expect, it } from "vitest";
import {
  hoursFrom,
  hoursToRecord,
  newestHour,
  rawHoursOf,
  windowFrom,
  type ListedRawHours,
} from "./raw-hours.js";

const hours = (entries: Record<string, string>) => new Map(Object.entries(entries));

describe("the incremental window over raw hours", () => {
  const before = {
    "2026/11/28/07": "4:a",
    "2026/11/28/08": "4:b",
    "2026/11/28/09": "4:c",
    "2026/11/28/10": "2:d",
  };

  it("reads only the new hour when nothing earlier changed", () => {
    const now = hours({ ...before, "2026/11/28/11": "3:e" });
    expect(windowFrom("2026/11/28/10", before, now, 3)).toBe("2026/11/28/11");
  });

  it("goes back to the earliest hour of the lookback window that received a late file", () => {
    const now = hours({
      ...before,
      "2026/11/28/08": "5:b2",
      "2026/11/28/10": "3:d2",
      "2026/11/28/11": "3:e",
    });
    expect(windowFrom("2026/11/28/10", before, now, 3)).toBe("2026/11/28/08");
  });

  it("an hour folder that appears inside the window counts as changed; older ones are outside the lookback", () => {
    const now = hours({ ...before, "2026/11/28/06": "1:late", "2026/11/28/05": "1:too-late" });
    expect(windowFrom("2026/11/28/10", { ...before }, now, 4)).toBe("2026/11/28/06");
    expect(windowFrom("2026/11/28/10", { ...before }, now, 3)).toBe("2026/11/28/11");
  });

  it("with no new data, the window starts after the watermark (reads nothing)", () => {
    expect(windowFrom("2026/11/28/10", before, hours(before), 3)).toBe("2026/11/28/11");
  });

  it("without a record of the hours read (older lakes), reads the whole lookback window", () => {
    expect(windowFrom("2026/11/28/10", undefined, hours(before), 3)).toBe("2026/11/28/07");
    expect(windowFrom(undefined, before, hours(before), 3)).toBe("0000/00/00/00");
  });

  it("records the hours of the next lookback window", () => {
    const now = hours({ ...before, "2026/11/28/11": "3:e" });
    expect(newestHour(now)).toBe("2026/11/28/11");
    expect(hoursToRecord(now, 2)).toEqual({
      "2026/11/28/09": "4:c",
      "2026/11/28/10": "2:d",
      "2026/11/28/11": "3:e",
    });
    expect(hoursToRecord(new Map(), 2)).toBeUndefined();
    expect(hoursFrom(now, "2026/11/28/10")).toEqual(["2026/11/28/10", "2026/11/28/11"]);
  });

  it("lists a raw zone once per run from the earliest hour asked for, again only when a node asks for earlier hours", async () => {
    const zone = hours({ "2026/11/28/05": "1:a", "2026/11/28/08": "1:b", "2026/11/28/10": "1:c" });
    const calls: string[] = [];
    const engine = {
      listRawHours: async ({ location }: { location: string }, from?: string) => {
        calls.push(`${location} ${from}`);
        return { hours: new Map([...zone].filter(([dt]) => dt >= (from ?? ""))), strays: [] };
      },
    };
    const memo = new Map<string, ListedRawHours>();
    expect([
      ...(await rawHoursOf(engine, memo, [{ location: "/raw" }], "2026/11/28/07")).keys(),
    ]).toEqual(["2026/11/28/08", "2026/11/28/10"]);
    await rawHoursOf(engine, memo, [{ location: "/raw" }], "2026/11/28/09");
    expect(calls).toEqual(["/raw 2026/11/28/07"]);
    expect([
      ...(await rawHoursOf(engine, memo, [{ location: "/raw" }], "2026/11/28/04")).keys(),
    ]).toEqual(["2026/11/28/05", "2026/11/28/08", "2026/11/28/10"]);
    expect(calls).toEqual(["/raw 2026/11/28/07", "/raw 2026/11/28/04"]);
  });
});

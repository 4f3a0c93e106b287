import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { listRawHours } from "./raw-hours.js";

const roots: string[] = [];
afterEach(() => roots.splice(0).forEach((r) => rmSync(r, { recursive: true, force: true })));

function zone(files: string[]): string {
  const root = mkdtempSync(join(tmpdir(), "sluice-raw-"));
  roots.push(root);
  for (const f of files) {
    mkdirSync(join(root, f, ".."), { recursive: true });
    writeFileSync(join(root, f), "{}\n");
  }
  return root;
}

describe("listRawHours", () => {
  it("lists the hour folders holding files, with a signature that changes when a file lands", () => {
    const root = zone(["2026/11/27/00/s-1.gz", "2026/11/27/00/s-2.gz", "2026/11/27/01/s-3.gz"]);
    mkdirSync(join(root, "2026/11/27/02"), { recursive: true });
    const before = listRawHours(root);
    expect([...before.keys()]).toEqual(["2026/11/27/00", "2026/11/27/01"]);
    expect(before.get("2026/11/27/00")).toMatch(/^2:[0-9a-f]{40}$/);
    writeFileSync(join(root, "2026/11/27/00/s-4.gz"), "{}\n");
    const after = listRawHours(root);
    expect(after.get("2026/11/27/00")).toMatch(/^3:/);
    expect(after.get("2026/11/27/01")).toBe(before.get("2026/11/27/01"));
  });

  it("lists only the hours from a given hour on, across days, months and years", () => {
    const root = zone(["2025/12/31/23/a.gz", "2026/01/01/00/b.gz", "2026/01/01/05/c.gz", "2026/01/02/00/d.gz", "2026/02/01/00/e.gz"]);
    expect([...listRawHours(root, "2026/01/01/05").keys()]).toEqual(["2026/01/01/05", "2026/01/02/00", "2026/02/01/00"]);
    expect([...listRawHours(root, "2026/01/01/00").keys()]).toEqual(["2026/01/01/00", "2026/01/01/05", "2026/01/02/00", "2026/02/01/00"]);
    expect([...listRawHours(root, "0000/00/00/00").keys()]).toHaveLength(5);
    expect(listRawHours(root, "2026/02/01/01").size).toBe(0);
  });

  it("is empty for a missing raw zone", () => {
    expect(listRawHours(join(tmpdir(), "sluice-no-such-zone")).size).toBe(0);
  });
});

import {
  appendFileSync,
  mkdirSync,
  mkdtempSync,
  rmSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { execFileSync } from "node:child_process";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { openDuckdbEngine } from "./duckdb-engine.js";
import { hourFolderTimes, hoursChangedSince, listRawZone } from "./raw-hours.js";

const listRawHours = (root: string, from?: string) => listRawZone({ location: root }, from).hours;

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
    const root = zone([
      "2025/12/31/23/a.gz",
      "2026/01/01/00/b.gz",
      "2026/01/01/05/c.gz",
      "2026/01/02/00/d.gz",
      "2026/02/01/00/e.gz",
    ]);
    expect([...listRawHours(root, "2026/01/01/05").keys()]).toEqual([
      "2026/01/01/05",
      "2026/01/02/00",
      "2026/02/01/00",
    ]);
    expect([...listRawHours(root, "2026/01/01/00").keys()]).toEqual([
      "2026/01/01/00",
      "2026/01/01/05",
      "2026/01/02/00",
      "2026/02/01/00",
    ]);
    expect([...listRawHours(root, "0000/00/00/00").keys()]).toHaveLength(5);
    expect(listRawHours(root, "2026/02/01/01").size).toBe(0);
  });

  it("is empty for a missing raw zone", () => {
    expect(listRawHours(join(tmpdir(), "sluice-no-such-zone")).size).toBe(0);
  });

  it("a file that grows or is rewritten changes the hour's signature (a half-written file is read again)", () => {
    const root = zone(["2026/11/27/00/s-1.gz"]);
    const before = listRawHours(root).get("2026/11/27/00");
    appendFileSync(join(root, "2026/11/27/00/s-1.gz"), "{}\n");
    const grown = listRawHours(root).get("2026/11/27/00");
    expect(grown).not.toBe(before);
    utimesSync(join(root, "2026/11/27/00/s-1.gz"), new Date(), new Date(Date.now() + 5000));
    expect(listRawHours(root).get("2026/11/27/00")).not.toBe(grown);
  });

  it("skips files in flight (dot-prefixed) and reports paths outside the YYYY/MM/DD/HH layout", () => {
    const root = zone([
      "2026/11/27/00/s-1.gz",
      "2026/11/27/00/.s-2.gz.tmp-1",
      "2026/11/27/stray.gz",
      "loose.gz",
      "2026/11/27/00/sub/x.gz",
      "2026/xx/01/00/y.gz",
    ]);
    const listing = listRawZone({ location: root });
    expect([...listing.hours.keys()]).toEqual(["2026/11/27/00"]);
    expect(listing.hours.get("2026/11/27/00")).toMatch(/^1:/);
    expect(listing.strays.sort()).toEqual([
      "2026/11/27/00/sub/",
      "2026/11/27/stray.gz",
      "2026/xx/",
      "loose.gz",
    ]);
  });

  it("says a linked hour folder or file is a link, not followed (the raw view does not read it)", () => {
    const root = zone(["2026/11/27/00/s-1.gz"]);
    const elsewhere = zone(["01/s-2.gz", "s-3.gz"]);
    symlinkSync(join(elsewhere, "01"), join(root, "2026/11/27/01"));
    symlinkSync(join(elsewhere, "s-3.gz"), join(root, "2026/11/27/00/s-3.gz"));
    const listing = listRawZone({ location: root });
    expect([...listing.hours.keys()]).toEqual(["2026/11/27/00"]);
    expect(listing.hours.get("2026/11/27/00")).toMatch(/^1:/);
    const link = "(a link, not followed: move what it names into the raw zone)";
    expect(listing.strays.sort()).toEqual([
      `2026/11/27/00/s-3.gz ${link}`,
      `2026/11/27/01 ${link}`,
    ]);
  });

  it("says a FIFO in an hour folder is one, and never opens it (a read would wait for a writer)", () => {
    const root = zone(["2026/11/27/00/s-1.gz"]);
    execFileSync("mkfifo", [join(root, "2026/11/27/00/s-2.gz")]);
    const listing = listRawZone({ location: root });
    expect(listing.hours.get("2026/11/27/00")).toMatch(/^1:/);
    expect(listing.strays).toEqual(["2026/11/27/00/s-2.gz (a FIFO, not a file)"]);
  });

  it("finds hour folders older than the window that changed since the last listing", async () => {
    const root = zone(["2026/11/20/05/a.gz", "2026/11/27/00/b.gz", "2026/11/27/09/c.gz"]);
    const old = new Date(Date.now() - 3_600_000);
    for (const h of ["2026/11/20/05", "2026/11/27/00", "2026/11/27/09"])
      utimesSync(join(root, h), old, old);
    // utimes sets the folders' ctime; the last listing comes after it (past the clock slack).
    await new Promise((r) => setTimeout(r, 200));
    const since = Date.now();
    expect(hoursChangedSince(hourFolderTimes({ location: root }), since, "2026/11/27/08")).toEqual(
      [],
    );
    writeFileSync(join(root, "2026/11/20/05/late.gz"), "{}\n");
    mkdirSync(join(root, "2026/11/21/03"), { recursive: true });
    writeFileSync(join(root, "2026/11/21/03/new-old-hour.gz"), "{}\n");
    writeFileSync(join(root, "2026/11/27/09/in-window.gz"), "{}\n");
    expect(hoursChangedSince(hourFolderTimes({ location: root }), since, "2026/11/27/08")).toEqual([
      "2026/11/20/05",
      "2026/11/21/03",
    ]);
  });

  it("an engine stats the zone once per run: the next run finds a file that landed during this one", async () => {
    const root = zone(["2026/11/20/05/a.gz", "2026/11/27/09/c.gz"]);
    const old = new Date(Date.now() - 3_600_000);
    for (const h of ["2026/11/20/05", "2026/11/27/09"]) utimesSync(join(root, h), old, old);
    await new Promise((r) => setTimeout(r, 200));
    const since = Date.now();
    const lake = mkdtempSync(join(tmpdir(), "sluice-lake-"));
    roots.push(lake);
    const engine = await openDuckdbEngine({ lakeDir: lake });
    try {
      expect(await engine.rawHoursChangedSince({ location: root }, since, "2026/11/27/08")).toEqual(
        [],
      );
      writeFileSync(join(root, "2026/11/20/05/late.gz"), "{}\n");
      // Within the run, the listing taken once serves every node.
      expect(await engine.rawHoursChangedSince({ location: root }, since, "2026/11/27/08")).toEqual(
        [],
      );
      await engine.finishRun();
      expect(await engine.rawHoursChangedSince({ location: root }, since, "2026/11/27/08")).toEqual(
        ["2026/11/20/05"],
      );
    } finally {
      await engine.close();
    }
  });
});

describe("a raw zone partitioned by event type", () => {
  const typed = { eventTypes: ["order_paid", "product_view"] };

  it("lists each hour over the declared types' folders; other folders are strays", () => {
    const root = zone([
      "event_type=order_paid/2026/11/27/00/a.gz",
      "event_type=product_view/2026/11/27/00/b.gz",
      "event_type=product_view/2026/11/27/01/c.gz",
      "event_type=refund/2026/11/27/02/d.gz",
      "event_type=order_paid/loose.gz",
      "2026/11/27/03/plain.gz",
    ]);
    const listing = listRawZone({ location: root, ...typed });
    expect([...listing.hours.keys()]).toEqual(["2026/11/27/00", "2026/11/27/01"]);
    expect(listing.hours.get("2026/11/27/00")).toMatch(/^2:/);
    expect(listing.newest?.hour).toBe("2026/11/27/01");
    expect(listing.strays.sort()).toEqual([
      "2026/",
      "event_type=order_paid/loose.gz",
      "event_type=refund/",
    ]);
    // From an hour on: older hour folders of every type are not opened.
    expect([...listRawZone({ location: root, ...typed }, "2026/11/27/01").hours.keys()]).toEqual([
      "2026/11/27/01",
    ]);
    // A file landing in one type's folder changes that hour's signature.
    const before = listing.hours.get("2026/11/27/00");
    writeFileSync(join(root, "event_type=order_paid/2026/11/27/00/late.gz"), "{}\n");
    expect(listRawZone({ location: root, ...typed }).hours.get("2026/11/27/00")).not.toBe(before);
  });

  it("finds an hour changed in any declared type's folder, none in another", async () => {
    const root = zone([
      "event_type=order_paid/2026/11/20/05/a.gz",
      "event_type=product_view/2026/11/20/06/b.gz",
      "event_type=refund/2026/11/20/07/c.gz",
    ]);
    const old = new Date(Date.now() - 3_600_000);
    for (const h of [
      "event_type=order_paid/2026/11/20/05",
      "event_type=product_view/2026/11/20/06",
      "event_type=refund/2026/11/20/07",
    ])
      utimesSync(join(root, h), old, old);
    await new Promise((r) => setTimeout(r, 200));
    const since = Date.now();
    const z = { location: root, ...typed };
    expect(hoursChangedSince(hourFolderTimes(z), since, "2026/11/27/00")).toEqual([]);
    writeFileSync(join(root, "event_type=product_view/2026/11/20/06/late.gz"), "{}\n");
    writeFileSync(join(root, "event_type=refund/2026/11/20/07/late.gz"), "{}\n");
    expect(hoursChangedSince(hourFolderTimes(z), since, "2026/11/27/00")).toEqual([
      "2026/11/20/06",
    ]);
  });
});

import { execFileSync } from "node:child_process";
import {
  mkdirSync,
  mkdtempSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  FOLDER,
  folderStats,
  listingStat,
  listingStatThroughBinding,
  MISSING,
  OTHER,
  withFolderStats,
  WorkingDirectoryLost,
} from "./listing-stat.js";

const dir = mkdtempSync(path.join(tmpdir(), "sluice-stat-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** What fs.statSync says of `p`, in listingStat's shape: the reference. */
function reference(p: string) {
  const s = statSync(p, { throwIfNoEntry: false });
  return s && { directory: s.isDirectory(), size: s.size, mtimeMs: s.mtimeMs };
}

describe("listingStat", () => {
  it("uses Node's fs binding on this Node (else a no-change compile is ~25 % slower)", () => {
    expect(listingStatThroughBinding()).toBe(true);
  });

  it("gives what fs.statSync gives, for files, folders and missing paths", () => {
    const file = path.join(dir, "a model.sql");
    writeFileSync(file, "select 1 -- é\n");
    // A time with a fraction of a millisecond: mtimeMs must match to the last digit.
    utimesSync(file, 1_700_000_000.123456, 1_700_000_000.987654);
    const odd = path.join(dir, "new\nline ü.sql");
    writeFileSync(odd, "");
    const folder = path.join(dir, "f0001");
    mkdirSync(folder);
    const missing = [path.join(dir, "gone.sql"), path.join(dir, "no/such")];
    for (const p of [file, odd, folder, ...missing])
      expect(listingStat(p), p).toEqual(reference(p));
    expect(listingStat(file)).toMatchObject({ directory: false, size: 15 });
    expect(listingStat(folder)).toMatchObject({ directory: true });
    expect(listingStat(path.join(dir, "gone.sql"))).toBeUndefined();
  });

  it("throws where statSync throws other than for a missing path", () => {
    const loop = path.join(dir, "loop.sql");
    symlinkSync(loop, loop);
    expect(() => statSync(loop, { throwIfNoEntry: false })).toThrow(/ELOOP/);
    expect(() => listingStat(loop)).toThrow(/ELOOP/);
    // A file used as a folder: ENOTDIR, from both.
    const file = path.join(dir, "plain.sql");
    writeFileSync(file, "");
    expect(() => statSync(path.join(file, "x"), { throwIfNoEntry: false })).toThrow(/ENOTDIR/);
    expect(() => listingStat(path.join(file, "x"))).toThrow(/ENOTDIR/);
  });
});

describe("folderStats", () => {
  it("gives each name's size and time, or FOLDER, MISSING or OTHER, by full path or from inside the folder", () => {
    const folder = mkdtempSync(path.join(dir, "folder-"));
    writeFileSync(path.join(folder, "a.sql"), "select 1\n");
    utimesSync(path.join(folder, "a.sql"), 1_700_000_000.5, 1_700_000_000.123456);
    mkdirSync(path.join(folder, "sub"));
    // A FIFO is no file to read (the racy check would wait on it forever).
    execFileSync("mkfifo", [path.join(folder, "fifo.sql")]);
    const names = ["a.sql", "gone.sql", "sub", "fifo.sql"];
    const a = reference(path.join(folder, "a.sql"))!;
    const expected = [a.size, a.mtimeMs, MISSING, 0, FOLDER, 0, OTHER, 0];
    expect([...folderStats(folder, names)]).toEqual(expected);
    const cwd = process.cwd();
    const inside = withFolderStats((fromFolder) => {
      expect(fromFolder).toBe(true);
      return folderStats(folder, names, fromFolder);
    });
    expect([...inside]).toEqual(expected);
    expect(process.cwd()).toBe(cwd);
  });

  it("stops the command when the working directory it left cannot be returned to", () => {
    const cwd = process.cwd();
    const folder = mkdtempSync(path.join(dir, "folder-"));
    writeFileSync(path.join(folder, "a.sql"), "");
    for (const lose of [
      (away: string) => rmSync(away, { recursive: true }),
      // Moved, and another folder made in its place: the same path, not the same folder.
      (away: string) => {
        renameSync(away, `${away}-moved`);
        mkdirSync(away);
      },
    ]) {
      const away = mkdtempSync(path.join(dir, "cwd-"));
      process.chdir(away);
      try {
        expect(() =>
          withFolderStats((fromFolder) => {
            lose(away);
            return folderStats(folder, ["a.sql"], fromFolder);
          }),
        ).toThrow(WorkingDirectoryLost);
      } finally {
        process.chdir(cwd);
      }
    }
  });
});

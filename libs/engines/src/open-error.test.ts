import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { readdir } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { openDuckdbEngine } from "./duckdb/duckdb-engine.js";
import { damagedCatalogError, EngineOpenError, fileSystemOpenError } from "./open-error.js";

const errno = (code: string, message: string) => Object.assign(new Error(message), { code });

describe("fileSystemOpenError", () => {
  it.each([
    ["EACCES", "permission denied (EACCES)"],
    ["EROFS", "read-only file system (EROFS)"],
    ["ENOSPC", "no space left on the device (ENOSPC)"],
  ])("%s writing the lake is one line for the user", (code, reason) => {
    const mapped = fileSystemOpenError(errno(code, `${code}: open '/l/x'`), "/l");
    expect(mapped).toBeInstanceOf(EngineOpenError);
    expect((mapped as Error).message).toBe(`cannot write the lake /l: ${reason}`);
  });

  it("reads DuckDB's own messages (it has no errno code)", () => {
    const duckdb = new Error(
      'IO Error: Could not write file "/l/catalog.duckdb": No space left on device',
    );
    expect((fileSystemOpenError(duckdb, "/l") as Error).message).toBe(
      "cannot write the lake /l: no space left",
    );
  });

  it("anything else is not the user's to fix: returned unchanged", () => {
    const bug = new TypeError("x is undefined");
    expect(fileSystemOpenError(bug, "/l")).toBe(bug);
  });
});

// Root ignores chmod, so a read-only lake is one in a file system nobody may write: /sys.
describe.runIf(existsSync("/sys/kernel"))("a lake nobody may write (as root too)", () => {
  it("a lake dir that cannot be created: one-line EngineOpenError", async () => {
    await expect(openDuckdbEngine({ lakeDir: "/sys/sluice-lake" })).rejects.toThrow(
      /^cannot write the lake \/sys\/sluice-lake: /,
    );
  });

  it("an existing lake dir without write access: one line, nothing left behind", async () => {
    const before = await readdir("/sys/kernel");
    const opening = openDuckdbEngine({ lakeDir: "/sys/kernel" });
    await expect(opening).rejects.toBeInstanceOf(EngineOpenError);
    await expect(opening).rejects.toThrow(/^cannot write the lake \/sys\/kernel: /);
    expect(await readdir("/sys/kernel")).toEqual(before);
  });
});

describe("a damaged catalog", () => {
  it("is named, with what DuckDB said and the way back, for a build and for a reader", async () => {
    const lakeDir = mkdtempSync(path.join(os.tmpdir(), "sluice-damaged-"));
    try {
      // Another program's bytes where the catalog should be (a disk error, a wrong copy).
      writeFileSync(path.join(lakeDir, "catalog.duckdb"), randomBytes(100_000));
      const catalog = path.join(lakeDir, "catalog.duckdb");
      for (const readOnly of [false, true]) {
        const opening = openDuckdbEngine({ lakeDir, readOnly });
        await expect(opening).rejects.toBeInstanceOf(EngineOpenError);
        await expect(opening).rejects.toThrow(
          `the lake's catalog ${catalog} is damaged (IO Error: The file `,
        );
        await expect(opening).rejects.toThrow(/not a valid DuckDB database file!\): restore it/);
      }
    } finally {
      rmSync(lakeDir, { recursive: true, force: true });
    }
  });

  it("a catalog cut short, found while its tables are moved: named too; other errors are not", () => {
    const cut = new Error(
      "could not move the catalog's tables from /a/.lake to /b/.lake: IO Error: Could not read " +
        'enough bytes from file "/tmp/sluice-catalog-x/catalog.duckdb": attempted to read 262144 bytes',
    );
    expect(damagedCatalogError(cut, "/b/.lake/catalog.duckdb")?.message).toMatch(
      /^the lake's catalog \/b\/\.lake\/catalog\.duckdb is damaged \(could not move/,
    );
    // A table's data file cut short is that table's problem, not the catalog's.
    const parquet = new Error(
      'IO Error: Could not read enough bytes from file "/b/.lake/silver/events/v_1/part-0.parquet"',
    );
    expect(damagedCatalogError(parquet, "/b/.lake/catalog.duckdb")).toBeUndefined();
  });
});

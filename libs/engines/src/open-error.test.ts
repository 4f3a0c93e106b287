import { existsSync } from "node:fs";
import { readdir } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { openDuckdbEngine } from "./duckdb/duckdb-engine.js";
import { EngineOpenError, fileSystemOpenError } from "./open-error.js";

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

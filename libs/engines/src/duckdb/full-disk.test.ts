import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EngineOpenError } from "../open-error.js";
import { openDuckdbEngine } from "./duckdb-engine.js";

/** A 128 KB tmpfs, when this process may mount one (root with CAP_SYS_ADMIN); else undefined. */
function smallDisk(): string | undefined {
  const dir = mkdtempSync(join(tmpdir(), "sluice-full-"));
  try {
    execFileSync("mount", ["-t", "tmpfs", "-o", "size=128k", "tmpfs", dir], { stdio: "ignore" });
    return dir;
  } catch {
    rmSync(dir, { recursive: true, force: true });
    return undefined;
  }
}

/** Fill the disk up to the last byte. */
function fill(disk: string): void {
  try {
    for (let i = 0; ; i++) writeFileSync(join(disk, `fill-${i}`), Buffer.alloc(4096));
  } catch {
    writeFileSync(join(disk, "fill-tail"), "");
  }
}

const disk = smallDisk();

describe.runIf(disk)("a full disk (a real ENOSPC on a small tmpfs)", () => {
  const fresh = join(disk ?? "", "fresh");
  const existing = join(disk ?? "", "existing");
  beforeAll(async () => {
    mkdirSync(fresh);
    await (await openDuckdbEngine({ lakeDir: existing })).close();
    fill(disk!);
  });
  afterAll(() => {
    execFileSync("umount", [disk!]);
    rmSync(disk!, { recursive: true, force: true });
  });

  it("creating the catalog fails with one line and leaves no half catalog", async () => {
    const opening = openDuckdbEngine({ lakeDir: fresh });
    await expect(opening).rejects.toBeInstanceOf(EngineOpenError);
    await expect(opening).rejects.toThrow(/^cannot write the lake .*fresh: no space left/);
    expect(readdirSync(fresh)).toEqual([]);
  });

  it("opening an existing lake fails with one line, no lock file, the catalog intact", async () => {
    const before = readdirSync(existing);
    const opening = openDuckdbEngine({ lakeDir: existing });
    await expect(opening).rejects.toBeInstanceOf(EngineOpenError);
    await expect(opening).rejects.toThrow(/^cannot write the lake .*existing: no space left/);
    expect(readdirSync(existing)).toEqual(before);
  });
});

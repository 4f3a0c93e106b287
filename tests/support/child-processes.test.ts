import { execFile } from "node:child_process";
import { mkdtemp, readFile, readdir, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { expect, it } from "vitest";
import { repoRoot } from "./cli.js";

const run = promisify(execFile);

/** Whether a process with this pid exists (a zombie counts: it was not reaped yet). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Pids of the processes whose command line mentions `text`, from /proc. */
async function processesMentioning(text: string): Promise<number[]> {
  const found: number[] = [];
  for (const entry of (await readdir("/proc")).filter((p) => /^\d+$/.test(p))) {
    const cmdline = await readFile(`/proc/${entry}/cmdline`, "utf8").catch(() => "");
    if (cmdline.includes(text)) found.push(Number(entry));
  }
  return found;
}

it("a test that times out leaves no CLI running; nor does a CLI spawned in beforeAll once the file ends", async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), "sluice-reaper-"));
  try {
    const fixtureDir = path.join(repoRoot, "tests/support/reaper-fixture");
    const vitest = path.join(repoRoot, "node_modules/vitest/vitest.mjs");
    const r = await run(process.execPath, [vitest, "run", "--config", "vitest.config.ts"], {
      cwd: fixtureDir,
      env: { ...process.env, REAPER_DIR: dir, NO_COLOR: "1", CI: "1" },
    }).then(
      () => ({ code: 0, out: "" }),
      (e: { code: number; stdout: string; stderr: string }) => ({
        code: e.code,
        out: e.stdout + e.stderr,
      }),
    );
    // The fixture's first test fails by its timeout, the second passes.
    expect(r.code, r.out).toBe(1);
    expect(r.out).toContain("Test timed out in 3000ms");
    expect(r.out).toMatch(/1 failed \| 1 passed/);
    const lines = (await readFile(path.join(dir, "pids"), "utf8")).trim().split("\n");
    expect(lines.map((l) => l.split(" ")[0])).toEqual([
      "spawned-in-before-all",
      "spawned-in-test",
      "next",
    ]);
    const pids = lines.slice(0, 2).map((l) => Number(l.split(" ")[1]));
    // Both CLIs were seen running, by pid; now neither is, nor anything started over the dir.
    expect(pids.filter(alive)).toEqual([]);
    expect(await processesMentioning(dir)).toEqual([]);
  } finally {
    for (const pid of await processesMentioning(dir)) process.kill(pid, "SIGKILL");
    await rm(dir, { recursive: true, force: true });
  }
}, 60_000);

import { spawn, spawnSync } from "node:child_process";
import {
  appendFile,
  mkdtemp,
  readFile,
  readdir,
  rm,
  stat,
  utimes,
  writeFile,
} from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cliEnv, copyModelsProject, repoRoot } from "../support/cli.js";
import { loadRecordingHook } from "../support/load-hook.js";

const bin = path.join(repoRoot, "apps/cli/bin/sluice.js");

/**
 * bin/sluice.js's replay gate (apps/cli/src/replay-gate.ts): `compile` or `ls` run again on an
 * unchanged project prints its replay without loading the CLI's main bundle; anything that could
 * change what the full CLI prints or writes (a file, the arguments, the working directory, the
 * environment, the artifacts) runs the full CLI. Which bundle files a run loaded, and how often
 * it stat'ed marts/funnel.sql, are recorded by a `--require` hook given to node (not to sluice:
 * its arguments and environment stay the same).
 */
describe("replay gate", () => {
  let project: Awaited<ReturnType<typeof copyModelsProject>>;
  let scratch: string;
  let hook: string;
  let loads: string;
  let stats: string;

  /** Run sluice; `main`: whether the main bundle was loaded; `stats`: of marts/funnel.sql. */
  async function sluice(
    args: string[],
    options: { cwd?: string; env?: Record<string, string> } = {},
  ): Promise<{
    code: number | null;
    stdout: string;
    stderr: string;
    main: boolean;
    stats: number;
    loaded: string[];
  }> {
    await rm(loads, { force: true });
    await rm(stats, { force: true });
    const r = spawnSync(process.execPath, ["--require", hook, bin, ...args], {
      cwd: options.cwd ?? repoRoot,
      env: { ...process.env, ...cliEnv, ...options.env },
      encoding: "utf8",
    });
    const loaded = await readFile(loads, "utf8").catch(() => "");
    const statted = await readFile(stats, "utf8").catch(() => "");
    return {
      code: r.status,
      stdout: r.stdout,
      stderr: r.stderr,
      main: loaded.includes("main.cjs"),
      stats: statted.split("\n").filter(Boolean).length,
      loaded: loaded
        .split("\n")
        .filter(Boolean)
        .map((f) => path.basename(f)),
    };
  }
  const compile = (options?: Parameters<typeof sluice>[1]) =>
    sluice(["--project-dir", project.dir, "compile", "--target", "prod"], options);
  /** The summary's time varies: everything else is compared. */
  const timeless = (text: string) => text.replace(/ in [\d.]+ m?s\./, " in T.");

  beforeAll(async () => {
    project = await copyModelsProject();
    scratch = await mkdtemp(path.join(os.tmpdir(), "sluice-gate-"));
    hook = path.join(scratch, "hook.cjs");
    loads = path.join(scratch, "loads.txt");
    stats = path.join(scratch, "stats.txt");
    await writeFile(
      hook,
      `${loadRecordingHook(loads)}const fs = require("node:fs");
const statSync = fs.statSync;
fs.statSync = function (p, o) {
  if (String(p).endsWith("funnel.sql")) fs.appendFileSync(${JSON.stringify(stats)}, String(p) + "\\n");
  return statSync.call(this, p, o);
};`,
    );
    // Files changed within the last 2 s are not trusted to the parse cache: age the copy.
    const old = new Date(Date.now() - 60_000);
    for (const entry of await readdir(project.dir, { recursive: true, withFileTypes: true }))
      if (entry.isFile()) await utimes(path.join(entry.parentPath, entry.name), old, old);
  });
  afterAll(async () => {
    await project?.cleanup();
    if (scratch) await rm(scratch, { recursive: true, force: true });
  });

  it("replays an unchanged compile and ls without loading main, exactly as the full CLI prints", async () => {
    const cold = await compile();
    expect(cold.code).toBe(0);
    expect(cold.main).toBe(true);
    const warm = await compile();
    expect(warm).toMatchObject({ code: 0, main: false, stderr: "" });
    // Only the gate's own chunks: no code cache (its hook costs the gate more than it saves), no
    // picocolors (colorEnabled only).
    expect(warm.loaded.filter((f) => /code-cache|picocolors/.test(f))).toEqual([]);
    expect(timeless(warm.stdout)).toBe(timeless(cold.stdout));
    expect(warm.stdout).toMatch(/^Compiled \d+ models, .* for target 'prod' .* in [\d.]+ m?s\.\n/);

    const ls = ["--project-dir", project.dir, "ls", "--select", "+funnel"];
    const first = await sluice(ls);
    expect(first).toMatchObject({ code: 0, main: true });
    expect(first.stdout).toContain("funnel");
    const again = await sluice(ls);
    expect(again).toMatchObject({
      code: 0,
      main: false,
      stdout: first.stdout,
      stderr: first.stderr,
    });
  });

  it("ends quietly, exit 0, when the reader of its output has gone (ls | head), replayed or not", async () => {
    /** `sluice ls` whose stdout's reading end is closed before it writes: every write is EPIPE. */
    const gone = (args: string[]) =>
      new Promise<{ code: number | null; stderr: string }>((resolve, reject) => {
        const child = spawn(process.execPath, [bin, ...args], {
          cwd: repoRoot,
          env: { ...process.env, ...cliEnv },
          stdio: ["ignore", "pipe", "pipe"],
        });
        child.stdout.destroy();
        let stderr = "";
        child.stderr.on("data", (b: Buffer) => (stderr += b.toString()));
        child.on("error", reject);
        child.on("close", (code) => resolve({ code, stderr }));
      });
    const ls = ["--project-dir", project.dir, "ls", "--format", "name"];
    // The full CLI prints it (and saves its replay), then the gate replays it.
    expect(await gone([...ls, "--select", "funnel+"])).toEqual({ code: 0, stderr: "" });
    expect(await sluice([...ls, "--select", "funnel+"])).toMatchObject({ code: 0, main: false });
    expect(await gone([...ls, "--select", "funnel+"])).toEqual({ code: 0, stderr: "" });
  });

  it("runs the full CLI when anything the replay depends on differs", async () => {
    // (ls saved the partial-parse cache under its own request: compile's replay key is gone.)
    expect((await compile()).code).toBe(0);
    expect((await compile()).main).toBe(false);
    // Other arguments (the same words in another order are other arguments too).
    const reordered = await sluice(["compile", "--project-dir", project.dir, "--target", "prod"]);
    expect(reordered).toMatchObject({ code: 0, main: true });
    // Another environment, another working directory.
    expect(await compile({ env: { SLUICE_GATE_TEST: "1" } })).toMatchObject({
      code: 0,
      main: true,
    });
    // The CLI replayed it (same key) and saved this environment's facts: the gate replays it now.
    expect((await compile({ env: { SLUICE_GATE_TEST: "1" } })).main).toBe(false);
    expect(await compile({ cwd: scratch })).toMatchObject({ code: 0, main: true });
    expect((await compile({ cwd: scratch })).main).toBe(false);
    // Colour asked for: printed by the full CLI.
    expect(await compile({ env: { NO_COLOR: "", FORCE_COLOR: "1" } })).toMatchObject({
      code: 0,
      main: true,
    });
    // (That compile's replay, saved under its own key, replaced this one's: compiled once more.)
    expect((await compile()).code).toBe(0);
    expect((await compile()).main).toBe(false);

    // The artifacts stamp removed (a write began and was cut short): compiled again.
    const target = path.join(project.dir, "target");
    await rm(path.join(target, ".artifacts-stamp"));
    expect(await compile()).toMatchObject({ code: 0, main: true });
    await stat(path.join(target, ".artifacts-stamp"));
    expect((await compile()).main).toBe(false);

    // A model edited (an old modification time, a new size): compiled again, with the edit.
    const funnel = path.join(project.dir, "marts", "funnel.sql");
    await appendFile(funnel, "-- gate edit\n");
    const old = new Date(Date.now() - 60_000);
    await utimes(funnel, old, old);
    const edited = await compile();
    // The project is listed once: the CLI reuses the listing the gate took (see gateListings).
    expect(edited).toMatchObject({ code: 0, main: true, stats: 1 });
    const manifest = JSON.parse(await readFile(path.join(target, "manifest.json"), "utf8")) as {
      nodes: Record<string, { raw_code: string }>;
    };
    expect(manifest.nodes["model.ecommerce.funnel"]!.raw_code).toMatch(/-- gate edit\n$/);
    expect((await compile()).main).toBe(false);
  });

  it("replays a compile made right after an edit until the file's content changes", async () => {
    // Both writes leave the same size and time (within 2 s of the compile: racy): only the
    // content tells them apart.
    const funnel = path.join(project.dir, "marts", "funnel.sql");
    const text = await readFile(funnel, "utf8");
    const at = Date.now() / 1000;
    const write = async (edit: string): Promise<void> => {
      await writeFile(funnel, `${text}-- racy ${edit}\n`);
      await utimes(funnel, at, at);
    };
    // A relative --project-dir: the gate lists from inside each folder (withFolderStats), so the
    // CLI it hands over to must find the project from the working directory it was started in.
    const relative = () =>
      sluice(["--project-dir", path.basename(project.dir), "compile", "--target", "prod"], {
        cwd: path.dirname(project.dir),
      });
    await write("a");
    expect(await relative()).toMatchObject({ code: 0, main: true });
    expect(await relative()).toMatchObject({ code: 0, main: false });
    await write("b");
    expect(await relative()).toMatchObject({ code: 0, main: true, stderr: "" });
    const manifest = await readFile(path.join(project.dir, "target", "manifest.json"), "utf8");
    expect(manifest).toContain("-- racy b\\n");
  });
});

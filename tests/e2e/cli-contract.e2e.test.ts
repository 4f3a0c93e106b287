import { exec, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { createHash } from "node:crypto";
import { readdir, readFile, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import { commands } from "@sluice/cli";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { builtModelsProject } from "../support/built-lake.js";
import { cliEnv, repoRoot, runSluice, type CliRun } from "../support/cli.js";
import { queryLake } from "../support/lake-reader.js";
import { stackOutputs } from "../support/stack-outputs.js";
// @ts-expect-error -- a plain ESM bench helper without types
import { writeSyntheticProject } from "../bench/synthetic-project.mjs";

const run = promisify(exec);
const bin = path.join(repoRoot, "apps/cli/bin/sluice.js");
const quote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;
const sluiceCommand = `${quote(process.execPath)} ${quote(bin)}`;

/** Run a shell command line (pipes, quoting as a user types them) in `cwd`. */
async function sh(
  line: string,
  cwd: string,
  env: Record<string, string | undefined> = {},
): Promise<CliRun> {
  const merged = Object.entries({ ...process.env, ...cliEnv, ...env }).filter(
    (e): e is [string, string] => e[1] !== undefined,
  );
  try {
    const { stdout, stderr } = await run(line, { cwd, env: Object.fromEntries(merged) });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout: string; stderr: string };
    return { code: failed.code ?? -1, stdout: failed.stdout, stderr: failed.stderr };
  }
}

/** Start the CLI, wait until its output matches `ready`, press Ctrl-C; the exit code and output. */
function interrupt(
  args: readonly string[],
  ready: RegExp,
  cwd: string,
  presses = 1,
  signal: NodeJS.Signals = "SIGINT",
): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], {
      cwd,
      env: { ...process.env, ...cliEnv },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    let pressed = false;
    // Ctrl-C when the output says it is ready; with `presses` 2, again 20 ms later (two signals
    // sent at once merge into one): the CLI then exits right away.
    const press = (): void => {
      if (pressed || !ready.test(stdout + stderr)) return;
      pressed = true;
      child.kill(signal);
      if (presses > 1) setTimeout(() => child.kill(signal), 20);
    };
    child.stdout.on("data", (d: Buffer) => {
      stdout += d.toString();
      press();
    });
    child.stderr.on("data", (d: Buffer) => {
      stderr += d.toString();
      press();
    });
    child.on("error", reject);
    child.on("close", (code, signal) =>
      resolve({ code: code ?? (signal ? -1 : -2), stdout, stderr }),
    );
  });
}

/**
 * Every entry under `dir` with its size and mtime, and with `content`, each file's bytes: any
 * write or touch shows in the first (a file written keeps no old mtime), a write that put the
 * old mtime back in the second.
 */
async function fingerprint(dir: string, content: boolean): Promise<string> {
  const hash = createHash("sha256");
  const walk = async (d: string): Promise<void> => {
    for (const entry of (await readdir(d, { withFileTypes: true })).sort((a, b) =>
      a.name.localeCompare(b.name),
    )) {
      const p = path.join(d, entry.name);
      const s = await stat(p);
      hash.update(`${path.relative(dir, p)} ${s.size} ${s.mtimeMs}\n`);
      if (entry.isDirectory()) await walk(p);
      else if (content) hash.update(await readFile(p));
    }
  };
  await walk(dir);
  return hash.digest("hex");
}

/** The lake every test here starts from (3 hours, 1,500 events). */
const LAKE = {
  generate: ["--events", "1500", "--start", "2026-11-27T00:00:00Z", "--hours", "3", "--seed", "7"],
};

let root = "";
let dir = "";
let cleanup = async (): Promise<void> => {};

beforeAll(async () => {
  // generate + build, made once per machine (support/built-lake.ts): throws unless both exit 0.
  ({ dir, cleanup } = await builtModelsProject(LAKE));
  root = path.dirname(dir);
  // The file `cdk deploy --outputs-file` writes, for the init-target example.
  await writeFile(path.join(root, "cdk-outputs.json"), JSON.stringify(stackOutputs));
});
afterAll(() => cleanup());

describe("arguments are checked before anything runs", () => {
  const bad: [string[], RegExp][] = [
    [["build", "--selct", "funnel"], /^error: unknown option --selct; did you mean --select\?$/],
    [
      ["build", "--format", "yaml"],
      /^error: invalid value 'yaml' for --format \(choose from table, json\)/,
    ],
    [
      ["build", "--defer"],
      /^error: --defer reads the relations of a previous run: pass --state DIR with its manifest\.json$/,
    ],
    [
      ["clone", "--select", "funnel"],
      /^error: clone points this target's relations at a previous run's: pass --state DIR with its manifest\.json$/,
    ],
    [
      ["run", "--frobnicate"],
      /^error: unknown option --frobnicate; sluice run --help lists the options$/,
    ],
    [["biuld"], /^error: unknown command 'biuld'; did you mean build\?$/],
    [
      ["build", "--threads", "abc"],
      /^error: --threads takes a whole number of at least 1, not 'abc'$/,
    ],
    [["build", "--threads", "0"], /^error: --threads takes a whole number of at least 1, not '0'$/],
    [["run", "--timeout", "-1"], /^error: --timeout takes a number above 0, not '-1'$/],
    [["build", "--select"], /^error: --select needs a value$/],
    [
      ["test", "--junit-xml", `${"x".repeat(300)}.xml`],
      /^error: --junit-xml: 'x+\.xml' cannot be written \(ENAMETOOLONG\): name a file in a folder that can be written$/,
    ],
    [["build", "--junit-xml", "/"], /^error: --junit-xml: '\/' is a folder: /],
    [
      ["source", "register"],
      /^error: unknown source action 'register': use 'source freshness'; did you mean 'sluice sources register'\?$/,
    ],
    [
      ["sources", "freshness"],
      /^error: unknown sources action 'freshness': use 'sources register'; did you mean 'sluice source freshness'\?$/,
    ],
    [
      ["docs", "build"],
      /^error: unknown docs action 'build': use 'docs generate' or 'docs serve'$/,
    ],
    [["dq", "check"], /^error: unknown dq action 'check': /],
    [["build", "--target"], /^error: --target needs a value$/],
    [
      ["query", "select 1", "--format", "jsn"],
      /^error: invalid value 'jsn' for --format .*did you mean 'json'\?$/,
    ],
    [["query"], /^error: missing argument: sluice query <sql>$/],
    [["ls", "--resource-type", "modle"], /did you mean 'model'\?$/],
    [["generate", "--events", "ten"], /^error: --events takes a number, not 'ten'$/],
    [
      [
        "generate",
        "--events",
        "10",
        "--start",
        "2026-11-27T00:00:00Z",
        "--hours",
        "0",
        "--seed",
        "1",
      ],
      /^error: --hours: /,
    ],
  ];

  const lakeAndTarget = (content: boolean) =>
    Promise.all([".lake", "target"].map((d) => fingerprint(path.join(dir, d), content)));
  /** The lake's and target's bytes before the first case: compared once, after the last. */
  let bytesBefore: string[] = [];
  beforeAll(async () => {
    bytesBefore = await lakeAndTarget(true);
  });

  it.each(bad)("%j: exit 2, one line, the lake and target untouched", async (argv, message) => {
    // Paths, sizes and mtimes per case (a stat each); the bytes once for all cases, below.
    const before = await lakeAndTarget(false);
    const r = await runSluice(["--project-dir", dir, ...argv]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr.trimEnd().split("\n")).toHaveLength(1);
    expect(r.stderr.trimEnd()).toMatch(message);
    expect(await lakeAndTarget(false)).toEqual(before);
  });

  it("after all of them, every byte of the lake and target is as before", async () => {
    expect(bytesBefore).toHaveLength(2);
    expect(await lakeAndTarget(true)).toEqual(bytesBefore);
  });

  it("sluice alone prints the command list on stderr and exits 2", async () => {
    const r = await runSluice([], { cwd: root });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/Commands:\n\s+sluice build/);
  });
});

// Top-level await: it.each needs the examples while the file is collected.
const specs = await Promise.all(commands.map((c) => c.load()));

describe("every --help example runs", () => {
  const examples = specs.flatMap((c) => c.examples ?? []);

  it("names only real nodes", () => {
    expect(examples.length).toBeGreaterThan(8);
    expect(examples.map(([line]) => line).join("\n")).not.toMatch(/marts_sales_by_country/);
  });

  it.each(examples)("%s", async (line, _what, how) => {
    const command = line.replace(/^\$0\b/, sluiceCommand);
    if (how?.untilCtrlC) {
      const [, ...args] = line.split(" ");
      const r = await interrupt(args, /listening on/, root);
      expect(r.code, r.stderr).toBe(130);
      return;
    }
    const r = await sh(command, root);
    expect(r.code, r.stdout + r.stderr).toBe(how?.exit ?? 0);
  });
});

describe("crashes, pipes and Ctrl-C", () => {
  it("a closed pipe ends quietly with exit 0 (sluice ls | head -1)", async () => {
    for (const args of ["ls", `query "select * from range(300000)" --format csv`]) {
      const piped = await sh(
        `(${sluiceCommand} --project-dir ${quote(dir)} ${args}; echo "exit $?" >&2) | head -1`,
        root,
      );
      expect(piped.stdout.split("\n")).toHaveLength(2);
      expect(piped.stderr).toBe("exit 0\n");
    }
  });

  it("a query's rows go out batch by batch: 600,000 CSV rows in a 64 MB heap; a failed one prints none", async () => {
    // Held whole as JS objects, this result needed ~230 MB: on a 64 MB heap the process aborted
    // with nothing printed (and 5,000,000 rows as JSON exceeded V8's longest string).
    const project = `--project-dir ${quote(dir)}`;
    const big = `"select range as i, 'row ' || range as s from range(600000)" --format csv`;
    const counted = await sh(
      `(NODE_OPTIONS=--max-old-space-size=64 ${sluiceCommand} ${project} query ${big}; ` +
        `echo "exit $?" >&2) | awk 'END { print NR; print $0 }'`,
      root,
    );
    expect(counted.stdout).toBe("600001\n599999,row 599999\n");
    expect(counted.stderr).toBe("exit 0\n");
    // An error at the 9,000,000th row: no row printed (a streamed read ended there silently).
    const boom =
      `"select case when range < 9000000 then range else error('boom at ' || range) end as x ` +
      `from range(10000000)" --format csv`;
    const failed = await sh(
      `(${sluiceCommand} ${project} query ${boom}; echo "exit $?" >&2) | wc -c`,
      root,
    );
    expect(failed.stdout.trim()).toBe("0");
    expect(failed.stderr).toMatch(/^query failed: [^\n]*boom at 9000000\nexit 1\n$/);
  }, 60_000);

  /**
   * Ctrl-C `afterMs` after spawning: how the process ended, how long after the press, its stderr.
   * A process still running 20 s after the press is killed and reported as hung.
   */
  const pressAt = (args: readonly string[], afterMs: number, signal: NodeJS.Signals = "SIGINT") =>
    new Promise<{ code: number | null; signal: string | null; tookMs: number; stderr: string }>(
      (resolve, reject) => {
        const child = spawn(process.execPath, [bin, ...args], {
          cwd: root,
          env: { ...process.env, ...cliEnv },
          stdio: ["ignore", "ignore", "pipe"],
        });
        let stderr = "";
        child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
        let sent = 0;
        const press = setTimeout(() => {
          sent = Date.now();
          child.kill(signal);
        }, afterMs);
        const hung = setTimeout(() => child.kill("SIGKILL"), afterMs + 20_000);
        child.on("error", reject);
        child.on("close", (code, signal) => {
          clearTimeout(press);
          clearTimeout(hung);
          resolve({ code, signal, tookMs: sent ? Date.now() - sent : 0, stderr });
        });
      },
    );

  it("Ctrl-C or SIGTERM during a long compile ends it at once (no queries to stop yet)", async () => {
    // 5,000 models: a cold compile of ~2 s, synchronous for most of it. A handler would run only
    // once it was done (it did: SIGTERM was answered by a finished compile, exit 0, and Ctrl-C
    // by one that then exited 130).
    const big = path.join(root, "sigterm-compile");
    writeSyntheticProject(5000, big);
    for (const signal of ["SIGINT", "SIGTERM"] as const) {
      const r = await pressAt(["--project-dir", big, "compile"], 400, signal);
      expect(r.signal, JSON.stringify(r)).toBe(signal);
      expect(r.tookMs, JSON.stringify(r)).toBeLessThan(300);
      expect(existsSync(path.join(big, "target", "manifest.json"))).toBe(false);
    }
  }, 60_000);

  it("Ctrl-C at any moment of a query (start-up, loading, running) exits 130 within ~2 s", async () => {
    const slow = ["--project-dir", dir, "query", "select count(*) from range(100000000000) a"];
    // Presses from start-up on, later and later until one lands while the query runs (however
    // slow the machine is): a press while the bundle loaded used to be lost (the query ran on).
    let during = 0;
    for (let afterMs = 0; during < 2 && afterMs < 30_000; afterMs = afterMs * 1.5 + 40) {
      const r = await pressAt(slow, afterMs);
      const at = `Ctrl-C ${Math.round(afterMs)} ms after spawn: ${JSON.stringify(r)}`;
      if (r.signal === "SIGINT") {
        // Before node ran any of sluice's code: died by the signal (a shell shows 130 too).
        expect(r.stderr, at).toBe("");
      } else {
        expect(r.code, at).toBe(130);
        // Nothing of the command's output; the message when a query was stopped.
        expect(r.stderr, at).toMatch(/^(|query stopped: interrupted \(Ctrl-C\)[^\n]*\n)$/);
        if (r.stderr !== "") during += 1;
      }
      // Stopped, not waited for (the query would run for minutes); 2 s plus slack for load.
      expect(r.tookMs, at).toBeLessThan(6000);
    }
    expect(during).toBe(2);
  }, 240_000);

  it("Ctrl-C (SIGTERM) between and during a build's statements exits 130 (143) and leaves the lake consistent", async () => {
    const { dir: copy, cleanup: remove } = await builtModelsProject(LAKE);
    try {
      // Read in this process (a catalog snapshot, as `sluice query` reads): six CLI start-ups
      // fewer; the query command has its own tests.
      const count = async (): Promise<string> => JSON.stringify(await queryLake(copy, COUNTS));
      const before = await count();
      // Right after the 1st, 3rd and 6th node of a full rebuild ended (between two statements),
      // and right as silver.events started (during its write).
      // A second press exits at once (process.exit: no engine close runs), as does the first
      // when the build has not unwound 2 s later (seen at load 20): the lock goes all the same.
      // Nodes run two at a time (threads 2): the n-th end line may be a "check" line (a node
      // that ended after one started later), so end lines are counted, not numbered.
      const ended = (n: number) =>
        new RegExp(`(?:^ *(?:\\d+ of \\d+|check) +(?:OK|PASS)\\b[\\s\\S]*?){${n}}`, "m");
      // SIGTERM (a CI job cancelled, a scheduler stopping the task) stops it the same way: it
      // died by the signal, with no summary and no run_results.json.
      const points: [string, RegExp, number, NodeJS.Signals?][] = [
        ["after 1 node", ended(1), 1],
        ["after 3 nodes", ended(3), 1],
        ["after 6 nodes", ended(6), 1],
        ["during a table write", /START incremental silver\.events/, 1],
        ["twice, during a table write", /START incremental silver\.events/, 2],
        ["SIGTERM after 3 nodes", ended(3), 1, "SIGTERM"],
      ];
      const results = path.join(copy, "target", "run_results.json");
      for (const [label, ready, presses, signal = "SIGINT"] of points) {
        const args = ["--project-dir", copy, "build", "--full-refresh"];
        await writeFile(results, "{}");
        const r = await interrupt(args, ready, root, presses, signal);
        const said = signal === "SIGINT" ? "interrupted (Ctrl-C)" : "terminated (SIGTERM)";
        expect(r.code, `${label}: ${r.stdout}${r.stderr}`).toBe(signal === "SIGINT" ? 130 : 143);
        // What was interrupted is said, once: the node that stopped, or those skipped after the
        // press; and the run's results are written.
        if (presses === 1) {
          expect(r.stdout + r.stderr, label).toMatch(new RegExp(`${escaped(said)}|skipped`));
          expect(r.stdout + r.stderr, label).not.toContain(`${said}: ${said}`);
          expect(r.stdout, label).toMatch(/^Done in .*\d+ skipped\.$/m);
          const written = JSON.parse(await readFile(results, "utf8")) as { results?: unknown[] };
          expect(written.results?.length, label).toBeGreaterThan(0);
        }
        // The lock is released, and every table still reads a whole version.
        expect(existsSync(path.join(copy, ".lake", ".sluice-build.lock.json")), label).toBe(false);
        expect(await count(), label).toBe(before);
      }
      const again = await runSluice(["--project-dir", copy, "build", "--full-refresh"]);
      expect(again.code, again.stdout + again.stderr).toBe(0);
      expect(await count()).toBe(before);
    } finally {
      await remove();
    }
  }, 300_000);
});

/** `text` as a regular expression matching itself. */
const escaped = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** Each built table's row count: an interrupted build changes none (same raw data). */
const COUNTS =
  "select (select count(*) from silver.events) as events, " +
  "(select count(*) from silver.order_items) as items, " +
  "(select count(*) from marts.funnel) as funnel, " +
  "(select count(*) from staging.stg_events) as staged";

describe("--format json is lossless", () => {
  it("BIGINT beyond 2^53 and DECIMAL as strings, dates ISO, NULL as null", async () => {
    const sql =
      "select 9223372036854775807::bigint as big, (-9223372036854775807 - 1)::bigint as small, " +
      "123456789.123456789::decimal(38,9) as d, " +
      "99999999999999999999999999999.999999999::decimal(38,9) as dmax, " +
      "date '2026-11-27' as day, timestamp '2026-11-27 01:02:03.456789' as ts, null as n";
    const r = await runSluice(["--project-dir", dir, "query", sql, "--format", "json"]);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual([
      {
        big: "9223372036854775807",
        small: "-9223372036854775808",
        d: "123456789.123456789",
        dmax: "99999999999999999999999999999.999999999",
        day: "2026-11-27",
        ts: "2026-11-27T01:02:03.456789",
        n: null,
      },
    ]);
  });

  it("the summary names only what the command ran (sluice test builds no model)", async () => {
    const r = await runSluice(["--project-dir", dir, "test", "--select", "funnel"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(
      /^Done in \d+ ms\. tests: 2 passed, 0 warned, 0 failed; 0 errors, 0 skipped\.$/m,
    );
    // --full-refresh: the seed is loaded already, and an unchanged seed is not loaded again.
    const seeded = await runSluice(["--project-dir", dir, "seed", "--full-refresh"]);
    expect(seeded.stdout).toMatch(
      /^Done in [\d.]+ m?s\. 0 models and 1 seed built \(32 rows\), 0 errors, 0 skipped\.$/m,
    );
  });

  it("the table shows numbers as the engine gave them: no separators, no rounding", async () => {
    const sql =
      "select 1234567 as id, 9223372036854775807 as big, 0.00001::double as tiny, " +
      "1.5e-7::double as e, cast(1.5 as decimal(10,3)) as dec, null as n";
    const r = await runSluice(["--project-dir", dir, "query", sql]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.split("\n")[2]).toBe(
      "1234567  9223372036854775807  0.00001  1.5e-7  1.500  NULL",
    );
  });

  // util-linux `script` runs the CLI on a pseudo-terminal that reports 0 columns, as some
  // containers and CI terminals do.
  it.runIf(existsSync("/usr/bin/script"))(
    "on a terminal: end lines plus a live line naming the running nodes, whole when the terminal has no size",
    async () => {
      const line = `${sluiceCommand} --project-dir ${quote(dir)} build --select funnel`;
      const r = await sh(`script -qc ${quote(line)} /dev/null`, root);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain("\r\u001b[2K0 of 3 done; running: incremental marts.funnel\r");
      expect(r.stdout).toMatch(
        /1 of 3 OK +incremental marts\.funnel \.+ replaced \d+ partitions?, \d+ rows/,
      );
      expect(r.stdout).not.toContain("START");
    },
  );

  it("colour only on request when piped: FORCE_COLOR adds escape codes, NO_COLOR wins", async () => {
    const line = `${sluiceCommand} --project-dir ${quote(dir)} test --select funnel`;
    const plain = await sh(line, root, { NO_COLOR: undefined, FORCE_COLOR: undefined });
    const forced = await sh(line, root, { NO_COLOR: undefined, FORCE_COLOR: "1" });
    const both = await sh(line, root, { NO_COLOR: "1", FORCE_COLOR: "1" });
    expect(plain.code, plain.stderr).toBe(0);
    expect(plain.stdout + plain.stderr).not.toContain("\u001b[");
    expect(forced.stderr).toContain("\u001b[");
    expect(both.stdout + both.stderr).not.toContain("\u001b[");
  });
});

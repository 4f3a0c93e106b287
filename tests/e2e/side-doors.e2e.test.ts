import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { readFile, readdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { copyModelsProject, repoRoot, runSluice } from "../support/cli.js";

/** Nothing lost, ever: no rule, query or reader can write to or block the lake. */
describe("side doors on the local lake", () => {
  let dir = "";
  let cleanup = async (): Promise<void> => {};
  const sluice = (...args: string[]) => runSluice(["--project-dir", dir, ...args]);
  const lake = () => path.join(dir, ".lake");
  const lockFile = () => path.join(lake(), ".sluice-build.lock.json");
  const funnelRows = async () => {
    const q = await sluice("query", "select count(*) as n from marts.funnel", "--format", "json");
    expect(q.code, q.stderr).toBe(0);
    return JSON.parse(q.stdout) as { n: number }[];
  };
  const oneLine = (stderr: string) => stderr.trim().split("\n");

  beforeAll(async () => {
    ({ dir, cleanup } = await copyModelsProject());
    const gen = await sluice(
      ...["generate", "--events", "1500", "--start", "2026-11-27T00:00:00Z"],
      ...["--hours", "3", "--seed", "7", "--sink", "local"],
    );
    expect(gen.code).toBe(0);
    const build = await sluice("build");
    expect(build.code, build.stdout + build.stderr).toBe(0);
  });
  afterAll(() => cleanup());

  it("a DQDL where clause that escapes its wrapper: exit 2, nothing dropped", async () => {
    const rules = path.join(dir, "rules", "events.dqdl");
    const original = await readFile(rules, "utf8");
    const where = '"1=1)) AS dq; DROP VIEW marts.funnel; --"';
    const hostile = `RowCount > 0 where ${where},\n    RowCount > 0,`;
    await writeFile(rules, original.replace("RowCount > 0,", hostile));
    try {
      const test = await sluice("test");
      expect(test.code, test.stdout + test.stderr).toBe(2);
      expect(test.stdout + test.stderr).toMatch(/events\.dqdl:4:\d+: .*closes a parenthesis/);
    } finally {
      await writeFile(rules, original);
    }
    expect(await funnelRows()).toEqual([{ n: 4 }]);
  });

  it("sluice query refuses what writes or reaches outside: exit 2, nothing written", async () => {
    // A Parquet file of the published funnel (partitioned by event_date: one folder down).
    const table = path.join(lake(), "marts", "funnel");
    const parquet = (await readdir(table, { recursive: true })).find((f) => f.endsWith(".parquet"));
    const file = path.join(table, parquet!);
    const before = await readFile(file);
    for (const sql of [
      `copy (select 1 x) to '${file}' (format parquet)`,
      `copy (select 1 x) to '${file}'`,
      "attach '/tmp/sluice-side-door.duckdb' as other",
      "install httpfs",
      "load httpfs",
      "create table marts.x (y int)",
      "select 1; drop view marts.funnel",
      "pragma enable_checkpoint_on_shutdown",
      "set enable_external_access = true",
    ]) {
      const q = await sluice("query", sql);
      expect(q.code, sql).toBe(2);
      const refused = /^query refused: .* \(sluice query only reads; build and run write\)\n$/;
      expect(q.stderr, sql).toMatch(refused);
    }
    expect(await readFile(file)).toEqual(before);
    expect(await funnelRows()).toEqual([{ n: 4 }]);
  });

  it("sluice query still reads: WITH, comments and the Trino-compat functions", async () => {
    const sql =
      "/* a comment */ with f as (select * from marts.funnel) " +
      "select count(*) as n, date_add('day', 1, date '2026-11-27') as d, try_cast('x' as integer) as t from f";
    const q = await sluice("query", sql, "--format", "json");
    expect(q.code, q.stderr).toBe(0);
    expect(JSON.parse(q.stdout)).toEqual([{ n: 4, d: "2026-11-28T00:00:00", t: null }]);
  });

  it("queries running during a build never make it fail", async () => {
    const building = sluice("build", "--full-refresh");
    let done = false;
    void building.then(() => (done = true));
    const codes: number[] = [];
    const errors: string[] = [];
    while (!done || codes.length < 3) {
      const q = await sluice(
        "query",
        "select count(*) as n from silver.events",
        "--format",
        "json",
      );
      codes.push(q.code);
      if (q.code !== 0) errors.push(q.stderr);
    }
    const build = await building;
    expect(build.code, build.stdout + build.stderr).toBe(0);
    // A query whose snapshot names the version a full refresh has just replaced still finds its
    // files: versions_to_keep (default 1) keeps the replaced version until the next publish.
    expect(errors).toEqual([]);
    expect(
      codes.every((c) => c === 0),
      codes.join(","),
    ).toBe(true);
    const after = await sluice(
      "query",
      "select count(*) as n from silver.events",
      "--format",
      "json",
    );
    expect(after.code, after.stderr).toBe(0);
  });

  // CI runs as root, which ignores chmod: a lake nobody may write is one in /sys.
  it.runIf(existsSync("/sys/kernel"))(
    "a lake that cannot be written: one line, exit 2",
    async () => {
      const yml = path.join(dir, "sluice.yml");
      const original = await readFile(yml, "utf8");
      await writeFile(yml, original.replace("lake: .lake", "lake: /sys/kernel"));
      try {
        const build = await sluice("build");
        expect(build.code).toBe(2);
        expect(oneLine(build.stderr)).toEqual([
          "error: cannot write the lake /sys/kernel: permission denied",
        ]);
      } finally {
        await writeFile(yml, original);
      }
    },
  );

  describe("the build lock", () => {
    let sleeper: ChildProcess;
    beforeAll(() => {
      sleeper = spawn("sleep", ["60"], { stdio: "ignore" });
    });
    afterAll(() => {
      sleeper.kill();
    });
    const startOf = async (pid: number) => {
      const stat = await readFile(`/proc/${pid}/stat`, "utf8");
      return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19]!;
    };
    const bootId = async () => (await readFile("/proc/sys/kernel/random/boot_id", "utf8")).trim();

    it("a live build's lock: one line on stderr, exit 2, no stack", async () => {
      const lock = { pid: sleeper.pid, startedAt: "2026-12-03T10:00:00.000Z", runId: "r-live" };
      const identity = { processStart: await startOf(sleeper.pid!), bootId: await bootId() };
      await writeFile(lockFile(), JSON.stringify({ ...lock, ...identity }));
      const build = await sluice("build");
      expect(build.code).toBe(2);
      expect(oneLine(build.stderr)).toEqual([
        expect.stringMatching(
          /^error: build in progress \(run r-live, started 2026-12-03T10:00:00.000Z, pid \d+\)/,
        ),
      ]);
    });

    it("the same pid with another start time is a reused pid: the lock is taken over", async () => {
      const lock = { pid: sleeper.pid, startedAt: "2026-12-03T10:00:00.000Z", processStart: "1" };
      await writeFile(lockFile(), JSON.stringify({ ...lock, bootId: await bootId() }));
      const build = await sluice("build");
      expect(build.code, build.stdout + build.stderr).toBe(0);
      expect(await readdir(lake())).not.toContain(".sluice-build.lock.json");
    });

    it("a DuckDB client holding the catalog is named as such; queries still read", async () => {
      const client = spawn(
        process.execPath,
        [
          "--input-type=module",
          "-e",
          `import { DuckDBInstance } from "@duckdb/node-api";
           await DuckDBInstance.create(${JSON.stringify(path.join(lake(), "catalog.duckdb"))});
           process.stdout.write("open\\n"); setTimeout(() => {}, 60000);`,
        ],
        { cwd: path.join(repoRoot, "libs/engines"), stdio: ["ignore", "pipe", "inherit"] },
      );
      try {
        await new Promise((resolve) => client.stdout!.once("data", resolve));
        const build = await sluice("build");
        expect(build.code).toBe(2);
        expect(oneLine(build.stderr)).toEqual([
          expect.stringMatching(
            /^error: another process .*has the catalog of lake .* open \(e\.g\. a DuckDB client/,
          ),
        ]);
        expect(await readdir(lake())).not.toContain(".sluice-build.lock.json");
        expect(await funnelRows()).toEqual([{ n: 4 }]);
      } finally {
        client.kill();
      }
    });
  });
});

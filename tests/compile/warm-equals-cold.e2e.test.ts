import { spawnSync } from "node:child_process";
import { watch } from "node:fs";
import { mkdtemp, readdir, readFile, rename, rm, utimes, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cliEnv, repoRoot, runSluice } from "../support/cli.js";
import { spawnTracked } from "../support/child-processes.js";
import { targetDifferences, targetFiles } from "../support/target-files.js";

/**
 * A warm compile (partial_parse.json, compile_memo.json, the manifest index and the statement
 * files of the previous compile all reused) writes exactly what a cold compile of the same files
 * writes (#14). A seeded sequence of random edits to a synthetic project (model SQL, a same-size
 * edit, the macro, the var, a YAML test list, a model added, renamed, deleted), each round
 * compiled warm, then cold into a fresh target/ of the same folder (compiled SQL holds absolute
 * paths), and the two target/ folders compared file by file.
 */
const MODELS = 120;
const ROUNDS = 10;

/** Deterministic pseudo-random numbers in [0, 1) (xorshift32): the same edits on every run. */
function random(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => ((x ^= x << 13), (x ^= x >>> 17), (x ^= x << 5), (x >>> 0) / 2 ** 32);
}

describe("a warm compile writes what a cold compile writes (#14)", () => {
  let dir: string;
  const compile = async (): Promise<void> => {
    const run = await runSluice(["--project-dir", dir, "compile"]);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
  };
  const file = (rel: string): string => path.join(dir, rel);
  const modelFile = (i: number): string =>
    `models/${i < 100 ? "staging" : "marts"}/f${String(Math.floor(i / 100)).padStart(4, "0")}/m_${i}.sql`;

  /**
   * target/ as the last compile left it equals a cold compile's into a fresh target/ (then
   * put back); `what` names the case in a failure.
   */
  const expectColdTarget = async (what: object): Promise<void> => {
    const warm = await targetFiles(file("target"));
    await rename(file("target"), file("target.warm"));
    await compile();
    const cold = await targetFiles(file("target"));
    await rm(file("target"), { recursive: true });
    await rename(file("target.warm"), file("target"));
    // Edits in the racy window (files changed < 2 s before the compile read them): the warm
    // compile writes the partial-parse cache with their content hashes (its listing preceded
    // the load); the cold one, with no cache to check, lists only after its load and writes
    // none. Compared when both are valid for the same listing.
    const differ = targetDifferences(warm, cold);
    expect({ ...what, differ }).toEqual({ ...what, differ: [] });
    expect(Object.keys(warm).length).toBeGreaterThan(3 * MODELS);
  };

  /** Every project file modified 10 s ago (+ `round` ms): past the partial-parse racy window. */
  const ageProject = async (round: number): Promise<void> => {
    const aged = new Date(Date.now() - 10_000 + round);
    for (const entry of await readdir(dir, { recursive: true, withFileTypes: true }))
      if (entry.isFile() && !entry.parentPath.includes(`${path.sep}target`))
        await utimes(path.join(entry.parentPath, entry.name), aged, aged);
  };

  /**
   * A compile killed (SIGKILL) at the `at`-th change it makes in target/ or target/compile_memo/
   * (a file created, written or renamed, as inotify reports them): somewhere in its writes.
   * Returns whether it was killed before it finished.
   */
  const killedCompile = (at: number): Promise<boolean> =>
    new Promise((resolve, reject) => {
      const child = spawnTracked(
        process.execPath,
        [path.join(repoRoot, "apps/cli/bin/sluice.js"), "--project-dir", dir, "compile"],
        { env: { ...process.env, ...cliEnv } },
      );
      let seen = 0;
      const onChange = (): void => {
        if (++seen === at) child.kill("SIGKILL");
      };
      const watchers = [file("target"), file("target/compile_memo")].map((d) => watch(d, onChange));
      child.on("error", reject);
      child.on("exit", (_code, signal) => {
        watchers.forEach((w) => w.close());
        resolve(signal === "SIGKILL");
      });
    });

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), "sluice-warm-"));
    const made = spawnSync(process.execPath, [
      path.join(repoRoot, "tests/bench/synthetic-project.mjs"),
      String(MODELS),
      dir,
    ]);
    expect(made.status).toBe(0);
  });
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("after each round of random edits, target/ equals a cold compile's, file by file", async () => {
    const next = random(14);
    const pick = (n: number): number => Math.floor(next() * n);
    /** Models this test added (nothing refs them): the ones it may rename or delete. */
    const added: string[] = [];
    let edits = 0;
    const edit = async (rel: string, change: (text: string) => string): Promise<void> =>
      writeFile(file(rel), change(await readFile(file(rel), "utf8")));
    const kinds: Record<string, () => Promise<void>> = {
      "model SQL": () => edit(modelFile(pick(MODELS)), (t) => `${t}-- edit ${edits}\n`),
      // Same size, same second: only the modification time (and the text) tell.
      "model SQL, same size": () =>
        edit(modelFile(100 + pick(MODELS - 100)), (t) =>
          t.replace(
            /< \{\{ scale \}\}|> \{\{ scale \}\}/,
            (op) => (op[0] === "<" ? ">" : "<") + op.slice(1),
          ),
        ),
      macro: () =>
        edit("macros/cents.sql", (t) =>
          t.replace(/as bigint|\+ \d+ as bigint/, `+ ${edits} as bigint`),
        ),
      var: () =>
        edit("sluice.yml", (t) => t.replace(/amount_scale: \d+/, `amount_scale: ${edits}`)),
      "YAML tests": () =>
        edit(`models/marts/f0001/schema.yml`, (t) => {
          const lists = ["[not_null, unique]", "[not_null]", "[unique]"];
          let k = 0;
          const target = pick(20);
          return t.replace(/tests: \[[a-z_, ]+\]/g, (list) =>
            k++ === target ? `tests: ${lists[(lists.indexOf(list.slice(7)) + 1) % 3]}` : list,
          );
        }),
      "model added": async () => {
        const rel = `models/marts/f0001/extra_${edits}.sql`;
        await writeFile(file(rel), `select id, amount from {{ ref('m_${pick(MODELS)}') }}\n`);
        added.push(rel);
      },
      "model renamed": async () => {
        const from = added.splice(pick(added.length), 1)[0];
        if (from === undefined) return;
        const to = `models/staging/f0000/renamed_${edits}.sql`;
        await rename(file(from), file(to));
        added.push(to);
      },
      "model deleted": async () => {
        const gone = added.splice(pick(added.length), 1)[0];
        if (gone !== undefined) await rm(file(gone));
      },
    };
    await compile();
    const names = Object.keys(kinds);
    const done: string[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const count = 1 + pick(3);
      for (let k = 0; k < count; k++) {
        const kind = names[pick(names.length)]!;
        edits += 1;
        await kinds[kind]!();
        done.push(kind);
      }
      // Every other round the edits are aged past the racy window, so both caches are written.
      if (round % 2 === 0) await ageProject(round);
      await compile();
      await expectColdTarget({ round, edits: done.slice(-count) });
    }
    // The seed reaches every kind of edit.
    expect(new Set(done)).toEqual(new Set(names));
  }, 600_000);

  it("a compile killed while it writes target/ leaves one the next compile repairs", async () => {
    await compile();
    let killed = 0;
    for (let round = 0; round < 6; round++) {
      const model = file(modelFile(100 + round * 3));
      await writeFile(model, `${await readFile(model, "utf8")}-- killed ${round}\n`);
      if (round % 2 === 1) {
        const macro = file("macros/cents.sql");
        const text = await readFile(macro, "utf8");
        await writeFile(macro, text.replace(/as bigint|\+ \d+ as bigint/, `+ ${round} as bigint`));
      }
      await ageProject(round);
      const at = 1 + round * 5;
      if (await killedCompile(at)) killed += 1;
      await compile();
      await expectColdTarget({ round, killedAt: at });
    }
    // Most kills land before the compile is done (the later ones may find it finished).
    expect(killed).toBeGreaterThanOrEqual(3);
  }, 600_000);
});

import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import path from "node:path";
import type { NodeResult } from "../types.js";

const MEMO_FILE = "unit_test_results.json";
const FORMAT = 1;

/** A unit test's pass kept from an earlier run. */
interface KeptPass {
  /** Its content key (`unitTestKey`). */
  key: string;
  message: string;
  /** The run that ran it. */
  runId: string;
}

/**
 * The passes of unit tests kept between runs, by unit test id, each under the content key it
 * was computed from (`unitTestKey`): a test whose key is unchanged passes again without running
 * (its result says it was reused, and from which run). Failures and errors are never kept.
 */
export interface UnitTestMemo {
  /** The kept pass of unit test `id` when its key is `key` and reuse is on. */
  reusable(id: string, key: string): { message: string; runId: string } | undefined;
  /** Record this run's result of unit test `id`: a pass is kept, anything else forgotten. */
  record(id: string, key: string, result: NodeResult, runId: string): void;
  /** Write what changed to the target folder (a folder that cannot be written keeps nothing). */
  save(): Promise<void>;
}

/**
 * The unit-test memo of a target folder (`target/unit_test_results.json`). `reuse: false`
 * (`--no-unit-test-cache`, `--full-refresh`) runs every test and still records the passes.
 *
 * @example
 * const memo = await openUnitTestMemo("models/target", { reuse: true });
 * memo.reusable("unit_test.events.keeps_first", key); // { message: "2 rows as expected", runId }
 */
export async function openUnitTestMemo(
  targetDir: string,
  options: { reuse: boolean },
): Promise<UnitTestMemo> {
  const file = path.join(targetDir, MEMO_FILE);
  const kept = new Map<string, KeptPass>(Object.entries(await readKept(file)));
  let changed = false;
  return {
    reusable(id, key) {
      const pass = options.reuse ? kept.get(id) : undefined;
      return pass?.key === key ? { message: pass.message, runId: pass.runId } : undefined;
    },
    record(id, key, result, runId) {
      if (result.reused) return;
      changed = true;
      if (result.status === "pass") kept.set(id, { key, message: result.message, runId });
      else kept.delete(id);
    },
    async save() {
      if (!changed) return;
      const tests = Object.fromEntries([...kept].sort(([a], [b]) => a.localeCompare(b)));
      try {
        await mkdir(targetDir, { recursive: true });
        const tmp = `${file}.${process.pid}.tmp`;
        await writeFile(tmp, JSON.stringify({ format: FORMAT, tests }, null, 1));
        await rename(tmp, file);
      } catch {
        // A read-only target: the next run runs them again.
      }
    },
  };
}

/** The kept passes of the file; none when it is missing, torn or of another format. */
async function readKept(file: string): Promise<Record<string, KeptPass>> {
  try {
    const memo = JSON.parse(await readFile(file, "utf8")) as {
      format?: unknown;
      tests?: Record<string, Partial<KeptPass>>;
    };
    if (memo.format !== FORMAT || typeof memo.tests !== "object" || memo.tests === null) return {};
    return Object.fromEntries(
      Object.entries(memo.tests).filter(
        (e): e is [string, KeptPass] =>
          typeof e[1].key === "string" &&
          typeof e[1].message === "string" &&
          typeof e[1].runId === "string",
      ),
    );
  } catch {
    return {};
  }
}

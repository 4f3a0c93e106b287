import { appendFileSync, readFileSync } from "node:fs";
import { afterAll, expect } from "vitest";

/**
 * Opt-in (`SLUICE_TEST_CPU_LOG=<file>`, set by tests/bench/test-cpu.mjs): one line per test file
 * with its wall seconds and CPU seconds, the worker's own and its children's (the CLIs, endpoints
 * and browsers it spawned and reaped), read from /proc/self/stat at the file's start and end.
 */
const log = process.env["SLUICE_TEST_CPU_LOG"];

interface Mark {
  file: string;
  at: number[];
  wallMs: number;
}

/** utime, stime, cutime, cstime of this process in seconds (fields 14-17 of /proc/self/stat). */
function cpuSeconds(): number[] {
  const fields = readFileSync("/proc/self/stat", "utf8").split(") ")[1]!.split(" ");
  return [11, 12, 13, 14].map((i) => Number(fields[i]) / 100);
}

function write(file: string, mark: Mark, now: number[]): void {
  const d = now.map((v, i) => v - mark.at[i]!);
  const wall = (Date.now() - mark.wallMs) / 1000;
  const line = [wall, d[0]! + d[1]!, d[2]! + d[3]!].map((x) => x.toFixed(2)).join("\t");
  appendFileSync(file, `${line}\t${mark.file}\n`);
}

if (log) {
  const file = (expect.getState().testPath ?? "?").split("/tests/").pop()!;
  const mark: Mark = { file, at: cpuSeconds(), wallMs: Date.now() };
  // Registered before the child reaper's (setupFiles order), so it runs after it: the children
  // the file left running are killed and reaped, and counted, first.
  afterAll(() => write(log, mark, cpuSeconds()));
}

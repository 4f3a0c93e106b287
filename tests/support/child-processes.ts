import { spawn } from "node:child_process";
import type { ChildProcess, ChildProcessByStdio, SpawnOptions } from "node:child_process";
import type { Readable } from "node:stream";
import { onTestFinished } from "vitest";

/** Children the test helpers spawned that have not exited yet. */
const live = new Set<ChildProcess>();

/**
 * `spawn` with stdout and stderr piped (stdin ignored), with the child in a process group of its own that is killed (SIGKILL, the whole group)
 * when the test that spawned it finishes (passed, failed or timed out), or, for a child spawned
 * outside a test (a `beforeAll`), when the file ends ({@link killLiveChildren}, from
 * `child-reaper.setup.ts`). A test that times out while its CLI still runs would otherwise leave
 * that CLI running into the next tests (on Athena it keeps the build lease). `until: "file"` is
 * for a server a test starts for the tests after it (an endpoint): killed only when the file ends.
 *
 * @example
 * const child = spawnTracked(process.execPath, [bin, "build"], { cwd: dir });
 */
export function spawnTracked(
  command: string,
  args: readonly string[],
  options: Omit<SpawnOptions, "stdio" | "detached"> & { until?: "test" | "file" } = {},
): ChildProcessByStdio<null, Readable, Readable> {
  const { until = "test", ...spawnOptions } = options;
  const child = spawn(command, args, {
    ...spawnOptions,
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  live.add(child);
  child.on("exit", () => live.delete(child));
  child.on("error", () => live.delete(child));
  if (until === "test") {
    try {
      onTestFinished(() => killGroup(child));
    } catch {
      // Not inside a test: the file's afterAll kills it.
    }
  }
  return child;
}

/** Kill every child still running (the end of a test file). */
export async function killLiveChildren(): Promise<void> {
  await Promise.all([...live].map((child) => killGroup(child)));
}

/** SIGKILL the child's process group; resolves once the child has exited (at most 5 s). */
async function killGroup(child: ChildProcess): Promise<void> {
  if (!live.has(child) || child.pid === undefined) return;
  const exited = new Promise<void>((resolve) => {
    child.once("exit", () => resolve());
    setTimeout(resolve, 5000).unref();
  });
  try {
    process.kill(-child.pid, "SIGKILL");
  } catch {
    // The group is gone already (ESRCH): the child exited between the check and the kill.
    return;
  }
  await exited;
}

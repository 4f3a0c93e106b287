import { readdirSync, rmSync } from "node:fs";
import path from "node:path";

/**
 * Remove the temporary files `<name>.<pid>.tmp` in `dir` whose process is gone: what a process
 * killed while it wrote a file through a temporary one (the manifest, the partial-parse cache,
 * the compile memo's index) left behind. A live process's file is left alone, whoever owns it.
 * Returns the names removed.
 *
 * @example removeDeadTemps("target") // ["partial_parse.json.4242.tmp"]
 */
export function removeDeadTemps(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const removed = names.filter(isDeadTemp);
  for (const name of removed) rmSync(path.join(dir, name), { force: true });
  return removed;
}

/**
 * Whether `name` is a temporary file `<name>.<pid>.tmp` whose process is gone (see
 * {@link removeDeadTemps}), for a caller that lists the folder itself.
 */
export function isDeadTemp(name: string): boolean {
  const pid = Number(/\.(\d+)\.tmp$/.exec(name)?.[1]);
  return pid > 0 && pid !== process.pid && !alive(pid);
}

/** Whether a process `pid` exists (one of another user's counts: EPERM). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

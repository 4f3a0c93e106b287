import { readFile } from "node:fs/promises";

/** What tells one process from a later one that reuses its pid (Linux only). */
export interface ProcessIdentity {
  /** Field 22 of /proc/<pid>/stat: start time in clock ticks after boot. */
  processStart: string;
  /** /proc/sys/kernel/random/boot_id: start times restart at each boot. */
  bootId: string;
}

/**
 * The identity of a running process, or undefined where /proc is not there (macOS, Windows)
 * or the process is gone.
 *
 * @example
 * await processIdentity(process.pid); // { processStart: "123456", bootId: "4f1c…" } on Linux
 */
export async function processIdentity(pid: number): Promise<ProcessIdentity | undefined> {
  try {
    const [stat, boot] = await Promise.all([
      readFile(`/proc/${pid}/stat`, "utf8"),
      readFile("/proc/sys/kernel/random/boot_id", "utf8"),
    ]);
    // The command name (field 2) may hold spaces and parentheses: count from its last ')'.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const processStart = fields[22 - 3];
    return processStart ? { processStart, bootId: boot.trim() } : undefined;
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Whether process `pid` of this machine still runs and is the one that was recorded (same start,
 * same boot), so a reused pid or a reboot does not count as alive. Without a recorded identity,
 * or elsewhere than Linux, the pid alone decides.
 *
 * @example
 * await isProcessAlive(lock.pid, lock); // false once that build was killed
 */
export async function isProcessAlive(
  pid: number,
  recorded: Partial<ProcessIdentity> = {},
): Promise<boolean> {
  if (!isAlive(pid)) return false;
  if (recorded.processStart === undefined || recorded.bootId === undefined) return true;
  const now = await processIdentity(pid);
  if (!now) return true;
  return now.processStart === recorded.processStart && now.bootId === recorded.bootId;
}

import type { openEngine } from "@sluice/engines";
import type { Io } from "./command.js";

/**
 * Open the target's engine for a command: from here on Ctrl-C and SIGTERM stop its queries
 * through io.signal (and a reader's snapshot copy is removed on the way out) instead of ending
 * the process at once, their default while the project loads and compiles (see main.ts).
 *
 * @example const engine = await openCommandEngine(io, ctx.target, ctx.project.dir, { readOnly: true });
 */
export async function openCommandEngine(
  io: Io,
  ...args: Parameters<typeof openEngine>
): ReturnType<typeof openEngine> {
  io.catchTerm?.();
  const engines = await import("@sluice/engines");
  return engines.openEngine(...args);
}

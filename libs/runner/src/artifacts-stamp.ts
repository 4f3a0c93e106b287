import { existsSync, readFileSync } from "node:fs";
import path from "node:path";

/**
 * `target/.artifacts-stamp`: written after compile's artifacts are all written, naming what they
 * were written from (a hash of the compiled project's fingerprint, the layout and the nodes);
 * removed before any other write of them. Its own entry point (`@sluice/runner/stamp`) so that a
 * command can check it without loading the runner.
 */
export const stampFile = (targetDir: string): string => path.join(targetDir, ".artifacts-stamp");

/**
 * The stamp of the artifacts in `targetDir`; undefined when none (never written, or rewritten
 * since) or when `manifest.json` was deleted by hand since (so the next compile writes it again).
 */
export function artifactsStamp(targetDir: string): string | undefined {
  if (!existsSync(path.join(targetDir, "manifest.json"))) return undefined;
  try {
    return readFileSync(stampFile(targetDir), "utf8");
  } catch {
    return undefined;
  }
}

import { mkdtemp, mkdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { positionAt } from "../src/diagnostics.js";

/**
 * Where `token` (its `nth` occurrence, 0-based) starts in `text`, so tests name the bad token
 * instead of hard-coding line numbers. A `»` inside the token marks the exact spot, so context can
 * disambiguate: `at(f, text, "default-target: »staging")`.
 */
export function at(
  file: string,
  text: string,
  token: string,
  nth = 0,
): { file: string; line: number; column: number } {
  const mark = Math.max(0, token.indexOf("»"));
  const needle = token.replace("»", "");
  let offset = -1;
  for (let i = 0; i <= nth; i++) {
    offset = text.indexOf(needle, offset + 1);
    if (offset < 0)
      throw new Error(`fixture has no occurrence ${nth} of ${JSON.stringify(needle)}`);
  }
  return { file, ...positionAt(text, offset + mark) };
}

/** Write `files` (relative path → text) into a fresh temp dir; returns the dir and a cleanup. */
export async function writeProject(
  files: Record<string, string>,
): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(tmpdir(), "sluice-project-"));
  for (const [rel, text] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, rel)), { recursive: true });
    await writeFile(path.join(dir, rel), text);
  }
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

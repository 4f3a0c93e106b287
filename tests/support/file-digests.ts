import { createHash } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";

/**
 * Every entry under `dir` as `<relative path> <sha1 of its bytes | dir>`, sorted: compare two
 * of them to prove nothing was written (the diff names what changed).
 */
export async function fileDigests(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const lines = await Promise.all(
    entries.map(async (e) => {
      const file = path.join(e.parentPath, e.name);
      const digest = e.isFile()
        ? createHash("sha1")
            .update(await readFile(file))
            .digest("hex")
        : "dir";
      return `${path.relative(dir, file)} ${digest}`;
    }),
  );
  return lines.sort();
}

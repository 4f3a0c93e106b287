import { readFile, writeFile } from "node:fs/promises";

/**
 * Replace the first `from` in `file` with `to`, as a test edits a project's copy; a `from` the
 * file does not hold fails the test (an edit that silently changed nothing tests nothing).
 * Returns the text the file had, to put back.
 *
 * @example const before = await replaceInFile(yml, "    marts:\n", "    marts:\n      +schema: x\n");
 */
export async function replaceInFile(file: string, from: string, to: string): Promise<string> {
  const text = await readFile(file, "utf8");
  if (!text.includes(from)) throw new Error(`${file} does not hold ${JSON.stringify(from)}`);
  await writeFile(file, text.replace(from, to));
  return text;
}

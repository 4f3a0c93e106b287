import { closeSync, mkdirSync, openSync, rmSync, statSync } from "node:fs";
import path from "node:path";

/**
 * Why a report could not be written to `file` (`--junit-xml`), found before the run starts, or
 * undefined when it can be: its folder is made and the file opened for appending as the report's
 * write will (a file this check creates is removed again; an existing one is left as it is).
 * A run that ends with a report it cannot write would have done all its work for nothing.
 *
 * @example
 * reportPathProblem("reports/junit.xml"); // undefined (reports/ made)
 * reportPathProblem("target"); // "'target' is a folder"
 */
export function reportPathProblem(file: string): string | undefined {
  if (file.trim() === "") return "no file named";
  const full = path.resolve(file);
  let existed = true;
  try {
    if (statSync(full).isDirectory()) return `'${file}' is a folder`;
  } catch {
    existed = false;
  }
  try {
    mkdirSync(path.dirname(full), { recursive: true });
    closeSync(openSync(full, "a"));
    if (!existed) rmSync(full, { force: true });
    return undefined;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return `'${file}' cannot be written (${code ?? (error instanceof Error ? error.message : String(error))})`;
  }
}

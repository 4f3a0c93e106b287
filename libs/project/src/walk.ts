import { readFileSync } from "node:fs";
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { error, positionAt } from "./diagnostics.js";
import type { Diagnostic } from "./diagnostics.js";
import type { ProjectFile } from "./types.js";
import { decodeUtf8 } from "./utf8.js";

/** Folders never searched for project files (build output, the local lake, dependencies). */
const SKIPPED = new Set(["node_modules", "target", ".lake"]);

/**
 * Every file under `roots` (relative to `dir`) whose name ends with one of `extensions`, as
 * project-relative paths with forward slashes, sorted. Missing roots are fine; `exclude`
 * (project-relative folders) are not entered, so `model-paths: ["."]` skips seeds/macros/tests.
 * Every folder listed (or tried: a missing root) is added to `scanned` when given.
 */
export async function findFiles(
  dir: string,
  roots: readonly string[],
  extensions: readonly string[],
  exclude: readonly string[] = [],
  scanned?: Set<string>,
): Promise<string[]> {
  const [found] = await findFileGroups(dir, roots, [extensions], exclude, scanned);
  return found;
}

/**
 * {@link findFiles} for several extension lists over the same roots in one walk (the model
 * paths hold models, properties and docs: one listing of 10,000 files instead of three): one
 * sorted list per entry of `groups`, each what findFiles gives for it.
 *
 * @example
 * const [sql, yml] = await findFileGroups(dir, ["models"], [[".sql"], [".yml", ".yaml"]]);
 */
export async function findFileGroups<const G extends readonly (readonly string[])[]>(
  dir: string,
  roots: readonly string[],
  groups: G,
  exclude: readonly string[] = [],
  scanned?: Set<string>,
): Promise<{ [K in keyof G]: string[] }> {
  const excluded = new Set(exclude.map(normalize));
  const found = groups.map(() => new Set<string>());
  const visit = async (rel: string): Promise<void> => {
    scanned?.add(rel);
    let entries;
    try {
      entries = await readdir(path.join(dir, rel), { withFileTypes: true });
    } catch {
      return;
    }
    await Promise.all(
      entries.map(async (e) => {
        const child = rel === "" ? e.name : `${rel}/${e.name}`;
        if (e.isDirectory()) {
          if (!e.name.startsWith(".") && !SKIPPED.has(e.name) && !excluded.has(child))
            await visit(child);
        } else if (e.isFile()) {
          const name = e.name.toLowerCase();
          groups.forEach((extensions, g) => {
            if (extensions.some((x) => name.endsWith(x))) found[g]!.add(child);
          });
        }
      }),
    );
  };
  await Promise.all(roots.map((r) => visit(normalize(r))));
  return found.map((files) => [...files].sort()) as { [K in keyof G]: string[] };
}

/** `./staging/` → `staging`, `.` → `` (the project dir itself). */
function normalize(rel: string): string {
  const n = path.posix.normalize(rel.replaceAll("\\", "/")).replace(/\/+$/, "");
  return n === "." ? "" : n;
}

/**
 * Read one project file as UTF-8 text. Invalid UTF-8 adds an INVALID_UTF8 diagnostic at the
 * first bad byte to `diagnostics` (the text is then the lossy decoding).
 */
export async function readText(
  absPath: string,
  rel: string,
  diagnostics: Diagnostic[],
): Promise<string> {
  return decodeText(await readFile(absPath), rel, diagnostics);
}

function decodeText(bytes: Uint8Array, rel: string, diagnostics: Diagnostic[]): string {
  const { text, badByte } = decodeUtf8(bytes);
  if (badByte) {
    const hex = badByte.byte.toString(16).toUpperCase().padStart(2, "0");
    const message = `${rel} is not valid UTF-8: byte 0x${hex} cannot start or continue a character`;
    const at = { file: rel, line: badByte.line, column: badByte.column };
    diagnostics.push(error("INVALID_UTF8", message, at, "save the file as UTF-8"));
    return text;
  }
  // Valid UTF-8, but no SQL, YAML, DQDL or CSV text holds one: DuckDB's parser stops at it
  // ("syntax error at end of input" at run time, the model's text cut short).
  const nul = text.indexOf("\0");
  if (nul >= 0) {
    const at = { file: rel, ...positionAt(text, nul) };
    const message = `${rel} holds a NUL byte (U+0000): no SQL, YAML, DQDL or CSV text holds one`;
    diagnostics.push(error("NUL_BYTE", message, at, "the file may be damaged: remove the byte"));
  }
  return text;
}

/**
 * Read project files; invalid UTF-8 is reported to `diagnostics` (see readText). One at a time
 * and synchronously on purpose: project files are small, a synchronous read of one costs less
 * than queueing it on libuv's pool, and 50,000 reads in flight at once ran out of file
 * descriptors (EMFILE).
 */
export function readFiles(
  dir: string,
  rels: readonly string[],
  diagnostics: Diagnostic[],
): ProjectFile[] {
  return rels.map((rel) => {
    const absPath = path.join(dir, rel);
    return { path: rel, absPath, text: decodeText(readFileSync(absPath), rel, diagnostics) };
  });
}

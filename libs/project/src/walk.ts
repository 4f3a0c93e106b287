import { readFileSync } from "node:fs";
import { readdir, readFile, realpath, stat } from "node:fs/promises";
import path from "node:path";
import { error, positionAt } from "./diagnostics.js";
import type { Diagnostic } from "./diagnostics.js";
import type { ProjectFile } from "./types.js";
import { decodeUtf8 } from "./utf8.js";
import { isWithin } from "./path-within.js";

/** Folders never searched for project files (build output, the local lake, dependencies). */
const SKIPPED = new Set(["node_modules", "target", ".lake"]);

/**
 * A file of a project file's name the walk could not take: a link to nothing, or not a regular
 * file (a FIFO, whose read would wait forever; a socket, a device).
 */
export interface SkippedFile {
  /** Project-relative, with forward slashes. */
  file: string;
  why: string;
}

/**
 * Every file under `roots` (relative to `dir`) whose name ends with one of `extensions`, as
 * project-relative paths with forward slashes, sorted. Missing roots are fine; `exclude`
 * (project-relative folders) are not entered, so `model-paths: ["."]` skips seeds/macros/tests.
 * Links are followed, to files and to folders (as dbt does), a folder reached again through a
 * link not entered twice. Every folder listed (or tried: a missing root) is added to `scanned`
 * when given; each name that would have been taken but cannot be read is added to `skipped`.
 */
export async function findFiles(
  dir: string,
  roots: readonly string[],
  extensions: readonly string[],
  exclude: readonly string[] = [],
  scanned?: Set<string>,
  skipped?: SkippedFile[],
): Promise<string[]> {
  const [found] = await findFileGroups(dir, roots, [extensions], exclude, scanned, skipped);
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
  skipped?: SkippedFile[],
): Promise<{ [K in keyof G]: string[] }> {
  const excluded = new Set(exclude.map(normalize));
  const found = groups.map(() => new Set<string>());
  // The groups a file's name puts it in (by extension, in any case).
  const groupsOf = (name: string): number[] => {
    const lower = name.toLowerCase();
    return groups.flatMap((extensions, g) =>
      extensions.some((x) => lower.endsWith(x)) ? [g] : [],
    );
  };
  const wanted = (name: string): boolean => groupsOf(name).length > 0;
  const take = (child: string, name: string): void => {
    for (const g of groupsOf(name)) found[g]!.add(child);
  };
  // The real paths of the folders entered through a link: a link back into one (two links to
  // each other's folders) is not followed again; nor one into the roots' own trees or to a folder
  // above a root (a loop, or a second way to files the walk takes anyway: each found twice).
  const linked = new Set<string>();
  let rootsReal: Promise<string[]> | undefined;
  const walkedAnyway = async (real: string): Promise<boolean> =>
    (rootsReal ??= Promise.all(
      roots.map((r) => realpath(path.join(dir, normalize(r))).catch(() => "")),
    )).then((reals) => reals.some((r) => r !== "" && (isWithin(real, r) || isWithin(r, real))));
  const enter = (child: string, name: string): Promise<void> | undefined =>
    !name.startsWith(".") && !SKIPPED.has(name) && !excluded.has(child) ? visit(child) : undefined;
  const followLink = async (child: string, name: string): Promise<void> => {
    const abs = path.join(dir, child);
    const target = await stat(abs).catch(() => undefined);
    if (target?.isDirectory()) {
      const real = await realpath(abs);
      if (linked.has(real) || (await walkedAnyway(real))) return;
      linked.add(real);
      await enter(child, name);
    } else if (target?.isFile()) take(child, name);
    else if (wanted(name))
      skipped?.push({
        file: child,
        why: target ? "it is not a regular file" : "it is a link to nothing",
      });
  };
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
        if (e.isDirectory()) await enter(child, e.name);
        else if (e.isFile()) take(child, e.name);
        else if (e.isSymbolicLink()) await followLink(child, e.name);
        // A FIFO's read waits for a writer forever; a socket or a device is no project file.
        else if (wanted(e.name)) skipped?.push({ file: child, why: "it is not a regular file" });
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

import { FOLDER, MISSING, OTHER } from "./listing-stat.js";

/**
 * One folder of a project listing (compile-cache.ts): its project-relative path ("" is the
 * project folder), its names in listing order and, per name, the two numbers of
 * {@link folderStats} (a file's size and mtime, or {@link FOLDER} / {@link MISSING} and 0).
 */
export interface FolderListing {
  folder: string;
  names: readonly string[];
  numbers: ArrayLike<number>;
  /** The folder could not be listed (no names then). */
  missing?: boolean;
}

/** The project-relative path of a listed name. */
const listedPath = (folder: string, name: string): string => (folder ? `${folder}/${name}` : name);

const kind = (n: number): string =>
  n === FOLDER ? "folder" : n === MISSING ? "missing" : n === OTHER ? "other" : "file";

/** Why two listings are not "the same files, some of them edited". */
export type ListingChange = { edited: string[] } | { refused: string };

/**
 * The project-relative files whose size or mtime differs between two listings of the same
 * folders, when that is all that differs: the same folders in the same order, each with the same
 * names, each name still a file or still a folder. A file added, removed or renamed, a folder
 * listed or not, or a name that became a folder (or went missing) is not an edit: refused, with
 * the first such difference. `racy`: files whose stats `before` cannot vouch for (modified
 * within the racy window of its listing, see compile-cache.ts): edited whatever their numbers.
 *
 * @example
 * editedFiles([{ folder: "m", names: ["a.sql"], numbers: [10, 1] }],
 *             [{ folder: "m", names: ["a.sql"], numbers: [12, 2] }]) // { edited: ["m/a.sql"] }
 */
export function editedFiles(
  before: readonly FolderListing[],
  after: readonly FolderListing[],
  racy: ReadonlySet<string> = new Set(),
): ListingChange {
  if (before.length !== after.length)
    return { refused: `${before.length} folders listed, now ${after.length}` };
  const edited: string[] = [];
  for (let f = 0; f < before.length; f++) {
    const was = before[f]!;
    const now = after[f]!;
    if (was.folder !== now.folder)
      return { refused: `folder '${was.folder}' listed, now '${now.folder}'` };
    if (was.missing !== now.missing)
      return { refused: `folder '${was.folder}' ${was.missing ? "created" : "removed"}` };
    if (was.names.length !== now.names.length || was.names.some((n, i) => now.names[i] !== n))
      return { refused: `files added, removed or renamed in '${was.folder || "."}'` };
    // Run once per command in a fresh process (10,000 names: not worth a JIT's time): no
    // allocation per name but for the few edited or racy files.
    for (let i = 0; i < was.names.length; i++) {
      const size = was.numbers[2 * i]!;
      const sizeNow = now.numbers[2 * i]!;
      if (size === sizeNow && size < 0) continue;
      const same = size === sizeNow && was.numbers[2 * i + 1] === now.numbers[2 * i + 1];
      if (same && racy.size === 0) continue;
      const file = listedPath(was.folder, was.names[i]!);
      if (kind(size) !== kind(sizeNow))
        return { refused: `'${file}' was a ${kind(size)}, now ${kind(sizeNow)}` };
      if (!same || racy.has(file)) edited.push(file);
    }
  }
  return { edited };
}

/**
 * {@link editedFiles} narrowed to model SQL: refused unless every edited file is a `.sql` file
 * under one of `modelPaths` (project-relative folders, as sluice.yml's `model-paths`). Anything
 * else edited (sluice.yml, a properties YAML, a macro, a seed, a test) changes more than the
 * models' own SQL.
 */
export function editedModelFiles(
  change: ListingChange,
  modelPaths: readonly string[],
): ListingChange {
  if ("refused" in change) return change;
  const roots = modelPaths.map((p) => p.replace(/\/+$/, "")).filter((p) => p !== "");
  const inModels = (file: string): boolean =>
    file.endsWith(".sql") && roots.some((root) => file.startsWith(`${root}/`));
  const other = change.edited.find((file) => !inModels(file));
  return other === undefined ? change : { refused: `'${other}' is not a model's SQL file` };
}

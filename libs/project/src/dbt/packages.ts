import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { error, warning } from "../diagnostics.js";
import type { Diagnostic, SourceLocation } from "../diagnostics.js";
import { isMapping, parseYaml } from "../yaml-source.js";
import { renderProfileTree } from "./profile-template.js";

/** dbt's packages file, next to dbt_project.yml (dependencies.yml is its newer name). */
export const PACKAGE_FILES = ["packages.yml", "dependencies.yml"] as const;
/** Where `sluice deps` (and `dbt deps`) install git and hub packages. */
export const PACKAGES_INSTALL_DIR = "dbt_packages";

/** A package whose macros (and generic tests) the project can call. */
export interface PackageDir {
  /** The package's project name (its dbt_project.yml `name`, else the folder name). */
  name: string;
  /** Project-relative folder. */
  dir: string;
  /** Project-relative macro folders (the package's macro-paths and `<test-paths>/generic`). */
  macroRoots: string[];
  /**
   * Project-relative folders of the package's models, seeds and snapshots that hold files:
   * sluice does not build a package's resources (a warning names them).
   */
  unbuilt: string[];
}

/** One entry of packages.yml, with where it is written. */
export type PackageEntry = (
  | { kind: "local"; path: string }
  | { kind: "git"; url: string; revision?: string; subdirectory?: string }
  | { kind: "hub"; package: string; version?: string }
) & { at: SourceLocation };

/**
 * The entries of packages.yml (or dependencies.yml), values rendered (`env_var()`); a malformed
 * entry is a PACKAGE_INVALID error at its position. No file: no entries.
 */
export function readPackageEntries(
  projectDir: string,
  env: Record<string, string | undefined>,
): { file?: string; entries: PackageEntry[]; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const entries: PackageEntry[] = [];
  const file = PACKAGE_FILES.find((f) => existsSync(path.join(projectDir, f)));
  if (!file) return { entries, diagnostics };
  const text = readFileSync(path.join(projectDir, file), "utf8");
  const source = parseYaml(text, file, "PACKAGE_INVALID");
  if (source.syntaxErrors.length) return { file, entries, diagnostics: source.syntaxErrors };
  const data = source.data;
  const list = isMapping(data) ? data.packages : undefined;
  if (list === undefined || list === null) return { file, entries, diagnostics };
  if (!Array.isArray(list)) {
    diagnostics.push(
      error("PACKAGE_INVALID", `${file}: 'packages' must be a list`, source.locate(["packages"])),
    );
    return { file, entries, diagnostics };
  }
  const rendered = renderProfileTree(
    list,
    env,
    (p) => source.locate(["packages", ...p]),
    diagnostics,
  ) as unknown[];
  rendered.forEach((entry, i) => {
    const at = source.locate(["packages", i]);
    const text = (key: string) =>
      isMapping(entry) && typeof entry[key] === "string" ? (entry[key] as string) : undefined;
    const version = isMapping(entry) ? (entry.version ?? entry.revision) : undefined;
    const pinned = version === undefined ? {} : { version: String(version) };
    if (text("local") !== undefined) entries.push({ kind: "local", path: text("local")!, at });
    else if (text("git") !== undefined)
      entries.push({
        kind: "git",
        url: text("git")!,
        at,
        ...(text("revision") ? { revision: text("revision")! } : {}),
        ...(text("subdirectory") ? { subdirectory: text("subdirectory")! } : {}),
      });
    else if (text("package") !== undefined)
      entries.push({ kind: "hub", package: text("package")!, at, ...pinned });
    else
      diagnostics.push(
        error(
          "PACKAGE_INVALID",
          `${file}: a package needs local:, git: or package:`,
          at,
          "e.g. - package: dbt-labs/dbt_utils\n    version: 1.3.0",
        ),
      );
  });
  return { file, entries, diagnostics };
}

/**
 * The packages of packages.yml: `local:` folders resolved offline; `git:` and `package:` (hub)
 * entries: every package `deps` installed in `dbt_packages/`; none installed is an error at each
 * such entry naming `sluice deps`.
 *
 * @example readPackages("/abs/jaffle_shop", {}).packages // [{ name: "shop_utils", dir: "packages/shop_utils", ... }]
 */
export function readPackages(
  projectDir: string,
  env: Record<string, string | undefined>,
): { packages: PackageDir[]; diagnostics: Diagnostic[] } {
  const { entries, diagnostics } = readPackageEntries(projectDir, env);
  const packages: PackageDir[] = [];
  // As dbt does, every package `deps` installed is loaded (its folder is the package's name).
  const installed = entries.some((e) => e.kind !== "local") ? installedPackages(projectDir) : [];
  for (const entry of entries) {
    if (entry.kind === "local") {
      const dir = path.relative(projectDir, path.resolve(projectDir, entry.path)) || ".";
      if (existsSync(path.join(projectDir, dir, "dbt_project.yml")))
        packages.push(packageAt(projectDir, dir));
      else
        diagnostics.push(
          error(
            "PACKAGE_INVALID",
            `local package '${entry.path}' has no dbt_project.yml`,
            entry.at,
            "point local: at the package's folder (the one holding its dbt_project.yml)",
          ),
        );
      continue;
    }
    if (installed.length > 0) continue;
    const remote = entry.kind === "git" ? entry.url : entry.package;
    diagnostics.push(
      error(
        "PACKAGE_INVALID",
        `package '${remote}' is not installed in ${PACKAGES_INSTALL_DIR}/`,
        entry.at,
        "run `sluice deps` (or `dbt deps`) first",
      ),
    );
  }
  packages.push(...installed);
  const at = (p: PackageDir) =>
    entries.find((e) => e.kind === "local" && path.normalize(e.path) === path.normalize(p.dir))
      ?.at ?? entries.find((e) => e.kind !== "local")?.at;
  for (const p of packages.filter((p) => p.unbuilt.length > 0))
    diagnostics.push(
      warning(
        "DBT_KEY_IGNORED",
        `package '${p.name}': its ${p.unbuilt.join(", ")} are not built by sluice (it reads a package's macros and generic tests only)`,
        at(p),
        "copy the models you need into the project, or build them with dbt",
      ),
    );
  return { packages, diagnostics };
}

/** The packages in `dbt_packages/` (folders holding a dbt_project.yml), by folder name. */
function installedPackages(projectDir: string): PackageDir[] {
  const root = path.join(projectDir, PACKAGES_INSTALL_DIR);
  if (!existsSync(root)) return [];
  return readdirSync(root, { withFileTypes: true })
    .filter((e) => e.isDirectory() && existsSync(path.join(root, e.name, "dbt_project.yml")))
    .map((e) => e.name)
    .sort()
    .map((name) => packageAt(projectDir, `${PACKAGES_INSTALL_DIR}/${name}`));
}

/** The package in `dir` (project-relative): its name and macro folders, from its dbt_project.yml. */
export function packageAt(projectDir: string, dir: string): PackageDir {
  let name = path.basename(dir);
  let macroPaths = ["macros"];
  let testPaths = ["tests"];
  const resourcePaths: Record<string, string[]> = {
    "model-paths": ["models"],
    "seed-paths": ["seeds"],
    "snapshot-paths": ["snapshots"],
  };
  try {
    const data = parseYaml(readFileSync(path.join(projectDir, dir, "dbt_project.yml"), "utf8"), "")
      .data as Record<string, unknown>;
    if (typeof data?.name === "string") name = data.name;
    if (Array.isArray(data?.["macro-paths"])) macroPaths = data["macro-paths"] as string[];
    if (Array.isArray(data?.["test-paths"])) testPaths = data["test-paths"] as string[];
    for (const key of Object.keys(resourcePaths))
      if (Array.isArray(data?.[key])) resourcePaths[key] = data[key] as string[];
  } catch {
    // No readable dbt_project.yml: dbt's defaults.
  }
  const under = (p: string) => path.posix.join(dir.replaceAll("\\", "/"), p);
  return {
    name,
    dir,
    macroRoots: [...macroPaths.map(under), ...testPaths.map((t) => under(`${t}/generic`))],
    unbuilt: Object.values(resourcePaths)
      .flat()
      .map(under)
      .filter((p) => holdsFiles(path.join(projectDir, p), [".sql", ".csv"])),
  };
}

/** Whether the folder (or one below it) holds a file ending in one of `exts`. */
function holdsFiles(dir: string, exts: readonly string[]): boolean {
  try {
    return readdirSync(dir, { recursive: true, encoding: "utf8" }).some((f) =>
      exts.some((e) => f.endsWith(e)),
    );
  } catch {
    return false;
  }
}

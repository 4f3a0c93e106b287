import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { error } from "../diagnostics.js";
import type { Diagnostic } from "../diagnostics.js";
import { parseYaml } from "../yaml-source.js";
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
}

const isMapping = (v: unknown): v is Record<string, unknown> =>
  !!v && typeof v === "object" && !Array.isArray(v);

/**
 * The packages of packages.yml: `local:` folders resolved offline; `git:` and `package:` (hub)
 * entries read from `dbt_packages/` once installed, an error naming `sluice deps` otherwise.
 *
 * @example readPackages("/abs/jaffle_shop", {}).packages // [{ name: "shop_utils", dir: "packages/shop_utils", ... }]
 */
export function readPackages(
  projectDir: string,
  env: Record<string, string | undefined>,
): { packages: PackageDir[]; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const packages: PackageDir[] = [];
  const file = PACKAGE_FILES.find((f) => existsSync(path.join(projectDir, f)));
  if (!file) return { packages, diagnostics };
  const source = parseYaml(
    readFileSync(path.join(projectDir, file), "utf8"),
    file,
    "PACKAGE_INVALID",
  );
  if (source.syntaxErrors.length) return { packages, diagnostics: source.syntaxErrors };
  const data = source.data;
  const list = isMapping(data) ? data.packages : undefined;
  if (list === undefined || list === null) return { packages, diagnostics };
  if (!Array.isArray(list)) {
    diagnostics.push(
      error("PACKAGE_INVALID", `${file}: 'packages' must be a list`, source.locate(["packages"])),
    );
    return { packages, diagnostics };
  }
  const entries = renderProfileTree(
    list,
    env,
    (p) => source.locate(["packages", ...p]),
    diagnostics,
  ) as unknown[];
  entries.forEach((entry, i) => {
    const at = source.locate(["packages", i]);
    if (isMapping(entry) && typeof entry.local === "string") {
      const dir = path.relative(projectDir, path.resolve(projectDir, entry.local)) || ".";
      if (!existsSync(path.join(projectDir, dir, "dbt_project.yml")))
        diagnostics.push(
          error(
            "PACKAGE_INVALID",
            `local package '${entry.local}' has no dbt_project.yml`,
            source.locate(["packages", i, "local"]),
            "point local: at the package's folder (the one holding its dbt_project.yml)",
          ),
        );
      else packages.push(packageAt(projectDir, dir));
      return;
    }
    const remote = isMapping(entry) ? (entry.git ?? entry.package) : undefined;
    if (typeof remote !== "string") {
      diagnostics.push(
        error(
          "PACKAGE_INVALID",
          `${file}: a package needs local:, git: or package:`,
          at,
          "e.g. - package: dbt-labs/dbt_utils\\n    version: 1.3.0",
        ),
      );
      return;
    }
    const installed = installedPackage(projectDir, remote);
    if (installed) packages.push(installed);
    else
      diagnostics.push(
        error(
          "PACKAGE_INVALID",
          `package '${remote}' is not installed in ${PACKAGES_INSTALL_DIR}/`,
          at,
          "run `sluice deps` (or `dbt deps`) first",
        ),
      );
  });
  return { packages, diagnostics };
}

/** An installed git/hub package: `dbt-labs/dbt_utils` or `https://.../dbt-utils.git` → its folder. */
function installedPackage(projectDir: string, remote: string): PackageDir | undefined {
  const root = path.join(projectDir, PACKAGES_INSTALL_DIR);
  if (!existsSync(root)) return undefined;
  const last = remote
    .replace(/\.git$/, "")
    .split("/")
    .at(-1)!
    .toLowerCase();
  const wanted = new Set([last, last.replaceAll("-", "_")]);
  for (const name of readdirSync(root).sort()) {
    const pkg = packageAt(projectDir, `${PACKAGES_INSTALL_DIR}/${name}`);
    if (wanted.has(name.toLowerCase()) || wanted.has(pkg.name.toLowerCase())) return pkg;
  }
  return undefined;
}

function packageAt(projectDir: string, dir: string): PackageDir {
  let name = path.basename(dir);
  let macroPaths = ["macros"];
  let testPaths = ["tests"];
  try {
    const data = parseYaml(readFileSync(path.join(projectDir, dir, "dbt_project.yml"), "utf8"), "")
      .data as Record<string, unknown>;
    if (typeof data?.name === "string") name = data.name;
    if (Array.isArray(data?.["macro-paths"])) macroPaths = data["macro-paths"] as string[];
    if (Array.isArray(data?.["test-paths"])) testPaths = data["test-paths"] as string[];
  } catch {
    // No readable dbt_project.yml: dbt's defaults.
  }
  const under = (p: string) => path.posix.join(dir.replaceAll("\\", "/"), p);
  return {
    name,
    dir,
    macroRoots: [...macroPaths.map(under), ...testPaths.map((t) => under(`${t}/generic`))],
  };
}

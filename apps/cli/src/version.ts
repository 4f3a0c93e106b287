import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

/**
 * The CLI's version, from the nearest package.json named @sluice/cli above this file: found the
 * same way from src/, dist/ and the bundle in dist/bundle/. (yargs' own guess starts from the
 * working directory and printed "unknown" outside apps/cli.)
 */
export function cliVersion(): string {
  for (let dir = path.dirname(fileURLToPath(import.meta.url)); ; dir = path.dirname(dir)) {
    try {
      const pkg = JSON.parse(readFileSync(path.join(dir, "package.json"), "utf8")) as {
        name?: string;
        version?: string;
      };
      if (pkg.name === "@sluice/cli" && pkg.version) return pkg.version;
    } catch {
      // No package.json here: keep walking up.
    }
    if (dir === path.dirname(dir)) return "unknown";
  }
}

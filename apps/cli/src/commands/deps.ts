import { execFile } from "node:child_process";
import { mkdir, mkdtemp, readdir, rename, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import type { PackageEntry } from "@sluice/project";
import type { CommandSpec, Io } from "../command.js";
import { ExitCode } from "../command.js";
import { commandHeads } from "./command-heads.js";

const run = promisify(execFile);
/** How long a download may take before deps says the network is not there. */
const FETCH_TIMEOUT_MS = 20_000;

/** Why a fetch failed, in one line (git's last stderr line, fetch's cause). */
function reason(e: unknown): string {
  const err = e as {
    stderr?: string;
    cause?: { code?: string; message?: string };
    message?: string;
  };
  const line = err.stderr?.trim().split("\n").at(-1);
  return line || err.cause?.code || err.cause?.message || err.message || String(e);
}

/** `git clone` a git package into `into` (a fresh folder), at its revision. */
async function cloneGit(entry: Extract<PackageEntry, { kind: "git" }>, into: string) {
  const branch = entry.revision ? ["--branch", entry.revision] : [];
  await run("git", ["clone", "--quiet", "--depth", "1", ...branch, entry.url, into], {
    timeout: FETCH_TIMEOUT_MS,
  });
  await rm(path.join(into, ".git"), { recursive: true, force: true });
}

/** A hub package (`dbt-labs/dbt_utils`): its version's tarball from hub.getdbt.com, unpacked into `into`. */
async function downloadHub(entry: Extract<PackageEntry, { kind: "hub" }>, into: string) {
  const signal = AbortSignal.timeout(FETCH_TIMEOUT_MS);
  const index = (await (
    await fetch(`https://hub.getdbt.com/api/v1/${entry.package}.json`, { signal })
  ).json()) as { latest?: string; versions?: Record<string, { downloads?: { tarball?: string } }> };
  const version = entry.version?.replace(/^[=v]+/, "") ?? index.latest ?? "";
  const tarball = index.versions?.[version]?.downloads?.tarball;
  if (!tarball) throw new Error(`hub.getdbt.com has no version ${version} of ${entry.package}`);
  const bytes = Buffer.from(await (await fetch(tarball, { signal })).arrayBuffer());
  const file = path.join(into, "..", `${path.basename(into)}.tar.gz`);
  await writeFile(file, bytes);
  await mkdir(into, { recursive: true });
  await run("tar", ["-xzf", file, "-C", into, "--strip-components", "1"]);
  await rm(file, { force: true });
}

/**
 * `sluice deps`: install the git and hub packages of packages.yml into `dbt_packages/<name>`
 * (the package's dbt_project.yml name), as `dbt deps` does; local packages are read in place.
 * Without the network it says which package could not be fetched and why (exit 1).
 */
export const depsCommand: CommandSpec<Record<string, never>> = {
  ...commandHeads.deps,
  options: {},
  handler: async (args, io) => {
    const { readPackageEntries, packageAt, PACKAGES_INSTALL_DIR, formatDiagnostic } =
      await import("@sluice/project");
    const dir = path.resolve(args.projectDir);
    const { file, entries, diagnostics } = readPackageEntries(dir, process.env);
    diagnostics.forEach((d) => io.err(formatDiagnostic(d)));
    if (diagnostics.some((d) => d.severity === "error")) return ExitCode.usage;
    if (!file) {
      io.out("no packages.yml: nothing to install");
      return ExitCode.ok;
    }
    const installDir = path.join(dir, PACKAGES_INSTALL_DIR);
    await mkdir(installDir, { recursive: true });
    let failed = 0;
    for (const entry of entries) {
      if (entry.kind === "local") {
        io.out(`local package ${entry.path}: read in place`);
        continue;
      }
      const name = entry.kind === "git" ? entry.url : entry.package;
      const staging = await mkdtemp(path.join(installDir, ".fetch-"));
      const into = path.join(staging, "package");
      try {
        if (entry.kind === "git") await cloneGit(entry, into);
        else await downloadHub(entry, into);
        const source =
          entry.kind === "git" && entry.subdirectory ? path.join(into, entry.subdirectory) : into;
        const pkg = packageAt(dir, path.relative(dir, source));
        const target = path.join(installDir, pkg.name);
        await rm(target, { recursive: true, force: true });
        await rename(source, target);
        io.out(`installed ${name} as ${PACKAGES_INSTALL_DIR}/${pkg.name}`);
      } catch (e) {
        failed++;
        reportFetchFailure(io, entry, name, e);
      } finally {
        await rm(staging, { recursive: true, force: true });
      }
    }
    await removeEmpty(installDir);
    return failed > 0 ? ExitCode.failed : ExitCode.ok;
  },
};

function reportFetchFailure(io: Io, entry: PackageEntry, name: string, e: unknown): void {
  const where = entry.kind === "git" ? "its git remote" : "hub.getdbt.com";
  io.err(
    `${entry.at.file}:${entry.at.line}:${entry.at.column}: error: could not fetch package ${name} from ${where}: ${reason(e)}\n` +
      "  hint: is the network reachable? Local packages (local: path) need none; " +
      "or copy the package into dbt_packages/ yourself",
  );
}

async function removeEmpty(dir: string): Promise<void> {
  if ((await readdir(dir)).length === 0) await rm(dir, { recursive: true, force: true });
}

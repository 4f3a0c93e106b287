import path from "node:path";
import { formatDiagnostic } from "@sluice/project/diagnostics";
import type { Diagnostic } from "@sluice/project";
import type { Io } from "../command.js";

/**
 * A diagnostic with its file relative to the current directory (`models/marts/funnel.sql`, not
 * `marts/funnel.sql`), so `path:line:col` opens in an editor or terminal from where the
 * command ran. Diagnostics hold project-relative paths.
 */
export function fromHere(d: Diagnostic, projectDir: string | undefined): Diagnostic {
  if (!d.at || projectDir === undefined) return d;
  const file = path.relative(process.cwd(), path.resolve(projectDir, d.at.file)) || d.at.file;
  return { ...d, at: { ...d.at, file } };
}

/** Print diagnostics to stderr, errors last, with a count line; paths relative to the current directory. */
export function printDiagnostics(
  io: Io,
  diagnostics: readonly Diagnostic[],
  projectDir?: string,
): void {
  if (diagnostics.length === 0) return;
  const sorted = [...diagnostics].sort((a, b) =>
    a.severity === b.severity ? 0 : a.severity === "warn" ? -1 : 1,
  );
  for (const d of sorted) io.err(formatDiagnostic(fromHere(d, projectDir)));
  const errors = diagnostics.filter((d) => d.severity === "error").length;
  if (errors > 0) io.err(`\n${errors} error${errors === 1 ? "" : "s"} found; nothing was run.`);
}

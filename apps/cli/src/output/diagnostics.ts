import { formatDiagnostic } from "@sluice/project/diagnostics";
import type { Diagnostic } from "@sluice/project";
import type { Io } from "../command.js";

/** Print diagnostics to stderr, errors last, with a count line. */
export function printDiagnostics(io: Io, diagnostics: readonly Diagnostic[]): void {
  if (diagnostics.length === 0) return;
  const sorted = [...diagnostics].sort((a, b) =>
    a.severity === b.severity ? 0 : a.severity === "warn" ? -1 : 1,
  );
  for (const d of sorted) io.err(formatDiagnostic(d));
  const errors = diagnostics.filter((d) => d.severity === "error").length;
  if (errors > 0) io.err(`\n${errors} error${errors === 1 ? "" : "s"} found; nothing was run.`);
}

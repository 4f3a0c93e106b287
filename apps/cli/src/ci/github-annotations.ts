import type { CompiledNode } from "@sluice/compiler";
import type { NodeResult } from "@sluice/runner";
import type { ReportContext } from "./junit-xml.js";
import { failureDetail } from "./junit-xml.js";

/** GitHub's workflow-command escaping: of the message, and (also `:` and `,`) of a property. */
const escapeData = (s: string): string =>
  s.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
const escapeProperty = (s: string): string =>
  escapeData(s).replace(/:/g, "%3A").replace(/,/g, "%2C");

/**
 * GitHub Actions annotations (`::error file=…,line=…,title=…::message`) for a run's failures: a
 * failing test or DQDL rule at its rule or properties line, a model or seed that errored at its
 * file; a warning as `::warning`. `root` is the folder the paths are relative to (the checkout:
 * the working directory). One line each, printed to stdout, where the runner reads them.
 *
 * @example githubAnnotations(results, ctx, "models") // ["::error file=models/rules/x.dqdl,line=3,title=..."]
 */
export function githubAnnotations(
  results: readonly NodeResult[],
  ctx: ReportContext,
  root: string,
): string[] {
  const out: string[] = [];
  for (const r of results) {
    const node: CompiledNode | undefined = ctx.nodes.get(r.id);
    if (!node || !["error", "fail", "warn"].includes(r.status)) continue;
    const where = ctx.location(node);
    const level = r.status === "warn" ? "warning" : "error";
    const file = root === "" ? where.file : `${root}/${where.file}`;
    const title = `${r.status.toUpperCase()} ${node.kind} ${node.name}`;
    const message = node.kind === "test" ? failureDetail(r, node, ctx) : r.message;
    out.push(
      `::${level} file=${escapeProperty(file)},line=${where.line},title=${escapeProperty(title)}::${escapeData(message)}`,
    );
  }
  return out;
}

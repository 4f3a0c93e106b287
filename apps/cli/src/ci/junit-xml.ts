import { XMLBuilder } from "fast-xml-parser";
import type { CompiledNode } from "@sluice/compiler";
import type { NodeResult, RunResults } from "@sluice/runner";
import type { FailingSamples } from "./failing-samples.js";
import type { NodeLocation } from "./test-location.js";

/** What the report needs besides the results: each test's node, file position and run/ file. */
export interface ReportContext {
  nodes: ReadonlyMap<string, CompiledNode>;
  location: (node: CompiledNode) => NodeLocation;
  /** The node's compiled SQL under target/run (as the user can open it). */
  sqlPath: (node: CompiledNode) => string;
  samples: FailingSamples;
}

const seconds = (ms: number): string => (ms / 1000).toFixed(3);

/** The failure text of a test: rule or test, metric, compiled SQL file and sample rows. */
export function failureDetail(r: NodeResult, node: CompiledNode, ctx: ReportContext): string {
  const lines = [r.message];
  if (r.dq) {
    lines.push(`rule: ${r.dq.ruleText} (${r.dq.ruleName}, ${r.dq.ruleType})`);
    if (r.dq.metric !== undefined) lines.push(`metric: ${r.dq.metric}`);
  } else if (r.failures !== undefined) lines.push(`failing rows: ${r.failures}`);
  lines.push(`compiled SQL: ${ctx.sqlPath(node)}`);
  const sample = ctx.samples.get(r.id);
  if (sample && sample.length > 0) {
    lines.push(`sample of failing rows (up to ${sample.length}):`);
    for (const row of sample)
      lines.push(
        `  ${JSON.stringify(row, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v))}`,
      );
  }
  return lines.join("\n");
}

/**
 * A JUnit XML report of a run's tests (generic, singular, DQDL rules): one `<testsuite>` per
 * tested node (tests of no one node: `singular`), one `<testcase>` per test with its file and
 * line; `fail` is a `<failure>` (and `warn` too, typed `warn`, so CI shows it), `error` an
 * `<error>`, `skipped` a `<skipped>` with the reason. Parsed by GitHub, GitLab and Jenkins
 * reporters.
 *
 * @example junitXml(results, ctx) // '<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="sluice build" ...'
 */
export function junitXml(results: RunResults, ctx: ReportContext): string {
  const tests = results.results.filter((r) => r.kind === "test" && ctx.nodes.has(r.id));
  const suites = new Map<string, NodeResult[]>();
  for (const r of tests) {
    const key = ctx.nodes.get(r.id)!.attachedTo ?? "singular";
    suites.set(key, [...(suites.get(key) ?? []), r]);
  }
  const count = (rs: readonly NodeResult[], ...statuses: string[]) =>
    rs.filter((r) => statuses.includes(r.status)).length;
  const totals = (rs: readonly NodeResult[]) => ({
    "@_tests": rs.length,
    "@_failures": count(rs, "fail", "warn"),
    "@_errors": count(rs, "error"),
    "@_skipped": count(rs, "skipped"),
    "@_time": seconds(rs.reduce((s, r) => s + r.elapsedMs, 0)),
  });
  const testcase = (r: NodeResult) => {
    const node = ctx.nodes.get(r.id)!;
    const where = ctx.location(node);
    const detail = () => failureDetail(r, node, ctx);
    const type = r.dq?.ruleType ?? node.name;
    return {
      "@_name": node.name,
      "@_classname": (node.attachedTo ?? "singular").replace(/^\w+\./, ""),
      "@_file": where.file,
      "@_line": where.line,
      "@_time": seconds(r.elapsedMs),
      ...(r.status === "fail" || r.status === "warn"
        ? {
            failure: {
              "@_message": r.message,
              "@_type": r.status === "warn" ? `warn ${type}` : type,
              "#text": detail(),
            },
          }
        : r.status === "error"
          ? { error: { "@_message": r.message, "@_type": type, "#text": detail() } }
          : r.status === "skipped"
            ? { skipped: { "@_message": r.message } }
            : {}),
    };
  };
  const doc = {
    "?xml": { "@_version": "1.0", "@_encoding": "UTF-8" },
    testsuites: {
      "@_name": `sluice ${results.command}`,
      ...totals(tests),
      testsuite: [...suites].map(([subject, rs]) => ({
        "@_name": subject,
        ...totals(rs),
        "@_timestamp": results.startedAt,
        testcase: rs.map(testcase),
      })),
    },
  };
  const builder = new XMLBuilder({
    ignoreAttributes: false,
    format: true,
    indentBy: "  ",
    suppressEmptyNode: true,
  });
  return builder.build(doc) as string;
}

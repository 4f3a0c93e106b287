import type { DqRuleset } from "@sluice/dq";

/**
 * `dq parse --format text`: what the file declares, one rule a line with its Glue name and
 * position: `Rule_1  3:5  IsComplete "event_id"  labels: severity=warn`.
 */
export function ruleTexts(ruleset: DqRuleset): string[] {
  const lines: string[] = [];
  if (ruleset.dataSources?.primary) lines.push(`Primary: ${ruleset.dataSources.primary}`);
  if (ruleset.dataSources && ruleset.dataSources.additional.length > 0)
    lines.push(`Additional data sources: ${ruleset.dataSources.additional.join(", ")}`);
  if (ruleset.defaultLabels.length > 0)
    lines.push(
      `Default labels: ${ruleset.defaultLabels.map((l) => `${l.key}=${l.value}`).join(", ")}`,
    );
  lines.push(
    `${ruleset.rules.length} rule${ruleset.rules.length === 1 ? "" : "s"}${ruleset.analyzers.length > 0 ? `, ${ruleset.analyzers.length} analyzers` : ""}:`,
  );
  ruleset.rules.forEach((rule, i) => {
    const labels =
      rule.labels.length > 0
        ? `  labels: ${rule.labels.map((l) => `${l.key}=${l.value}`).join(", ")}`
        : "";
    lines.push(
      `  Rule_${i + 1}  ${rule.at.line}:${rule.at.column}  ${rule.text.replace(/\s+/g, " ")}${labels}`,
    );
  });
  for (const a of ruleset.analyzers)
    lines.push(`  Analyzer  ${a.at.line}:${a.at.column}  ${a.text}`);
  return lines;
}

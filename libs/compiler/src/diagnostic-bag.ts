import type { Diagnostic } from "@sluice/project";

/** Collects diagnostics once each: a model is rendered more than once per compile. */
export class DiagnosticBag {
  readonly items: Diagnostic[] = [];
  private readonly seen = new Set<string>();

  add(d: Diagnostic): void {
    const key = `${d.code}|${d.at?.file}:${d.at?.line}:${d.at?.column}|${d.message}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.items.push(d);
  }
}

import { error } from "@sluice/project/diagnostics";
import type { Diagnostic, SourceLocation } from "@sluice/project";
import { closestHint } from "@sluice/project/suggest";
import { sourceId } from "../sources/source-nodes.js";

/** A position, or how to find it. */
type Located = SourceLocation | (() => SourceLocation);

const locate = (at: Located): SourceLocation => (typeof at === "function" ? at() : at);

/** What ref() and source() names point at, and what to say when they point nowhere. */
export class NameIndex {
  /** ref-able name → node id (enabled models and seeds). */
  readonly refs = new Map<string, string>();
  readonly disabled = new Set<string>();
  /** Names defined twice: refs to them are skipped, the duplicate is reported once. */
  readonly duplicates = new Set<string>();
  readonly sources = new Set<string>();

  /**
   * The node id, a diagnostic, or `null` when the name is a reported duplicate. `at` may be a
   * function: a name's position is found only when it is reported.
   */
  ref(name: string, at: Located): string | Diagnostic | null {
    const id = this.refs.get(name);
    if (id) return id;
    if (this.duplicates.has(name)) return null;
    if (this.disabled.has(name)) {
      return error(
        "UNKNOWN_REF",
        `ref('${name}'): model '${name}' is disabled`,
        locate(at),
        `enable '${name}' or remove the ref`,
      );
    }
    return error(
      "UNKNOWN_REF",
      `ref('${name}'): no model or seed named '${name}'`,
      locate(at),
      closestHint(name, this.refs.keys()),
    );
  }

  source(sourceName: string, table: string, at: Located): string | Diagnostic {
    const id = sourceId(sourceName, table);
    if (this.sources.has(id)) return id;
    const known = [...this.sources].map((s) => s.slice("source.".length));
    return error(
      "UNKNOWN_SOURCE",
      `source('${sourceName}', '${table}'): no source table '${sourceName}.${table}'`,
      locate(at),
      closestHint(`${sourceName}.${table}`, known),
    );
  }
}

import { readFile } from "node:fs/promises";
import path from "node:path";

/** `target/sources.json` (dbt's sources.json v3), as far as `source_status:` reads it. */
interface SourcesFile {
  results?: { unique_id?: string; status?: string; max_loaded_at?: string }[];
}

const SOURCES_FILE = "sources.json";

async function newestRows(dir: string): Promise<Map<string, number> | string> {
  const file = path.join(dir, SOURCES_FILE);
  let parsed: SourcesFile;
  try {
    parsed = JSON.parse(await readFile(file, "utf8")) as SourcesFile;
  } catch (error) {
    const why =
      (error as NodeJS.ErrnoException).code === "ENOENT" ? "is missing" : "does not parse";
    return `${file} ${why}`;
  }
  const out = new Map<string, number>();
  for (const r of parsed.results ?? []) {
    const at = r.max_loaded_at === undefined ? NaN : Date.parse(r.max_loaded_at);
    if (r.unique_id && r.status !== "runtime error" && !Number.isNaN(at)) out.set(r.unique_id, at);
  }
  return out;
}

/**
 * `source_status:fresher`: the sources whose newest row (max_loaded_at) in this project's
 * `target/sources.json` is newer than in `<stateDir>/sources.json`, or that the state does not
 * have. A message (for exit 2) when either file is missing or unreadable.
 *
 * @example await fresherSources("models/target", "prod-artifacts") // Set { "source.raw.events" }
 */
export async function fresherSources(
  targetDir: string,
  stateDir: string,
): Promise<Set<string> | string> {
  const [now, before] = await Promise.all([newestRows(targetDir), newestRows(stateDir)]);
  if (typeof now === "string") return `${now}: run 'sluice source freshness' first`;
  if (typeof before === "string")
    return `${before}: --state must hold the sources.json of the run to compare with`;
  return new Set(
    [...now].filter(([id, at]) => at > (before.get(id) ?? -Infinity)).map(([id]) => id),
  );
}

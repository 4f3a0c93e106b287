import { hash } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { manifestWithoutInvocation } from "./manifest-text.js";

/**
 * Everything compile writes under `target`, by relative path, to compare a warm compile's
 * target/ with a cold one's (#14). Left out: what says when or by which invocation it was written
 * (the manifest's `generated_at`, `invocation_id` and `created_at`, which a warm compile keeps for
 * unchanged nodes as dbt does, and its state index's digest and offset, checked first: see
 * manifest-text.ts; the replay and stamp files; the manifest index, whose offsets
 * follow `created_at`'s digits; the headers of the partial-parse cache, of compile_digests.json
 * and compile_facts.json, and of the state sidecar, which hold file times and the manifest's digest; the head and racy
 * files of the edits base, partial_parse.edits.json; the replaced memo segments kept for other
 * commands' reads, and their ledger: compile_memo/.orphans.json).
 */
export async function targetFiles(target: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  let ppHeader: string | undefined;
  // compile_digests.json and compile_facts.json, whose heads are ties (see below).
  const tied: Record<string, string> = {};
  const orphans = await readFile(path.join(target, "compile_memo", ".orphans.json"), "utf8").then(
    (text) => Object.keys(JSON.parse(text) as object).map((name) => `compile_memo/${name}`),
    (): string[] => [],
  );
  for (const entry of await readdir(target, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const rel = path.relative(target, path.join(entry.parentPath, entry.name));
    if (/^(replay\/|\.artifacts-stamp$|\.manifest-index\.json$)/.test(rel)) continue;
    if (rel === "compile_memo/.orphans.json" || orphans.includes(rel)) continue;
    const text = await readFile(path.join(target, rel), "utf8");
    if (rel === "manifest.json") out[rel] = manifestWithoutInvocation(text);
    else if (rel === "manifest.state.json") out[rel] = text.slice(text.indexOf("\n") + 1);
    else if (rel === "compile_digests.json" || rel === "compile_facts.json") tied[rel] = text;
    else if (rel === "partial_parse.json") {
      // The listing the cache is valid for, then the cached compile.
      const newline = text.indexOf("\n");
      ppHeader = text;
      const { snapshot } = JSON.parse(text.slice(0, newline)) as { snapshot: string };
      out[rel] = `${snapshot}${text.slice(newline)}`;
    } else out[rel] = text;
  }
  const header = (text = "") => text.slice(0, text.indexOf("\n"));
  // Both heads name the partial_parse.json header they belong to (file times, racy hashes):
  // `[format, sha1 (base64) of it]`. One of another header (a killed compile wrote the cache but
  // not them) is never read: left out.
  const live = (text: string) =>
    (JSON.parse(header(text)) as [number, string])[1] === hash("sha1", header(ppHeader), "base64");
  for (const [rel, text] of Object.entries(tied))
    if (live(text)) out[rel] = text.slice(text.indexOf("\n") + 1);
  const edits = out["partial_parse.edits.json"];
  if (edits !== undefined) {
    // Its second line's `racy` holds file times too; its third (the skeletons) is compared as is.
    const [, second = "", skeletons] = edits.split("\n");
    const { racy: _racy, ...body } = JSON.parse(second) as { racy: unknown };
    if (live(edits)) out["partial_parse.edits.json"] = `${JSON.stringify(body)}\n${skeletons}`;
    else delete out["partial_parse.edits.json"];
  }
  return out;
}

/** Where two texts part, as a short excerpt of each (the texts can be MB). */
export function firstDifference(a = "<missing>", b = "<missing>"): string {
  let i = 0;
  while (i < a.length && a[i] === b[i]) i++;
  return `at ${i}: warm …${a.slice(i - 60, i + 60)}… cold …${b.slice(i - 60, i + 60)}…`;
}

/**
 * The files that differ between a warm and a cold target/ (see {@link targetFiles}), each with
 * where. The partial-parse caches are compared only when both are valid for the same listing
 * (a cold compile of edits in the racy window writes none).
 */
export function targetDifferences(
  warm: Record<string, string>,
  cold: Record<string, string>,
): string[] {
  const listing = (text?: string) => text?.slice(0, text.indexOf("\n"));
  // compile_digests.json and compile_facts.json go with the partial-parse cache (their headers
  // name the cache's).
  const skip =
    listing(warm["partial_parse.json"]) !== listing(cold["partial_parse.json"])
      ? ["partial_parse.json", "compile_digests.json", "compile_facts.json"]
      : [];
  // A live edits base, compile digests or facts on one side only: the other's was left by a
  // killed compile (see above), so it is not read; only the speed-ups they carry are lost.
  const oneSide = (f: string) =>
    ["partial_parse.edits.json", "compile_digests.json", "compile_facts.json"].includes(f) &&
    (warm[f] === undefined) !== (cold[f] === undefined);
  return Object.keys({ ...warm, ...cold })
    .filter((f) => !skip.includes(f) && !oneSide(f) && warm[f] !== cold[f])
    .map((f) => `${f}: ${firstDifference(warm[f], cold[f])}`);
}

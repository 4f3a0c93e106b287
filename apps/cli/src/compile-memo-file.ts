import { mkdirSync, readFileSync } from "node:fs";
import path from "node:path";
import type { CompileMemo, ModelMemo } from "@sluice/compiler";
import type { ParsedProperties, PropertiesMemo } from "@sluice/project";
import { buildId } from "./compile-cache.js";
import { writeHeadedFile } from "./headed-file.js";
import { jsonPieces } from "./json-pieces.js";

/**
 * `target/compile_memo.json`: what a load and compile can reuse from the previous one, kept
 * between commands: parsed properties YAML by file content (`PropertiesMemo` in @sluice/project)
 * and the per-model compile memo (`CompileMemo` in @sluice/compiler), so a compile after an edit
 * parses that file and renders only the models the edit reaches. Unlike `partial_parse.json` it
 * is checked by content, not by file times: it is used whenever it was written by this sluice
 * build for this project folder. The first line is the header, the memo's JSON follows.
 */
const MEMO_FILE = "compile_memo.json";
const FORMAT = 1;

/** Both memos of one load and compile. */
export interface LoadMemo {
  properties: PropertiesMemo;
  models: CompileMemo;
}

interface Saved {
  properties: Record<string, ParsedProperties>;
  models: Record<string, ModelMemo>;
}

const header = (dir: string): string => JSON.stringify({ format: FORMAT, build: buildId(), dir });

/** Memos holding the previous compile's entries (none when missing, stale or unreadable). */
export function readLoadMemo(targetDir: string, dir: string): LoadMemo {
  let saved: Saved = { properties: {}, models: {} };
  try {
    const text = readFileSync(path.join(targetDir, MEMO_FILE), "utf8");
    const newline = text.indexOf("\n");
    if (text.slice(0, newline) === header(dir))
      saved = JSON.parse(text.slice(newline + 1)) as Saved;
  } catch {
    // No memo: everything is loaded and compiled.
  }
  return {
    properties: { previous: saved.properties, next: {} },
    models: { previous: saved.models, next: {} },
  };
}

/** Whether `next` holds exactly the entries of `previous` (by key). */
const sameKeys = (previous: object, next: object): boolean => {
  const keys = Object.keys(previous);
  return keys.length === Object.keys(next).length && keys.every((k) => k in next);
};

/** Save the memos a load and compile filled, unless they hold exactly what was read. */
export function writeLoadMemo(targetDir: string, dir: string, memo: LoadMemo): void {
  const { properties, models } = memo;
  const same =
    models.parsed?.length === 0 &&
    models.rendered?.length === 0 &&
    models.tested?.length === 0 &&
    sameKeys(models.previous, models.next) &&
    sameKeys(properties.previous, properties.next);
  if (same) return;
  const saved: Saved = { properties: properties.next, models: models.next };
  try {
    mkdirSync(targetDir, { recursive: true });
    // In pieces, one memo entry each: at 10,000 models the memo is a 34 MB text.
    writeHeadedFile(path.join(targetDir, MEMO_FILE), header(dir), jsonPieces(saved, 1));
  } catch {
    // A read-only project still works, only without the memo.
  }
}

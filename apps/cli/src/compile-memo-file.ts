import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { CompileMemo, ModelMemo } from "@sluice/compiler";
import { buildId } from "./compile-cache.js";

/**
 * `target/compile_memo.json`: the per-model compile memo (see `CompileMemo` in
 * @sluice/compiler) kept between commands, so a compile after an edit parses and renders only the
 * models the edit reaches. Unlike `partial_parse.json` it is checked by content, not by file
 * times: it is used whenever it was written by this sluice build for this project folder.
 * The first line is the header, the memo's JSON follows.
 */
const MEMO_FILE = "compile_memo.json";
const FORMAT = 1;

interface Header {
  format: number;
  build: string;
  dir: string;
}

const header = (dir: string): Header => ({ format: FORMAT, build: buildId(), dir });

/** A memo holding the previous compile's entries (none when missing, stale or unreadable). */
export function readCompileMemo(targetDir: string, dir: string): CompileMemo {
  try {
    const text = readFileSync(path.join(targetDir, MEMO_FILE), "utf8");
    const newline = text.indexOf("\n");
    if (text.slice(0, newline) === JSON.stringify(header(dir)))
      return {
        previous: JSON.parse(text.slice(newline + 1)) as Record<string, ModelMemo>,
        next: {},
      };
  } catch {
    // No memo: everything is compiled.
  }
  return { previous: {}, next: {} };
}

/** Save the memo a compile filled, unless it holds exactly what was read. */
export function writeCompileMemo(targetDir: string, dir: string, memo: CompileMemo): void {
  const previous = Object.keys(memo.previous);
  const same =
    memo.parsed?.length === 0 &&
    memo.rendered?.length === 0 &&
    previous.length === Object.keys(memo.next).length &&
    previous.every((id) => id in memo.next);
  if (same) return;
  try {
    mkdirSync(targetDir, { recursive: true });
    const tmp = path.join(targetDir, `${MEMO_FILE}.${process.pid}.tmp`);
    writeFileSync(tmp, `${JSON.stringify(header(dir))}\n${JSON.stringify(memo.next)}`);
    renameSync(tmp, path.join(targetDir, MEMO_FILE));
  } catch {
    // A read-only project still works, only without the memo.
  }
}

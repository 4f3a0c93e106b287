import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Diagnostic } from "@sluice/project";
import { afterEach, describe, expect, it } from "vitest";
import { readAthenaCheckMemo, writeAthenaCheckMemo } from "./athena-check-memo.js";

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));
const tempDir = (): string => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "sluice-athena-memo-"));
  dirs.push(dir);
  return dir;
};

const runA = "20261204T130000Z_aaaa";
const runB = "20261204T140000Z_bbbb";
const finding = (run: string): Diagnostic => ({
  code: "ATHENA_SYNTAX",
  severity: "warn",
  message: `Athena would reject model.funnel: ')' is not valid in \`from t_${run}\``,
  at: { file: "marts/funnel.sql", line: 31, column: 1 },
});
const key = (runId: string, ids = ["model.funnel", "model.events"]) => ({
  header: '{"format":2,"snapshot":"abc"}',
  ids,
  runId,
});

describe("Athena check memo", () => {
  it("the next run of the same compile and selection reads the findings, in its own run id", () => {
    const dir = tempDir();
    writeAthenaCheckMemo(dir, key(runA), [], [finding(runA)]);
    expect(readAthenaCheckMemo(dir, key(runB))).toEqual([finding(runB)]);
    // The same selection in another order is the same selection.
    expect(readAthenaCheckMemo(dir, key(runB, ["model.events", "model.funnel"]))).toEqual([
      finding(runB),
    ]);
    writeAthenaCheckMemo(dir, key(runA), [], []);
    expect(readAthenaCheckMemo(dir, key(runB))).toEqual([]);
  });

  it("another compile (header), selection or value of a variable read: none", () => {
    const dir = tempDir();
    const name = "SLUICE_MEMO_TEST_VAR";
    process.env[name] = "one";
    try {
      writeAthenaCheckMemo(dir, key(runA), [name], [finding(runA)]);
      expect(readAthenaCheckMemo(dir, key(runB))).toHaveLength(1);
      expect(readAthenaCheckMemo(dir, { ...key(runB), header: "{}" })).toBeUndefined();
      expect(readAthenaCheckMemo(dir, key(runB, ["model.funnel"]))).toBeUndefined();
      process.env[name] = "two";
      expect(readAthenaCheckMemo(dir, key(runB))).toBeUndefined();
      delete process.env[name];
      expect(readAthenaCheckMemo(dir, key(runB))).toBeUndefined();
    } finally {
      delete process.env[name];
    }
  });

  it("no memo, a torn one, or a folder that cannot be written: none, and nothing fails", () => {
    const dir = tempDir();
    expect(readAthenaCheckMemo(dir, key(runA))).toBeUndefined();
    writeFileSync(path.join(dir, "athena_check.json"), '{"format":1,');
    expect(readAthenaCheckMemo(dir, key(runA))).toBeUndefined();
    // JSON, but not a memo (a file edited or damaged): none.
    for (const text of ["null", "7", '"memo"', "[]", "{}"]) {
      writeFileSync(path.join(dir, "athena_check.json"), text);
      expect(readAthenaCheckMemo(dir, key(runA)), text).toBeUndefined();
    }
    writeAthenaCheckMemo(dir, key(runA), [], []);
    const memo = JSON.parse(readFileSync(path.join(dir, "athena_check.json"), "utf8")) as object;
    writeFileSync(path.join(dir, "athena_check.json"), JSON.stringify({ ...memo, env: null }));
    expect(readAthenaCheckMemo(dir, key(runA))).toBeUndefined();
    const file = path.join(dir, "a-file");
    writeFileSync(file, "");
    expect(() => writeAthenaCheckMemo(file, key(runA), [], [])).not.toThrow();
    expect(readAthenaCheckMemo(file, key(runA))).toBeUndefined();
  });
});

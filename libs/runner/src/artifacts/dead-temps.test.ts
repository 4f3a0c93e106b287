import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { removeDeadTemps } from "./dead-temps.js";

describe("removeDeadTemps", () => {
  let dir: string;
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("removes the temporary files of exited processes only", () => {
    dir = mkdtempSync(path.join(os.tmpdir(), "sluice-temps-"));
    // A process that has exited: its pid is free (reuse within this test is unlikely).
    const exited = spawnSync(process.execPath, ["-e", "0"]).pid;
    const names = [
      `partial_parse.json.${exited}.tmp`,
      `manifest.json.${process.pid}.tmp`,
      `compile_memo.json.${process.ppid}.tmp`,
      "manifest.json",
      ".artifact-hashes.json.tmp",
    ];
    for (const name of names) writeFileSync(path.join(dir, name), "x");
    expect(removeDeadTemps(dir)).toEqual([`partial_parse.json.${exited}.tmp`]);
    expect(readdirSync(dir).sort()).toEqual(names.slice(1).sort());
    expect(removeDeadTemps(path.join(dir, "missing"))).toEqual([]);
  });
});

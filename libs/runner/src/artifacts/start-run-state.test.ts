import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { startRunState, StateError } from "./read-state.js";

describe("startRunState: what fails at once, and what only once the manifest is hashed", () => {
  const dirs: string[] = [];
  const tmp = () => {
    const d = mkdtempSync(path.join(os.tmpdir(), "sluice-start-state-"));
    dirs.push(d);
    return d;
  };
  afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));
  /** A sidecar naming a manifest of another sha256 (as one copied with another manifest). */
  const staleSidecar = (dir: string) =>
    writeFileSync(
      path.join(dir, "manifest.state.json"),
      `${JSON.stringify({ format: 2, manifest: "0".repeat(64) })}\n{"adapter":"duckdb","count":0,"columns":["","","","","","",""]}`,
    );

  it("a missing manifest fails the first step, its sidecar there or not", async () => {
    const dir = tmp();
    await expect(startRunState(dir)).rejects.toThrow(/--state: cannot read .*manifest\.json/);
    staleSidecar(dir);
    await expect(startRunState(dir)).rejects.toThrow(StateError);
  });

  it("a manifest without sidecar that is not JSON fails the first step", async () => {
    const dir = tmp();
    writeFileSync(path.join(dir, "manifest.json"), "{ not json");
    await expect(startRunState(dir)).rejects.toThrow(/is not JSON/);
  });

  it("a sidecar that does not match its manifest fails, as the manifest, the second step", async () => {
    const dir = tmp();
    writeFileSync(path.join(dir, "manifest.json"), "{ not json");
    staleSidecar(dir);
    const finish = await startRunState(dir);
    await expect(finish()).rejects.toThrow(/is not JSON/);
  });
});

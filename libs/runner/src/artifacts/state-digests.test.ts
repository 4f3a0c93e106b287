import { createHash } from "node:crypto";
import {
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { checksumsKey, compileProject, packChecksums, partChecksums } from "@sluice/compiler";
import type { ChecksumsBefore, CompiledProject } from "@sluice/compiler";
import { createDuckdbDialect } from "@sluice/dialects";
import { loadProject } from "@sluice/project";
import type { Project } from "@sluice/project";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { writeManifest } from "./manifest-file.js";
import { readRunState } from "./read-state.js";
import { cachedChecksums } from "./state-cache.js";
import { withoutStateIndex } from "./state-index.js";

const modelsDir = fileURLToPath(new URL("../../../../models", import.meta.url));
const inv = (id: string) => ({ generatedAt: new Date("2026-12-01T00:00:00Z"), invocationId: id });
const modified = ["body", "configs", "relation", "contract"] as const;
/** The compile memo's digest of a node, from its definition: sha1 (base64) of its JSON. */
const digestsOf = (c: CompiledProject) =>
  new Map(
    c.nodes
      .filter((n) => n.kind !== "source")
      .map((n) => [n.id, createHash("sha1").update(JSON.stringify(n)).digest("base64")]),
  );
/** {@link digestsOf} by position in `c.nodes`, as a selection gives them. */
const digestList = (c: CompiledProject) => {
  const digests = digestsOf(c);
  return c.nodes.map((n) => digests.get(n.id));
};
/** A state's recorded digest or checksums of node `id` (by its row). */
const ofId = <T>(before: ChecksumsBefore, id: string, read: (row: number) => T) =>
  read(before.rowOf(id)!);
/** Every node's checksums of `modified`, hashed here node by node. */
const hashed = (project: Project, c: CompiledProject) =>
  new Map([...partChecksums(project, c, modified)].map(([id, s]) => [id, packChecksums(s)]));

describe("compile digests in a state, and the checksums a selection takes from them", () => {
  let project: Project;
  let compiled: CompiledProject;
  const dirs: string[] = [];
  const tmp = () => {
    const d = mkdtempSync(path.join(os.tmpdir(), "sluice-digests-"));
    dirs.push(d);
    return d;
  };
  beforeAll(async () => {
    project = await loadProject(modelsDir, { env: {} });
    compiled = compileProject(project, { runId: "r1", dialect: createDuckdbDialect() });
  });
  afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

  it("are recorded in the sidecar and the state index, and give the hashed checksums", async () => {
    const state = tmp();
    writeManifest(state, project, compiled, inv("a"), "b1", {
      digests: digestsOf(compiled),
      recordDigests: true,
    });
    const manifestOnly = tmp();
    writeFileSync(
      path.join(manifestOnly, "manifest.json"),
      readFileSync(path.join(state, "manifest.json")),
    );
    // An edited model: its digest and checksums differ from the state's.
    const now = structuredClone(compiled);
    const edited = now.nodes.find((n) => n.id === "model.funnel")!;
    edited.sql = `${edited.sql}\n-- edited`;
    const expected = hashed(project, now);
    for (const dir of [state, manifestOnly]) {
      const before = (await readRunState(dir)).nodes.checksumsBefore()!;
      expect(before.key).toBe(checksumsKey());
      expect(ofId(before, "model.funnel", before.digest)).toBe(
        digestsOf(compiled).get("model.funnel"),
      );
      const current = structuredClone(now);
      const sums = cachedChecksums(project, current, tmp(), undefined, modified, () => ({
        before,
        digests: digestList(current),
      }));
      expect(new Map(sums)).toEqual(expected);
      expect(unpackedBody(sums.get("model.funnel")!)).not.toBe(
        unpackedBody(ofId(before, "model.funnel", before.packed)!),
      );
    }
    // Taken, not hashed: a state's checksums changed here by hand show through, for an unchanged
    // node (its parent a source: compared by relation) and not for the edited one.
    const before = (await readRunState(state)).nodes.checksumsBefore()!;
    const fake = "feedfacefeedface feedfacefeedface feedfacefeedface x feedfacefeedface";
    const faked = { ...before, packed: () => fake };
    const current = structuredClone(now);
    const sums = cachedChecksums(project, current, tmp(), undefined, modified, () => ({
      before: faked,
      digests: digestList(current),
    }));
    expect(sums.get("model.stg_events")).toBe(fake.replace(" x ", "  "));
    expect(sums.get("model.funnel")).toBe(expected.get("model.funnel"));
  });

  it("are absent from a state written without them (or by dbt): nothing is reused", async () => {
    const state = tmp();
    writeManifest(state, project, compiled, inv("a"), "b1");
    expect((await readRunState(state)).nodes.checksumsBefore()).toBe(undefined);
    const dbt = tmp();
    writeManifest(dbt, project, compiled, inv("a"), "b1", {
      digests: digestsOf(compiled),
      recordDigests: true,
    });
    const text = readFileSync(path.join(dbt, "manifest.json"), "utf8");
    rmSync(path.join(dbt, "manifest.state.json"));
    writeFileSync(path.join(dbt, "manifest.json"), withoutStateIndex(text));
    expect((await readRunState(dbt)).nodes.checksumsBefore()).toBe(undefined);
  });

  it("are not read from a state_manifest.json of format 3 (no digests): the state is read again", async () => {
    const state = tmp();
    writeManifest(state, project, compiled, inv("a"), "b1", {
      digests: digestsOf(compiled),
      recordDigests: true,
    });
    const manifest = path.join(state, "manifest.json");
    const aMinuteAgo = new Date(Date.now() - 60_000);
    utimesSync(manifest, aMinuteAgo, aMinuteAgo);
    const cacheDir = path.join(tmp(), "target");
    mkdirSync(cacheDir);
    const s = statSync(manifest);
    // As format 3 kept it, by hand: one node, no digests.
    const key = JSON.stringify([3, path.resolve(manifest), s.size, s.mtimeMs, s.ino]);
    const one = ["model.x", "feedfacefeedface    ", "s", "x", "model", "table", ""];
    const value = { adapter: "duckdb", count: 1, columns: one };
    writeFileSync(path.join(cacheDir, "state_manifest.json"), `${key}\n${JSON.stringify(value)}`);
    const read = await readRunState(state, { cacheDir });
    expect(read.nodes.has("model.x")).toBe(false);
    const readBefore = read.nodes.checksumsBefore()!;
    expect(ofId(readBefore, "model.funnel", readBefore.digest)).toBe(
      digestsOf(compiled).get("model.funnel"),
    );
    // Kept in format 4, with the digests: read back from there.
    const again = await readRunState(state, { cacheDir });
    expect(again.nodes.checksumsBefore()?.key).toBe(checksumsKey());
  });
});

const unpackedBody = (packed: string) => packed.split(" ")[0];

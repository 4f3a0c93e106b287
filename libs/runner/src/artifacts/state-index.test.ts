import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { compileProject } from "@sluice/compiler";
import type { CompiledProject } from "@sluice/compiler";
import { createDuckdbDialect } from "@sluice/dialects";
import { loadProject } from "@sluice/project";
import type { Project } from "@sluice/project";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { dbtManifest } from "./dbt-manifest.js";
import { writeManifest } from "./manifest-file.js";
import { readRunState } from "./read-state.js";
import { readStateIndex, STATE_INDEX_KEY, withoutStateIndex } from "./state-index.js";

const modelsDir = fileURLToPath(new URL("../../../../models", import.meta.url));
// Run ids as a run makes them (see manifest-file.test.ts).
const inv = (id: string) => ({
  generatedAt: new Date("2026-12-01T00:00:00Z"),
  invocationId: `20261201T000000Z_${id}`,
});

describe("the state index inside manifest.json (selectors.sluice_state_index)", () => {
  let project: Project;
  let compiled: CompiledProject;
  const dirs: string[] = [];
  /** A state folder holding `text` as its manifest.json alone (no sidecar). */
  const stateOf = (text: string) => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "sluice-state-index-"));
    dirs.push(dir);
    writeFileSync(path.join(dir, "manifest.json"), text);
    return dir;
  };
  /** A manifest as sluice writes it (sidecar left behind). */
  const written = (c: CompiledProject = compiled) => {
    const dir = stateOf("");
    writeManifest(dir, project, c, inv("a"), "b1");
    return readFileSync(path.join(dir, "manifest.json"), "utf8");
  };
  /** What --state reads from a manifest folder, and the warnings it gave. */
  const read = async (dir: string) => {
    const warnings: string[] = [];
    const state = await readRunState(dir, { warn: (m) => warnings.push(m) });
    return { nodes: new Map(state.nodes), warnings };
  };
  beforeAll(async () => {
    project = await loadProject(modelsDir, { env: {} });
    compiled = compileProject(project, { runId: "r1", dialect: createDuckdbDialect() });
  });
  afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

  it("is the last key of the manifest, and reads as scanning the manifest's entries does", async () => {
    const text = written();
    const parsed = JSON.parse(text) as Record<string, unknown>;
    // A manifest dbt's tools read: one selector more, as the last top-level key.
    expect(Object.keys(parsed).at(-1)).toBe("selectors");
    expect(Object.keys(parsed.selectors as object)).toEqual([STATE_INDEX_KEY]);
    expect(JSON.parse(withoutStateIndex(text))).toEqual(
      JSON.parse(JSON.stringify(dbtManifest(project, compiled, inv("a")))),
    );
    const dir = stateOf(text);
    const index = readStateIndex(path.join(dir, "manifest.json"));
    expect(index).toHaveProperty("value.count", compiled.nodes.length);
    const fromIndex = await read(dir);
    const scanned = await read(stateOf(withoutStateIndex(text)));
    expect(fromIndex.warnings).toEqual([]);
    // A manifest without an index (dbt's) is scanned, with no warning.
    expect(scanned.warnings).toEqual([]);
    expect(readStateIndex(path.join(stateOf(withoutStateIndex(text)), "manifest.json"))).toBe(
      undefined,
    );
    expect(fromIndex.nodes.size).toBe(compiled.nodes.length);
    expect(fromIndex.nodes).toEqual(scanned.nodes);
  });

  it("is told from the file when the manifest was edited: warned, and the entries are scanned", async () => {
    const text = written();
    const body = (
      JSON.parse(text) as {
        nodes: Record<string, { meta: { sluice: { checksums: { body: string } } } }>;
      }
    ).nodes["model.ecommerce.funnel"]!.meta.sluice.checksums.body;
    // An entry changed (same length): the index still holds the old digest.
    const entryEdited = text.replace(`"body":"${body}"`, `"body":"feedfacefeedface"`);
    expect(entryEdited).not.toBe(text);
    const edited = await read(stateOf(entryEdited));
    expect(edited.warnings).toHaveLength(1);
    expect(edited.warnings[0]).toMatch(
      /manifest\.json: its state index .* does not match the file/,
    );
    expect(edited.nodes.get("model.funnel")?.checksums.body).toBe("feedfacefeedface");
    // The index's own columns changed: the digest covers them too.
    const at = text.lastIndexOf(body);
    const indexEdited = `${text.slice(0, at)}0000000000000000${text.slice(at + body.length)}`;
    const fromEdited = await read(stateOf(indexEdited));
    expect(fromEdited.warnings[0]).toMatch(/does not match the file/);
    expect(fromEdited.nodes.get("model.funnel")?.checksums.body).toBe(body);
    // Reformatted (as by jq): the index is there but no longer where it says.
    const pretty = await read(stateOf(`${JSON.stringify(JSON.parse(text), null, 2)}\n`));
    expect(pretty.warnings[0]).toMatch(/is not as sluice wrote it/);
    expect(pretty.nodes).toEqual((await read(stateOf(text))).nodes);
    // An offset that points elsewhere.
    const moved = text.replace(
      /"at":(\d+)\}\}\}\n$/,
      (_, n: string) => `"at":${Number(n) - 1}}}}\n`,
    );
    expect((await read(stateOf(moved))).warnings[0]).toMatch(/state index/);
  });

  it("is cut in ranges that cover the file; a format-1 index (one sha256, no ranges) is still read", async () => {
    const text = written();
    const tail = /,"ranges":\[([\d,]+)\],"digest":"([0-9a-f]{64})","at":(\d+)\}\}\}\n$/.exec(text)!;
    expect(tail).not.toBeNull();
    const bytes = Buffer.from(text);
    const before = bytes.length - Buffer.byteLength(tail[0]);
    const lengths = tail[1]!.split(",").map(Number);
    expect(lengths.reduce((a, b) => a + b, 0)).toBe(before);
    // Every entry of the models project in one range of its section (64 a range at least).
    expect(lengths.length).toBeGreaterThan(3);
    // As an older sluice wrote it: format 1, its digest the sha256 of every byte before it.
    const at = Number(tail[3]);
    const head = bytes.subarray(0, before).toString();
    const atChar = bytes.subarray(0, at).toString().length;
    expect(head.slice(atChar, atChar + 11)).toBe('{"format":2');
    const body = `${head.slice(0, atChar)}{"format":1${head.slice(atChar + 11)}`;
    const sha = createHash("sha256").update(body).digest("hex");
    const old = `${body},"digest":"${sha}","at":${at}}}}\n`;
    const fromOld = await read(stateOf(old));
    expect(fromOld.warnings).toEqual([]);
    expect(readStateIndex(path.join(stateOf(old), "manifest.json"))).toHaveProperty("value");
    expect(fromOld.nodes).toEqual((await read(stateOf(text))).nodes);
    // Bytes added after the last range (its digest and ranges as they were): not as written.
    const added = text.replace(`,"ranges":[${tail[1]}]`, `,"x":1,"ranges":[${tail[1]}]`);
    expect((await read(stateOf(added))).warnings[0]).toMatch(/does not match the file/);
  });

  it("is rewritten with the manifest: a changed model's new digests are in it, and it checks out", async () => {
    const dir = stateOf("");
    writeManifest(dir, project, compiled, inv("a"), "b1");
    const before = (await read(dir)).nodes.get("model.funnel")!.checksums.body;
    const changed: CompiledProject = {
      ...compiled,
      nodes: compiled.nodes.map((n) =>
        n.id === "model.funnel" ? { ...n, sql: `${n.sql} union all select * from x` } : n,
      ),
    };
    expect(writeManifest(dir, project, changed, inv("b"), "b1").built).toBe(1);
    rmSync(path.join(dir, "manifest.state.json"));
    const after = await read(dir);
    expect(after.warnings).toEqual([]);
    expect(after.nodes.get("model.funnel")!.checksums.body).not.toBe(before);
    const text = readFileSync(path.join(dir, "manifest.json"), "utf8");
    expect(after.nodes).toEqual((await read(stateOf(withoutStateIndex(text)))).nodes);
  });
});

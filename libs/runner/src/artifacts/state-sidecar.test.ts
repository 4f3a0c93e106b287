import { createHash } from "node:crypto";
import {
  copyFileSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { compileProject, nodeChecksums, packChecksums, unpackChecksums } from "@sluice/compiler";
import type { CompiledProject } from "@sluice/compiler";
import { createDuckdbDialect } from "@sluice/dialects";
import { loadProject } from "@sluice/project";
import type { Project } from "@sluice/project";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { writeManifest } from "./manifest-file.js";
import { readRunState } from "./read-state.js";
import { cachedChecksums } from "./state-cache.js";
import { withoutStateIndex } from "./state-index.js";

const modelsDir = fileURLToPath(new URL("../../../../models", import.meta.url));
// Run ids as a run makes them (see manifest-file.test.ts).
const inv = (id: string) => ({
  generatedAt: new Date("2026-12-01T00:00:00Z"),
  invocationId: `20261201T000000Z_${id}`,
});
const sha256 = (bytes: Buffer) => createHash("sha256").update(bytes).digest("hex");
/**
 * The digest of a manifest sluice wrote, made here from its bytes (see state-index.ts): the
 * sha256 of one line `<length> <sha256 of the range>` per range its tail lists, the ranges
 * covering every byte before `,"ranges"`.
 */
const manifestDigest = (file: string) => {
  const bytes = readFileSync(file);
  const tail = /,"ranges":\[([\d,]+)\],"digest":"[0-9a-f]{64}","at":\d+\}\}\}\n$/.exec(
    bytes.toString("latin1"),
  );
  expect(tail).not.toBeNull();
  let from = 0;
  const lines = tail![1]!.split(",").map((length) => {
    const range = bytes.subarray(from, (from += Number(length)));
    return `${length} ${sha256(range)}\n`;
  });
  expect(from).toBe(tail!.index);
  return sha256(Buffer.from(lines.join("")));
};
const sidecarKey = (dir: string) =>
  JSON.parse(readFileSync(path.join(dir, "manifest.state.json"), "utf8").split("\n")[0]!) as {
    manifest: string;
    compile?: string;
  };

describe("manifest.state.json, the sidecar of manifest.json that --state reads", () => {
  let project: Project;
  let compiled: CompiledProject;
  const dirs: string[] = [];
  const tmp = () => {
    const d = mkdtempSync(path.join(os.tmpdir(), "sluice-sidecar-"));
    dirs.push(d);
    return d;
  };
  /**
   * A copy of `from`'s manifest.json alone and without its state index (as dbt writes it): read
   * by scanning the manifest.
   */
  const manifestOnly = (from: string) => {
    const dir = tmp();
    const text = readFileSync(path.join(from, "manifest.json"), "utf8");
    writeFileSync(path.join(dir, "manifest.json"), withoutStateIndex(text));
    return dir;
  };
  beforeAll(async () => {
    project = await loadProject(modelsDir, { env: {} });
    compiled = compileProject(project, { runId: "r1", dialect: createDuckdbDialect() });
  });
  afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

  it("names the manifest's digest and holds what parsing the manifest gives, kept in step", async () => {
    const target = tmp();
    writeManifest(target, project, compiled, inv("a"), "b1", { compileKey: "header-1" });
    expect(sidecarKey(target).manifest).toBe(manifestDigest(path.join(target, "manifest.json")));
    const parsed = await readRunState(manifestOnly(target));
    expect(new Map((await readRunState(target)).nodes)).toEqual(new Map(parsed.nodes));
    expect(parsed.nodes.size).toBe(compiled.nodes.length);
    // One model changed: its row is rebuilt, the others copied, and all still match.
    const changed: CompiledProject = {
      ...compiled,
      nodes: compiled.nodes.map((n) =>
        n.id === "model.funnel" ? { ...n, sql: `${n.sql} union all select * from x` } : n,
      ),
    };
    expect(
      writeManifest(target, project, changed, inv("b"), "b1", { compileKey: "header-2" }).built,
    ).toBe(1);
    expect(sidecarKey(target).manifest).toBe(manifestDigest(path.join(target, "manifest.json")));
    const after = await readRunState(target);
    expect(new Map(after.nodes)).toEqual(new Map((await readRunState(manifestOnly(target))).nodes));
    expect(after.nodes.get("model.funnel")?.checksums.body).not.toBe(
      parsed.nodes.get("model.funnel")?.checksums.body,
    );
    // Nothing changed but the compile: the manifest is kept, the sidecar names the new compile.
    const before = sidecarKey(target).compile;
    expect(
      writeManifest(target, project, changed, inv("c"), "b1", { compileKey: "header-3" }).written,
    ).toBe(false);
    expect(sidecarKey(target).compile).not.toBe(before);
  });

  it("is read instead of the manifest only while the manifest is the one it names", async () => {
    const state = tmp();
    writeManifest(state, project, compiled, inv("a"), "b1");
    const sidecar = path.join(state, "manifest.state.json");
    // Told apart from the manifest: a schema only the sidecar says.
    // The schema column is one string: "marts" between quotes or escaped newlines.
    const text = readFileSync(sidecar, "utf8");
    writeFileSync(sidecar, text.replaceAll(/(?<=\\n|")marts(?=\\n|")/g, "sidecar"));
    const relation = async () => (await readRunState(state)).nodes.get("model.funnel")?.relation;
    expect((await relation())?.schema).toBe("sidecar");
    // The manifest edited (one byte, same size and time): its sidecar no longer describes it.
    const file = path.join(state, "manifest.json");
    const { mtime } = await import("node:fs").then((fs) => fs.statSync(file));
    writeFileSync(
      file,
      readFileSync(file, "utf8").replaceAll('"schema":"marts"', '"schema":"mart2"'),
    );
    utimesSync(file, mtime, mtime);
    expect((await relation())?.schema).toBe("mart2");
  });

  it("is kept in this project's state cache as read: read back from there without it", async () => {
    const state = tmp();
    const cacheDir = tmp();
    writeManifest(state, project, compiled, inv("a"), "b1");
    const sidecar = path.join(state, "manifest.state.json");
    // A schema only the sidecar says (see above); the manifest a minute old, so not racy.
    const text = readFileSync(sidecar, "utf8");
    writeFileSync(sidecar, text.replaceAll(/(?<=\\n|")marts(?=\\n|")/g, "sidecar"));
    const aMinuteAgo = new Date(Date.now() - 60_000);
    utimesSync(path.join(state, "manifest.json"), aMinuteAgo, aMinuteAgo);
    const first = await readRunState(state, { cacheDir });
    expect(first.nodes.get("model.funnel")?.relation.schema).toBe("sidecar");
    rmSync(sidecar);
    const again = await readRunState(state, { cacheDir });
    expect(again.adapter).toBe(first.adapter);
    expect(new Map(again.nodes)).toEqual(new Map(first.nodes));
  });

  it("gives this project's checksums for the compile it names (no hashing of every node)", () => {
    const target = tmp();
    writeManifest(target, project, compiled, inv("a"), "b1", { compileKey: "header-1" });
    const computed = nodeChecksums(project, compiled);
    // A compile with no nodes of its own to hash: only the sidecar can answer.
    const sidecar = path.join(target, "manifest.state.json");
    const text = readFileSync(sidecar, "utf8");
    writeFileSync(sidecar, text.replace(computed.get("model.funnel")!.body, "feedfacefeedface"));
    const fromSidecar = cachedChecksums(project, compiled, target, "header-1");
    expect(unpackChecksums(fromSidecar.get("model.funnel")!).body).toBe("feedfacefeedface");
    expect(fromSidecar.get("model.stg_events")).toBe(
      packChecksums(computed.get("model.stg_events")!),
    );
    // Another compile: computed, not taken from the sidecar.
    const other = tmp();
    copyFileSync(sidecar, path.join(other, "manifest.state.json"));
    expect(cachedChecksums(project, compiled, other, "header-2").get("model.funnel")).toBe(
      packChecksums(computed.get("model.funnel")!),
    );
  });

  it("holds its rows as columns (format 2), and a format-1 sidecar (rows) is still read", async () => {
    const state = tmp();
    writeManifest(state, project, compiled, inv("a"), "b1", { compileKey: "header-1" });
    const sidecar = path.join(state, "manifest.state.json");
    const [keyLine, valueLine] = readFileSync(sidecar, "utf8").split("\n");
    const key = JSON.parse(keyLine!) as { format: number };
    const value = JSON.parse(valueLine!) as { adapter: string; count: number; columns: string[] };
    expect(key.format).toBe(2);
    expect(value.count).toBe(compiled.nodes.length);
    expect(value.columns).toHaveLength(7);
    const fromManifest = new Map((await readRunState(manifestOnly(state))).nodes);
    expect(new Map((await readRunState(state)).nodes)).toEqual(fromManifest);
    // The same rows as format 1 wrote them, one schema changed to tell the sidecar's answer apart.
    const split = value.columns.map((c) => c.split("\n"));
    const rows = split[0]!.map((_, i) => split.map((f) => f[i]!));
    const funnel = rows.find((r) => r[0] === "model.funnel")!;
    funnel[2] = "from_format_1";
    const v1 = `${JSON.stringify({ ...key, format: 1 })}\n${JSON.stringify({ adapter: value.adapter, nodes: rows })}`;
    writeFileSync(sidecar, v1);
    const old = (await readRunState(state)).nodes;
    expect(old.get("model.funnel")?.relation.schema).toBe("from_format_1");
    expect(old.size).toBe(fromManifest.size);
    // This project's checksums from a format-1 sidecar, as from a format-2 one.
    expect(cachedChecksums(project, compiled, state, "header-1").get("model.funnel")).toBe(
      packChecksums(nodeChecksums(project, compiled).get("model.funnel")!),
    );
    // Columns that do not hold their count of rows: the manifest is read instead, no error.
    const short = { ...value, count: value.count + 1 };
    writeFileSync(sidecar, `${keyLine}\n${JSON.stringify(short)}`);
    expect(new Map((await readRunState(state)).nodes)).toEqual(fromManifest);
    rmSync(path.join(state, "state_checksums.json"), { force: true });
    expect(cachedChecksums(project, compiled, state, "header-1").get("model.funnel")).toBe(
      packChecksums(nodeChecksums(project, compiled).get("model.funnel")!),
    );
  });

  it("hashes only the parts asked for, and a kept set of fewer parts answers no more", () => {
    const target = tmp();
    // Compiled afresh: nothing hashed for it in this process yet (see sharedNodeChecksums).
    const compiled = compileProject(project, { runId: "r1", dialect: createDuckdbDialect() });
    const all = new Map(
      [...nodeChecksums(project, compiled)].map(([id, s]) => [id, packChecksums(s)]),
    );
    const modified = ["body", "configs", "relation", "contract"] as const;
    const noMacros = (packed: string) => {
      const f = packed.split(" ");
      f[3] = "";
      return f.join(" ");
    };
    // No sidecar of this compile: computed, macros left empty, and kept under those parts.
    const first = cachedChecksums(project, compiled, target, "header-1", modified);
    expect(first.get("model.funnel")).toBe(noMacros(all.get("model.funnel")!));
    expect(new Map([...first].map(([id, p]) => [id, p]))).toEqual(
      new Map([...all].map(([id, p]) => [id, noMacros(p)])),
    );
    const kept = path.join(target, "state_checksums.json");
    expect(JSON.parse(readFileSync(kept, "utf8").split("\n")[0]!)).toEqual([
      4,
      "header-1",
      [...modified],
    ]);
    // Read back for those parts (changed here to tell the file's answer apart) ...
    const body = first.get("model.funnel")!.split(" ")[0]!;
    writeFileSync(kept, readFileSync(kept, "utf8").replace(body, "feedfacefeedface"));
    expect(
      cachedChecksums(project, compiled, target, "header-1", ["body"]).get("model.funnel"),
    ).toMatch(/^feedfacefeedface /);
    // ... but not for macros: every part computed, and kept for any selector after.
    const withMacros = cachedChecksums(project, compiled, target, "header-1");
    expect(new Map(withMacros)).toEqual(all);
    expect(JSON.parse(readFileSync(kept, "utf8").split("\n")[0]!)).toEqual([
      4,
      "header-1",
      ["body", "configs", "relation", "macros", "contract"],
    ]);
    expect(new Map(cachedChecksums(project, compiled, target, "header-1", ["macros"]))).toEqual(
      all,
    );
  });

  it("keeps what the sidecar gave in state_checksums.json, as one string, for the next read", () => {
    const target = tmp();
    writeManifest(target, project, compiled, inv("a"), "b1", { compileKey: "header-1" });
    const first = cachedChecksums(project, compiled, target, "header-1");
    const kept = path.join(target, "state_checksums.json");
    const [, value] = readFileSync(kept, "utf8").split("\n");
    const { count, sums } = JSON.parse(value!) as { count: number; sums: string };
    expect(count).toBe(compiled.nodes.length);
    // The compiled nodes' checksums in their order, without their ids.
    expect(sums.split("\n")).toEqual(compiled.nodes.map((n) => first.get(n.id)));
    // Read back from it (changed here to tell it apart), the sidecar gone.
    rmSync(path.join(target, "manifest.state.json"));
    const body = first.get("model.funnel")!.split(" ")[0]!;
    writeFileSync(kept, readFileSync(kept, "utf8").replace(body, "feedfacefeedface"));
    const again = cachedChecksums(project, compiled, target, "header-1");
    expect(again.size).toBe(first.size);
    expect(unpackChecksums(again.get("model.funnel")!).body).toBe("feedfacefeedface");
    expect(again.get("model.stg_events")).toBe(first.get("model.stg_events"));
  });

  it("does not read state_checksums.json of format 3 (ids and checksums as two columns)", () => {
    const target = tmp();
    const ids = compiled.nodes.map((n) => n.id);
    const wrong = ids.map(() => "feedfacefeedface    ");
    // As format 3 wrote it, by hand: every node "feedface".
    const key = JSON.stringify([
      3,
      "header-1",
      ["body", "configs", "relation", "macros", "contract"],
    ]);
    const value = { count: ids.length, columns: [ids.join("\n"), wrong.join("\n")] };
    const kept = path.join(target, "state_checksums.json");
    writeFileSync(kept, `${key}\n${JSON.stringify(value)}`);
    const sums = cachedChecksums(project, compiled, target, "header-1");
    expect(sums.get("model.funnel")).toBe(
      packChecksums(nodeChecksums(project, compiled).get("model.funnel")!),
    );
    expect(JSON.parse(readFileSync(kept, "utf8").split("\n")[0]!)[0]).toBe(4);
  });
});

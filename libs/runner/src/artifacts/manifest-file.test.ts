import { mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from "node:fs";
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
import { nodeDigest, placelessDigest } from "./node-digest.js";
import { readStateIndex, withoutStateIndex } from "./state-index.js";

const modelsDir = fileURLToPath(new URL("../../../../models", import.meta.url));
// Run ids as a run makes them (unique: a short label such as "first" is also in SQL texts,
// where a manifest key takes a run id for the run's own: see NodeText.runFree).
const at = (iso: string, id: string) => ({
  generatedAt: new Date(iso),
  invocationId: `20261201T000000Z_${id}`,
});
const first = at("2026-12-01T00:00:00Z", "first");
const second = at("2026-12-02T00:00:00Z", "second");
/** What JSON.stringify writes for the whole manifest: the text writeManifest must equal. */
const whole = (project: Project, compiled: CompiledProject, inv: typeof first) =>
  JSON.stringify(dbtManifest(project, compiled, inv)) + "\n";
const withoutInvocation = (text: string) =>
  text.replace(/"(generated_at|invocation_id)":"[^"]*"|"created_at":[\d.e+-]+/g, "");

describe("writeManifest", () => {
  let project: Project;
  let compiled: CompiledProject;
  let target: string;
  const file = () => path.join(target, "manifest.json");
  /** The manifest without its state index (see state-index.ts), which must check out. */
  const read = () => {
    expect(readStateIndex(file())).toHaveProperty("value");
    return withoutStateIndex(readFileSync(file(), "utf8"));
  };

  beforeAll(async () => {
    project = await loadProject(modelsDir, { env: {} });
    compiled = compileProject(project, { runId: "r1", dialect: createDuckdbDialect() });
    expect(compiled.nodes.length).toBeGreaterThan(20);
  });
  afterEach(() => rmSync(target, { recursive: true, force: true }));
  const fresh = () => (target = mkdtempSync(path.join(os.tmpdir(), "sluice-manifest-")));

  it("writes exactly JSON.stringify's text, and nothing when only the invocation changed", () => {
    fresh();
    const n = compiled.nodes.length;
    expect(writeManifest(target, project, compiled, first, "b1")).toEqual({
      built: n,
      reused: 0,
      written: true,
    });
    const text = read();
    expect(text).toBe(whole(project, compiled, first));
    expect(writeManifest(target, project, compiled, second, "b1")).toEqual({
      built: 0,
      reused: n,
      written: false,
    });
    expect(read()).toBe(text);
  });

  it("builds no entry again in a run that compiled the same project with its own run id", () => {
    // As `build` writes it: each run compiles with its id (in each table's version location and
    // statements), records digests and gives none.
    const run = (id: string) => {
      const inv = at("2026-12-01T00:00:00Z", id);
      const nodes = compileProject(project, {
        runId: inv.invocationId,
        dialect: createDuckdbDialect(),
      });
      return writeManifest(target, project, nodes, inv, "b1", { recordDigests: true });
    };
    fresh();
    expect(run("aaaa")).toMatchObject({ built: compiled.nodes.length, written: true });
    const text = read();
    expect(run("bbbb")).toEqual({ built: 0, reused: compiled.nodes.length, written: false });
    expect(read()).toBe(text);
    // An entry names the folder of the table's versions, the same in every run.
    const funnel = (JSON.parse(text) as { nodes: Record<string, { meta: { sluice: object } }> })
      .nodes["model.ecommerce.funnel"]!;
    expect(funnel.meta.sluice).toMatchObject({
      location: expect.stringMatching(/\/marts\/funnel$/),
    });
  });

  /** writeManifest given the compile's placeless digests (see `placelessDigest`). */
  const withPlaceless = (
    c: CompiledProject,
    inv: typeof first,
    placeless: ReadonlyMap<string, string>,
  ) => writeManifest(target, project, c, inv, "b1", { placeless });

  it("takes the keys of a write of the same compile, as compiled, from the index", () => {
    fresh();
    const write = (
      inv: typeof first,
      compileKey: string,
      placeless: ReadonlyMap<string, string>,
      asCompiled: boolean,
    ) => writeManifest(target, project, compiled, inv, "b1", { compileKey, placeless, asCompiled });
    const real = new Map(compiled.nodes.map((n) => [n.id, `digest of ${n.id}`]));
    expect(write(first, "h1", real, true).built).toBe(compiled.nodes.length);
    // Digests that would key every entry anew: not asked for their keys, the index's are taken.
    const other = new Map(compiled.nodes.map((n) => [n.id, `other ${n.id}`]));
    expect(write(second, "h1", other, true)).toMatchObject({ built: 0, written: false });
    // Another compile, or nodes not as it made them (--defer): keyed, so every entry is built.
    expect(write(second, "h2", other, true).built).toBe(compiled.nodes.length);
    expect(write(first, "h2", real, false).built).toBe(compiled.nodes.length);
    expect(write(second, "h2", other, true).built).toBe(compiled.nodes.length);
    expect(withoutInvocation(read())).toBe(withoutInvocation(whole(project, compiled, second)));
  });

  it("keys a node with a placeless digest by it: the same digest copies, another rebuilds", () => {
    fresh();
    const placeless = new Map(compiled.nodes.map((n) => [n.id, `digest of ${n.id}`]));
    withPlaceless(compiled, first, placeless);
    expect(read()).toBe(whole(project, compiled, first));
    const changedId = "model.funnel";
    const changed: CompiledProject = {
      ...compiled,
      nodes: compiled.nodes.map((n) => (n.id === changedId ? { ...n, sql: `${n.sql}\n-- x` } : n)),
    };
    // The digest says unchanged: the node is not serialized, its entry is copied.
    expect(withPlaceless(changed, second, placeless).built).toBe(0);
    const redigested = new Map([...placeless, [changedId, "another digest"]]);
    expect(withPlaceless(changed, second, redigested)).toMatchObject({ built: 1, written: true });
    expect(withoutInvocation(read())).toBe(withoutInvocation(whole(project, changed, second)));
  });

  it("hashes a node rendered at run time instead of trusting its compile's digest", () => {
    fresh();
    const atRun = (sql: string): CompiledProject => ({
      ...compiled,
      nodes: compiled.nodes.map((n) =>
        n.id === "model.funnel" ? { ...n, sql, renderAtRun: true as const } : n,
      ),
    });
    const placeless = new Map(compiled.nodes.map((n) => [n.id, nodeDigest(n)]));
    withPlaceless(atRun("select 1"), first, placeless);
    // The digest is the compile's (the node before the warehouse answered); the text changed.
    const rendered = atRun("select 2");
    expect(withPlaceless(rendered, second, placeless)).toMatchObject({ built: 1, written: true });
    expect(withoutInvocation(read())).toBe(withoutInvocation(whole(project, rendered, second)));
  });

  it("keys a node alike whether its placeless digest is given or computed, in any run", () => {
    fresh();
    // Each run compiles with its own id (in each table's location and statements).
    const ran = (inv: typeof first) =>
      compileProject(project, { runId: inv.invocationId, dialect: createDuckdbDialect() });
    const before = ran(first);
    writeManifest(target, project, before, first, "b1");
    // As the compile recorded them (with its run id), taken by a run with another.
    const placeless = new Map(
      before.nodes.flatMap((n) => {
        const p = placelessDigest(n, nodeDigest(n), project.dir, first.invocationId);
        return p === undefined ? [] : [[n.id, p] as const];
      }),
    );
    expect(placeless.size).toBe(before.nodes.length);
    expect(withPlaceless(ran(second), second, placeless).built).toBe(0);
    // Given memo digests alone, a node's key is its placeless digest all the same.
    const digests = new Map(before.nodes.map((n) => [n.id, nodeDigest(n)]));
    expect(writeManifest(target, project, before, first, "b1", { digests }).built).toBe(0);
    expect(writeManifest(target, project, ran(second), second, "b1").built).toBe(0);
  });

  it("builds only the changed node's entry; the others keep their text and created_at", () => {
    fresh();
    writeManifest(target, project, compiled, first, "b1");
    const changedId = "model.funnel";
    const changed: CompiledProject = {
      ...compiled,
      nodes: compiled.nodes.map((n) => (n.id === changedId ? { ...n, sql: `${n.sql}\n-- x` } : n)),
    };
    expect(writeManifest(target, project, changed, second, "b1")).toMatchObject({
      built: 1,
      written: true,
    });
    const text = read();
    expect(withoutInvocation(text)).toBe(withoutInvocation(whole(project, changed, second)));
    const manifest = JSON.parse(text) as { nodes: Record<string, { created_at: number }> };
    const createdAt = (id: string) => manifest.nodes[id]!.created_at * 1000;
    expect(createdAt("model.ecommerce.funnel")).toBe(second.generatedAt.getTime());
    expect(createdAt("model.ecommerce.stg_events")).toBe(first.generatedAt.getTime());
    // Entries are found by byte offsets: text before them that is not ASCII must not shift them.
    const wider = (p: CompiledProject, id: string): CompiledProject => ({
      ...p,
      nodes: p.nodes.map((n) => (n.id === id ? { ...n, sql: `${n.sql}\n-- naïve — ü` } : n)),
    });
    const early = wider(changed, compiled.nodes[1]!.id);
    writeManifest(target, project, early, second, "b1");
    const late = wider(early, compiled.nodes.at(-2)!.id);
    expect(writeManifest(target, project, late, second, "b1").built).toBe(1);
    expect(withoutInvocation(read())).toBe(withoutInvocation(whole(project, late, second)));
    // A macro file's change reaches every entry (raw code, checksums of the macros used).
    const macroChanged = {
      ...project,
      macros: project.macros.map((m, i) => (i === 0 ? { ...m, text: `${m.text}\n` } : m)),
    };
    expect(writeManifest(target, macroChanged, changed, second, "b1").built).toBe(
      compiled.nodes.length,
    );
  });

  it("copies the frame (macros, maps) while the graph and macros are the same; else rebuilds it", () => {
    fresh();
    writeManifest(target, project, compiled, first, "b1");
    type Manifest = {
      metadata: { generated_at: string };
      macros: Record<string, { created_at: number }>;
      parent_map: Record<string, string[]>;
      child_map: Record<string, string[]>;
    };
    const manifest = () => JSON.parse(read()) as Manifest;
    const macroTimes = (m: Manifest) => new Set(Object.values(m.macros).map((x) => x.created_at));
    expect(macroTimes(manifest())).toEqual(new Set([first.generatedAt.getTime() / 1000]));
    // A node's SQL changed, not its edges: the frame's bytes are the previous file's.
    const body: CompiledProject = {
      ...compiled,
      nodes: compiled.nodes.map((n) => (n.id === "model.funnel" ? { ...n, sql: "select 3" } : n)),
    };
    writeManifest(target, project, body, second, "b1");
    expect(macroTimes(manifest())).toEqual(new Set([first.generatedAt.getTime() / 1000]));
    expect(manifest().metadata.generated_at).toBe(second.generatedAt.toISOString());
    expect(withoutInvocation(read())).toBe(withoutInvocation(whole(project, body, second)));
    // An edge added (the same nodes): parent_map and child_map are built again.
    const funnel = compiled.nodes.find((n) => n.id === "model.funnel")!;
    const other = compiled.nodes.find(
      (n) => n.kind === "model" && !funnel.dependsOn.includes(n.id) && n !== funnel,
    )!;
    const edged: CompiledProject = {
      ...body,
      nodes: body.nodes.map((n) =>
        n.id === funnel.id ? { ...n, dependsOn: [...n.dependsOn, other.id] } : n,
      ),
    };
    writeManifest(target, project, edged, first, "b1");
    expect(manifest().parent_map["model.ecommerce.funnel"]).toContain(
      `model.ecommerce.${other.name}`,
    );
    expect(manifest().child_map[`model.ecommerce.${other.name}`]).toContain(
      "model.ecommerce.funnel",
    );
    expect(withoutInvocation(read())).toBe(withoutInvocation(whole(project, edged, first)));
    expect(macroTimes(manifest())).toEqual(new Set([first.generatedAt.getTime() / 1000]));
    // A macro file changed: its entry is built again, with this invocation's time.
    const macroChanged = {
      ...project,
      macros: project.macros.map((m, i) => (i === 0 ? { ...m, text: `${m.text}\n` } : m)),
    };
    writeManifest(target, macroChanged, edged, second, "b1");
    expect(macroTimes(manifest())).toEqual(new Set([second.generatedAt.getTime() / 1000]));
    expect(withoutInvocation(read())).toBe(withoutInvocation(whole(macroChanged, edged, second)));
  });

  it("copies runs of entries exactly when nodes are removed or move", () => {
    fresh();
    writeManifest(target, project, compiled, first, "b1");
    const nodes = compiled.nodes;
    const models = nodes.filter((n) => n.kind === "model");
    // A node gone from the middle: the entries around it were not next to each other before.
    const removed: CompiledProject = { ...compiled, nodes: nodes.filter((n) => n !== models[2]) };
    expect(writeManifest(target, project, removed, second, "b1").reused).toBeGreaterThan(0);
    expect(withoutInvocation(read())).toBe(withoutInvocation(whole(project, removed, second)));
    // Two copied entries swapped, and the first entry moved to the end of its section.
    const [a, b] = [removed.nodes.indexOf(models[4]!), removed.nodes.indexOf(models[5]!)];
    const swapped = [...removed.nodes];
    [swapped[a], swapped[b]] = [swapped[b]!, swapped[a]!];
    const moved: CompiledProject = { ...removed, nodes: [...swapped.slice(1), swapped[0]!] };
    expect(writeManifest(target, project, moved, second, "b1")).toMatchObject({
      built: 0,
      written: true,
    });
    expect(withoutInvocation(read())).toBe(withoutInvocation(whole(project, moved, second)));
    // The index written from runs still finds every entry: back to the first order, no build.
    expect(writeManifest(target, project, removed, first, "b1").built).toBe(0);
    expect(withoutInvocation(read())).toBe(withoutInvocation(whole(project, removed, first)));
  });

  it("rebuilds every entry for another build or a manifest changed since it was written", () => {
    fresh();
    writeManifest(target, project, compiled, first, "b1");
    expect(writeManifest(target, project, compiled, first, "b2").built).toBe(compiled.nodes.length);
    const later = new Date(Date.now() + 5000);
    utimesSync(file(), later, later);
    expect(writeManifest(target, project, compiled, second, "b2")).toMatchObject({
      built: compiled.nodes.length,
      written: true,
    });
    expect(read()).toBe(whole(project, compiled, second));
  });

  it("leaves the sidecar unparsed when nothing changed; rebuilds all when its body is unreadable", () => {
    fresh();
    writeManifest(target, project, compiled, first, "b1", { compileKey: "compile-1" });
    const sidecar = path.join(target, "manifest.state.json");
    const text = read();
    // The key line still names this manifest; the body after it does not parse.
    const [key] = readFileSync(sidecar, "utf8").split("\n");
    writeFileSync(sidecar, `${key}\n{"nodes": [`);
    expect(
      writeManifest(target, project, compiled, second, "b1", { compileKey: "compile-1" }),
    ).toEqual({
      built: 0,
      reused: compiled.nodes.length,
      written: false,
    });
    expect(readFileSync(sidecar, "utf8")).toBe(`${key}\n{"nodes": [`);
    // Another compile key needs the body to rewrite the sidecar: unreadable, all is rewritten.
    expect(
      writeManifest(target, project, compiled, second, "b1", { compileKey: "compile-2" }),
    ).toEqual({
      built: compiled.nodes.length,
      reused: 0,
      written: true,
    });
    expect(read()).toBe(whole(project, compiled, second));
    expect(read()).not.toBe(text);
    expect(() => JSON.parse(readFileSync(sidecar, "utf8").split("\n")[1]!)).not.toThrow();
    // A changed node with an unreadable body: every entry is built, none copied.
    const [key2] = readFileSync(sidecar, "utf8").split("\n");
    writeFileSync(sidecar, `${key2}\n{"nodes": [`);
    const changed: CompiledProject = {
      ...compiled,
      nodes: compiled.nodes.map((n, i) => (i === 3 ? { ...n, sql: `${n.sql}\n-- y` } : n)),
    };
    expect(
      writeManifest(target, project, changed, first, "b1", { compileKey: "compile-2" }),
    ).toMatchObject({
      built: compiled.nodes.length,
      written: true,
    });
    expect(read()).toBe(whole(project, changed, first));
  });

  it("takes the keys of nodes an edit of model SQL leaves alone from the index (the fast path)", () => {
    const source = (fingerprint: string, since?: string, nodes: string[] = []) => ({
      fingerprint,
      ...(since === undefined ? {} : { edits: { since, nodes: new Set(nodes) } }),
    });
    const model = compiled.nodes.find((n) => n.kind === "model" && n.dependsOn.length > 0)!;
    const editedProject: Project = {
      ...project,
      models: project.models.map((m) =>
        m.path === model.path ? { ...m, text: `${m.text}-- é` } : m,
      ),
    };
    const edited: CompiledProject = {
      ...compiled,
      nodes: compiled.nodes.map((n) => (n === model ? { ...n, sql: `${n.sql}\n-- é` } : n)),
    };
    // The compile before the edit written first, fingerprinted f1.
    const again = (claim: ReturnType<typeof source>) => {
      rmSync(target, { recursive: true, force: true });
      fresh();
      writeManifest(target, project, compiled, first, "b1", {
        compileKey: "h1",
        recordDigests: true,
        source: source("f1"),
      });
      return writeManifest(target, editedProject, edited, second, "b1", {
        compileKey: "h2",
        recordDigests: true,
        source: claim,
      });
    };
    // Without a claim every key is hashed: the edited node's entry built, the others copied.
    expect(again(source("f2"))).toMatchObject({ built: 1, written: true });
    const expected = read();
    // The edited node named: the same text.
    expect(again(source("f2", "f1", [model.id]))).toMatchObject({ built: 1, written: true });
    expect(read()).toBe(expected);
    // Its key taken from the index when the claim leaves it out: proof that the keys were not
    // hashed (a wrong claim leaves a stale entry, here the whole file; the caller vouches).
    expect(again(source("f2", "f1", []))).toMatchObject({ built: 0, written: false });
    expect(read()).not.toBe(expected);
    // A claim about another compile than the index's: every key hashed.
    expect(again(source("f2", "f0", []))).toMatchObject({ built: 1, written: true });
    expect(read()).toBe(expected);
  });
});

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { CompiledNode } from "@sluice/compiler";
import { packArtifacts, packedDir } from "./packed-artifacts.js";
import { packedShards } from "./packed-keys.js";
import type { ManifestSource } from "./artifacts/manifest-keys.js";

/** `count` models `m_<i>` (artifact `f<i % 37>/m_<i>.sql`), `sql` their text. */
function models(count: number, sql = (i: number) => `select ${i}`): CompiledNode[] {
  return Array.from(
    { length: count },
    (_, i) =>
      ({
        id: `model.m_${i}`,
        kind: "model",
        name: `m_${i}`,
        path: `f${i % 37}/m_${i}.sql`,
        sql: sql(i),
      }) as CompiledNode,
  );
}

/** A node's digest as the compile memo would hand it: its text, enough to tell them apart. */
const digestsOf = (nodes: readonly CompiledNode[]) => new Map(nodes.map((n) => [n.id, n.sql]));

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

/** An artifact's text: its node's SQL. */
const text = (n: CompiledNode) => `${n.sql}\n`;

/** The shards of `nodes` in `dir` as a compile `source` writes them, each text built, committed. */
function written(dir: string, nodes: readonly CompiledNode[], source?: ManifestSource) {
  const shards = packedShards(
    dir,
    nodes,
    (n) => n.path,
    { compiled: text, run: text },
    digestsOf(nodes),
    source,
  );
  const texts = new Map([...shards.files].map(([file, textOf]) => [file, textOf().join("")]));
  shards.commit();
  return { shards, texts };
}

/** Shards of `nodes` in `dir` as a compile `source` writes them: the recorded keys, and what was kept. */
function write(dir: string, nodes: readonly CompiledNode[], source?: ManifestSource) {
  const { shards } = written(dir, nodes, source);
  const recorded = JSON.parse(readFileSync(path.join(dir, ".packed-keys.json"), "utf8")) as {
    compile?: string;
    keys: Record<string, string>;
  };
  return { recorded, kept: shards.kept.size, files: shards.files.size };
}

/** The keys a write of `nodes` with nothing recorded makes: every one hashed. */
function hashedKeys(nodes: readonly CompiledNode[]): Record<string, string> {
  const dir = mkdtempSync(path.join(os.tmpdir(), "sluice-packed-keys-"));
  dirs.push(dir);
  return write(dir, nodes).recorded.keys;
}

describe("packed keys", () => {
  const edited = (i: number) => (j: number) => (j === i ? `select ${j} -- edited` : `select ${j}`);

  it("after an edit of the recorded compile, keep the recorded keys of the shards it leaves alone", () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "sluice-packed-keys-"));
    dirs.push(dir);
    expect(write(dir, models(600), { fingerprint: "A" }).recorded.compile).toBe("A");
    const after = models(600, edited(17));
    const edit = { fingerprint: "B", edits: { since: "A", nodes: new Set(["model.m_17"]) } };
    const { recorded, kept, files } = write(dir, after, edit);
    // 4 shards of each kind; the edited model's in each kind is the one built again.
    expect([kept, files]).toEqual([6, 8]);
    expect(recorded.compile).toBe("B");
    expect(recorded.keys).toEqual(hashedKeys(after));
  });

  it("write each path's text from its node, the later one of a path shared, on every write", () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "sluice-packed-keys-"));
    dirs.push(dir);
    // What packing gives: the paths in first place, each the text of its last node (a map).
    const packed = (nodes: readonly CompiledNode[]) => {
      const artifacts = new Map(nodes.map((n) => [n.path, text(n)]));
      return new Map(
        (["compiled", "run"] as const).flatMap((k) => [
          ...packArtifacts(packedDir(dir, k), artifacts),
        ]),
      );
    };
    const edit = (since: string, fingerprint: string) => ({
      fingerprint,
      edits: { since, nodes: new Set(["model.m_17"]) },
    });
    // Paths each once: the second and third writes take the record (no map of the paths).
    const once = models(600);
    expect(written(dir, once, { fingerprint: "A" }).texts).toEqual(packed(once));
    const after = models(600, edited(17));
    expect(written(dir, after, edit("A", "B")).texts).toEqual(packed(after));
    const again = models(600, (j) => (j === 17 ? `select ${j} -- again` : `select ${j}`));
    expect(written(dir, again, edit("B", "C")).texts).toEqual(packed(again));
    // m_5's path again at the end, another text: it wins, in m_5's place.
    const shared = (nodes: CompiledNode[]) => [...nodes, { ...nodes[5]!, sql: "select 'last'" }];
    const twice = shared(models(600));
    expect(written(dir, twice, edit("C", "D")).texts).toEqual(packed(twice));
    const twiceEdited = shared(models(600, edited(17)));
    expect(written(dir, twiceEdited, edit("D", "E")).texts).toEqual(packed(twiceEdited));
    // As many paths as recorded, one renamed: another list, assigned again.
    const renamed = models(600).map((n, i) => (i === 3 ? { ...n, path: "g/m_3.sql" } : n));
    written(dir, once, { fingerprint: "F" });
    expect(written(dir, renamed, { fingerprint: "G" }).texts).toEqual(packed(renamed));
  });

  it("hash the key of a shard holding a node rendered again at run time", () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "sluice-packed-keys-"));
    dirs.push(dir);
    const atRun = (nodes: CompiledNode[]) =>
      nodes.map((n) => (n.id === "model.m_40" ? { ...n, renderAtRun: true as const } : n));
    write(dir, atRun(models(600)), { fingerprint: "A" });
    // m_40's text is rendered at run time: its digest is not the memo's, and is hashed again.
    const after = atRun(models(600, (j) => `select ${j}${j === 40 ? " -- run" : ""}`));
    const edit = { fingerprint: "B", edits: { since: "A", nodes: new Set(["model.m_17"]) } };
    expect(write(dir, after, edit).recorded.keys).toEqual(hashedKeys(after));
  });

  it("hash every key when the edit is not of the recorded compile", () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "sluice-packed-keys-"));
    dirs.push(dir);
    write(dir, models(600), { fingerprint: "A" });
    // Every model changed, the edit names one, but it is not of the recorded compile: nothing is
    // taken.
    const after = models(600, (j) => `select ${j} -- changed`);
    const edit = { fingerprint: "C", edits: { since: "B", nodes: new Set(["model.m_17"]) } };
    const { recorded, kept } = write(dir, after, edit);
    expect(kept).toBe(0);
    expect(recorded.keys).toEqual(hashedKeys(after));
  });

  it("hash every key when the artifacts written are not the recorded ones (another selection)", () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "sluice-packed-keys-"));
    dirs.push(dir);
    write(dir, models(600), { fingerprint: "A" });
    // m_3 left out: its shard's members changed though no node in it was edited.
    const after = models(600, edited(17)).filter((n) => n.id !== "model.m_3");
    const edit = { fingerprint: "B", edits: { since: "A", nodes: new Set(["model.m_17"]) } };
    const { recorded, kept } = write(dir, after, edit);
    expect(recorded.keys).toEqual(hashedKeys(after));
    expect(kept).toBeLessThan(6);
  });

  it("take the shards' assignment recorded for the same paths, and assign again when it is not one", () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "sluice-packed-keys-"));
    dirs.push(dir);
    const nodes = models(600);
    // What packing the artifacts gives, with nothing recorded (each path hashed to its shard).
    const artifacts = new Map(nodes.map((n) => [n.path, text(n)]));
    const expected = new Map(
      (["compiled", "run"] as const).flatMap((k) => [
        ...packArtifacts(packedDir(dir, k), artifacts),
      ]),
    );
    const shardTexts = () => written(dir, nodes).texts;
    expect(shardTexts()).toEqual(expected);
    const file = path.join(dir, ".packed-keys.json");
    const record = JSON.parse(readFileSync(file, "utf8")) as {
      assignment: { counts: number[]; positions: string };
    };
    expect(record.assignment.counts).toHaveLength(4);
    // Taken: the same texts; with the record's positions in another order, other texts.
    expect(shardTexts()).toEqual(expected);
    const bytes = Buffer.from(record.assignment.positions, "base64");
    const positions = new Uint32Array(
      bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length),
    );
    expect([...positions].sort((a, b) => a - b)).toEqual(nodes.map((_, i) => i));
    const reversed = Buffer.from(positions.slice().reverse().buffer).toString("base64");
    const put = (assignment: object) =>
      writeFileSync(file, JSON.stringify({ ...record, assignment }));
    put({ ...record.assignment, positions: reversed });
    expect(shardTexts()).not.toEqual(expected);
    // Not an assignment of these 600 paths to 4 shards: assigned again. (Within that, the record
    // is trusted as this code wrote it, as the keys are: telling a path's shard is the hashing
    // it saves.)
    const last = record.assignment.counts[3]!;
    const twice = positions.slice();
    twice[1] = twice[0]!;
    for (const assignment of [
      { ...record.assignment, counts: [...record.assignment.counts.slice(0, 3), last - 1] },
      { ...record.assignment, counts: [...record.assignment.counts.slice(0, 3), last - 1, 1] },
      { ...record.assignment, positions: Buffer.from(twice.buffer).toString("base64") },
      {
        ...record.assignment,
        positions: Buffer.from(positions.slice(1).buffer).toString("base64"),
      },
      { counts: "4" },
    ]) {
      put(assignment);
      expect(shardTexts()).toEqual(expected);
    }
  });
});

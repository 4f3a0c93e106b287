import { createHash } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { CompiledProject } from "@sluice/compiler";
import { afterEach, describe, expect, it } from "vitest";
import type { CompiledNode } from "@sluice/compiler";
import {
  keptDigestLines,
  lineDigest,
  linePlaceless,
  lineRootless,
  digestsByNode,
  compileDigestLines,
  writeCompileDigests,
} from "./compile-digests.js";

const readRootlessDigests = (dir: string, header: string, c: CompiledProject) =>
  keptDigestLines(dir, header, c.nodes.length)?.map(lineRootless);

const readCompileDigests = (dir: string, header: string, c: CompiledProject) =>
  keptDigestLines(dir, header, c.nodes.length)?.map(lineDigest);

const compiled = {
  nodes: [{ id: "model.a" }, { id: "source.raw.events" }, { id: "test.t" }],
} as unknown as CompiledProject;
const digests = new Map([
  ["model.a", "cQvCqAOi7ZPfDQyFtgA7KpPtzYw="],
  ["test.t", "ccxUogdrRgIQdTRQSW02RceD4cU="],
]);

describe("compile_digests.json: a revived compile's node digests", () => {
  const dirs: string[] = [];
  const tmp = () => {
    const d = mkdtempSync(path.join(os.tmpdir(), "sluice-digests-"));
    dirs.push(d);
    return d;
  };
  afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

  it("reads back what was written, for the same compile only", () => {
    const dir = tmp();
    writeCompileDigests(dir, "header-1", compiled, digests, (_n, d) => d);
    expect(readCompileDigests(dir, "header-1", compiled)).toEqual(
      compiled.nodes.map((n) => digests.get(n.id) ?? ""),
    );
    expect(readCompileDigests(dir, "header-2", compiled)).toBe(undefined);
    const more = { nodes: [...compiled.nodes, { id: "model.b" }] } as unknown as CompiledProject;
    expect(readCompileDigests(dir, "header-1", more)).toBe(undefined);
  });

  it("does not read format 1 (the lines as one JSON string)", () => {
    const dir = tmp();
    const sha = createHash("sha1").update("header-1").digest("base64");
    const lines = compiled.nodes.map((n) => digests.get(n.id) ?? "").join("\n");
    writeFileSync(
      path.join(dir, "compile_digests.json"),
      `${JSON.stringify([1, sha])}\n${JSON.stringify(lines)}`,
    );
    expect(readCompileDigests(dir, "header-1", compiled)).toBe(undefined);
  });

  it("keeps each node's rootless digest, made once per digest", () => {
    const dir = tmp();
    const made: string[] = [];
    const rootlessOf = (n: { id: string }, digest: string) => {
      made.push(n.id);
      return n.id === "model.a" ? "rootless-a" : digest;
    };
    writeCompileDigests(dir, "header-1", compiled, digests, rootlessOf);
    expect(made).toEqual(["model.a", "test.t"]);
    expect(readRootlessDigests(dir, "header-1", compiled)).toEqual([
      "rootless-a",
      "",
      digests.get("test.t"),
    ]);
    expect(readCompileDigests(dir, "header-1", compiled)).toEqual(
      compiled.nodes.map((n) => digests.get(n.id) ?? ""),
    );
    // The next compile (another header): a digest the file lists is not made again.
    made.length = 0;
    const next = new Map([...digests, ["test.t", "bmV3IHRlc3Q="]]);
    writeCompileDigests(dir, "header-2", compiled, next, rootlessOf);
    expect(made).toEqual(["test.t"]);
    expect(readRootlessDigests(dir, "header-2", compiled)).toEqual([
      "rootless-a",
      "",
      "bmV3IHRlc3Q=",
    ]);
    expect(readRootlessDigests(dir, "header-1", compiled)).toBe(undefined);
  });

  it("after an edit, keeps the line of each node whose digest is its line's", () => {
    const dir = tmp();
    const rootlessOf = (n: { id: string }, digest: string) =>
      n.id === "test.t" ? digest : `rootless ${n.id} ${digest}`;
    writeCompileDigests(dir, "header-1", compiled, digests, rootlessOf);
    const before = keptDigestLines(dir, "header-1", compiled.nodes.length)!;
    expect(before[0]).toBe(`${digests.get("model.a")} rootless model.a ${digests.get("model.a")}`);
    // The lines the revive read: a rootless digest there is taken, not made again.
    const previous = [...before];
    previous[0] = `${digests.get("model.a")} kept-rootless`;
    const made: string[] = [];
    const edited = new Map([...digests, ["test.t", "bmV3IHRlc3Q="]]);
    const lines = writeCompileDigests(
      dir,
      "header-2",
      compiled,
      edited,
      (n, d) => (made.push(n.id), rootlessOf(n, d)),
      previous,
    );
    expect(made).toEqual(["test.t"]);
    expect(lines?.map(lineRootless)).toEqual(["kept-rootless", "", "bmV3IHRlc3Q="]);
    expect(keptDigestLines(dir, "header-2", compiled.nodes.length)).toEqual([
      previous[0],
      "",
      "bmV3IHRlc3Q=",
    ]);
  });

  it("after an edit, takes a digest listed on another line from the last line listing it", () => {
    // 20 nodes; digest i is "d<i>=" (d1= is a prefix of d10=), listed with rootless "r<i>";
    // d3= is listed twice, the last time with rootless "r3-last".
    const nodes = Array.from({ length: 20 }, (_, i) => ({ id: `model.m${i}` }));
    const many = { nodes } as unknown as CompiledProject;
    const previous = nodes.map((_, i) => (i === 9 ? "d3= r3-last" : `d${i}= r${i}`));
    // The edited nodes' digests: each listed on another line (or nowhere: made).
    const write = (edited: number, header: string) => {
      const next = new Map(nodes.map((n, i) => [n.id, i === 9 ? "d3=" : `d${i}=`]));
      for (let i = 0; i < edited; i++) next.set(nodes[10 + i]!.id, i === 0 ? "d3=" : `d${i}=`);
      if (edited > 0) next.set(nodes[19]!.id, "d1");
      const made: string[] = [];
      const rootless = writeCompileDigests(
        tmp(),
        header,
        many,
        next,
        (n, d) => (made.push(n.id), `made-${d}`),
        previous,
      )?.map(lineRootless);
      return { made, rootless };
    };
    // Few edits (scanned) and many (the lines mapped): the same result, the one a map gives.
    for (const edited of [2, 9]) {
      const { made, rootless } = write(edited, `header-${edited}`);
      expect(made).toEqual(["model.m19"]);
      expect(rootless!.slice(10, 10 + edited)).toEqual(
        Array.from({ length: edited }, (_, i) => (i === 0 || i === 3 ? "r3-last" : `r${i}`)),
      );
      expect(rootless![19]).toBe("made-d1");
    }
  });

  it("marks a node that has no placeless digest, and a run takes the others' by node", () => {
    const dir = tmp();
    // model.a's placeless digest is its rootless one; test.t has none (its rootless: its digest).
    const placelessOf = (n: { id: string }) => (n.id === "model.a" ? "placeless-a" : undefined);
    const lines = writeCompileDigests(dir, "header-1", compiled, digests, placelessOf)!;
    expect(lines).toEqual([
      `${digests.get("model.a")} placeless-a`,
      "",
      `${digests.get("test.t")} !`,
    ]);
    expect(keptDigestLines(dir, "header-1", compiled.nodes.length)).toEqual(lines);
    expect(lines.map(lineRootless)).toEqual(["placeless-a", "", digests.get("test.t")]);
    expect(lines.map(linePlaceless)).toEqual(["placeless-a", undefined, undefined]);
    expect(linePlaceless("ZGlnZXN0")).toBe("ZGlnZXN0");
    // Each field by hand: digest, then rootless ("!": none, the digest is rootless).
    const cases: [line: string, rootless: string, placeless: string | undefined][] = [
      ["", "", undefined],
      ["d", "d", "d"],
      ["d r", "r", "r"],
      ["d !", "d", undefined],
      ["d !x", "!x", "!x"],
      [" r", "r", undefined],
      [" !", "", undefined],
    ];
    for (const [line, rootless, placeless] of cases) {
      expect(lineRootless(line), line).toBe(rootless);
      expect(linePlaceless(line), line).toBe(placeless);
    }
    // The mark is kept for a digest listed before, not made again.
    const made: string[] = [];
    writeCompileDigests(dir, "header-2", compiled, digests, (n) => (made.push(n.id), undefined));
    expect(made).toEqual([]);
    expect(keptDigestLines(dir, "header-2", compiled.nodes.length)).toEqual(lines);
    // A command reads them once: the context keeps them.
    const ctx: { digestLines?: readonly string[]; cacheHeader: string; targetDir: string } = {
      cacheHeader: "header-2",
      targetDir: dir,
    };
    expect(compileDigestLines(ctx, compiled.nodes)).toEqual(lines);
    rmSync(path.join(dir, "compile_digests.json"));
    expect(compileDigestLines(ctx, compiled.nodes)).toEqual(lines);
    expect(compileDigestLines({ cacheHeader: "header-2", targetDir: dir }, compiled.nodes)).toBe(
      undefined,
    );

    // A run: its nodes as revived (same order), one replaced since (--defer): only nodes still
    // the compile's take theirs.
    const revived = [{ id: "model.a" }, { id: "model.b" }, { id: "model.c" }] as CompiledNode[];
    const run = ["ZA== pa", "ZB== !", "ZC=="];
    const ids = ["model.a", "model.b", "model.c", "model.d"];
    const asked = (nodes: CompiledNode[]) => {
      const { digest, rootless, placeless } = digestsByNode(run, revived, {
        nodes,
      } as CompiledProject);
      return ids.map((id) => [digest.get(id), placeless.get(id), rootless.get(id)]);
    };
    expect(asked(revived)).toEqual([
      ["ZA==", "pa", "pa"],
      ["ZB==", undefined, "ZB=="],
      ["ZC==", "ZC==", "ZC=="],
      [undefined, undefined, undefined],
    ]);
    expect(asked([revived[0]!, { id: "model.b" } as CompiledNode, revived[2]!])).toEqual([
      ["ZA==", "pa", "pa"],
      [undefined, undefined, undefined],
      ["ZC==", "ZC==", "ZC=="],
      [undefined, undefined, undefined],
    ]);
  });
});

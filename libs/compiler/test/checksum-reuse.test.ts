import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { checksumParts, compileProject, sharedPackedChecksums } from "../src/index.js";
import type { CompiledProject, PackedChecksums } from "../src/index.js";
import { modifiedIds } from "../src/state/selection-state.js";
import { checksumsKey, reusedChecksums } from "../src/state/checksum-reuse.js";
import type { ChecksumsBefore } from "../src/state/checksum-reuse.js";
import { packedPartChecksums } from "../src/state/node-checksums.js";
import { fakeDialect } from "./fake-dialect.js";
import { model, project, rawEvents } from "./fixture-project.js";

const modified = ["body", "configs", "relation", "contract"] as const;

/** 60 models: staging over the raw source, the rest each reading two earlier ones. */
function generated() {
  const models = Array.from({ length: 60 }, (_, i) =>
    i < 6
      ? model(
          `models/m_${i}.sql`,
          // The fake dialect quotes relations as [schema].[name]: the name as Athena SQL has it.
          `select line, ${i} as k from {{ source('raw','events') }} where line in (select line from raw.events)`,
        )
      : model(
          `models/m_${i}.sql`,
          `{{ config(tags=['t${i % 3}']) }} select a.line, a.k + ${i} as k from ` +
            `{{ ref('m_${(i * 7) % i}') }} as a join {{ ref('m_${i - 1}') }} as b on a.k = b.k`,
        ),
  );
  const p = project({ config: { "model-paths": ["models"] }, models, sources: [rawEvents()] });
  const compile = () => compileProject(p, { runId: "r1", dialect: fakeDialect() });
  return { p, compile };
}

/** The compile memo's digest of a node, written here from its definition: sha1 of its JSON. */
const digestOf = (node: unknown) =>
  createHash("sha1").update(JSON.stringify(node)).digest("base64");

/** This compile's digests, by position in `c.nodes`. */
const digestsOf = (c: CompiledProject) => c.nodes.map(digestOf);

/**
 * A state as a manifest of `c` records it: every part's checksums and the compile digests, its
 * rows in `c`'s node order or as `order` puts them (a permutation of the node positions).
 */
function stateOf(
  p: ReturnType<typeof generated>["p"],
  c: CompiledProject,
  order: (nodes: number[]) => number[] = (nodes) => nodes,
): ChecksumsBefore {
  const packed = packedPartChecksums(p, c, checksumParts);
  const nodes = order(c.nodes.map((_, i) => i)).map((i) => c.nodes[i]!);
  const ids = nodes.map((n) => n.id);
  const rows = new Map(ids.map((id, row) => [id, row]));
  return {
    key: checksumsKey(),
    ids,
    rowOf: (id) => rows.get(id),
    digest: (row) => digestOf(nodes[row]),
    packed: (row) => packed.get(ids[row]!),
    relation: (row) => ({ ...nodes[row]!.relation }),
  };
}

/** The state's packed checksums of node `id`. */
const packedOf = (before: ChecksumsBefore, id: string) => before.packed(before.rowOf(id)!);

/** Every node's checksums of `modified` hashed, and as reuse makes them: equal, and how many reused. */
function compare(
  p: ReturnType<typeof generated>["p"],
  c: CompiledProject,
  before: ChecksumsBefore,
) {
  const hashed = packedPartChecksums(p, structuredClone(c), modified);
  const reused = reusedChecksums(c, modified, { before, digests: digestsOf(c) });
  const shared = sharedPackedChecksums(p, c, modified, { before, digests: digestsOf(c) });
  expect([...shared]).toEqual([...hashed]);
  if (!reused) return undefined;
  // Each reused node names the state row it came from; a hashed one none.
  expect([...reused.taken.at]).toEqual(
    c.nodes.map((n, at) => (reused.sums[at] === undefined ? -1 : before.rowOf(n.id))),
  );
  expect(reused.taken.ids).toBe(before.ids);
  return reused.sums.filter((s) => s !== undefined).length;
}

describe("checksums reused from a state by compile digest", () => {
  it("are the hashed ones: every node but the source reused when nothing changed", () => {
    const { p, compile } = generated();
    const c = compile();
    expect(compare(p, c, stateOf(p, compile()))).toBe(c.nodes.length - 1);
  });

  it("hash an edited model, and only it", () => {
    const { p, compile } = generated();
    const before = stateOf(p, compile());
    p.models[30]!.text += " where true";
    const c = compile();
    expect(compare(p, c, before)).toBe(c.nodes.length - 2);
  });

  it("hash a node whose parent's relation changed, even with the node's JSON the same", () => {
    const { p, compile } = generated();
    const state = compile();
    const before = stateOf(p, state);
    // The source renamed (its node has no compile digest): its children's SQL kept as it was.
    const c = compile();
    const source = c.nodes.find((n) => n.kind === "source")!;
    source.relation = { ...source.relation, name: "events_v2" };
    const children = c.nodes.filter((n) => n.dependsOn.includes(source.id)).map((n) => n.id);
    expect(children).toHaveLength(6);
    expect(compare(p, c, before)).toBe(c.nodes.length - 1 - 6);
    // And their body differs from the state's: reusing them would have been wrong.
    const now = packedPartChecksums(p, c, ["body"]);
    for (const id of children)
      expect(now.get(id)!.split(" ")[0]).not.toBe(packedOf(before, id)!.split(" ")[0]);
  });

  it("hash a node whose parent's JSON changed but relation did not only when the digest says so", () => {
    const { p, compile } = generated();
    const before = stateOf(p, compile());
    const c = compile();
    // A model's config changed: its digest differs; its children still reuse (same relation).
    const m10 = c.nodes.find((n) => n.id === "model.m_10")!;
    m10.tags = [...m10.tags, "new"];
    expect(compare(p, c, before)).toBe(c.nodes.length - 2);
  });

  it("read the state's rows by id wherever its order parts from this compile's", () => {
    const { p, compile } = generated();
    // Sources last (as a manifest lists them), reversed, two nodes swapped, every other row.
    const orders: ((nodes: number[]) => number[])[] = [
      ([source, ...rest]) => [...rest, source!],
      (nodes) => [...nodes].reverse(),
      (nodes) => nodes.map((i) => (i === 30 ? 31 : i === 31 ? 30 : i)),
      (nodes) => nodes.filter((i) => i % 2 === 0),
    ];
    for (const order of orders) {
      const before = stateOf(p, compile(), order);
      // m_30 (edited) and m_31 swapped places in one order: read by position, m_30 would take
      // m_31's digest and checksums (or the other way round), and differ from the hashed ones.
      p.models[30]!.text += " where true";
      const c = compile();
      const reused = compare(p, c, before);
      p.models[30]!.text = p.models[30]!.text.replace(/ where true$/, "");
      const inState = c.nodes.filter((n) => before.rowOf(n.id) !== undefined);
      const hashedHere = inState.filter((n) => n.kind === "source" || n.id === "model.m_30");
      // Every node of the state but the source and the edited model (and, in the state of
      // every other row, a node whose parent is not in the state) is reused.
      if (order !== orders[3]) expect(reused).toBe(inState.length - hashedHere.length);
      else expect(reused).toBeGreaterThan(0);
    }
  });

  it("select as a comparison does when the rows taken from the state are not compared", () => {
    const { p, compile } = generated();
    const before = stateOf(p, compile(), ([source, ...rest]) => [...rest, source!]);
    p.models[30]!.text += " where true";
    const c = compile();
    const current = sharedPackedChecksums(p, c, modified, { before, digests: digestsOf(c) });
    expect((current as PackedChecksums).rows?.taken?.ids).toBe(before.ids);
    const ids = c.nodes.map((n) => n.id);
    /** The state's checksums as rows over `rowIds`, with `edit` applied to some. */
    const stateRows = (rowIds: readonly string[], edit = (_id: string, s: string) => s) => {
      const sums = rowIds.map((id) => edit(id, packedOf(before, id)!));
      return {
        get: (id: string) => sums[before.rowOf(id)!],
        has: (id: string) => before.rowOf(id) !== undefined,
        rows: { ids: rowIds, sums, rowOf: (id: string) => before.rowOf(id) },
      };
    };
    const compared = new Map(current); // no rows: every node compared
    for (const parts of [modified, ["body"], ["macros"]] as const) {
      const want = modifiedIds(ids, stateRows(before.ids), compared, parts);
      expect(modifiedIds(ids, stateRows(before.ids), current, parts)).toEqual(want);
    }
    expect(modifiedIds(ids, stateRows(before.ids), current, modified)).toEqual(["model.m_30"]);
    // `macros` was not taken: every node differs there (emptied), the taken ones too.
    expect(modifiedIds(ids, stateRows(before.ids), current, ["macros"]).length).toBe(ids.length);
    // Other rows (not the very rows taken from) with a taken node's body changed: compared.
    const other = stateRows([...before.ids], (id, s) =>
      id === "model.m_40" ? `0${s.slice(1)}` : s,
    );
    expect(modifiedIds(ids, other, current, modified)).toEqual(["model.m_30", "model.m_40"]);
  });

  it("reuse nothing for a state of another checksums key, or when macros are asked for", () => {
    const { p, compile } = generated();
    const c = compile();
    const before = stateOf(p, compile());
    const digests = digestsOf(c);
    expect(reusedChecksums(c, modified, { before: { ...before, key: "0.x" }, digests })).toBe(
      undefined,
    );
    expect(reusedChecksums(c, checksumParts, { before, digests })).toBe(undefined);
  });

  it("empty the state's macros part, which a digest does not cover", () => {
    const { p, compile } = generated();
    const c = compile();
    const before = stateOf(p, compile());
    const at = c.nodes.findIndex((n) => n.id === "model.m_20");
    const reused = reusedChecksums(c, ["body"], { before, digests: digestsOf(c) })!;
    const parts = packedOf(before, "model.m_20")!.split(" ");
    expect(parts[3]).not.toBe("");
    expect(reused.sums[at]).toBe([...parts.slice(0, 3), "", parts[4]].join(" "));
    // A state's checksums missing a part (or with one too many) are hashed, not reused.
    for (const odd of ["a b  m k", "a b r m", "a b r m k x", " b r m k"]) {
      const partial = { ...before, packed: () => odd };
      expect(
        reusedChecksums(c, ["body"], { before: partial, digests: digestsOf(c) })!.sums[at],
      ).toBe(undefined);
    }
  });
});

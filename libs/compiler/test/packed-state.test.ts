import { describe, expect, it } from "vitest";
import { seededRandom } from "./seeded-random.js";
import {
  checksumParts,
  compileProject,
  nodeChecksums,
  packChecksums,
  selectNodes,
  unpackChecksums,
} from "../src/index.js";
import type { ChecksumPart, NodeChecksums, PackedChecksums, SelectionState } from "../src/index.js";
import { sameDigest, samePackedDigest, samePackedDigests } from "../src/state/node-checksums.js";
import { fakeDialect } from "./fake-dialect.js";
import { model, project, rawEvents } from "./fixture-project.js";

const random = seededRandom;

/** 120 models: staging over the raw source, the rest each reading two earlier ones. */
function generated() {
  const models = Array.from({ length: 120 }, (_, i) =>
    i < 12
      ? model(`models/m_${i}.sql`, `select line, ${i} as k from {{ source('raw','events') }}`)
      : model(
          `models/m_${i}.sql`,
          `select a.line, a.k + ${i} as k from {{ ref('m_${(i * 7) % i}') }} as a ` +
            `join {{ ref('m_${i - 1}') }} as b on a.k = b.k`,
        ),
  );
  const p = project({ config: { "model-paths": ["models"] }, models, sources: [rawEvents()] });
  const c = compileProject(p, { runId: "r1", dialect: fakeDialect() });
  expect(c.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  return { compiled: c, sums: nodeChecksums(p, c) };
}

/** The comparison written out part by part on unpacked checksums (what isModified replaced). */
function slowModified(
  before: Partial<NodeChecksums> | undefined,
  now: NodeChecksums | undefined,
  parts: readonly ChecksumPart[],
): boolean {
  if (!before) return true;
  if (!now) return false;
  return parts.some((p) => {
    const [a, b] = [before[p], now[p]];
    return a === undefined || b === undefined || a.slice(0, 16) !== b.slice(0, 16);
  });
}

describe("state selection on packed checksums", () => {
  it("selects exactly what the part-by-part comparison selects, for every state: selector", () => {
    const { sums } = generated();
    const next = random(17);
    // The state: each node kept, changed in one part, missing a part, written with whole
    // sha256 digests (an older state), or absent (a new node), at random.
    const previous = new Map<string, Partial<NodeChecksums>>();
    for (const [id, s] of sums) {
      const r = next();
      const part = checksumParts[Math.floor(next() * checksumParts.length)]!;
      if (r < 0.5) previous.set(id, { ...s });
      else if (r < 0.7) previous.set(id, { ...s, [part]: "0000000000000000" });
      else if (r < 0.8) previous.set(id, { ...s, [part]: undefined });
      else if (r < 0.9) previous.set(id, { ...s, [part]: `${s[part]}${"9".repeat(48)}` });
    }
    const packedPrevious = new Map([...previous].map(([id, s]) => [id, packChecksums(s)]));
    const packedCurrent = new Map([...sums].map(([id, s]) => [id, packChecksums(s)]));
    // Both sides by id, and as rows (read by position) in orders of their own.
    const states: SelectionState[] = [
      { previous: packedPrevious, current: packedCurrent },
      {
        previous: withRows(packedPrevious, (ids) => shuffled(ids, random(5))),
        current: withRows(packedCurrent, (ids) => [...ids.slice(1), ids[0]!]),
      },
      {
        previous: withRows(packedPrevious, (ids) => ids),
        current: withRows(packedCurrent, (ids) => [...ids].reverse()),
      },
    ];
    for (const state of states) selectsAsSlow(state);
  });

  function selectsAsSlow(state: SelectionState) {
    const { compiled, sums } = generated();
    const previous = new Map(
      [...(state.previous as Map<string, string>)].map(([id, s]) => [id, unpackChecksums(s)]),
    );
    const ids = compiled.nodes.map((n) => n.id);
    const cases: [string, (id: string) => boolean][] = [
      ["state:new", (id) => !previous.has(id)],
      ...(["body", "configs", "relation", "macros", "contract"] as const).map(
        (p): [string, (id: string) => boolean] => [
          `state:modified.${p}`,
          (id) => slowModified(previous.get(id), sums.get(id), [p]),
        ],
      ),
      [
        "state:modified",
        (id) =>
          slowModified(previous.get(id), sums.get(id), ["body", "configs", "relation", "contract"]),
      ],
      [
        "state:unmodified",
        (id) =>
          !slowModified(previous.get(id), sums.get(id), [
            "body",
            "configs",
            "relation",
            "contract",
          ]),
      ],
    ];
    for (const [selector, expected] of cases) {
      const want = ids.filter(expected);
      expect(selectNodes(compiled, { select: [selector], state }).ids.sort(), selector).toEqual(
        want.sort(),
      );
    }
    // The mix is real: some nodes of each kind.
    const modified = ids.filter((id) =>
      slowModified(previous.get(id), sums.get(id), checksumParts),
    );
    expect(modified.length).toBeGreaterThan(20);
    expect(ids.length - modified.length).toBeGreaterThan(20);
  }
});

/** `sums` with rows in the order `order` gives their ids (see `PackedChecksums`). */
function withRows(
  sums: Map<string, string>,
  order: (ids: string[]) => string[],
): Map<string, string> & PackedChecksums {
  const ids = order([...sums.keys()]);
  const rowOf = new Map(ids.map((id, row) => [id, row]));
  const out = new Map(ids.map((id) => [id, sums.get(id)!])) as Map<string, string> &
    PackedChecksums;
  const rows = { ids, sums: ids.map((id) => sums.get(id)), rowOf: (id: string) => rowOf.get(id) };
  return Object.assign(out, { rows });
}

function shuffled<T>(values: T[], next: () => number): T[] {
  const out = [...values];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

describe("samePackedDigest", () => {
  it("equals sameDigest of the split fields on 20,000 random pairs of packed strings", () => {
    const next = random(31);
    const digest = "3f1c0000aaaabbbb";
    const fields = ["", digest, `${digest}${"9".repeat(48)}`, "3f1c0000aaaabbbc", "3f1c", "é"];
    const packed = () =>
      Array.from(
        { length: Math.floor(next() * 8) },
        () => fields[Math.floor(next() * fields.length)],
      ).join(" ");
    for (let n = 0; n < 20_000; n++) {
      const [a, b, i] = [packed(), packed(), Math.floor(next() * 6)];
      const split = sameDigest(a.split(" ")[i] || undefined, b.split(" ")[i] || undefined);
      expect([a, b, i, samePackedDigest(a, b, i)]).toEqual([a, b, i, split]);
      // Several fields at once: each field's, all true.
      const many = [0, 1, 2, 3, 4, 5].filter(() => next() < 0.5);
      const each = many.every((f) =>
        sameDigest(a.split(" ")[f] || undefined, b.split(" ")[f] || undefined),
      );
      expect([a, b, many, samePackedDigests(a, b, many)]).toEqual([a, b, many, each]);
    }
  });
});

describe("packChecksums", () => {
  it("writes the digests in part order, space-separated, an absent or unusable part empty", () => {
    // The text state_checksums.json keeps: written by hand here, not by the code under test.
    expect(packChecksums({ body: "3f1c", configs: "a0" })).toBe("3f1c a0   ");
    expect(packChecksums({ contract: "c9", body: "b1" })).toBe("b1    c9");
    expect(packChecksums({ relation: "r 2", macros: 7 as unknown as string })).toBe("    ");
    expect(packChecksums({})).toBe("    ");
  });
});

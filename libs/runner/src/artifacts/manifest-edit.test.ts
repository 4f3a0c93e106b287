import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { compileProject } from "@sluice/compiler";
import type { CompiledNode, CompiledProject } from "@sluice/compiler";
import { createDuckdbDialect } from "@sluice/dialects";
import { loadProject } from "@sluice/project";
import type { Project } from "@sluice/project";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { dbtManifest } from "./dbt-manifest.js";
import { columnBytes, plainField, replaceLines, splicedColumns } from "./manifest-edit.js";
import { writeManifest } from "./manifest-file.js";
import { readStateIndex, withoutStateIndex } from "./state-index.js";
import { encodeColumns } from "./state-nodes.js";
import type { NodeRow } from "./state-sidecar.js";

const modelsDir = fileURLToPath(new URL("../../../../models", import.meta.url));
const at = (iso: string, id: string) => ({ generatedAt: new Date(iso), invocationId: id });
/** Where two texts first differ, with some text around it (undefined: equal). */
const difference = (a: string, b: string): string | undefined => {
  if (a === b) return undefined;
  let i = 0;
  while (i < a.length && a[i] === b[i]) i++;
  return `at ${i} of ${a.length}/${b.length}: ${a.slice(i - 60, i + 60)} | ${b.slice(i - 60, i + 60)}`;
};
const first = at("2026-12-01T00:00:00Z", "first");
// The same run id: a claim of edits names the compile before, run id included (see
// `ManifestSource`); the compile digests are made rootless with it.
const second = at("2026-12-02T00:00:00Z", "first");

describe("encodeColumns' plain flag (what the one-edit path splices without parsing)", () => {
  const row = (location: string): NodeRow => [
    "model.a",
    "1f 2e",
    "marts",
    "a",
    "model",
    "table",
    location,
  ];
  it("is set when JSON escapes nothing but the newlines between rows", () => {
    expect(encodeColumns([row("/lake/é/a"), row("")])?.plain).toBe(true);
    expect(encodeColumns([])?.plain).toBe(true);
    for (const odd of ['/l"ake', "/l\\ake", "/l\take", "/l\u0001ake", "\ud800"])
      expect(encodeColumns([row("/x"), row(odd)])?.plain, JSON.stringify(odd)).toBe(false);
    expect(plainField("/lake/é")).toBe(true);
    expect(plainField('a"b')).toBe(false);
    expect(plainField("a\nb")).toBe(false);
  });
});

describe("splicedColumns", () => {
  it("replaces rows as bytes, non-ASCII fields before and after them, as encoding every row", () => {
    const row = (i: number, location: string): NodeRow => [
      `model.m${i}`,
      "1f 2e",
      "marts",
      `m${i}`,
      "model",
      "table",
      location,
    ];
    const rows = [row(0, "/lake/é"), row(1, "/a"), row(2, "/😀/b"), row(3, "/c"), row(4, "/ü")];
    const value = `{"adapter":"duckdb","count":5,"columns":${Buffer.concat(encodeColumns(rows)!.json).toString()}}`;
    // The value after a first line, as in a sidecar file: positions are bytes from the file's start.
    const bytes = Buffer.from(`["key","é"]\n${value}`);
    const valueAt = Buffer.byteLength('["key","é"]\n');
    const columns = columnBytes(bytes, valueAt, 5)!;
    expect(columns).toBeDefined();
    const replaced = new Map([
      [1, row(1, "/é/new")],
      [3, row(3, "/x")],
    ]);
    const expected = rows.map((r, i) => replaced.get(i) ?? r);
    expect(Buffer.concat(splicedColumns(columns, replaced)).toString()).toBe(
      Buffer.concat(encodeColumns(expected)!.json).toString(),
    );
    expect(columnBytes(bytes, valueAt, 4)).toBeUndefined();
  });
});

describe("replaceLines", () => {
  it("replaces the lines asked for, in any order, and nothing else", () => {
    expect(replaceLines("a\nb\nc", 3, new Map([[1, "B"]]))).toBe("a\nB\nc");
    expect(
      replaceLines(
        "a\nb\nc",
        3,
        new Map([
          [2, "C"],
          [0, ""],
        ]),
      ),
    ).toBe("\nb\nC");
    expect(replaceLines("a", 1, new Map([[0, "é"]]))).toBe("é");
    expect(replaceLines("a\n\nc", 3, new Map([[1, "x"]]))).toBe("a\nx\nc");
    expect(replaceLines("a\nb", 2, new Map())).toBe("a\nb");
    expect(() => replaceLines("a\nb", 2, new Map([[2, "x"]]))).toThrow(/no line 2/);
  });

  it("is split, replace and join, wherever the lines are (front, back, empty lines)", () => {
    let seed = 7;
    const random = (n: number) => (seed = (seed * 48271) % 2147483647) % n;
    for (let round = 0; round < 300; round++) {
      const count = 1 + random(12);
      const fields = Array.from({ length: count }, () => "xyz".slice(0, random(4)));
      const lines = new Map<number, string>();
      for (let k = random(4); k > 0; k--) lines.set(random(count), `n${random(100)}`);
      const expected = fields.map((f, i) => lines.get(i) ?? f).join("\n");
      expect(replaceLines(fields.join("\n"), count, lines)).toBe(expected);
    }
  });
});

/**
 * The one-edit path of writeManifest (see manifest-edit.ts) against the path that keys every
 * node: after the same previous write, both must leave the same bytes in manifest.json, its
 * sidecar and its index (but the index's file time).
 */
describe("writeManifest after an edit of model SQL", () => {
  let project: Project;
  let compiled: CompiledProject;
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  beforeAll(async () => {
    project = await loadProject(modelsDir, { env: {} });
    compiled = compileProject(project, { runId: "r1", dialect: createDuckdbDialect() });
    expect(compiled.nodes.some((n) => n.kind === "source")).toBe(true);
  });

  /** The project and compile with `models`' SQL changed by `change`. */
  const edited = (models: CompiledNode[], change: (sql: string) => string) => {
    const paths = new Set(models.map((m) => m.path));
    const ids = new Set(models.map((m) => m.id));
    return {
      project: {
        ...project,
        models: project.models.map((m) => (paths.has(m.path) ? { ...m, text: change(m.text) } : m)),
      },
      compiled: {
        ...compiled,
        nodes: compiled.nodes.map((n) => (ids.has(n.id) ? { ...n, sql: change(n.sql) } : n)),
      },
      ids,
    };
  };

  /** target/'s three files after the compile before, then the edit, claimed or not. */
  const written = (
    edit: ReturnType<typeof edited>,
    claimed: boolean,
    options: {
      recordBefore?: boolean;
      record?: boolean;
      tamper?: (target: string) => void;
      invocation?: typeof second;
      /** Whether the manifest written must hold a state index (default: yes). */
      indexed?: boolean;
    } = {},
  ) => {
    const target = mkdtempSync(path.join(os.tmpdir(), "sluice-manifest-edit-"));
    dirs.push(target);
    const { recordBefore = true, record = true } = options;
    writeManifest(target, project, compiled, first, "b1", {
      compileKey: "h1",
      recordDigests: recordBefore,
      source: {
        fingerprint: "f1",
      },
    });
    options.tamper?.(target);
    const result = writeManifest(
      target,
      edit.project,
      edit.compiled,
      options.invocation ?? second,
      "b1",
      {
        compileKey: "h2",
        recordDigests: record,
        source: {
          fingerprint: "f2",
          ...(claimed ? { edits: { since: "f1", nodes: edit.ids } } : {}),
        },
      },
    );
    const read = (name: string) => readFileSync(path.join(target, name), "utf8");
    const index = JSON.parse(read(".manifest-index.json")) as { mtimeMs?: number };
    delete index.mtimeMs;
    expect(readStateIndex(path.join(target, "manifest.json"))).toEqual(
      options.indexed === false ? undefined : expect.objectContaining({ value: expect.anything() }),
    );
    return {
      result,
      manifest: read("manifest.json"),
      sidecar: read("manifest.state.json"),
      index: JSON.stringify(index),
    };
  };

  const models = () => compiled.nodes.filter((n) => n.kind === "model");
  const cases: [string, () => CompiledNode[], (sql: string) => string][] = [
    ["the first model, longer by a non-ASCII comment", () => [models()[0]!], (s) => `${s}\n-- é ü`],
    ["the last model, shorter", () => [models().at(-1)!], (s) => s.replace(/\s+$/, "")],
    [
      "a model others read, and one far from it",
      () => [
        models().find((m) => compiled.nodes.some((n) => n.dependsOn.includes(m.id)))!,
        models()[3]!,
      ],
      (s) => s.replace(/select/i, "select /* ✓ */"),
    ],
  ];

  for (const [what, pick, change] of cases)
    it(`writes what keying every node writes: ${what}`, () => {
      const edit = edited(pick(), change);
      const slow = written(edit, false);
      const fast = written(edit, true);
      expect(fast.result).toEqual(slow.result);
      expect(fast.index).toContain('"runId":"first"');
      expect(fast.result.built).toBeGreaterThan(0);
      expect(difference(fast.manifest, slow.manifest)).toBeUndefined();
      expect(difference(fast.sidecar, slow.sidecar)).toBeUndefined();
      expect(difference(fast.index, slow.index)).toBeUndefined();
      // And the manifest is JSON.stringify's text for the edited compile (but times).
      const times = /"(generated_at|invocation_id)":"[^"]*"|"created_at":[\d.e+-]+/g;
      expect(withoutStateIndex(fast.manifest).replace(times, "")).toBe(
        `${JSON.stringify(dbtManifest(edit.project, edit.compiled, second))}\n`.replace(times, ""),
      );
    });

  it("keeps the rows as rows when a built entry's row holds a newline (no columns, no index)", () => {
    const model = models()[2]!;
    const edit = edited([model], (s) => `${s}\n-- moved`);
    // Not an edit of SQL alone (the claim is then wrong, but the writer must stay exact): the
    // row's location (the folder of the table's versions) holds a newline, so the rows cannot
    // be columns.
    const nodes = edit.compiled.nodes.map((n) =>
      n.id === model.id
        ? { ...n, location: (n.location ?? "").replace("/v_", "\nsecond line/v_") }
        : n,
    );
    const moved = { ...edit, compiled: { ...edit.compiled, nodes } };
    const slow = written(moved, false, { indexed: false });
    const fast = written(moved, true, { indexed: false });
    expect(slow.sidecar).toContain('"nodes":[[');
    expect(difference(fast.manifest, slow.manifest)).toBeUndefined();
    expect(difference(fast.sidecar, slow.sidecar)).toBeUndefined();
    expect(difference(fast.index, slow.index)).toBeUndefined();
  });

  it("encodes a built row with a field to escape as the full path does, then keys every node", () => {
    const model = models()[2]!;
    const edit = edited([model], (s) => `${s}\n-- quoted`);
    const nodes = edit.compiled.nodes.map((n) =>
      n.id === model.id ? { ...n, location: `${n.location ?? ""}/"q"\\` } : n,
    );
    const quoted = { ...edit, compiled: { ...edit.compiled, nodes } };
    const slow = written(quoted, false);
    const fast = written(quoted, true);
    expect(fast.sidecar).toContain('/\\"q\\"\\\\');
    expect(difference(fast.manifest, slow.manifest)).toBeUndefined();
    expect(difference(fast.sidecar, slow.sidecar)).toBeUndefined();
    expect(difference(fast.index, slow.index)).toBeUndefined();
    expect(fast.index).toContain('"plainColumns":false');
  });

  it("falls back to keying every node when the previous sidecar holds rows or no digests", () => {
    const edit = edited([models()[1]!], (s) => `${s}\n-- again`);
    const slow = written(edit, false);
    // The sidecar as rows (its key line kept): nothing spliced, the same files.
    const asRows = written(edit, true, {
      tamper: (target) => {
        const file = path.join(target, "manifest.state.json");
        const [key, value] = readFileSync(file, "utf8").split("\n") as [string, string];
        const { adapter, count, columns, digests } = JSON.parse(value) as {
          adapter: string;
          count: number;
          columns: string[];
          digests?: unknown;
        };
        const fields = columns.map((c) => c.split("\n"));
        const nodes = Array.from({ length: count }, (_, i) => fields.map((f) => f[i]));
        writeFileSync(file, `${key}\n${JSON.stringify({ adapter, nodes, digests })}`);
      },
    });
    expect(difference(asRows.manifest, slow.manifest)).toBeUndefined();
    expect(difference(asRows.sidecar, slow.sidecar)).toBeUndefined();
    expect(difference(asRows.index, slow.index)).toBeUndefined();
    // The compile before recorded no digests: this one's are all made.
    const slowNone = written(edit, false, { recordBefore: false });
    const fastNone = written(edit, true, { recordBefore: false });
    expect(difference(fastNone.sidecar, slowNone.sidecar)).toBeUndefined();
    expect(fastNone.sidecar).toContain('"digests"');
    expect(difference(fastNone.manifest, slowNone.manifest)).toBeUndefined();
    // Another run id (the claim is then wrong): the digests made rootless with it are made
    // again, not kept (the models project's texts hold "second": channel_performance's, which
    // an edit of stg_events does not reach, differs). Only the digests: the claim also keeps
    // that node's entry key, which the run id changes (its SQL may hold it), so the manifests
    // (and the sidecars' keys, their digests) differ as a wrong claim makes them differ.
    const other = { invocation: at("2026-12-02T00:00:00Z", "second") };
    const early = edited([models()[0]!], (s) => `${s}\n-- again`);
    const digestsOf = (sidecar: string) => sidecar.slice(sidecar.indexOf('"digests"'));
    const slowOther = written(early, false, other);
    expect(digestsOf(slowOther.sidecar)).not.toBe(digestsOf(written(early, false).sidecar));
    expect(
      difference(digestsOf(written(early, true, other).sidecar), digestsOf(slowOther.sidecar)),
    ).toBeUndefined();
    // Digests recorded before, none now: none written.
    const fastDropped = written(edit, true, { record: false });
    expect(fastDropped.sidecar).not.toContain('"digests"');
    expect(
      difference(fastDropped.sidecar, written(edit, false, { record: false }).sidecar),
    ).toBeUndefined();
  });
});

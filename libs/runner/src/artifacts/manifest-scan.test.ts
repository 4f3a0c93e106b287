import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { compileProject } from "@sluice/compiler";
import { createDuckdbDialect } from "@sluice/dialects";
import { loadProject } from "@sluice/project";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeManifest } from "./manifest-file.js";
import { scanManifest } from "./manifest-scan.js";
import { entryRow, manifestRows, readRunState, StateError } from "./read-state.js";
import type { NodeRow } from "./state-sidecar.js";

const modelsDir = fileURLToPath(new URL("../../../../models", import.meta.url));
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), "sluice-scan-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let files = 0;
const write = (text: string): string => {
  const file = path.join(dir, `manifest-${files++}.json`);
  writeFileSync(file, text);
  return file;
};

/**
 * Rows from the scan at several chunk sizes (boundaries everywhere), its entries kept as
 * objects or made rows as they are read, and from JSON.parse.
 */
function bothWays(file: string, chunks = [1, 2, 3, 7, 64, 4096, 1 << 20]) {
  const parsed = manifestRows(file, JSON.parse(readFileSync(file, "utf8")));
  for (const chunk of chunks) {
    const scanned = scanManifest(file, chunk);
    expect(scanned, `scan with ${chunk}-byte chunks`).toBeDefined();
    expect(manifestRows(file, scanned), `${chunk}-byte chunks`).toEqual(parsed);
    const rows = scanManifest(file, chunk, entryRow);
    expect(
      manifestRows(file, rows, (row) => row as NodeRow),
      `${chunk}, rows`,
    ).toEqual(parsed);
  }
  return parsed;
}

const node = (uid: string, fields: Record<string, unknown> = {}) => ({
  unique_id: uid,
  resource_type: uid.split(".")[0],
  schema: "marts",
  name: uid.split(".").at(-1),
  config: { materialized: "table", tags: ["a"] },
  ...fields,
});
const manifest = (nodes: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
  JSON.stringify({
    metadata: { dbt_schema_version: "https://schemas.getdbt.com/dbt/manifest/v12.json" },
    nodes,
    ...extra,
  });

describe("scanManifest: the fields --state reads, without parsing the whole manifest", () => {
  it(
    "reads the models project's manifest (sluice's own) as JSON.parse does",
    { timeout: 120_000 },
    async () => {
      const project = await loadProject(modelsDir, { env: {} });
      const compiled = compileProject(project, { runId: "r1", dialect: createDuckdbDialect() });
      const target = path.join(dir, "target");
      mkdirSync(target);
      const inv = { generatedAt: new Date("2026-12-01T00:00:00Z"), invocationId: "i" };
      writeManifest(target, project, compiled, inv, "b1");
      const rows = bothWays(path.join(target, "manifest.json"));
      expect(rows.nodes).toHaveLength(compiled.nodes.length);
      expect(
        rows.nodes.every((r) => r[1].split(" ").every((part) => /^[0-9a-f]{16}$/.test(part))),
      ).toBe(true);
    },
  );

  it(
    "reads a synthetic 10,000-model manifest with random fields as JSON.parse does",
    { timeout: 120_000 },
    () => {
      // Park-Miller: the same "random" manifest every run.
      let seed = 17;
      const random = () => (seed = (seed * 48271) % 2147483647) / 2147483647;
      const pick = <T>(xs: T[]): T => xs[Math.floor(random() * xs.length)]!;
      const nodes: Record<string, unknown> = {};
      for (let i = 0; i < 10_000; i++) {
        const uid = `model.shop.m_${i}`;
        nodes[uid] = {
          ...(random() < 0.5 ? { database: null } : {}),
          schema: pick(["staging", "marts", "é_ünï", 'quo"te']),
          name: `m_${i}`,
          ...(random() < 0.3 ? { alias: pick([null, `a_${i}`, "x\\y"]) } : {}),
          resource_type: pick(["model", "seed", "snapshot"]),
          unique_id: uid,
          raw_code: `select '{' as "}", ${i} -- \u2028 "quoted" \\ \n`.repeat(1 + (i % 5)),
          config:
            random() < 0.1
              ? null
              : { materialized: pick(["view", "table", null]), meta: { x: [1, { y: "}" }] } },
          meta:
            random() < 0.2
              ? {}
              : {
                  sluice: {
                    checksums: {
                      body: `${i}`.padStart(16, "0"),
                      configs: "ab",
                      relation: random() < 0.1 ? 7 : "cd",
                    },
                    ...(random() < 0.3 ? { location: `s3://b/${i}` } : {}),
                  },
                },
          created_at: 1796420003.771 + i,
          columns: { id: { name: "id", data_type: null, constraints: [], tags: [] } },
        };
      }
      const rows = bothWays(
        write(
          manifest(nodes, {
            sources: {
              "source.shop.raw.events": node("source.shop.raw.events", { identifier: "events" }),
            },
          }),
        ),
        // Chunks of a few bytes take minutes on 10 MB: those are tried on the smaller files.
        [4093, 65536, 1 << 20],
      );
      expect(rows.nodes).toHaveLength(10_001);
    },
  );

  it("reads a manifest in dbt's shape (no sluice meta, sources with identifier, indented)", () => {
    // Written by hand in the shape dbt-core 1.8 writes (keys in its order, nested config).
    const dbtNode = {
      database: "awsdatacatalog",
      schema: "analytics",
      name: "orders",
      resource_type: "model",
      package_name: "shop",
      path: "orders.sql",
      original_file_path: "models/orders.sql",
      unique_id: "model.shop.orders",
      fqn: ["shop", "orders"],
      alias: "orders",
      checksum: { name: "sha256", checksum: "0f".repeat(32) },
      config: {
        enabled: true,
        alias: null,
        schema: null,
        materialized: "incremental",
        contract: { enforced: false },
      },
      tags: [],
      description: "",
      columns: {},
      meta: {},
      depends_on: { macros: [], nodes: ["source.shop.raw.events"] },
      compiled_path: "target/compiled/shop/models/orders.sql",
      raw_code: "select * from {{ source('raw', 'events') }}",
    };
    const source = {
      database: "awsdatacatalog",
      schema: "raw",
      name: "events",
      resource_type: "source",
      unique_id: "source.shop.raw.events",
      identifier: "events_v2",
      loaded_at_field: null,
      meta: {},
      config: { enabled: true },
    };
    const text = JSON.stringify(
      {
        metadata: {
          dbt_schema_version: "https://schemas.getdbt.com/dbt/manifest/v12.json",
          dbt_version: "1.8.7",
          adapter_type: "athena",
        },
        nodes: { "model.shop.orders": dbtNode },
        sources: { "source.shop.raw.events": source },
        macros: {},
        parent_map: { "model.shop.orders": ["source.shop.raw.events"] },
      },
      null,
      2,
    );
    const rows = bothWays(write(text));
    expect(rows).toEqual({
      adapter: "athena",
      nodes: [
        ["model.orders", "    ", "analytics", "orders", "model", "incremental", ""],
        ["source.raw.events", "    ", "raw", "events_v2", "source", "", ""],
      ],
    });
  });

  it("reads hostile text as JSON.parse does: escapes, braces in strings, keys in any order", () => {
    const hostile = {
      "model.shop.a": node("model.shop.a", {
        schema: 'with \\"escaped\\" quotes \\\\ and \\u00e9 \\ud83d\\ude00',
        name: '{[}]:,"',
        raw_code: '{"nodes": {"model.fake": {}}} \\" }}}',
      }),
      "model.shop.b": {
        meta: { sluice: { location: "s3://x/\u00e9", checksums: { macros: "m", body: "b" } } },
        config: { materialized: "view" },
        name: "b",
        schema: "s",
        unique_id: "model.shop.b",
        resource_type: "model",
        alias: null,
        identifier: "ident",
      },
      "model.shop.\u00e9\u2028": node("model.shop.\u00e9\u2028"),
      "123": node("model.shop.digits"),
    };
    // Escapes written out in the JSON text (JSON.stringify would write most as plain characters).
    const text = manifest(hostile, {
      sources: {},
      metadata: {
        dbt_schema_version: "v12",
        adapter_type: "duckdb",
        extra: [1, -2.5e-3, true, false, null],
      },
    })
      .replace('"s3://x/é"', '"s3:\\/\\/x\\/\\u00e9"')
      .replace('"unique_id":"model.shop.b"', '"unique\\u005fid":"model.shop.b"')
      // Every escape, in a string the scan skips.
      .replace('"raw_code":"{', '"raw_code":"\\u0041\\b\\f\\n\\r\\t\\/\\\\{');
    const rows = bothWays(write(text));
    // The integer-like key comes first, as JavaScript orders an object's keys.
    expect(rows.nodes.map((r) => r[0])).toEqual([
      "model.digits",
      "model.a",
      "model.b",
      "model.\u00e9\u2028",
    ]);
    expect(rows.nodes[2]).toEqual([
      "model.b",
      "b   m ",
      "s",
      "ident",
      "model",
      "view",
      "s3://x/\u00e9",
    ]);
    // A key twice: the last value, at the first one's place (as JSON.parse).
    const twice =
      '{"metadata":{"dbt_schema_version":"v"},"nodes":{"model.p.x":{"unique_id":"model.p.x","name":"first"},"model.p.y":{"unique_id":"model.p.y"},"model.p.x":{"unique_id":"model.p.x","name":"second","config":{"materialized":"view"},"config":{"tags":[]}}}}';
    expect(bothWays(write(twice)).nodes.map((r) => [r[0], r[3], r[5]])).toEqual([
      ["model.x", "second", ""],
      ["model.y", undefined, ""],
    ]);
    // Keys that are array indexes come first, in numeric order, wherever they stand in the file.
    const keys = ["model.p.x", "7", "42", "01", "3", "4294967295", "4294967294"];
    const indexed = `{"metadata":{"dbt_schema_version":"v"},"nodes":{${keys
      .map((k) => `"${k}":{"unique_id":"model.p.k${k}"}`)
      .join(",")}}}`;
    expect(bothWays(write(indexed)).nodes.map((r) => r[0])).toEqual(
      ["3", "7", "42", "4294967294", "model.p.x", "01", "4294967295"].map((k) => `model.k${k}`),
    );
  });

  it("reads strings ending in escapes, and non-ASCII text, as JSON.parse does", () => {
    // The file's text is written by hand: `\\"` in a string below stands as `\"` in the file.
    const entry = (uid: string, schema: string, code: string) =>
      `"${uid}":{"unique_id":"${uid}","resource_type":"model","schema":"${schema}","name":"n",` +
      `"compiled_code":"${code}","raw_code":"${code}","meta":{"sluice":{"checksums":{"body":"b"}}}}`;
    const text =
      '{"metadata":{"dbt_schema_version":"v12","adapter_type":"athena"},"nodes":{' +
      [
        // A string ending in an escaped quote, one in an escaped backslash, one in both.
        entry("model.p.quote_end", "s", 'select \\"x\\" from t where a = \\"'),
        entry("model.p.backslash_end", "s\\\\", "select '\\\\'\\\\"),
        entry("model.p.both_end", '\\\\\\"', 'x \\\\\\\\\\"'),
        // Non-ASCII text as it is (2, 3 and 4 bytes) and escaped, in kept and skipped strings.
        entry(
          "model.p.unicode",
          "s\u00e9\u4e2d\ud83d\ude00",
          "-- \u00e9 \ud83d\ude00 \\u00e9 \u2028",
        ),
        entry("model.p.\u00e9\\u00e9", "\\ud83d\\ude00", ""),
      ].join(",") +
      "}}";
    const rows = bothWays(write(text));
    expect(rows.nodes.map((r) => [r[0], r[2]])).toEqual([
      ["model.quote_end", "s"],
      ["model.backslash_end", "s\\"],
      ["model.both_end", '\\"'],
      ["model.unicode", "s\u00e9\u4e2d\ud83d\ude00"],
      ["model.\u00e9\u00e9", "\ud83d\ude00"],
    ]);
  });

  it("keeps rejecting a malformed manifest: cut anywhere, or a string left open", async () => {
    const good =
      '{"metadata":{"dbt_schema_version":"v12"},"nodes":{"model.p.a":{"unique_id":"model.p.a",' +
      '"compiled_code":"select \\"\u00e9\\" -- \\\\","n":-1.5e3,"t":[true,false,null]}}}';
    expect(bothWays(write(good)).nodes).toHaveLength(1);
    const bytes = Buffer.from(good);
    const broken = [
      // Cut at every byte: inside strings, escapes, literals and a 2-byte character.
      ...Array.from({ length: bytes.length - 1 }, (_, k) => bytes.subarray(0, k + 1)),
      // The string's last quote escaped (`\\"` ends compiled_code, `\"` does not).
      Buffer.from(good.replace('\\\\","n"', '\\","n"')),
      // A raw control character after non-ASCII text, in a string the scan skips.
      Buffer.from(good.replace("\u00e9", "\u00e9\n")),
    ];
    const stateDir = mkdtempSync(path.join(dir, "state-"));
    for (const b of broken) {
      const file = write("");
      writeFileSync(file, b);
      expect(scanManifest(file), b.toString()).toBeUndefined();
      writeFileSync(path.join(stateDir, "manifest.json"), b);
      await expect(readRunState(stateDir), b.toString()).rejects.toThrow(/is not JSON/);
    }
  });

  it("leaves to JSON.parse what it does not take on, and readRunState still reads or rejects it", async () => {
    const cases = [
      manifest({ "model.p.a": node("model.p.a", { schema: ["not", "a", "string"] }) }),
      manifest({ "model.p.a": node("model.p.a", { config: [] }) }),
      manifest({
        "model.p.a": node("model.p.a", { meta: { sluice: { checksums: { body: { x: 1 } } } } }),
      }),
      `\ufeff${manifest({})}`,
    ];
    for (const text of cases) {
      const file = write(text);
      expect(scanManifest(file)).toBeUndefined();
    }
    // Not understood but valid JSON: readRunState parses it and reads what JSON.parse gives.
    const stateDir = mkdtempSync(path.join(dir, "state-"));
    writeFileSync(path.join(stateDir, "manifest.json"), cases[0]!);
    const state = await readRunState(stateDir);
    expect(state.nodes.get("model.a")?.relation.schema).toEqual(["not", "a", "string"]);
    // Not JSON: the scan gives up, and the parse says where.
    for (const broken of [
      '{"metadata":{}, "nodes": {"a": 1,}}',
      '{"nodes": {} } x',
      '{"nodes": tru}',
      '{"a":"unterminated',
      // In strings the scan skips: a raw control character, an unknown escape, a short \u.
      '{"nodes": {}, "macros": {"m": {"raw_code": "a\tb"}}}',
      '{"nodes": {}, "macros": {"m": {"raw_code": "a\\qb"}}}',
      '{"nodes": {}, "macros": {"m": {"raw_code": "a\\u12G4"}}}',
      '{"nodes": {}, "docs": ["\\u12"]}',
    ]) {
      const file = write(broken);
      expect(scanManifest(file)).toBeUndefined();
      writeFileSync(path.join(stateDir, "manifest.json"), broken);
      await expect(readRunState(stateDir)).rejects.toThrow(/is not JSON/);
    }
    // JSON but not a manifest: the same message as before.
    writeFileSync(path.join(stateDir, "manifest.json"), JSON.stringify({ nodes: {} }));
    await expect(readRunState(stateDir)).rejects.toThrow(StateError);
    await expect(readRunState(stateDir)).rejects.toThrow(/not a dbt v12 manifest/);
  });
});

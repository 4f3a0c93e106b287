import { mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { readRunState } from "./read-state.js";
import { rowColumns, StateNodes } from "./state-nodes.js";
import type { NodeRow } from "./state-sidecar.js";

/** A v12-shaped manifest of one model published as `schema.funnel`, its file a minute old. */
function writeManifest(dir: string, schema: string, minutesAgo = 1): void {
  const file = path.join(dir, "manifest.json");
  const node = {
    unique_id: "model.shop.funnel",
    resource_type: "model",
    schema,
    alias: "funnel",
    name: "funnel",
    config: { materialized: "table" },
    meta: { sluice: { checksums: { body: "00112233aabbccdd", configs: "1" }, location: "s3://x" } },
  };
  writeFileSync(
    file,
    JSON.stringify({
      metadata: { dbt_schema_version: "v12", adapter_type: "duckdb" },
      nodes: { [node.unique_id]: node },
    }),
  );
  const when = new Date(Date.now() - minutesAgo * 60_000);
  utimesSync(file, when, when);
}

describe("readRunState's cache of the state manifest (target/state_manifest.json)", () => {
  const dirs: string[] = [];
  const tmp = () => {
    const d = mkdtempSync(path.join(os.tmpdir(), "sluice-state-cache-"));
    dirs.push(d);
    return d;
  };
  afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

  it("reads back what the manifest says, from the cache while the file is unchanged", async () => {
    const [state, cacheDir] = [tmp(), tmp()];
    writeManifest(state, "marts");
    const uncached = await readRunState(state);
    const first = await readRunState(state, { cacheDir });
    expect(new Map(first.nodes)).toEqual(new Map(uncached.nodes));
    expect(first.nodes.get("model.funnel")).toEqual({
      checksums: { body: "00112233aabbccdd", configs: "1" },
      relation: { schema: "marts", name: "funnel" },
      kind: "model",
      materialization: "table",
      location: "s3://x",
    });
    // The second read comes from the cache file (changed here to tell it apart).
    const cacheFile = path.join(cacheDir, "state_manifest.json");
    writeFileSync(cacheFile, readFileSync(cacheFile, "utf8").replace('"marts"', '"cached"'));
    expect(
      (await readRunState(state, { cacheDir })).nodes.get("model.funnel")?.relation.schema,
    ).toBe("cached");
    // The manifest rewritten (another size/time): read again.
    writeManifest(state, "prod_marts", 2);
    const after = await readRunState(state, { cacheDir });
    expect(after.nodes.get("model.funnel")?.relation.schema).toBe("prod_marts");
  });

  it("keeps the nodes as columns, or as rows when a field holds a newline; reads both back", async () => {
    for (const schema of ["marts", "line\nbreak"]) {
      const [state, cacheDir] = [tmp(), tmp()];
      writeManifest(state, schema);
      const uncached = await readRunState(state);
      await readRunState(state, { cacheDir });
      const cache = readFileSync(path.join(cacheDir, "state_manifest.json"), "utf8");
      const value = JSON.parse(cache.slice(cache.indexOf("\n") + 1)) as Record<string, unknown>;
      expect(Object.keys(value).sort()).toEqual(
        schema === "marts" ? ["adapter", "columns", "count"] : ["adapter", "nodes"],
      );
      const cached = await readRunState(state, { cacheDir });
      expect(new Map(cached.nodes)).toEqual(new Map(uncached.nodes));
      expect(cached.nodes.packedChecksums().get("model.funnel")).toBe("00112233aabbccdd 1   ");
      expect(cached.nodes.get("model.funnel")?.relation.schema).toBe(schema);
    }
  });

  it("does not trust a manifest written within the last two seconds", async () => {
    const [state, cacheDir] = [tmp(), tmp()];
    writeManifest(state, "marts", 0);
    await readRunState(state, { cacheDir });
    expect(() => readFileSync(path.join(cacheDir, "state_manifest.json"))).toThrow();
  });
});

describe("StateNodes from columns", () => {
  it("holds what the same rows give: ids in first-seen order, a repeated id's last row", () => {
    const rows: NodeRow[] = [
      ["model.a", "1 2 3 4 5", "s", "a", "model", "table", "s3://a"],
      ["seed.b", "6    ", "s", "b", "seed", "seed", ""],
      ["model.a", "7 8 9 1 2", "t", "a2", "model", "view", ""],
    ];
    const columns = rowColumns(rows)!;
    expect(columns.count).toBe(3);
    const fromColumns = new StateNodes(columns);
    const fromRows = new StateNodes(rows);
    expect([...fromColumns.keys()]).toEqual(["model.a", "seed.b"]);
    expect(new Map(fromColumns)).toEqual(new Map(fromRows));
    expect(fromColumns.rowList()).toEqual(fromRows.rowList());
    expect(fromColumns.packedChecksums().get("model.a")).toBe("7 8 9 1 2");
    expect(new StateNodes(rowColumns([])!).size).toBe(0);
    expect(() => new StateNodes({ count: 2, columns: ["x", "y", "", "", "", "", ""] })).toThrow();
  });
});

import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";
import vm from "node:vm";

/** A generated `assets/*.js` file's `window.<name>` value (run as the page would run it). */
export async function windowValue<T>(file: string, name: string): Promise<T> {
  const window: Record<string, unknown> = {};
  vm.runInNewContext(await readFile(file, "utf8"), { window, JSON });
  return window[name] as T;
}

/** A node of a generated docs site, put back together from the files the page loads. */
export interface SiteNode {
  id: string;
  type: string;
  name: string;
  dependsOn: string[];
  description?: string;
  columns: { name: string; type?: string; description?: string }[];
  last?: { status: string; rows?: number; dq?: { metric?: number } };
  tests: { id: string; name: string }[];
  sql: string;
}

interface Index {
  nodes: [string, (number | string)[], string?][];
  counts: Record<string, number>;
  shardSize: number;
  exposures: { id: string; name: string }[];
}

/**
 * Every node of the docs site in `docs` (`target/docs`), read from outside as a browser would
 * load it: the index (`assets/data.js`), the search data (`assets/search.js`: tests and rules)
 * and the shards of details (`assets/nodes/<k>.js`). Throws when a shard the positions name is
 * missing.
 */
export async function readSite(docs: string): Promise<{ index: Index; nodes: SiteNode[] }> {
  const assets = path.join(docs, "assets");
  const index = await windowValue<Index>(path.join(assets, "data.js"), "SLUICE_DOCS");
  type Entry = string | [string, string];
  const search = await windowValue<{ tests: Entry[]; rules: Entry[] }>(
    path.join(assets, "search.js"),
    "SLUICE_SEARCH",
  );
  const ids = index.nodes.map((e) => e[0]);
  const test = (e: Entry) =>
    typeof e === "string" ? { id: `test.${e}`, name: e } : { id: e[0], name: e[1] };
  const light = [
    ...index.nodes.map(([id, deps, name]) => {
      const type = id.slice(0, id.indexOf("."));
      return {
        id,
        type,
        name: name ?? id.slice(type.length + 1),
        dependsOn: deps.map((d) => (typeof d === "number" ? ids[d]! : d)),
      };
    }),
    ...search.tests.map((e) => ({ ...test(e), type: "test", dependsOn: [] })),
    ...search.rules.map((e) => ({ ...test(e), type: "rule", dependsOn: [] })),
  ];
  const shards = new Map<number, Record<string, unknown>[]>();
  const nodes: SiteNode[] = [];
  for (const [p, n] of light.entries()) {
    const k = Math.floor(p / index.shardSize);
    if (!shards.has(k)) {
      const file = path.join(assets, "nodes", `${k}.js`);
      if (!existsSync(file)) throw new Error(`${file} is missing (position ${p}, ${n.id})`);
      shards.set(k, await windowValue(file, `SLUICE_SHARD_${k}`));
    }
    const details = shards.get(k)![p % index.shardSize] as Omit<SiteNode, "id" | "type" | "name">;
    nodes.push({ ...n, ...details, dependsOn: details.dependsOn ?? n.dependsOn });
  }
  return { index, nodes };
}

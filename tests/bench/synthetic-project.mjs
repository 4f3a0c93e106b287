// A synthetic sluice project of N models, for compile-at-scale benchmarks and tests.
//
//   node tests/bench/synthetic-project.mjs N DIR
//
// Shape (issue #14): 10% staging views over one source; the rest tables in folders of 100, each
// `ref`-ing three earlier models, calling a macro, reading a var and tagging itself in
// `config()`; every model has two YAML column tests (not_null, unique). Deterministic: the same
// N gives the same bytes.
import { mkdirSync, readdirSync, utimesSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

/** Model name of index i. */
export const modelName = (i) => `m_${i}`;

/** Deterministic "random" earlier model for model i, choice k (no Math.random: stable output). */
function earlier(i, k, staging) {
  const h = (Math.imul(i + 1, 2654435761) ^ Math.imul(k + 7, 40503)) >>> 0;
  return h % i < staging ? h % staging : h % i;
}

/**
 * Write the project into `dir` (created). Returns its counts.
 * @param {number} n models
 * @param {string} dir
 */
export function writeSyntheticProject(n, dir) {
  const staging = Math.max(1, Math.floor(n / 10));
  mkdirSync(path.join(dir, "macros"), { recursive: true });
  mkdirSync(path.join(dir, "sources"), { recursive: true });
  writeFileSync(
    path.join(dir, "sluice.yml"),
    [
      "name: synthetic",
      "default-target: local",
      "model-paths: [sources, models]",
      "macro-paths: [macros]",
      "vars:",
      "  amount_scale: 100",
      "models:",
      "  models:",
      "    staging:",
      "      +materialized: view",
      "      +schema: staging",
      "    marts:",
      "      +materialized: table",
      "      +schema: marts",
      "targets:",
      "  local:",
      "    engine: duckdb",
      "    lake: .lake",
      "",
    ].join("\n"),
  );
  writeFileSync(
    path.join(dir, "macros", "cents.sql"),
    "{% macro cents(column) %}cast({{ column }} * {{ var('amount_scale') }} as bigint){% endmacro %}\n",
  );
  writeFileSync(
    path.join(dir, "sources", "raw.yml"),
    [
      "version: 2",
      "sources:",
      "  - name: raw",
      "    tables:",
      "      - name: events",
      "        external:",
      "          location: raw/events",
      "          format: json_lines",
      "          partitioning: firehose_hourly",
      "        columns:",
      "          - name: line",
      "          - name: dt",
      "",
    ].join("\n"),
  );
  for (let folder = 0; folder * 100 < n; folder++) {
    const first = folder * 100;
    const last = Math.min(n, first + 100);
    const layer = first < staging ? "staging" : "marts";
    const rel = path.join("models", layer, `f${String(folder).padStart(4, "0")}`);
    mkdirSync(path.join(dir, rel), { recursive: true });
    const yml = ["version: 2", "models:"];
    for (let i = first; i < last; i++) {
      const name = modelName(i);
      const sql =
        i < staging
          ? [
              `{{ config(tags=['t${i % 7}']) }}`,
              "select",
              `    ${i} as id,`,
              `    {{ cents('length(line)') }} as amount,`,
              "    dt",
              "from {{ source('raw', 'events') }}",
              "",
            ]
          : [
              `{{ config(tags=['t${i % 7}']) }}`,
              `{%- set scale = var('amount_scale') %}`,
              "select",
              `    a.id + ${i} as id,`,
              "    {{ cents('a.amount + b.amount + c.amount') }} as amount,",
              "    a.dt",
              `from {{ ref('${modelName(earlier(i, 0, staging))}') }} as a`,
              `join {{ ref('${modelName(earlier(i, 1, staging))}') }} as b on a.id = b.id`,
              `join {{ ref('${modelName(earlier(i, 2, staging))}') }} as c on a.id = c.id`,
              "where a.amount < {{ scale }}",
              "",
            ];
      writeFileSync(path.join(dir, rel, `${name}.sql`), sql.join("\n"));
      yml.push(
        `  - name: ${name}`,
        "    columns:",
        "      - name: id",
        "        tests: [not_null, unique]",
      );
    }
    writeFileSync(path.join(dir, rel, "schema.yml"), yml.join("\n") + "\n");
  }
  return { models: n, staging, tests: 2 * n };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [n, dir] = process.argv.slice(2);
  if (!n || !dir) {
    console.error("usage: node tests/bench/synthetic-project.mjs N DIR");
    process.exit(2);
  }
  console.log(JSON.stringify(writeSyntheticProject(Number(n), path.resolve(dir))));
}

/**
 * {@link writeSyntheticProject}, then its files aged a minute: files written just now are not
 * trusted to the parse cache (racy), so a benchmark would measure cold compiles only.
 * @param {number} n models
 * @param {string} dir
 */
export function writeAgedSyntheticProject(n, dir) {
  const counts = writeSyntheticProject(n, dir);
  const old = new Date(Date.now() - 60_000);
  for (const e of readdirSync(dir, { recursive: true, withFileTypes: true }))
    if (e.isFile()) utimesSync(path.join(e.parentPath, e.name), old, old);
  return counts;
}

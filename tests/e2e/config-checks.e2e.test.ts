import { existsSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { copyModelsProject, runSluice } from "../support/cli.js";

/**
 * Nothing is silently ignored: config that applies to nothing is a warning at its position;
 * config that cannot work is an error at compile time (exit 2) before anything runs.
 * Each case edits a fresh copy of the models project; positions are computed from the edit.
 */
describe("config that applies to nothing or cannot work", () => {
  let cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    await Promise.all(cleanups.map((c) => c()));
    cleanups = [];
  });

  /** A copy of the models project with `edits` applied (`file → [from, to]`). */
  const project = async (edits: Record<string, [string, string][]>) => {
    const { dir, cleanup } = await copyModelsProject();
    cleanups.push(cleanup);
    const texts: Record<string, string> = {};
    for (const [file, replacements] of Object.entries(edits)) {
      const abs = path.join(dir, file);
      let text = existsSync(abs) ? await readFile(abs, "utf8") : "";
      for (const [from, to] of replacements) {
        if (from !== "" && !text.includes(from)) throw new Error(`${file} has no '${from}'`);
        text = from === "" ? to : text.replace(from, to);
      }
      await writeFile(abs, text);
      texts[file] = text;
    }
    /** `file:line:column` of the first `needle` in an edited file (+ offset into it). */
    const at = (file: string, needle: string, offset = 0) => {
      const before = texts[file]!.slice(0, texts[file]!.indexOf(needle) + offset).split("\n");
      return `${file}:${before.length}:${before.at(-1)!.length + 1}`;
    };
    const sluice = (...args: string[]) => runSluice(["--project-dir", ".", ...args], { cwd: dir });
    return { dir, at, sluice };
  };

  it("a properties entry naming no model: warning with did-you-mean, exit 0", async () => {
    const p = await project({ "marts/marts.yml": [["  - name: funnel\n", "  - name: funnell\n"]] });
    const r = await p.sluice("compile");
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(
      `${p.at("marts/marts.yml", "name: funnell")}: warn PROPERTIES_UNUSED: models: entry 'funnell' names no model: its config, columns and tests are ignored\n  hint: did you mean 'funnel'?`,
    );
  });

  it("insert_overwrite without partitioned_by: a warning that it replaces the whole table", async () => {
    const p = await project({
      "silver/order_items.sql": [["    partitioned_by=['event_date'],\n", ""]],
    });
    const r = await p.sluice("compile");
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(
      `${p.at("silver/order_items.sql", "config(")}: warn CONFIG_CONFLICT: incremental_strategy 'insert_overwrite' without partitioned_by replaces the whole table on every run`,
    );
  });

  it("copies_share_partition on a model without partitioned_by: an error at the key, exit 2", async () => {
    const p = await project({
      "silver/order_items.sql": [
        ["    partitioned_by=['event_date'],\n", "    copies_share_partition=['event_id'],\n"],
      ],
    });
    const r = await p.sluice("compile");
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain(
      `${p.at("silver/order_items.sql", "config(")}: error CONFIG_CONFLICT: copies_share_partition needs partitioned_by: it says the partition holding every copy of a key`,
    );
  });

  it("a sluice.yml models: folder that holds no model: warning at its key", async () => {
    const p = await project({ "sluice.yml": [["  marts:\n    +schema", "  mart:\n    +schema"]] });
    const r = await p.sluice("ls");
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(
      `${p.at("sluice.yml", "mart:")}: warn CONFIG_PATH_UNUSED: sluice.yml models.mart applies to no model: no model is in folder 'mart'\n  hint: did you mean 'marts'?`,
    );
  });

  it("unknown config keys in sluice.yml, properties YAML and config(): warnings with did-you-mean", async () => {
    const p = await project({
      "sluice.yml": [["    +materialized: view", "    +materialised: view"]],
      "marts/marts.yml": [
        ["  - name: funnel\n", "  - name: funnel\n    config:\n      tagz: [daily]\n"],
      ],
      "marts/typo.sql": [
        ["", "{{ config(materialized='table', partition_by=['x']) }}\nselect 1 as x\n"],
      ],
    });
    const r = await p.sluice("compile");
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(
      `${p.at("sluice.yml", "+materialised")}: warn CONFIG_KEY_UNKNOWN: unknown model config key '+materialised' in sluice.yml models.staging: sluice does not read it\n  hint: did you mean '+materialized'?`,
    );
    expect(r.stderr).toContain(
      `${p.at("marts/marts.yml", "tagz")}: warn CONFIG_KEY_UNKNOWN: unknown model config key 'tagz' in config: of model 'funnel': sluice does not read it\n  hint: did you mean 'tags'?`,
    );
    expect(r.stderr).toContain(
      `${p.at("marts/typo.sql", "config(")}: warn CONFIG_KEY_UNKNOWN: unknown model config key 'partition_by' in config() in marts/typo.sql: sluice does not read it\n  hint: did you mean 'partitioned_by'?`,
    );
  });

  const refused = async (p: Awaited<ReturnType<typeof project>>, args: string[]) => {
    const r = await p.sluice(...args);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/\d+ errors? found; nothing was run\.\n$/);
    expect(existsSync(path.join(p.dir, ".lake")), "the lake is untouched").toBe(false);
    return r.stderr;
  };

  it("merge without unique_key: error at the config() call, before the build starts", async () => {
    const p = await project({
      "silver/order_items.sql": [
        ["incremental_strategy='insert_overwrite'", "incremental_strategy='merge'"],
      ],
    });
    expect(await refused(p, ["build"])).toContain(
      `${p.at("silver/order_items.sql", "config(")}: error CONFIG_CONFLICT: incremental_strategy 'merge' needs a unique_key\n  hint: add unique_key='<column>' (the column or columns a row is matched on)`,
    );
  });

  it("merge on a Hive table: fine on the lake, an error for the Athena target", async () => {
    const p = await project({
      "silver/order_items.sql": [
        [
          "incremental_strategy='insert_overwrite',",
          "incremental_strategy='merge', unique_key=['order_id', 'sku'],",
        ],
      ],
    });
    const local = await p.sluice("compile");
    expect(local.code, local.stderr).toBe(0);
    expect(local.stderr).not.toContain("CONFIG_CONFLICT");
    expect(await refused(p, ["compile", "--target", "prod"])).toContain(
      `${p.at("silver/order_items.sql", "config(")}: error CONFIG_CONFLICT: incremental_strategy 'merge' on target 'prod' needs an Iceberg table (Hive tables cannot be merged)\n  hint: set table_type='iceberg' (then build once with --full-refresh), or use 'insert_overwrite'`,
    );
  });

  it("unique_key with a strategy that ignores it: error (no silent duplicates)", async () => {
    const p = await project({
      "silver/events.sql": [
        [
          "    partitioned_by=['event_date'],\n",
          "    partitioned_by=['event_date'],\n    unique_key='event_id',\n",
        ],
      ],
    });
    expect(await refused(p, ["build", "-s", "events"])).toContain(
      `${p.at("silver/events.sql", "config(")}: error CONFIG_CONFLICT: unique_key 'event_id' is ignored by incremental_strategy 'insert_overwrite'\n  hint: use incremental_strategy='merge' to update rows by this key, or remove unique_key`,
    );
  });

  it("a config value naming nothing (quotes forgotten): error at the call, never the default", async () => {
    const p = await project({
      "marts/funnel.sql": [
        ["{{ config(partitioned_by", "{{ config(materialized=table, partitioned_by"],
      ],
    });
    expect(await refused(p, ["build"])).toContain(
      `${p.at("marts/funnel.sql", "config(")}: error CONFIG_VALUE_UNDEFINED: config 'materialized' is set to an undefined value (in config() in marts/funnel.sql): its expression names nothing defined\n  hint: quote a string (materialized='...'), or remove the key to keep its default`,
    );
  });

  it("a var of the wrong type: error with the key path, never the default", async () => {
    const p = await project({});
    const err = await refused(p, ["--vars", "{lookback_hours: abc}", "build"]);
    expect(err).toContain(
      `silver/events.sql:1:4: error CONFIG_VALUE_INVALID: config 'lookback' has an invalid value "abc" (set in config() in silver/events.sql)\n  hint: 'lookback' must be a whole number of hours (3 or '3 hours')`,
    );
    // Every model with a lookback: the four silver models and the five marts.
    expect(err.match(/error CONFIG_VALUE_INVALID: config 'lookback'/g)).toHaveLength(9);
  });
});

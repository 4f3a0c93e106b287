import { describe, expect, it } from "vitest";
import { formatDiagnostic } from "@sluice/project";
import type { Diagnostic } from "@sluice/project";
import { compileProject } from "../src/index.js";
import { fakeDialect } from "./fake-dialect.js";
import { folders, model, project, rawEvents, seed } from "./fixture-project.js";
import { markSource } from "./mark-source.js";

type Parts = Parameters<typeof project>[0];
const compile = (
  parts: Parts,
  options: { vars?: Record<string, unknown>; targetName?: string } = {},
) => compileProject(project(parts), { runId: "r1", dialect: fakeDialect(), ...options });
const marked = (path: string, text: string) => {
  const m = markSource(path, text);
  return { file: model(path, m.text), at: m.at };
};
const codes = (ds: readonly Diagnostic[]) =>
  ds.map((d) => [d.code, d.at && `${d.at.file}:${d.at.line}:${d.at.column}`]);

describe("relation names are Glue names inside the lake", () => {
  it("a schema with '..' is NAME_INVALID at the schema key, with the fixed name as hint", () => {
    const bad = marked(
      "marts/x.sql",
      "{{ config(materialized='table',\n  ⟨here⟩schema='../../x') }}\nselect 1 as a",
    );
    const out = compile({ models: [bad.file] });
    expect(out.diagnostics).toEqual([
      expect.objectContaining({ code: "NAME_INVALID", at: bad.at, hint: "set schema='x'" }),
    ]);
    expect(formatDiagnostic(out.diagnostics[0]!)).toBe(
      "marts/x.sql:2:3: error NAME_INVALID: model 'x': schema '../../x' contains '..' and a path separator\n" +
        "  hint: set schema='x'",
    );
    expect(out.nodes).toEqual([]);
  });

  it("an alias with a slash, an uppercase alias and a 256-character alias are NAME_INVALID", () => {
    const slash = marked("a.sql", "{{ config(⟨here⟩alias='raw/events') }}\nselect 1 as a");
    const upper = marked(
      "b.sql",
      "{{ config(materialized='table', ⟨here⟩alias='Daily') }}\nselect 1 as a",
    );
    const long = marked("c.sql", `{{ config(⟨here⟩alias='${"n".repeat(256)}') }}\nselect 1 as a`);
    const out = compile({ models: [slash.file, upper.file, long.file] });
    expect(out.diagnostics.map((d) => [d.code, d.at, d.message, d.hint])).toEqual([
      [
        "NAME_INVALID",
        slash.at,
        "model 'a': alias 'raw/events' contains a path separator",
        "set alias='raw_events'",
      ],
      [
        "NAME_INVALID",
        upper.at,
        "model 'b': alias 'Daily' has uppercase letters (Glue names are lowercase)",
        "set alias='daily'",
      ],
      [
        "NAME_INVALID",
        long.at,
        "model 'c': alias '" + "n".repeat(256) + "' is 256 characters long (at most 255)",
        `set alias='${"n".repeat(255)}'`,
      ],
    ]);
  });

  it("checks the schema after var() resolution (--vars)", () => {
    const bad = marked("m.sql", "{{ config(⟨here⟩schema=var('s', 'marts')) }}\nselect 1 as a");
    expect(compile({ models: [bad.file] }).diagnostics).toEqual([]);
    const out = compile({ models: [bad.file] }, { vars: { s: "../x" } });
    expect(codes(out.diagnostics)).toEqual([["NAME_INVALID", "m.sql:1:11"]]);
    expect(out.diagnostics[0]!.message).toBe(
      "model 'm': schema '../x' contains '..' and a path separator",
    );
  });

  it("a model file name that is not a Glue name: rename the file or set an alias", () => {
    const out = compile({ models: [model("marts/Events.sql", "select 1 as a")] });
    expect(out.diagnostics).toEqual([
      expect.objectContaining({
        code: "NAME_INVALID",
        at: { file: "marts/Events.sql", line: 1, column: 1 },
        message: "model 'Events': name 'Events' has uppercase letters (Glue names are lowercase)",
        hint: "rename the file to events.sql or set alias='events'",
      }),
    ]);
    expect(
      compile({
        models: [model("marts/Events.sql", "{{ config(alias='events') }}\nselect 1 as a")],
      }).diagnostics,
    ).toEqual([]);
  });

  it("a target database that Glue would refuse is NAME_INVALID on the prod target only", () => {
    const m = model("silver/e.sql", "{{ config(schema='silver') }}\nselect 1 as a");
    const prod = {
      targets: {
        ...project().config.targets,
        prod: { ...project().config.targets.prod!, databases: { silver: "Shop-Silver" } },
      },
    } as const;
    expect(compile({ models: [m], config: prod }).diagnostics).toEqual([]);
    const out = compile({ models: [m], config: prod }, { targetName: "prod" });
    expect(out.diagnostics.map((d) => [d.code, d.message, d.hint])).toEqual([
      [
        "NAME_INVALID",
        "model 'e': target 'prod' maps schema 'silver' to database 'Shop-Silver', which has characters Glue does not accept (only lowercase letters, digits and underscores)",
        "set databases.silver to 'shop_silver' in sluice.yml",
      ],
    ]);
  });

  it("seed file names and seed schemas are checked too", () => {
    const out = compile({
      seeds: [seed("Countries", ["a"], [["1"]])],
      config: { seeds: folders({ schema: "geo data" }) },
    });
    expect(out.diagnostics.map((d) => [d.code, d.at?.file, d.message, d.hint])).toEqual([
      [
        "NAME_INVALID",
        "seeds/Countries.csv",
        "seed 'Countries': schema 'geo data' has characters Glue does not accept (only lowercase letters, digits and underscores)",
        "set +schema: geo_data under seeds: in sluice.yml",
      ],
      [
        "NAME_INVALID",
        "seeds/Countries.csv",
        "seed 'Countries': name 'Countries' has uppercase letters (Glue names are lowercase)",
        "rename the file to countries.csv",
      ],
    ]);
    expect(out.nodes).toEqual([]);
  });
});

describe("one relation, one owner", () => {
  const table = "{{ config(materialized='table', schema='marts') }}\nselect 1 as a";

  it("a second model with the alias of another is RELATION_CONFLICT naming both files", () => {
    const copy = marked(
      "marts/funnel_copy.sql",
      "{{ config(materialized='table', schema='marts', ⟨here⟩alias='funnel') }}\nselect 2 as a",
    );
    const out = compile({
      models: [model("marts/funnel.sql", table), copy.file, model("marts/other.sql", table)],
    });
    expect(out.diagnostics).toEqual([
      expect.objectContaining({
        code: "RELATION_CONFLICT",
        at: copy.at,
        message:
          "model 'funnel_copy' (marts/funnel_copy.sql) resolves to marts.funnel, the relation of model 'funnel' (marts/funnel.sql)",
      }),
    ]);
    expect(out.nodes.map((n) => n.id)).toEqual(["model.other"]);
  });

  it("relations compare without case (marts/Events.sql in schema silver vs silver/events.sql)", () => {
    const out = compile({
      models: [
        model("silver/events.sql", "{{ config(schema='silver') }}\nselect 1 as a"),
        model("marts/Events.sql", "{{ config(schema='silver') }}\nselect 1 as a"),
      ],
    });
    expect(codes(out.diagnostics)).toEqual([
      ["NAME_INVALID", "marts/Events.sql:1:1"],
      ["RELATION_CONFLICT", "marts/Events.sql:1:1"],
    ]);
    expect(out.diagnostics[1]!.message).toBe(
      "model 'Events' (marts/Events.sql) resolves to silver.Events, the relation of model 'events' (silver/events.sql)",
    );
  });

  it("a model over a source's relation is RELATION_CONFLICT, even as a view", () => {
    const bad = marked(
      "marts/ev.sql",
      "{{ config(schema='raw', ⟨here⟩alias='events') }}\nselect 1 as a",
    );
    const out = compile({ models: [bad.file], sources: [rawEvents()] });
    expect(out.diagnostics).toEqual([
      expect.objectContaining({
        code: "RELATION_CONFLICT",
        at: bad.at,
        message:
          "model 'ev' (marts/ev.sql) resolves to raw.events, the relation of source raw.events (sources.yml)",
        hint: "a model cannot replace a source; set another schema or alias",
      }),
    ]);
    expect(out.nodes.map((n) => n.id)).toEqual(["source.raw.events"]);
  });

  it("a table whose folder is, contains or lies inside a source's files is LOCATION_CONFLICT", () => {
    const landingAt = (location: string) => ({
      ...rawEvents(),
      schema: "landing",
      external: { ...rawEvents().external!, location },
    });
    const same = marked(
      "same.sql",
      "{{ config(materialized='table', schema='raw', ⟨here⟩alias='events') }}\nselect 1 as a",
    );
    const out = compile({ models: [same.file], sources: [landingAt("raw/events")] });
    expect(out.diagnostics).toEqual([
      expect.objectContaining({
        code: "LOCATION_CONFLICT",
        at: same.at,
        message:
          "model 'same' (same.sql) would write <lake>/raw/events, which overlaps the files of source raw.events (sources.yml) at <lake>/raw/events",
      }),
    ]);
    const wide = landingAt("/raw/events/2026/");
    const inner = model(
      "inner.sql",
      "{{ config(materialized='incremental', schema='raw', alias='events') }}\nselect 1 as a",
    );
    const outer = landingAt("raw");
    const elsewhere = model(
      "elsewhere.sql",
      "{{ config(materialized='table', schema='raw', alias='events_copy') }}\nselect 1 as a",
    );
    expect(codes(compile({ models: [inner], sources: [wide] }).diagnostics)).toEqual([
      ["LOCATION_CONFLICT", "inner.sql:1:53"],
    ]);
    expect(codes(compile({ models: [elsewhere], sources: [outer] }).diagnostics)).toEqual([
      ["LOCATION_CONFLICT", "elsewhere.sql:1:47"],
    ]);
    expect(compile({ models: [elsewhere], sources: [rawEvents()] }).diagnostics).toEqual([]);
    const view = model("v.sql", "{{ config(schema='raw', alias='events_v') }}\nselect 1 as a");
    expect(compile({ models: [view], sources: [outer] }).diagnostics).toEqual([]);
  });

  it("a seed and a model on one relation conflict; ephemeral models claim nothing", () => {
    const m = model("marts/countries.sql", "{{ config(schema='seeds') }}\nselect 1 as a");
    const out = compile({
      models: [m],
      seeds: [seed("countries", ["a"], [["1"]])],
      config: { seeds: folders({ schema: "seeds" }) },
    });
    expect(codes(out.diagnostics)).toEqual([["RELATION_CONFLICT", "seeds/countries.csv:1:1"]]);
    const eph = model(
      "marts/funnel_eph.sql",
      "{{ config(materialized='ephemeral', schema='marts', alias='funnel') }}\nselect 1 as a",
    );
    expect(compile({ models: [model("marts/funnel.sql", table), eph] }).diagnostics).toEqual([]);
  });
});

import { createHash } from "node:crypto";
import { createDuckdbDialect } from "@sluice/dialects";
import { describe, expect, it } from "vitest";
import {
  checksumParts,
  compileProject,
  macrosUsed,
  nodeChecksums,
  packChecksums,
  partChecksums,
  selectNodes,
  sharedNodeChecksums,
} from "../src/index.js";
import type { ChecksumPart, SelectionState } from "../src/index.js";
import { CENTS, stateProject } from "./state-project.js";

// raw.events → stg → daily (calls cents(), quoted text with and without whitespace) → report.
const files = (daily: string, macro?: string) =>
  stateProject(daily, macro, "select * from {{ ref('daily') }} where line <> 'a  b'");
const compile = (p: ReturnType<typeof files>) => {
  const c = compileProject(p, { runId: "r1", dialect: createDuckdbDialect() });
  expect(c.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  return c;
};
const DAILY = `select {{ cents('1') }} as c,   "line"  from {{ ref('stg') }}`;
const digest = (text: string) => createHash("sha256").update(text).digest("hex").slice(0, 16);
/** Every subset of the five parts (31, the empty one left out). */
const subsets: ChecksumPart[][] = Array.from({ length: 31 }, (_, m) =>
  checksumParts.filter((_, i) => ((m + 1) >> i) & 1),
);

describe("partChecksums", () => {
  it("gives nodeChecksums' digests of exactly the parts asked for, for every subset", () => {
    const p = files(DAILY);
    const c = compile(p);
    const all = nodeChecksums(p, c);
    for (const parts of subsets) {
      const some = partChecksums(p, c, parts);
      expect([...some.keys()]).toEqual([...all.keys()]);
      for (const [id, sums] of some)
        expect(sums).toEqual(Object.fromEntries(parts.map((part) => [part, all.get(id)![part]])));
    }
  });

  it("gives each node's digests alone (ids) as over the whole project, macros used too", () => {
    // report also names stg's relation outright (not a parent): over the whole project that
    // schema length is known; over report and its parent it is not. Neither makes it {{id}}.
    const p = stateProject(
      DAILY,
      undefined,
      `select * from {{ ref('daily') }} join "default"."stg" on true where line <> 'a  b'`,
    );
    const c = compile(p);
    const all = nodeChecksums(p, c);
    const used = macrosUsed(p, c);
    for (const n of c.nodes) {
      const one = new Set([n.id]);
      expect(partChecksums(p, c, checksumParts, one), n.id).toEqual(
        new Map([[n.id, all.get(n.id)]]),
      );
      expect(macrosUsed(p, c, one), n.id).toEqual(new Map([[n.id, used.get(n.id)]]));
    }
    expect(used.get("model.daily")).toEqual(["cents"]);
  });

  it("finds a compiled project's macros once per node, as a fresh compile's, per project", () => {
    const TWO = `${CENTS}{% macro dollars(x) %}{{ cents(x) }} / 100{% endmacro %}`;
    const p = stateProject(DAILY.replace("cents('1')", "dollars('1')"), TWO);
    const c = compile(p);
    const fresh = () => macrosUsed(p, compile(p));
    // One node first, then every node: the others found then, the one kept.
    const one = macrosUsed(p, c, new Set(["model.daily"]));
    expect(one).toEqual(new Map([["model.daily", ["cents", "dollars"]]]));
    const all = macrosUsed(p, c);
    expect(all).toEqual(fresh());
    expect([...all.keys()]).toEqual(c.nodes.map((n) => n.id));
    expect(all.get("model.daily")).toBe(one.get("model.daily"));
    expect(macrosUsed(p, c, new Set(["model.report"]))).toEqual(
      new Map([["model.report", fresh().get("model.report")]]),
    );
    // Another project (its macro calls no other now) with the same compiled: found again.
    const q = stateProject(
      DAILY.replace("cents('1')", "dollars('1')"),
      `${CENTS}{% macro dollars(x) %}{{ x }} / 100{% endmacro %}`,
    );
    expect(macrosUsed(q, c).get("model.daily")).toEqual(["dollars"]);
  });

  it("body: whitespace collapsed outside quotes, kept inside, relations as node ids (by hand)", () => {
    const p = files(DAILY);
    const sums = nodeChecksums(p, compile(p));
    // duckdb renders ref('stg') as "default"."stg"; the text after the SQL marks incremental SQL.
    expect(sums.get("model.daily")!.body).toBe(
      digest(`select 1 * 100 as c, "line" from {{model.stg}} -- incremental`),
    );
    expect(sums.get("model.report")!.body).toBe(
      digest(`select * from {{model.daily}} where line <> 'a  b' -- incremental`),
    );
    const spaced = (daily: string) => {
      const q = files(daily);
      return nodeChecksums(q, compile(q)).get("model.daily")!.body;
    };
    const before = spaced(DAILY);
    // Outside quotes: the same body, in one run of whitespace or in several.
    expect(spaced(DAILY.replaceAll(" ", "\n  "))).toBe(before);
    // Inside a quoted identifier or literal: another body.
    expect(spaced(DAILY.replace(`"line"`, `"line "`))).not.toBe(before);
    expect(spaced(`${DAILY} where line = 'x y'`)).not.toBe(spaced(`${DAILY} where line = 'x  y'`));
    expect(spaced(`${DAILY} where line = 'x y'`)).toBe(spaced(`${DAILY}  where  line = 'x y'`));
  });

  it("sharedNodeChecksums computes the parts missing later, keeping the others", () => {
    const p = files(DAILY);
    const c = compile(p);
    const body = sharedNodeChecksums(p, c, undefined, ["body"]);
    expect(Object.keys(body.get("model.daily")!)).toEqual(["body"]);
    const modified = sharedNodeChecksums(p, c, new Set(["model.daily"]), ["body", "configs"]);
    expect(Object.keys(modified.get("model.daily")!)).toEqual(["body", "configs"]);
    const all = sharedNodeChecksums(p, c);
    expect([...all]).toEqual([...nodeChecksums(p, c)]);
    // Each node's entry stays the object first handed out with what it held then.
    expect(body.get("model.daily")).toEqual({ body: all.get("model.daily")!.body });
    expect(sharedNodeChecksums(p, c, undefined, ["macros"]).get("model.report")).toBe(
      all.get("model.report"),
    );
  });
});

describe("a state's current checksums computed on demand", () => {
  const setUp = (daily: string) => {
    const before = files(DAILY);
    const now = files(daily);
    const old = compile(before);
    const compiled = compile(now);
    const packed = (sums: Map<string, Partial<Record<ChecksumPart, string>>>) =>
      new Map([...sums].map(([id, s]) => [id, packChecksums(s)]));
    const asked: ChecksumPart[][] = [];
    const state: SelectionState = {
      previous: packed(nodeChecksums(before, old)),
      current: (parts) => {
        asked.push([...parts]);
        return packed(partChecksums(now, compiled, parts));
      },
      results: new Map([["model.report", "error"]]),
    };
    const eager: SelectionState = { ...state, current: packed(nodeChecksums(now, compiled)) };
    const select = (s: SelectionState, selector: string) =>
      selectNodes(compiled, { select: [selector], state: s }).ids.filter((id) =>
        id.startsWith("model."),
      );
    return { state, eager, asked, select };
  };

  it("state:new and result: hash nothing; state:modified asks for its four parts, not macros", () => {
    const { state, asked, select } = setUp(DAILY);
    expect(select(state, "state:new")).toEqual([]);
    expect(select(state, "result:error")).toEqual(["model.report"]);
    expect(asked).toEqual([]);
    expect(select(state, "state:modified")).toEqual([]);
    expect(asked).toEqual([["body", "configs", "relation", "contract"]]);
    select(state, "state:modified.macros");
    expect(asked.at(-1)).toEqual(["macros"]);
  });

  it("selects what the eager comparison selects, for every state: selector and change", () => {
    const changes = [
      DAILY,
      `${DAILY} where line is not null`, // body
      `{{ config(tags=['t']) }}${DAILY}`, // configs
      DAILY.replace("cents('1')", "'1' * 100"), // macros only (the same SQL)
    ];
    for (const daily of changes) {
      const { state, eager, select } = setUp(daily);
      for (const value of [
        "modified",
        ...checksumParts.map((p) => `modified.${p}`),
        "new",
        "unmodified",
      ])
        expect([daily, value, select(state, `state:${value}+`)]).toEqual([
          daily,
          value,
          select(eager, `state:${value}+`),
        ]);
    }
  });
});

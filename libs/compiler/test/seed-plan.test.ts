import { createDuckdbDialect } from "@sluice/dialects";
import { describe, expect, it } from "vitest";
import { compileProject } from "../src/index.js";
import { inputsFingerprint } from "../src/plan/inputs.js";
import { planNode } from "../src/plan/plan-node.js";
import { project, seed } from "./fixture-project.js";

/** A seed on the lake is loaded again only when its fingerprint (definition and rows) changed. */
describe("lake plan of a seed", () => {
  const dialect = createDuckdbDialect();
  const compiled = (rows: string[][]) =>
    compileProject(project({ seeds: [seed("cc", ["code"], rows)] }), { runId: "r2", dialect })
      .nodes[0]!;
  const node = compiled([["DE"]]);
  const inputs = inputsFingerprint(node, [], { tables: {} });
  const state = (recorded?: string) => ({
    exists: true,
    kind: "table" as const,
    location: "/proj/.lake/default/cc/v_r1",
    ...(recorded ? { inputs: recorded } : {}),
  });
  const plan = (recorded: string | undefined, fullRefresh = false) =>
    planNode(node, dialect, { fullRefresh, writeId: "r2", state: state(recorded), inputs });

  it("is unchanged when its version recorded the same fingerprint: only cleanup runs", () => {
    const p = plan(inputs);
    expect(p.action).toBe("unchanged");
    expect(p.steps.map((s) => ("op" in s ? s.op : s.kind))).toEqual(["delete_stale_locations"]);
  });

  it("loads a new version recording its fingerprint otherwise, and on --full-refresh", () => {
    for (const p of [plan(undefined), plan("sha256:other"), plan(inputs, true)]) {
      expect(p.action).toBe("new version");
      const publish = p.steps.find((s) => "op" in s && s.op === "publish_version");
      expect(publish).toMatchObject({ state: { inputs } });
    }
  });

  it("a changed row changes the fingerprint", () => {
    expect(inputsFingerprint(compiled([["DE"]]), [], { tables: {} })).toBe(inputs);
    expect(inputsFingerprint(compiled([["DX"]]), [], { tables: {} })).not.toBe(inputs);
  });
});

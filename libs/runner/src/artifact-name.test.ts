import path from "node:path";
import type { CompiledNode } from "@sluice/compiler";
import { describe, expect, it } from "vitest";
import { artifactName } from "./artifacts.js";

const node = (kind: string, name: string, file = `models/${name}.sql`): CompiledNode =>
  ({ kind, name, path: file }) as CompiledNode;

describe("artifactName", () => {
  it("is the model's path, else path.join of the kind's folder and `<name>.sql`", () => {
    expect(artifactName(node("model", "m", "marts/m.sql"))).toBe("marts/m.sql");
    const names = ["not_null_m_id", "", ".", "..", "a/b", "../up", "a\\b", "a//b", "é 😀", "x."];
    for (const kind of ["test", "seed", "snapshot", "model"])
      for (const name of names)
        expect(artifactName(node(kind, name, `${name}.yml`))).toBe(
          path.join(kind === "test" ? "tests" : `${kind}s`, `${name}.sql`),
        );
  });
});

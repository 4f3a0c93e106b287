import { describe, expect, it } from "vitest";
import { compileProject } from "../src/compile-project.js";
import { fakeDialect } from "./fake-dialect.js";
import { folders, project } from "./fixture-project.js";

describe("seed config from sluice.yml's seeds: block", () => {
  it("puts seeds in the configured schema, deeper folders winning, tags adding up", () => {
    const p = project({
      config: {
        seeds: folders(
          { schema: "seeds", tags: ["seed"] },
          { seeds: folders({}, { geo: folders({ schema: "geo", tags: ["maps"] }) }) },
        ),
      },
      seeds: [
        {
          name: "channels",
          path: "seeds/channels.csv",
          absPath: "/p/seeds/channels.csv",
          text: "a\n1\n",
          columns: ["a"],
          rows: [["1"]],
        },
        {
          name: "country_codes",
          path: "seeds/geo/country_codes.csv",
          absPath: "/p/seeds/geo/country_codes.csv",
          text: "a\n1\n",
          columns: ["a"],
          rows: [["1"]],
        },
      ],
    });
    const compiled = compileProject(p, { runId: "r1", dialect: fakeDialect(), env: {} });
    const byId = new Map(compiled.nodes.map((n) => [n.id, n]));
    expect(byId.get("seed.channels")).toMatchObject({ schema: "seeds", tags: ["seed"] });
    expect(byId.get("seed.country_codes")).toMatchObject({ schema: "geo", tags: ["seed", "maps"] });
  });
});

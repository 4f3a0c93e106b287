import { describe, expect, it } from "vitest";
import { loadSnapshots } from "./load-snapshots.js";
import { parseProperties } from "../properties.js";

const file = (path: string, text: string) => ({ path, absPath: `/p/${path}`, text });

describe("snapshot blocks", () => {
  it("cuts each block out with the file's lines and columns kept, folders from the snapshot path", () => {
    const text =
      "{# history #}\n{% snapshot a %}\nselect 1\n{% endsnapshot %}\n{%- snapshot b -%}select 2{% endsnapshot %}\n";
    const { snapshots, diagnostics } = loadSnapshots(
      "/p",
      [file("snapshots/core/two.sql", text)],
      [],
      ["snapshots"],
    );
    expect(diagnostics).toEqual([]);
    expect(snapshots.map((s) => [s.name, s.folders, s.at.line, s.at.column])).toEqual([
      ["a", ["core"], 2, 1],
      ["b", ["core"], 5, 1],
    ]);
    const a = snapshots[0]!.text;
    expect(a.length).toBe(text.length);
    expect(a.split("\n")[2]).toBe("select 1");
    expect(a.replace(/\s+/g, " ").trim()).toBe("select 1");
    expect(snapshots[1]!.text.trim()).toBe("select 2");
  });

  it("reports a file without a block, an unclosed block, stray text and a name used twice", () => {
    const { diagnostics } = loadSnapshots(
      "/p",
      [
        file("snapshots/none.sql", "select 1"),
        file("snapshots/open.sql", "\n  {% snapshot x %}select 1"),
        file("snapshots/stray.sql", "{% snapshot y %}select 1{% endsnapshot %}\nselect 2"),
        file("snapshots/twice.sql", "{% snapshot y %}select 3{% endsnapshot %}"),
      ],
      [],
      ["snapshots"],
    );
    expect(
      diagnostics.map(
        (d) => `${d.at!.file}:${d.at!.line}:${d.at!.column} ${d.severity} ${d.message}`,
      ),
    ).toEqual([
      "snapshots/none.sql:1:1 error snapshots/none.sql holds no {% snapshot %} block",
      "snapshots/open.sql:2:3 error snapshot 'x' has no {% endsnapshot %}",
      "snapshots/stray.sql:2:1 warn text outside {% snapshot %} blocks is ignored",
      "snapshots/twice.sql:1:1 error snapshot 'y' is defined twice (first at snapshots/stray.sql:1)",
    ]);
  });
});

describe("YAML snapshots (dbt 1.9)", () => {
  const yaml = [
    "snapshots:",
    "  - name: orders_snapshot",
    "    relation: ref('orders')",
    "    config: { unique_key: id, strategy: check, check_cols: all }",
    "  - name: bad",
    "    relation: orders",
    "  - name: a",
    "    description: the block's properties",
    "  - name: nowhere",
    "",
  ].join("\n");
  const parsed = parseProperties(yaml, "snapshots/s.yml");
  const { snapshots, diagnostics } = loadSnapshots(
    "/p",
    [file("snapshots/a.sql", "{% snapshot a %}select 1{% endsnapshot %}")],
    parsed.snapshots,
    ["snapshots"],
  );

  it("selects the relation, with the entry's config; a block takes its entry's properties", () => {
    expect(parsed.diagnostics).toEqual([]);
    const yamlSnapshot = snapshots.find((s) => s.name === "orders_snapshot")!;
    expect(yamlSnapshot.text).toBe("select * from {{ ref('orders') }}");
    expect(yamlSnapshot.properties?.config).toEqual({
      unique_key: "id",
      strategy: "check",
      check_cols: "all",
    });
    expect(snapshots.find((s) => s.name === "a")!.properties?.description).toBe(
      "the block's properties",
    );
  });

  it("a relation that is no ref()/source() is an error at it; an entry naming nothing a warning", () => {
    expect(
      diagnostics.map((d) => `${d.at!.line}:${d.at!.column} ${d.severity} ${d.message}`),
    ).toEqual([
      "6:15 error snapshot 'bad': relation must be ref('model') or source('source', 'table'), not 'orders'",
      "9:5 warn snapshots: entry 'nowhere' names no {% snapshot %} block and has no relation:",
    ]);
  });
});

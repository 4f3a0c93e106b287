import { describe, expect, it } from "vitest";
import { contextPieces, DamagedCacheError, lazyContext, parseContext } from "./context-text.js";

type Context = {
  project: { models: unknown[]; modelProperties: { name: string; [k: string]: unknown }[] };
};

const context = (modelProperties: Context["project"]["modelProperties"]) => ({
  project: { dir: "/p", modelProperties, models: [{ path: "a.sql", text: "select 1\n" }] },
  compiled: { nodes: ["memo:x:1:2", { id: "source.raw.events" }] },
  targetName: "local",
});

const properties = [
  { name: "a", columns: [{ name: "id", tests: [{ name: "unique" }] }] },
  // Escapes and characters outside the BMP: the index counts UTF-16 units, as slice does.
  { name: "b", description: 'line\none "quoted" \\ é 😀 \u2028', columns: [] },
  { name: "a", description: "the second of that name" },
  { name: "c" },
];

describe("partial_parse.json's context layout", () => {
  it("holds the context in four lines; parsed whole, it is the context written, keys in order", () => {
    const c = context(properties);
    const text = [...contextPieces(c)].join("");
    const lines = text.split("\n");
    expect(lines).toHaveLength(4);
    expect(JSON.parse(lines[0]!)).toEqual({
      ...c,
      project: { ...c.project, models: null, modelProperties: null },
    });
    expect(lines[1]).toBe(JSON.stringify(c.project.models));
    expect(lines[2]).toBe(JSON.stringify(properties));
    expect(JSON.stringify(parseContext(text))).toBe(JSON.stringify(c));
    expect(JSON.stringify(parseContext([...contextPieces(context([]))].join("")))).toBe(
      JSON.stringify(context([])),
    );
  });

  it("writes the objects `known` gives as their text", () => {
    const known = (value: object) => (value === properties[3] ? '{"name":"c","k":1}' : undefined);
    const text = [...contextPieces(context(properties), known)].join("");
    expect(lazyContext<Context>(text)!.propertiesOf("c")).toEqual({ name: "c", k: 1 });
  });

  it("lazily: the models and properties parsed when first read, an entry by name from its text alone", () => {
    const c = context(properties);
    const text = [...contextPieces(c)].join("");
    const read = lazyContext<Context>(text)!;
    const project = read.context.project;
    expect(Object.getOwnPropertyDescriptor(project, "modelProperties")?.get).toBeDefined();
    expect(Object.getOwnPropertyDescriptor(project, "models")?.get).toBeDefined();
    expect(project.models).toEqual(c.project.models);
    expect(Object.getOwnPropertyDescriptor(project, "models")).toMatchObject({
      value: c.project.models,
      writable: true,
    });
    // What a Map of the entries by name gives: the last of a name.
    for (const name of ["a", "b", "c", "none"])
      expect(read.propertiesOf(name)).toEqual(
        new Map(properties.map((p) => [p.name, p])).get(name),
      );
    expect(JSON.stringify(read.context)).toBe(JSON.stringify(c));
    expect(Object.getOwnPropertyDescriptor(project, "modelProperties")).toMatchObject({
      value: properties,
      writable: true,
      enumerable: true,
    });
    const other = lazyContext<Context>(text)!.context;
    other.project.modelProperties = [];
    expect(JSON.stringify(other)).toBe(JSON.stringify(context([])));
    expect(lazyContext<Context>([...contextPieces(context([]))].join(""))!.propertiesOf("a")).toBe(
      undefined,
    );
  });

  it("refuses a text not in the layout, or whose index does not cover the properties' line", () => {
    const text = [...contextPieces(context(properties))].join("");
    const [head, models, line, index] = text.split("\n") as [string, string, string, string];
    expect(parseContext(JSON.stringify(context(properties)))).toBeUndefined();
    expect(lazyContext(JSON.stringify(context(properties)))).toBeUndefined();
    // Three lines (format 6's layout, the models in the first): not read.
    expect(parseContext(`${head}\n${line}\n${index}`)).toBeUndefined();
    expect(lazyContext(`${head}\n${line}\n${index}`)).toBeUndefined();
    const lines = (...rest: string[]) => [head, models, ...rest].join("\n");
    expect(lazyContext(lines(line))).toBeUndefined();
    const [names, lengths] = JSON.parse(index) as [string[], number[]];
    const shifted = [lengths[0]! + 1, lengths[1]! - 1, ...lengths.slice(2)];
    // The same total: only the coverage check is fooled; an entry then parses wrong or throws.
    expect(lazyContext(lines(line, JSON.stringify([names, shifted])))).toBeDefined();
    const longer = [lengths[0]! + 1, ...lengths.slice(1)];
    expect(lazyContext(lines(line, JSON.stringify([names, longer])))).toBeUndefined();
    expect(lazyContext(lines(line, JSON.stringify([names.slice(1), lengths])))).toBe(undefined);
  });

  it("a damaged line: parsed whole, not a cache; read lazily, the read names the file and the line", () => {
    const text = [...contextPieces(context(properties))].join("");
    const [head, models, line, index] = text.split("\n") as [string, string, string, string];
    const damage = (s: string) => `not JSON${s.slice(8)}`;
    const file = "/p/target/partial_parse.json";
    for (const damaged of [
      [damage(head), models, line, index],
      [head, damage(models), line, index],
      [head, models, damage(line), index],
    ])
      expect(parseContext(damaged.join("\n"))).toBeUndefined();
    // The first line and the index are read at once: a text that is not a cache.
    expect(lazyContext([damage(head), models, line, index].join("\n"), file)).toBeUndefined();
    expect(lazyContext([head, models, line, `{${index.slice(1)}`].join("\n"), file)).toBe(
      undefined,
    );
    expect(lazyContext([head, models, line, "[1, 2]"].join("\n"), file)).toBeUndefined();
    // The models and the properties are read when asked for: the read throws, at each read.
    const lazy = lazyContext<Context>([head, damage(models), line, index].join("\n"), file)!;
    expect(lazy.context.project.modelProperties).toEqual(properties);
    for (let i = 0; i < 2; i++)
      expect(() => lazy.context.project.models).toThrow(DamagedCacheError);
    let thrown: unknown;
    try {
      void lazy.context.project.models;
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(DamagedCacheError);
    expect((thrown as DamagedCacheError).file).toBe(file);
    expect((thrown as Error).message).toMatch(
      /^\/p\/target\/partial_parse\.json is damaged: its models do not parse \(.*JSON/,
    );
    // An entry of the properties' line: its own bytes, damaged in place (same length).
    const entry = JSON.stringify(properties[1]);
    const hurt = line.replace(entry, `#${entry.slice(1)}`);
    const byEntry = lazyContext<Context>([head, models, hurt, index].join("\n"), file)!;
    expect(byEntry.propertiesOf("c")).toEqual({ name: "c" });
    expect(() => byEntry.propertiesOf("b")).toThrow(/its model properties do not parse/);
    expect(() => byEntry.context.project.modelProperties).toThrow(DamagedCacheError);
  });
});

import { describe, expect, it } from "vitest";
import { closest, usageLine, withValueChecks } from "./arguments.js";

const coerce = (o: ReturnType<typeof withValueChecks>) => o.coerce as (v: unknown) => unknown;

describe("withValueChecks", () => {
  it("checks a number option against its rule, quoting what was typed", () => {
    const threads = coerce(
      withValueChecks("threads", { type: "number" }, { min: 1, integer: true }),
    );
    expect(threads("4")).toBe(4);
    expect(threads(8)).toBe(8); // a default
    expect(() => threads("abc")).toThrow("--threads takes a whole number of at least 1, not 'abc'");
    expect(() => threads("1.5")).toThrow("not '1.5'");
    expect(() => threads("")).toThrow("--threads needs a value");
    expect(() => threads(["1", "2"])).toThrow("--threads was given more than once");
  });

  it("a range says both ends (a port)", () => {
    const port = coerce(
      withValueChecks("port", { type: "number" }, { min: 0, max: 65535, integer: true }),
    );
    expect(port("0")).toBe(0);
    expect(port("65535")).toBe(65535);
    expect(() => port("65536")).toThrow("--port takes a whole number from 0 to 65535, not '65536'");
    expect(() => port("-1")).toThrow("from 0 to 65535, not '-1'");
  });

  it("keeps --help's [number] while yargs keeps the text", () => {
    expect(withValueChecks("limit", { type: "number" })).toMatchObject({
      type: "number",
      string: true,
    });
  });

  it("refuses a string option without a value; leaves booleans alone", () => {
    expect(() => coerce(withValueChecks("target", { type: "string" }))("")).toThrow(
      "--target needs a value",
    );
    expect(() => coerce(withValueChecks("select", { type: "string", array: true }))([])).toThrow(
      "--select needs a value",
    );
    expect(withValueChecks("full-refresh", { type: "boolean" }).coerce).toBeUndefined();
  });
});

describe("usageLine", () => {
  const context = {
    options: ["select", "exclude", "threads", "format"],
    choices: { format: ["table", "json"] },
    tokens: ["build", "--selct", "x"],
    commands: ["build", "query <sql>"],
  };

  it("turns yargs' messages into one line with a suggestion", () => {
    expect(usageLine("Unknown argument: selct", context)).toBe(
      "unknown option --selct; did you mean --select?",
    );
    expect(
      usageLine(
        'Invalid values:\n  Argument: format, Given: "jsn", Choices: "table", "json"',
        context,
      ),
    ).toBe("invalid value 'jsn' for --format (choose from table, json); did you mean 'json'?");
    expect(usageLine("Missing required argument: events", context)).toBe("missing --events");
    expect(
      usageLine("Unknown argument: biuld", { ...context, tokens: ["biuld"], recommended: "build" }),
    ).toBe("unknown command 'biuld'; did you mean build?");
  });

  it("suggests only within three edits", () => {
    expect(closest("selct", ["select", "exclude"])).toBe("select");
    expect(closest("frobnicate", ["select", "exclude"])).toBeUndefined();
  });
});

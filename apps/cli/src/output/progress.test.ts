import type { NodeResult, RunEvent } from "@sluice/runner";
import { describe, expect, it } from "vitest";
import type { Io } from "../command.js";
import { progressPrinter } from "./progress.js";

const result = (id: string, message: string): NodeResult => ({
  id,
  kind: "model",
  name: id.split(".")[1]!,
  relation: `silver.${id.split(".")[1]}`,
  materialization: "table",
  status: "success",
  message,
  elapsedMs: 410,
  queryIds: [],
});
const events: RunEvent[] = [
  { type: "start", index: 1, total: 2, id: "model.a", description: "table silver.a" },
  { type: "start", index: 2, total: 2, id: "model.b", description: "table silver.b" },
  { type: "end", index: 1, total: 2, result: result("model.a", "created table 3 rows") },
  { type: "end", index: 2, total: 2, result: result("model.b", "created table 1 row") },
];

describe("progressPrinter", () => {
  it("without a terminal: a START line per node started and an OK line per node ended", () => {
    const err: string[] = [];
    const print = progressPrinter({ out: () => {}, err: (t) => err.push(t), isTty: false });
    events.forEach(print);
    expect(err.map((l) => l.replace(/ \.+ /, " ... "))).toEqual([
      "1 of 2 START table silver.a ... [RUN]",
      "2 of 2 START table silver.b ... [RUN]",
      "1 of 2 OK    table silver.a ... created table 3 rows [0.41s]",
      "2 of 2 OK    table silver.b ... created table 1 row [0.41s]",
    ]);
  });

  it("on a terminal: end lines, and a status line of what runs, cleared before each line", () => {
    const screen: string[] = [];
    const io: Io = {
      out: () => {},
      err: (t) => screen.push(`line: ${t.replace(/ \.+ /, " ... ")}`),
      isTty: true,
      statusLine: (t) => screen.push(`status: ${t}`),
    };
    events.forEach(progressPrinter(io));
    expect(screen).toEqual([
      "status: 0 of 2 done; running: table silver.a",
      "status: 0 of 2 done; running: table silver.a, table silver.b",
      "status: ",
      "line: 1 of 2 OK    table silver.a ... created table 3 rows [0.41s]",
      "status: 1 of 2 done; running: table silver.b",
      "status: ",
      "line: 2 of 2 OK    table silver.b ... created table 1 row [0.41s]",
      "status: ",
    ]);
  });
});
